"""The compiled policy-iteration kernel: certified like the numpy kernel, and its fallback.

The compiled value sweeps are Gauss–Seidel (in place, forward then backward),
the numpy kernel's are Jacobi: values agree within both certified bounds, not
bit for bit; policy iteration, POWER from values and the moments are the same
operations on either kernel, and each sample's result is the same whichever
samples or threads it shares a block with.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import brute_force_values, policy_values

from powerseek import MDP, from_graph, gridworld, load, power_sweep
from powerseek.exceptions import InvalidParameterError
from powerseek.solvers import _compiled as compiled
from powerseek.solvers import _numpy_backend as numpy_backend
from powerseek.solvers._kernels import segment_max, sweep_budget
from powerseek.solvers._solve import solve
from strategies import successor_graphs

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba (the fast extra)")

GAMMAS = st.sampled_from([0.3, 0.9, 0.99, 0.999, 0.9999])


def rewards(mdp, seed, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "ties":  # few distinct values: many exactly tied actions
        return rng.integers(0, 3, size=(n, mdp.n_states)) / 3.0
    return rng.uniform(-1, 1, size=(n, mdp.n_states))


@given(
    successor_graphs(max_states=8),
    GAMMAS,
    st.integers(0, 2**32 - 1),
    st.sampled_from(["ties", "continuous"]),
)
def test_compiled_and_numpy_kernels_agree(graph, gamma, seed, kind):
    mdp = from_graph(graph)
    R = rewards(mdp, seed, 7, kind)
    RT = np.ascontiguousarray(R.T)
    ours = compiled.policy_iteration(mdp, RT, gamma, 1e-9, 1000, None, threads=2)
    theirs = numpy_backend.policy_iteration(mdp, RT, gamma, 1e-9, 1000, None)
    assert ours[4] and theirs[4]
    assert_certified(mdp, R, gamma, ours)
    assert (1 - gamma) * np.abs(ours[0] - theirs[0]).max() <= ours[2] + theirs[2] + 1e-12


def assert_certified(mdp, R, gamma, solution):
    """Values within the solution's bound of V* (brute force), and its policies optimal."""
    V, policy, bound = solution[0].T, solution[1].T, solution[2]
    exact = brute_force_values(mdp, R, gamma)
    scale = max(1.0, float(np.abs(R).max()))
    assert (1 - gamma) * np.abs(V - exact).max() <= bound + 1e-12 * scale
    for j in range(len(R)):  # the greedy policy achieves V* (within the noise floor)
        achieved = policy_values(mdp, policy[j], R[j : j + 1], gamma)[0]
        assert (1 - gamma) * np.abs(achieved - exact[j]).max() <= 2 * bound + 1e-10 * scale


@given(successor_graphs(max_states=6), GAMMAS, st.integers(0, 2**32 - 1))
def test_compiled_kernel_agrees_with_brute_force(graph, gamma, seed):
    mdp = from_graph(graph)
    R = rewards(mdp, seed, 3, "continuous")
    result = solve(mdp, R, gamma, kernel="compiled", tol=1e-10)
    error = (1 - gamma) * np.abs(result.values - brute_force_values(mdp, R, gamma)).max()
    assert result.converged
    assert error <= result.error_bound + 1e-12


@pytest.mark.parametrize("name", ["powerplay-robot-face", "powerplay-maze-7x7", "turner-fig1"])
def test_identical_on_catalog_worlds_at_any_thread_count(name):
    mdp = load(name)
    R = np.random.default_rng(5).random((301, mdp.n_states))
    reference = solve(mdp, R, 0.99, kernel="numpy")
    RT = np.ascontiguousarray(R.T)
    first = compiled.policy_iteration(mdp, RT, 0.99, 1e-9, 1000, None, threads=1)
    for threads in (2, 3):
        again = compiled.policy_iteration(mdp, RT, 0.99, 1e-9, 1000, None, threads=threads)
        assert np.array_equal(again[0], first[0]) and np.array_equal(again[1], first[1])
        assert again[2:] == first[2:]
    V, policy, bound, iterations, stable = first
    assert stable
    # In these worlds both kernels end on the same values: where every cell can stay,
    # sweeps from R/(1−γ) are exact after finitely many (fewer here), and where the
    # sweeps do not settle policy iteration runs from the same greedy policies.
    assert np.array_equal(V.T, reference.values) and np.array_equal(policy.T, reference.policy)
    assert bound <= reference.error_bound and iterations <= reference.iterations


