"""Attainable utility, the AUP penalty and the penalised policy, against plain oracles."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek import MDP, load
from powerseek.exceptions import InvalidParameterError
from powerseek.impact import attainable_utility, aup_penalty, episode_ends, penalized_policy
from powerseek.mdp import Ended


def random_world(seed, stochastic):
    """3-5 live states, each with a no-op and 1-2 other actions, and 1-2 episode ends."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 6)), int(rng.integers(1, 3))
    targets = list(range(n)) + [Ended(f"e{i}") for i in range(k)]
    world = {}
    for s in range(n):
        moves = []
        for a in range(int(rng.integers(1, 3))):
            picks = rng.choice(len(targets), size=2 if stochastic else 1, replace=False)
            if stochastic:  # thirds: not dyadic
                moves.append((f"a{a}", {targets[picks[0]]: 1 / 3, targets[picks[1]]: 2 / 3}))
            else:
                moves.append((f"a{a}", targets[picks[0]]))
        # the no-op anywhere in the list; in a stochastic world it may slip
        slip = targets[int(rng.integers(len(targets)))]
        stay = {s: 2 / 3, slip: 1 / 3} if stochastic and slip != s else s
        moves.insert(int(rng.integers(len(moves) + 1)), ("stay", stay))
        world[s] = dict(moves)
    for i in range(k):
        world[Ended(f"e{i}")] = {"stay": Ended(f"e{i}")}
    return MDP(world)


def arrival_q(mdp, R, gamma, sweeps):
    """Conservative Agency's Q by iteration: Q(s, a) = E[R(s') + γ max Q(s', ·)], 0 after an end."""
    ends = episode_ends(mdp)
    T = mdp.transition_matrix.toarray()
    T[ends[mdp.pair_states]] = 0.0
    Q = np.zeros((R.shape[0], mdp.n_pairs))
    for _ in range(sweeps):
        U = np.maximum.reduceat(Q, mdp.pair_offsets[:-1], axis=1)
        U[:, ends] = 0.0
        Q = (R + gamma * U) @ T.T
    return Q


def ca_penalty(mdp, Q, deviation, use_scale):
    """The penalty as Conservative Agency's get_penalty writes it, state by state."""
    ends = episode_ends(mdp)
    out = np.zeros(mdp.n_pairs)
    for p in range(mdp.n_pairs):
        s = mdp.pair_states[p]
        if ends[s]:
            continue
        null = Q[:, mdp.pair_offsets[s] + list(mdp.actions[s]).index("stay")]
        diff = Q[:, p] - null
        if deviation == "decrease":
            diff = np.where(diff > 0, 0, diff)
        if use_scale:
            scale = sum(abs(null)) or 1.0
            out[p] = sum(abs(diff) / scale)
        else:
            scale = np.where(null == 0, 1.0, null)
            out[p] = np.average(np.abs(diff) / scale)
    return out


def policy_value(mdp, gamma, reward, pairs):
    """The exact value of the policy choosing `pairs`, pair rewards, an end worth 0 after."""
    T = mdp.transition_matrix.toarray()
    T[episode_ends(mdp)[mdp.pair_states]] = 0.0
    return np.linalg.solve(np.eye(mdp.n_states) - gamma * T[pairs], reward[pairs])


