"""Batched solvers: agreement with brute force, bounds, warnings, validation."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import brute_force_values

from powerseek import MDP, ConvergenceWarning, InvalidParameterError, from_graph, gridworld, load
from powerseek.exceptions import InvalidTypeError
from powerseek.solvers._kernels import sweep_budget
from powerseek.solvers._solve import solve
from strategies import stochastic_multigraphs, successor_graphs

GAMMAS = st.sampled_from([0.1, 0.5, 0.9, 0.99, 0.999])


def random_rewards(mdp, seed, n=3):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, mdp.n_states))


@pytest.mark.slow
@given(successor_graphs(max_states=5), GAMMAS, st.integers(0, 2**32 - 1))
def test_deterministic_methods_agree_with_brute_force(graph, gamma, seed):
    """The numpy kernels against brute force over every policy: an install without the
    compiled kernel (no `fast` extra) still tests them against an independent oracle."""
    mdp = from_graph(graph)
    R = random_rewards(mdp, seed)
    exact = brute_force_values(mdp, R, gamma)
    for method in ("policy-iteration", "value-iteration", "extrapolated-value-iteration"):
        result = solve(mdp, R, gamma, method=method, tol=1e-10, kernel="numpy")
        assert result.converged
        error = (1 - gamma) * np.abs(result.values - exact).max()
        # the certified bound holds (up to the brute force's own rounding)
        assert error <= result.error_bound + 1e-12, method
        assert error <= 1e-10 + 1e-12


@given(stochastic_multigraphs(max_states=4, max_actions=3), GAMMAS, st.integers(0, 2**32 - 1))
def test_stochastic_methods_agree_with_brute_force(graph, gamma, seed):
    mdp = from_graph(graph)
    R = random_rewards(mdp, seed)
    exact = brute_force_values(mdp, R, gamma)
    for method in ("policy-iteration", "value-iteration", "extrapolated-value-iteration"):
        result = solve(mdp, R, gamma, method=method, tol=1e-10, kernel="numpy")
        assert result.converged
        error = (1 - gamma) * np.abs(result.values - exact).max()
        assert error <= result.error_bound + 1e-12, method
        assert error <= 1e-10 + 1e-12, method


@given(stochastic_multigraphs(max_states=4), GAMMAS, st.integers(0, 2**32 - 1))
def test_bellman_residual_within_the_bound(graph, gamma, seed):
    """V returned satisfies the Bellman equation up to the certified bound:
    ‖BV − V‖ ≤ (1+γ)‖V − V*‖ ≤ (1+γ)·bound/(1−γ)."""
    mdp = from_graph(graph)
    R = random_rewards(mdp, seed)
    result = solve(mdp, R, gamma)
    T = mdp.transition_matrix.toarray()
    W = result.values @ T.T
    BV = R + gamma * np.maximum.reduceat(W, mdp.pair_offsets[:-1], axis=1)
    residual = np.abs(BV - result.values).max()
    assert residual <= (1 + gamma) * result.error_bound / (1 - gamma) + 1e-12


def test_candy_wait_by_hand():
    mdp = load("candy-wait")  # start, wait, candy, chocolate, hug
    R = [0.0, 0.0, 0.5, 1.0, 0.0]
    gamma = 0.5
    # terminal: R/(1-γ); wait: γ·2; start: max(γ·1, γ·1) = 0.5
    for method in ("policy-iteration", "value-iteration", "extrapolated-value-iteration"):
        values = solve(mdp, R, gamma, method=method).values[0]
        np.testing.assert_allclose(values, [0.5, 1.0, 1.0, 2.0, 0.0], atol=1e-8)


def test_result_records_how_it_was_made():
    mdp = load("powerplay-3x3")
    R = np.random.default_rng(0).random((5, 9))
    result = solve(mdp, R, 0.9)
    assert result.method == "policy-iteration" and result.gamma == 0.9
    assert result.tol == 1e-9 and result.converged and result.iterations >= 1
    assert 0 <= result.error_bound <= 1e-9
    assert result.policy.shape == (5, 9)
    # the policy's pairs belong to their states and are greedy
    assert np.all(mdp.pair_states[result.policy] == np.arange(9))
    assert result.summary()["method"] == "policy-iteration"
    stochastic = solve(load("powerplay-stochastic-4"), np.ones((2, 4)), 0.9)
    assert stochastic.method == "extrapolated-value-iteration" and stochastic.policy is None
    np.testing.assert_allclose(stochastic.values, 10.0, atol=1e-7)


def test_gamma_zero_is_the_reward():
    R = np.random.default_rng(1).random((3, 8))
    np.testing.assert_array_equal(solve(load("turner-fig1"), R, 0.0).values, R)


def test_warm_start_gives_the_same_values():
    mdp = load("powerplay-maze-7x7")
    R = np.random.default_rng(2).random((20, mdp.n_states))
    cold = solve(mdp, R, 0.95)
    warm = solve(mdp, R, 0.95, initial_policy=solve(mdp, R, 0.9).policy)
    np.testing.assert_allclose(warm.values, cold.values, rtol=0, atol=1e-10)
    vi = solve(mdp, R, 0.95, method="value-iteration", initial_values=cold.values)
    assert vi.iterations <= 2


def test_samples_are_solved_independently():
    """A sample's values do not depend on the other samples of the batch."""
    mdp = load("powerplay-stochastic-4")
    R = np.random.default_rng(3).random((30, 4))
    together = solve(mdp, R, 0.97).values
    alone = np.vstack([solve(mdp, R[i : i + 1], 0.97).values for i in range(30)])
    np.testing.assert_array_equal(together, alone)
    face = load("powerplay-robot-face")
    Rf = np.random.default_rng(4).random((6, face.n_states))
    np.testing.assert_array_equal(
        solve(face, Rf, 0.99).values,
        np.vstack([solve(face, Rf[i : i + 1], 0.99).values for i in range(6)]),
    )


