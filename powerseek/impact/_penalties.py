"""The AUP penalty and the policy that is optimal for a task reward minus it.

Conservative Agency's penalty compares the utility each auxiliary reward could still
attain after an action with what it could attain after doing nothing,
|Q_i(s, a) − Q_i(s, ∅)|, and divides by a scale: each term by its own Q_i(s, ∅)
(the code's default, zero read as one), or the sum by Σ_i Q_i(s, ∅) (the paper's
and the code's ``use_scale``). The agent then maximises R_task(s, a) − λ·penalty.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._display import compact_repr
from .._validation import check_gamma
from ..exceptions import InvalidParameterError
from ..frames import Tabular, cell_columns, data_frame
from ..mdp import MDP, ObjectLevel
from ._attainable import AttainableUtility, episode_ends, noop_pairs
from ._baselines import BASELINES, DEFAULT_HORIZON, baseline_utilities, start_index
from ._performance import expected_performance, path_performance

__all__ = [
    "DEVIATIONS",
    "SCALINGS",
    "Outcome",
    "PenalizedPolicy",
    "aup_conv_penalty",
    "aup_penalty",
    "aup_penalty_stderr",
    "penalized_policy",
    "scaled_penalty",
]

#: How a change of attainable utility is penalised: both ways, or only losses.
DEVIATIONS = ("absolute", "decrease")
#: How the penalty is scaled: each term by its own no-op utility, the sum by theirs,
#: or not at all (the mean change, as relative reachability averages it).
SCALINGS = ("per-au", "summed", "none")
#: Policy iterations before giving up (each is one sparse solve).
MAX_ITERATIONS = 1000


def _choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InvalidParameterError(
            f"`{name}` must be one of {', '.join(map(repr, allowed))}; got {value!r}."
        )
    return value


def aup_penalty(
    au: AttainableUtility,
    mdp: MDP,
    *,
    noop: Hashable = "stay",
    deviation: str = "absolute",
    scaling: str = "per-au",
    baseline: str = "stepwise",
    horizon: int = DEFAULT_HORIZON,
    start: Any = None,
) -> np.ndarray:
    """Conservative Agency's penalty of every action, against a baseline.

    ``diff_i = Q_i(s, a) − B_i`` (only its negative part for
    ``deviation="decrease"``), where Q_i(s, a) = E V*_i(s') is the utility left after
    the action and B_i the baseline's: Q_i(s, ∅) for ``"stepwise"`` (doing nothing
    now), V*_i(s_0) for ``"start"``, and E V*_i of the state that t + 1 no-ops from
    s_0 reach for ``"inaction"`` at step t (see :func:`inaction_baseline`). The
    penalty is ``mean_i |diff_i| / |B_i|`` (``"per-au"``, a zero scale read as one),
    ``Σ_i |diff_i| / Σ_i |B_i|`` (``"summed"``, a zero sum read as one) or
    ``mean_i |diff_i|`` (``"none"``; with :func:`reachability` and
    ``deviation="decrease"``, relative reachability). An episode's end is not
    penalised.

    Parameters
    ----------
    au : AttainableUtility
        The auxiliary rewards' attainable utility on `mdp`.
    mdp : MDP
        The environment `au` was computed on.
    noop : hashable, default "stay"
        The no-op action ∅.
    deviation : {"absolute", "decrease"}, default "absolute"
    scaling : {"per-au", "summed", "none"}, default "per-au"
    baseline : {"stepwise", "start", "inaction"}, default "stepwise"
    horizon : int, default 9
        ``"inaction"``: the steps over which the baseline moves; row `horizon`
        serves every later step.
    start : state, optional
        ``"start"`` and ``"inaction"``: the starting state; default
        ``mdp.metadata["start"]``, else the first state.

    Returns
    -------
    numpy.ndarray
        Shape (n_pairs,), or (horizon + 1, n_pairs) for ``"inaction"``: row t is the
        penalty at step t. :func:`penalized_policy` takes either.

    See Also
    --------
    attainable_utility : The Q_i.
    aup_penalty_stderr : Its standard error over the auxiliary draws.
    penalized_policy : The agent that trades the task against the penalty.
    inaction_baseline : Where the inaction baseline is at each step.

    Examples
    --------
    Smashing through a one-way door costs the auxiliary reward of the room
    (V from 2 to 0) and gains the hall's (from 1 to 2): each change is its whole
    scale, so the penalty is 1; counting only the loss, 1/2.

    >>> from powerseek import MDP
    >>> from powerseek.impact import attainable_utility
    >>> mdp = MDP({"room": {"stay": "room", "smash": "hall"}, "hall": {"stay": "hall"}})
    >>> au = attainable_utility(mdp, 0.5, [[1.0, 0.0], [0.0, 1.0]])
    >>> aup_penalty(au, mdp).round(6).tolist()   # room: stay, smash; hall: stay
    [0.0, 1.0, 0.0]
    >>> aup_penalty(au, mdp, deviation="decrease").round(6).tolist()
    [0.0, 0.5, 0.0]

    Against the starting room, staying in the hall is penalised too: the room's
    reward stays out of reach.

    >>> aup_penalty(au, mdp, baseline="start").round(6).tolist()
    [0.0, 1.0, 1.0]
    """
    _choice(scaling, SCALINGS, "scaling")
    rows = [scaled_penalty(diff, null, scaling) for diff, null in
            _changes(au, mdp, noop, deviation, baseline, horizon, start)]  # fmt: skip
    return rows[0] if baseline != "inaction" else np.vstack(rows)


def _changes(au, mdp, noop, deviation, baseline="stepwise", horizon=DEFAULT_HORIZON, start=None):
    """(diff, null) for each step's row, each (n_aux, n_pairs).

    The signed changes Q_i(s, a) − B_i and the baselines B_i; an episode's end
    changes nothing.
    """
    _choice(deviation, DEVIATIONS, "deviation")
    _choice(baseline, BASELINES, "baseline")
    _check_same_mdp(au, mdp)
    if baseline == "stepwise":
        nulls = [au.after[:, noop_pairs(mdp, noop)][:, mdp.pair_states]]
    else:
        nulls = baseline_utilities(au, mdp, baseline, horizon=horizon, start=start, noop=noop)
    live = ~episode_ends(mdp)[mdp.pair_states]
    for null in nulls:
        null = np.broadcast_to(null, au.after.shape)
        diff = np.where(live, au.after - null, 0.0)
        if deviation == "decrease":
            diff = np.minimum(diff, 0.0)
        yield diff, null


def aup_penalty_stderr(
    au: AttainableUtility,
    mdp: MDP,
    *,
    noop: Hashable = "stay",
    deviation: str = "absolute",
    scaling: str = "per-au",
    baseline: str = "stepwise",
    horizon: int = DEFAULT_HORIZON,
    start: Any = None,
) -> np.ndarray:
    """The standard error of :func:`aup_penalty` over the draws of the auxiliary rewards.

    The auxiliary rewards are independent draws, so each penalty is an estimate of its
    expectation over the reward distribution. ``"per-au"`` and ``"none"`` average one
    term per reward: the standard error is their standard deviation over √n.
    ``"summed"`` is a ratio of two means, mean_i |diff_i| / mean_i |B_i|: its
    standard error is the delta method's.

    Parameters
    ----------
    au : AttainableUtility
        At least two auxiliary rewards.
    mdp : MDP
        The environment `au` was computed on.
    noop : hashable, default "stay"
        The no-op action ∅.
    deviation : {"absolute", "decrease"}, default "absolute"
        As for :func:`aup_penalty`.
    scaling : {"per-au", "summed", "none"}, default "per-au"
        As for :func:`aup_penalty`.
    baseline : {"stepwise", "start", "inaction"}, default "stepwise"
        As for :func:`aup_penalty`.
    horizon : int, default 9
        As for :func:`aup_penalty`.
    start : state, optional
        As for :func:`aup_penalty`.

    Returns
    -------
    numpy.ndarray
        The shape of :func:`aup_penalty`'s.

    Examples
    --------
    >>> from powerseek import load
    >>> from powerseek.impact import attainable_utility
    >>> box = load("aup-box")
    >>> au = attainable_utility(box, 0.996, n_aux=30, rng=0)
    >>> penalty, stderr = aup_penalty(au, box), aup_penalty_stderr(au, box)
    >>> bool((stderr <= penalty + 1e-12).all()), float(stderr.max()) < 0.1
    (True, True)
    """
    _choice(scaling, SCALINGS, "scaling")
    n = au.n_aux
    if n < 2:
        raise InvalidParameterError(
            f"a standard error needs at least 2 auxiliary rewards; `au` holds {n}."
        )
    rows = [_stderr(diff, null, scaling, n) for diff, null in
            _changes(au, mdp, noop, deviation, baseline, horizon, start)]  # fmt: skip
    return rows[0] if baseline != "inaction" else np.vstack(rows)


def _stderr(diff: np.ndarray, null: np.ndarray, scaling: str, n: int) -> np.ndarray:
    gap, scale = np.abs(diff), np.abs(null)
    if scaling != "summed":
        terms = gap if scaling == "none" else gap / np.where(scale == 0, 1.0, scale)
        return terms.std(axis=0, ddof=1) / np.sqrt(n)
    # ratio r = mean(gap) / mean(scale): Var r ≈ (Var gap − 2r Cov + r² Var scale) / (n mean²)
    top, bottom = gap.mean(axis=0), scale.mean(axis=0)
    bottom = np.where(bottom == 0, 1.0, bottom)  # as the penalty reads a zero sum
    ratio = top / bottom
    cov = ((gap - top) * (scale - scale.mean(axis=0))).sum(axis=0) / (n - 1)
    var = gap.var(axis=0, ddof=1) - 2 * ratio * cov + ratio**2 * scale.var(axis=0, ddof=1)
    return np.sqrt(np.maximum(var, 0.0) / n) / bottom


def _check_same_mdp(au: AttainableUtility, mdp: MDP) -> None:
    if len(au.states) != mdp.n_states or au.after.shape[1] != mdp.n_pairs:
        raise InvalidParameterError(
            "`au` was computed on another MDP: it has "
            f"{len(au.states)} states and {au.after.shape[1]} pairs, the MDP "
            f"{mdp.n_states} and {mdp.n_pairs}."
        )


def scaled_penalty(diff: np.ndarray, null: np.ndarray, scaling: str) -> np.ndarray:
    """The penalty of each column of `diff` (n_aux, m) against its baseline `null`.

    ``"per-au"``: mean_i |diff_i| / |null_i| (a zero scale read as one); ``"summed"``:
    Σ_i |diff_i| / Σ_i |null_i| (a zero sum read as one); ``"none"``: mean_i |diff_i|.

    Parameters
    ----------
    diff : numpy.ndarray, shape (n_aux, m)
        The changes of attainable utility (already signed by the deviation).
    null : numpy.ndarray, shape (n_aux, m)
        The baseline's attainable utility.
    scaling : {"per-au", "summed", "none"}

    Returns
    -------
    numpy.ndarray, shape (m,)

    Examples
    --------
    >>> diff, null = np.array([[-2.0], [1.0]]), np.array([[2.0], [1.0]])
    >>> [scaled_penalty(diff, null, s).tolist() for s in SCALINGS]
    [[1.0], [1.0], [1.5]]
    """
    _choice(scaling, SCALINGS, "scaling")
    if scaling == "none":
        return np.mean(np.abs(diff), axis=0)
    scale = np.abs(null)
    if scaling == "per-au":
        return np.mean(np.abs(diff) / np.where(scale == 0, 1.0, scale), axis=0)
    total = scale.sum(axis=0)
    return np.abs(diff).sum(axis=0) / np.where(total == 0, 1.0, total)


def aup_conv_penalty(au: AttainableUtility, mdp: MDP, *, noop: Hashable = "stay") -> np.ndarray:
    """AUP_conv: the penalty on gaining power over the agent's own reward.

    "AUP: Scaling to Superhuman", eq. 5, for the agent's own reward R (one auxiliary
    reward in `au`, usually the task reward)::

        max(E_{s'}[V*_R(s')] − E_{s''}[V*_R(s'')], 0) / (V*_R(s) − Q*_R(s, ∅))

    s' after the action, s'' after ∅. In powerseek's convention
    V*_R(s) − Q*_R(s, ∅) = γ (max_a E V*_R(s'_a) − E V*_R(s'')); where it is 0 doing
    nothing is optimal, no action gains over it, and the penalty is 0.

    Parameters
    ----------
    au : AttainableUtility
        The attainable utility of the agent's own reward (one row).
    mdp : MDP
        The environment `au` was computed on.
    noop : hashable, default "stay"
        The no-op action ∅.

    Returns
    -------
    numpy.ndarray, shape (n_pairs,)

    Examples
    --------
    >>> from powerseek import MDP
    >>> from powerseek.impact import attainable_utility
    >>> mdp = MDP({"room": {"stay": "room", "smash": "hall"}, "hall": {"stay": "hall"}})
    >>> au = attainable_utility(mdp, 0.5, [[0.0, 1.0]])
    >>> aup_conv_penalty(au, mdp).round(6).tolist()   # smashing gains all there is to gain
    [0.0, 2.0, 0.0]
    """
    if au.n_aux != 1:
        raise InvalidParameterError(
            f"`au` must hold one reward, the agent's own, for AUP_conv; it holds {au.n_aux}."
        )
    _check_same_mdp(au, mdp)
    after = au.after[0]
    null = after[noop_pairs(mdp, noop)]
    gap = au.gamma * (au.utility()[0] - null)  # V*(s) − Q*(s, ∅), at least 0
    gain = np.maximum(after - null[mdp.pair_states], 0.0)
    below = gap[mdp.pair_states]
    return np.divide(gain, below, out=np.zeros_like(gain), where=below > 0)


class Outcome(dict):
    """What a policy does from the start: a dict with attribute access.

    Keys: ``path`` (states visited, the start first; deterministic worlds),
    ``steps``, ``return`` (the discounted task reward), ``ended`` (whether an
    episode's end is reached), ``goal`` (whether it ends on a goal cell, for an
    object level), ``side_effects`` (each side effect the level names -> whether it
    occurs, or its probability in a stochastic world), ``features`` (the same
    for every feature of the level) and ``performance`` (the source's score: the
    task rewards summed over the episode without discount plus the level's hidden
    rewards, expected in a stochastic world; None for a level without hidden
    rewards or where the sum has no end).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _features(mdp: MDP) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """An object level's features over the states, and the side effects it names."""
    level = mdp.metadata.get("level")
    if not isinstance(level, ObjectLevel):
        return {}, ()
    return level.features(mdp), tuple(level.side_effects)


def follow(mdp: MDP, policy: np.ndarray, start: int, horizon: int | None = None) -> list[int]:
    """The states a deterministic policy visits from `start`, `start` first.

    `policy` is one pair per state, or one row per step (the last row for every
    later step). Up to an episode's end, or `horizon` steps, or (without
    `horizon`) the first state visited twice once the policy no longer changes,
    where the path turns into a cycle.
    """
    ends, succ = episode_ends(mdp), mdp.successor_indices
    rows = np.atleast_2d(policy)
    last = rows.shape[0] - 1
    path, seen, s = [start], set(), start
    for step in range(last + mdp.n_states if horizon is None else int(horizon)):
        if ends[s]:
            break
        if step >= last:
            seen.add(s)
        s = int(succ[rows[min(step, last), s]])
        path.append(s)
        if horizon is None and s in seen:
            break
    return path


def stochastic_outcome(mdp: MDP, policy: np.ndarray, start: int, **extra: Any) -> Outcome:
    """The :class:`Outcome` of a policy from `start` in a stochastic world.

    `policy` is one pair per state, or one row per step (the last row for every
    later step). Its ``goal`` and each feature are the probabilities of ever
    reaching them.
    """
    features, declared = _features(mdp)
    level = mdp.metadata.get("level")
    targets = dict(features)
    if isinstance(level, ObjectLevel) and level.goal_cells:
        ends = episode_ends(mdp)
        targets[None] = np.array(
            [bool(e) and s.state.agent in level.goal_cells for e, s in zip(ends, mdp.states)]
        )
    hit = {name: _ever(mdp, policy, target, start) for name, target in targets.items()}
    goal = hit.pop(None, 0.0)
    return Outcome(
        steps=None,
        goal=goal,
        ended=None,
        side_effects={n: hit[n] for n in declared},
        features=hit,
        performance=expected_performance(mdp, policy, start, hit),
        **extra,
    )


def _ever(mdp: MDP, policy: np.ndarray, target: np.ndarray, start: int) -> float:
    """The probability that a deterministic (staged) policy from `start` enters `target`."""
    from ..agents import chain_hitting_probabilities

    T = mdp.transition_matrix
    rows = np.atleast_2d(policy)
    target = np.asarray(target, dtype=bool)
    h = chain_hitting_probabilities(T[rows[-1]], target)  # from the last step on: a fixed chain
    for row in rows[-2::-1]:  # each earlier step: one step of its own policy, then h
        h = np.where(target, 1.0, T[row] @ h)
    return float(h[start])


def trajectory_outcome(mdp: MDP, path: list[int], ret: float, **extra: Any) -> Outcome:
    """The :class:`Outcome` of a deterministic trajectory (state indices, the start first)."""
    ends = episode_ends(mdp)
    features, declared = _features(mdp)
    last = path[-1]
    level = mdp.metadata.get("level")
    goal = bool(ends[last] and features and mdp.states[last].state.agent in level.goal_cells)
    occurred = {n: bool(f[path].any()) for n, f in features.items()}
    return Outcome(
        path=[mdp.states[i] for i in path],
        steps=len(path) - 1,
        ended=bool(ends[last]),
        goal=goal,
        side_effects={n: occurred[n] for n in declared},
        features=occurred,
        performance=path_performance(mdp, path, occurred),
        **{"return": ret},
        **extra,
    )


@compact_repr
@dataclass(frozen=True)
class PenalizedPolicy(Tabular):
    """The policy optimal for a task reward minus λ times a penalty, exactly.

    Attributes
    ----------
    states : tuple
        The MDP's states.
    gamma : float
    lam : float
        λ, the weight of the penalty.
    q : numpy.ndarray, shape (n_pairs,) or (stage_horizon + 1, n_pairs)
        Q(s, a) = r(s, a) − λ·penalty(s, a) + γ E V(s'), with r the task reward of
        the state arrived in; 0 at an episode's end.
    values : numpy.ndarray, shape (n_states,) or (stage_horizon + 1, n_states)
        V(s) = max_a Q(s, a).
    policy : numpy.ndarray of int, shape (n_states,) or (stage_horizon + 1, n_states)
        Each state's chosen pair: the first action within floating-point noise of the best.
    error_bound : float
        Certified bound on (1 − γ)·|V − V*| (the Bellman residual).
    iterations : int
        Policy-iteration steps.
    task : numpy.ndarray, shape (n_states,)
        The task reward on arrival.
    stage_horizon : int or None
        None for a penalty that is the same at every step. For a penalty that
        depends on the step (the inaction baseline), H: row t of `q`, `values` and
        `policy` is step t, and row H serves every step from H on.
    """

    states: tuple
    gamma: float
    lam: float
    q: np.ndarray
    values: np.ndarray
    policy: np.ndarray
    error_bound: float
    iterations: int
    task: np.ndarray
    stage_horizon: int | None = None

    def outcome(self, mdp: MDP, *, start: Any = None, horizon: int | None = None) -> Outcome:
        """Follow the policy from `start` (default the MDP's start) and report what happens.

        Parameters
        ----------
        mdp : MDP
            The environment the policy was computed on.
        start : state, optional
            Where to start; default ``mdp.metadata["start"]``, else the first state.
        horizon : int, optional
            Steps to follow in a deterministic world (default: until an episode's
            end, or until a state repeats).

        Returns
        -------
        Outcome
        """
        s = start_index(mdp, start)
        value = float(np.atleast_2d(self.values)[0, s])
        if not mdp.is_deterministic:
            return stochastic_outcome(mdp, self.policy, s, value=value)
        path = follow(mdp, self.policy, s, horizon)
        ret, g = 0.0, 1.0
        for state in path[1:]:
            ret += g * self.task[state]
            g *= self.gamma
        return trajectory_outcome(mdp, path, ret)

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return {**cell_columns(self.states), "value": np.atleast_2d(self.values)[0]}, {
            "gamma": self.gamma,
            "lambda": self.lam,
            "error_bound": self.error_bound,
        }

    def _repr_html_(self) -> str:
        from .._display import table_html

        start = np.atleast_2d(self.values)[0]
        rows = [[str(s), float(v)] for s, v in zip(self.states, start, strict=True)]
        return table_html(
            ["state", "value"],
            rows,
            caption=f"the penalised-optimal agent's values, λ = {self.lam:g}, γ = {self.gamma:g}",
        )

    def to_frame(self):
        """One row per state: its value under the penalised reward (at step 0).

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())


def _task_reward(mdp: MDP, task: Any) -> np.ndarray:
    if task is None:
        level = mdp.metadata.get("level")
        if not isinstance(level, ObjectLevel):
            raise InvalidParameterError(
                "`task` is needed: this MDP is not an object level with a task reward of its own."
            )
        return level.task_reward(mdp)
    r = np.asarray(task, dtype=float)
    if r.shape != (mdp.n_states,) or not np.isfinite(r).all():
        raise InvalidParameterError(
            f"`task` must be one finite reward per state ({mdp.n_states}); got shape {r.shape}."
        )
    return r


def penalized_policy(
    mdp: MDP,
    gamma: float,
    penalty: Any = None,
    *,
    lam: float = 1.0,
    task: Any = None,
) -> PenalizedPolicy:
    """The optimal policy of R_task(s, a) − λ·penalty(s, a), by policy iteration.

    The task reward is paid on arrival (an object level's
    :meth:`~powerseek.mdp.ObjectLevel.task_reward`), an episode's end pays nothing
    after, and each policy is evaluated by a sparse LU solve; the iteration stops
    when no action beats the policy's by more than floating-point noise.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in (0, 1)
        The agent's discount (Conservative Agency: 0.996).
    penalty : array_like, shape (n_pairs,) or (H + 1, n_pairs), optional
        The penalty of each state-action pair (:func:`aup_penalty`); default none.
        With one row per step (``aup_penalty(..., baseline="inaction")``), row t is
        paid at step t and row H at every later step: the policy is then optimal
        over (state, step), found by policy iteration for steps H and on and
        backward induction before.
    lam : float, default 1.0
        λ ≥ 0.
    task : array_like, shape (n_states,), optional
        The task reward on arrival in each state; default the object level's.

    Returns
    -------
    PenalizedPolicy
        With rows per step when `penalty` has them (``stage_horizon``).

    Examples
    --------
    Smashing through to a reward of 1 costs a penalty of 1 (see :func:`aup_penalty`):
    worth it at λ = 0.3, not at λ = 3.

    >>> from powerseek import MDP
    >>> mdp = MDP({"room": {"stay": "room", "smash": "hall"}, "hall": {"stay": "hall"}})
    >>> penalty = [0.0, 1.0, 0.0]
    >>> for lam in (0.3, 3.0):
    ...     agent = penalized_policy(mdp, 0.5, penalty, lam=lam, task=[0.0, 1.0])
    ...     print(lam, mdp.actions[0][agent.policy[0]], agent.values.round(6).tolist())
    0.3 smash [1.7, 2.0]
    3.0 stay [0.0, 2.0]

    A penalty that falls away after the first step: the agent waits a step, then
    smashes.

    >>> agent = penalized_policy(mdp, 0.5, [penalty, [0.0, 0.0, 0.0]], lam=3.0, task=[0.0, 1.0])
    >>> [mdp.actions[0][agent.policy[t, 0]] for t in (0, 1)], agent.stage_horizon
    (['stay', 'smash'], 1)
    """
    gamma = check_gamma(gamma)
    if not 0 < gamma < 1:
        raise InvalidParameterError(f"`gamma` must be in (0, 1); got {gamma!r}.")
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not lam >= 0:
        raise InvalidParameterError(f"`lam` must be a number at least 0; got {lam!r}.")
    r = _task_reward(mdp, task)
    p = np.zeros(mdp.n_pairs) if penalty is None else np.asarray(penalty, dtype=float)
    staged = p.ndim == 2
    p = np.atleast_2d(p)
    if p.ndim != 2 or p.shape[1:] != (mdp.n_pairs,) or not p.size or not np.isfinite(p).all():
        raise InvalidParameterError(
            "`penalty` must be one finite number per state-action pair "
            f"({mdp.n_pairs}), or one such row per step; got shape {np.shape(penalty)}."
        )
    T = mdp.transition_matrix
    ends = episode_ends(mdp)
    alive = (~ends)[mdp.pair_states]
    rewards = np.where(alive, T @ r - lam * p, 0.0)  # one row per step
    # continuation only from states that are not an episode's end
    T_live = sp.csr_array(T.multiply(alive[:, None]))
    offsets = mdp.pair_offsets
    margin = 64 * np.finfo(float).eps * max(float(np.abs(rewards).max(initial=0.0)), 1e-300)
    margin /= 1 - gamma
    q, V, policy, residual, iterations = _howard(rewards[-1], T_live, offsets, gamma, margin)
    if not staged:
        return PenalizedPolicy(
            tuple(mdp.states), gamma, float(lam), q, V, policy, residual, iterations, r
        )
    # the steps before the last row: backward induction over (state, step). Each step
    # is one exact Bellman backup, so its error is at most γ times the next step's.
    qs, Vs, policies = [q], [V], [policy]
    for reward in rewards[-2::-1]:
        q = reward + gamma * (T_live @ Vs[-1])
        qs.append(q)
        Vs.append(np.maximum.reduceat(q, offsets[:-1]))
        policies.append(_first_best(q, offsets, margin))
    return PenalizedPolicy(
        tuple(mdp.states), gamma, float(lam), np.vstack(qs[::-1]), np.vstack(Vs[::-1]),
        np.vstack(policies[::-1]), residual, iterations, r, stage_horizon=p.shape[0] - 1,
    )  # fmt: skip


def _howard(reward, T_live, offsets, gamma, margin):
    """Howard's policy iteration for pair rewards: (q, V, policy, residual, iterations)."""
    from scipy.sparse.linalg import spsolve

    n_states = offsets.size - 1
    V = np.zeros(n_states)
    q = reward + gamma * (T_live @ V)
    policy = _first_best(q, offsets, margin)
    identity = sp.identity(n_states, format="csc")
    iterations = 0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        P = T_live[policy]
        V = np.atleast_1d(spsolve(sp.csc_array(identity - gamma * P), reward[policy]))
        q = reward + gamma * (T_live @ V)
        best = np.maximum.reduceat(q, offsets[:-1])
        chosen = q[policy]
        improve = best > chosen + margin
        if not improve.any():
            break
        better = _first_best(q, offsets, margin)
        policy = np.where(improve, better, policy)
    if improve.any():
        raise InvalidParameterError(
            f"policy iteration did not settle in {MAX_ITERATIONS} steps; check the penalty."
        )
    return q, V, policy, float(np.abs(best - V).max(initial=0.0)), iterations


def _first_best(q: np.ndarray, offsets: np.ndarray, margin: float) -> np.ndarray:
    """Each state's first pair within `margin` of its best Q."""
    best = np.maximum.reduceat(q, offsets[:-1])
    states = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
    within = q >= best[states] - margin
    first = np.flatnonzero(within)
    # pairs are in state order, so each state's first qualifying pair comes first
    out = np.empty(offsets.size - 1, dtype=np.int64)
    order = np.unique(states[first], return_index=True)[1]
    out[states[first][order]] = first[order]
    return out
