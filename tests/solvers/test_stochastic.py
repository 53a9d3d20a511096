"""Policy iteration with sparse LU evaluation on stochastic MDPs."""

import warnings

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import brute_force_values

from powerseek import ConvergenceWarning, from_graph, gridworld, load, power_sweep
from powerseek.solvers import _stochastic as stochastic
from powerseek.solvers._solve import solve


@st.composite
def non_dyadic_mdps(draw, max_states=5, max_actions=3):
    """Random stochastic MDPs whose probabilities are integer weights over their sum
    (thirds, sevenths, ...), so none is a binary fraction by accident."""
    n = draw(st.integers(1, max_states))
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(n))
    for state in range(n):
        for action in range(draw(st.integers(1, max_actions))):
            successors = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
            weights = draw(st.lists(st.integers(1, 7), min_size=len(successors), max_size=3))
            total = sum(weights[: len(successors)])
            for successor, weight in zip(successors, weights):
                graph.add_edge(state, successor, action=f"a{action}", p=weight / total)
    return from_graph(graph)


def dense_values(mdp, R, gamma, policy):
    """V^π by a dense solve: an oracle that shares nothing with the sparse LU."""
    P = mdp.transition_matrix.toarray()[policy]
    return np.linalg.solve(np.eye(mdp.n_states) - gamma * P, R)


def bellman_residual(mdp, R, gamma, V):
    W = mdp.transition_matrix.toarray() @ V
    return np.abs(R + gamma * np.maximum.reduceat(W, mdp.pair_offsets[:-1]) - V).max()


GAMMAS = st.sampled_from([0.5, 0.9, 0.99, 0.999])


@given(non_dyadic_mdps(), GAMMAS, st.integers(0, 2**32 - 1), st.booleans())
def test_agrees_with_brute_force_and_the_bound_is_honest(mdp, gamma, seed, ties):
    rng = np.random.default_rng(seed)
    R = rng.integers(0, 3, (4, mdp.n_states)) / 3 if ties else rng.uniform(-1, 1, (4, mdp.n_states))
    result = solve(mdp, R, gamma, method="policy-iteration", tol=1e-10)
    assert result.converged and result.method == "policy-iteration"
    error = (1 - gamma) * np.abs(result.values - brute_force_values(mdp, R, gamma)).max()
    assert error <= result.error_bound + 1e-12  # the true error never exceeds the bound
    assert result.error_bound <= 1e-10
    for i in range(R.shape[0]):  # the values are those of the returned (greedy) policy
        exact = dense_values(mdp, R[i], gamma, result.policy[i])
        assert (1 - gamma) * np.abs(result.values[i] - exact).max() <= 1e-12


@settings(max_examples=25)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.9, 0.99, 0.999]))
def test_agrees_with_value_iteration_on_slippery_grids(seed, gamma):
    mdp = gridworld.parse(["....", ".#..", "...."], noise=0.1)  # slip 0.1: non-dyadic
    R = np.random.default_rng(seed).random((3, mdp.n_states))
    ours = solve(mdp, R, gamma, method="policy-iteration")
    reference = solve(mdp, R, gamma, method="extrapolated-value-iteration", tol=1e-12)
    assert ours.converged and ours.error_bound <= 1e-9
    assert (1 - gamma) * np.abs(ours.values - reference.values).max() <= 1e-9 + 1e-12
    for i in range(3):
        assert bellman_residual(mdp, R[i], gamma, ours.values[i]) <= ours.error_bound + 1e-12


def test_auto_chooses_policy_iteration_near_one():
    mdp = gridworld.parse(["." * 10] * 10, noise=0.1)
    R = np.random.default_rng(0).random((2, mdp.n_states))
    assert solve(mdp, R, 0.99).method == "policy-iteration"
    assert solve(mdp, R, 0.5).method == "extrapolated-value-iteration"
    small = load("powerplay-stochastic-4")
    assert solve(small, np.zeros(4), 0.9).method == "extrapolated-value-iteration"


def test_results_do_not_depend_on_chunking_threads_or_warm_start(monkeypatch):
    mdp = gridworld.parse([".....", ".#.#.", "....."], noise=0.2)
    R = np.random.default_rng(1).random((30, mdp.n_states))
    whole = solve(mdp, R, 0.99, method="policy-iteration")
    for chunk_size in (1, 7):
        part = solve(mdp, R, 0.99, method="policy-iteration", chunk_size=chunk_size)
        assert np.array_equal(part.values, whole.values)
        assert np.array_equal(part.policy, whole.policy)
    for threads in ("1", "3"):  # the evaluations and sweeps split over threads
        monkeypatch.setenv("POWERSEEK_THREADS", threads)
        split = solve(mdp, R, 0.99, method="policy-iteration")
        assert np.array_equal(split.values, whole.values)
        assert np.array_equal(split.policy, whole.policy)
    warm = solve(mdp, R, 0.99, method="policy-iteration", initial_policy=whole.policy)
    assert warm.iterations == 1 and np.array_equal(warm.policy, whole.policy)
    assert np.abs(warm.values - whole.values).max() <= 1e-12 / (1 - 0.99)


