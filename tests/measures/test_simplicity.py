"""The finite simplicity prior: a hand count, an independent oracle, and the bound's parts."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import brute_force_optimal_actions

from powerseek import MDP, from_graph, load
from powerseek.exceptions import InvalidParameterError, SearchLimitError
from powerseek.measures import description_bits, simplicity_prior
from powerseek.symmetry import Permutation
from strategies import examples, successor_graphs

FORK = MDP({"s0": {"a": "s1", "b": "s2"}, "s1": {"stay": "s1"}, "s2": {"stay": "s2"}})


def test_a_three_state_fork_by_hand():
    # rewards: none (1 + 0 bits), or one state's indicator (2 + 2 bits): weights 1/2, 1/16 x 3
    prior = simplicity_prior(FORK, "s0", "a", "b", "1/2", max_terms=1, weights=(1,))
    assert prior.n_rewards == 4
    # only 1_{s1} makes a strictly optimal; none, 1_{s0} (ties) and 1_{s2} leave b optimal
    assert prior.p_action_strict == Fraction(1, 11)
    assert prior.p_other_optimal == Fraction(10, 11)
    assert prior.p_other_strict == Fraction(1, 11)
    assert prior.ratio == Fraction(1, 10)
    # φ = (s1 s2): the count in 1 bit, two states in 2 bits each
    assert prior.symmetry.cycles() == [("s1", "s2")] and prior.symmetry_bits == 5
    assert prior.bound == Fraction(1, 32) and prior.holds


def oracle(mdp, state, action, other, gamma, max_terms, weights):
    """The same sums with the length written out and each reward solved by brute force."""
    n = mdp.n_states
    b_s = max(1, math.ceil(math.log2(n))) if n > 1 else 1
    b_w = math.ceil(math.log2(len(weights))) if len(weights) > 1 else 0
    s = mdp.index(state)
    lo = mdp.pair_offsets[s]
    acts = list(mdp.actions_of(state))
    succ = mdp.successor_indices
    same = [k for k in range(len(acts)) if succ[lo + k] == succ[lo + acts.index(action)]]
    totals = np.zeros(3)
    total = 0.0
    for j in range(max_terms + 1):
        weight = 2.0 ** -((j + 1) + j * (b_s + b_w))
        for cells in itertools.combinations(range(n), j):
            for signs in itertools.product(weights, repeat=j):
                reward = np.zeros(n)
                reward[list(cells)] = signs
                best = brute_force_optimal_actions(mdp, reward[None, :], gamma)[0]
                chosen = np.flatnonzero(best[lo : lo + len(acts)])
                total += weight
                totals += weight * np.array(
                    [set(chosen) <= set(same), acts.index(other) in chosen, 0]
                )
    return totals[:2] / total


@settings(max_examples=examples(15))
@given(successor_graphs(max_states=5, named_actions=False), st.sampled_from([0.5, 0.9]))
def test_against_brute_force_solves(graph, gamma):
    mdp = from_graph(graph)
    state = mdp.states[0]
    actions = mdp.actions_of(state)
    if len(actions) < 2:
        return
    prior = simplicity_prior(
        mdp, state, actions[0], actions[1], gamma, max_terms=2, weights=(-1, 2), symmetry=None
    )
    expected = oracle(mdp, state, actions[0], actions[1], gamma, 2, (-1, 2))
    assert float(prior.p_action_strict) == pytest.approx(expected[0], abs=1e-12)
    assert float(prior.p_other_optimal) == pytest.approx(expected[1], abs=1e-12)
    assert prior.symmetry is None and prior.holds is None


def test_figure_1_and_the_length_of_its_symmetry():
    prior = simplicity_prior(load("turner-fig1"), "start", "right", "left", "9/10")
    assert prior.symmetry_bits == description_bits(8, 3) == 3 + 3 * 2 * 3
    assert prior.p_action_strict == Fraction(129, 1648)
    assert prior.p_other_strict == Fraction(125, 1648)  # right wins, narrowly
    assert prior.holds
    fig1 = load("turner-fig1")
    phi = Permutation(
        fig1, [("left", "right"), ("left_up", "right_up"), ("left_down", "right_down")]
    )
    again = simplicity_prior(fig1, "start", "right", "left", "9/10", symmetry=phi)
    assert again.symmetry_bits == prior.symmetry_bits and again.ratio == prior.ratio


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="`action` 'c' is not an action of state"):
        simplicity_prior(FORK, "s0", "c", "b", 0.5)
    with pytest.raises(InvalidParameterError, match="`weights` must be distinct non-zero"):
        simplicity_prior(FORK, "s0", "a", "b", 0.5, weights=(0, 1))
    with pytest.raises(InvalidParameterError, match="`max_terms` must be an integer"):
        simplicity_prior(FORK, "s0", "a", "b", 0.5, max_terms=-1)
    with pytest.raises(InvalidParameterError, match="`symmetry` must be an involution"):
        simplicity_prior(FORK, "s0", "a", "b", 0.5, symmetry="swap")
    with pytest.raises(SearchLimitError, match="rewards"):
        simplicity_prior(load("klyubin-maze"), (0, 0), "down", "up", 0.5, max_terms=3)
    coin = MDP({"s": {"a": {"s": 0.5, "t": 0.5}, "b": "t"}, "t": ["t"]})
    with pytest.raises(InvalidParameterError, match="stochastic"):
        simplicity_prior(coin, "s", "a", "b", 0.5)
