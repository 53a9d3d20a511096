"""Action optimality probabilities: oracles, ties, limits, agreement with brute force."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import brute_force_optimal_actions
from scipy import stats

from powerseek import (
    IID,
    MDP,
    RewardSamples,
    UnknownStateError,
    from_graph,
    gridworld,
    load,
    optimal_actions,
    optimality,
    optimality_sweep,
)
from powerseek.solvers._limits import blackwell_optimal, lexicographic_optimal
from strategies import stochastic_multigraphs, successor_graphs

Z = 4.0


def close(result, state, action, exact):
    return abs(result.of(state, action) - exact) <= Z * result.stderr_of(state, action)


def test_candy_wait_published_probabilities():
    """Waiting is optimal with probability 1/2 as γ -> 0 and 2/3 as γ -> 1."""
    results = optimality_sweep(
        load("candy-wait"), [0.0, 1.0], state="start", n_samples=20_000, rng=1
    )
    assert close(results[0], "start", "wait", 1 / 2)
    assert close(results[1], "start", "wait", 2 / 3)
    assert close(results[1], "start", "candy", 1 / 3)


def test_tic_tac_toe_fragment_at_gamma_one():
    result = optimality(load("tic-tac-toe-fragment"), 1.0, state="start", n_samples=20_000, rng=2)
    assert close(result, "start", "play_on", 1 / 2)
    for k in range(1, 6):
        assert close(result, "start", f"end_{k}", 1 / 10)


def test_figure_10_is_blackwell_not_average_optimality():
    """P(s1, N, 1) = 1/3 although N is always average-optimal (theory.md C.4)."""
    result = optimality(
        load("turner-fig10-reconstruction"), 1.0, state="s1", n_samples=20_000, rng=3
    )
    assert close(result, "s1", "N", 1 / 3)
    assert close(result, "s1", "NE", 2 / 3)
    assert result.unresolved.mean[0] < 0.01


def test_k_way_choice_at_every_gamma():
    for result in optimality_sweep(
        load("k-way-choice"), [0, 0.5, 1], state="start", n_samples=8000, rng=4
    ):
        for k in range(1, 5):
            assert close(result, "start", f"t{k}", 1 / 4)
        assert result.tie_mass.mean[0] == 0.0


def test_ties_count_for_every_tied_action():
    """bump = stay: a blocked move and stay are the same self-loop, so they always tie."""
    mdp = gridworld.parse("..", bump="stay")
    result = optimality(mdp, 0.9, state=(0, 0), n_samples=2000, rng=5)
    assert result.of((0, 0), "up") == result.of((0, 0), "stay")
    assert result.of((0, 0), "up") == result.of((0, 0), "left")
    # the weak probabilities sum to one plus the expected number of extra ties
    total = result.probability.sum()
    assert total > 1.0
    assert result.tie_mass.mean[0] == pytest.approx(result.of((0, 0), "stay"))
    assert close(result, (0, 0), "right", 1 / 2)


def test_ties_under_discrete_rewards():
    mdp = load("k-way-choice")
    result = optimality(
        mdp, 0.5, state="start", dist=IID(stats.bernoulli(0.5)), n_samples=8000, rng=6
    )
    # with 4 Bernoulli(1/2) outcomes, t1 is optimal unless it is 0 and another is 1
    assert close(result, "start", "t1", 1 / 2 + 1 / 16)
    # P(no tie) = P(exactly one 1) = 4/16: tie mass 3/4
    assert abs(result.tie_mass.mean[0] - 3 / 4) <= Z * result.tie_mass.stderr[0]


@given(successor_graphs(max_states=5), st.sampled_from([0.2, 0.7, 0.95]), st.integers(0, 10**6))
def test_optimal_actions_match_brute_force(graph, gamma, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((4, mdp.n_states))
    np.testing.assert_array_equal(
        optimal_actions(mdp, R, gamma), brute_force_optimal_actions(mdp, R, gamma)
    )


@given(
    stochastic_multigraphs(max_states=4), st.sampled_from([0.2, 0.7, 0.95]), st.integers(0, 10**6)
)
def test_stochastic_optimal_actions_match_brute_force(graph, gamma, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((4, mdp.n_states))
    np.testing.assert_array_equal(
        optimal_actions(mdp, R, gamma), brute_force_optimal_actions(mdp, R, gamma)
    )


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_limit_sets_are_the_sets_near_the_limit(graph, seed):
    """Π*(R, 0) and Π*(R, 1) are limits of Π*(R, γ) (Def 4.1, Lemma E.33)."""
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((3, mdp.n_states))
    np.testing.assert_array_equal(optimal_actions(mdp, R, 0.0), optimal_actions(mdp, R, 1e-6))
    # near 1, compare on the V scale to 1e-7 (tol is relative to |R|/(1−γ))
    near_one = brute_force_optimal_actions(mdp, R, 1 - 1e-6, tol=1e-13)
    mask, unresolved = blackwell_optimal(mdp, R.T)
    np.testing.assert_array_equal(optimal_actions(mdp, R, 1.0), mask.T)
    settled = ~unresolved.any(axis=0)
    np.testing.assert_array_equal(mask.T[settled], near_one[settled])


def test_lexicographic_ties_are_broken_later():
    mdp = MDP({"s": ["a", "b"], "a": ["x"], "b": ["y"], "x": ["x"], "y": ["y"]})
    R = np.array([[0, 0.5, 0.5, 0.1, 0.9], [0, 0.5, 0.5, 0.9, 0.1]]).T
    mask = lexicographic_optimal(mdp, R)
    assert mask[:2].T.tolist() == [[False, True], [True, False]]
    # identical actions tie for good and stop the refinement early
    twins = MDP({"s": {"p": "t", "q": "t"}, "t": ["t"]})
    assert lexicographic_optimal(twins, np.array([[0.0, 1.0]]).T)[:2, 0].tolist() == [True, True]


def test_blackwell_on_a_stochastic_mdp():
    mdp = load("powerplay-stochastic-4")
    R = np.random.default_rng(7).random((4, 25))
    mask, unresolved = blackwell_optimal(mdp, R)
    near_one = brute_force_optimal_actions(mdp, R.T, 1 - 1e-7, tol=1e-15).T
    agree = np.all(mask == near_one, axis=0) | unresolved.any(axis=0)
    assert agree.all()


def test_all_states_and_documents():
    mdp = load("turner-fig1")
    result = optimality(mdp, 0.5, n_samples=500, rng=8)
    assert result.states == mdp.states
    document = result.to_dict()
    assert [entry["state"] for entry in document["states"]] == list(mdp.states)
    terminal = document["states"][1]
    assert terminal["actions"][0]["probability"] == 1.0 and terminal["tie_mass"] == 0.0
    single = optimality(mdp, 0.5, state="start", n_samples=500, rng=8).to_dict()
    assert single["state"] == "start"
    assert single["actions"][2] == {
        "action": "right",
        "successors": {"right": 1.0},
        "probability": single["actions"][2]["probability"],
        "stderr": single["actions"][2]["stderr"],
    }
    for key in ("environment", "gamma", "n_samples", "seed", "tie_mass"):
        assert key in single
    stochastic = optimality(load("powerplay-stochastic-4"), 0.9, state="2", n_samples=200, rng=1)
    assert stochastic.to_dict()["actions"][1]["successors"] == {"1": 0.5, "2": 0.5}


def test_same_samples_same_answers():
    mdp = load("turner-fig1")
    R = np.random.default_rng(9).random((300, mdp.n_states))
    a = optimality(mdp, 0.9, state="start", dist=RewardSamples(R), n_samples=None)
    b = optimality(mdp, 0.9, state="start", dist=RewardSamples(R), n_samples=None, chunk_size=7)
    np.testing.assert_array_equal(a.probability, b.probability)
    direct = optimal_actions(mdp, R, 0.9)[:, :3].mean(axis=0)
    np.testing.assert_allclose(a.probability, direct, atol=1e-15)


def test_unknown_state():
    with pytest.raises(UnknownStateError, match="'middle' is not a state"):
        optimality(load("turner-fig1"), 0.5, state="middle", n_samples=10)
