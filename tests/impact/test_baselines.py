"""Impact baselines: the starting state and inaction since the start, and the agent over
(state, step) that a moving baseline calls for, against plain oracles."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_penalties import random_world

from powerseek import MDP, load
from powerseek.exceptions import InvalidParameterError
from powerseek.impact import (
    attainable_utility,
    aup_penalty,
    aup_penalty_stderr,
    episode_ends,
    inaction_baseline,
    penalized_policy,
    reachability,
)
from powerseek.impact._penalties import _ever


def noop_rows(mdp, steps, start=0):
    """The distribution after t no-ops, t = 0..steps, stepped with the MDP's own dicts."""
    rows = [{mdp.states[start]: 1.0}]
    for _ in range(steps):
        nxt = {}
        for s, p in rows[-1].items():
            action = "stay" if "stay" in mdp.actions_of(s) else mdp.actions_of(s)[0]
            for t, q in mdp.transition(s, action).items():
                nxt[t] = nxt.get(t, 0.0) + p * q
        rows.append(nxt)
    return rows


def hand_penalty(mdp, au, baseline, deviation, scaling, step, start=0):
    """Each pair's penalty at `step`, term by term."""
    ends = episode_ends(mdp)
    if baseline == "start":
        null = au.values[:, start]
    else:
        row = noop_rows(mdp, step + 1, start)[step + 1]
        null = sum(p * au.values[:, mdp.index(s)] for s, p in row.items())
    out = np.zeros(mdp.n_pairs)
    for pair in range(mdp.n_pairs):
        if ends[mdp.pair_states[pair]]:
            continue
        diff = au.after[:, pair] - null
        if deviation == "decrease":
            diff = np.where(diff > 0, 0.0, diff)
        if scaling == "summed":
            out[pair] = np.abs(diff).sum() / (np.abs(null).sum() or 1.0)
        elif scaling == "per-au":
            out[pair] = np.mean(np.abs(diff) / np.where(null == 0, 1.0, np.abs(null)))
        else:
            out[pair] = np.mean(np.abs(diff))
    return out


@given(
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.sampled_from(["start", "inaction"]),
    st.sampled_from(["absolute", "decrease"]),
    st.sampled_from(["per-au", "summed", "none"]),
)
def test_penalties_against_each_baseline_term_by_term(
    seed, stochastic, baseline, deviation, scaling
):
    mdp = random_world(seed, stochastic)
    R = np.random.default_rng(seed + 1).random((4, mdp.n_states))
    au = attainable_utility(mdp, 0.9, R, tol=1e-13)
    horizon = 3
    ours = aup_penalty(
        au, mdp, baseline=baseline, deviation=deviation, scaling=scaling, horizon=horizon
    )
    if baseline == "start":
        assert ours.shape == (mdp.n_pairs,)
        assert np.abs(ours - hand_penalty(mdp, au, "start", deviation, scaling, 0)).max() <= 1e-12
        return
    assert ours.shape == (horizon + 1, mdp.n_pairs)
    for t in range(horizon + 1):
        hand = hand_penalty(mdp, au, "inaction", deviation, scaling, t)
        assert np.abs(ours[t] - hand).max() <= 1e-12
    stderr = aup_penalty_stderr(au, mdp, baseline=baseline, deviation=deviation, scaling=scaling,
                                horizon=horizon)  # fmt: skip
    assert stderr.shape == ours.shape and (stderr >= 0).all()


@given(st.integers(0, 2**32 - 1), st.booleans())
def test_the_inaction_baseline_against_stepping_its_no_ops(seed, stochastic):
    mdp = random_world(seed, stochastic)
    rows, settled = inaction_baseline(mdp, 6)
    hand = noop_rows(mdp, 6)
    for t in range(7):
        expected = np.zeros(mdp.n_states)
        for s, p in hand[t].items():
            expected[mdp.index(s)] += p
        assert np.abs(rows[t] - expected).max() <= 1e-15
    changes = [np.abs(rows[t + 1] - rows[t]).max() > 1e-15 for t in range(6)]
    first_still = next((t for t, moved in enumerate(changes) if not moved), None)
    assert settled == first_still
    if settled is not None:
        assert not any(changes[settled:])


def augmented_optimum(mdp, gamma, rewards, sweeps):
    """V* over (state, step) by value iteration on the flat augmented MDP."""
    ends = episode_ends(mdp)
    T = mdp.transition_matrix.toarray()
    T[ends[mdp.pair_states]] = 0.0
    H = rewards.shape[0] - 1
    V = np.zeros((H + 1, mdp.n_states))
    for _ in range(sweeps):
        new = np.empty_like(V)
        for t in range(H + 1):
            q = rewards[t] + gamma * T @ V[min(t + 1, H)]
            new[t] = np.maximum.reduceat(q, mdp.pair_offsets[:-1])
        V = new
    return V


