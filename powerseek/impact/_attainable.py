"""Attainable utility: what an agent can still get, for many auxiliary rewards at once.

For an auxiliary reward R_i, V*_i is its optimal value (powerseek's convention: a
state's reward and then the best continuation, V = R + γ max_a E V). Conservative
Agency's attainable-utility Q-values pay a reward on arrival, Q_i(s, a) = R_i(s') +
γ max_a' Q_i(s', a'), which is E_{s'}[V*_i(s')] in that convention: the utility
attainable *after* taking a. An episode's end (a state labelled
:class:`~powerseek.mdp.Ended`, as object levels and simulators end them) pays its
reward once on arrival and nothing after, as in the sources, where the Q-values of
a final board stay at zero.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gamma
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..frames import Tabular, cell_columns, data_frame
from ..mdp import MDP, Ended
from ..rewards import IID, RewardDistribution, sample

__all__ = ["AttainableUtility", "attainable_utility", "episode_ends", "noop_pairs"]

#: Auxiliary rewards drawn by default: the Conservative Agency code's default set size.
DEFAULT_AUX = 30


def episode_ends(mdp: MDP) -> np.ndarray:
    """Which states end an episode: those labelled :class:`~powerseek.mdp.Ended`.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    numpy.ndarray of bool, shape (n_states,)

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("aup-box")
    >>> int(episode_ends(mdp).sum()) > 0, bool(episode_ends(load("candy-wait")).any())
    (True, False)
    """
    return np.fromiter((isinstance(s, Ended) for s in mdp.states), bool, mdp.n_states)


def noop_pairs(mdp: MDP, noop: Hashable = "stay") -> np.ndarray:
    """Each state's no-op pair index (an episode's end: its one pair).

    Parameters
    ----------
    mdp : MDP
        The environment.
    noop : hashable, default "stay"
        The name of the no-op action.

    Returns
    -------
    numpy.ndarray of int, shape (n_states,)

    Raises
    ------
    InvalidParameterError
        A state (other than an episode's end) has no action named `noop`.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("aup-box")
    >>> pairs = noop_pairs(mdp)
    >>> mdp.actions[0][pairs[0] - mdp.pair_offsets[0]]
    'stay'
    """
    ends = episode_ends(mdp)
    out = np.empty(mdp.n_states, dtype=np.int64)
    for s, actions in enumerate(mdp.actions):
        if ends[s]:
            out[s] = mdp.pair_offsets[s]
            continue
        try:
            out[s] = mdp.pair_offsets[s] + actions.index(noop)
        except ValueError:
            raise InvalidParameterError(
                f"state {mdp.states[s]} has no no-op action {noop!r} (its actions: "
                f"{', '.join(map(str, actions))}); this baseline compares each action with "
                "doing nothing, so the world needs one (an object level's `noop = true`)."
            ) from None
    return out


@compact_repr
@dataclass(frozen=True)
class AttainableUtility(Tabular):
    """Optimal values of a set of auxiliary rewards, and the utility each action leaves.

    Attributes
    ----------
    states : tuple
        The MDP's states.
    gamma : float
        The discount.
    rewards : numpy.ndarray, shape (n_aux, n_states)
        The auxiliary rewards R_i, on arrival.
    values : numpy.ndarray, shape (n_aux, n_states)
        V*_i: a state's reward and the best continuation (an episode's end: its reward).
    after : numpy.ndarray, shape (n_aux, n_pairs)
        Q_i(s, a) = E_{s'}[V*_i(s')], the attainable utility after the action, as the
        Conservative Agency code's Q-values; 0 at an episode's end.
    ends : numpy.ndarray of bool, shape (n_states,)
        The states that end an episode.
    error_bound : float
        Certified bound on (1 − γ)·|V − V*| over every auxiliary reward.
    pair_offsets : numpy.ndarray
        Each state's first pair, to read ``after`` by state.
    """

    states: tuple
    gamma: float
    rewards: np.ndarray
    values: np.ndarray
    after: np.ndarray
    ends: np.ndarray
    error_bound: float
    pair_offsets: np.ndarray

    @property
    def n_aux(self) -> int:
        """The number of auxiliary rewards."""
        return self.rewards.shape[0]

    def utility(self) -> np.ndarray:
        """max_a Q_i(s, a): the utility attainable from each state (0 at an episode's end).

        Returns
        -------
        numpy.ndarray, shape (n_aux, n_states)
        """
        return np.maximum.reduceat(self.after, self.pair_offsets[:-1], axis=1)

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:
        n_aux, n = self.values.shape
        states = [s for _ in range(n_aux) for s in self.states]
        columns = {
            **cell_columns(states),
            "aux": np.repeat(np.arange(n_aux), n),
            "reward": self.rewards.ravel(),
            "value": self.values.ravel(),
            "utility": self.utility().ravel(),
        }
        return columns, {"gamma": self.gamma, "error_bound": self.error_bound}

    def _repr_html_(self) -> str:
        from .._display import table_html

        utility = self.utility()
        rows = [
            [str(s), float(utility[:, i].mean()), float(utility[:, i].min()),
             float(utility[:, i].max())]
            for i, s in enumerate(self.states)
        ]  # fmt: skip
        return table_html(
            ["state", "mean utility", "least", "most"],
            rows,
            caption=f"attainable utility of {self.n_aux} auxiliary rewards, γ = {self.gamma:g}",
        )

    def to_frame(self):
        """One row per auxiliary reward and state: reward, V*, attainable utility.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())


