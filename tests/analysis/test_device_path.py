"""The analyses on a torch device: solved, POWER and moments computed there, one node back.

Run on the CPU build of PyTorch (CI's torch job); the same code runs on CUDA.
The oracle is the host path (numpy and compiled kernels), which shares none of
the device's solver, POWER or moment code.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import powerseek
from powerseek import InvalidParameterError, solve
from powerseek.analysis import engine
from powerseek.explore.strategies import mdps
from powerseek.rewards import block_moments
from powerseek.solvers import (
    DeviceSolveResult,
    device_block_moments,
    device_chunk_rows,
    optimal_power,
    solve_on_device,
)

torch = pytest.importorskip("torch")
#: The CPU build everywhere; a CUDA device too where there is one.
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("on", DEVICES)
@settings(max_examples=40)
@given(mdps(max_states=7), st.sampled_from([0.3, 0.9, 0.999]), st.integers(0, 10**6))
def test_solve_on_device_and_its_power_agree_with_the_host(on, mdp, gamma, seed):
    R = np.random.default_rng(seed).random((9, mdp.n_states)) / 3  # non-dyadic
    R[0] = R[0, 0]  # a sample with every action tied
    host = solve(mdp, R, gamma, method="auto" if mdp.is_deterministic else "value-iteration")
    device = solve_on_device(mdp, R, gamma, device=on)
    scale = 1 - gamma
    np.testing.assert_allclose(scale * device.values.cpu().numpy(), scale * host.values, atol=1e-9)
    assert device.converged and device.error_bound <= device.tol
    host_power = optimal_power(mdp, host.values, gamma)
    device_power = device.power().cpu().numpy()
    if mdp.is_deterministic:
        np.testing.assert_array_equal(device.policy.cpu().numpy(), host.policy)
        # same values, same formula: the same POWER to the last bit
        np.testing.assert_array_equal(
            optimal_power(mdp, device.values.cpu().numpy(), gamma), device_power
        )
    np.testing.assert_allclose(device_power, host_power, atol=2e-9, rtol=0)


@pytest.mark.parametrize("on", DEVICES)
@pytest.mark.parametrize("gamma", [0.9, 0.99, 0.999])
def test_device_values_on_a_cycle_match_the_closed_form(gamma, on):
    """A 3-cycle, where pointer doubling's compositions never settle: V(0) = Σ γ^k R(k mod 3)."""
    import networkx as nx

    cycle = powerseek.mdp.from_graph(nx.DiGraph([(0, 1), (1, 2), (2, 0)]))
    R = np.array([[1 / 3, 0.0, 0.0], [0.1, 0.7, 0.2]])
    result = solve_on_device(cycle, R, gamma, device=on)
    exact = np.array([[sum(gamma**j * r[(s + j) % 3] for j in range(3)) for s in range(3)]
                      for r in R]) / (1 - gamma**3)  # fmt: skip
    np.testing.assert_allclose(result.values.cpu().numpy(), exact, rtol=1e-13, atol=0)


def test_device_results_stay_there_and_chain_over_gammas():
    maze = powerseek.load("powerplay-maze-7x7")
    R = np.random.default_rng(2).random((30, maze.n_states))
    first = solve_on_device(maze, R, 0.5)
    assert isinstance(first, DeviceSolveResult) and torch.is_tensor(first.values)
    # another γ from the first's rewards and policy: no new upload, a warm start
    second = solve_on_device(maze, first.rewards, 0.99, initial_policy=first.policy)
    assert second.rewards.data_ptr() == first.rewards.data_ptr()
    cold = solve(maze, R, 0.99)
    np.testing.assert_array_equal(second.to_numpy().policy, cold.policy)
    np.testing.assert_allclose(second.to_numpy().values, cold.values, rtol=0, atol=1e-9 / 0.01)
    assert second.to_numpy().diagnostics == second.diagnostics


