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

For games with identical rewards, :func:`best_case_power` is the POWER a player
would have if it could choose every player's action ("everyone plays nice":
E_{t_i}[max_a r_i(t_i, a)]), and :func:`pure_equilibria` lists every pure
Bayesian Nash equilibrium, the profiles at which the conjecture of theory.md
E.10 compares the two.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidParameterError, SearchLimitError
from ..rewards import Estimate

__all__ = [
    "MAX_PURE_PROFILES",
    "BayesianGame",
    "best_case_power",
    "game_power",
    "identical_rewards",
    "interim_utilities",
    "pure_equilibria",
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
            Player 0's payoffs, indexed [own action, other's action].

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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rewards and prior as nested lists, fractions as ``"p/q"`` strings.

        Returns
        -------
        dict
            ``{"rewards": [player 0's, player 1's], "prior": ...}``; read back
            with :meth:`from_dict`.

        Examples
        --------
        >>> game = BayesianGame.complete([[1, 0], [0, 2]], [[1, 0], [0, 2]])
        >>> BayesianGame.from_dict(game.to_dict()) == game
        True
        """

        def text(array: np.ndarray) -> list:
            if array.dtype == object:
                return np.vectorize(str, otypes=[object])(array).tolist()
            return array.tolist()

        return {"rewards": [text(r) for r in self.rewards], "prior": text(self.prior)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BayesianGame:
        """The game :meth:`to_dict` wrote: numbers, or fractions as ``"p/q"`` strings.

        Parameters
        ----------
        data : dict
            With ``rewards`` (two nested lists) and ``prior``.

        Returns
        -------
        BayesianGame
        """
        if not isinstance(data, dict) or "rewards" not in data:
            raise InvalidParameterError(
                "a game must be a mapping with `rewards` (two nested lists) and `prior`; got "
                f"{type(data).__name__}."
            )

        def number(x: Any) -> Any:
            if isinstance(x, str):
                try:
                    return Fraction(x)
                except ValueError:
                    raise InvalidParameterError(
                        f"a game's entries must be numbers or fractions like '1/3'; got {x!r}."
                    ) from None
            return x

        def values(array: Any) -> np.ndarray:
            return np.vectorize(number, otypes=[object])(np.asarray(array, dtype=object))

        prior = data.get("prior")
        return cls(
            tuple(values(r) for r in data["rewards"]), None if prior is None else values(prior)
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BayesianGame):
            return NotImplemented
        return all(
            a.shape == b.shape and bool(np.all(a == b))
            for a, b in zip((*self.rewards, self.prior), (*other.rewards, other.prior))
        )


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
        The Bayesian game.
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
        The Bayesian game.
    player : {0, 1}
    other_strategy : array_like
        The other player's strategy: per type, a distribution over its actions.

    Returns
    -------
    Fraction or float
        A Fraction when the game and strategy are integers and fractions.

    See Also
    --------
    best_case_power : POWER if the player chose every action.
    sampled_game_power : The same by Monte Carlo.
    pure_equilibria : The strategy profiles it is evaluated at.

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


def best_case_power(game: BayesianGame, player: int):
    """POWER if `player` could choose every player's action: E_{t_i}[max_a r_i(t_i, a)].

    This is Stavrianos and Turner's "everyone plays nice" case: the globally
    maximal reward of each of the player's types, averaged over its types. It
    bounds POWER(i, σ) from above for every σ.

    Parameters
    ----------
    game : BayesianGame
        The Bayesian game.
    player : {0, 1}

    Returns
    -------
    Fraction or float

    Examples
    --------
    >>> game = BayesianGame.complete([[2, 0], [0, 1]], [[2, 0], [0, 1]])
    >>> best_case_power(game, 0), game_power(game, 0, [0, 1])   # B's best reply to B is B
    (Fraction(2, 1), Fraction(1, 1))
    """
    if player not in (0, 1):
        raise InvalidParameterError(f"`player` must be 0 or 1; got {player!r}.")
    prior = game.prior if player == 0 else game.prior.T
    return sum(sum(row) * max(r.ravel()) for row, r in zip(prior, game.rewards[player]))


def identical_rewards(game: BayesianGame) -> bool:
    """Whether both players get the same reward at every type profile the prior allows.

    That is r_0(t_0, a) = r_1(t_1, a) for every action profile a and every
    (t_0, t_1) of positive prior probability: a common-payoff game. Exact for
    games in integers and fractions; floats agree to 1e-12 of their scale.

    Parameters
    ----------
    game : BayesianGame
        The Bayesian game.

    Returns
    -------
    bool

    Examples
    --------
    >>> identical_rewards(BayesianGame.complete([[1, 0], [0, 1]], [[1, 0], [0, 1]]))
    True
    >>> identical_rewards(BayesianGame.complete([[1, 0], [0, 1]], [[0, 1], [1, 0]]))
    False
    """
    r0, r1 = game.rewards
    exact = r0.dtype == object and r1.dtype == object
    scale = (
        1.0 if exact else max(1.0, float(np.abs(np.concatenate([r0.ravel(), r1.ravel()])).max()))
    )
    for t0, t1 in zip(*np.nonzero(game.prior != 0)):
        if exact:
            if not bool(np.all(r0[t0] == r1[t1])):
                return False
        elif not np.allclose(
            np.asarray(r0[t0], float), np.asarray(r1[t1], float), rtol=0, atol=1e-12 * scale
        ):
            return False
    return True


#: The most pure strategy profiles :func:`pure_equilibria` enumerates.
MAX_PURE_PROFILES = 1_000_000


def _best_replies(f: np.ndarray, exact: bool) -> list[list[int]]:
    """Per type, the actions attaining the row's maximum (exactly, or to 1e-12 for floats)."""
    replies = []
    for row in f:
        best = max(row)
        slack = 0 if exact else 1e-12 * max(1.0, abs(float(best)))
        replies.append([a for a, v in enumerate(row) if best - v <= slack])
    return replies


