"""The solvers' array kernels against a loop over states and pairs."""

import networkx as nx
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from powerseek import from_graph
from powerseek.explore.strategies import mdps
from powerseek.solvers._kernels import (
    best_next,
    greedy_on_values,
    improve_on_values,
    improve_policy,
    segments_of,
)


def looped_best_next(mdp, X):
    """max over each state's pairs of Σ_s' T(s'|pair)·X(s'), one pair at a time."""
    T = mdp.transition_matrix.toarray()
    offsets = mdp.pair_offsets
    return np.array(
        [
            np.max([T[p] @ X for p in range(offsets[s], offsets[s + 1])], axis=0)
            for s in range(mdp.n_states)
        ]
    )


@given(mdps(max_states=6, max_actions=4), st.integers(0, 2**32 - 1))
def test_best_next_is_the_largest_expected_successor_value(mdp, seed):
    rng = np.random.default_rng(seed)
    # few distinct values, so that maxima tie, and non-dyadic ones
    X = rng.integers(-2, 3, size=(mdp.n_states, 5)) / 3.0
    got = best_next(mdp, X)
    expected = looped_best_next(mdp, X)
    if mdp.is_deterministic:  # a maximum of the values themselves: exact
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_best_next_on_ragged_action_counts():
    # one state with eight actions, the others one: too ragged to pad, so reduceat runs
    graph = {"hub": [f"s{i}" for i in range(8)], **{f"s{i}": ["hub"] for i in range(8)}}
    mdp = from_graph(nx.DiGraph(graph))
    assert segments_of(mdp).next_columns is None
    X = np.random.default_rng(0).random((mdp.n_states, 3))
    np.testing.assert_array_equal(best_next(mdp, X), looped_best_next(mdp, X))
    padded = from_graph(nx.DiGraph({"a": ["a", "b"], "b": ["a"]}))  # padded: b repeats its one pair
    assert segments_of(padded).next_columns is not None
    Y = np.array([[1.0, 5.0], [2.0, -1.0]])
    np.testing.assert_array_equal(best_next(padded, Y), [[2.0, 5.0], [1.0, 5.0]])


@given(
    mdps(max_states=6, max_actions=4, stochastic=False),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.1]),  # 0: exact ties decide
)
def test_greedy_and_improvement_from_state_values(mdp, seed, tie):
    rng = np.random.default_rng(seed)
    m = 6
    V = rng.integers(-2, 3, size=(mdp.n_states, m)) / 3.0  # ties, non-dyadic
    margin = np.full(m, tie)
    successors, offsets = mdp.successor_indices, mdp.pair_offsets
    # a loop: per state and sample, the first pair within the margin of the best successor
    looped = np.empty((mdp.n_states, m), dtype=np.int64)
    for s in range(mdp.n_states):
        pairs = np.arange(offsets[s], offsets[s + 1])
        for j in range(m):
            values = V[successors[pairs], j]
            looped[s, j] = pairs[np.flatnonzero(values >= values.max() - margin[j])[0]]
    np.testing.assert_array_equal(greedy_on_values(mdp, V, margin), looped)
    policy = np.repeat(offsets[1:, None] - 1, m, axis=1)  # every state's last pair
    ours = improve_on_values(mdp, V, successors[policy], policy, margin)
    theirs = improve_policy(mdp, V[successors], policy, margin)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    # a state switches only where its best beats its own pair by more than the margin
    own = V[successors[policy], np.arange(m)]
    switched = ours[1] != policy
    assert np.all(ours[0][switched] > own[switched] + tie)
    assert np.array_equal(ours[1][switched], looped[switched])
