"""Exact rational results for small MDPs.

Three exact computations, all in :class:`fractions.Fraction` arithmetic:

* :func:`exact_solution`: for one rational reward vector and rational γ, the
  optimal values V*, every state's optimal actions (ties exact) and POWER, by
  policy iteration with exact linear solves. At γ = 0 the optimal actions are
  the lexicographic ones (theory.md D.5); at γ = 1 the Blackwell-optimal ones,
  decided on the exact Laurent coefficients at γ = 1 of the visit distribution
  functions, and POWER is the best reachable average reward.
* :func:`exact_power` / :func:`exact_optimality` for **finite-support**
  distributions (:class:`~powerseek.FiniteSupport`, or IID / per-state
  discrete scipy distributions with finite support such as Bernoulli(1/2) or
  uniform on {0, 1, 2}): the expectation over every reward vector of the
  support, weighted exactly. Refused beyond ``MAX_VECTORS`` vectors.
* the same for **IID uniform** rewards on [a, b] on small *deterministic*
  MDPs, by integrating over the polytopes of the reward cube where each
  non-dominated visit distribution is optimal (theory.md D.3):
  P(f optimal) = vol{r : f beats every other}, E[max] = Σ_f ∫_{P_f} g_fᵀr.
  Regions are defined by the first Taylor (γ = 0), exact (0 < γ < 1) or
  Laurent (γ = 1) coefficients on which two functions differ, so the limits
  are exact too. The volumes of each state's regions are checked to sum to
  exactly 1. Refused beyond ``MAX_DIMENSIONS`` reward coordinates or
  ``MAX_REGIONS`` regions.

Discounts are rational: a Fraction, an int, a string like ``"9/10"`` or a float
(read as the simplest fraction with that float value).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .._display import compact_repr
from .._frozen import FrozenDict
from .._rational import as_fraction, exact_gamma, exact_rows, solve_exact
from .._validation import label_text, position_of, quote
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..frames import Tabular, attrs_of, cell_columns, data_frame
from ..mdp import MDP
from ..rewards import IID, FiniteSupport, PerState, RewardDistribution, describe_scipy
from ..visits import VisitDistribution, nondominated, visit_distributions
from ._polytope import IntegrationError, region_moments

__all__ = [
    "MAX_DIMENSIONS",
    "MAX_REGIONS",
    "MAX_VECTORS",
    "ExactOptimality",
    "ExactPower",
    "ExactSetOptimality",
    "ExactSolution",
    "exact_optimality",
    "exact_power",
    "exact_solution",
    "exact_visit_optimality",
]

#: Most reward vectors a finite-support expectation enumerates.
MAX_VECTORS = 200_000
#: Most reward coordinates a uniform polytope integration handles by default
#: (8 takes seconds; each more multiplies the time by about 10-40: pass
#: ``max_dimensions=`` to go further).
MAX_DIMENSIONS = 8
#: Most regions (non-dominated visit distributions) per state for it.
MAX_REGIONS = 60


# ----------------------------------------------------------------------
# one reward vector


@compact_repr
@dataclass(frozen=True)
class ExactSolution:
    """Exact optimal values, optimal actions and POWER for one reward vector.

    Attributes
    ----------
    gamma : Fraction
    values : tuple of Fraction or None
        V*(s) (None at γ = 1, where it diverges).
    power : tuple of Fraction
        POWER(s) per state: (1−γ)·max_a E V*(s'), or its limit.
    optimal : tuple of tuple
        The optimal actions of each state (weak optimality: all tied actions).
    """

    states: tuple
    gamma: Fraction
    values: tuple | None
    power: tuple
    optimal: tuple

    def optimal_actions(self, state: Hashable) -> tuple:
        """The optimal actions at `state` (ties included).

        Parameters
        ----------
        state : hashable
            A state label.

        """
        return self.optimal[position_of(self.states, state)]


def exact_solution(mdp: MDP, rewards: Sequence[Any], gamma: Any) -> ExactSolution:
    """V*, optimal actions and POWER, exactly, for a rational reward vector.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    rewards : sequence of int, str, Fraction or float
        One reward per state; floats are read as the fractions they were written as.
    gamma : float, str or Fraction in [0, 1]
        The discount rate γ.

    Returns
    -------
    ExactSolution

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")     # start, wait, candy, chocolate, hug
    >>> solution = exact_solution(mdp, [0, 0, "1/2", 1, 0], "1/2")
    >>> solution.values
    (Fraction(1, 2), Fraction(1, 1), Fraction(1, 1), Fraction(2, 1), Fraction(0, 1))
    >>> solution.optimal_actions("start")   # candy and wait tie exactly
    ('candy', 'wait')
    >>> exact_solution(mdp, [0, 0, "1/2", 1, 0], 1).optimal_actions("start")
    ('wait',)
    """
    r = _reward_vector(mdp, rewards)
    g = exact_gamma(gamma)
    if g == 0:
        continuation = _expected_next(mdp, r)
        sets = _lexicographic_sets(mdp, r)
        return ExactSolution(
            mdp.states, g, tuple(r), _state_max(mdp, continuation), _labels(mdp, sets)
        )
    if g == 1:
        power, sets = _blackwell(mdp, r)
        return ExactSolution(mdp.states, g, None, power, _labels(mdp, sets))
    values, continuation = _exact_policy_iteration(mdp, r, g)
    best = _state_max(mdp, continuation)
    sets = [[k for k in _pairs(mdp, i) if continuation[k] == best[i]] for i in range(mdp.n_states)]
    power = tuple((1 - g) * b for b in best)
    return ExactSolution(mdp.states, g, tuple(values), power, _labels(mdp, sets))


def _reward_vector(mdp: MDP, rewards: Sequence[Any]) -> list[Fraction]:
    values = list(rewards) if not isinstance(rewards, np.ndarray) else rewards.tolist()
    if len(values) != mdp.n_states:
        raise InvalidParameterError(
            f"`rewards` must hold one reward per state ({mdp.n_states}); got {len(values)}."
        )
    return [as_fraction(v) for v in values]


def _pairs(mdp: MDP, i: int) -> range:
    return range(int(mdp.pair_offsets[i]), int(mdp.pair_offsets[i + 1]))


def _labels(mdp: MDP, sets) -> tuple:
    offsets = mdp.pair_offsets
    return tuple(
        tuple(mdp.actions[i][k - offsets[i]] for k in pairs) for i, pairs in enumerate(sets)
    )


def _expected_next(mdp: MDP, x: Sequence[Fraction]) -> list[Fraction]:
    return [sum((p * x[j] for j, p in row.items()), Fraction(0)) for row in exact_rows(mdp)]


def _state_max(mdp: MDP, per_pair: Sequence[Fraction]) -> tuple[Fraction, ...]:
    return tuple(max(per_pair[k] for k in _pairs(mdp, i)) for i in range(mdp.n_states))


def _exact_policy_iteration(mdp: MDP, r: list[Fraction], g: Fraction, policy=None):
    """Howard's policy iteration with exact evaluation; returns V* and E V*(s') per pair."""
    rows = exact_rows(mdp)
    n = mdp.n_states
    if policy is None:
        continuation = _expected_next(mdp, r)
        policy = [max(_pairs(mdp, i), key=lambda k: continuation[k]) for i in range(n)]
    policy = list(policy)
    for _ in range(10 * mdp.n_pairs + 10):
        system = [[Fraction(int(a == b)) for b in range(n)] for a in range(n)]
        for i in range(n):
            for j, p in rows[policy[i]].items():
                system[i][j] -= g * p
        values = solve_exact(system, r)
        continuation = _expected_next(mdp, values)
        changed = False
        for i in range(n):
            best = max(_pairs(mdp, i), key=lambda k: continuation[k])
            if continuation[best] > continuation[policy[i]]:
                policy[i] = best
                changed = True
        if not changed:
            return values, continuation
    raise RuntimeError("exact policy iteration did not terminate")  # pragma: no cover


def _lexicographic_sets(mdp: MDP, r: list[Fraction]) -> list[list[int]]:
    """Exact γ -> 0 optimal pairs: compare E r(s_1), then later coefficients."""
    alive = [list(_pairs(mdp, i)) for i in range(mdp.n_states)]
    coefficient = r
    for _ in range(2 * mdp.n_states + 1):
        W = _expected_next(mdp, coefficient)
        coefficient = []
        for i in range(mdp.n_states):
            best = max(W[k] for k in alive[i])
            alive[i] = [k for k in alive[i] if W[k] == best]
            coefficient.append(best)
    return alive


def _blackwell(mdp: MDP, r: list[Fraction]):
    """Exact γ -> 1: POWER (best average reward) and Blackwell-optimal pairs, per state."""
    power, sets = [], []
    for i, state in enumerate(mdp.states):
        F = visit_distributions(mdp, state)
        depth = 2 * mdp.n_states + 1
        scores = [[_dot(c, r) for c in f.laurent(depth)] for f in F]
        best = max(scores)
        winners = [f for f, score in zip(F, scores) if score == best]
        power.append(best[0])
        sets.append([k for k in _pairs(mdp, i) if any(f._compatible_pair(k) for f in winners)])
    return tuple(power), sets


def _dot(x: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(x, y) if a and b), Fraction(0))


# ----------------------------------------------------------------------
# distributions


class _ExactRecord:
    """The provenance of an exact result, with the keys of a Monte Carlo one's."""

    environment: str | None
    distribution: str
    method: str

    @property
    def provenance(self) -> dict[str, Any]:
        """Where the result came from, with the keys of a Monte Carlo result's provenance.

        ``n_samples`` and ``seed`` are None and ``sampling`` is ``"exact"``: no
        rewards were drawn. ``method`` says how the value was computed.
        """
        return FrozenDict(
            {
                "environment": self.environment,
                "n_samples": None,
                "seed": None,
                "distribution": self.distribution,
                "sampling": "exact",
                "device": "rational arithmetic",
                "method": self.method,
            }
        )


