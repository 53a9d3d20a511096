"""The PyTorch backend agrees with numpy; float32 stays within its documented error."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import powerseek
from powerseek import ConvergenceWarning, InvalidParameterError, solve
from powerseek.cli import main
from powerseek.explore.strategies import mdps
from powerseek.solvers._torch_backend import TorchUnavailableError, check_device

torch = pytest.importorskip("torch")
CUDA = torch.cuda.is_available()


@given(mdps(max_states=6), st.sampled_from([0.1, 0.5, 0.9, 0.99]), st.integers(0, 10**6))
def test_torch_float64_agrees_with_numpy(mdp, gamma, seed):
    R = np.random.default_rng(seed).random((40, mdp.n_states))
    # on a torch device a stochastic MDP is solved by extrapolated value iteration
    method = "auto" if mdp.is_deterministic else "extrapolated-value-iteration"
    reference = solve(mdp, R, gamma, method=method)
    result = solve(mdp, R, gamma, device="cpu")
    np.testing.assert_allclose((1 - gamma) * result.values, (1 - gamma) * reference.values,
                               atol=1e-9, rtol=0)  # fmt: skip
    assert result.converged and result.error_bound <= result.tol
    assert result.method == reference.method
    if reference.policy is not None:
        np.testing.assert_array_equal(result.policy, reference.policy)


@pytest.mark.parametrize("name", ["powerplay-maze-7x7", "powerplay-stochastic-4"])
@pytest.mark.parametrize("gamma", [0.5, 0.99])
def test_float32_error_is_within_its_bound(name, gamma):
    mdp = powerseek.load(name)
    R = np.random.default_rng(1).random((500, mdp.n_states))
    exact = solve(mdp, R, gamma)
    single = solve(mdp, R, gamma, device="cpu", precision="float32")
    error = np.abs((1 - gamma) * (single.values - exact.values)).max()
    assert single.converged
    assert error <= single.error_bound + 1e-12  # the bound is a real bound
    if mdp.is_deterministic:  # final evaluation in float64
        assert error < 2e-5
    else:  # float32 throughout: within twice the float32 noise floor, 64 eps / (1 - γ)
        assert error <= 2 * 64 * np.finfo(np.float32).eps / (1 - gamma)


def test_analyses_agree_on_every_device():
    maze = powerseek.load("powerplay-maze-7x7")
    options = {"n_samples": 2000, "rng": 3}
    a = powerseek.power_sweep(maze, [0, 0.5, 0.99, 1], **options)
    b = powerseek.power_sweep(maze, [0, 0.5, 0.99, 1], device="cpu", **options)
    np.testing.assert_allclose(a.power, b.power, atol=1e-9, rtol=0)
    np.testing.assert_allclose(a.stderr, b.stderr, atol=1e-9, rtol=0)
    p = powerseek.optimality(maze, 0.9, **options)
    q = powerseek.optimality(maze, 0.9, device="cpu", **options)
    np.testing.assert_array_equal(p.probability, q.probability)


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_cuda_agrees_with_numpy():
    maze = powerseek.load("powerplay-robot-face")
    R = np.random.default_rng(0).random((1000, maze.n_states))
    for gamma in (0.5, 0.99):
        a = solve(maze, R, gamma)
        b = solve(maze, R, gamma, device="cuda")
        np.testing.assert_allclose((1 - gamma) * a.values, (1 - gamma) * b.values, atol=1e-9)


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_policy_iteration_stopped_at_its_limit_returns_its_last_policy_values(precision):
    # Stopped mid-search, the values must be those of the policy returned (and the
    # bound their residual), not those of the policy before the last improvement.
    mdp = powerseek.load("powerplay-robot-face")
    gamma, m = 0.99, 5
    R = np.random.default_rng(8).random((m, mdp.n_states))
    start = np.tile(mdp.pair_offsets[:-1], (m, 1))  # a poor start, so that 2 rounds are too few
    with pytest.warns(ConvergenceWarning, match="policy-iteration on cpu ended with error bound"):
        early = solve(mdp, R, gamma, max_iter=2, initial_policy=start, device="cpu",
                      precision=precision)  # fmt: skip
    exact = solve(mdp, R, gamma)
    assert not early.converged
    successors = mdp.successor_indices[early.policy]  # (m, n_states)
    rows = np.arange(mdp.n_states)
    for i in range(m):  # V_π = (I − γP_π)⁻¹R, solved densely
        P = np.zeros((mdp.n_states, mdp.n_states))
        P[rows, successors[i]] = 1.0
        own = np.linalg.solve(np.eye(mdp.n_states) - gamma * P, R[i])
        np.testing.assert_allclose(early.values[i], own, rtol=0, atol=1e-10)
    error = (1 - gamma) * np.abs(early.values - exact.values).max()
    assert 1e-9 < error <= early.error_bound + 1e-12


def test_device_errors():
    assert check_device(None) is None
    with pytest.raises(InvalidParameterError, match="'cpu', 'cuda' or 'cuda:N'"):
        check_device("tpu")
    with pytest.raises(InvalidParameterError, match="precision='float32' is for the torch"):
        check_device(None, "float32")
    with pytest.raises(InvalidParameterError, match="`precision` must be one of"):
        check_device("cpu", "float16")
    if not CUDA:
        with pytest.raises(TorchUnavailableError, match="sees no CUDA GPU"):
            powerseek.power(powerseek.load("candy-wait"), 0.5, n_samples=10, device="cuda")


def test_cli_device(capsys):
    argv = ["power", "candy-wait", "--gamma", "0.5", "--seed", "2", "--samples", "500"]
    argv += ["--quiet", "--format", "json"]
    assert main(argv) == 0
    default = capsys.readouterr().out
    assert main(argv + ["--device", "cpu"]) == 0
    import json

    a, b = json.loads(default), json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(a["power"], b["power"], atol=1e-9)


def test_policy_iteration_on_a_torch_device_needs_a_deterministic_mdp():
    with pytest.raises(InvalidParameterError, match="needs a deterministic MDP"):
        solve(
            powerseek.load("powerplay-stochastic-4"),
            np.zeros(4),
            0.5,
            method="policy-iteration",
            device="cpu",
        )