def staged_policy_value(mdp, gamma, rewards, policy):
    """The exact value of a policy over (state, step), by one dense solve."""
    ends = episode_ends(mdp)
    T = mdp.transition_matrix.toarray()
    T[ends[mdp.pair_states]] = 0.0
    H, n = rewards.shape[0] - 1, mdp.n_states
    A, b = np.eye((H + 1) * n), np.zeros((H + 1) * n)
    for t in range(H + 1):
        rows = slice(t * n, (t + 1) * n)
        nxt = min(t + 1, H)
        A[rows, nxt * n : (nxt + 1) * n] -= gamma * T[policy[t]]
        b[rows] = rewards[t][policy[t]]
    return np.linalg.solve(A, b).reshape(H + 1, n)


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.5, 0.9]), st.booleans())
def test_the_agent_over_state_and_step_is_optimal(seed, gamma, stochastic):
    mdp = random_world(seed, stochastic)
    rng = np.random.default_rng(seed + 3)
    task = rng.integers(-1, 3, size=mdp.n_states) / 3.0  # ties
    penalty = rng.random((4, mdp.n_pairs))
    penalty[rng.random(4) < 0.3] = 0.0  # steps without a penalty: ties between rows
    lam = 0.7
    agent = penalized_policy(mdp, gamma, penalty, lam=lam, task=task)
    assert agent.stage_horizon == 3
    assert agent.values.shape == (4, mdp.n_states) and agent.policy.shape == (4, mdp.n_states)
    ends = episode_ends(mdp)
    rewards = np.where(ends[mdp.pair_states], 0.0, mdp.transition_matrix @ task - lam * penalty)
    exact = augmented_optimum(mdp, gamma, rewards, sweeps=400 if gamma == 0.5 else 900)
    assert agent.error_bound <= 1e-12
    assert np.abs(agent.values - exact).max() <= 1e-10
    attained = staged_policy_value(mdp, gamma, rewards, agent.policy)
    assert np.abs(attained - exact).max() <= 1e-10
    # one row is the stationary agent
    flat = penalized_policy(mdp, gamma, penalty[-1], lam=lam, task=task)
    assert np.abs(agent.values[-1] - flat.values).max() <= 1e-12


def test_a_fixed_start_makes_inaction_the_starting_state():
    # the start is a fixed point of the no-op: every step's baseline is the start
    mdp = load("aup-vase")
    rows, settled = inaction_baseline(mdp, 9)
    assert settled == 0
    au = attainable_utility(mdp, 0.996, n_aux=5, rng=1)
    inaction = aup_penalty(au, mdp, baseline="inaction")
    start = aup_penalty(au, mdp, baseline="start")
    assert np.abs(inaction - start).max() <= 1e-15


def test_following_the_inaction_baseline_costs_nothing():
    # relative reachability against inaction: doing nothing from the start stays on
    # the baseline at every step, so every step's penalty is zero
    mdp = load("aup-conveyor-vase")
    rr = aup_penalty(reachability(mdp, 0.996), mdp, baseline="inaction", deviation="decrease",
                     scaling="none")  # fmt: skip
    rows, settled = inaction_baseline(mdp, 9)
    assert settled == 4
    noop = [mdp.pair_index(s, "stay") for s in mdp.states]
    for t in range(10):
        s = int(np.argmax(rows[t]))
        assert rr[t, noop[s]] == 0.0
    # and the vase on its way: rescuing it changes nothing that can no longer be reached
    assert rr[0].max() > 0  # some action loses something at the start


def test_a_horizon_past_the_settling_step_changes_nothing():
    mdp = load("aup-conveyor-vase")
    au = attainable_utility(mdp, 0.996, n_aux=10, rng=2)
    short = penalized_policy(mdp, 0.996, aup_penalty(au, mdp, baseline="inaction", horizon=5))
    long = penalized_policy(mdp, 0.996, aup_penalty(au, mdp, baseline="inaction", horizon=12))
    assert np.abs(short.values[0] - long.values[0]).max() <= 1e-9
    assert np.array_equal(short.policy, long.policy[:6])
    assert (long.policy[6:] == long.policy[-1]).all()


def dense_hitting(mdp, policy, target, start, sweeps=4000):
    """Hitting probability over (state, step) by iterating h = 1_target + P h off target."""
    T = mdp.transition_matrix.toarray()
    H = policy.shape[0] - 1
    h = np.zeros((H + 1, mdp.n_states))
    for _ in range(sweeps):
        h = np.array([np.where(target, 1.0, T[policy[t]] @ h[min(t + 1, H)]) for t in range(H + 1)])
    return h[0, start]


@pytest.mark.slow
@given(st.integers(0, 2**32 - 1))
def test_the_chance_of_a_feature_under_a_policy_over_steps(seed):
    mdp = random_world(seed, stochastic=True)
    rng = np.random.default_rng(seed + 4)
    offsets = mdp.pair_offsets
    policy = np.array(
        [[offsets[s] + rng.integers(offsets[s + 1] - offsets[s]) for s in range(mdp.n_states)]
         for _ in range(3)]
    )  # fmt: skip
    target = rng.random(mdp.n_states) < 0.3
    for start in range(mdp.n_states):
        assert _ever(mdp, policy, target, start) == pytest.approx(
            dense_hitting(mdp, policy, target, start), abs=1e-9
        )