def brute_force_penalized(mdp, gamma, reward):
    """max over every deterministic policy of its exact value."""
    choices = itertools.product(*(range(len(a)) for a in mdp.actions))
    values = [
        policy_value(mdp, gamma, reward, mdp.pair_offsets[:-1] + np.array(c)) for c in choices
    ]
    return np.max(values, axis=0)


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.5, 0.9]), st.booleans())
def test_attainable_utility_is_conservative_agencys_q(seed, gamma, stochastic):
    mdp = random_world(seed, stochastic)
    R = np.random.default_rng(seed + 1).random((3, mdp.n_states))
    au = attainable_utility(mdp, gamma, R, tol=1e-13)
    Q = arrival_q(mdp, R, gamma, sweeps=400 if gamma == 0.5 else 700)
    assert np.abs(au.after - Q).max() <= 1e-9
    ends = episode_ends(mdp)
    U = au.utility()
    assert np.allclose(au.values[:, ~ends], R[:, ~ends] + gamma * U[:, ~ends], atol=1e-12)
    assert np.allclose(au.values[:, ends], R[:, ends], atol=1e-12)  # paid once
    for deviation, use_scale in itertools.product(("absolute", "decrease"), (False, True)):
        ours = aup_penalty(
            au, mdp, deviation=deviation, scaling="summed" if use_scale else "per-au"
        )
        assert np.abs(ours - ca_penalty(mdp, au.after, deviation, use_scale)).max() <= 1e-12
    absolute, decrease = aup_penalty(au, mdp), aup_penalty(au, mdp, deviation="decrease")
    assert (decrease <= absolute + 1e-15).all()


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.5, 0.9, 0.996]), st.booleans())
def test_penalized_policy_is_the_best_policy(seed, gamma, stochastic):
    mdp = random_world(seed, stochastic)
    rng = np.random.default_rng(seed + 2)
    task = rng.integers(-1, 3, size=mdp.n_states) / 3.0  # ties
    penalty = rng.random(mdp.n_pairs)
    penalty[episode_ends(mdp)[mdp.pair_states]] = 0.0
    for lam in (0.0, 0.7):
        agent = penalized_policy(mdp, gamma, penalty, lam=lam, task=task)
        ends = episode_ends(mdp)
        reward = np.where(ends[mdp.pair_states], 0.0, mdp.transition_matrix @ task - lam * penalty)
        exact = brute_force_penalized(mdp, gamma, reward)
        assert agent.error_bound <= 1e-12
        assert (1 - gamma) * np.abs(agent.values - exact).max() <= 1e-12
        attained = policy_value(mdp, gamma, reward, agent.policy)
        assert (1 - gamma) * np.abs(attained - exact).max() <= 1e-12


def test_a_small_long_run_gain_beats_a_larger_first_step():
    # staying pays 1e-6 a step; going pays nothing at u, then 2e-6 a step at t:
    # the first greedy policy stays, and the 8e-6 gain must still be found
    mdp = MDP({"s": {"stay": "s", "go": "u"}, "u": {"go": "t"}, "t": {"stay": "t"}})
    agent = penalized_policy(mdp, 0.9, lam=0.0, task=[1e-6, 0.0, 2e-6])
    assert mdp.actions[0][agent.policy[0]] == "go"
    assert agent.values[0] == pytest.approx(1.8e-5, rel=1e-12)


@given(st.integers(0, 2**32 - 1), st.booleans())
def test_no_penalty_is_the_task_optimal_agent(seed, stochastic):
    # at λ = 0 the penalised agent's value is the task reward's attainable utility
    mdp = random_world(seed, stochastic)
    task = np.random.default_rng(seed).random(mdp.n_states)
    au = attainable_utility(mdp, 0.9, [task], tol=1e-13)
    agent = penalized_policy(mdp, 0.9, np.ones(mdp.n_pairs), lam=0.0, task=task)
    assert np.abs(agent.values - au.utility()[0]).max() <= 1e-10


def test_an_object_level_task_agent_and_aup_agent():
    # Options (aup-box): the task-optimal agent pushes the box into the corner on its
    # shortest way to the goal; the AUP agent at the source's λ takes two steps more
    mdp = load("aup-box")
    au = attainable_utility(mdp, 0.996, n_aux=30, rng=0)
    penalty = aup_penalty(au, mdp)
    task_agent = penalized_policy(mdp, 0.996, penalty, lam=0.0)
    vanilla = task_agent.outcome(mdp)
    aup = penalized_policy(mdp, 0.996, penalty, lam=1 / 1.501).outcome(mdp)
    assert (vanilla.steps, vanilla.goal, vanilla.side_effects) == (5, True, {"box-cornered": True})
    assert (aup.steps, aup.goal, aup.side_effects) == (7, True, {"box-cornered": False})
    # the rollout's discounted task return is the task-optimal value of the start
    assert vanilla["return"] == pytest.approx(task_agent.values[0], abs=1e-12)
    assert aup.path[0] == mdp.states[0] and aup.ended and len(aup.path) == 8


