"""theory.md §B.2: POWER properties (Turner et al. 2021, §5 and App. E.3)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerseek import MDP, from_graph, gridworld, load, power, power_samples, solve
from powerseek.exact._results import exact_power
from powerseek.explore.strategies import mdps, permutations, successor_graphs
from powerseek.symmetry._environmental import automorphisms
from powerseek.visits._functions import (
    nondominated,
    nondominated_rsds,
    recurrent_distributions,
    visit_distributions,
)

Z = 5.0
COMPLETE = MDP({i: list(range(4)) for i in range(4)})


@given(mdps(max_states=4, max_actions=2), st.sampled_from([0.1, 0.5, 0.9]), st.integers(0, 10**6))
def test_lemma_e36_power_identities(mdp, gamma, seed):
    """Lemma E.36: for γ ∈ (0, 1) POWER equals E_r[max_{f∈F_nd(s)} ((1−γ)/γ)(f(γ) − e_s)ᵀr],
    ((1−γ)/γ)(V*_D(s, γ) − E R(s)), and E_R[max_π E_{s'~T(s,π(s))} (1−γ)V^π_R(s', γ)]; per
    sample ((1−γ)/γ)(V*(s) − R(s)) = (1−γ) max_a E V*(s')."""
    R = np.random.default_rng(seed).uniform(-1, 1, size=(6, mdp.n_states))
    P = power_samples(mdp, R, gamma)
    V = solve(mdp, R, gamma, tol=1e-12).values
    np.testing.assert_allclose(P, (1 - gamma) / gamma * (V - R), atol=1e-8)
    for i, state in enumerate(mdp.states):
        F = nondominated(visit_distributions(mdp, state))
        e = np.eye(mdp.n_states)[i]
        G = np.array([(1 - gamma) / gamma * (f.at(gamma) - e) for f in F])
        np.testing.assert_allclose((G @ R.T).max(axis=0), P[:, i], atol=1e-8)


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_lemma_5_3_power_is_lipschitz_in_gamma(graph, seed):
    """Lemma 5.3 / E.38: POWER(s, γ) is Lipschitz on [0, 1] with a per-reward constant
    K‖r‖₁: finite differences stay bounded as the γ grid is refined, up to the limits."""
    mdp = from_graph(graph)
    r = np.random.default_rng(seed).random((1, mdp.n_states))
    coarse = np.linspace(0, 1, 41)
    fine = np.linspace(0, 1, 161)
    slope = []
    for grid in (coarse, fine):
        values = np.array([power_samples(mdp, r, g)[0] for g in grid])
        slope.append(np.abs(np.diff(values, axis=0)).max() / (grid[1] - grid[0]))
    assert np.isfinite(slope).all()
    assert slope[1] <= 2 * slope[0] + 1e-6  # refining does not reveal a blow-up
    assert slope[1] <= 4 * mdp.n_states**2 * np.abs(r).sum() + 1e-9


@given(successor_graphs(max_states=6), st.integers(0, 10**6))
def test_b15_gamma_to_zero_limit(graph, seed):
    """B.15 (from Lemma E.43 and E.36): POWER_D(s, 0) = E_r[max_a T(s,a)ᵀr]; for deterministic
    MDPs under IID uniform rewards, k/(k+1) with k distinct successors (exactly)."""
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((5, mdp.n_states))
    successors = [sorted({mdp.index(t) for t in mdp.successors(s)}) for s in mdp.states]
    expected = np.array([[r[succ].max() for succ in successors] for r in R])
    np.testing.assert_allclose(power_samples(mdp, R, 0.0), expected)
    exact = exact_power(mdp, 0)
    for i, succ in enumerate(successors):
        assert exact.power[i] == Fraction(len(succ), len(succ) + 1)


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_lemma_e49_gamma_one_is_the_best_average_reward(graph, seed):
    """Lemma E.49: POWER_D(s, 1) = E_r[max_{d∈RSD(s)} dᵀr] = E_r[max_{d∈RSD_nd(s)} dᵀr], per
    sample: the best mean of a cycle reachable from s."""
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).uniform(-1, 1, size=(5, mdp.n_states))
    P = power_samples(mdp, R, 1.0)
    for i, state in enumerate(mdp.states):
        rsd = recurrent_distributions(mdp, state)
        D = np.array([[float(x) for x in d.vector] for d in rsd])
        D_nd = np.array([[float(x) for x in d.vector] for d in nondominated_rsds(rsd)])
        np.testing.assert_allclose((D @ R.T).max(axis=0), P[:, i], atol=1e-12)
        np.testing.assert_allclose((D_nd @ R.T).max(axis=0), P[:, i], atol=1e-12)


@given(mdps(max_states=5), st.sampled_from([0.0, 0.3, 0.9, 1.0]), st.integers(0, 10**6))
def test_prop_5_4_maximal_power(mdp, gamma, seed):
    """Prop 5.4: POWER_D(s, γ) ≤ E_R[max_{s''} R(s'')] (per sample), with equality when s
    reaches every state in one step and every state is a 1-cycle: under IID uniform, |S|/(|S|+1)
    at every γ (checked exactly on the complete digraph with self-loops)."""
    R = np.random.default_rng(seed).uniform(-1, 1, size=(5, mdp.n_states))
    assert np.all(power_samples(mdp, R, gamma) <= R.max(axis=1, keepdims=True) + 1e-9)
    R4 = np.random.default_rng(seed + 1).uniform(-1, 1, size=(5, 4))
    np.testing.assert_allclose(
        power_samples(COMPLETE, R4, gamma),
        np.repeat(R4.max(axis=1, keepdims=True), 4, axis=1),
        atol=1e-9,
    )


