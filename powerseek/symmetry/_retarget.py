"""Retargetability and orbit tendencies over outcome permutations (RDSP).

A permutation φ of the d outcomes acts on utilities and lotteries alike,
(P_φ x)_{φ(j)} = x_j, and on a finite-support distribution over utilities by
permuting every atom. The orbit of θ (a utility, or a distribution's atoms) is
the set of its distinct permutations (Def 3.1). For functions f(A|θ), f(B|θ)
this module counts the orbit (:func:`compare_on_orbit`, the n-fold ≥^n_most
relation of Def 3.2), checks that B contains n copies of A (Def A.6,
:func:`copy_violations`) and whether a pair of functions is
(Θ, A →^n B)-retargetable through given involutions (Def 3.5,
:func:`check_retargetable`); Thm 3.6 says that the latter implies the former.

Examples
--------
RDSP Table 1: with outcomes (ghost, apple, cherry), 4 of the 6 permutations of
u = (10, 5, 0) make {apple, cherry} optimal rather than {ghost}.

>>> import numpy as np
>>> from powerseek.agents.lotteries import is_optimal
>>> C = np.eye(3)
>>> result = rule_tendency(is_optimal, C[1:], C[:1], C, [10, 5, 0])
>>> result.greater, result.less, result.n_fold()
(4, 2, 2.0)
>>> copy_violations(C[:1], C[1:], C, [[(0, 1)], [(0, 2)]])
[]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..agents.lotteries import as_lotteries
from ..exceptions import InvalidParameterError, InvalidTypeError
from ._orbits import OrbitComparison

__all__ = [
    "RetargetCheck",
    "all_involutions",
    "check_retargetable",
    "compare_on_orbit",
    "contains_copies",
    "copy_violations",
    "outcome_orbit",
    "outcome_permutation",
    "permute_outcomes",
    "rule_tendency",
]

#: Orbits are enumerated exactly; d! grows fast, so d is capped.
MAX_OUTCOMES = 9


def outcome_permutation(phi: Any, d: int) -> np.ndarray:
    """A permutation of d outcomes as its image array (phi[j] = φ(j)).

    `phi` is either the image array itself or a list of cycles (tuples of
    outcome indices), e.g. ``[(0, 1), (2, 3)]``; ``[]`` is the identity.

    Parameters
    ----------
    phi : array_like of int or list of tuple
        The image array, or a list of cycles.
    d : int
        The number of outcomes.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> outcome_permutation([(0, 2)], 3)
    array([2, 1, 0])
    """
    items = list(phi)
    if all(isinstance(item, (tuple, list)) for item in items):
        image = np.arange(d)
        seen: set[int] = set()
        for cycle in items:
            cycle = [int(j) for j in cycle]
            if any(j in seen or not 0 <= j < d for j in cycle):
                raise InvalidParameterError(
                    f"cycles must use distinct outcome indices in 0..{d - 1}; got {items!r}."
                )
            seen.update(cycle)
            for j, nxt in zip(cycle, cycle[1:] + cycle[:1]):
                image[j] = nxt
        return image
    try:
        image = np.array(items, dtype=np.int64)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"a permutation must be an image array or a list of cycles; got {phi!r}."
        ) from None
    if image.shape != (d,) or sorted(image.tolist()) != list(range(d)):
        raise InvalidParameterError(
            f"a permutation of {d} outcomes must list each of 0..{d - 1} once; got {items!r}."
        )
    return image


def permute_outcomes(x: Any, phi: Any) -> np.ndarray:
    """P_φ applied to the last axis of x: (P_φ x)_{φ(j)} = x_j.

    Parameters
    ----------
    x : array_like, shape (..., d)
        Lotteries or utility vectors over d outcomes.
    phi : array_like of int or list of tuple
        The permutation, as for :func:`outcome_permutation`.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> permute_outcomes([10, 5, 0], [(0, 1)])
    array([ 5., 10.,  0.])
    """
    x = np.asarray(x, dtype=float)
    image = outcome_permutation(phi, x.shape[-1])
    out = np.empty_like(x)
    out[..., image] = x
    return out


def _theta(theta: Any) -> np.ndarray:
    try:
        array = np.array(theta, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"theta must be a numeric array; got {theta!r}.") from None
    if array.ndim not in (1, 2) or array.shape[-1] == 0 or not np.all(np.isfinite(array)):
        raise InvalidParameterError(
            "theta must be a finite utility vector (d,) or the atoms of a distribution over "
            f"utilities (k, d); got shape {array.shape}."
        )
    if array.shape[-1] > MAX_OUTCOMES:
        raise InvalidParameterError(
            f"orbits are enumerated for at most {MAX_OUTCOMES} outcomes; got {array.shape[-1]}."
        )
    return array


def outcome_orbit(theta: Any) -> np.ndarray:
    """The distinct permutations of θ, stacked: shape (N,) + θ.shape.

    θ is a utility vector (d,) or the atoms (k, d) of a distribution over
    utilities, whose columns are permuted jointly.

    Parameters
    ----------
    theta : array_like
        Values over the outcomes.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> outcome_orbit([1, 1, 0]).tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    theta = _theta(theta)
    columns = theta.reshape(-1, theta.shape[-1]).T
    labels = sorted({tuple(c) for c in columns.tolist()})
    index = {label: i for i, label in enumerate(labels)}
    codes = [index[tuple(c)] for c in columns.tolist()]
    from sympy.utilities.iterables import multiset_permutations

    arrangements = np.array(list(multiset_permutations(codes)), dtype=np.int64)
    table = np.array(labels, dtype=float)  # [label, k]
    stacked = table[arrangements]  # [N, d, k]
    return stacked[..., 0] if theta.ndim == 1 else np.swapaxes(stacked, 1, 2)