@compact_repr
@dataclass(frozen=True)
class ExactPower(_ExactRecord, Tabular):
    """Exact POWER of every state under a distribution.

    Attributes
    ----------
    states : tuple
    gamma : Fraction
    power : tuple of Fraction
    method : str
    distribution : str
    """

    states: tuple
    gamma: Fraction
    power: tuple
    method: str
    distribution: str
    environment: str | None = None

    def __getitem__(self, state: Hashable) -> Fraction:
        return self.power[position_of(self.states, state)]

    def to_dict(self) -> dict[str, Any]:
        """JSON document: exact values as strings (``"3/4"``) beside their decimals."""
        return {
            "environment": self.environment,
            "gamma": str(self.gamma),
            "gamma_decimal": float(self.gamma),
            "exact": True,
            "method": self.method,
            "distribution": self.distribution,
            "states": [label_text(s) for s in self.states],
            "power": [str(p) for p in self.power],
            "power_decimal": [float(p) for p in self.power],
            "stderr": [0.0] * len(self.power),
        }

    def to_frame(self):
        """One row per state, with the columns of :meth:`powerseek.PowerResult.to_frame`.

        ``value`` is the float nearest the exact value, ``stderr`` is 0, the
        interval ends equal the value, and ``exact`` holds the fraction as text.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from powerseek import load
        >>> result = exact_power(load("candy-wait"), "1/2")   # IID uniform on [0, 1]
        >>> result.to_frame()[["state", "value", "exact"]].values.tolist()[:2]
        [['start', 0.6875, '11/16'], ['wait', 0.6666666666666666, '2/3']]
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        values = np.array([float(p) for p in self.power])
        columns = {
            "quantity": "power",
            "gamma": float(self.gamma),
            **cell_columns(self.states),
            **_exact_columns(values),
            "exact": [str(p) for p in self.power],
        }
        return columns, _exact_attrs(self)


def _exact_columns(values: np.ndarray) -> dict[str, np.ndarray]:
    return {"value": values, "stderr": np.zeros_like(values), "ci_low": values, "ci_high": values}


def _exact_attrs(result: Any) -> dict[str, Any]:
    return attrs_of(
        {
            "environment": result.environment,
            "gamma_exact": str(result.gamma),
            "method": result.method,
            "distribution": result.distribution,
        }
    )


@compact_repr
@dataclass(frozen=True)
class ExactOptimality(_ExactRecord, Tabular):
    """Exact optimality probabilities of the actions of some states.

    Attributes
    ----------
    states : tuple
    actions : tuple of tuple
    probability : tuple of tuple of Fraction
        P(s, a, γ) for each analysed state and action.
    tie_mass : tuple of Fraction
    """

    states: tuple
    actions: tuple
    successors: tuple
    gamma: Fraction
    probability: tuple
    tie_mass: tuple
    method: str
    distribution: str
    environment: str | None = None

    def of(self, state: Hashable, action: Hashable) -> Fraction:
        """P(state, action, γ), exactly.

        Parameters
        ----------
        state : hashable
            A state label.
        action : hashable
            An action available in `state`.

        """
        i = position_of(self.states, state)
        return self.probability[i][position_of(self.actions[i], action, "action")]

    def to_dict(self) -> dict[str, Any]:
        """The probabilities as JSON-ready data (fractions as strings)."""
        entries = []
        for i, state in enumerate(self.states):
            entries.append(
                {
                    "state": label_text(state),
                    "actions": [
                        {
                            "action": label_text(a),
                            "successors": {
                                label_text(s): p for s, p in self.successors[i][j].items()
                            },
                            "probability": str(self.probability[i][j]),
                            "probability_decimal": float(self.probability[i][j]),
                            "stderr": 0.0,
                        }
                        for j, a in enumerate(self.actions[i])
                    ],
                    "tie_mass": str(self.tie_mass[i]),
                    "tie_mass_decimal": float(self.tie_mass[i]),
                }
            )
        head = {
            "environment": self.environment,
            "gamma": str(self.gamma),
            "gamma_decimal": float(self.gamma),
            "exact": True,
            "method": self.method,
            "distribution": self.distribution,
        }
        if len(entries) == 1:
            return {**head, **entries[0]}
        return {**head, "states": entries}

    def to_frame(self):
        """One row per state and action, as :meth:`powerseek.OptimalityResult.to_frame`.

        Exact: ``stderr`` is 0, and the fractions are text in ``exact`` and
        ``tie_mass_exact``.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        per_state = [i for i, actions in enumerate(self.actions) for _ in actions]
        cells = cell_columns(self.states)
        values = np.array([float(p) for row in self.probability for p in row])
        columns = {
            "quantity": "optimality",
            "gamma": float(self.gamma),
            **{key: [column[i] for i in per_state] for key, column in cells.items()},
            "action": [label_text(a) for actions in self.actions for a in actions],
            **_exact_columns(values),
            "tie_mass": [float(self.tie_mass[i]) for i in per_state],
            "exact": [str(p) for row in self.probability for p in row],
            "tie_mass_exact": [str(self.tie_mass[i]) for i in per_state],
        }
        return columns, _exact_attrs(self)