def test_prop_5_4_equality_exactly():
    """Prop 5.4, the equality case: the complete digraph with self-loops on 4 states has
    POWER 4/5 at every γ under IID uniform rewards, exactly."""
    for g in (0, "1/2", 1):
        assert all(p == Fraction(4, 5) for p in exact_power(COMPLETE, g).power)


@given(mdps(max_states=5), st.sampled_from([0.1, 0.5, 0.9]), st.integers(0, 10**6))
def test_prop_5_5_smoothness_across_reversible_dynamics(mdp, gamma, seed):
    """Prop 5.5: if rewards lie in [b, c] and s, s' reach each other in one step with
    probability 1, |POWER(s, γ) − POWER(s', γ)| ≤ (c − b)(1 − γ); it holds per sample."""
    R = np.random.default_rng(seed).uniform(-2, 3, size=(20, mdp.n_states))
    P = power_samples(mdp, R, gamma)
    b, c = R.min(axis=1), R.max(axis=1)

    def one_step(x, y):
        return any(mdp.transition(x, a) == {y: 1.0} for a in mdp.actions_of(x))

    for i, s in enumerate(mdp.states):
        for j, t in enumerate(mdp.states):
            if i != j and one_step(s, t) and one_step(t, s):
                assert np.all(np.abs(P[:, i] - P[:, j]) <= (c - b) * (1 - gamma) + 1e-9)


@settings(max_examples=20)
@given(mdps(max_states=4, max_actions=2), st.sampled_from([0.2, 0.6, 0.9]))
def test_lemma_e39_power_lower_bound(mdp, gamma):
    """Lemma E.39: POWER(s, γ) ≥ (1−γ) min_a E_{s'~T(s,a)} E[R(s')] + γ max_a E_{s'~T(s,a)}
    POWER(s', γ), in expectation (Monte Carlo, common samples, a margin of 5 SE)."""
    R = np.random.default_rng(1).random((4000, mdp.n_states))
    P = power_samples(mdp, R, gamma)
    T = mdp.transition_matrix.toarray()
    mean_reward = T @ np.full(mdp.n_states, 0.5)
    expected_power = T @ P.mean(axis=0)
    for i in range(mdp.n_states):
        pairs = slice(mdp.pair_offsets[i], mdp.pair_offsets[i + 1])
        bound = (1 - gamma) * mean_reward[pairs].min() + gamma * expected_power[pairs].max()
        se = P[:, i].std() / np.sqrt(len(P)) + (T[pairs] @ P.T).std(axis=1).max() / np.sqrt(len(P))
        assert P[:, i].mean() >= bound - Z * se - 1e-12


@given(mdps(max_states=4), st.data(), st.sampled_from([0.0, 0.5, 0.9, 1.0]), st.integers(0, 10**6))
def test_lemma_e17_permutation_equivariance(mdp, data, gamma, seed):
    """Lemma E.17: POWER_{φ·D}(φ(s), γ) = POWER_D(s, γ) whenever φ maps the MDP onto itself;
    in particular relabelling the states permutes POWER (per sample), and a grid's
    reflections and a ring's rotations leave it invariant."""
    phi = data.draw(permutations(mdp))
    relabelled = MDP(
        {
            phi(s): {
                a: ({phi(t): p for t, p in o.items()} if isinstance(o, dict) else phi(o))
                for a, o in acts.items()
            }
            for s, acts in mdp.to_dict().items()
        },
        states=[phi(s) for s in mdp.states],
    )
    R = np.random.default_rng(seed).random((10, mdp.n_states))
    original = power_samples(mdp, R, gamma)
    # relabelled.states[i] = φ(states[i]); its reward there is R[:, i]
    np.testing.assert_allclose(power_samples(relabelled, R, gamma), original, atol=1e-9)
    # a grid's reflections (involutions) and a ring's rotations (order 5, so the direction
    # of the action φ·R matters)
    ring = MDP({i: [i, (i + 1) % 5, (i + 2) % 5] for i in range(5)})
    for env in (gridworld.parse("....\n.#..\n...."), ring):
        R = np.random.default_rng(seed).random((10, env.n_states))
        base = power_samples(env, R, gamma)
        symmetries = automorphisms(env)
        assert len(symmetries) >= (5 if env is ring else 2)
        for psi in symmetries:
            np.testing.assert_allclose(
                power_samples(env, psi.apply(R), gamma)[:, psi.image], base, atol=1e-9
            )


@pytest.mark.slow
def test_b13_b17_published_power_values():
    """Figure 3 and the k-way choice, exactly: POWER(∅) = 1/2, POWER(ℓ↙, γ) =
    (2/3 + γ/2)/(1 + γ), POWER(r↘) = 2/3, and k/(k+1) for a one-step choice."""
    fig1 = load("turner-fig1")
    for gamma in (Fraction(1, 4), Fraction(3, 4)):
        result = exact_power(fig1, gamma)
        assert result["left_down"] == (Fraction(2, 3) + gamma / 2) / (1 + gamma)
        assert result["right_down"] == Fraction(2, 3) and result["empty"] == Fraction(1, 2)
    estimate = power(load("k-way-choice"), 0.7, n_samples=4000, rng=0)
    assert abs(estimate["start"] - 4 / 5) < Z * estimate.stderr[0]
