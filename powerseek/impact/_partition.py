"""The impact level: which plan wins at each impact budget, exactly.

A plan f has a utility u(f) and an impact I(f) ≥ 0. For a budget R > 0 (the
penalty weight λ = 1/R) the **scaled** rule picks the plan maximising
u − I/R, and the **constrained** rule the plan maximising u subject to I ≤ R.
Either way the budgets fall into intervals, each won by one plan; the
scaled partition's breakpoints are where two plans' scores cross, at
R = ΔI/Δu (Turner, "How Low Should Fruit Hang Before We Pick It?", 2020,
Theorem 4). Everything here is in :class:`fractions.Fraction` arithmetic.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from .._display import compact_repr
from .._frozen import FrozenDict
from .._rational import as_fraction
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..frames import Tabular, data_frame

__all__ = ["KINDS", "Buffer", "Partition", "partition"]

#: The two rules that turn a budget into a choice of plan.
KINDS = ("scaled", "constrained")


class Buffer(NamedTuple):
    """How far the first catastrophe's budget lies beyond the first satisfactory one's.

    Attributes
    ----------
    satisfactory_from : Fraction or None
        The budget from which a satisfactory plan first wins (the low end of its
        first interval); None if none ever wins.
    catastrophe_from : Fraction or None
        The budget from which a catastrophe first wins; None if none ever wins.
    ratio : Fraction or None
        ``catastrophe_from / satisfactory_from``: None when it is unbounded (no
        catastrophe ever wins, or a satisfactory plan wins from R = 0) or
        undefined (no satisfactory plan wins).
    alpha : Fraction or None
        ``ratio − 1``: the partition is α-buffered for this α.
    """

    satisfactory_from: Fraction | None
    catastrophe_from: Fraction | None
    ratio: Fraction | None
    alpha: Fraction | None


def _exact_plans(plans: Any) -> dict[Hashable, tuple[Fraction, Fraction]]:
    if not isinstance(plans, Mapping):
        raise InvalidTypeError(
            "`plans` must be a mapping of plan name to (utility, impact); "
            f"got {type(plans).__name__}."
        )
    if not plans:
        raise InvalidParameterError("`plans` is empty; give at least one (utility, impact) pair.")
    exact = {}
    for name, pair in plans.items():
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise InvalidParameterError(
                f"`plans`[{name!r}] must be a pair (utility, impact); got {pair!r}."
            )
        try:
            utility, impact = (as_fraction(x) for x in pair)
        except (InvalidParameterError, InvalidTypeError):
            raise InvalidParameterError(
                f"`plans`[{name!r}] must hold two numbers (utility, impact), such as 3, 0.5 "
                f"or '1/3'; got {pair!r}."
            ) from None
        if impact < 0:
            raise InvalidParameterError(
                f"`plans`[{name!r}] has impact {impact}; an impact must be at least 0."
            )
        exact[name] = (utility, impact)
    return exact


@compact_repr
@dataclass(frozen=True)
class Partition(Tabular):
    """The plans that win over the impact budget, interval by interval.

    Attributes
    ----------
    kind : {"scaled", "constrained"}
        The rule: maximise u − I/R, or u subject to I ≤ R.
    intervals : tuple of (plan, low, high)
        In increasing order of budget; ``high`` is None for the last. A scaled
        interval is low < R ≤ high (at a breakpoint the two plans tie, and the
        earlier one is named); a constrained interval is low ≤ R < high, and no
        plan is feasible below the first ``low``.
    plans : mapping
        Plan name -> (utility, impact) as Fractions.
    dominated : tuple
        The plans that win no interval, in the order given (a plan identical to
        a winner is in ``ties`` instead).
    ties : mapping
        Winner -> the other plans with its exact (utility, impact).
    """

    kind: str
    intervals: tuple[tuple[Hashable, Fraction, Fraction | None], ...]
    plans: Mapping[Hashable, tuple[Fraction, Fraction]]
    dominated: tuple[Hashable, ...]
    ties: Mapping[Hashable, tuple[Hashable, ...]]

    def winner(self, budget: Any) -> Hashable | None:
        """The plan that wins at `budget` R > 0 (None where no plan is feasible).

        Parameters
        ----------
        budget : int, Fraction, str or float
            R; a float is read as the simplest fraction with its value.

        Returns
        -------
        plan name or None
        """
        R = as_fraction(budget)
        if R <= 0:
            raise InvalidParameterError(f"`budget` must be positive; got {R}.")
        for plan, low, high in self.intervals:
            if self.kind == "scaled" and (high is None or high >= R):
                return plan
            if self.kind == "constrained" and low <= R and (high is None or high > R):
                return plan
        return None

    def first_budget(self, names: Any) -> Fraction | None:
        """The low end of the first interval won by one of `names` (None if none wins).

        Parameters
        ----------
        names : plan name or iterable of plan names
            The plans asked about.

        Returns
        -------
        Fraction or None
        """
        wanted = self._names(names, "names")
        for plan, low, _ in self.intervals:
            if plan in wanted or any(t in wanted for t in self.ties.get(plan, ())):
                return low
        return None

    def buffer(self, catastrophes: Any, satisfactory: Any) -> Buffer:
        """The buffer between the first satisfactory plan and the first catastrophe.

        The ratio of the budget from which a catastrophe first wins to the budget
        from which a satisfactory plan first wins; the partition is α-buffered
        for α = ratio − 1 (the post's α-buffering).

        Parameters
        ----------
        catastrophes : plan name or iterable of plan names
            The plans that must not be chosen.
        satisfactory : plan name or iterable of plan names
            The plans that do the task well enough.

        Returns
        -------
        Buffer

        See Also
        --------
        buffer_bound : Theorem 11's guarantee on the ratio.
        """
        bad = self.first_budget(catastrophes)
        good = self.first_budget(satisfactory)
        if good is None or bad is None or good == 0:
            return Buffer(good, bad, None, None)
        return Buffer(good, bad, bad / good, bad / good - 1)

    def buffer_bound(self, catastrophes: Any, satisfactory: Any) -> Fraction | None:
        """The buffer ratio guaranteed by the plans' utilities and impacts alone.

        A sufficient condition for α-buffering ("How Low Should Fruit Hang",
        Theorem 11, in the form its refined example computes). Write u_lo and u_hi
        for the least and greatest utility of a satisfactory plan, I_s for the
        greatest impact of one, u_c and I_c for the greatest utility and the least
        impact of a catastrophe, and u_o for the greatest utility of a plan that is
        neither. A satisfactory plan beats every other plan once
        R > U = I_s / (u_lo − u_o), and no catastrophe beats the best satisfactory
        plan before L = (I_c − I_s) / (u_c − u_hi). So when L > U a satisfactory
        plan wins first, and ``buffer(...).ratio ≥ L / U``: the partition is
        α-buffered for α = L / U − 1.

        Parameters
        ----------
        catastrophes : plan name or iterable of plan names
            The plans that must not be chosen.
        satisfactory : plan name or iterable of plan names
            The plans that do the task well enough.

        Returns
        -------
        Fraction or None
            L / U (a guarantee when it exceeds 1), or None when the buffer is
            unbounded: no catastrophe has more utility than the best satisfactory
            plan (none ever wins), or a satisfactory plan has no impact (one wins
            from the smallest budget).

        Raises
        ------
        InvalidParameterError
            The partition is not scaled, the two sets overlap, no plan is in
            neither, or a hypothesis fails: every other plan's utility below every
            satisfactory plan's, every catastrophe's impact above every
            satisfactory plan's.

        See Also
        --------
        buffer : The ratio itself.

        Examples
        --------
        The post's refined example: satisfactory plans of utility 0.3 to 0.4,
        catastrophes of utility at most 1 and ten times the impact, and doing
        nothing. The bound is 9 · 0.3 / 0.6 = 4.5 = 1 + α, so α = 3.5.

        >>> p = partition({"nothing": (0, 0), "low": ("3/10", 1), "high": ("2/5", 1),
        ...                "catastrophe": (1, 10)})
        >>> bound = p.buffer_bound("catastrophe", ["low", "high"])
        >>> bound, bound - 1, p.buffer("catastrophe", ["low", "high"]).ratio >= bound
        (Fraction(9, 2), Fraction(7, 2), True)
        """
        if self.kind != "scaled":
            raise InvalidParameterError(
                "the bound of Theorem 11 is for the scaled partition; this one is constrained."
            )
        bad = self._names(catastrophes, "catastrophes")
        good = self._names(satisfactory, "satisfactory")
        if bad & good:
            raise InvalidParameterError(
                f"plan {sorted(bad & good, key=str)[0]!r} is both a catastrophe and satisfactory."
            )
        others = [name for name in self.plans if name not in bad | good]
        if not others:
            raise InvalidParameterError(
                "the bound of Theorem 11 compares with the plans that are neither satisfactory nor "
                "catastrophes (such as doing nothing); there are none."
            )
        u_lo = min(self.plans[n][0] for n in good)
        u_hi = max(self.plans[n][0] for n in good)
        impact_s = max(self.plans[n][1] for n in good)
        u_c = max(self.plans[n][0] for n in bad)
        impact_c = min(self.plans[n][1] for n in bad)
        u_o = max(self.plans[n][0] for n in others)
        if u_o >= u_lo:
            raise InvalidParameterError(
                "the bound of Theorem 11 needs every other plan's utility below every "
                f"satisfactory plan's; the greatest other is {u_o}, the least satisfactory {u_lo}."
            )
        if impact_c <= impact_s:
            raise InvalidParameterError(
                "the bound of Theorem 11 needs every catastrophe's impact above every "
                f"satisfactory plan's; the least catastrophe's is {impact_c}, the greatest "
                f"satisfactory {impact_s}."
            )
        if u_c <= u_hi or impact_s == 0:
            return None
        return (impact_c - impact_s) / (u_c - u_hi) * (u_lo - u_o) / impact_s

    def _names(self, names: Any, parameter: str) -> set:
        if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
            names = [names]
        names = list(names)
        unknown = [n for n in names if n not in self.plans]
        if unknown:
            raise InvalidParameterError(
                f"`{parameter}` names {unknown[0]!r}, which is not a plan; the plans are "
                f"{', '.join(map(repr, self.plans))}."
            )
        return set(names)

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:
        rows = self.intervals
        columns = {
            "plan": [plan for plan, _, _ in rows],
            "low": [low for _, low, _ in rows],
            "high": [high for _, _, high in rows],
            "utility": [self.plans[plan][0] for plan, _, _ in rows],
            "impact": [self.plans[plan][1] for plan, _, _ in rows],
        }
        return columns, {"kind": self.kind, "dominated": list(self.dominated)}

    def to_frame(self):
        """One row per interval: plan, low, high, utility, impact (Fractions).

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _interval_text(self, low: Fraction, high: Fraction | None) -> str:
        top = "∞" if high is None else str(high)
        if self.kind == "scaled":
            return f"({low}, {top}" + (")" if high is None else "]")
        return f"[{low}, {top})"

    def __str__(self) -> str:
        lines = [f"{self.kind} partition of the impact budget R:"]
        for plan, low, high in self.intervals:
            u, impact = self.plans[plan]
            tied = self.ties.get(plan)
            also = f" (tied: {', '.join(map(str, tied))})" if tied else ""
            lines.append(
                f"  {self._interval_text(low, high):<16} {plan}{also}: utility {u}, impact {impact}"
            )
        if self.dominated:
            lines.append(f"  never chosen: {', '.join(map(str, self.dominated))}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from .._display import table_html

        rows = [
            [html.escape(str(p)), self._interval_text(lo, hi), *map(str, self.plans[p])]
            for p, lo, hi in self.intervals
        ]
        caption = f"{self.kind} partition of the impact budget R"
        if self.dominated:
            caption += f"; never chosen: {', '.join(map(str, self.dominated))}"
        return table_html(["plan", "R", "utility", "impact"], rows, caption=caption)


def partition(plans: Any, *, kind: str = "scaled") -> Partition:
    """Which plan wins at each impact budget R, in exact rationals.

    The **scaled** rule picks, for each budget R > 0 (penalty weight λ = 1/R),
    the plan maximising u − I/R; where two plans tie, the one of larger impact
    wins just above the tie. Plan a′ beats a iff R > ΔI/Δu (Theorem 4 of "How Low
    Should Fruit Hang Before We Pick It?"), so walking from the best plan of least
    impact (Lemma 5) to the plain maximiser (Corollary 7), each breakpoint is the
    smallest such ratio over the plans of more utility and more impact. The
    **constrained** rule picks the plan of most utility with I ≤ R (of least
    impact among equals), which changes at impacts.

    Parameters
    ----------
    plans : mapping
        Plan name -> (utility, impact); numbers as ints, Fractions, strings
        like ``"3/4"`` or floats (read as the simplest fraction with the float's
        value, so 0.3 is 3/10). Impacts must be at least 0.
    kind : {"scaled", "constrained"}, default "scaled"

    Returns
    -------
    Partition

    See Also
    --------
    Partition.buffer : The α-buffer between satisfactory plans and catastrophes.

    Examples
    --------
    The lawn example of the post: doing nothing, mowing, fetching the newspaper,
    gardening (gardening is never worth its impact):

    >>> plans = {"nothing": (0, 0), "mow": (20, 1), "newspaper": (45, 4), "garden": (15, 1)}
    >>> lawn = partition(plans)
    >>> [(plan, str(low), high and str(high)) for plan, low, high in lawn.intervals]
    [('nothing', '0', '1/20'), ('mow', '1/20', '3/25'), ('newspaper', '3/25', None)]
    >>> lawn.dominated, lawn.winner("1/10")
    (('garden',), 'mow')
    >>> print(partition(plans, kind="constrained"))
    constrained partition of the impact budget R:
      [0, 1)           nothing: utility 0, impact 0
      [1, 4)           mow: utility 20, impact 1
      [4, ∞)           newspaper: utility 45, impact 4
      never chosen: garden
    """
    if kind not in KINDS:
        raise InvalidParameterError(
            f"`kind` must be one of {', '.join(map(repr, KINDS))}; got {kind!r}."
        )
    exact = _exact_plans(plans)
    # identical (utility, impact): the first named stands for the others
    first: dict[tuple[Fraction, Fraction], Hashable] = {}
    ties: dict[Hashable, list[Hashable]] = {}
    for name, point in exact.items():
        if point in first:
            ties.setdefault(first[point], []).append(name)
        else:
            first[point] = name
    points = {name: point for point, name in first.items()}
    order = list(exact)  # ties among plans broken by the order given
    intervals = (_scaled if kind == "scaled" else _constrained)(points, order)
    winners = {plan for plan, _, _ in intervals}
    ties = {w: tuple(t) for w, t in ties.items() if w in winners}
    standing_in = {t for group in ties.values() for t in group}
    dominated = tuple(n for n in exact if n not in winners and n not in standing_in)
    return Partition(kind, tuple(intervals), FrozenDict(exact), dominated, FrozenDict(ties))


def _scaled(points, order):
    # least impact, then most utility: the winner as R → 0 (Lemma 5)
    current = min(points, key=lambda n: (points[n][1], -points[n][0], order.index(n)))
    low = Fraction(0)
    intervals = []
    while True:
        u, impact = points[current]
        crossings = [
            ((points[g][1] - impact) / (points[g][0] - u), -points[g][1], order.index(g), g)
            for g in points
            if points[g][0] > u and points[g][1] > impact
        ]
        if not crossings:
            intervals.append((current, low, None))
            return intervals
        # the earliest crossing; of the plans crossing there, the most impactful
        # gains fastest above it
        budget, _, _, following = min(crossings)
        intervals.append((current, low, budget))
        current, low = following, budget


def _constrained(points, order):
    intervals = []
    best = None
    for name in sorted(points, key=lambda n: (points[n][1], -points[n][0], order.index(n))):
        u, impact = points[name]
        if best is None or u > points[best][0]:
            if intervals:
                plan, low, _ = intervals[-1]
                intervals[-1] = (plan, low, impact)
            intervals.append((name, impact, None))
            best = name
    return intervals
