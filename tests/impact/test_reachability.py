"""Reachability, relative reachability and AUP_conv against graph and brute-force oracles."""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_penalties import random_world

from powerseek import MDP, load, solve
from powerseek.exceptions import InvalidParameterError
from powerseek.impact import (
    attainable_utility,
    aup_conv_penalty,
    aup_penalty,
    episode_ends,
    reachability,
    unreachability_penalty,
)


def graph_reachability(mdp, gamma):
    """γ^d by breadth-first search, d the fewest steps; an episode's end leads nowhere."""
    ends = episode_ends(mdp)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(mdp.n_states))
    T = mdp.transition_matrix.tocoo()
    for p, t in zip(T.row, T.col, strict=True):
        s = int(mdp.pair_states[p])
        if not ends[s]:
            graph.add_edge(s, int(t))
    out = np.zeros((mdp.n_states, mdp.n_states))
    for x, lengths in nx.all_pairs_shortest_path_length(graph):
        for y, d in lengths.items():
            out[x, y] = 1.0 if gamma is None else gamma**d
    return out


def policy_reachability(mdp, gamma, y):
    """max over deterministic policies of E[γ^N] to reach y, by exact linear solves."""
    ends = episode_ends(mdp)
    T = mdp.transition_matrix.toarray()
    best = np.zeros(mdp.n_states)
    for choice in itertools.product(*(range(len(a)) for a in mdp.actions)):
        P = T[mdp.pair_offsets[:-1] + np.array(choice)]
        free = np.array([s != y and not ends[s] for s in range(mdp.n_states)])
        A = np.eye(free.sum()) - gamma * P[np.ix_(free, free)]
        values = np.zeros(mdp.n_states)
        values[free] = np.linalg.solve(A, gamma * P[free, y])
        values[y] = 1.0
        best = np.maximum(best, values)
    return best


@given(st.integers(0, 2**32 - 1), st.sampled_from([None, 0.5, 0.9]))
def test_deterministic_reachability_is_gamma_to_the_distance(seed, gamma):
    mdp = random_world(seed, stochastic=False)
    reach = reachability(mdp, gamma)
    expected = graph_reachability(mdp, gamma)
    assert np.allclose(reach.values.T, expected, atol=1e-15)
    # Q_y(s, a): the reachability of y from the state the action arrives in
    ends = episode_ends(mdp)
    arrived = expected[mdp.successor_indices].T
    arrived[:, ends[mdp.pair_states]] = 0.0
    assert np.allclose(reach.after, arrived, atol=1e-15)
    assert reach.error_bound == 0.0


@given(st.integers(0, 2**32 - 1))
def test_stochastic_reachability_is_the_best_policys(seed):
    mdp = random_world(seed, stochastic=True)
    reach = reachability(mdp, 0.9, tol=1e-14)
    for y in range(mdp.n_states):
        exact = policy_reachability(mdp, 0.9, y)
        assert np.abs(reach.values[y] - exact).max() <= 1e-12


@given(st.integers(0, 2**32 - 1), st.sampled_from([None, 0.9]))
def test_relative_reachability_against_the_stepwise_baseline(seed, gamma):
    # Krakovna et al.: d(s'; b) = mean_y max(0, R(b; y) − R(s'; y)), b the no-op's successor
    mdp = random_world(seed, stochastic=False)
    R = graph_reachability(mdp, gamma)
    ends = episode_ends(mdp)
    ours = aup_penalty(reachability(mdp, gamma), mdp, deviation="decrease", scaling="none")
    succ = mdp.successor_indices
    for p in range(mdp.n_pairs):
        s = mdp.pair_states[p]
        if ends[s]:
            assert ours[p] == 0.0
            continue
        b = succ[mdp.pair_offsets[s] + mdp.actions[s].index("stay")]
        reached = np.where(ends[succ[p]], np.eye(mdp.n_states)[succ[p]], R[succ[p]])
        baseline = np.where(ends[b], np.eye(mdp.n_states)[b], R[b])
        assert ours[p] == pytest.approx(np.mean(np.maximum(0.0, baseline - reached)), abs=1e-15)


@given(st.integers(0, 2**32 - 1), st.sampled_from([None, 0.9]), st.booleans())
def test_unreachability_of_the_stepwise_baseline(seed, gamma, stochastic):
    # d_UR = 1 − E R(s'; b): by exact reachability (deterministic: breadth-first search;
    # stochastic: the best policy's, discounted so that every policy's solve is regular)
    mdp = random_world(seed, stochastic=stochastic)
    ends = episode_ends(mdp)
    if stochastic:
        gamma = 0.9
        R = np.array([policy_reachability(mdp, gamma, y) for y in range(mdp.n_states)]).T
    else:
        R = graph_reachability(mdp, gamma)
    R[ends] = np.eye(mdp.n_states)[ends]  # an end reaches only itself
    T = mdp.transition_matrix.toarray()
    ours = unreachability_penalty(reachability(mdp, gamma, tol=1e-14), mdp)
    for p in range(mdp.n_pairs):
        s = mdp.pair_states[p]
        noop = mdp.pair_offsets[s] + mdp.actions[s].index("stay") if not ends[s] else p
        expected = 0.0 if ends[s] else 1.0 - T[p] @ R @ T[noop]
        assert ours[p] == pytest.approx(expected, abs=1e-9)


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.5, 0.9]))
def test_aup_conv_is_equation_5(seed, gamma):
    # no episode ends here, so V* and Q* come straight from the solver
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    mdp = MDP(
        {
            s: {"stay": s, **{f"a{k}": int(t) for k, t in enumerate(rng.choice(n, 2))}}
            for s in range(n)
        }
    )
    r = rng.random(n)
    V = solve(mdp, r, gamma, tol=1e-13).values[0]
    after = np.array([V[t] for t in mdp.successor_indices])
    ours = aup_conv_penalty(attainable_utility(mdp, gamma, [r], tol=1e-13), mdp)
    for p in range(mdp.n_pairs):
        s = mdp.pair_states[p]
        noop = mdp.pair_offsets[s] + mdp.actions[s].index("stay")
        gap = V[s] - (r[s] + gamma * after[noop])  # V*(s) − Q*(s, ∅)
        expected = max(after[p] - after[noop], 0.0) / gap if gap > 1e-12 else 0.0
        assert ours[p] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_aup_conv_in_correction():
    # the off-switch level: every step towards the goal raises the agent's own
    # attainable utility, and each such step costs λ/γ
    mdp = load("aup-survival")
    au = attainable_utility(mdp, 0.996, [mdp.metadata["level"].task_reward(mdp)])
    penalty = aup_conv_penalty(au, mdp)
    assert set(np.round(penalty, 12)) == {0.0, round(1 / 0.996, 12)}


def test_bad_input():
    mdp = load("aup-box")
    with pytest.raises(InvalidParameterError, match=r"`gamma` must be in \(0, 1\] or None"):
        reachability(mdp, 0.0)
    with pytest.raises(InvalidParameterError, match="over `max_states` = 10"):
        reachability(mdp, max_states=10)
    with pytest.raises(
        InvalidParameterError,
        match="must hold one reward, the agent's own, for AUP_conv; it holds 2",
    ):
        aup_conv_penalty(attainable_utility(mdp, 0.9, n_aux=2, rng=0), mdp)