def exact_power(
    mdp: MDP,
    gamma: Any,
    *,
    dist: RewardDistribution | None = None,
    max_dimensions: int = MAX_DIMENSIONS,
) -> ExactPower:
    """Exact POWER_D(s, γ) of every state.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : rational in [0, 1]
        The discount rate γ.
    dist : RewardDistribution, optional
        Finite support (any MDP), or IID uniform on [a, b] (deterministic MDPs;
        the default is uniform on [0, 1]).
    max_dimensions : int, default 8
        For uniform rewards: the most rewards a state's regions may depend on
        jointly (the polytopes' dimension).

    Returns
    -------
    ExactPower
        POWER of every state as a Fraction.

    See Also
    --------
    powerseek.analysis.power : POWER by Monte Carlo, on any MDP and distribution.
    exact_optimality : optimality probabilities exactly.

    Examples
    --------
    >>> from powerseek import load
    >>> fig1 = load("turner-fig1")
    >>> result = exact_power(fig1, "1/2")
    >>> result["left_down"], result["right_down"], result["empty"]   # Figure 3
    (Fraction(11, 18), Fraction(2, 3), Fraction(1, 2))
    >>> exact_power(fig1, 0)["start"], exact_power(fig1, 1)["left_down"]
    (Fraction(3, 4), Fraction(7, 12))
    """
    g = exact_gamma(gamma)
    plan = _plan(mdp, dist)
    if plan.kind == "uniform":
        power = tuple(
            plan.low + plan.width * _uniform_power(mdp, i, g, max_dimensions)
            for i in range(mdp.n_states)
        )
    else:
        totals = [Fraction(0)] * mdp.n_states
        for r, w in plan.vectors():
            solution = exact_solution(mdp, r, g)
            for i, p in enumerate(solution.power):
                totals[i] += w * p
        power = tuple(totals)
    return ExactPower(mdp.states, g, power, plan.method, plan.description, mdp.name)