def _key(element: np.ndarray) -> bytes:
    return np.ascontiguousarray(element + 0.0).tobytes()


def compare_on_orbit(
    f1: Callable,
    f2: Callable,
    theta: Any,
    *,
    within: Callable | None = None,
    tie_tol: float = 1e-9,
    names: tuple[str, str] = ("f1", "f2"),
) -> OrbitComparison:
    """How f1 and f2 compare over the orbit of θ (RDSP Def 3.2).

    Parameters
    ----------
    f1, f2 : callable
        Map a stack of orbit elements, shape (N,) + θ.shape, to N values.
    theta : array_like
        A utility vector (d,) or the atoms (k, d) of a distribution.
    within : callable, optional
        The parameter set Θ as a predicate on a stack of elements (N booleans);
        the orbit is restricted to it (Orbit|_Θ, Def 3.1).
    tie_tol : float, default 1e-9
        Differences within this tolerance count as ties.
    names : tuple of str, default ("f1", "f2")
        How the result names the two functions.

    Returns
    -------
    OrbitComparison

    Examples
    --------
    >>> result = compare_on_orbit(lambda u: u[:, 0], lambda u: u[:, 1], [3, 2, 1])
    >>> result.greater, result.less, result.orbit_size
    (3, 3, 6)
    """
    elements = _restricted(theta, within)
    a = np.asarray(f1(elements), dtype=float)
    b = np.asarray(f2(elements), dtype=float)
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    greater = a > b + tie_tol * scale
    less = b > a + tie_tol * scale
    size = len(elements)
    counterexample = elements[np.flatnonzero(less)[0]] if less.any() else None
    return OrbitComparison(
        f1=names[0],
        f2=names[1],
        greater=int(greater.sum()),
        less=int(less.sum()),
        equal=int(size - greater.sum() - less.sum()),
        orbit_size=size,
        method="enumerated",
        fraction=float(1 - less.sum() / size) if size else math.nan,
        fraction_interval=None,
        counterexample=counterexample,
    )


def _restricted(theta: Any, within: Callable | None) -> np.ndarray:
    elements = outcome_orbit(theta)
    if within is not None:
        keep = np.asarray(within(elements), dtype=bool)
        if keep.shape != (len(elements),):
            raise InvalidParameterError(
                f"within must return one boolean per orbit element ({len(elements)}); "
                f"got shape {keep.shape}."
            )
        elements = elements[keep]
    return elements


def _expected(rule: Callable, X, C, weights) -> Callable:
    """f(X | C, θ) for a stack of utilities, or its expectation over a distribution's atoms."""

    def evaluate(elements: np.ndarray) -> np.ndarray:
        if elements.ndim == 2:
            return np.atleast_1d(rule(X, C, elements))
        n, k, d = elements.shape
        values = np.atleast_1d(rule(X, C, elements.reshape(n * k, d))).reshape(n, k)
        return values @ weights

    return evaluate


