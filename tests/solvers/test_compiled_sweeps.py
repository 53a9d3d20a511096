"""The compiled Gauss–Seidel sweeps' stopping rule, POWER from values and block moments.

The sweeps' certificate (1−γ)‖V − V*‖ ≤ γ·change is checked against brute-force
optimal values with a coarse stopping floor, where the bound is far from the
floating-point noise; POWER and the moments against the numpy operations they
replace, bit for bit.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import brute_force_values

from powerseek import MDP, from_graph, load
from powerseek.rewards import block_moments
from powerseek.solvers import _compiled as compiled
from powerseek.solvers import compiled_block_moments, expected_next, optimal_power, segment_max
from strategies import successor_graphs

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba (the fast extra)")


def settle(mdp, R, gamma, floor, sweeps=10_000):
    """The compiled sweeps alone, with a given stopping floor per sample."""
    from powerseek.solvers._numba_kernels import settle_samples

    m, n = R.shape
    pairs, padded = compiled._padded_successors(mdp)
    VS = np.empty((m, n))
    PS = np.empty((m, n), dtype=np.int64)
    out = np.zeros((m, 3))
    settled = np.zeros(m, dtype=bool)
    RS = np.ascontiguousarray(R, dtype=float)
    floors = np.full(m, float(floor))
    settle_samples(RS, padded, pairs, gamma, floors, sweeps, 0, m, VS, PS, out, settled)
    return VS, PS, out, settled


@given(successor_graphs(max_states=7), st.sampled_from([0.5, 0.8, 0.95]), st.integers(0, 2**16))
def test_the_sweeps_certificate_holds_against_exact_values(graph, gamma, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).uniform(-1, 1, size=(9, mdp.n_states))
    exact = brute_force_values(mdp, R, gamma)
    for floor in (1e-1, 1e-3):
        VS, _, out, settled = settle(mdp, R, gamma, floor)
        assert settled.all()
        error = (1 - gamma) * np.abs(VS - exact).max(axis=1)
        assert (error <= out[:, 0] + 1e-13).all()  # (1−γ)‖V − V*‖ ≤ γ·change
        assert (out[:, 0] <= gamma * floor).all()


def test_the_certificate_is_close_to_the_error_somewhere():
    # on a ring without self-loops the sweeps converge geometrically: with a coarse
    # floor the error is a fair share of its bound, so a bound too small by a
    # factor would be caught
    ring = MDP({i: [(i + 1) % 12, (i + 5) % 12] for i in range(12)})
    R = np.random.default_rng(3).uniform(-1, 1, size=(40, 12))
    exact = brute_force_values(ring, R, 0.9)
    VS, _, out, _ = settle(ring, R, 0.9, 1e-2)
    ratio = (0.1 * np.abs(VS - exact).max(axis=1)) / out[:, 0]
    assert ratio.max() <= 1.0 and ratio.max() > 0.1


def test_sweeps_alternate_direction_and_go_further_than_jacobi():
    # a chain 0 → 1 → ... → 29 with the reward at the end: values travel one state
    # per Jacobi sweep, and along the whole chain in one backward half
    chain = MDP({i: [min(i + 1, 29)] for i in range(30)})
    R = np.zeros((1, 30))
    R[0, -1] = 1.0
    exact = brute_force_values(chain, R, 0.9)
    VS, _, out, settled = settle(chain, R, 0.9, 1e-12)
    assert settled.all() and out[0, 1] <= 4  # a Jacobi sweep would need 30
    assert np.abs(VS - exact).max() <= 1e-9


@given(successor_graphs(max_states=9), st.sampled_from([0.3, 0.9, 0.999]), st.integers(0, 2**16))
def test_power_from_values_is_the_numpy_route_bit_for_bit(graph, gamma, seed):
    mdp = from_graph(graph)
    rng = np.random.default_rng(seed)
    V = rng.uniform(-5, 5, size=(11, mdp.n_states)) / 3.0  # non-dyadic
    V[:, ::2] = np.round(V[:, ::2], 1)  # ties between successors
    numpy_route = segment_max(expected_next(mdp, (1.0 - gamma) * V.T), mdp).T
    for threads in (1, 2):
        ours = optimal_power(mdp, V, gamma, kernel="compiled", threads=threads)
        assert np.array_equal(ours, numpy_route)
    assert np.array_equal(optimal_power(mdp, V, gamma), numpy_route)


def test_power_from_values_of_a_stochastic_world_takes_the_numpy_route():
    mdp = load("aima-4x3")
    V = np.random.default_rng(0).random((5, mdp.n_states))
    expected = segment_max(expected_next(mdp, 0.1 * V.T), mdp).T
    assert np.allclose(optimal_power(mdp, V, 0.9, kernel="compiled"), expected, atol=1e-15)


@pytest.mark.parametrize("order", ["C", "F"])
def test_compiled_moments_equal_numpy_moments(order):
    rng = np.random.default_rng(1)
    values = rng.standard_normal((61, 4, 3)) * 10.0 ** rng.integers(-6, 6, (61, 4, 3)) / 7.0
    values = np.asarray(values, order=order)
    sizes = [6, 6, 1, 17, 31]
    ours = compiled_block_moments(values, sizes)
    start = 0
    for size, (n, mean, m2) in zip(sizes, ours):
        theirs = block_moments(values[start : start + size])
        assert n == theirs[0] == size
        assert np.array_equal(mean, theirs[1]) and np.array_equal(m2, theirs[2])
        start += size


def test_equal_values_have_their_mean_exactly_and_no_spread():
    values = np.full((10, 3), 0.1)  # 0.1 summed ten times is not 1.0
    for n, mean, m2 in [block_moments(values), *compiled_block_moments(values, [7, 3])]:
        assert n in (10, 7, 3)
        assert (mean == 0.1).all() and (m2 == 0.0).all()


def test_the_greedy_policy_takes_the_first_pair_within_the_margin_inclusive():
    # state 0 reaches 2 (value 1.5) or 1 (value 2); with margin 0.5 both are
    # within it, the first one exactly at its edge: as the numpy kernel's greedy_policy chooses
    mdp = MDP({0: [2, 1], 1: [1], 2: [2]})
    R = np.array([[0.0, 1.0, 0.75]])
    VS, PS, _, settled = settle(mdp, R, 0.5, 0.5)
    assert settled.all() and VS[0].tolist() == [1.0, 2.0, 1.5]
    assert PS[0, 0] == mdp.pair_offsets[0]  # the pair to state 2
    _, PS, _, _ = settle(mdp, R, 0.5, 0.49)
    assert PS[0, 0] == mdp.pair_offsets[0] + 1


def test_a_stopped_sample_keeps_its_values_while_its_block_sweeps_on():
    # with a coarse floor a stopped sample is far from converged, so further sweeps
    # would change it; rewards 1 + ε·u stop sooner for smaller ε, so most samples
    # wait in their block for others
    ring = MDP({i: [(i + 1) % 12, (i + 5) % 12] for i in range(12)})
    rng = np.random.default_rng(6)
    spread = 10.0 ** -rng.integers(0, 4, size=(45, 1))
    R = 1.0 + spread * rng.uniform(-1, 1, size=(45, 12))
    VS, PS, out, _ = settle(ring, R, 0.9, 1e-4)
    assert len(set(out[:, 1])) > 3  # stopped after different numbers of sweeps
    for j in range(len(R)):
        alone = settle(ring, R[j : j + 1], 0.9, 1e-4)
        assert np.array_equal(alone[0][0], VS[j]) and np.array_equal(alone[1][0], PS[j])
        assert np.array_equal(alone[2][0], out[j])
