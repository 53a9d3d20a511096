"""theory.md §B.1: visit-distribution and value basics (Turner et al. 2021, App. E).

One test per result, named after it; each docstring quotes what it checks.
"""

import math
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from powerseek import IID, RewardSamples, from_graph, optimal_actions, solve
from powerseek.analysis._visit_optimality import linear_optimality, visit_optimality
from powerseek.exact._results import exact_optimality, exact_power
from powerseek.explore.strategies import mdps, successor_graphs
from powerseek.visits._functions import (
    GAMMA,
    nondominated,
    nondominated_rsds,
    nondominated_vectors,
    recurrent_distributions,
    restrict,
    visit_distributions,
)

GRID = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97]


def some_state(mdp, seed):
    return mdp.states[seed % mdp.n_states]


@given(mdps(max_states=4, max_actions=2), st.integers(0, 100))
def test_prop_e3_visit_distributions_nonnegative_monotone_sum(mdp, seed):
    """Prop E.3: each f^{π,s}(γ) ≥ 0 entrywise, is entrywise non-decreasing in γ on
    [0, 1), and ‖f^{π,s}(γ)‖₁ = 1/(1−γ)."""
    for f in visit_distributions(mdp, some_state(mdp, seed)):
        values = np.array([f.at(g) for g in GRID])
        assert np.all(values >= 0)
        assert np.all(np.diff(values, axis=0) >= -1e-12)
        np.testing.assert_allclose(values.sum(axis=1), 1 / (1 - np.array(GRID)), rtol=1e-10)


@settings(max_examples=25)
@given(mdps(max_states=3, max_actions=2), st.integers(0, 100))
def test_lemma_e4_rational_functions_of_degree_at_most_s(mdp, seed):
    """Lemma E.4 / Cor E.5: f^{π,s} is a rational function of γ whose numerator and
    denominator have degree ≤ |S| (Cramer's rule)."""
    for f in visit_distributions(mdp, some_state(mdp, seed)):
        for entry in f.function():
            numerator, denominator = sympy.fraction(sympy.cancel(entry))
            assert sympy.degree(numerator, GAMMA) <= mdp.n_states
            assert sympy.degree(denominator, GAMMA) <= mdp.n_states


@given(mdps(max_states=4, max_actions=2), st.sampled_from([0.2, 0.6, 0.95]), st.integers(0, 10**6))
def test_lemma_e1_optimal_value_is_max_over_f_and_f_nd(mdp, gamma, seed):
    """Lemma E.1 (dual form, §D.1.1): V*_R(s, γ) = max_{f∈F(s)} f(γ)ᵀr = max_{f∈F_nd(s)} f(γ)ᵀr,
    against the batched solver, to 1e-9."""
    R = np.random.default_rng(seed).uniform(-1, 1, size=(6, mdp.n_states))
    V = solve(mdp, R, gamma).values
    for i, state in enumerate(mdp.states):
        F = visit_distributions(mdp, state)
        full = np.array([f.at(gamma) for f in F]) @ R.T
        nd = np.array([f.at(gamma) for f in nondominated(F)]) @ R.T
        np.testing.assert_allclose(full.max(axis=0), V[:, i], atol=1e-9 / (1 - gamma))
        np.testing.assert_allclose(nd.max(axis=0), V[:, i], atol=1e-9 / (1 - gamma))


@given(mdps(max_states=4, max_actions=2), st.integers(0, 100))
def test_lemma_e31_e32_one_gamma_decides_nondomination(mdp, seed):
    """Lemma E.31/E.32: f ∈ F_nd(s) iff f(γ*) ∈ ND(F(s, γ*)) for all γ* ∈ (0, 1), so one
    γ* decides; the sets at γ = 0.1, 0.5, 0.9 agree."""
    F = visit_distributions(mdp, some_state(mdp, seed))
    reference = set(nondominated(F))
    for gamma in (0.1, 0.5, 0.9):
        assert set(nondominated(F, gamma=gamma)) == reference