def rule_tendency(
    rule: Callable,
    B: Any,
    A: Any,
    C: Any,
    theta: Any,
    *,
    weights: Any = None,
    within: Callable | None = None,
) -> OrbitComparison:
    """Compare f(B | C, θ) with f(A | C, θ) over the orbit of θ for a decision rule.

    Parameters
    ----------
    rule : callable
        f(X, C, u), vectorised over utilities (see :mod:`powerseek.agents.lotteries`).
    B, A, C : array_like
        Sets of outcome lotteries, one per row; A and B subsets of C.
    theta : array_like
        A utility vector (d,), or the atoms (k, d) of a finite-support
        distribution over utilities with probabilities `weights` (uniform by
        default), so that f(X | D) = E_{u∼D} f(X | u) (Def A.8).
    weights : array_like of length k, optional
        The probabilities of the atoms of `theta`.
    within : callable, optional
        The parameter set Θ as a predicate on a stack of elements.

    Returns
    -------
    OrbitComparison

    See Also
    --------
    check_retargetable : Whether a rule is retargetable.
    compare_on_orbit : The counts behind a tendency.

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek.agents.lotteries import boltzmann
    >>> C = np.eye(4)
    >>> result = rule_tendency(lambda X, C, u: boltzmann(X, C, u, temperature=1.0),
    ...                        C[1:], C[:1], C, [[3, 2, 1, 0], [0, 0, 1, 5]])
    >>> result.n_fold() >= 3
    True
    """
    C = as_lotteries(C, "C")
    A = as_lotteries(A, "A", C.shape[1])
    B = as_lotteries(B, "B", C.shape[1])
    theta = _theta(theta)
    if theta.shape[-1] != C.shape[1]:
        raise InvalidParameterError(
            f"theta must have {C.shape[1]} outcome columns (as C does); got {theta.shape[-1]}."
        )
    w = None
    if theta.ndim == 2:
        k = theta.shape[0]
        w = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (k,) or np.any(w < 0) or abs(w.sum() - 1) > 1e-9:
            raise InvalidParameterError(
                f"weights must be {k} non-negative probabilities summing to 1; got {weights!r}."
            )
    name = getattr(rule, "__name__", "f")
    return compare_on_orbit(
        _expected(rule, B, C, w),
        _expected(rule, A, C, w),
        theta,
        within=within,
        names=(f"{name}(B)", f"{name}(A)"),
    )


def _as_set(X: np.ndarray) -> frozenset:
    return frozenset(tuple(np.round(row, 12) + 0.0) for row in X)


def copy_violations(A: Any, B: Any, C: Any, involutions: Sequence[Any]) -> list[str]:
    """Why B does not contain len(involutions) copies of A inside C (empty when it does).

    Def A.6 with the condition of Thm A.13: each φ_i is an involution,
    B_i := φ_i·A ⊆ B, φ_i·B_j = B_j for j ≠ i, and φ_i·C = C.

    Parameters
    ----------
    A : array_like, shape (k, d)
        The lotteries to be copied.
    B : array_like, shape (l, d)
        The lotteries that should hold the copies.
    C : array_like, shape (n, d)
        All the lotteries.
    involutions : sequence of permutations
        φ_1, ..., φ_n, each an image array or a list of cycles.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import numpy as np
    >>> C = np.eye(3)
    >>> copy_violations(C[:1], C[1:], C, [[(0, 1)], [(1, 2)]])
    ['phi_1 moves B_2 = phi_2·A', 'phi_2·A is not a subset of B', 'phi_2 moves B_1 = phi_1·A']
    """
    C = as_lotteries(C, "C")
    d = C.shape[1]
    A = as_lotteries(A, "A", d)
    B = as_lotteries(B, "B", d)
    images = [outcome_permutation(phi, d) for phi in involutions]
    copies = [_as_set(permute_outcomes(A, image)) for image in images]
    problems = []
    for i, image in enumerate(images, start=1):
        if not np.array_equal(image[image], np.arange(d)):
            problems.append(f"phi_{i} is not an involution")
        if not copies[i - 1] <= _as_set(B):
            problems.append(f"phi_{i}·A is not a subset of B")
        if _as_set(permute_outcomes(C, image)) != _as_set(C):
            problems.append(f"phi_{i} does not map C onto itself")
        for j, copy in enumerate(copies, start=1):
            if j != i and _as_set(permute_outcomes(np.array(sorted(copy)), image)) != copy:
                problems.append(f"phi_{i} moves B_{j} = phi_{j}·A")
    return problems


def contains_copies(A: Any, B: Any, C: Any, involutions: Sequence[Any]) -> bool:
    """Whether B contains len(involutions) copies of A via them (see :func:`copy_violations`).

    Parameters
    ----------
    A : array_like, shape (k, d)
        The lotteries to be copied.
    B : array_like, shape (l, d)
        The lotteries that should hold the copies.
    C : array_like, shape (n, d)
        All the lotteries.
    involutions : sequence of permutations
        φ_1, ..., φ_n, each an image array or a list of cycles.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> C = np.eye(4)
    >>> contains_copies(C[:1], C[1:], C, [[(0, 1)], [(0, 2)], [(0, 3)]])
    True
    """
    return not copy_violations(A, B, C, involutions)


