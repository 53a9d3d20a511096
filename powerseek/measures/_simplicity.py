"""Simplicity priors over reward functions, made finite and computed exactly.

Turner's argument: under a universal simplicity prior P_U over computable reward
functions, in an MDP where an environmental symmetry φ maps the options of a
non-power-seeking action a' into those of a power-seeking action a (Prop 6.9,
Thm 6.13),

    P_U(a strictly optimal) ≥ 2^−(K_U(φ) + O(1)) · P_U(a' optimal),

since applying φ to a reward costs at most K_U(φ) more bits to describe. K_U is
uncomputable; this module computes both sides of a finite version exactly:

- a reward language: sums of up to k state indicators with weights from a small set
  of integers, each reward described by ``(terms + 1) + terms·(b_s + b_w)`` bits (the
  number of terms in unary, then each term's state and weight in fixed width:
  b_s = ⌈log2 |S|⌉, b_w = ⌈log2 |weights|⌉), and weighted 2^−bits, normalised over
  the language;
- the description length of φ in cycle notation: the number of transpositions in
  ⌈log2(|S|/2 + 1)⌉ bits, then two states per transposition;
- P(a strictly optimal) and P(a' optimal) over the language, each reward solved in
  rationals (:func:`powerseek.exact.exact_solution`), and their ratio against
  2^−bits(φ).

The language is closed under permuting states with the same length, which is the
case the argument needs: φ·r costs no more than r.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .._display import compact_repr
from ..exceptions import InvalidParameterError, SearchLimitError
from ..frames import Tabular
from ..mdp import MDP

__all__ = ["MAX_REWARDS", "SimplicityPrior", "description_bits", "simplicity_prior"]

#: Most rewards of the language solved before refusing.
MAX_REWARDS = 20_000


@compact_repr
@dataclass(frozen=True)
class SimplicityPrior(Tabular):
    """Both sides of the simplicity-prior bound, exactly, for one state and two actions.

    Attributes
    ----------
    state, action, other : hashable
        The state, the power-seeking action a and the action a' it is compared with.
    gamma : Fraction
    max_terms : int
        The most indicator terms of a reward.
    weights : tuple of int
        The weights a term may carry.
    n_rewards : int
        Rewards in the language.
    p_action_strict : Fraction
        P(a strictly optimal): a, or actions with a's successor, are the only optimal ones.
    p_other_optimal : Fraction
        P(a' optimal), ties included.
    p_other_strict : Fraction
        P(a' strictly optimal), as for `a`.
    ratio : Fraction or None
        ``p_action_strict / p_other_optimal`` (None when a' is never optimal).
    symmetry : Permutation or None
        The involution φ with φ·F(s | a') ⊆ F(s | a), if one was found or given.
    symmetry_bits : int or None
        Its description length.
    bound : Fraction or None
        2^−symmetry_bits.
    holds : bool or None
        Whether ``p_action_strict ≥ bound · p_other_optimal``.
    """

    state: Hashable
    action: Hashable
    other: Hashable
    gamma: Fraction
    max_terms: int
    weights: tuple
    n_rewards: int
    p_action_strict: Fraction
    p_other_optimal: Fraction
    p_other_strict: Fraction
    ratio: Fraction | None
    symmetry: Any
    symmetry_bits: int | None
    bound: Fraction | None
    holds: bool | None

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:
        names = ("p_action_strict", "p_other_optimal", "p_other_strict", "ratio",
                 "symmetry_bits", "bound", "holds")  # fmt: skip
        return {name: [getattr(self, name)] for name in names}, {
            "state": self.state,
            "action": self.action,
            "other": self.other,
            "max_terms": self.max_terms,
        }


def _bits(count: int) -> int:
    """Bits of a fixed-width code for `count` values."""
    return max(0, math.ceil(math.log2(count))) if count > 1 else 0


def description_bits(n_states: int, transpositions: int) -> int:
    """Bits of an involution of `n_states` states with `transpositions` transpositions.

    The count of transpositions in ⌈log2(n/2 + 1)⌉ bits, then the two states of each
    in ⌈log2 n⌉ bits apiece (cycle notation).

    Parameters
    ----------
    n_states : int
        The MDP's states.
    transpositions : int
        The involution's transpositions.

    Returns
    -------
    int

    Examples
    --------
    >>> description_bits(8, 3)   # Figure 1's φ: 3 bits, then 3 × 2 × 3
    21
    """
    return _bits(n_states // 2 + 1) + transpositions * 2 * _bits(n_states)


def simplicity_prior(
    mdp: MDP,
    state: Hashable,
    action: Hashable,
    other: Hashable,
    gamma: Any,
    *,
    max_terms: int = 2,
    weights: Any = (-1, 1),
    symmetry: Any = "find",
) -> SimplicityPrior:
    """The finite simplicity prior's P(a strictly optimal) and P(a' optimal), exactly.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    state : hashable
        The state s where the agent chooses.
    action : hashable
        The action a that keeps more options open.
    other : hashable
        The action a' it is compared with.
    gamma : float, str or Fraction in [0, 1]
        The discount, read exactly.
    max_terms : int, default 2
        The most state indicators a reward sums.
    weights : sequence of int, default (-1, 1)
        The weights a term may carry (non-zero, distinct).
    symmetry : "find", Permutation or None, default "find"
        The involution φ to charge for: found by
        :func:`powerseek.symmetry.find_action_copy`, given, or none.

    Returns
    -------
    SimplicityPrior

    Raises
    ------
    InvalidParameterError
        A stochastic MDP, an unknown state or action, bad `max_terms` or `weights`.
    SearchLimitError
        The language has more than :data:`MAX_REWARDS` rewards.

    See Also
    --------
    powerseek.symmetry.find_action_copy : The symmetry φ.
    powerseek.exact.exact_solution : Each reward's optimal actions, in rationals.

    Examples
    --------
    Figure 1: going right keeps more options open than going left. Most short
    rewards leave every action optimal, which counts for `left` but not for `right`
    strictly; against `left` strictly optimal, `right` wins by 4/1648.

    >>> from powerseek import load
    >>> prior = simplicity_prior(load("turner-fig1"), "start", "right", "left", "9/10")
    >>> prior.n_rewards, prior.symmetry_bits, prior.holds
    (129, 21, True)
    >>> prior.p_action_strict, prior.p_other_strict, prior.p_other_optimal
    (Fraction(129, 1648), Fraction(125, 1648), Fraction(1395, 1648))
    """
    from ..exact import as_fraction, exact_solution
    from ..symmetry import find_action_copy

    if not mdp.is_deterministic:
        raise InvalidParameterError(
            "the finite simplicity prior solves each reward exactly; this MDP is stochastic."
        )
    for name, value in (("action", action), ("other", other)):
        if value not in mdp.actions_of(state):
            raise InvalidParameterError(
                f"`{name}` {value!r} is not an action of state {state!r}; its actions are "
                f"{', '.join(map(str, mdp.actions_of(state)))}."
            )
    if isinstance(max_terms, bool) or not isinstance(max_terms, numbers.Integral) or max_terms < 0:
        raise InvalidParameterError(
            f"`max_terms` must be an integer at least 0; got {max_terms!r}."
        )
    weights = tuple(weights)
    if (
        not weights
        or any(
            isinstance(w, bool) or not isinstance(w, numbers.Integral) or w == 0 for w in weights
        )
        or len(set(weights)) != len(weights)
    ):
        raise InvalidParameterError(
            f"`weights` must be distinct non-zero integers; got {list(weights)!r}."
        )
    g = as_fraction(gamma)
    n = mdp.n_states
    size = sum(math.comb(n, j) * len(weights) ** j for j in range(max_terms + 1))
    if size > MAX_REWARDS:
        raise SearchLimitError(
            f"the language has {size:,} rewards ({n} states, up to {max_terms} terms, "
            f"{len(weights)} weights), over {MAX_REWARDS:,}; use fewer terms or weights."
        )
    b_s, b_w = max(1, _bits(n)), _bits(len(weights))
    succ = mdp.successor_indices
    offsets = mdp.pair_offsets
    s = mdp.index(state)
    actions = mdp.actions_of(state)

    def equivalent(a):  # the actions with a's successor
        target = succ[offsets[s] + actions.index(a)]
        return {b for k, b in enumerate(actions) if succ[offsets[s] + k] == target}

    same, same_other = equivalent(action), equivalent(other)
    total = strict = other_optimal = other_strict = Fraction(0)
    count = 0
    for j in range(max_terms + 1):
        prior = Fraction(1, 2 ** ((j + 1) + j * (b_s + b_w)))
        for cells in itertools.combinations(range(n), j):
            for signs in itertools.product(weights, repeat=j):
                reward = [0] * n
                for cell, w in zip(cells, signs, strict=True):
                    reward[cell] = w
                best = set(exact_solution(mdp, reward, g).optimal_actions(state))
                total += prior
                count += 1
                if best <= same:
                    strict += prior
                if other in best:
                    other_optimal += prior
                if best <= same_other:
                    other_strict += prior
    p_strict, p_other, p_other_strict = strict / total, other_optimal / total, other_strict / total
    if symmetry == "find":
        found = find_action_copy(mdp, state, action, other)
        symmetry = found.permutation if found.found else None
    bits = bound = holds = None
    if symmetry is not None:
        if not getattr(symmetry, "is_involution", False):
            raise InvalidParameterError(
                "`symmetry` must be an involution (a powerseek.symmetry.Permutation whose "
                f"cycles are transpositions); got {symmetry!r}."
            )
        bits = description_bits(n, len(symmetry.cycles()))
        bound = Fraction(1, 2**bits)
        holds = p_strict >= bound * p_other
    return SimplicityPrior(
        state, action, other, g, int(max_terms), weights, count, p_strict, p_other,
        p_other_strict, None if p_other == 0 else p_strict / p_other, symmetry, bits, bound,
        holds,
    )  # fmt: skip