def test_iteration_limit_and_warm_start_match_numpy():
    mdp = gridworld.parse(["....", ".#..", "...."])
    RT = np.ascontiguousarray(np.random.default_rng(1).random((mdp.n_states, 40)))
    first = np.repeat(mdp.pair_offsets[:-1, None], 40, axis=1)  # a poor start
    for max_iter in (1, 2):
        ours = compiled.policy_iteration(mdp, RT, 0.95, 1e-9, max_iter, first.copy())
        theirs = numpy_backend.policy_iteration(mdp, RT, 0.95, 1e-9, max_iter, first.copy())
        assert not ours[4] and not theirs[4]  # stopped at the limit
        assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])
        assert ours[2:] == theirs[2:]
    start = numpy_backend.policy_iteration(mdp, RT, 0.9, 1e-9, 100, None)[1]
    ours = compiled.policy_iteration(mdp, RT, 0.95, 1e-9, 100, start.copy())
    theirs = numpy_backend.policy_iteration(mdp, RT, 0.95, 1e-9, 100, start.copy())
    assert np.array_equal(ours[1], theirs[1]) and ours[2:] == theirs[2:]


def test_both_phases_agree_where_value_sweeps_settle_and_where_they_do_not():
    # with `stay` everywhere the sweeps from R/(1-γ) settle; on a ring of
    # 3-cycles without self-loops they do not, and policy iteration takes over
    grid = gridworld.parse(["......", ".##...", "......"])
    ring = MDP({i: [(i + 1) % 9, (i + 3) % 9] for i in range(9)})
    for mdp, settles in ((grid, True), (ring, False)):
        RT = np.ascontiguousarray(np.random.default_rng(4).random((mdp.n_states, 25)))
        ours = compiled.policy_iteration(mdp, RT, 0.99, 1e-9, 1000, None)
        theirs = numpy_backend.policy_iteration(mdp, RT, 0.99, 1e-9, 1000, None)
        assert 0.01 * np.abs(ours[0] - theirs[0]).max() <= ours[2] + theirs[2] + 1e-12
        assert np.array_equal(ours[1], theirs[1])
        if mdp is ring:  # small enough for the brute force
            exact = brute_force_values(mdp, RT.T, 0.99)
            assert 0.01 * np.abs(ours[0].T - exact).max() <= ours[2] + 1e-12
        assert (ours[3] <= sweep_budget(mdp, 0.99)) == settles  # settled, or went on


def test_sweeps_with_many_actions_and_mixed_blocks_match_numpy():
    # more than five actions per state (several groups of the padded sweep), one-action
    # states, and a batch that is not a multiple of the block, in which some samples
    # settle in the sweeps and others go on to policy iteration: each sample's result
    # must not depend on the samples that share its block
    hub = {0: [0, 1, 4], 1: [2], 2: [3], 3: [1, 0]}  # stay at 0, or a 3-cycle
    hub.update({4: list(range(4, 12)), **{s: [4, (s + 1) % 12] for s in range(5, 12)}})
    mdp = MDP(hub)
    assert int(np.diff(mdp.pair_offsets).max()) > 5
    R = np.random.default_rng(8).random((3 * 32 + 7, mdp.n_states))
    reference = numpy_backend.policy_iteration(mdp, np.ascontiguousarray(R.T), 0.99, 0, 1000, None)
    counts = set()
    first = None
    for threads in (1, 2):
        V, policy, bound, iterations, stable = compiled.policy_iteration(
            mdp, R.T, 0.99, 0, 1000, None, threads=threads
        )
        assert stable
        assert 0.01 * np.abs(V - reference[0]).max() <= bound + reference[2] + 1e-12
        assert np.array_equal(policy, reference[1])
        if first is None:
            first = V
            assert_certified(mdp, R[::10], 0.99, (V[:, ::10], policy[:, ::10], bound))
        assert np.array_equal(V, first)  # whatever the threads
        for j in (0, 2, 40, 102):  # alone, each sample gives the same result
            alone = compiled.policy_iteration(mdp, R[j : j + 1].T, 0.99, 0, 1000, None)
            assert np.array_equal(alone[0][:, 0], V[:, j])
            assert np.array_equal(alone[1][:, 0], policy[:, j])
            counts.add(alone[3] <= sweep_budget(mdp, 0.99))
    assert counts == {True, False}  # some settled in the sweeps, some did not