def exact_optimality(
    mdp: MDP,
    gamma: Any,
    *,
    state: Hashable | None = None,
    dist: RewardDistribution | None = None,
    max_dimensions: int = MAX_DIMENSIONS,
) -> ExactOptimality:
    """Exact P_D(s, a, γ) for the actions of `state` (or of every state).

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    gamma : float, str or Fraction in [0, 1]
        0 and 1 are the lexicographic and Blackwell limits.
    state : hashable, optional
        The state whose actions to analyse; all states by default.
    dist : RewardDistribution, optional
        IID uniform on [0, 1] (default), IID Bernoulli, or finite support.
    max_dimensions : int, default MAX_DIMENSIONS
        Refuse when the answer depends on more rewards than this.

    Returns
    -------
    ExactOptimality

    See Also
    --------
    powerseek.analysis.optimality : optimality probabilities by Monte Carlo.
    exact_power : POWER exactly.
    exact_visit_optimality : the exact probability that a set of visit distributions is optimal.

    Examples
    --------
    >>> from powerseek import load
    >>> candy = load("candy-wait")
    >>> exact_optimality(candy, 0, state="start").of("start", "wait")
    Fraction(1, 2)
    >>> exact_optimality(candy, 1, state="start").of("start", "wait")
    Fraction(2, 3)
    """
    g = exact_gamma(gamma)
    plan = _plan(mdp, dist)
    indices = range(mdp.n_states) if state is None else [mdp.index(state)]
    states = tuple(mdp.states[i] for i in indices)
    actions = tuple(mdp.actions[i] for i in indices)
    if plan.kind == "uniform":
        probabilities, ties = [], []
        for i in indices:
            p, t = _uniform_optimality(mdp, i, g, max_dimensions)
            probabilities.append(p)
            ties.append(t)
    else:
        probabilities = [[Fraction(0)] * len(mdp.actions[i]) for i in indices]
        ties = [Fraction(0)] * len(states)
        for r, w in plan.vectors():
            solution = exact_solution(mdp, r, g)
            for slot, i in enumerate(indices):
                chosen = solution.optimal[i]
                for j, action in enumerate(mdp.actions[i]):
                    if action in chosen:
                        probabilities[slot][j] += w
                if len(chosen) > 1:
                    ties[slot] += w
    successors = tuple(
        tuple(mdp.transition(s, a) for a in acts) for s, acts in zip(states, actions)
    )
    return ExactOptimality(
        states,
        actions,
        successors,
        g,
        tuple(tuple(p) for p in probabilities),
        tuple(ties),
        plan.method,
        plan.description,
        mdp.name,
    )