def test_policy_iteration_limit_still_certifies_its_bound():
    mdp = load("powerplay-robot-face")
    R = np.random.default_rng(8).random((20, mdp.n_states))
    start = np.tile(mdp.pair_offsets[:-1], (20, 1))  # a poor start, so that 2 is too few
    with pytest.warns(ConvergenceWarning, match="policy-iteration stopped at its limit of 2"):
        early = solve(mdp, R, 0.99, max_iter=2, initial_policy=start)
    exact = solve(mdp, R, 0.99)
    assert not early.converged and early.error_bound > 1e-9
    assert 0.01 * np.abs(early.values - exact.values).max() <= early.error_bound


def test_iteration_limit_warns_and_says_so():
    mdp = load("powerplay-maze-7x7")
    R = np.random.default_rng(5).random((4, mdp.n_states))
    with pytest.warns(ConvergenceWarning, match="stopped at its limit of 5 iterations"):
        result = solve(mdp, R, 0.99, method="value-iteration", max_iter=5)
    assert not result.converged and result.iterations == 5 and result.error_bound > 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solve(mdp, R, 0.99)  # the default converges silently


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"gamma": 1.0}, InvalidParameterError, "must be below 1"),
        ({"gamma": -0.1}, InvalidParameterError, r"`gamma` must be in \[0, 1\]; got -0.1"),
        ({"gamma": "0.5"}, InvalidTypeError, "`gamma` must be a number"),
        ({"rewards": np.ones((2, 3))}, InvalidParameterError, r"n_states = 5; got \(2, 3\)"),
        (
            {"rewards": [[np.nan, 0, 0, 0, 0]]},
            InvalidParameterError,
            "non-finite value \\(nan\\) in sample 0 at state 'start'",
        ),
        ({"method": "magic"}, InvalidParameterError, "`method` must be one of"),
        ({"tol": 0}, InvalidParameterError, "`tol` must be a positive number"),
        ({"max_iter": 0}, InvalidParameterError, "`max_iter` must be a positive integer"),
        ({"initial_policy": [[0, 0, 0, 0, 0]]}, InvalidParameterError, "one of its own actions"),
    ],
)
def test_solve_validation(kwargs, error, message):
    arguments = {"rewards": np.zeros((1, 5)), "gamma": 0.5, **kwargs}
    with pytest.raises(error, match=message):
        solve(load("candy-wait"), arguments.pop("rewards"), arguments.pop("gamma"), **arguments)


