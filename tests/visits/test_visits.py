"""Visit distributions, non-domination, RSDs, and optimality of visit sets."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import hull_vertices

from powerseek import MDP, InvalidParameterError, RewardSamples, from_graph, load
from powerseek.analysis._optimality import optimal_actions
from powerseek.analysis._visit_optimality import linear_optimality, visit_optimality
from powerseek.solvers._solve import solve
from powerseek.visits._functions import (
    GAMMA,
    nondominated,
    nondominated_rsds,
    nondominated_vectors,
    recurrent_distributions,
    restrict,
    visit_distributions,
)
from strategies import stochastic_multigraphs, successor_graphs

FIG1 = load("turner-fig1")


def test_figure_1_has_eleven_functions_but_ten_vectors_at_one_half():
    """theory.md B.4: two dominated functions coincide exactly at γ = 1/2."""
    F = visit_distributions(FIG1, "start")
    assert len(F) == 11 and len(set(F)) == 11
    for gamma in ("1/10", "3/10", "9/10", "99/100"):
        assert len({f.exact(gamma) for f in F}) == 11
    assert len({f.exact("1/2") for f in F}) == 10


def test_figure_1_sets_of_theory_c1():
    left_down = visit_distributions(FIG1, "left_down")
    i, j = FIG1.index("left_down"), FIG1.index("left_up")
    functions = {tuple(sympy.simplify(e) for e in f.function()) for f in left_down}
    expected = set()
    for vector in ({i: 1 / (1 - GAMMA)}, {i: 1 / (1 - GAMMA**2), j: GAMMA / (1 - GAMMA**2)}):
        expected.add(tuple(sympy.simplify(vector.get(k, 0)) for k in range(8)))
    assert functions == expected
    right_down = visit_distributions(FIG1, "right_down")
    assert len(right_down) == 3 and len(nondominated(right_down)) == 2
    dominated = set(right_down) - set(nondominated(right_down))
    assert [f.cycle for f in dominated] == [("right_down", "right_up")]  # alternating


def test_rsds_of_figure_1():
    rsd = recurrent_distributions(FIG1, "start")
    assert len(rsd) == 6
    nd = nondominated_rsds(rsd)
    assert len(nd) == 5
    dominated = set(rsd) - set(nd)
    assert [d.cycle for d in dominated] == [("right_up", "right_down")]
    assert ("left_up", "left_down") in [d.cycle for d in nd]  # e_ℓ↖ itself is no RSD


def test_the_extra_option_of_going_right():
    """F_nd(★) ∩ (F_right ∖ φ·F_left) = {e★ + γ e_r▷ + γ² e_r↗/(1−γ)} (theory.md C.1)."""
    F = visit_distributions(FIG1, "start")
    nd = nondominated(F)
    right = [f for f in nd if f.first_action == "right"]
    left = [f for f in nd if f.first_action == "left"]
    swap = {"left": "right", "left_up": "right_up", "left_down": "right_down"}
    mirrored = {tuple(swap.get(s, s) for s in f.prefix + f.cycle) for f in left}
    extra = [f for f in right if tuple(f.prefix + f.cycle) not in mirrored]
    assert [(f.prefix, f.cycle) for f in extra] == [(("start", "right"), ("right_up",))]


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_prop_e3_sums_nonnegativity_monotonicity(graph, seed):
    mdp = from_graph(graph)
    rng = np.random.default_rng(seed)
    state = mdp.states[rng.integers(mdp.n_states)]
    grid = [0.0, 0.2, 0.5, 0.8, 0.95]
    for f in visit_distributions(mdp, state):
        values = np.array([f.at(g) for g in grid])
        assert np.all(values >= 0)
        assert np.all(np.diff(values, axis=0) >= -1e-12)
        np.testing.assert_allclose(values.sum(axis=1), 1 / (1 - np.array(grid)), rtol=1e-12)


@settings(max_examples=25)
@given(stochastic_multigraphs(max_states=3, max_actions=2), st.integers(0, 10**6))
def test_stochastic_functions_are_power_series_of_occupancies(graph, seed):
    mdp = from_graph(graph)
    state = mdp.states[0]
    F = visit_distributions(mdp, state)
    for f in F:
        x = f.at(0.5)
        assert x.sum() == pytest.approx(2.0)
        series = sum(0.5**t * np.array(p, dtype=float) for t, p in enumerate(f.taylor(60)))
        np.testing.assert_allclose(series, x, atol=1e-12)
        numerators_denominators = [sympy.fraction(sympy.cancel(e)) for e in f.function()]
        for numerator, denominator in numerators_denominators:  # Lemma E.4
            assert sympy.degree(numerator, GAMMA) <= mdp.n_states
            assert sympy.degree(denominator, GAMMA) <= mdp.n_states
    # distinct elements are distinct functions (compared exactly at several γ)
    probes = ("1/7", "3/5", "7/8")
    assert len({tuple(f.exact(g) for g in probes) for f in F}) == len(F)


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_lemma_e31_nondomination_does_not_depend_on_gamma(graph, seed):
    mdp = from_graph(graph)
    state = mdp.states[np.random.default_rng(seed).integers(mdp.n_states)]
    F = visit_distributions(mdp, state)
    reference = set(nondominated(F))
    for gamma in (0.1, 0.5, 0.9):
        assert set(nondominated(F, gamma=gamma)) == reference
    # Lemma E.45: a non-dominated function never equals another one
    for f in reference:
        for other in F:
            if other != f:
                for g in ("1/10", "1/2", "9/10"):
                    assert f.exact(g) != other.exact(g)


@given(successor_graphs(max_states=5), st.sampled_from([0.3, 0.8, 0.97]), st.integers(0, 10**6))
def test_lemma_e1_optimal_value_is_the_best_nondominated_function(graph, gamma, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).uniform(-1, 1, size=(5, mdp.n_states))
    V = solve(mdp, R, gamma).values
    for i, state in enumerate(mdp.states):
        X = np.array([f.at(gamma) for f in nondominated(visit_distributions(mdp, state))])
        np.testing.assert_allclose((X @ R.T).max(axis=0), V[:, i], atol=1e-9)


def test_restriction_def_3_4():
    F = visit_distributions(FIG1, "start")
    by_action = {a: restrict(F, "start", a) for a in FIG1.actions_of("start")}
    assert [len(by_action[a]) for a in ("empty", "left", "right")] == [1, 4, 6]
    # a state the walks need not visit leaves every function available
    assert restrict(F, "empty", "empty") == F
    assert len(restrict(F, "right", "right_up")) == 1 + 4 + 3


def test_enumeration_refuses_beyond_its_limit():
    complete = MDP({i: list(range(8)) for i in range(8)})
    with pytest.raises(
        InvalidParameterError,
        match=r"F\(0\) has more than 50 functions .* up to "
        r"1.68e\+07 policies",
    ):
        visit_distributions(complete, 0, max_count=50)


def test_nondominated_vectors_tolerance():
    # a point 1e-6 outside the segment is a vertex; one 1e-12 outside is not
    X = np.array([[0, 0], [1, 1], [0.5, 0.5 + 1e-6], [0.5, 0.5 + 1e-12]])
    assert nondominated_vectors(X).tolist() == [0, 1, 2]


@pytest.mark.slow
@given(
    st.integers(1, 60),
    st.integers(1, 6),
    st.sampled_from(["gauss", "simplex", "grid"]),
    st.integers(0, 10**6),
)
def test_nondominated_vectors_match_one_full_lp_per_row(k, d, kind, seed):
    """Constraint generation decides as the full LP does: random clouds, points on a
    simplex (all on the hull's boundary), and integer grids full of repeats and ties."""
    rng = np.random.default_rng(seed)
    if kind == "gauss":
        X = rng.normal(size=(k, d))
    elif kind == "simplex":
        X = rng.dirichlet(np.ones(d), size=k) / 0.3  # visit-distribution-like rows
    else:
        X = rng.integers(0, 3, size=(k, d)).astype(float)
    assert nondominated_vectors(X).tolist() == hull_vertices(X)


@pytest.mark.parametrize("push", [1e-7, 1e-8, -1e-8])
def test_a_row_just_outside_the_hull_is_a_vertex(push):
    """A 40-gon, 200 points inside, and one point at the middle of an edge pushed `push`
    outward (a vertex by the 1e-9 tolerance) or inward (not one): the fast paths must
    not blur what the full LP decides."""
    rng = np.random.default_rng(4)
    angles = 2 * np.pi * np.arange(40) / 40
    polygon = np.c_[np.cos(angles), np.sin(angles)]
    inside = rng.dirichlet(np.ones(40), size=200) @ polygon
    middle = (polygon[0] + polygon[1]) / 2
    edge_point = middle * (1 + push / np.linalg.norm(middle))
    X = np.vstack([inside, edge_point, polygon])
    expected = hull_vertices(X)
    assert (200 in expected) == (push > 0)
    assert nondominated_vectors(X).tolist() == expected


def test_nondominated_vectors_many_rows():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.dirichlet(np.ones(12), size=300), np.eye(12)])
    assert nondominated_vectors(X).tolist() == hull_vertices(X) == list(range(300, 312))