@dataclass
class _Plan:
    kind: str  # "uniform" or "finite"
    description: str
    low: Fraction = Fraction(0)
    width: Fraction = Fraction(1)
    supports: list | None = None  # per state: list of (value, weight)
    table: list | None = None  # explicit (vector, weight) pairs
    count: int = 0

    @property
    def method(self) -> str:
        """How a result under this plan is computed, as the results report it."""
        if self.kind == "uniform":
            return "exact: polytope integration over the uniform reward cube"
        return f"exact: enumeration of {self.count} reward vectors"

    def vectors(self):
        if self.table is not None:
            yield from self.table
            return
        for combination in itertools.product(*self.supports):
            weight = Fraction(1)
            for _, w in combination:
                weight *= w
            if weight:
                yield [v for v, _ in combination], weight


def _plan(mdp: MDP, dist: RewardDistribution | None) -> _Plan:
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    if dist is None:
        dist = IID()
    if isinstance(dist, IID) and dist.dist.dist.name == "uniform":
        low, high = (as_fraction(x) for x in dist.dist.support())
        if not mdp.is_deterministic:
            raise InvalidParameterError(
                "exact results under uniform rewards integrate over polytopes of visit "
                "distributions, for deterministic MDPs; this MDP is stochastic. Use a "
                "finite-support distribution (e.g. bernoulli(0.5)) or Monte Carlo."
            )
        return _Plan("uniform", dist.describe(), low=low, width=high - low)
    if isinstance(dist, FiniteSupport):
        if dist.vectors.shape[1] != mdp.n_states:
            raise InvalidParameterError(
                f"the reward vectors have {dist.vectors.shape[1]} entries; the MDP has "
                f"{mdp.n_states} states."
            )
        table = [
            ([as_fraction(x) for x in vector], as_fraction(w))
            for vector, w in zip(dist.vectors, dist.weights)
        ]
        total = sum(w for _, w in table)
        table = [(v, w / total) for v, w in table]
        return _Plan("finite", dist.describe(), table=table, count=len(table))
    if isinstance(dist, (IID, PerState)):
        supports = []
        for state in mdp.states:
            frozen = dist.dist if isinstance(dist, IID) else dist.dists.get(state, dist.default)
            supports.append(_finite_support(frozen, state))
        count = math.prod(len(s) for s in supports)
        if count > MAX_VECTORS:
            raise InvalidParameterError(
                f"exact enumeration would visit {count:.3g} reward vectors (the product of "
                f"{mdp.n_states} states' support sizes), more than {MAX_VECTORS}; use Monte "
                "Carlo, or a smaller MDP."
            )
        return _Plan("finite", dist.describe(), supports=supports, count=count)
    raise InvalidParameterError(
        f"exact results need a finite-support distribution or IID uniform rewards; got "
        f"{dist.describe()}."
    )


