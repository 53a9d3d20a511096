"""Conjectures about POWER in games: small common-payoff games and their equilibria.

Stavrianos and Turner (theory.md E.10) conjecture that "with identical
rewards, the sum of POWER equals the sum of best-case POWER", the common-payoff
counterpart of the conservation of POWER in constant-sum games (B.5 item 47,
where equality holds exactly at the Bayesian Nash equilibria). Best-case POWER
is a player's POWER if it could choose everyone's actions
(:func:`powerseek.multiagent.best_case_power`); the conjecture does not say at
which strategy profile the sums are compared. Away from equilibrium it fails
at once (a random partner), so the built-in reading is the one that parallels
the constant-sum theorem: **at every pure Bayesian Nash equilibrium**.

:func:`identical_rewards_power` judges one game against that reading, exactly
(in fractions), over every pure equilibrium (:func:`powerseek.multiagent.pure_equilibria`);
its finding is the share of a game's pure equilibria at which the sums are equal.
:func:`common_payoff_games` draws small games with identical rewards for a
search; :func:`common_payoff_family` lists every game of a small size for a sweep.

Identical rewards with rewards of one's own type, r_0(t_0, a) = r_1(t_1, a)
wherever the prior allows (t_0, t_1), mean the reward is shared by each
connected class of the prior's type pairs, which both players can tell from
their own type: so the drawn games give each class of types one common reward
matrix.

Examples
--------
>>> from powerseek.explore import exhaustive_search
>>> from powerseek.explore._conjectures import conjecture
>>> result = exhaustive_search(conjecture("identical-rewards-power"), size=2)
>>> result.holds, result.applicable, result.violations
(False, 337, 136)
>>> result.counterexample.game.to_dict()["rewards"][0]   # both players have these
[[['0', '0'], ['0', '1']]]
>>> print(result.verdict.detail.replace("; ", "\\n"))
sum of best-case POWER 2
at the 2 pure equilibria the sum of POWER is 0, 2 (equal at 1 of 2)
worst: (0 | 0) gives 0
>>> round(result.findings["actions=2x2, types=1x1"].mean, 4)   # share of equilibria with equality
0.8519
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from ..multiagent import (
    BayesianGame,
    best_case_power,
    game_power,
    identical_rewards,
    pure_equilibria,
)
from ._search import GameCase, Verdict

__all__ = ["common_payoff_family", "common_payoff_games", "identical_rewards_power"]


def _profile_text(s0: np.ndarray, s1: np.ndarray) -> str:
    """A pure profile as each player's action per type: (0 | 1), or ((0, 1) | (1,))."""

    def actions(s: np.ndarray) -> str:
        chosen = [int(a) for a in s.argmax(axis=1)]
        return str(chosen[0]) if len(chosen) == 1 else "(" + ", ".join(map(str, chosen)) + ")"

    return f"({actions(s0)} | {actions(s1)})"


def identical_rewards_power(game: BayesianGame) -> Verdict:
    """With identical rewards, Σ POWER = Σ best-case POWER at every pure Bayesian Nash equilibrium.

    Parameters
    ----------
    game : powerseek.multiagent.BayesianGame
        The Bayesian game.

    Returns
    -------
    Verdict
        None (does not apply) when the rewards are not identical; else whether
        the sums agree at every pure equilibrium, with the share of equilibria
        where they do as the finding, grouped by the game's actions and types.
        The margin of a refuting game is minus the largest shortfall.

    Examples
    --------
    A coordination game: the good equilibrium attains the best case, the bad
    one does not.

    >>> game = BayesianGame.complete([[2, 0], [0, 1]], [[2, 0], [0, 1]])
    >>> verdict = identical_rewards_power(game)
    >>> verdict.holds, verdict.value
    (False, 0.5)
    >>> print(verdict.detail.replace("; ", "\\n"))
    sum of best-case POWER 4
    at the 2 pure equilibria the sum of POWER is 4, 2 (equal at 1 of 2)
    worst: (1 | 1) gives 2
    """
    (n0, n1), (m0, m1) = game.n_types, game.n_actions
    if not identical_rewards(game):
        return Verdict(None, "the two players' rewards are not identical")
    best = best_case_power(game, 0) + best_case_power(game, 1)
    equilibria = pure_equilibria(game)  # never empty: the team's best profile is one
    totals = [game_power(game, 0, s1) + game_power(game, 1, s0) for s0, s1 in equilibria]
    shortfalls = [best - total for total in totals]
    equal = sum(1 for gap in shortfalls if gap == 0)
    detail = (
        f"sum of best-case POWER {best}; at the {len(equilibria)} pure equilibria the sum of "
        f"POWER is {', '.join(str(t) for t in totals)} (equal at {equal} of {len(equilibria)})"
    )
    worst = max(range(len(totals)), key=lambda k: shortfalls[k])
    holds = shortfalls[worst] == 0
    if not holds:
        detail += f"; worst: {_profile_text(*equilibria[worst])} gives {totals[worst]}"
    return Verdict(
        holds,
        detail,
        margin=math.nan if holds else -float(shortfalls[worst]),
        group=f"actions={m0}x{m1}, types={n0}x{n1}",
        value=equal / len(equilibria),
    )


