"""Empowerment against enumeration of action sequences and closed forms of channel capacity."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek import MDP, from_graph, gridworld, load
from powerseek.exceptions import InvalidMDPError, InvalidParameterError, SearchLimitError
from powerseek.measures import empowerment
from strategies import successor_graphs


def entropy(p):
    return -sum(x * math.log2(x) for x in p if x > 0)


def sequence_ends(mdp, state, steps):
    """The states every sequence of available actions reaches, one sequence at a time."""
    paths = [[state]]
    for _ in range(steps):  # a deterministic world: the sequence fixes the state
        paths = [
            [*path, next(iter(mdp.transition(path[-1], a)))]
            for path in paths
            for a in mdp.actions_of(path[-1])
        ]
    return {path[-1] for path in paths}


@given(successor_graphs(max_states=6), st.integers(1, 4))
def test_deterministic_empowerment_counts_what_the_sequences_reach(graph, steps):
    mdp = from_graph(graph)
    result = empowerment(mdp, steps)
    assert result.method == "count" and result.bound == 0.0
    for i, state in enumerate(mdp.states):
        assert result.values[i] == pytest.approx(
            math.log2(len(sequence_ends(mdp, state, steps))), abs=1e-12
        )


def test_many_paths_to_one_state_count_once():
    # 256 ways through the middle to one end: a path count that wraps a byte to 0
    middle = {f"m{i}": ["t"] for i in range(256)}
    mdp = MDP({"s": [f"m{i}" for i in range(256)], **middle, "t": ["t"]})
    result = empowerment(mdp, 2)
    assert result.values[0] == 0.0 and np.isfinite(result.values).all()
    assert empowerment(mdp, 1).values[0] == pytest.approx(8.0)


def test_klyubins_maze():
    result = empowerment(load("klyubin-maze"), 5)
    assert result.values.min() == pytest.approx(math.log2(11), abs=1e-12)
    assert result.values.max() == pytest.approx(math.log2(46), abs=1e-12)
    assert result.states[int(np.argmin(result.values))] == (0, 0)


def test_one_step_with_distinct_targets_is_log_of_the_actions():
    grid = gridworld.parse("...\n...\n...", bump="stay")
    assert empowerment(grid, 1).values[4] == pytest.approx(math.log2(5), abs=1e-12)
    # a terminal state has one future
    assert empowerment(gridworld.parse("..G"), 3).values[2] == 0.0


@pytest.mark.parametrize("p", [0.1, 1 / 3, 0.45])
def test_a_binary_symmetric_channel(p):
    coin = MDP({
        "s": {"heads": {"h": 1 - p, "t": p}, "tails": {"h": p, "t": 1 - p}},
        "h": {"heads": "h", "tails": "h"}, "t": {"heads": "t", "tails": "t"},
    })  # fmt: skip
    result = empowerment(coin, 1, tol=1e-10)
    assert result.method == "blahut-arimoto" and result.bound <= 1e-10 / 2
    assert abs(result.values[0] - (1 - entropy([p, 1 - p]))) <= result.bound + 1e-12


def two_input_capacity(rows):
    """max over q in [0, 1] of I(q) for a two-input channel, by ternary search."""

    def mutual(q):
        out = q * rows[0] + (1 - q) * rows[1]
        return entropy(out) - q * entropy(rows[0]) - (1 - q) * entropy(rows[1])

    lo, hi = 0.0, 1.0
    for _ in range(200):
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if mutual(a) < mutual(b):
            lo = a
        else:
            hi = b
    return mutual((lo + hi) / 2)


@given(st.integers(0, 2**32 - 1))
def test_the_bounds_bracket_the_capacity(seed):
    # two actions from s into three outcomes, thirds and sevenths: not dyadic
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 7, size=(2, 3)).astype(float) + np.array([[1, 0, 0], [0, 0, 1]])
    rows /= rows.sum(axis=1, keepdims=True)
    mdp = MDP({
        "s": {"a": dict(zip("xyz", rows[0])), "b": dict(zip("xyz", rows[1]))},
        **{o: {"a": o, "b": o} for o in "xyz"},
    })  # fmt: skip
    capacity = two_input_capacity(rows)
    for tol in (1e-7, 0.05):  # a loose tolerance still brackets, by half the gap
        result = empowerment(mdp, 1, tol=tol)
        assert abs(result.values[0] - capacity) <= result.bound + 1e-9


def test_little_noise_approaches_the_deterministic_count():
    exact = empowerment(gridworld.parse(".....\n.....", bump="stay"), 2).values
    for noise in (1e-3, 1e-5):
        noisy = empowerment(gridworld.parse(".....\n.....", bump="stay", noise=noise), 2)
        assert (noisy.values <= exact + noisy.bound + 1e-12).all()
        assert np.abs(noisy.values - exact).max() <= 40 * noise + noisy.bound


def test_states_with_one_channel_share_one_solve():
    # a slippery open grid: interior cells have the same channel, so the same value
    grid = gridworld.parse("\n".join(["......."] * 7), bump="stay", noise=0.2)
    result = empowerment(grid, 2)
    interior = [i for i, (r, c) in enumerate(result.states) if 2 <= r <= 4 and 2 <= c <= 4]
    assert np.ptp(result.values[interior]) == 0.0
    corner = result.states.index((0, 0))
    assert result.values[corner] < result.values[interior[0]]


def test_results_as_tables():
    pytest.importorskip("pandas")
    result = empowerment(load("klyubin-maze"), 2)
    frame = result.to_frame()
    assert list(frame.columns[-1:]) == ["empowerment"] and len(frame) == 100
    assert result.to_dict()["states"][0] == "(0, 0)" and result.to_dict()["steps"] == 2
    assert "2-step empowerment" in result._repr_html_()


def test_bad_input():
    grid = gridworld.parse("...")
    with pytest.raises(InvalidParameterError, match="`steps` must be a positive integer"):
        empowerment(grid, 0)
    with pytest.raises(InvalidParameterError, match="`tol` must be a positive number"):
        empowerment(grid, 1, tol=0)
    slip = gridworld.parse("\n".join(["....."] * 5), bump="stay", noise=0.1)
    with pytest.raises(SearchLimitError, match=r"25 states x 5\^4 = 625 sequences"):
        empowerment(slip, 4, max_entries=10_000)
    with pytest.raises(SearchLimitError, match="did not bring the capacity bounds"):
        empowerment(slip, 2, max_iterations=3)
    # a noise model that does not sum to one is refused where the world is built
    with pytest.raises(InvalidMDPError, match="sum to 0.9"):
        MDP({"a": {"l": {"a": 0.5, "b": 0.4}}, "b": ["b"]})
    mixed = MDP({"a": {"l": {"a": 0.5, "b": 0.5}, "r": "b"}, "b": {"l": "a", "x": "b"}})
    with pytest.raises(InvalidParameterError, match="the same actions in every state"):
        empowerment(mixed, 1)
