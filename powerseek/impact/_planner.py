"""Conservative Agency's planning AUP agent, exactly, by dynamic programming.

The agent of ``agents/aup.py`` in the Conservative Agency code plans `horizon` steps
ahead (9 in its experiments), discount 0.996. Taking action a in state s with k steps
left earns the task reward of the state arrived in, minus λ times a penalty that
compares two futures, each followed by doing nothing for the rest of the plan (an
*inaction rollout*):

- acting: a, then k − 1 no-ops, ending in x_a; its attainable utility
  U_i(x_a) = max_b Q_i(x_a, b);
- the baseline: ``"stepwise"``: k no-ops from s, ending in x_∅, and Q_i(x_∅, ∅);
  ``"start"``: U_i(s_0) at the start; ``"inaction"``: U_i of the state that k = horizon
  no-ops from the start reach.

The penalty is scaled and signed as in :func:`~powerseek.impact.aup_penalty`. The
code searches every action sequence with a cache keyed by (state, steps left); the
value of the best plan is therefore a finite-horizon dynamic programme over (s, k),
computed here for all states at once, ties going to the first action, as the code's
strict comparison breaks them.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from typing import Any

import numpy as np

from .._validation import check_gamma
from ..exceptions import InvalidParameterError
from ..mdp import MDP
from ._attainable import AttainableUtility, episode_ends, noop_pairs
from ._baselines import BASELINES, DEFAULT_HORIZON, check_horizon, start_index
from ._penalties import (
    DEVIATIONS,
    SCALINGS,
    Outcome,
    _check_same_mdp,
    _choice,
    _task_reward,
    scaled_penalty,
    trajectory_outcome,
)

__all__ = ["aup_plan"]


def aup_plan(
    mdp: MDP,
    au: AttainableUtility,
    *,
    lam: float,
    gamma: float = 0.996,
    horizon: int = DEFAULT_HORIZON,
    baseline: str = "stepwise",
    deviation: str = "absolute",
    scaling: str = "per-au",
    noop: Hashable = "stay",
    task: Any = None,
    start: Any = None,
) -> Outcome:
    """The plan of Conservative Agency's planning AUP agent from `start`, and what it does.

    Parameters
    ----------
    mdp : MDP
        A deterministic environment with a no-op action.
    au : AttainableUtility
        The auxiliary rewards' attainable utility on `mdp` (:func:`attainable_utility`).
    lam : float
        λ ≥ 0, the weight of the penalty (the code's default 1/1.501).
    gamma : float in (0, 1), default 0.996
        The planner's discount.
    horizon : int, default 9
        Steps planned (and taken, unless the episode ends first).
    baseline : {"stepwise", "start", "inaction"}, default "stepwise"
    deviation : {"absolute", "decrease"}, default "absolute"
    scaling : {"per-au", "summed", "none"}, default "per-au"
    noop : hashable, default "stay"
        The no-op action.
    task : array_like, shape (n_states,), optional
        The task reward on arrival in each state; default the object level's.
    start : state, optional
        Default ``mdp.metadata["start"]``, else the first state.

    Returns
    -------
    Outcome
        ``actions`` (the plan), ``value`` (its penalised discounted return),
        ``penalties`` (λ·penalty of each step), ``unweighted_penalties`` (the
        penalty of each step), and as
        :meth:`PenalizedPolicy.outcome`: ``path``, ``steps``, ``return``, ``ended``,
        ``goal``, ``side_effects``.

    See Also
    --------
    penalized_policy : The model-free agent's policy: stepwise baseline, no rollouts.

    Examples
    --------
    Damage (aup-dog): against the starting state the agent goes straight up and runs
    over the dog; against inaction it walks down and back while the dog passes.

    >>> from powerseek import load
    >>> from powerseek.impact import attainable_utility
    >>> dog = load("aup-dog")
    >>> au = attainable_utility(dog, 0.996, n_aux=30, rng=0)
    >>> for baseline in ("start", "inaction"):
    ...     plan = aup_plan(dog, au, lam=1 / 1.501, baseline=baseline)
    ...     print(baseline, plan.steps, plan.goal, plan.side_effects)
    start 3 True {'dog-hit': True}
    inaction 8 True {'dog-hit': False}
    """
    _choice(baseline, BASELINES, "baseline")
    _choice(deviation, DEVIATIONS, "deviation")
    _choice(scaling, SCALINGS, "scaling")
    gamma = check_gamma(gamma)
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not lam >= 0:
        raise InvalidParameterError(f"`lam` must be a number at least 0; got {lam!r}.")
    horizon = check_horizon(horizon)
    if not mdp.is_deterministic:
        raise InvalidParameterError(
            "the planning agent follows its inaction rollouts step by step; this MDP is "
            "stochastic (use penalized_policy, or a deterministic world)."
        )
    _check_same_mdp(au, mdp)
    r = _task_reward(mdp, task)
    s0 = start_index(mdp, start)
    ends = episode_ends(mdp)
    succ = np.asarray(mdp.successor_indices)
    pairs_noop = noop_pairs(mdp, noop)
    wait = succ[pairs_noop]  # one no-op; an episode's end stays put
    rolls = [np.arange(mdp.n_states)]  # rolls[k][s]: k no-ops from s
    for _ in range(horizon):
        rolls.append(wait[rolls[-1]])
    U = au.utility()  # (n_aux, n_states), 0 at an episode's end
    owner = mdp.pair_states
    landing = succ  # the state each pair arrives in
    fixed = {"start": U[:, [s0]], "inaction": U[:, [rolls[horizon][s0]]]}.get(baseline)
    # Q[k][p]: acting by pair p with k steps left, then the best plan for k − 1
    V = np.zeros(mdp.n_states)
    Q = [None]
    penalties = [None]
    for k in range(1, horizon + 1):
        acting = U[:, rolls[k - 1][landing]]
        null = au.after[:, pairs_noop[rolls[k][owner]]] if fixed is None else fixed
        diff = acting - null
        if deviation == "decrease":
            diff = np.minimum(diff, 0.0)
        null = np.broadcast_to(null, diff.shape)
        penalty = scaled_penalty(diff, null, scaling)
        q = r[landing] - lam * penalty + gamma * np.where(ends[landing], 0.0, V[landing])
        Q.append(q)
        penalties.append(penalty)
        V = np.maximum.reduceat(q, mdp.pair_offsets[:-1])
    # follow the plan: the first best action at each step, as the code's strict `>` picks
    s, path, actions, steps_penalty = s0, [s0], [], []  # each step's penalty before λ
    value = float(np.max(Q[horizon][mdp.pair_offsets[s0] : mdp.pair_offsets[s0 + 1]]))
    ret, g = 0.0, 1.0
    for k in range(horizon, 0, -1):
        lo, hi = mdp.pair_offsets[s], mdp.pair_offsets[s + 1]
        p = lo + int(np.argmax(Q[k][lo:hi]))
        actions.append(mdp.actions[s][p - lo])
        steps_penalty.append(float(penalties[k][p]))
        s = int(succ[p])
        ret += g * r[s]
        g *= gamma
        path.append(s)
        if ends[s]:
            break
    return trajectory_outcome(
        mdp, path, ret, actions=actions, value=value,
        penalties=[lam * x for x in steps_penalty], unweighted_penalties=steps_penalty,
    )  # fmt: skip