def _classes(support: np.ndarray) -> tuple[list[int], list[int], int]:
    """The connected class of every type of each player in the prior's support graph."""
    n0, n1 = support.shape
    parent = list(range(n0 + n1))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for t0, t1 in zip(*np.nonzero(support)):
        parent[root(int(t0))] = root(n0 + int(t1))
    roots = sorted({root(k) for k in range(n0 + n1)})
    index = {r: i for i, r in enumerate(roots)}
    labels = [index[root(k)] for k in range(n0 + n1)]
    return labels[:n0], labels[n0:], len(roots)


def _game(weights: np.ndarray, matrices: list[np.ndarray]) -> BayesianGame:
    """The game whose prior is `weights` (normalised) and each type class's common reward."""
    weights = np.asarray(weights, dtype=object)
    total = int(sum(weights.ravel()))
    prior = np.vectorize(lambda w: Fraction(int(w), total), otypes=[object])(weights)
    class_0, class_1, _ = _classes(weights != 0)
    plain = [np.asarray(m).tolist() for m in matrices]  # Python ints, so the game is exact
    rewards = (
        np.array([plain[c] for c in class_0], dtype=object),
        np.array([plain[c] for c in class_1], dtype=object),
    )
    return BayesianGame(rewards, prior)


@st.composite
def common_payoff_games(
    draw, max_actions: int = 3, max_types: int = 2, max_reward: int = 3
) -> GameCase:
    """Small two-player games with identical rewards, in integers and fractions.

    Parameters
    ----------
    max_actions : int, default 3
        Each player has 2..`max_actions` actions.
    max_types : int, default 2
        And 1..`max_types` types, every one of positive probability.
    max_reward : int, default 3
        Rewards are integers in [0, `max_reward`].

    Returns
    -------
    hypothesis.strategies.SearchStrategy of GameCase
        Shrinking goes towards fewer actions and types, and rewards of 0.
    """
    m0 = draw(st.integers(2, max_actions))
    m1 = draw(st.integers(2, max_actions))
    n0 = draw(st.integers(1, max_types))
    n1 = draw(st.integers(1, max_types))
    rows = st.lists(st.integers(0, 3), min_size=n1, max_size=n1)
    weights = np.array(
        draw(
            st.lists(rows, min_size=n0, max_size=n0).filter(
                lambda w: all(any(row) for row in w) and all(any(col) for col in zip(*w))
            )
        )
    )
    _, _, n_classes = _classes(weights != 0)
    cell = st.integers(0, max_reward)
    matrices = [
        np.array(draw(st.lists(st.lists(cell, min_size=m1, max_size=m1), min_size=m0, max_size=m0)))
        for _ in range(n_classes)
    ]
    return GameCase(_game(weights, matrices))


def common_payoff_family(size: int) -> Iterator[GameCase]:
    """Every common-payoff game of complete information up to `size` actions each, and more.

    The complete-information games with m0 x m1 actions, 2 ≤ m0 ≤ m1 ≤ `size`,
    rewards in {0, 1, 2} when m0·m1 ≤ 4 and in {0, 1} above; and the 2x2 games
    with two equally likely states of the world that both players observe,
    rewards in {0, 1} in each.

    Parameters
    ----------
    size : int
        The most actions of a player.

    Returns
    -------
    Iterator of GameCase

    Examples
    --------
    >>> sum(1 for _ in common_payoff_family(2))   # 3^4 + (2^4)^2
    337
    """
    for m0 in range(2, size + 1):
        for m1 in range(m0, size + 1):
            values = range(3) if m0 * m1 <= 4 else range(2)
            for entries in itertools.product(values, repeat=m0 * m1):
                yield GameCase(_game(np.ones((1, 1)), [np.reshape(entries, (m0, m1))]))
    for entries in itertools.product(range(2), repeat=8):
        matrices = [np.reshape(entries[:4], (2, 2)), np.reshape(entries[4:], (2, 2))]
        yield GameCase(_game(np.eye(2, dtype=int), matrices))