def test_moving_baselines_on_the_levels():
    """The findings docs/impact.md reports for the penalised agent against inaction."""
    # Offset: in the baseline the vase rides to the belt's end and breaks, so the
    # absolute penalty charges the agent at every later step for a world in which it
    # did not break; the task pays once: the agent leaves the vase on the belt
    vase = load("aup-conveyor-vase")
    au = attainable_utility(vase, 0.996, n_aux=30, rng=0)
    found = {}
    pairs = itertools.product(("stepwise", "inaction"), ("absolute", "decrease"))
    for baseline, deviation in pairs:
        penalty = aup_penalty(au, vase, baseline=baseline, deviation=deviation)
        outcome = penalized_policy(vase, 0.996, penalty, lam=1 / 1.501).outcome(vase)
        found[baseline, deviation] = outcome.features["belt-end"], outcome.features["belt-removed"]
    assert found == {
        ("stepwise", "absolute"): (False, True),
        ("stepwise", "decrease"): (False, True),
        ("inaction", "absolute"): (True, False),
        ("inaction", "decrease"): (False, True),
    }
    # Correction: in the baseline the agent is switched off, so staying on is a
    # change of every attainable utility; the absolute agent lets itself be switched off
    survival = load("aup-survival")
    au = attainable_utility(survival, 0.996, n_aux=30, rng=0)
    penalty = aup_penalty(au, survival, baseline="inaction")
    outcome = penalized_policy(survival, 0.996, penalty, lam=1 / 1.501).outcome(survival)
    assert not outcome.goal and not outcome.side_effects["button-pressed"]


def test_bad_input():
    mdp = MDP({"a": {"stay": "a", "go": "b"}, "b": {"stay": "b"}})
    au = attainable_utility(mdp, 0.5, [[1.0, 0.0]])
    with pytest.raises(InvalidParameterError, match="`baseline` must be one of"):
        aup_penalty(au, mdp, baseline="initial")
    with pytest.raises(InvalidParameterError, match="`horizon` must be a positive integer"):
        aup_penalty(au, mdp, baseline="inaction", horizon=0)
    with pytest.raises(InvalidParameterError, match="has no no-op action .wait."):
        aup_penalty(au, mdp, baseline="inaction", noop="wait")
    with pytest.raises(InvalidParameterError, match="one such row per step"):
        penalized_policy(mdp, 0.5, np.zeros((2, 2, 3)), task=[0.0, 1.0])
    with pytest.raises(InvalidParameterError, match="one such row per step"):
        penalized_policy(mdp, 0.5, np.zeros((2, 4)), task=[0.0, 1.0])


def test_the_outcome_follows_each_steps_policy():
    # a penalty on smashing for the first two steps only: the agent waits them out
    mdp = MDP({"room": {"stay": "room", "smash": "hall"}, "hall": {"stay": "hall"}})
    penalty = [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    agent = penalized_policy(mdp, 0.9, penalty, lam=3.0, task=[0.0, 1.0])
    outcome = agent.outcome(mdp)
    # up to the first state repeated once the policy no longer changes
    assert outcome.path == ["room", "room", "room", "hall", "hall"]
    assert outcome["return"] == pytest.approx(0.9**2 + 0.9**3, rel=1e-12)
    assert agent.outcome(mdp, horizon=2).path == ["room", "room", "room"]


@given(st.integers(0, 2**32 - 1), st.booleans())
def test_unreachability_of_each_baseline_by_hand(seed, stochastic):
    from powerseek.impact import unreachability_penalty

    mdp = random_world(seed, stochastic)
    reach = reachability(mdp, 0.9)
    ends = episode_ends(mdp)[mdp.pair_states]
    start = unreachability_penalty(reach, mdp, baseline="start")
    assert np.abs(start - np.where(ends, 0.0, 1.0 - reach.after[0])).max() <= 1e-15
    moving = unreachability_penalty(reach, mdp, baseline="inaction", horizon=3)
    rows = noop_rows(mdp, 4)
    for t in range(4):
        hand = np.zeros(mdp.n_pairs)
        for pair in range(mdp.n_pairs):
            if not ends[pair]:
                reached = sum(p * reach.after[mdp.index(b), pair] for b, p in rows[t + 1].items())
                hand[pair] = 1.0 - reached
        assert np.abs(moving[t] - hand).max() <= 1e-12


def test_following_the_inaction_baseline_loses_no_reachability():
    from powerseek.impact import unreachability_penalty

    mdp = load("aup-conveyor-vase")
    ur = unreachability_penalty(reachability(mdp, 0.996), mdp, baseline="inaction")
    rows, _ = inaction_baseline(mdp, 9)
    for t in range(10):
        assert ur[t, mdp.pair_index(mdp.states[int(np.argmax(rows[t]))], "stay")] == 0.0
    with pytest.raises(InvalidParameterError, match="`baseline` must be one of"):
        unreachability_penalty(reachability(mdp, 0.996), mdp, baseline="never")
