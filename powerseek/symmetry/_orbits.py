"""Orbits of reward distributions and the ≥_most relations (theory.md Def 6.4, 6.5).

The orbit of a distribution D is the *set* {φ·D : φ a permutation of the
states} (Def 6.4): duplicates collapse, so an IID distribution has a
one-element orbit and the point mass on r has one element per distinct
arrangement of r's values. Two functionals f1, f2 of a distribution (POWER of
a state, the optimality probability of an action or of a set of visit
distributions, the expected POWER after an action, or any function of a
distribution) are compared over the orbit:

    f1 ≥_most f2 at D      iff  |{D' : f1(D') > f2(D')}| ≥ |{D' : f1(D') < f2(D')}|
    f1 ≥^n_most f2 at D    iff  ... ≥ n · |{D' : f1(D') < f2(D')}|   (RDSP Def 3.2)

and, when f1 ≥^n_most f2, at least n/(n+1) of the orbit has f1 ≥ f2 (Lemma B.2/B.3).

Orbits are enumerated exactly when they are small enough: only the states
the functionals depend on (those reachable from the states in question)
matter, so arrangements are enumerated on those states only, each weighted
by the number of ways to arrange the rest. Larger orbits are sampled
uniformly (a uniformly random permutation gives a uniformly random orbit
element) and reported with confidence intervals. Point masses and
finite-support distributions are evaluated exactly (within a tie tolerance);
other distributions by Monte Carlo with common random numbers (every orbit
element's samples are the same draws, permuted), an element counting as
">" or "<" only when the difference exceeds `z` standard errors.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gamma, label_text, make_rng, stream_seed
from ..agents import as_rule, rule_policy
from ..analysis import coefficient_stack, lexicographic_best, optimal_actions, power_samples
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..frames import Tabular, data_frame
from ..mdp import MDP, reachable
from ..rewards import (
    IID,
    FiniteSupport,
    PerState,
    RewardDistribution,
    RewardSamples,
    sample,
)
from ..visits import VisitDistribution, visit_distributions

__all__ = [
    "Functional",
    "OrbitComparison",
    "action_optimality",
    "compare_over_orbit",
    "orbit_size",
    "power_of",
    "rule_choice",
    "successor_power",
    "visit_set_optimality",
]

#: Orbit elements (weighted arrangements on the relevant states) enumerated at most.
MAX_ENUMERATED = 200_000


@dataclass(frozen=True)
class Functional:
    """A number computed from a reward vector, averaged over a distribution.

    Attributes
    ----------
    name : str
    relevant : frozenset of int
        State indices whose rewards can change the value.
    per_sample : callable
        ``per_sample(R)`` maps reward vectors (m, n_states) to m values.
    """

    name: str
    relevant: frozenset
    per_sample: Callable[[np.ndarray], np.ndarray]


def _relevant(mdp: MDP, state: Hashable) -> frozenset:
    return frozenset(mdp.index(s) for s in reachable(mdp, state))


def power_of(mdp: MDP, state: Hashable, gamma: float) -> Functional:
    """POWER_D(state, γ).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    gamma : float in [0, 1]
        The discount rate γ.

    Returns
    -------
    Functional

    See Also
    --------
    compare_over_orbit : Compares two functionals over an orbit.
    successor_power : Expected POWER after an action.

    Examples
    --------
    >>> from powerseek import load
    >>> f = power_of(load("candy-wait"), "wait", 0.5)
    >>> f.per_sample(np.array([[0, 0, 0, 0.2, 0.8]])).round(12).tolist()
    [0.8]
    """
    gamma = check_gamma(gamma)
    i = mdp.index(state)
    return Functional(
        f"POWER({label_text(state)}, {gamma:g})",
        _relevant(mdp, state),
        lambda R: power_samples(mdp, R, gamma)[:, i],
    )


def successor_power(mdp: MDP, state: Hashable, action: Hashable, gamma: float) -> Functional:
    """E_{s'~T(state, action)} POWER_D(s', γ) (Def 5.6).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable
        An action available at `state`, by its label.
    gamma : float in [0, 1]
        The discount rate γ.

    Returns
    -------
    Functional

    See Also
    --------
    power_of : POWER of one state.
    compare_over_orbit : Compares two functionals over an orbit.

    Examples
    --------
    >>> from powerseek import load
    >>> f = successor_power(load("candy-wait"), "start", "wait", 0.5)
    >>> sorted(f.relevant)   # the rewards it depends on: wait, chocolate, hug
    [1, 3, 4]
    """
    gamma = check_gamma(gamma)
    k = mdp.pair_index(state, action)
    row = mdp.transition_matrix[[k]].toarray()[0]
    return Functional(
        f"E POWER after {label_text(action)} at {label_text(state)}, {gamma:g}",
        frozenset(mdp.index(s) for s in reachable(mdp, state, action)),
        lambda R: power_samples(mdp, R, gamma) @ row,
    )


def action_optimality(mdp: MDP, state: Hashable, action: Hashable, gamma: float) -> Functional:
    """P_D(state, action, γ) (Def 4.4).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable
        An action available at `state`, by its label.
    gamma : float in [0, 1]
        The discount rate γ.

    Returns
    -------
    Functional

    See Also
    --------
    rule_choice : The same for a bounded decision-maker.
    compare_over_orbit : Compares two functionals over an orbit.

    Examples
    --------
    >>> from powerseek import load
    >>> f = action_optimality(load("candy-wait"), "start", "wait", 1.0)
    >>> f.name, sorted(f.relevant)
    ('P(start, wait, 1)', [0, 1, 2, 3, 4])
    """
    gamma = check_gamma(gamma)
    k = mdp.pair_index(state, action)
    return Functional(
        f"P({label_text(state)}, {label_text(action)}, {gamma:g})",
        _relevant(mdp, state),
        lambda R: optimal_actions(mdp, R, gamma)[:, k].astype(float),
    )


def visit_set_optimality(
    mdp: MDP, state: Hashable, subset: Sequence[VisitDistribution], gamma: float
) -> Functional:
    """P_D(F, γ) for F ⊆ F(state) (Def 4.3).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    subset : sequence of VisitDistribution
        The visit distribution functions F ⊆ F(state).
    gamma : float in [0, 1]
        The discount rate γ.

    Returns
    -------
    Functional

    See Also
    --------
    action_optimality : For the functions that start with an action.
    compare_over_orbit : Compares two functionals over an orbit.

    """
    gamma = check_gamma(gamma)
    F = visit_distributions(mdp, state)
    members = set(subset)
    chosen = np.array([f in members for f in F])
    stack = coefficient_stack(F, gamma)

    def per_sample(R):
        alive = lexicographic_best(stack, np.ascontiguousarray(R.T), 1e-9)
        return alive[chosen].any(axis=0).astype(float)

    return Functional(f"P(F, {gamma:g}) at {label_text(state)}", _relevant(mdp, state), per_sample)


def rule_choice(
    mdp: MDP,
    state: Hashable,
    action: Hashable,
    gamma: float,
    rule: Any,
    *,
    repeats: int = 64,
    rng: Any = None,
    seed: Any = None,
) -> Functional:
    """P_d(state, action, γ) = E[π_d(action | state)] of a decision rule (powerseek.agents).

    For a randomised rule (best-of-k, Q-learning, a random initialisation) each
    reward vector's value averages the rule over `repeats` of its random streams.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable
        An action available at `state`, by its label.
    gamma : float in [0, 1]
        The discount rate γ.
    rule : DecisionRule or str
        The decision rule: a DecisionRule or its text (``boltzmann:0.1``).
    repeats : int, default 64
        Draws of a randomised rule per reward vector.
    rng : int or numpy.random.Generator, optional
        Seeds the rule's streams; default 0.
    seed : int, optional
        The old name of `rng` (a FutureWarning; it goes in the next release).

    Returns
    -------
    Functional

    See Also
    --------
    action_optimality : The same for the optimal agent.
    compare_over_orbit : Compares two functionals over an orbit.

    Examples
    --------
    >>> from powerseek import load
    >>> f = rule_choice(load("candy-wait"), "start", "wait", 0.9, "epsilon-greedy:0.1")
    >>> f.name, f.per_sample(np.array([[0, 0, 0.5, 0.9, 0.1]])).tolist()
    ('P_epsilon-greedy:0.1(start, wait, 0.9)', [0.9])
    """
    entropy = stream_seed(rng, seed, "rule_choice()")
    gamma = check_gamma(gamma)
    rule = as_rule(rule)
    rule.check_gamma(gamma)
    k = mdp.pair_index(state, action)
    copies = repeats if rule.randomised else 1

    def per_sample(R: np.ndarray) -> np.ndarray:
        R = np.atleast_2d(R)
        policy = rule_policy(mdp, np.repeat(R, copies, axis=0), gamma, rule, rng=entropy)
        return policy[:, k].reshape(len(R), copies).mean(axis=1)

    return Functional(
        f"P_{rule}({label_text(state)}, {label_text(action)}, {gamma:g})",
        _relevant(mdp, state),
        per_sample,
    )


@compact_repr
@dataclass(frozen=True)
class OrbitComparison(Tabular):
    """How f1 and f2 compare over the orbit of a distribution.

    Attributes
    ----------
    greater, less, equal : int or float
        Orbit elements (or, when sampled, sampled elements) with f1 > f2,
        f1 < f2, and neither (ties, or undecided under Monte Carlo).
    orbit_size : int
        |S·D|, exact.
    method : str
        ``"enumerated"`` or ``"sampled k of N elements"``.
    fraction : float
        Share of the orbit with f1 ≥ f2 (weakly).
    fraction_interval : tuple of float or None
        95% Wilson interval of `fraction` when sampled.
    counterexample : numpy.ndarray or None
        A reward vector (or the permutation's image of the base samples) of
        an element with f1 < f2.
    """

    f1: str
    f2: str
    greater: float
    less: float
    equal: float
    orbit_size: int
    method: str
    fraction: float
    fraction_interval: tuple | None
    counterexample: Any = None

    @property
    def sampled(self) -> bool:
        """Whether the orbit was sampled rather than enumerated."""
        return self.method != "enumerated"

    @property
    def most(self) -> bool:
        """Whether f1 ≥_most f2 on this orbit (Def 6.5).

        f1 ≥_most f2 on this orbit: |{>}| ≥ |{<}| (Def 6.5); for a sampled
        orbit, the sample's counts (see :meth:`contradicts_most`).
        """
        return self.greater >= self.less

    def contradicts_most(self, z: float = 3.0) -> bool:
        """Whether the counts refute f1 ≥_most f2.

        Whether the counts refute f1 ≥_most f2: exactly when enumerated; when
        sampled, only if |{<}| exceeds |{>}| by more than z standard errors.

        Parameters
        ----------
        z : float, default 3.0
            How many standard errors a share must lie below 1/2 to count.

        """
        if not self.sampled:
            return self.less > self.greater
        draws = self.greater + self.less + self.equal
        mean = (self.greater - self.less) / draws
        variance = (self.greater + self.less) / draws - mean**2
        return mean < -z * math.sqrt(max(variance, 0.0) / draws)

    def contradicts_share(self, bound: float) -> bool:
        """Whether the share with f1 ≥ f2 is below `bound`.

        Whether the share with f1 ≥ f2 is below `bound`: exactly when
        enumerated; when sampled, only if the 95% interval lies below it.

        Parameters
        ----------
        bound : float
            The share the hypothesis guarantees.

        """
        if not self.sampled:
            return self.fraction < bound - 1e-12
        return self.fraction_interval[1] < bound

    def n_fold(self) -> float:
        """The largest n with |{>}| ≥ n·|{<}| (infinite when nothing is <)."""
        return math.inf if self.less == 0 else self.greater / self.less

    def bound(self, n: float) -> float:
        """n/(n+1): the share of the orbit with f1 ≥ f2 that ≥^n_most guarantees.

        Parameters
        ----------
        n : float
            The n of ≥^n_most.

        """
        return n / (n + 1)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data."""
        n = self.n_fold()
        return {
            "f1": self.f1,
            "f2": self.f2,
            "orbit_size": self.orbit_size,
            "method": self.method,
            "greater": self.greater,
            "less": self.less,
            "equal": self.equal,
            "most": self.most,
            "n_fold": None if math.isinf(n) else n,
            "fraction_at_least": self.fraction,
            "fraction_interval": list(self.fraction_interval) if self.fraction_interval else None,
            "counterexample": (
                None if self.counterexample is None else np.asarray(self.counterexample).tolist()
            ),
        }

    def to_frame(self):
        """The comparison as a one-row pandas DataFrame.

        Columns ``f1``, ``f2``, ``orbit_size``, ``method``, ``greater``, ``less``,
        ``equal``, ``most``, ``n_fold`` (inf when nothing is <),
        ``fraction_at_least`` and the interval ends ``ci_low``, ``ci_high``
        (equal to it when the orbit was enumerated).

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        columns = self.to_dict()
        del columns["counterexample"], columns["fraction_interval"]
        columns["n_fold"] = self.n_fold()  # inf rather than JSON's null
        low, high = self.fraction_interval or (self.fraction, self.fraction)
        return {**columns, "ci_low": low, "ci_high": high}, {}


def _labels(dist: RewardDistribution, n: int) -> tuple[list, Callable[[list], Any]]:
    """Per-state labels whose arrangements are the orbit, and how to build an element."""
    if isinstance(dist, FiniteSupport) and len(dist.vectors) == 1:
        return list(dist.vectors[0]), lambda labels: np.array(labels, dtype=float)
    if isinstance(dist, (FiniteSupport, RewardSamples)):
        matrix = dist.vectors if isinstance(dist, FiniteSupport) else dist.samples
        columns = [tuple(matrix[:, j]) for j in range(n)]
        return columns, lambda labels: np.array(labels, dtype=float).T
    if isinstance(dist, IID):
        return [0] * n, None
    if isinstance(dist, PerState):
        raise InvalidParameterError("per-state distributions are compared by Monte Carlo.")
    raise InvalidTypeError(
        f"orbits are computed for point masses, finite-support, IID and per-state distributions; "
        f"got {dist.describe()}."
    )


def orbit_size(labels: Sequence[Hashable]) -> int:
    """|orbit| = n! / Π(multiplicity!) for per-state labels.

    Parameters
    ----------
    labels : sequence of hashable
        One label per state; equal labels are interchangeable.

    Returns
    -------
    int

    Examples
    --------
    >>> orbit_size([0.5, 0.5, 1.0])
    3
    """
    counts = Counter(labels)
    size = math.factorial(len(labels))
    for c in counts.values():
        size //= math.factorial(c)
    return size


def _arrangements(labels: Sequence[Hashable], positions: Sequence[int], n: int):
    """Distinct assignments of the label multiset to `positions`, with multiplicities.

    Distinct assignments of the label multiset to `positions`, each with the
    number of distinct arrangements of the remaining labels on the other states.
    """
    counts = Counter(labels)
    keys = list(counts)
    rest_size = n - len(positions)

    def weight(remaining: Counter) -> int:
        w = math.factorial(rest_size)
        for c in remaining.values():
            w //= math.factorial(c)
        return w

    chosen: list = []

    def walk(depth: int):
        if depth == len(positions):
            yield list(chosen), weight(counts)
            return
        for key in keys:
            if counts[key]:
                counts[key] -= 1
                chosen.append(key)
                yield from walk(depth + 1)
                chosen.pop()
                counts[key] += 1

    yield from walk(0)


def _fill(assignment, positions, labels, n):
    """A full label vector: `assignment` on `positions`, the rest anywhere."""
    remaining = Counter(labels)
    for value in assignment:
        remaining[value] -= 1
    others = [v for v, c in remaining.items() for _ in range(c)]
    out = [None] * n
    for p, v in zip(positions, assignment):
        out[p] = v
    rest = iter(others)
    for j in range(n):
        if out[j] is None:
            out[j] = next(rest)
    return out


def _as_permutation(source_labels, target_labels) -> np.ndarray:
    """A permutation moving each source state's label to a target position."""
    pools: dict = {}
    for j, label in enumerate(source_labels):
        pools.setdefault(label, []).append(j)
    image = np.empty(len(source_labels), dtype=np.int64)
    for position, label in enumerate(target_labels):
        image[pools[label].pop()] = position
    return image


def compare_over_orbit(
    mdp: MDP,
    dist: RewardDistribution,
    f1: Functional,
    f2: Functional,
    *,
    tie_tol: float = 1e-9,
    max_elements: int = MAX_ENUMERATED,
    n_draws: int = 2000,
    n_samples: int = 2000,
    z: float = 3.0,
    rng: Any = None,
    executor: Any = None,
) -> OrbitComparison:
    """Count the orbit elements of `dist` where f1 > f2, f1 < f2, or neither.

    Parameters
    ----------
    mdp : MDP
        The environment.
    dist : RewardDistribution
        A point mass or finite-support distribution (exact comparisons), or an
        IID / per-state distribution (Monte Carlo).
    f1, f2 : Functional
        E.g. :func:`power_of`, :func:`action_optimality`, :func:`successor_power`.
    tie_tol : float
        Differences within tie_tol · max(1, |f|) are ties.
    max_elements : int
        Enumerate the orbit when it has at most this many weighted
        arrangements on the relevant states; sample it otherwise.
    n_draws : int
        Orbit elements sampled when not enumerating.
    n_samples : int
        Monte Carlo samples per element (IID / per-state distributions).
    z : float
        Monte Carlo differences within z standard errors count as neither.
    rng : seed
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    executor : concurrent.futures.Executor, optional
        Evaluates the orbit elements of point masses and finite supports in
        work units of :data:`ELEMENTS_PER_UNIT` (see :mod:`powerseek.parallel`);
        each element is solved on its own, so the counts are the same.

    Returns
    -------
    OrbitComparison

    See Also
    --------
    power_of : POWER of a state as a functional.
    successor_power : Expected POWER after an action.
    action_optimality : Optimality probability of an action.
    visit_set_optimality : Optimality probability of a set of functions.
    rule_choice : A bounded agent's choice probability.

    Examples
    --------
    Cor D.12 on Figure 1: at γ = 1 at least 3/4 of every orbit avoids ``empty``.

    >>> from powerseek import FiniteSupport, load
    >>> mdp = load("turner-fig1")
    >>> avoid = action_optimality(mdp, "start", "empty", 1.0)
    >>> r = FiniteSupport([[0.1, 0.9, 0.3, 0.5, 0.2, 0.8, 0.4, 0.6]])
    >>> never = Functional("0", frozenset(), lambda R: np.zeros(len(R)))
    >>> result = compare_over_orbit(mdp, r, never, avoid)
    >>> result.orbit_size, result.method, result.fraction >= 3 / 4
    (40320, 'enumerated', True)
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    n = mdp.n_states
    positions = sorted(f1.relevant | f2.relevant) or [0]
    generator = make_rng(rng)
    if isinstance(dist, PerState):
        labels = [dist.dists.get(s, dist.default) for s in mdp.states]
        labels = [_describe(d) for d in labels]
        return _monte_carlo(
            mdp, dist, f1, f2, labels, positions, max_elements, n_draws, n_samples, z, generator
        )
    if isinstance(dist, IID):
        labels = [0] * n
        return _monte_carlo(
            mdp, dist, f1, f2, labels, positions, max_elements, n_draws, n_samples, z, generator
        )
    labels, build = _labels(dist, n)
    weights_vector = None
    if isinstance(dist, FiniteSupport) and len(dist.vectors) > 1:
        weights_vector = dist.weights
    size = orbit_size(labels)
    if weights_vector is not None:
        # permuting the states can map a support onto itself with its columns moved,
        # so distinct column arrangements are not always distinct distributions:
        # enumerate them all and collapse equal distributions
        if size <= max_elements:
            distinct: dict = {}
            for assignment, _ in _arrangements(labels, list(range(n)), n):
                matrix = build(assignment)
                key = tuple(sorted(zip(map(tuple, matrix.tolist()), weights_vector.tolist())))
                distinct.setdefault(key, assignment)
            items = [(assignment, 1) for assignment in distinct.values()]
            size = len(items)
            method = "enumerated"
        else:
            items = _draws(labels, n, n_draws, generator)
            method = f"sampled {n_draws} of at most {size} elements"
    elif _count_arrangements(labels, positions, max_elements) <= max_elements:
        items = [
            (_fill(a, positions, labels, n), w) for a, w in _arrangements(labels, positions, n)
        ]
        method = "enumerated"
    else:
        items = _draws(labels, n, n_draws, generator)
        method = f"sampled {n_draws} of {size} elements"
    full = [build(labels_) for labels_, _ in items]
    if weights_vector is None:
        R = np.array(full)  # (elements, n)
        v1, v2 = _per_sample(f1, R, executor), _per_sample(f2, R, executor)
    else:
        stacked = np.concatenate(full)  # (elements * K, n)
        K = len(weights_vector)
        v1 = (_per_sample(f1, stacked, executor).reshape(-1, K) * weights_vector).sum(axis=1)
        v2 = (_per_sample(f2, stacked, executor).reshape(-1, K) * weights_vector).sum(axis=1)
    weights = np.array([w for _, w in items], dtype=object)
    scale = np.maximum(1.0, np.maximum(np.abs(v1), np.abs(v2)))
    greater = v1 > v2 + tie_tol * scale
    less = v2 > v1 + tie_tol * scale
    g, lt = int(weights[greater].sum()), int(weights[less].sum())
    total = int(weights.sum())
    counterexample = full[int(np.flatnonzero(less)[0])] if less.any() else None
    if method == "enumerated":
        fraction = (total - lt) / total
        interval = None
    else:
        fraction = 1 - lt / len(items)
        interval = _wilson(len(items) - lt, len(items))
    return OrbitComparison(
        f1.name, f2.name, g, lt, total - g - lt, size, method, fraction, interval, counterexample
    )


#: Orbit elements (reward vectors) per work unit when an executor is given.
ELEMENTS_PER_UNIT = 4096


def _per_sample(functional: Functional, R: np.ndarray, executor: Any) -> np.ndarray:
    """``functional.per_sample(R)``, in work units of rows on `executor` if given."""
    if executor is None or len(R) <= ELEMENTS_PER_UNIT:
        return functional.per_sample(R)
    units = [
        executor.submit(functional.per_sample, R[i : i + ELEMENTS_PER_UNIT])
        for i in range(0, len(R), ELEMENTS_PER_UNIT)
    ]
    return np.concatenate([unit.result() for unit in units])


def _draws(labels, n, count, generator) -> list:
    """Uniformly random orbit elements.

    Uniform orbit elements: uniformly random permutations of the labels (every
    element has a stabiliser of the same size, so each is equally likely).
    """
    array = np.array(labels, dtype=object)
    return [(list(array[generator.permutation(n)]), 1) for _ in range(count)]


def _count_arrangements(labels, positions, cap) -> int:
    count = 0
    for _ in _arrangements(labels, positions, len(labels)):
        count += 1
        if count > cap:
            break
    return count


def _describe(dist) -> str:
    from ..rewards import describe_scipy

    return describe_scipy(dist)


def _monte_carlo(
    mdp, dist, f1, f2, labels, positions, max_elements, n_draws, n_samples, z, generator
) -> OrbitComparison:
    n = mdp.n_states
    size = orbit_size(labels)
    base = sample(dist, mdp, n_samples, rng=generator)
    if _count_arrangements(labels, positions, max_elements) <= max_elements:
        items = [
            (_fill(a, positions, labels, n), w) for a, w in _arrangements(labels, positions, n)
        ]
        method = "enumerated"
    else:
        items = _draws(labels, n, n_draws, generator)
        method = f"sampled {n_draws} of {size} elements"
    greater = less = 0
    total = 0
    counterexample = None
    for target, weight in items:
        image = _as_permutation(labels, target)
        R = np.empty_like(base)
        R[:, image] = base  # the samples of φ·D: P_φ r for the same draws r
        difference = f1.per_sample(R) - f2.per_sample(R)
        mean = difference.mean()
        se = difference.std(ddof=1) / np.sqrt(len(difference))
        if mean > z * se and mean > 0:
            greater += weight
        elif mean < -z * se and mean < 0:
            less += weight
            if counterexample is None:
                counterexample = image
        total += weight
    if method == "enumerated":
        fraction, interval = (total - less) / total, None
    else:
        fraction, interval = 1 - less / len(items), _wilson(len(items) - less, len(items))
    return OrbitComparison(
        f1.name,
        f2.name,
        greater,
        less,
        total - greater - less,
        size,
        method,
        fraction,
        interval,
        counterexample,
    )


def _wilson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (scipy's)."""
    from scipy import stats

    ci = stats.binomtest(successes, trials).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return float(ci.low), float(ci.high)