def test_iteration_limit_warns_with_an_honest_bound():
    mdp = gridworld.parse(["......"] * 3, noise=0.1)
    R = np.random.default_rng(2).random((5, mdp.n_states))
    start = np.tile(mdp.pair_offsets[:-1], (5, 1))  # each state's first action
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = solve(mdp, R, 0.99, method="policy-iteration", max_iter=1, initial_policy=start)
    assert not result.converged
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    for i in range(5):
        assert np.allclose(result.values[i], dense_values(mdp, R[i], 0.99, start[i]), atol=1e-9)
        assert bellman_residual(mdp, R[i], 0.99, result.values[i]) <= result.error_bound + 1e-12


def test_evaluate_policy_matches_a_dense_solve():
    mdp = gridworld.parse(["...", "...", "..."], noise=1 / 3)
    R = np.random.default_rng(3).random(mdp.n_states)
    policy = mdp.pair_offsets[1:] - 1  # each state's last action
    for gamma in (0.5, 0.999):
        ours = stochastic.evaluate_policy(mdp, R, gamma, policy)
        assert np.abs(ours - dense_values(mdp, R, gamma, policy)).max() * (1 - gamma) <= 1e-13


def test_sweeps_warm_start_across_gammas_and_agree_with_value_iteration():
    mdp = gridworld.parse(["....", "....", "...."], noise=0.1)
    ours = power_sweep(mdp, [0.9, 0.99, 0.999], n_samples=64, rng=4)
    reference = power_sweep(
        mdp, [0.9, 0.99, 0.999], n_samples=64, rng=4, method="extrapolated-value-iteration"
    )
    methods = [s["method"] for s in ours.solver]
    assert methods == ["extrapolated-value-iteration", "policy-iteration", "policy-iteration"]
    assert np.abs(ours.power - reference.power).max() <= 2e-9


def test_the_lookahead_step_cuts_the_evaluations_near_one(monkeypatch):
    """Greedy on B^k V^π instead of V^π: Howard's iteration needs 15 evaluations on this grid
    at γ = 0.999, the look-ahead 4 to 5; each evaluated policy is at least as good as the one
    before (V^π' ≥ B^k V^π ≥ V^π), and the iteration ends on the optimal values."""
    mdp = gridworld.parse(["." * 30] * 30, noise=0.1)
    RT = np.random.default_rng(11).random((mdp.n_states, 4))
    evaluated = {j: [] for j in range(4)}
    solve_one = stochastic._refined_solve

    def recording(factored, b):
        x = solve_one(factored, b)
        (j,) = [j for j in range(4) if np.array_equal(RT[:, j], b)]
        evaluated[j].append(x)
        return x

    monkeypatch.setattr(stochastic, "_refined_solve", recording)
    V, policy, bound, iterations, stable = stochastic.policy_iteration(
        mdp, RT, 0.999, 1e-9, 100, None
    )
    assert stable and bound < 1e-9 and iterations <= 7
    for values in evaluated.values():
        for before, after in zip(values, values[1:]):
            assert (after >= before - 1e-9).all()
    reference = solve(mdp, RT.T, 0.999, method="extrapolated-value-iteration", tol=1e-11)
    np.testing.assert_allclose(0.001 * V.T, 0.001 * reference.values, atol=2e-11)


def test_the_fixed_ordering_keeps_the_fill_of_ordering_each_matrix_anew():
    # one minimum-degree ordering of the union of all policies' patterns serves every policy
    import scipy.sparse.linalg as spla

    mdp = gridworld.parse(["." * 12] * 12, noise=0.1)
    ordered = stochastic._ordered_rows(mdp, 0.99)
    rng = np.random.default_rng(5)
    for _ in range(3):
        policy = mdp.pair_offsets[:-1] + rng.integers(0, np.diff(mdp.pair_offsets))
        factored = stochastic._factor(ordered, policy)
        original = factored.matrix[np.argsort(factored.order)][:, np.argsort(factored.order)]
        anew = spla.splu(
            original.tocsc(),
            permc_spec="MMD_AT_PLUS_A",
            diag_pivot_thresh=0.0,
            options={"SymmetricMode": True},
        )
        fill = factored.lu.L.nnz + factored.lu.U.nnz
        assert fill <= 1.1 * (anew.L.nnz + anew.U.nnz)