def test_mdp_must_be_an_mdp():
    with pytest.raises(InvalidTypeError, match="must be an MDP"):
        solve("candy-wait", np.zeros(5), 0.5)


@settings(max_examples=20)
@given(st.floats(0.5, 0.999999))
def test_policy_iteration_cost_does_not_grow_like_one_over_one_minus_gamma(gamma):
    mdp = MDP({"a": ["b"], "b": ["c"], "c": ["a", "c"]})
    result = solve(mdp, [[1.0, 0.0, 0.5]], gamma)
    # value sweeps (a budget growing like log 1/(1-γ)), then at most 3 evaluations
    assert sweep_budget(mdp, gamma) <= 300
    assert result.iterations <= sweep_budget(mdp, gamma) + 3
    cycle = (1 + 0 * gamma + 0.5 * gamma**2) / (1 - gamma**3)
    stay = 1 + gamma * 0 + gamma**2 * 0.5 / (1 - gamma)
    assert (1 - gamma) * abs(result.values[0, 0] - max(cycle, stay)) <= 1e-9


# ----------------------------------------------------------------------
# chunking: solve() splits large batches itself, with identical results


@pytest.mark.parametrize(
    "name, method",
    [
        ("powerplay-robot-face", "policy-iteration"),
        ("powerplay-robot-face", "value-iteration"),
        ("powerplay-stochastic-4", "extrapolated-value-iteration"),
    ],
)
def test_chunked_solves_equal_per_sample_solves(name, method):
    """A sample's values do not depend on its batch: chunks of 1, 7 or all agree exactly."""
    mdp = load(name)
    R = np.random.default_rng(11).random((23, mdp.n_states))
    whole = solve(mdp, R, 0.95, method=method, chunk_size=23)
    for chunk_size in (1, 7, None):
        part = solve(mdp, R, 0.95, method=method, chunk_size=chunk_size)
        np.testing.assert_array_equal(part.values, whole.values)
        assert part.error_bound == whole.error_bound
        assert part.iterations == whole.iterations
        if whole.policy is not None:
            np.testing.assert_array_equal(part.policy, whole.policy)


def test_large_batches_are_split_into_cache_sized_chunks():
    """900 states: the default chunk is 2^16 // 900 = 72 samples, so 600 samples take
    nine chunks, and warm starts are split with them."""
    mdp = gridworld.parse("\n".join(["." * 30] * 30))
    R = np.random.default_rng(3).random((600, mdp.n_states))
    whole = solve(mdp, R, 0.9, chunk_size=600)
    split = solve(mdp, R, 0.9)
    np.testing.assert_array_equal(split.values, whole.values)
    warm = solve(mdp, R, 0.95, initial_policy=whole.policy)
    np.testing.assert_array_equal(
        warm.values, solve(mdp, R, 0.95, initial_policy=whole.policy, chunk_size=600).values
    )


def test_chunk_size_is_validated():
    mdp = load("candy-wait")
    for bad in (0, -3, 2.5, True):
        with pytest.raises(InvalidParameterError, match="`chunk_size` must be a positive integer"):
            solve(mdp, [0.0, 0, 1, 0, 0], 0.5, chunk_size=bad)
    assert solve(mdp, np.zeros((0, 5)), 0.5).values.shape == (0, 5)