def test_settled_policies_break_noise_ties_as_numpy_does():
    # state 0 chooses between two absorbing states whose rewards differ by one ulp
    # (or are equal): within the noise floor they are tied, and the first is chosen
    mdp = MDP({0: [1, 2], 1: [1], 2: [2]})
    R = np.array([[0.0, 0.5, np.nextafter(0.5, 1)], [0.0, 0.5, 0.5], [0.0, 0.5, 0.6]])
    reference = numpy_backend.policy_iteration(mdp, np.ascontiguousarray(R.T), 0.9, 0, 1000, None)
    ours = compiled.policy_iteration(mdp, R.T, 0.9, 0, 1000, None)
    assert ours[3] <= sweep_budget(mdp, 0.9)  # settled in the sweeps
    assert ours[1][0].tolist() == reference[1][0].tolist() == [0, 0, 1]
    assert np.array_equal(ours[0], reference[0])


def test_concurrent_calls_from_threads_are_identical():
    mdp = load("powerplay-maze-7x7")
    R = np.random.default_rng(2).random((500, mdp.n_states))
    reference = solve(mdp, R, 0.99, kernel="numpy").values
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: solve(mdp, R, 0.99, kernel="compiled").values, range(4)))
    assert all(np.array_equal(values, reference) for values in results)


def test_worker_threads_run_one_thread(monkeypatch):
    monkeypatch.delenv("POWERSEEK_THREADS", raising=False)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(compiled.thread_count()))
    worker.start()
    worker.join()
    assert seen == [1]
    monkeypatch.setenv("POWERSEEK_THREADS", "3")
    assert compiled.thread_count() == 3


def test_power_is_identical_on_either_kernel():
    # every cell of the robot face can stay: both kernels' sweeps reach V* exactly,
    # and POWER from the values and the moments are the same operations
    mdp = load("powerplay-robot-face")
    a = power_sweep(mdp, [0.5, 0.99], n_samples=600, rng=3, kernel="numpy")
    b = power_sweep(mdp, [0.5, 0.99], n_samples=600, rng=3, kernel="compiled")
    assert np.array_equal(a.power, b.power) and np.array_equal(a.stderr, b.stderr)
    for x, y in zip(a.solver, b.solver):
        assert y["error_bound"] <= x["error_bound"] and y["iterations"] <= x["iterations"]


def test_power_within_the_bounds_where_sweeps_are_not_exact():
    # no cell can stay: the sweeps converge only geometrically and stop at the noise
    # floor, so the kernels' values differ by up to their certified bounds
    ring = MDP({i: [(i + 1) % 12, (i + 5) % 12, (i + 7) % 12] for i in range(12)})
    for gamma in (0.3, 0.9):
        a = power_sweep(ring, gamma, n_samples=300, rng=1, kernel="numpy")
        b = power_sweep(ring, gamma, n_samples=300, rng=1, kernel="compiled")
        slack = a.solver[0]["error_bound"] + b.solver[0]["error_bound"] + 1e-14
        assert np.abs(a.power - b.power).max() <= slack
        assert b.solver[0]["error_bound"] > 0 or gamma == 0.9


def test_auto_falls_back_to_numpy_without_numba(monkeypatch):
    mdp = load("powerplay-robot-face")
    monkeypatch.setattr(compiled, "available", lambda: False)
    assert compiled.choose_kernel("auto", mdp, 10**6, [0.99]) == "numpy"
    with pytest.raises(compiled.NumbaUnavailableError, match="pip install"):
        solve(mdp, np.zeros(mdp.n_states), 0.9, kernel="compiled")


def test_auto_compiles_large_runs_only():
    mdp = load("powerplay-robot-face")
    assert compiled.choose_kernel("auto", mdp, 10**5, [0.99]) == "compiled"
    stochastic = gridworld.parse(["...", "..."], noise=0.1)  # its value sweeps compile
    assert compiled.choose_kernel("auto", stochastic, 10**6, [0.99]) == "compiled"


def _random_stochastic_mdp(seed, n_states, most=3):
    """Each state 1-3 actions, each over 1 to `most` successors with non-dyadic probabilities."""
    import networkx as nx

    rng = np.random.default_rng(seed)
    graph = nx.MultiDiGraph()
    for s in range(n_states):
        for a in range(int(rng.integers(1, 4))):
            targets = rng.choice(n_states, size=int(rng.integers(1, most + 1)), replace=False)
            weights = rng.integers(1, 8, size=targets.size).astype(float)
            for t, w in zip(targets, weights / weights.sum()):
                graph.add_edge(s, int(t), action=f"a{a}", p=float(w))
    return from_graph(graph)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("most", [3, 12])  # rows of up to 3 or 12 successors (several passes)
