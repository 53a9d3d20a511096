"""POWER in two-player Bayesian games (Stavrianos and Turner, theory.md A.4).

A finite Bayesian game has, for each player i, types t_i (drawn jointly from a
prior Ω), actions a_i, and a reward r_i(t_i, a) of the player's own type and
the action profile a. Given the other player's strategy σ_{−i} (a mixed action
per type), player i's interim expected utility of action a_i at type t_i is

    f_i(t_i, a_i, σ_{−i}) = E_{t_{−i} | t_i} E_{a_{−i} ~ σ_{−i}(t_{−i})} r_i(t_i, (a_i, a_{−i})),

and its POWER is POWER(i, σ) = E_{t_i}[max_{a_i} f_i(t_i, a_i, σ_{−i})]. With one
player and types t = reward functions r ~ D, this is E_{r~D}[max_a r(a)].

:func:`game_power` computes it exactly (in fractions when the game is given in
integers or fractions); :func:`sampled_game_power` estimates it with a
standard error when player i's type is drawn from a continuous distribution
independent of the other's; :func:`zero_sum_equilibrium` solves a complete-
information two-player zero-sum game by linear programming, where the
conservation of POWER (theory.md B.5) holds with equality.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog

from ..exceptions import InvalidParameterError
from ..rewards.estimates import Estimate

__all__ = [
    "BayesianGame",
    "game_power",
    "interim_utilities",
    "sampled_game_power",
    "zero_sum_equilibrium",
]


def _exact(array: Any) -> np.ndarray:
    """An object array of Fractions when every entry is an int or a Fraction, else floats."""
    data = np.asarray(array, dtype=object)
    if all(isinstance(x, (int, Fraction)) and not isinstance(x, bool) for x in data.ravel()):
        return np.vectorize(Fraction, otypes=[object])(data) if data.size else data
    return np.asarray(array, dtype=float)


@dataclass(frozen=True)
class BayesianGame:
    """A finite two-player Bayesian game.

    Attributes
    ----------
    rewards : tuple of two arrays
        ``rewards[i][t_i, a_0, a_1]``: player i's reward at its type t_i and the
        action profile (a_0, a_1).
    prior : array, shape (n_types_0, n_types_1)
        The joint distribution of the type profile (default: one type each).

    Examples
    --------
    Matching pennies, complete information:

    >>> game = BayesianGame.complete([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> game.n_actions, game.n_types
    ((2, 2), (1, 1))
    """

    rewards: tuple
    prior: Any = None

    def __post_init__(self) -> None:
        if len(self.rewards) != 2:
            raise InvalidParameterError("a game here has two players: give two reward arrays.")
        rewards = tuple(_exact(r) for r in self.rewards)
        for i, r in enumerate(rewards):
            if r.ndim != 3:
                raise InvalidParameterError(
                    f"rewards[{i}] must have shape (player {i}'s types, actions of 0, actions of "
                    f"1); got shape {r.shape}."
                )
        if rewards[0].shape[1:] != rewards[1].shape[1:]:
            raise InvalidParameterError(
                f"the two reward arrays disagree on the actions: {rewards[0].shape[1:]} and "
                f"{rewards[1].shape[1:]}."
            )
        n_types = (rewards[0].shape[0], rewards[1].shape[0])
        prior = _exact(np.ones(n_types, dtype=int) if self.prior is None else self.prior)
        if self.prior is None:
            prior = prior / int(np.prod(n_types)) if prior.dtype == object else prior
        if prior.shape != n_types:
            raise InvalidParameterError(
                f"`prior` must have shape (types of 0, types of 1) = {n_types}; got {prior.shape}."
            )
        total = sum(prior.ravel())
        if any(p < 0 for p in prior.ravel()) or abs(float(total) - 1.0) > 1e-9:
            raise InvalidParameterError(
                f"`prior` must be a distribution: non-negative, summing to 1; it sums to {total}."
            )
        object.__setattr__(self, "rewards", rewards)
        object.__setattr__(self, "prior", prior)

    @classmethod
    def complete(cls, rewards_0: Any, rewards_1: Any) -> BayesianGame:
        """A game of complete information (one type each) from two payoff matrices.

        Parameters
        ----------
        rewards_0, rewards_1 : array_like, shape (actions of 0, actions of 1)

        Returns
        -------
        BayesianGame
        """
        return cls(
            (np.asarray(rewards_0, dtype=object)[None], np.asarray(rewards_1, dtype=object)[None])
        )

    @property
    def n_actions(self) -> tuple[int, int]:
        """The number of actions of each player."""
        return self.rewards[0].shape[1], self.rewards[0].shape[2]

    @property
    def n_types(self) -> tuple[int, int]:
        """The number of types of each player."""
        return self.rewards[0].shape[0], self.rewards[1].shape[0]


def _strategy(game: BayesianGame, player: int, sigma: Any) -> np.ndarray:
    n_types, n_actions = game.n_types[player], game.n_actions[player]
    s = _exact(sigma)
    if s.ndim == 1:
        s = np.broadcast_to(s, (n_types, n_actions))
    if s.shape != (n_types, n_actions):
        raise InvalidParameterError(
            f"player {player}'s strategy must have shape (types, actions) = "
            f"({n_types}, {n_actions}) or (actions,); got {s.shape}."
        )
    for t, row in enumerate(s):
        if any(p < 0 for p in row) or abs(float(sum(row)) - 1.0) > 1e-9:
            raise InvalidParameterError(
                f"player {player}'s strategy at type {t} is not a distribution over its actions: "
                f"{[str(p) for p in row]}."
            )
    return s


def interim_utilities(game: BayesianGame, player: int, other_strategy: Any) -> np.ndarray:
    """f_i(t_i, a_i, σ_{−i}) for every type and action of `player`.

    Parameters
    ----------
    game : BayesianGame
    player : {0, 1}
    other_strategy : array_like
        The other player's mixed action per type, (types, actions), or one
        mixed action for every type.

    Returns
    -------
    numpy.ndarray, shape (types of `player`, actions of `player`)
    """
    if player not in (0, 1):
        raise InvalidParameterError(f"`player` must be 0 or 1; got {player!r}.")
    other = 1 - player
    sigma = _strategy(game, other, other_strategy)
    prior = game.prior if player == 0 else game.prior.T  # (own types, other types)
    r = game.rewards[player]
    if player == 1:
        r = r.transpose(0, 2, 1)  # (own type, own action, other action)
    n_own, n_actions = game.n_types[player], game.n_actions[player]
    out = np.empty((n_own, n_actions), dtype=r.dtype)
    for t in range(n_own):
        marginal = sum(prior[t])
        if marginal == 0:
            out[t] = 0
            continue
        conditional = prior[t] / marginal  # P(t_{−i} | t_i)
        mixed = conditional @ sigma  # the other's action distribution as seen by type t
        out[t] = r[t] @ mixed
    return out


def game_power(game: BayesianGame, player: int, other_strategy: Any):
    """POWER(i, σ) = E_{t_i}[max_{a_i} f_i(t_i, a_i, σ_{−i})], exactly.

    Parameters
    ----------
    game : BayesianGame
    player : {0, 1}
    other_strategy : array_like

    Returns
    -------
    Fraction or float
        A Fraction when the game and strategy are integers and fractions.

    Examples
    --------
    A one-player game in disguise (the other player has one action): the types
    are two equally likely reward functions, so POWER = E[max_a r(a)]:

    >>> half = Fraction(1, 2)
    >>> rewards = ([[[3], [1]], [[0], [2]]], [[[0], [0]]])   # player 1: one type, one action
    >>> game = BayesianGame(rewards, prior=[[half], [half]])
    >>> game_power(game, 0, [1])        # (max(3, 1) + max(0, 2)) / 2
    Fraction(5, 2)
    """
    f = interim_utilities(game, player, other_strategy)
    prior = game.prior if player == 0 else game.prior.T
    marginals = [sum(row) for row in prior]
    return sum(p * max(row) for p, row in zip(marginals, f))


def sampled_game_power(
    draw_rewards: Callable[[np.random.Generator, int], np.ndarray],
    other_mixed_action: Sequence[float],
    *,
    n_samples: int = 10_000,
    rng: Any = None,
) -> Estimate:
    """POWER of a player whose type (its reward matrix) is drawn, independent of the other's.

    With independent types, the other player's strategy enters only through
    the mixed action it averages to, q = E_{t_{−i}} σ_{−i}(t_{−i}); then
    f(t, a) = Σ_b q(b) r_t(a, b) and POWER = E_t[max_a f(t, a)], estimated over
    `n_samples` draws.

    Parameters
    ----------
    draw_rewards : callable
        ``draw_rewards(rng, n) -> array (n, own actions, other actions)``.
    other_mixed_action : sequence of float
        q, the other player's average mixed action.
    n_samples : int, default 10000
    rng : int or numpy Generator, optional

    Returns
    -------
    Estimate
        One entry, with its standard error.

    Examples
    --------
    One player, IID uniform rewards on two actions: E max(U1, U2) = 2/3.

    >>> est = sampled_game_power(lambda g, n: g.random((n, 2, 1)), [1.0], n_samples=40_000, rng=0)
    >>> bool(abs(est.mean[0] - 2 / 3) < 4 * est.stderr[0])
    True
    """
    from .._validation import make_rng

    q = np.asarray(other_mixed_action, dtype=float)
    if q.ndim != 1 or np.any(q < 0) or abs(q.sum() - 1.0) > 1e-9:
        raise InvalidParameterError(
            f"`other_mixed_action` must be a distribution over the other's actions; got {q}."
        )
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise InvalidParameterError(f"`n_samples` must be an integer ≥ 2; got {n_samples!r}.")
    R = np.asarray(draw_rewards(make_rng(rng), n_samples), dtype=float)
    if R.ndim != 3 or R.shape[0] != n_samples or R.shape[2] != q.size:
        raise InvalidParameterError(
            f"`draw_rewards` must return shape ({n_samples}, own actions, {q.size}); got {R.shape}."
        )
    values = (R @ q).max(axis=1)
    mean = values.mean()
    stderr = values.std(ddof=1) / math.sqrt(n_samples)
    return Estimate(np.array([mean]), np.array([stderr]), n_samples, "monte carlo")


def zero_sum_equilibrium(payoffs: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """A Nash equilibrium of the zero-sum game with row payoffs `payoffs`, by linear programming.

    Parameters
    ----------
    payoffs : array_like, shape (row actions, column actions)
        The row player's rewards; the column player's are their negatives
        (plus any constant).

    Returns
    -------
    row, column : numpy.ndarray
        Equilibrium mixed actions.
    value : float
        The row player's equilibrium value.

    Examples
    --------
    >>> row, column, value = zero_sum_equilibrium([[1, -1], [-1, 1]])   # matching pennies
    >>> row.round(6).tolist(), column.round(6).tolist(), abs(round(value, 9))
    ([0.5, 0.5], [0.5, 0.5], 0.0)
    """
    A = np.asarray(payoffs, dtype=float)
    if A.ndim != 2 or not A.size:
        raise InvalidParameterError(f"`payoffs` must be a non-empty matrix; got shape {A.shape}.")

    def solve_row(M):
        m, n = M.shape
        # maximise v subject to x ≥ 0, Σx = 1, (xᵀM)_j ≥ v for every column j
        c = np.zeros(m + 1)
        c[-1] = -1.0
        A_ub = np.hstack([-M.T, np.ones((n, 1))])
        A_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
        bounds = [(0, None)] * m + [(None, None)]
        result = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0], bounds=bounds)
        if not result.success:  # pragma: no cover - a bounded LP always solves
            reason = str(result.message).rstrip(".")
            raise InvalidParameterError(f"the equilibrium LP failed: {reason}.")
        x = np.clip(result.x[:m], 0, None)
        return x / x.sum(), float(result.x[-1])

    row, value = solve_row(A)
    column, _ = solve_row(-A.T)
    return row, column, value