def test_a_chunked_bound_covers_every_chunk():
    """Stopped early, samples differ in their Bellman residuals; the reported bound is
    at least every sample's residual, computed here from the values returned."""
    mdp = load("powerplay-robot-face")
    R = np.random.default_rng(5).random((40, mdp.n_states))
    start = np.tile(mdp.pair_offsets[:-1], (40, 1))  # each state's first action
    with pytest.warns(ConvergenceWarning):
        result = solve(mdp, R, 0.99, max_iter=2, chunk_size=7, initial_policy=start)
    V = result.values
    successors = mdp.successor_indices
    best = np.array([[V[k, successors[mdp.pair_offsets[i] : mdp.pair_offsets[i + 1]]].max()
                      for i in range(mdp.n_states)] for k in range(len(R))])  # fmt: skip
    residual = np.abs(R + 0.99 * best - V).max(axis=1)
    assert residual.max() > 2 * residual.min()  # the chunks really differ
    assert result.error_bound >= residual.max() * (1 - 1e-12)


@pytest.mark.parametrize(
    ("environment", "method", "kernel"),
    [
        ("powerplay-maze-7x7", "policy-iteration", "numpy"),
        ("powerplay-maze-7x7", "policy-iteration", "compiled"),
        ("powerplay-stochastic-4", "policy-iteration", "numpy"),
        ("powerplay-3x3", "extrapolated-value-iteration", "numpy"),
        ("powerplay-3x3", "value-iteration", "numpy"),
    ],
)
def test_every_back_end_returns_a_named_solution(environment, method, kernel):
    """solve() reads each back end's BackendSolution by field name: the values and
    policy it returns are those fields, transposed to sample-major."""
    from powerseek.solvers import BackendSolution, _numpy_backend, _stochastic

    if kernel == "compiled":
        pytest.importorskip("numba")
    mdp = load(environment)
    R = np.random.default_rng(0).random((5, mdp.n_states))
    RT = np.ascontiguousarray(R.T)
    if method != "policy-iteration":
        extrapolate = method == "extrapolated-value-iteration"
        raw = _numpy_backend.value_iteration(
            mdp, RT, 0.9, 1e-9, 10**6, None, extrapolate=extrapolate
        )
    elif not mdp.is_deterministic:
        raw = _stochastic.policy_iteration(mdp, RT, 0.9, 1e-9, 1000, None)
    elif kernel == "compiled":
        from powerseek.solvers import _compiled

        raw = _compiled.policy_iteration(mdp, RT, 0.9, 1e-9, 1000, None)
    else:
        raw = _numpy_backend.policy_iteration(mdp, RT, 0.9, 1e-9, 1000, None)
    assert isinstance(raw, BackendSolution)
    result = solve(mdp, R, 0.9, method=method, kernel=kernel)
    assert np.array_equal(result.values, raw.values.T)
    assert result.error_bound == raw.bound and result.iterations == raw.iterations
    assert (result.policy is None) == (raw.policy is None)
    if raw.policy is not None:
        assert np.array_equal(result.policy, raw.policy.T)


def test_a_chunk_stopped_by_the_iteration_limit_is_reported_whatever_the_others_did():
    """Chunks are merged into one result: the worst bound, the most iterations, and
    stopped-by-the-limit if any chunk was, which the warning then says."""
    mdp = load("powerplay-maze-7x7")
    R = np.zeros((2, mdp.n_states))
    R[1] = np.random.default_rng(0).random(mdp.n_states)  # sample 0 is solved at once
    first = np.array([mdp.pair_offsets[i] for i in range(mdp.n_states)])
    options = {"method": "policy-iteration", "kernel": "numpy", "max_iter": 1}
    with pytest.warns(ConvergenceWarning, match="stopped at its limit of 1 iterations"):
        merged = solve(
            mdp, R, 0.99, chunk_size=1, initial_policy=np.vstack([first, first]), **options
        )
    with pytest.warns(ConvergenceWarning):
        alone = solve(mdp, R[1:], 0.99, initial_policy=first[None], **options)
    assert not merged.converged and merged.error_bound == alone.error_bound > 1.0
    np.testing.assert_array_equal(merged.values[1], alone.values[0])
