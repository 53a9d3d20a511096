"""The planning AUP agent against a transcription of Conservative Agency's recursive search."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_penalties import random_world

from powerseek import gridworld, load
from powerseek.exceptions import InvalidParameterError
from powerseek.impact import BASELINES, attainable_utility, aup_plan, episode_ends


def searched_plan(mdp, au, lam, gamma, horizon, baseline, deviation, use_scale, task, s0):
    """agents/aup.py's get_actions, state by state: every action, a cache on (state, steps left)."""
    ends = episode_ends(mdp)
    U = au.utility()

    def step(s, action):
        (target,) = mdp.transition(mdp.states[s], action)
        return mdp.index(target)

    def restart(s, actions):  # stops once the episode has ended
        for action in actions:
            if ends[s]:
                break
            s = step(s, action)
        return s

    if baseline == "start":
        fixed = U[:, s0]
    elif baseline == "inaction":
        fixed = U[:, restart(s0, ["stay"] * horizon)]
    cache = {}

    def get_actions(s, steps_left):
        if steps_left == 0:
            return [], 0.0
        if (s, steps_left) not in cache:
            best_actions, best_ret = [], float("-inf")
            for action in mdp.actions[s]:
                after = step(s, action)
                done = bool(ends[after])
                acting = U[:, restart(after, ["stay"] * (steps_left - 1))]
                waiting = restart(s, ["stay"] * steps_left)
                if baseline == "stepwise":
                    pair = mdp.pair_offsets[waiting] + (
                        0 if ends[waiting] else mdp.actions[waiting].index("stay")
                    )
                    null = au.after[:, pair]
                else:
                    null = fixed
                diff = acting - null
                if deviation == "decrease":
                    diff = np.where(diff > 0, 0.0, diff)
                if use_scale:
                    scale = sum(abs(null)) or 1.0
                    penalty = sum(abs(diff) / scale)
                else:
                    scale = np.where(null == 0, 1.0, null)
                    penalty = np.average(np.abs(diff) / scale)
                reward = task[after] - lam * penalty
                actions, ret = ([], 0.0) if done else get_actions(after, steps_left - 1)
                ret *= gamma
                if reward + ret > best_ret:
                    best_actions, best_ret = [action, *actions], reward + ret
            cache[s, steps_left] = best_actions, best_ret
        return cache[s, steps_left]

    return get_actions(s0, horizon)


OPTIONS = list(itertools.product(BASELINES, ("absolute", "decrease"), (False, True)))


@given(st.integers(0, 2**32 - 1), st.sampled_from(OPTIONS), st.integers(1, 6))
def test_the_programme_is_the_search(seed, option, horizon):
    baseline, deviation, use_scale = option
    mdp = random_world(seed, stochastic=False)
    rng = np.random.default_rng(seed + 5)
    task = rng.integers(-1, 3, size=mdp.n_states) / 3.0
    au = attainable_utility(mdp, 0.9, rng.random((3, mdp.n_states)), tol=1e-13)
    kwargs = {"baseline": baseline, "deviation": deviation, "task": task}
    plan = aup_plan(mdp, au, lam=0.7, gamma=0.9, horizon=horizon, start=0,
                    scaling="summed" if use_scale else "per-au", **kwargs)  # fmt: skip
    actions, value = searched_plan(
        mdp, au, 0.7, 0.9, horizon, baseline, deviation, use_scale, task, 0
    )
    assert plan.value == pytest.approx(value, abs=1e-12)
    # the same plan up to exact ties, which both break towards the first action
    assert plan.actions == actions


@pytest.mark.parametrize("name", ["aup-box", "aup-dog", "aup-survival"])
@pytest.mark.parametrize("option", OPTIONS[::3])
def test_the_programme_is_the_search_on_aup_levels(name, option):
    baseline, deviation, use_scale = option
    mdp = load(name)
    au = attainable_utility(mdp, 0.996, n_aux=5, rng=1)
    task = mdp.metadata["level"].task_reward(mdp)
    plan = aup_plan(mdp, au, lam=1 / 1.501, baseline=baseline, deviation=deviation,
                    scaling="summed" if use_scale else "per-au")  # fmt: skip
    actions, value = searched_plan(
        mdp, au, 1 / 1.501, 0.996, 9, baseline, deviation, use_scale, task, 0
    )
    assert plan.actions == actions and plan.value == pytest.approx(value, abs=1e-12)
    # the rollout's return is the plan's value without its penalties
    discount = 0.996 ** np.arange(plan.steps)
    assert plan.value == pytest.approx(plan["return"] - discount @ plan.penalties, abs=1e-12)


def test_bad_input():
    mdp = load("aup-box")
    au = attainable_utility(mdp, 0.9, n_aux=2, rng=0)
    with pytest.raises(InvalidParameterError, match="`baseline` must be one of"):
        aup_plan(mdp, au, lam=1.0, baseline="yesterday")
    with pytest.raises(InvalidParameterError, match="`horizon` must be a positive integer"):
        aup_plan(mdp, au, lam=1.0, horizon=0)
    with pytest.raises(InvalidParameterError, match="`lam` must be a number at least 0"):
        aup_plan(mdp, au, lam=-0.5)
    slippery = gridworld.parse(["..", ".."], noise=0.1)
    with pytest.raises(InvalidParameterError, match="this MDP is stochastic"):
        aup_plan(
            slippery, attainable_utility(slippery, 0.9, n_aux=2, rng=0), lam=1.0, task=np.zeros(4)
        )
    with pytest.raises(InvalidParameterError, match="`au` was computed on another MDP"):
        aup_plan(load("aup-dog"), au, lam=1.0)


@pytest.mark.parametrize("name", ["aup-box", "aup-dog", "aup-conveyor-vase"])
def test_following_the_baseline_costs_nothing(name):
    # with no task reward, doing nothing is the inaction baseline itself: relative
    # reachability charges it 0, and no plan does better than 0
    mdp = load(name)
    from powerseek.impact import reachability

    reach = reachability(mdp, 0.996)
    plan = aup_plan(mdp, reach, lam=1.0, baseline="inaction", deviation="decrease",
                    scaling="none", task=np.zeros(mdp.n_states))  # fmt: skip
    assert plan.value == 0.0
    stay = aup_plan(mdp, reach, lam=1.0, baseline="inaction", deviation="decrease",
                    scaling="none", task=np.zeros(mdp.n_states), horizon=1)  # fmt: skip
    assert stay.value == 0.0 and all(p >= 0 for p in plan.penalties)