def pure_equilibria(game: BayesianGame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every pure Bayesian Nash equilibrium: each type's action is a best reply.

    A pure strategy gives one action per type. A profile (s_0, s_1) is an
    equilibrium when, for every type t_i of positive probability, s_i(t_i)
    maximises f_i(t_i, ·, s_{−i}). Types of probability zero play their first
    best reply, so each equilibrium is listed once. Player 1's strategies are
    enumerated and player 0's best replies to each are checked in turn, exactly
    for games in integers and fractions.

    Parameters
    ----------
    game : BayesianGame
        The Bayesian game.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        Each equilibrium as the two players' strategies, 0/1 arrays of shape
        (types, actions), ready for :func:`game_power`.

    Raises
    ------
    SearchLimitError
        When there are more than :data:`MAX_PURE_PROFILES` pure profiles.

    Examples
    --------
    A coordination game has two pure equilibria, the good one and the bad one:

    >>> game = BayesianGame.complete([[2, 0], [0, 1]], [[2, 0], [0, 1]])
    >>> [(int(s0[0].argmax()), int(s1[0].argmax())) for s0, s1 in pure_equilibria(game)]
    [(0, 0), (1, 1)]
    """
    import itertools

    (n0, n1), (m0, m1) = game.n_types, game.n_actions
    profiles = m0**n0 * m1**n1
    if profiles > MAX_PURE_PROFILES:
        raise SearchLimitError(
            f"the game has {profiles:,} pure strategy profiles ({m0}^{n0} x {m1}^{n1}); "
            f"`pure_equilibria` enumerates at most {MAX_PURE_PROFILES:,}."
        )
    exact = all(r.dtype == object for r in game.rewards) and game.prior.dtype == object
    marginals = [[sum(row) for row in game.prior], [sum(col) for col in game.prior.T]]
    eye = [np.eye(m0, dtype=int), np.eye(m1, dtype=int)]

    def replies(player: int, other: np.ndarray) -> list[list[int]]:
        f = interim_utilities(game, player, other)
        best = _best_replies(f, exact)
        # a type of probability zero is indifferent: it plays its first best reply
        return [b if marginals[player][t] != 0 else b[:1] for t, b in enumerate(best)]

    found = []
    for actions_1 in itertools.product(range(m1), repeat=n1):
        s1 = eye[1][list(actions_1)]
        for actions_0 in itertools.product(*replies(0, s1)):
            s0 = eye[0][list(actions_0)]
            best_1 = replies(1, s0)
            if all(a in best_1[t] for t, a in enumerate(actions_1)):
                found.append((s0, s1))
    found.sort(key=lambda pair: (pair[0].argmax(axis=1).tolist(), pair[1].argmax(axis=1).tolist()))
    return found


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
        The number of reward functions drawn.
    rng : int or numpy Generator, optional
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.

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
        from scipy.optimize import linprog

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
