"""What an action's attainable utility is compared with: the impact baselines.

An impact penalty compares the world the agent makes with a *baseline* world
(Krakovna et al., "Penalizing side effects using stepwise relative reachability",
2019, §2; Conservative Agency's ``baseline`` argument). Taking action a in state s
at step t arrives in s' at step t + 1, and each auxiliary reward's utility there,
E V*_i(s'), is compared with V*_i of the baseline's state at step t + 1:

- ``"stepwise"``: the state one no-op from s would reach (stepwise inaction), so
  the comparison is Q_i(s, a) − Q_i(s, ∅), the same at every step;
- ``"start"``: the starting state s_0, the same at every step;
- ``"inaction"``: the state that t + 1 no-ops from s_0 reach, which moves with
  time (a distribution over states in a stochastic world, compared in expectation).

The inaction baseline makes the penalty depend on the step: the agent's problem is
then an MDP over (state, step). Steps are counted up to a horizon H, after which
the baseline is held where it is at H; when the no-op world from s_0 settles
before H (as on every level with a fixed point reached in fewer than H no-ops)
this is exact, and :func:`inaction_baseline` says when it settles.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from typing import Any

import numpy as np

from ..exceptions import InvalidParameterError
from ..mdp import MDP
from ._attainable import AttainableUtility, noop_pairs

__all__ = ["BASELINES", "DEFAULT_HORIZON", "inaction_baseline"]

#: What the attainable utility after an action is compared with.
BASELINES = ("stepwise", "start", "inaction")
#: Steps Conservative Agency's planning agent looks ahead, and the steps over which
#: the penalised agent follows a moving (inaction) baseline.
DEFAULT_HORIZON = 9


def check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral) or horizon < 1:
        raise InvalidParameterError(f"`horizon` must be a positive integer; got {horizon!r}.")
    return int(horizon)


def start_index(mdp: MDP, start: Any = None) -> int:
    """The index of `start`, default ``mdp.metadata["start"]``, else the first state."""
    return mdp.index(mdp.metadata.get("start", mdp.states[0]) if start is None else start)


def inaction_baseline(
    mdp: MDP, steps: int, *, start: Any = None, noop: Hashable = "stay"
) -> tuple[np.ndarray, int | None]:
    """Where doing nothing from the start leaves the world, step by step.

    Parameters
    ----------
    mdp : MDP
        The environment, with a no-op in every state but an episode's end.
    steps : int
        The last step to compute.
    start : state, optional
        Default ``mdp.metadata["start"]``, else the first state.
    noop : hashable, default "stay"
        The no-op action.

    Returns
    -------
    distributions : numpy.ndarray, shape (steps + 1, n_states)
        Row t: the probability of each state after t no-ops.
    settled : int or None
        The first step t ≤ `steps` − 1 from which the distribution no longer changes
        (row t equals row t + 1, so every later row too), or None if it still
        changes at `steps`.

    See Also
    --------
    powerseek.impact.aup_penalty : Penalties against this baseline.

    Examples
    --------
    On the conveyor level the vase rides the belt to its end, where it breaks on
    the fourth step; the world stays as it is from then on.

    >>> from powerseek import load
    >>> mdp = load("aup-conveyor-vase")
    >>> rows, settled = inaction_baseline(mdp, 9)
    >>> rows.shape[0], settled, float(rows[settled].max())
    (10, 4, 1.0)
    """
    steps = check_horizon(steps)
    T = mdp.transition_matrix[noop_pairs(mdp, noop)]  # an episode's end keeps its one pair
    rows = np.zeros((steps + 1, mdp.n_states))
    rows[0, start_index(mdp, start)] = 1.0
    for t in range(steps):
        rows[t + 1] = T.T @ rows[t]
    # a Markov chain's distribution is fixed once two consecutive rows agree
    same = np.flatnonzero(np.abs(np.diff(rows, axis=0)).max(axis=1) <= 1e-15)
    return rows, (int(same[0]) if same.size else None)


def baseline_utilities(
    au: AttainableUtility,
    mdp: MDP,
    baseline: str,
    *,
    horizon: int,
    start: Any = None,
    noop: Hashable = "stay",
) -> list[np.ndarray]:
    """V*_i of the baseline state at arrival, one (n_aux, 1) column per step.

    ``"start"``: one column, V*_i(s_0). ``"inaction"``: horizon + 1 columns, column
    t the expectation of V*_i after t + 1 no-ops from s_0 (the last also serving
    every later step). Not for ``"stepwise"``, whose baseline is per state.
    """
    s0 = start_index(mdp, start)
    if baseline == "start":
        return [au.values[:, [s0]]]
    rows, _ = inaction_baseline(mdp, check_horizon(horizon) + 1, start=start, noop=noop)
    return [au.values @ rows[t + 1][:, None] for t in range(horizon + 1)]