@given(successor_graphs(max_states=5), st.sampled_from([0.0, 0.6, 1.0]), st.integers(0, 10**6))
def test_lemma_e48_action_optimality_equals_visit_set_optimality(graph, gamma, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((60, mdp.n_states))
    state = mdp.states[0]
    F = visit_distributions(mdp, state)
    actions = optimal_actions(mdp, R, gamma)
    for k, action in enumerate(mdp.actions_of(state)):
        result = visit_optimality(
            mdp,
            state,
            restrict(F, state, action),
            gamma,
            functions=F,
            dist=RewardSamples(R),
            n_samples=None,
        )
        assert result.value == pytest.approx(actions[:, k].mean(), abs=1e-12)


def test_visit_optimality_with_monte_carlo():
    F = visit_distributions(FIG1, "start")
    ending_empty = [f for f in F if f.cycle == ("empty",)]
    result = visit_optimality(FIG1, "start", ending_empty, 1.0, n_samples=8000, rng=3)
    # ∅ is Blackwell-optimal from ★ iff its reward beats every reachable cycle mean
    assert abs(result.value - 0.2354166) < 4 * result.stderr
    with pytest.raises(InvalidParameterError, match="must be one of F"):
        visit_optimality(FIG1, "start", visit_distributions(FIG1, "left"), 0.5, n_samples=10)


def test_linear_optimality():
    e = np.eye(4)
    R = np.random.default_rng(4).random((500, 4))
    result = linear_optimality(e[:1], e, dist=RewardSamples(R), n_samples=None)
    assert result.value == pytest.approx((R.argmax(axis=1) == 0).mean())
    wide = linear_optimality(e[:3], e, n_samples=8000, rng=5)
    assert abs(wide.value - 3 / 4) < 4 * wide.stderr
    with pytest.raises(InvalidParameterError, match="same d"):
        linear_optimality(e, np.eye(3))


@settings(max_examples=20)
@given(successor_graphs(max_states=4))
def test_lasso_laurent_closed_form_matches_sympy(graph):
    mdp = from_graph(graph)
    for f in visit_distributions(mdp, mdp.states[0]):
        closed = f.laurent(3)
        epsilon = sympy.Symbol("epsilon")
        for i, entry in enumerate(f.function()):
            series = sympy.series(sympy.cancel(entry.subs(GAMMA, 1 - epsilon)), epsilon, 0, 4)
            series = series.removeO()
            for k in range(-1, 4):
                assert closed[k + 1][i] == Fraction(str(sympy.Rational(series.coeff(epsilon, k))))