def _finite_support(frozen: Any, state: Hashable) -> list[tuple[Fraction, Fraction]]:
    from scipy import stats

    if frozen.dist.name == "uniform" or not isinstance(frozen.dist, stats.rv_discrete):
        raise InvalidParameterError(
            f"exact enumeration needs finitely many rewards per state; state {quote(state)} has "
            f"{describe_scipy(frozen)}. Mixed continuous and discrete rewards have no exact mode."
        )
    low, high = frozen.support()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > 1000:
        raise InvalidParameterError(
            f"exact enumeration needs a finite support; {describe_scipy(frozen)} (state "
            f"{quote(state)}) has support [{low}, {high}]."
        )
    if frozen.dist.name == "bernoulli":  # the parameter itself is exact
        p = as_fraction(frozen.args[0] if frozen.args else frozen.kwds["p"])
        loc = as_fraction(frozen.kwds.get("loc", frozen.args[1] if len(frozen.args) > 1 else 0))
        return [(loc, 1 - p), (loc + 1, p)] if 0 < p < 1 else [(loc + (p == 1), Fraction(1))]
    points = []
    for k in range(int(low), int(high) + 1):
        weight = _rationalise(float(frozen.pmf(k)))
        if weight:
            points.append((Fraction(k), weight))
    total = sum(w for _, w in points)
    return [(v, w / total) for v, w in points]


def _rationalise(x: float) -> Fraction:
    """A probability computed in floating point, as the simple fraction it rounds from."""
    simple = Fraction(x).limit_denominator(10**6)
    if abs(simple - Fraction(x)) <= Fraction(1, 10**12) * max(1, abs(x)):
        return simple
    return Fraction(x)


# ----------------------------------------------------------------------
# IID uniform: polytope integration


def _coefficients(f: VisitDistribution, g: Fraction) -> list[tuple[Fraction, ...]]:
    """What f(γ)ᵀr is compared on at γ, most significant first."""
    depth = 2 * f.mdp.n_states + 1
    if g == 0:
        return f.taylor(depth)
    if g == 1:
        return f.laurent(depth)
    return [f.exact(g)]


def _regions(mdp: MDP, i: int, g: Fraction, flags=None):
    """Regions of reward space where each non-dominated function wins.

    The state's non-dominated visit distributions grouped by identical
    coefficient stacks, each with the halfspaces of the region where it wins.

    With `flags` (a predicate on functions), groups that share their first
    coefficient and agree on the predicate are merged into one region, which
    is all a probability of that predicate needs (and is often far simpler).
    """
    F = visit_distributions(mdp, mdp.states[i])
    groups: dict[tuple, list[VisitDistribution]] = {}
    for f in nondominated(F):
        groups.setdefault(tuple(_coefficients(f, g)), []).append(f)
    stacks = list(groups)
    members = [groups[stack] for stack in stacks]
    if flags is not None:
        buckets: dict[tuple, list[int]] = {}
        for index, stack in enumerate(stacks):
            buckets.setdefault(stack[0], []).append(index)
        merged_stacks, merged_members = [], []
        for first, indices in buckets.items():
            marks = {any(flags(f) for f in members[k]) for k in indices}
            if len(indices) > 1 and len(marks) == 1:
                merged_stacks.append((first,))
                merged_members.append([f for k in indices for f in members[k]])
            else:
                merged_stacks.extend(stacks[k] for k in indices)
                merged_members.extend(members[k] for k in indices)
        stacks, members = merged_stacks, merged_members
    if len(stacks) > MAX_REGIONS:
        raise InvalidParameterError(
            f"state {quote(mdp.states[i])} has {len(stacks)} non-dominated visit distributions; "
            f"exact integration handles up to {MAX_REGIONS}. Use Monte Carlo."
        )
    regions = []
    for stack, functions in zip(stacks, members):
        halfspaces = []
        for other in stacks:
            if other is stack:
                continue
            k = next(k for k in range(min(len(stack), len(other))) if stack[k] != other[k])
            halfspaces.append(tuple(a - b for a, b in zip(stack[k], other[k])))
        regions.append((functions, halfspaces))
    return regions