def test_compiled_stochastic_sweeps_give_identical_solves(seed, gamma, most):
    mdp = _random_stochastic_mdp(seed, 12 + seed, most)
    R = np.random.default_rng(seed).random((37, mdp.n_states))
    ours = solve(mdp, R, gamma, method="policy-iteration", kernel="compiled")
    theirs = solve(mdp, R, gamma, method="policy-iteration", kernel="numpy")
    assert (ours.values == theirs.values).all() and (ours.policy == theirs.policy).all()
    assert ours.error_bound == theirs.error_bound and ours.converged
    X = R.T / (1 - gamma)
    swept = [X.copy(), X.copy()]  # one thread: two blocks of 19 and 18; two threads: one each
    for threads, values in zip((1, 2), swept):
        compiled.stochastic_sweeps(
            mdp, np.ascontiguousarray(R.T), values, gamma, 7, threads=threads
        )
    for _ in range(7):
        X = R.T + gamma * segment_max(np.asarray(mdp.transition_matrix @ X), mdp)
    assert (swept[0] == X).all() and (swept[1] == X).all()


def test_kernel_is_validated():
    with pytest.raises(InvalidParameterError, match="`kernel` must be one of"):
        solve(load("candy-wait"), np.zeros(5), 0.9, kernel="fortran")


def test_auto_decides_by_the_work_not_by_what_the_process_has_loaded():
    # the kernels' sweeps differ in the last bits: a small run must not change kernel
    # (and numbers) because an earlier run loaded the compiled one
    mdp = load("candy-wait")
    solve(mdp, np.ones((2, 5)), 0.9, kernel="compiled")
    assert compiled._settle_kernel.cache_info().currsize == 1  # loaded
    assert compiled.choose_kernel("auto", mdp, 2, [0.9]) == "numpy"
    assert compiled.choose_kernel("auto", load("powerplay-robot-face"), 10**5, [0.99]) == "compiled"


@pytest.mark.parametrize("gammas", [(0.5, 0.6), (1 - 1e-4, 1 - 1e-6)])
def test_compiled_masks_match_numpy(gammas):
    from powerseek.solvers._limits import _optimal_mask, blackwell_optimal

    mdp = load("powerplay-maze-7x7")
    rng = np.random.default_rng(6)
    noise = 2.0**-40  # with a power-of-two scale, best − tolerance is exact

    def near_ties(gamma):
        # values on a power-of-two grid, lowered by multiples of the tolerance
        # (0, 1/2, exactly 1, 2 and 100 of it) so that actions fall just inside,
        # exactly on and just outside it
        V = rng.integers(1, 4, (mdp.n_states, 60)) * 2.0**20
        V[0] = 2.0**22  # the scale max|V|, a power of two
        tolerance = max(1e-9 * 2.0**22 * (1 - gamma), noise * 2.0**22)
        return V - rng.choice([0.0, 0.5, 1.0, 2.0, 100.0], size=V.shape) * tolerance

    near, nearer = near_ties(gammas[0]), near_ties(gammas[1])
    nearer[:, :10] = near[:, :10]  # some samples agree
    for threads in (1, 3):
        mask, unresolved = compiled.blackwell_masks(
            mdp, near, nearer, gammas, 1e-9, noise, threads=threads
        )
        first = _optimal_mask(mdp, near, gammas[0], 1e-9, noise)
        second = _optimal_mask(mdp, nearer, gammas[1], 1e-9, noise)
        assert np.array_equal(mask, second)
        differ = np.logical_or.reduceat(first != second, mdp.pair_offsets[:-1], axis=0)
        assert np.array_equal(unresolved, differ)
    assert (mask.sum(axis=0) > mdp.n_states).sum() > 0  # ties were present
    assert 0 < unresolved.sum() < unresolved.size
    RT = np.ascontiguousarray(rng.random((mdp.n_states, 40)))
    a = blackwell_optimal(mdp, RT, kernel="compiled")
    b = blackwell_optimal(mdp, RT, kernel="numpy")
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_auto_falls_back_to_numpy_when_the_kernels_do_not_load(monkeypatch):
    def broken():
        raise RuntimeError("cannot cache function: no locator available")

    mdp = load("powerplay-robot-face")
    monkeypatch.setattr(compiled, "_kernel", broken)
    compiled._loadable.cache_clear()
    try:
        assert compiled.choose_kernel("auto", mdp, 10**5, [0.99]) == "numpy"
    finally:
        compiled._loadable.cache_clear()