def test_bad_input():
    mdp = load("aup-box")
    with pytest.raises(InvalidParameterError, match=r"`gamma` must be in \(0, 1\)"):
        attainable_utility(mdp, 1.0)
    with pytest.raises(InvalidParameterError, match=r"`aux` must have shape \(n_aux, 60\)"):
        attainable_utility(mdp, 0.9, np.zeros((2, 5)))
    with pytest.raises(InvalidParameterError, match="`n_aux` must be a positive integer"):
        attainable_utility(mdp, 0.9, n_aux=0)
    au = attainable_utility(mdp, 0.9, n_aux=2, rng=0)
    with pytest.raises(InvalidParameterError, match="`deviation` must be one of"):
        aup_penalty(au, mdp, deviation="relative")
    with pytest.raises(InvalidParameterError, match="`au` was computed on another MDP"):
        aup_penalty(au, load("aup-dog"))
    sokoban = load("side-effects-sokoban-0")  # moves only
    with pytest.raises(InvalidParameterError, match="has no no-op action 'stay'"):
        aup_penalty(attainable_utility(sokoban, 0.9, n_aux=2, rng=0), sokoban)
    with pytest.raises(InvalidParameterError, match="`lam` must be a number at least 0"):
        penalized_policy(mdp, 0.9, lam=-1)
    with pytest.raises(InvalidParameterError, match="`penalty` must be one finite number"):
        penalized_policy(mdp, 0.9, [1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="`task` is needed"):
        penalized_policy(load("candy-wait"), 0.9)


@pytest.mark.parametrize("scaling", ["per-au", "summed", "none"])
def test_the_standard_error_is_the_spread_over_independent_draws(scaling):
    # 300 independent sets of 30 auxiliary rewards on Options: the penalties' spread
    # across sets is what one set's standard error estimates
    from powerseek.impact import aup_penalty_stderr

    mdp = load("aup-box")
    penalties, errors = [], []
    for seed in range(300):
        au = attainable_utility(mdp, 0.996, n_aux=30, rng=seed)
        penalties.append(aup_penalty(au, mdp, scaling=scaling))
        errors.append(aup_penalty_stderr(au, mdp, scaling=scaling))
    spread = np.std(penalties, axis=0, ddof=1)
    mean_error = np.mean(errors, axis=0)
    moving = spread > 1e-5  # pairs whose penalty varies with the draw (132 of 276)
    assert moving.sum() > 100
    ratio = mean_error[moving] / spread[moving]
    assert 0.9 < np.median(ratio) < 1.1
    assert np.percentile(ratio, 5) > 0.85 and np.percentile(ratio, 95) < 1.15
    assert (mean_error[~moving] <= 1e-12).all()


def test_the_standard_error_of_one_set():
    from dataclasses import replace

    from powerseek.impact import aup_penalty_stderr

    mdp = load("aup-dog")
    au = attainable_utility(mdp, 0.996, n_aux=12, rng=4)
    # per-AU: the spread of the one-reward penalties
    alone = [
        aup_penalty(
            replace(au, rewards=au.rewards[[i]], values=au.values[[i]], after=au.after[[i]]), mdp
        )
        for i in range(12)
    ]
    expected = np.std(alone, axis=0, ddof=1) / np.sqrt(12)
    assert np.allclose(aup_penalty_stderr(au, mdp), expected, atol=1e-15)
    with pytest.raises(InvalidParameterError, match="at least 2 auxiliary rewards"):
        aup_penalty_stderr(
            replace(au, rewards=au.rewards[:1], values=au.values[:1], after=au.after[:1]), mdp
        )


def test_outcomes_in_a_stochastic_level_and_over_a_horizon():
    from powerseek.mdp import ObjectLevel

    # the interruption tile stops the agent for good with probability 0.3 on its way
    level = ObjectLevel.parse(
        ["#####", "#AIG#", "#####"], rewards={"goal": 1}, noop=True, interruption_probability=0.3
    )
    mdp = level.compile()
    outcome = penalized_policy(mdp, 0.9, lam=0.0).outcome(mdp)
    assert outcome.steps is None
    assert outcome.goal == pytest.approx(0.7, abs=1e-12)
    assert outcome.features == pytest.approx({"interrupted": 0.3}, abs=1e-12)
    # a policy that cycles: the horizon runs it on past the first repeated state
    sushi = load("aup-conveyor-sushi")  # no task reward: the agent wanders in a loop
    agent = penalized_policy(sushi, 0.996, lam=0.0)
    assert agent.outcome(sushi).steps < 9
    assert agent.outcome(sushi, horizon=9).steps == 9
