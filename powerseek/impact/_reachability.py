"""Reachability of every state from every state: the auxiliary set of relative reachability.

Krakovna et al.'s reachability of y from x is R(x; y) = max_π E[γ_r^{N_π(x, y)}], N the
steps π takes to reach y (γ_r = 1: whether y can be reached at all). It is the
attainable utility of the indicator reward of y, received on arrival, which is how
Conservative Agency's code builds its relative-reachability agent: one auxiliary
reward per state, its Q-values clipped to [0, 1]. An episode's end leads nowhere.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from typing import Any

import numpy as np

from ..exceptions import InvalidParameterError
from ..mdp import MDP
from ._attainable import AttainableUtility, episode_ends, noop_pairs
from ._baselines import (
    BASELINES,
    DEFAULT_HORIZON,
    check_horizon,
    inaction_baseline,
    start_index,
)
from ._penalties import _choice

__all__ = ["MAX_REACHABILITY_STATES", "reachability", "unreachability_penalty"]

#: Most states whose all-pairs reachability is computed without asking (n² numbers).
MAX_REACHABILITY_STATES = 5000
#: Value sweeps before giving up (a deterministic world needs its longest shortest path).
MAX_SWEEPS = 100_000


def reachability(
    mdp: MDP, gamma: float | None = None, *, tol: float = 1e-12, max_states: int | None = None
) -> AttainableUtility:
    """The reachability of every state, as the attainable utility of its indicator.

    Auxiliary reward y is 1 on arrival in state y. Its Q-values are
    Q_y(s, a) = E_{s'}[R(s'; y)] with R(s'; y) = 1 if s' = y, 0 at another episode's
    end, and γ_r max_b Q_y(s', b) otherwise: in a deterministic world γ_r^d, d the
    fewest steps from s' to y.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in (0, 1], optional
        γ_r; None (or 1) for undiscounted reachability (1 if y can be reached, else 0).
    tol : float, default 1e-12
        Value iteration stops when no value changes by more than this (a
        deterministic world's values are exact once the longest shortest path is
        covered).
    max_states : int, optional
        Refuse a world of more states (default :data:`MAX_REACHABILITY_STATES`:
        the result holds n_states × n_pairs numbers).

    Returns
    -------
    AttainableUtility
        One auxiliary reward per state (``rewards`` the identity), ``after`` the
        Q_y above and ``values`` R(s; y) for y ≠ s (1 at s = y); ``gamma`` is γ_r.

    See Also
    --------
    aup_penalty : With ``deviation="decrease", scaling="none"`` against the stepwise
        baseline it is relative reachability.

    Examples
    --------
    A corridor a → b → c: c is reachable from a in two steps, a from nowhere else.

    >>> from powerseek import MDP
    >>> mdp = MDP({"a": {"go": "b"}, "b": {"go": "c"}, "c": {"stay": "c"}})
    >>> reach = reachability(mdp, 0.5)
    >>> reach.values.T.round(6).tolist()      # row: from; column: to
    [[1.0, 0.5, 0.25], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]]
    >>> reachability(mdp).values.T.tolist()
    [[1.0, 1.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    """
    if gamma is None:
        gamma = 1.0
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or not 0 < gamma <= 1:
        raise InvalidParameterError(f"`gamma` must be in (0, 1] or None; got {gamma!r}.")
    limit = MAX_REACHABILITY_STATES if max_states is None else max_states
    n = mdp.n_states
    if n > limit:
        raise InvalidParameterError(
            f"reachability of every state from every state holds {n} x {mdp.n_pairs} numbers "
            f"({8 * n * (n + mdp.n_pairs) / 2**30:.2g} GiB) for {n} states, over "
            f"`max_states` = {limit}; raise `max_states` to compute it."
        )
    ends = episode_ends(mdp)
    T = mdp.transition_matrix
    target = np.eye(n)
    R = target.copy()  # R[s', y], from below: 1 at y, 0 elsewhere
    # from below, the values rise to R; in a deterministic world they are γ_r^d, exact
    # once d covers the longest shortest path, and the change is then exactly 0
    for _ in range(MAX_SWEEPS):
        Q = np.asarray(T @ R)
        U = np.maximum.reduceat(Q, mdp.pair_offsets[:-1], axis=0)
        new = np.where(target == 1, 1.0, np.where(ends[:, None], 0.0, float(gamma) * U))
        change = float(np.abs(new - R).max(initial=0.0))
        R = new
        if change <= tol:
            break
    else:
        raise InvalidParameterError(
            f"reachability did not settle to `tol` = {tol:g} in {MAX_SWEEPS} sweeps (last "
            f"change {change:.3g}); raise `tol`."
        )
    after = np.asarray(T @ R).T  # (n_aux = n, n_pairs)
    after[:, ends[mdp.pair_states]] = 0.0
    return AttainableUtility(
        tuple(mdp.states),
        float(gamma),
        np.eye(n),
        np.ascontiguousarray(R.T),
        np.ascontiguousarray(after),
        ends,
        # a contraction's last change c bounds (1 − γ_r)·|R − R*| by γ_r·c; at γ_r = 1 the
        # values rise monotonically and a deterministic world's settle exactly (c = 0)
        gamma * change,
        np.asarray(mdp.pair_offsets),
    )


def unreachability_penalty(
    reach: AttainableUtility,
    mdp: MDP,
    *,
    noop: Hashable = "stay",
    baseline: str = "stepwise",
    horizon: int = DEFAULT_HORIZON,
    start: Any = None,
) -> np.ndarray:
    """Unreachability of the baseline: 1 − R(s'; b) for each action.

    Krakovna et al.'s d_UR(s'; b) = 1 − R(s'; b), with s' the state the action
    arrives in and b the baseline's state then (in a stochastic world, both
    averaged over the arrivals): the state doing nothing arrives in
    (``"stepwise"``), the starting state (``"start"``), or the state t + 1 no-ops
    from the start reach at step t (``"inaction"``; see :func:`inaction_baseline`).
    An episode's end is not penalised.

    Parameters
    ----------
    reach : AttainableUtility
        :func:`reachability` of `mdp`.
    mdp : MDP
        The environment.
    noop : hashable, default "stay"
        The no-op action.
    baseline : {"stepwise", "start", "inaction"}, default "stepwise"
    horizon : int, default 9
        ``"inaction"``: the steps over which the baseline moves.
    start : state, optional
        ``"start"`` and ``"inaction"``: the starting state; default
        ``mdp.metadata["start"]``, else the first state.

    Returns
    -------
    numpy.ndarray
        Shape (n_pairs,), or (horizon + 1, n_pairs) for ``"inaction"``, row t the
        penalty at step t, as :func:`aup_penalty`.

    Examples
    --------
    >>> from powerseek import MDP
    >>> mdp = MDP({"room": {"stay": "room", "smash": "hall"}, "hall": {"stay": "hall"}})
    >>> unreachability_penalty(reachability(mdp), mdp).tolist()   # the room is lost
    [0.0, 1.0, 0.0]
    """
    _choice(baseline, BASELINES, "baseline")
    if reach.after.shape != (mdp.n_states, mdp.n_pairs) or not np.array_equal(
        reach.rewards, np.eye(mdp.n_states)
    ):
        raise InvalidParameterError(
            "`reach` must be the reachability of this MDP's every state (reachability(mdp))."
        )
    live = ~episode_ends(mdp)[mdp.pair_states]
    if baseline == "stepwise":
        # P(b | s) of waiting, per pair's state; reach.after[b, p] = E_{s'|p}[R(s'; b)]
        waiting = mdp.transition_matrix[noop_pairs(mdp, noop)][mdp.pair_states]
        expected = np.asarray(waiting.multiply(reach.after.T).sum(axis=1)).ravel()
        return np.where(live, 1.0 - expected, 0.0)
    if baseline == "start":
        return np.where(live, 1.0 - reach.after[start_index(mdp, start)], 0.0)
    rows, _ = inaction_baseline(mdp, check_horizon(horizon) + 1, start=start, noop=noop)
    return np.where(live, 1.0 - rows[1:] @ reach.after, 0.0)  # row t: P(b at step t + 1)
