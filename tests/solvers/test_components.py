"""Policy iteration component by component: exact against brute force and rationals."""

import itertools
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import brute_force_values, policy_values, rational_solve

from powerseek import MDP, from_graph, load, power
from powerseek.solvers import _compiled as compiled
from powerseek.solvers import _numpy_backend as numpy_backend
from powerseek.solvers._solve import solve
from strategies import successor_graphs

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba (the fast extra)")

GAMMAS = st.sampled_from([0.3, 0.9, 0.99, 0.999, 0.9999])


def by_components(mdp, R, gamma, policy=None, max_iter=1000, threads=None):
    RT = np.ascontiguousarray(np.atleast_2d(R).T)
    start = None if policy is None else np.ascontiguousarray(policy.T)
    return compiled.policy_iteration(
        mdp, RT, gamma, 0.0, max_iter, start, threads=threads, components=True
    )


@given(successor_graphs(max_states=7))
def test_plan_lists_the_strong_components_successors_first(graph):
    mdp = from_graph(graph)
    plan = compiled.component_plan(mdp)
    assert sorted(plan.order.tolist()) == list(range(mdp.n_states))
    parts = [
        frozenset(mdp.states[s] for s in plan.order[a:b])
        for a, b in itertools.pairwise(plan.starts)
    ]
    edges = nx.DiGraph(
        (mdp.states[s], mdp.states[t])
        for s, t in zip(mdp.pair_states, mdp.successor_indices, strict=True)
    )
    edges.add_nodes_from(mdp.states)
    assert set(parts) == set(map(frozenset, nx.strongly_connected_components(edges)))
    assert plan.largest == max(map(len, parts))
    offsets, succ = mdp.pair_offsets, mdp.successor_indices
    for a, b in itertools.pairwise(plan.starts):
        for i in range(a, b):  # renumbered: the same successors, in their order
            old = plan.order[i]
            ours = plan.successors[plan.offsets[i] : plan.offsets[i + 1]]
            assert plan.order[ours].tolist() == succ[offsets[old] : offsets[old + 1]].tolist()
            assert (ours < b).all()  # successors first: this component or an earlier one


@given(
    successor_graphs(max_states=6),
    GAMMAS,
    st.integers(0, 2**32 - 1),
    st.sampled_from(["ties", "continuous"]),
)
def test_components_agree_with_brute_force(graph, gamma, seed, kind):
    mdp = from_graph(graph)
    rng = np.random.default_rng(seed)
    if kind == "ties":
        R = rng.integers(0, 3, size=(4, mdp.n_states)) / 3.0
    else:
        R = rng.uniform(-1, 1, size=(4, mdp.n_states))
    V, policy, bound, _, stable = by_components(mdp, R, gamma, threads=2)
    exact = brute_force_values(mdp, R, gamma)
    assert stable
    assert (1 - gamma) * np.abs(V.T - exact).max() <= bound + 1e-12
    assert bound <= 1e-12
    for j in range(R.shape[0]):  # the policy attains the optimal values
        attained = policy_values(mdp, policy[:, j], R[j : j + 1], gamma)[0]
        assert (1 - gamma) * np.abs(attained - exact[j]).max() <= 1e-11
    again = by_components(mdp, R, gamma, policy=policy.T)  # a warm start at the optimum
    assert again[3] == 1 and again[4] and np.array_equal(again[1], policy)


def _exact_optimal_values(successors, rewards, gamma):
    """V* by exhaustive search over deterministic policies, in exact rationals."""
    n = len(successors)
    best = None
    for choice in itertools.product(*successors):
        # V = R + γ V(choice): (I − γ P) V = R in rationals
        rows = [[Fraction(int(i == k)) for k in range(n)] + [rewards[i]] for i in range(n)]
        for i, t in enumerate(choice):
            rows[i][t] -= gamma
        values = rational_solve(rows)
        best = values if best is None else [max(a, b) for a, b in zip(best, values, strict=True)]
    return best