def test_solve_on_device_rejects_bad_input_in_one_line():
    maze = powerseek.load("powerplay-maze-7x7")
    bad = torch.zeros((3, maze.n_states), dtype=torch.float64)
    bad[1, 4] = float("nan")
    with pytest.raises(
        InvalidParameterError, match=re.escape(f"(nan) in sample 1 at state {maze.states[4]!r};")
    ):
        solve_on_device(maze, bad, 0.9)
    with pytest.raises(InvalidParameterError, match=r"shape \(n_samples, n_states\)"):
        solve_on_device(maze, torch.zeros((3, 5)), 0.9)
    shape = r"`initial_policy` must have shape \(3, 31\); got \(2, 3\)"
    with pytest.raises(InvalidParameterError, match=shape):
        solve_on_device(maze, np.zeros((3, maze.n_states)), 0.9, initial_policy=np.zeros((2, 3)))
    with pytest.raises(InvalidParameterError, match=shape):
        solve_on_device(maze, np.zeros((3, maze.n_states)), 0.9,
                        initial_policy=torch.zeros((2, 3), dtype=torch.int64))  # fmt: skip
    with pytest.raises(InvalidParameterError, match="one of its own actions"):
        solve_on_device(maze, np.zeros((3, maze.n_states)), 0.9,
                        initial_policy=np.zeros((3, maze.n_states)))  # fmt: skip
    with pytest.raises(InvalidParameterError, match="needs a deterministic MDP"):
        solve_on_device(powerseek.load("powerplay-stochastic-4"), np.zeros((1, 4)), 0.9,
                        method="policy-iteration")  # fmt: skip
    with pytest.raises(InvalidParameterError, match="POWER at gamma=0"):
        solve_on_device(maze, np.zeros((1, maze.n_states)), 0.0).power()


@pytest.mark.parametrize("n", [1, 2, 7, 300])
def test_device_moments_agree_with_the_host(n):
    rng = np.random.default_rng(n)
    values = rng.random((n, 4, 3)) / 7
    values[:, 0, 0] = 0.1  # a constant column: its value exactly, no spread
    count, mean, m2 = device_block_moments(torch.from_numpy(values))
    host = block_moments(values)
    assert count == host[0] == n
    np.testing.assert_allclose(mean, host[1], rtol=1e-14, atol=0)
    np.testing.assert_allclose(m2, host[2], rtol=1e-10, atol=1e-17)
    assert mean[0, 0] == 0.1 and m2[0, 0] == 0.0
    flags = values > 0.05
    count, mean, m2 = device_block_moments(torch.from_numpy(flags))
    host = block_moments(flags)
    np.testing.assert_array_equal(mean, host[1])
    np.testing.assert_array_equal(m2, host[2])


def test_chunks_are_sized_to_the_device_memory():
    grid = powerseek.gridworld.parse("\n".join(["." * 20] * 20))
    per_sample = 8 * (16 * grid.n_states + 2 * grid.n_pairs)
    assert device_chunk_rows(grid, "cpu", memory=100 * per_sample) == 100
    assert device_chunk_rows(grid, "cpu", memory=per_sample - 1) == 1
    run = engine.prepare(
        grid, 0.9, dist=None, n_samples=5000, rng=0, progress=False,
        options=engine.EngineOptions.gather(settings={"device": "cpu", "memory": 400 * per_sample}),
    )  # fmt: skip
    assert run.chunk_rows == 400
    # units are aligned runs of the tree, as large as fit
    level = engine._device_level(run.plan, run.chunk_rows)
    sizes = [sum(b.size for b in unit) for unit in run.plan.runs(level)]
    assert max(sizes) <= 400
    assert max(sum(b.size for b in unit) for unit in run.plan.runs(level + 1)) > 400


@pytest.mark.parametrize("on", DEVICES)
def test_power_on_the_device_sends_back_no_values(monkeypatch, on):
    """POWER and its differences finish on the device; optimality comes back to the host."""
    maze = powerseek.load("powerplay-maze-7x7")
    options = {"n_samples": 1500, "rng": 4}
    expected = powerseek.power_sweep(maze, [0, 0.5, 0.99, 1], **options)
    compared = powerseek.compare_power(maze, 0.9, maze.states[:4], **options)

    def transfer(self):
        raise AssertionError("values brought back to the host")

    monkeypatch.setattr(DeviceSolveResult, "to_numpy", transfer)
    nodes = []
    original = engine.device_block_moments
    monkeypatch.setattr(engine, "device_block_moments", lambda v: nodes.append(1) or original(v))
    got = powerseek.power_sweep(maze, [0, 0.5, 0.99, 1], device=on, **options)
    np.testing.assert_allclose(got.power, expected.power, atol=1e-9, rtol=0)
    np.testing.assert_allclose(got.stderr, expected.stderr, atol=1e-9, rtol=0)
    assert len(nodes) == 2  # one node per device unit (all 1,500 samples fit) and γ in (0, 1)
    on_device = powerseek.compare_power(maze, 0.9, maze.states[:4], device=on, **options)
    for field in ("estimate", "difference_estimate"):
        a, b = getattr(compared, field), getattr(on_device, field)
        np.testing.assert_allclose(a.mean, b.mean, atol=1e-12, rtol=0)
        np.testing.assert_allclose(a.stderr, b.stderr, atol=1e-12, rtol=0)
    with pytest.raises(AssertionError, match="brought back"):
        powerseek.optimality(maze, 0.9, device=on, **options)