@dataclass(frozen=True)
class RetargetCheck:
    """Whether (f_A, f_B) is (Θ, A →^n B)-retargetable through given involutions (Def 3.5).

    Attributes
    ----------
    holds : bool
    n : int
        The number of involutions.
    reason : str
        Which condition failed, and where; empty when `holds`.
    witness : numpy.ndarray or None
        The orbit element θ^A at which it failed.
    """

    holds: bool
    n: int
    reason: str = ""
    witness: Any = None


def check_retargetable(
    f_a: Callable,
    f_b: Callable,
    theta: Any,
    involutions: Sequence[Any],
    *,
    within: Callable | None = None,
    tie_tol: float = 1e-9,
) -> RetargetCheck:
    """Check retargetability (RDSP Def 3.5) on the orbit of θ.

    Check Def 3.5 on the orbit of θ: for every θ^A with f(A|θ^A) > f(B|θ^A),
    (1) f(A|φ_i·θ^A) < f(B|φ_i·θ^A), (2) φ_i·θ^A ∈ Θ, and (3) the images
    φ_i·θ^A, φ_j·θ' are distinct for i ≠ j over all such θ^A, θ'.

    Parameters
    ----------
    f_a, f_b : callable
        f(A | θ) and f(B | θ) as functions of a utility vector θ.
    theta : array_like, shape (d,)
        The utility vector whose orbit is checked.
    involutions : sequence of permutations
        φ_1, ..., φ_n, each an image array or a list of cycles.
    within : callable, optional
        Θ as a predicate on utility vectors; default every vector.
    tie_tol : float, default 1e-9
        Differences within this tolerance count as ties.

    Returns
    -------
    RetargetCheck

    See Also
    --------
    rule_tendency : A rule's tendency over an outcome orbit.
    outcome_orbit : The orbit it is checked on.

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek.agents.lotteries import is_optimal
    >>> C = np.eye(3)
    >>> f_a = lambda u: is_optimal(C[:1], C, u)
    >>> f_b = lambda u: is_optimal(C[1:], C, u)
    >>> check_retargetable(f_a, f_b, [10, 5, 0], [[(0, 1)], [(0, 2)]]).holds
    True
    >>> check_retargetable(f_a, lambda u: 0 * f_b(u), [10, 5, 0], [[(0, 1)]]).reason
    'condition (1): f(A) >= f(B) at phi_1·theta'
    """
    theta = _theta(theta)
    d = theta.shape[-1]
    images = [outcome_permutation(phi, d) for phi in involutions]
    everything = outcome_orbit(theta)
    if within is None:
        inside = np.ones(len(everything), dtype=bool)
    else:
        inside = np.asarray(within(everything), dtype=bool)
    elements = everything[inside]
    position = {_key(e): i for i, e in enumerate(elements)}
    a = np.asarray(f_a(elements), dtype=float)
    b = np.asarray(f_b(elements), dtype=float)
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    a_wins = np.flatnonzero(a > b + tie_tol * scale)
    claimed: dict[int, int] = {}
    for t in a_wins:
        for i, image in enumerate(images, start=1):
            moved = position.get(_key(_move(elements[t], image)))
            if moved is None:
                return RetargetCheck(
                    False, len(images), f"condition (2): phi_{i}·theta not in Theta", elements[t]
                )
            if not b[moved] > a[moved] + tie_tol * scale[moved]:
                return RetargetCheck(
                    False,
                    len(images),
                    f"condition (1): f(A) >= f(B) at phi_{i}·theta",
                    elements[t],
                )
            if claimed.setdefault(moved, i) != i:
                return RetargetCheck(
                    False,
                    len(images),
                    f"condition (3): phi_{claimed[moved]} and phi_{i} send A-preferring "
                    "parameters to the same element",
                    elements[t],
                )
    return RetargetCheck(True, len(images))


def _move(element: np.ndarray, image: np.ndarray) -> np.ndarray:
    out = np.empty_like(element)
    out[..., image] = element
    return out


def all_involutions(d: int):
    """Every involution of d outcomes (products of disjoint transpositions), as image arrays.

    Parameters
    ----------
    d : int
        The number of outcomes.

    Examples
    --------
    >>> len(list(all_involutions(4)))   # 1 + 6 + 3
    10
    """

    def walk(free: list[int]):
        if not free:
            yield []
            return
        first, rest = free[0], free[1:]
        for tail in walk(rest):
            yield tail
        for k, partner in enumerate(rest):
            for tail in walk(rest[:k] + rest[k + 1 :]):
                yield [(first, partner)] + tail

    for cycles in walk(list(range(d))):
        yield outcome_permutation(cycles, d)