@given(successor_graphs(max_states=5), st.integers(0, 100))
def test_lemma_e45_nondominated_never_coincide(graph, seed):
    """Lemma E.45 / Cor E.46: a non-dominated f never equals another f' ∈ F(s) at any
    γ ∈ (0, 1) (pairwise comparison on a grid, exactly)."""
    mdp = from_graph(graph)
    F = visit_distributions(mdp, some_state(mdp, seed))
    for f in nondominated(F):
        for other in F:
            if other != f:
                for g in ("1/10", "1/3", "1/2", "4/5", "99/100"):
                    assert f.exact(g) != other.exact(g)


@given(st.integers(2, 8), st.integers(2, 5), st.integers(0, 10**6))
def test_lemma_e10_e12_max_over_nd(k, d, seed):
    """Lemma E.10 / Cor E.11 / Lemma E.12: max over X equals max over ND(X), and over any
    X' with ND(X) ⊆ X' ⊆ X."""
    rng = np.random.default_rng(seed)
    X = rng.random((k, d))
    nd = nondominated_vectors(X)
    extra = rng.choice(k, size=rng.integers(0, k + 1), replace=False)
    middle = np.union1d(nd, extra)
    r = rng.uniform(-1, 1, size=(50, d))
    np.testing.assert_allclose((X @ r.T).max(axis=0), (X[nd] @ r.T).max(axis=0))
    np.testing.assert_allclose((X @ r.T).max(axis=0), (X[middle] @ r.T).max(axis=0))


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_lemma_e7_distinct_vectors_tie_with_probability_zero(graph, seed):
    """Lemma E.7 / Cor E.8: under D_cont distinct x, x' tie with probability 0, so the
    argmax over F(s, γ) is unique almost surely (identical vectors aside)."""
    mdp = from_graph(graph)
    F = visit_distributions(mdp, mdp.states[0])
    X = np.unique(np.array([f.at(0.7) for f in F]), axis=0)  # distinct vectors
    values = X @ np.random.default_rng(seed).random((2000, mdp.n_states)).T
    top = np.sort(values, axis=0)
    if len(X) > 1:
        assert np.all(top[-1] - top[-2] > 1e-12)


@given(st.integers(2, 7), st.integers(2, 4), st.floats(0.1, 10), st.integers(0, 10**6))
def test_lemma_e15_nd_commutes_with_positive_affine_maps(k, d, c, seed):
    """Lemma E.15: ND(cX + a) = c·ND(X) + a for c > 0."""
    rng = np.random.default_rng(seed)
    X = rng.random((k, d))
    a = rng.uniform(-5, 5, size=d)
    assert nondominated_vectors(c * X + a).tolist() == nondominated_vectors(X).tolist()


@given(successor_graphs(max_states=6), st.integers(0, 100))
def test_lemma_e51_prop_e50_rsds(graph, seed):
    """Prop E.50: every RSD is a probability vector. Lemma E.51: if e_{s'} ∈ RSD(s) then
    e_{s'} ∈ RSD_nd(s)."""
    mdp = from_graph(graph)
    rsd = recurrent_distributions(mdp, some_state(mdp, seed))
    for d in rsd:
        assert sum(d.vector) == 1 and min(d.vector) >= 0
    nd = set(nondominated_rsds(rsd))
    for d in rsd:
        if len(d.cycle) == 1:
            assert d in nd


@given(
    mdps(max_states=4, max_actions=2),
    st.sampled_from([0.3, 0.8]),
    st.sampled_from([0.5, 0.9]),
    st.integers(0, 10**6),
)
def test_d12_transfer_of_optimal_policies_across_gamma(mdp, gamma, other, seed):
    """§D.1.2: with R'(s) := V*_R(s, γ) − γ* max_a E_{s'~T(s,a)} V*_R(s', γ),
    Π*(R', γ*) = Π*(R, γ) and V*_{R'}(·, γ*) = V*_R(·, γ) (to 1e-9)."""
    R = np.random.default_rng(seed).random((5, mdp.n_states))
    V = solve(mdp, R, gamma, tol=1e-12).values
    best = np.maximum.reduceat(V @ mdp.transition_matrix.toarray().T, mdp.pair_offsets[:-1], axis=1)
    R_prime = V - other * best
    V_prime = solve(mdp, R_prime, other, tol=1e-12).values
    np.testing.assert_allclose(V_prime, V, atol=1e-8)
    np.testing.assert_array_equal(
        optimal_actions(mdp, R_prime, other), optimal_actions(mdp, R, gamma)
    )