def _aux_rewards(mdp: MDP, aux: Any, n_aux: int, rng: Any) -> np.ndarray:
    if aux is None or isinstance(aux, RewardDistribution):
        if isinstance(n_aux, bool) or not isinstance(n_aux, numbers.Integral) or n_aux < 1:
            raise InvalidParameterError(f"`n_aux` must be a positive integer; got {n_aux!r}.")
        dist = IID() if aux is None else aux
        return np.asarray(sample(dist, mdp, int(n_aux), rng=rng), dtype=float)
    try:
        R = np.array(aux, dtype=float, ndmin=2)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            "`aux` must be a reward distribution or an array of auxiliary rewards "
            f"(n_aux, n_states); got {type(aux).__name__}."
        ) from None
    if R.ndim != 2 or R.shape[1] != mdp.n_states:
        raise InvalidParameterError(
            f"`aux` must have shape (n_aux, {mdp.n_states}), one reward per state; got {R.shape}."
        )
    if not np.isfinite(R).all():
        raise InvalidParameterError("`aux` holds a value that is not finite.")
    return R


def attainable_utility(
    mdp: MDP,
    gamma: float,
    aux: Any = None,
    *,
    n_aux: int = DEFAULT_AUX,
    rng: Any = None,
    tol: float = 1e-9,
    kernel: str = "auto",
) -> AttainableUtility:
    """Attainable utility of a set of auxiliary rewards, solved together.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in (0, 1)
        The auxiliary agents' discount (Conservative Agency: 0.996).
    aux : RewardDistribution or array_like (n_aux, n_states), optional
        The auxiliary rewards, or the distribution they are drawn from (default
        IID uniform on [0, 1] per state, as Conservative Agency draws them).
    n_aux : int, default 30
        How many to draw from a distribution.
    rng : None, int or numpy.random.Generator
        Seed of the draws.
    tol : float, default 1e-9
        Solver tolerance on the scale (1 − γ)·V (:func:`powerseek.solve`).
    kernel : {"auto", "compiled", "numpy"}, default "auto"
        Where deterministic policy iteration runs (:func:`powerseek.solve`).

    Returns
    -------
    AttainableUtility

    See Also
    --------
    powerseek.power : The mean attainable utility over a reward distribution.

    Examples
    --------
    A corridor a - b - c where c ends the episode: the utility attainable after
    moving right from b is R(c), paid once.

    >>> from powerseek import MDP
    >>> from powerseek.mdp import Ended
    >>> mdp = MDP({"a": {"stay": "a", "right": "b"}, "b": {"stay": "b", "right": Ended("c")},
    ...            Ended("c"): {"stay": Ended("c")}})
    >>> au = attainable_utility(mdp, 0.5, [[0.0, 0.0, 1.0]])
    >>> au.values.round(6).tolist()
    [[0.25, 0.5, 1.0]]
    >>> au.after.round(6).tolist()      # a: stay, right; b: stay, right; c: its end
    [[0.25, 0.5, 0.5, 1.0, 0.0]]
    """
    from ..solvers import solve

    gamma = check_gamma(gamma)
    if not 0 < gamma < 1:
        raise InvalidParameterError(f"`gamma` must be in (0, 1); got {gamma!r}.")
    R = _aux_rewards(mdp, aux, n_aux, rng)
    ends = episode_ends(mdp)
    paid = R.copy()
    paid[:, ends] *= 1 - gamma  # staying forever in an end is worth the one payment
    solution = solve(mdp, paid, gamma, tol=tol, kernel=kernel)
    values = solution.values
    after = np.asarray(mdp.transition_matrix @ values.T).T
    after[:, ends[mdp.pair_states]] = 0.0
    return AttainableUtility(
        tuple(mdp.states),
        gamma,
        R,
        values,
        np.ascontiguousarray(after),
        ends,
        float(solution.error_bound),
        np.asarray(mdp.pair_offsets),
    )