def _coordinate_race(regions_halfspaces: list[list[tuple]]):
    """The winning coordinate of each region, when regions are races.

    If region i is exactly {r_{j_i} ≥ r_k for every other k in J} (a race
    between distinct IID coordinates), return [j_i]; otherwise None.
    """
    winners = []
    for halfspaces in regions_halfspaces:
        j, rivals = None, set()
        for h in halfspaces:
            support = [(index, x) for index, x in enumerate(h) if x]
            if len(support) != 2 or support[0][1] != -support[1][1]:
                return None
            (a, x), (b, _) = support
            top, other = (a, b) if x > 0 else (b, a)
            if j not in (None, top):
                return None
            j = top
            rivals.add(other)
        winners.append((j, rivals))
    field = {j for j, _ in winners}
    if len(field) != len(winners) or any(rivals != field - {j} for j, rivals in winners):
        return None
    return [j for j, _ in winners]


def _integrate(regions_halfspaces: list[list[tuple]], n: int, what: str, limit: int):
    """Volumes and first moments of regions partitioning the cube, exactly."""
    race = _coordinate_race(regions_halfspaces)
    if race is not None and len(race) > 1:
        # symmetry of IID coordinates: each wins with probability 1/k; the
        # winner's mean there is 1/(k+1), a loser's 1/(2(k+1)), others' 1/(2k)
        k = len(race)
        out = []
        for j in race:
            moment = [Fraction(1, 2 * k)] * n
            for i in race:
                moment[i] = Fraction(1, 2 * (k + 1))
            moment[j] = Fraction(1, k + 1)
            out.append((Fraction(1, k), moment))
        return out
    used = sorted(
        {j for halfspaces in regions_halfspaces for h in halfspaces for j, x in enumerate(h) if x}
    )
    if len(used) > limit:
        raise InvalidParameterError(
            f"{what} depends on {len(used)} rewards jointly; exact integration is limited to "
            f"{limit} (raise it with max_dimensions=; beyond 8 it takes minutes or more). Use "
            "Monte Carlo."
        )
    out = []
    for halfspaces in regions_halfspaces:
        if not used:
            volume, moments = Fraction(1), ()
        else:
            volume, moments = region_moments([[h[j] for j in used] for h in halfspaces], len(used))
        full = [volume / 2] * n  # unused rewards integrate to their mean
        for j, m in zip(used, moments):
            full[j] = m
        out.append((volume, full))
    total = sum(v for v, _ in out)
    if total != 1:
        raise IntegrationError(
            f"{what}: the exact region volumes sum to {total}, not 1; the floating-point "
            "triangulation failed on this geometry."
        )
    return out


def _uniform_power(mdp: MDP, i: int, g: Fraction, limit: int = MAX_DIMENSIONS) -> Fraction:
    """Exact POWER(s, γ) under IID uniform [0, 1] rewards."""
    state = mdp.states[i]
    if g == 0:
        vectors = {
            tuple(sorted(row.items())) for row in (exact_rows(mdp)[k] for k in _pairs(mdp, i))
        }
        gains = [_dense(dict(v), mdp.n_states) for v in vectors]
    else:
        gains = []
        for functions, _ in _regions(mdp, i, g):
            f = functions[0]
            if g == 1:
                gains.append(f.laurent(0)[0])
            else:
                x = f.exact(g)
                gains.append(
                    tuple((1 - g) / g * (x[j] - (1 if j == i else 0)) for j in range(mdp.n_states))
                )
    gains = list(dict.fromkeys(gains))
    halfspaces = [
        [tuple(a - b for a, b in zip(gain, other)) for other in gains if other != gain]
        for gain in gains
    ]
    pieces = _integrate(halfspaces, mdp.n_states, f"POWER({quote(state)})", limit)
    return sum((_dot(gain, moment) for gain, (_, moment) in zip(gains, pieces)), Fraction(0))


def _dense(row: dict[int, Fraction], n: int) -> tuple[Fraction, ...]:
    out = [Fraction(0)] * n
    for j, p in row.items():
        out[j] = p
    return tuple(out)


def _uniform_optimality(mdp: MDP, i: int, g: Fraction, limit: int = MAX_DIMENSIONS):
    """Exact P(s, a, γ) for each action of state i, and the tie mass."""
    regions = _regions(mdp, i, g)
    pieces = _integrate(
        [h for _, h in regions],
        mdp.n_states,
        f"the optimality regions of {quote(mdp.states[i])}",
        limit,
    )
    pairs = list(_pairs(mdp, i))
    probability = [Fraction(0)] * len(pairs)
    tie = Fraction(0)
    for (functions, _), (volume, _) in zip(regions, pieces):
        optimal = [j for j, k in enumerate(pairs) if any(f._compatible_pair(k) for f in functions)]
        for j in optimal:
            probability[j] += volume
        if len(optimal) > 1:
            tie += volume
    return probability, tie