@settings(max_examples=20)
@given(successor_graphs(max_states=4), st.integers(0, 10**6))
def test_lemma_e33_few_changes_of_the_optimal_policy_set(graph, seed):
    """Lemma E.33: for fixed R, Π*(R, γ) takes at most (2|S|+1)·Σ_s C(|F(s)|, 2) values on
    (0, 1); the optimal action sets change at most that often along a fine γ grid."""
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((1, mdp.n_states))
    grid = np.linspace(0.01, 0.99, 400)
    sets = [optimal_actions(mdp, R, g)[0].tobytes() for g in grid]
    changes = sum(a != b for a, b in zip(sets, sets[1:]))
    bound = (2 * mdp.n_states + 1) * sum(
        math.comb(len(visit_distributions(mdp, s)), 2) for s in mdp.states
    )
    assert changes <= bound


@settings(max_examples=25)
@given(mdps(max_states=4, stochastic=False), st.sampled_from([2, 3]))
def test_prop_e34_optimality_at_one_is_the_limit(mdp, levels):
    """Prop E.34: P_D(s, a, 1) is the limit of P_D(s, a, γ) as γ -> 1 (optimal policy sets
    are constant on some (γ*, 1), Lemma E.33, so the limit is attained). Exactly, for IID
    rewards uniform on {0, .., levels-1}, whose many ties make the γ -> 1 tie-break
    (Blackwell optimality, not mere average optimality) matter; POWER is continuous there."""
    dist = IID(stats.randint(0, levels))
    near = 1 - Fraction(1, 10**9)
    at_one, close = exact_optimality(mdp, 1, dist=dist), exact_optimality(mdp, near, dist=dist)
    assert at_one.probability == close.probability
    gap = max(
        abs(a - b)
        for a, b in zip(
            exact_power(mdp, 1, dist=dist).power, exact_power(mdp, near, dist=dist).power
        )
    )
    assert gap < Fraction(1, 10**6)


@given(successor_graphs(max_states=5), st.sampled_from([0.0, 0.4, 1.0]), st.integers(0, 10**6))
def test_prop_e34_lemma_e48_e35_visit_set_optimality(graph, gamma, seed):
    """Lemma E.48: P_D(s, a, γ) = P_D(F(s | π(s)=a), γ), including γ ∈ {0, 1} (Prop E.34);
    Lemma E.35: P_D(F, γ) = p_D(F(γ) ≥ F(s, γ)) = p_D(F(γ) ≥ F_nd(s, γ)). Both ways, on the
    same samples, the counts agree exactly."""
    mdp = from_graph(graph)
    state = mdp.states[0]
    R = np.random.default_rng(seed).random((80, mdp.n_states))
    F = visit_distributions(mdp, state)
    actions = optimal_actions(mdp, R, gamma)
    for k, action in enumerate(mdp.actions_of(state)):
        subset = restrict(F, state, action)
        full = visit_optimality(
            mdp, state, subset, gamma, functions=F, dist=RewardSamples(R), n_samples=None
        )
        assert full.value == actions[:, k].mean()
        if 0 < gamma < 1:
            A = np.array([f.at(gamma) for f in subset])
            against_all = linear_optimality(
                A, np.array([f.at(gamma) for f in F]), dist=RewardSamples(R), n_samples=None
            )
            against_nd = linear_optimality(
                A,
                np.array([f.at(gamma) for f in nondominated(F)]),
                dist=RewardSamples(R),
                n_samples=None,
            )
            assert against_all.value == against_nd.value == full.value