@pytest.mark.parametrize("memory_samples", [1, 1400, 10**6])
def test_the_same_samples_whatever_the_device_chunks(memory_samples):
    """Units of one block, of four, or all: the host's samples, its estimates within rounding."""
    grid = powerseek.gridworld.parse("\n".join([".........#"] * 10))  # 655-sample blocks
    per_sample = 8 * (16 * grid.n_states + 2 * grid.n_pairs)
    options = {"n_samples": 3000, "rng": 11, "dist": powerseek.IID.uniform(0.1, 0.7)}
    host = powerseek.power(grid, 0.95, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        device = powerseek.power(grid, 0.95, device="cpu", memory=memory_samples * per_sample,
                                 **options)  # fmt: skip
    np.testing.assert_allclose(device.power, host.power, atol=1e-12, rtol=0)
    np.testing.assert_allclose(device.stderr, host.stderr, atol=1e-12, rtol=0)


def test_the_tolerance_floor_is_the_host_solvers():
    maze = powerseek.load("powerplay-maze-7x7")
    R = np.random.default_rng(0).random((4, maze.n_states))
    for gamma in (0.9, 1 - 1e-7):
        host = solve(maze, R, gamma, tol=1e-14)
        device = solve_on_device(maze, R, gamma, tol=1e-14)
        assert device.tol == host.tol and device.converged


@pytest.mark.parametrize("on", DEVICES)
def test_a_stochastic_world_and_float32_on_the_device(on):
    world = powerseek.load("powerplay-stochastic-4")
    options = {"n_samples": 2000, "rng": 5}
    host = powerseek.power(world, 0.9, **options)
    device = powerseek.power(world, 0.9, device=on, **options)
    np.testing.assert_allclose(device.power, host.power, atol=1e-9, rtol=0)
    single = powerseek.power(world, 0.9, device=on, precision="float32", **options)
    # float32 value iteration: within twice its noise floor, 64 eps / (1 − γ) on the
    # (1 − γ)V scale, and so within a tenth of the Monte Carlo error here
    floor = 2 * 64 * np.finfo(np.float32).eps / (1 - 0.9)
    np.testing.assert_allclose(single.power, host.power, atol=floor, rtol=0)
    assert np.all(10 * floor < host.stderr)


def test_a_cuda_device_too_small_for_one_sample_is_refused(monkeypatch):
    """Refused before any allocation, in one line naming the device and the sizes."""
    grid = powerseek.gridworld.parse("\n".join(["." * 20] * 20))
    monkeypatch.setattr(
        "powerseek.solvers._torch_backend.check_device", lambda d, p: torch.device("cuda")
    )
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (10_000, 10**9))
    with pytest.raises(
        InvalidParameterError, match=r"`device` 'cuda': one sample of this 400-state"
    ):
        device_chunk_rows(grid, "cuda")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (10**9, 10**9))
    per_sample = 8 * (16 * grid.n_states + 2 * grid.n_pairs)
    assert device_chunk_rows(grid, "cuda") == (10**9 // 2) // per_sample


@pytest.mark.parametrize("gamma", [0.5, 0.9])
def test_settled_sweeps_are_certified_as_on_the_host(gamma):
    """Where every sample's sweeps settle, the device stops where the host does, with its values."""
    grid = powerseek.gridworld.parse("\n".join(["......"] * 6))  # every cell can stay
    R = np.random.default_rng(7).random((50, grid.n_states)) / 3
    host = solve(grid, R, gamma, kernel="numpy")
    device = solve_on_device(grid, R, gamma)
    assert device.iterations == host.iterations  # sweeps alone, as many as the host's
    np.testing.assert_allclose(device.values.cpu().numpy(), host.values, rtol=1e-14, atol=0)
    # every cell can stay: the sweeps reach V* itself, and certify it with a zero bound
    assert device.error_bound == host.error_bound == 0.0
    np.testing.assert_array_equal(device.policy.cpu().numpy(), host.policy)


def test_near_ties_go_to_the_first_action_as_on_the_host():
    """Two actions an ulp apart: both sides keep the first, within the noise floor."""
    import networkx as nx

    world = powerseek.mdp.from_graph(nx.DiGraph([(0, 1), (0, 2), (1, 1), (2, 2)]))
    first, second = world.successor_indices[world.pair_offsets[0] : world.pair_offsets[0] + 2]
    R = np.zeros((1, 3))
    R[0, first], R[0, second] = 0.3, 0.1 + 0.2  # 0.3 < 0.30000000000000004
    for gamma in (0.5, 0.99):
        host = solve(world, R, gamma)
        device = solve_on_device(world, R, gamma)
        assert host.policy[0, 0] == world.pair_offsets[0]  # the first action, not the larger
        np.testing.assert_array_equal(device.policy.cpu().numpy(), host.policy)