@pytest.mark.parametrize("gamma", [0.9, 0.999, 0.9999])
def test_cycles_and_paths_match_exact_rationals_near_gamma_one(gamma, monkeypatch):
    # a 5-cycle with an exit to a 2-cycle and a dead end, rewards of thirds and
    # sevenths: the optimal policy loops on the 5-cycle, on the 2-cycle, or leaves.
    # The oracle solves the floating-point problem exactly (the rationals of the
    # floats R and γ), so that what remains is the solver's own error.
    successors = [[1], [2], [3, 5], [4], [0, 6], [6], [5], [7, 0]]
    R = np.array([1 / 3, 2 / 7, 1 / 7, 5 / 21, 3 / 7, 1 / 3, 2 / 7, 0.0])
    exact = _exact_optimal_values(successors, [Fraction(r) for r in R], Fraction(gamma))
    mdp = MDP(dict(enumerate(successors)))
    monkeypatch.setattr(compiled, "COMPONENT_STATES", 1)
    result = solve(mdp, R, gamma, kernel="compiled")
    assert result.converged and compiled.component_plan(mdp).largest == 5
    error = max(abs(Fraction(v) - e) for v, e in zip(result.values[0], exact, strict=True))
    # within the floor the solver certifies (64 ulps of max|R|/(1−γ)), and far below it
    assert (1 - gamma) * float(error) <= max(result.error_bound, result.tol) / 100


def test_warm_start_and_iteration_limit():
    ring = MDP({i: [(i + 1) % 9, (i + 3) % 9, 9] for i in range(9)} | {9: [9, 0]})
    R = np.random.default_rng(3).random((5, ring.n_states))
    V, policy, bound, iterations, stable = by_components(ring, R, 0.99)
    assert stable and iterations > 1
    again = by_components(ring, R, 0.99, policy=policy.T)
    assert again[3] == 1 and again[4]  # the optimal policy is stable at once
    assert np.array_equal(again[1], policy)
    assert np.abs(again[0] - V).max() <= 1e-12
    first = np.repeat(ring.pair_offsets[:-1, None], 5, axis=1).T
    stopped = by_components(ring, R, 0.99, policy=first, max_iter=1)
    assert not stopped[4] and stopped[3] == 1
    # the bound is the stopped policy's Bellman residual, which its values show
    reference = numpy_backend.policy_iteration(
        ring, np.ascontiguousarray(R.T), 0.99, 0, 1, np.ascontiguousarray(first.T)
    )
    assert stopped[2] > 1e-6 and abs(stopped[2] - reference[2]) <= 1e-12


def test_thread_count_and_warm_start_on_an_object_level():
    mdp = load("aup-box")
    assert not np.array_equal(compiled.component_plan(mdp).order, np.arange(mdp.n_states))
    R = np.random.default_rng(6).random((37, mdp.n_states))
    results = [by_components(mdp, R, 0.99, threads=t) for t in (1, 2, 3)]
    for other in results[1:]:
        assert np.array_equal(other[0], results[0][0]) and np.array_equal(other[1], results[0][1])
        assert other[2:] == results[0][2:]
    V, policy = results[0][:2]
    again = by_components(mdp, R, 0.99, policy=policy.T)
    assert again[3] == 1 and np.array_equal(again[1], policy)
    assert np.abs(again[0] - V).max() <= 1e-12


def test_large_worlds_of_small_components_are_solved_by_components(monkeypatch):
    # the rule: at least COMPONENT_STATES states and no component over half of them
    calls = []
    kernel = compiled._component_kernel()
    monkeypatch.setattr(
        compiled, "_component_kernel", lambda: lambda *a: calls.append(1) or kernel(*a)
    )
    level = load("aup-box")  # boxes pushed for good: many small components
    maze = load("powerplay-maze-7x7")  # one component
    assert 2 * compiled.component_plan(level).largest <= level.n_states
    R = np.random.default_rng(2).random((3, level.n_states))
    solve(level, R, 0.99, kernel="compiled")
    assert not calls  # below COMPONENT_STATES: the whole world
    monkeypatch.setattr(compiled, "COMPONENT_STATES", 10)
    parts = solve(level, R, 0.99, kernel="compiled")
    assert calls
    whole = solve(level, R, 0.99, kernel="numpy")
    assert np.abs(parts.values - whole.values).max() * 0.01 <= max(parts.error_bound, 1e-13)
    calls.clear()
    solve(maze, np.random.default_rng(2).random((3, maze.n_states)), 0.99, kernel="compiled")
    assert not calls


def test_power_of_an_object_level_by_components_matches_the_whole_solve(monkeypatch):
    mdp = load("side-effects-sokoban-0")
    whole = power(mdp, 0.99, n_samples=300, rng=4, kernel="numpy")
    monkeypatch.setattr(compiled, "COMPONENT_STATES", 10)
    parts = power(mdp, 0.99, n_samples=300, rng=4, kernel="compiled")
    assert np.abs(parts.power - whole.power).max() <= 1e-10
    assert np.abs(parts.stderr - whole.stderr).max() <= 1e-10
