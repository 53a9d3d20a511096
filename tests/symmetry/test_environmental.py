"""Permutations, pushforwards, environmental symmetries and automorphisms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from powerseek import (
    IID,
    FiniteSupport,
    InvalidParameterError,
    PerState,
    RewardSamples,
    from_graph,
    gridworld,
    load,
    power_samples,
)
from powerseek.analysis._optimality import optimal_actions
from powerseek.rewards._distributions import sample
from powerseek.symmetry._environmental import (
    Permutation,
    automorphisms,
    find_action_copy,
    find_state_copy,
    terminal_copies,
)
from strategies import examples, planted_copies

FIG1 = load("turner-fig1")
SWAP = [("left", "right"), ("left_up", "right_up"), ("left_down", "right_down")]


def test_permutation_basics():
    phi = Permutation(FIG1, SWAP)
    assert phi.is_involution and not phi.is_identity
    assert (phi @ phi).is_identity and phi.inverse() == phi
    rho = Permutation(["a", "b", "c"], [("a", "b", "c")])
    assert rho("a") == "b" and not rho.is_involution
    assert (rho @ rho)("a") == "c" and rho.inverse()("b") == "a"
    assert rho.mapping() == {"a": "b", "b": "c", "c": "a"}
    # row representation: (P_φ r)_{φ(j)} = r_j
    assert rho.apply([1, 2, 3]).tolist() == [3, 1, 2]
    with pytest.raises(InvalidParameterError, match="'d' is not a state"):
        Permutation(["a", "b"], {"a": "d"})
    with pytest.raises(InvalidParameterError, match="not a permutation"):
        Permutation(["a", "b", "c"], {"a": "b"})


def test_pushforward_of_every_kind():
    phi = Permutation(["a", "b", "c"], [("a", "c")])
    assert phi.pushforward(IID()) == IID()
    per_state = phi.pushforward(PerState({"a": stats.bernoulli(0.5)}))
    assert set(per_state.dists) == {"c"}
    vectors = phi.pushforward(FiniteSupport([[1, 2, 3]]))
    assert vectors.vectors.tolist() == [[3, 2, 1]]
    samples = phi.pushforward(RewardSamples([[1, 2, 3], [4, 5, 6]]))
    assert samples.samples.tolist() == [[3, 2, 1], [6, 5, 4]]
    # any distribution: samples of φ·D are P_φ applied to samples of D
    base = PerState({"a": stats.uniform(10, 1)})
    pushed = phi.pushforward(base.__class__({"a": stats.uniform(10, 1)}))
    assert sample(pushed, ["a", "b", "c"], 100, rng=0)[:, 2].min() >= 10
    from powerseek.rewards._distributions import CallableRewards

    custom = CallableRewards(lambda rng, size: np.tile([1.0, 2.0, 3.0], (size, 1)), name="fixed")
    assert sample(phi.pushforward(custom), ["a", "b", "c"], 2, rng=0).tolist() == [[3, 2, 1]] * 2


def test_figure_1_more_options_witness():
    """The swap left<->right (with children) shows right has more options (Prop 6.6)."""
    result = find_state_copy(FIG1, "right", "left")
    assert result.found and result.strict
    assert result.permutation == Permutation(FIG1, SWAP)
    down = find_state_copy(FIG1, "right_down", "left_down")
    assert down.found and down.permutation.mapping() == {
        "left_up": "right_up",
        "right_up": "left_up",
        "left_down": "right_down",
        "right_down": "left_down",
    }
    assert not find_state_copy(FIG1, "left", "right").found
    assert "no involution" in find_state_copy(FIG1, "left", "right").reason


def test_figure_1_action_copy_and_conditions():
    result = find_action_copy(FIG1, "start", "right", "left")
    assert result.found and result.strict
    assert result.details == {
        **result.details,
        "revisits_state_after_other": False,
        "bottleneck": True,
    }
    assert not find_action_copy(FIG1, "start", "left", "right").found


def test_transport_inequality_on_figure_1():
    """V*_r(ℓ↙) ≤ V*_{P_φ r}(r↘): POWER_r(ℓ↙) ≤ POWER_{φr}(r↘) for every r (B.24 (a))."""
    phi = find_state_copy(FIG1, "right_down", "left_down").permutation
    R = np.random.default_rng(0).uniform(-1, 1, size=(2000, 8))
    for gamma in (0.0, 0.3, 0.9, 1.0):
        before = power_samples(FIG1, R, gamma)[:, FIG1.index("left_down")]
        after = power_samples(FIG1, phi.apply(R), gamma)[:, FIG1.index("right_down")]
        assert np.all(before <= after + 1e-9)


@settings(max_examples=30)
@given(planted_copies(), st.integers(0, 10**6))
def test_planted_copies_are_found_and_transport(graph_and_copy, seed):
    graph, copy = graph_and_copy
    mdp = from_graph(graph)
    result = find_action_copy(mdp, "s", "a", "a_prime")
    assert result.found, result.reason
    assert result.details["bottleneck"] and not result.details["revisits_state_after_other"]
    assert result.strict  # the extra 1-cycles are new non-dominated options
    phi = result.permutation
    assert phi("s") == "s" and phi.is_involution
    R = np.random.default_rng(seed).uniform(-1, 1, size=(300, mdp.n_states))
    k_a, k_b = mdp.pair_index("s", "a"), mdp.pair_index("s", "a_prime")
    for gamma in (0.2, 0.8):
        # Lemma E.27: if a' is optimal for r, a is optimal for φ·r
        original = optimal_actions(mdp, R, gamma)[:, k_b]
        mapped = optimal_actions(mdp, phi.apply(R), gamma)[:, k_a]
        assert not np.any(original & ~mapped)


@settings(max_examples=examples(25))
@given(planted_copies(max_size=2, stochastic=True), st.integers(0, 10**6))
def test_stochastic_planted_copies(graph_and_copy, seed):
    graph, _ = graph_and_copy
    mdp = from_graph(graph)
    result = find_action_copy(mdp, "s", "a", "a_prime")
    assert result.found, result.reason
    phi = result.permutation
    R = np.random.default_rng(seed).uniform(-1, 1, size=(200, mdp.n_states))
    before = (
        power_samples(mdp, R, 0.7)
        @ mdp.transition_matrix[[mdp.pair_index("s", "a_prime")]].toarray()[0]
    )
    after = (
        power_samples(mdp, phi.apply(R), 0.7)
        @ mdp.transition_matrix[[mdp.pair_index("s", "a")]].toarray()[0]
    )
    assert np.all(before <= after + 1e-7)


def test_no_copy_without_the_structure():
    candy = load("candy-wait")
    result = find_action_copy(candy, "start", "wait", "candy")
    assert not result.found and "no involution fixing 'start'" in result.reason
    grid = load("powerplay-3x3")
    assert not find_state_copy(grid, (1, 1), (0, 0)).found


def test_automorphisms_and_equivariance():
    """Lemma E.17: POWER_{φ·D}(φ(s)) = POWER_D(s) for automorphisms φ, per sample."""
    grid = load("powerplay-3x3")
    symmetries = automorphisms(grid)
    assert len(symmetries) == 8
    R = np.random.default_rng(1).random((200, 9))
    reference = power_samples(grid, R, 0.8)
    for phi in symmetries:
        permuted = power_samples(grid, phi.apply(R), 0.8)
        np.testing.assert_allclose(permuted[:, phi.image], reference, atol=1e-9)
    assert len(automorphisms(load("powerplay-maze-7x7"))) == 1
    assert len(automorphisms(gridworld.parse("...", noise=0.2))) == 2


def test_terminal_copies_of_figure_1():
    result = terminal_copies(FIG1, "start", ["empty"])
    assert result.found and result.details["n"] == 3
    for phi in result.details["witnesses"]:
        assert phi.is_involution and phi("empty") in ("left_down", "right_up", "right_down")
    with pytest.raises(InvalidParameterError, match="not a 1-cycle reachable"):
        terminal_copies(FIG1, "start", ["left"])


def test_a_copy_between_symmetric_places_is_not_strict_and_a_larger_one_is():
    """``strict`` counts the target's non-dominated functions that are not images of
    the source's: none between two corners of a square grid (or two of its centre's
    moves), some from Figure 1's left branch to its right one."""
    from powerseek import load

    grid = load("powerplay-3x3")
    corners = find_state_copy(grid, (0, 0), (0, 2))
    assert corners.found and corners.strict is False
    assert corners.details["n_extra_nondominated"] == 0
    moves = find_action_copy(grid, (1, 1), "up", "down")
    assert moves.found and moves.strict is False
    fig1 = find_state_copy(load("turner-fig1"), "right_down", "left_down")
    assert fig1.found and fig1.strict is True and fig1.details["n_extra_nondominated"] > 0