@compact_repr
@dataclass(frozen=True)
class ExactSetOptimality(_ExactRecord, Tabular):
    """The exact probability that some function of a set is optimal (Def 4.3).

    The exact twin of :class:`~powerseek.analysis.SetOptimalityResult`: the same
    ``value``, ``stderr`` (0) and table, with the probability as a fraction.

    Attributes
    ----------
    probability : Fraction
        P_D(F, γ).
    state : hashable
        The state whose visit distributions were compared.
    gamma : Fraction
        The discount rate.
    n_functions : int
        |F|, the size of the set.
    method : str
        How it was computed.
    distribution : str
        The reward distribution, as text.
    environment : str or None
        The environment's name.
    """

    probability: Fraction
    state: Hashable
    gamma: Fraction
    n_functions: int
    method: str
    distribution: str
    environment: str | None = None

    @property
    def value(self) -> float:
        """The probability as the nearest float."""
        return float(self.probability)

    @property
    def stderr(self) -> float:
        """0: the value is exact."""
        return 0.0

    def __float__(self) -> float:
        return self.value

    def to_dict(self) -> dict[str, Any]:
        """JSON document: the probability as a string (``"1/11"``) beside its decimal."""
        return {
            "environment": self.environment,
            "state": label_text(self.state),
            "gamma": str(self.gamma),
            "gamma_decimal": float(self.gamma),
            "exact": True,
            "method": self.method,
            "distribution": self.distribution,
            "n_functions": self.n_functions,
            "probability": str(self.probability),
            "probability_decimal": self.value,
            "stderr": 0.0,
        }

    def to_frame(self):
        """One row, with the columns of :meth:`SetOptimalityResult.to_frame` and ``exact``.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        value = np.array([self.value])
        columns = {
            "quantity": "set_optimality",
            "gamma": float(self.gamma),
            **_exact_columns(value),
            "exact": [str(self.probability)],
        }
        return columns, _exact_attrs(self)


def exact_visit_optimality(
    mdp: MDP,
    state: Hashable,
    subset: Sequence[VisitDistribution],
    gamma: Any,
    *,
    dist: RewardDistribution | None = None,
    max_dimensions: int = MAX_DIMENSIONS,
) -> ExactSetOptimality:
    """Exact P_D(F, γ) (Def 4.3): the probability that some f in `subset` is optimal.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    subset : sequence of VisitDistribution
        F ⊆ F(state).
    gamma : float, str or Fraction in [0, 1]
        The discount rate γ.
    dist : RewardDistribution, optional
        As for :func:`exact_optimality`.
    max_dimensions : int, default MAX_DIMENSIONS
        Refuse when the answer depends on more rewards than this.

    Returns
    -------
    ExactSetOptimality
        Its ``probability`` is the fraction.

    See Also
    --------
    powerseek.analysis.visit_optimality : the same probability by Monte Carlo.
    exact_optimality : optimality probabilities of actions exactly.

    Examples
    --------
    >>> from powerseek import load
    >>> from powerseek.visits._functions import visit_distributions
    >>> aima = load("aima-4x3")
    >>> F = visit_distributions(aima, (2, 0))
    >>> red = [f for f in F if f.cycle == ((1, 3),)]
    >>> exact_visit_optimality(aima, (2, 0), red, 1).probability   # end in the red cell
    Fraction(1, 11)
    """
    g = exact_gamma(gamma)
    plan = _plan(mdp, dist)
    i = mdp.index(state)
    F = visit_distributions(mdp, state)
    chosen = set(subset)
    unknown = [f for f in chosen if f not in set(F)]
    if unknown:
        raise InvalidParameterError(f"{unknown[0]!r} is not in F({quote(state)}).")
    if plan.kind == "uniform":
        regions = _regions(mdp, i, g, flags=lambda f: f in chosen)
        pieces = _integrate(
            [h for _, h in regions],
            mdp.n_states,
            f"the optimality regions of {quote(state)}",
            max_dimensions,
        )
        total = sum(
            (
                volume
                for (functions, _), (volume, _) in zip(regions, pieces)
                if any(f in chosen for f in functions)
            ),
            Fraction(0),
        )
    else:
        stacks = [_coefficients(f, g) for f in F]
        total = Fraction(0)
        for r, w in plan.vectors():
            scores = [[_dot(c, r) for c in stack] for stack in stacks]
            best = max(scores)
            if any(f in chosen for f, score in zip(F, scores) if score == best):
                total += w
    return ExactSetOptimality(total, state, g, len(chosen), plan.method, plan.description, mdp.name)
