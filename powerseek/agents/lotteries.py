"""Decision rules over outcome lotteries (RDSP App. A).

An *outcome lottery* is a vector x ∈ R^d over d outcomes (Def A.1: a
probability vector; the results hold for generic x, so any real vector is
accepted). A decision rule f(X | C, u) says how strongly a decision-maker
with utility u ∈ R^d chooses the lotteries X ⊆ C when C is available. Sets are
2-D arrays with one lottery per row; X must consist of rows of C.

Every rule is vectorised over utilities: ``u`` of shape ``(d,)`` gives a
float, ``(m, d)`` an array of m values. Expected utilities closer than
``tie_tol`` (relative to their scale) count as equal, so that lotteries with
mathematically equal utility tie even after rounding.

Rules (theory.md §A.3): :func:`is_optimal` (Def A.2), :func:`anti_optimal`
(Def A.3), :func:`boltzmann` (Def A.4, with the 1/T of Table 2),
:func:`satisfice` (Def A.5), :func:`frac_optimal` and :func:`best_of_k`
(Prop A.11), :func:`quantilize` (Def B.12).

Examples
--------
RDSP Table 2: outcomes (ghost, apple, cherry), X1 = {ghost, apple}.

>>> import numpy as np
>>> C = np.eye(3)
>>> X1 = C[:2]
>>> u = np.array([[10, 5, 0], [10, 0, 5], [5, 10, 0], [5, 0, 10], [0, 10, 5], [0, 5, 10]])
>>> is_optimal(X1, C, u)
array([1., 1., 1., 0., 1., 0.])
>>> satisfice(X1, C, u, threshold=3)
array([1. , 0.5, 1. , 0.5, 0.5, 0.5])
>>> round(float(boltzmann(X1, C, u[1], temperature=1)), 5)
0.99331
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from scipy import special

from .._docstrings import fill
from .._validation import as_float, short_value
from ..exceptions import InvalidParameterError, InvalidTypeError

__all__ = [
    "RULES",
    "anti_optimal",
    "as_lotteries",
    "best_of_k",
    "boltzmann",
    "frac_optimal",
    "is_optimal",
    "make_rule",
    "quantilize",
    "satisfice",
]

#: Relative tolerance under which two expected utilities tie.
TIE_TOL = 1e-9


def as_lotteries(X: Any, name: str, d: int | None = None) -> np.ndarray:
    """A set of outcome lotteries as a float array of shape (k, d), one per row.

    Parameters
    ----------
    X : array_like
        Lotteries, one per row (a single lottery may be given as a vector).
    name : str
        The argument's name, for error messages.
    d : int, optional
        The number of outcomes every lottery must have.

    Returns
    -------
    numpy.ndarray, shape (k, d)

    Examples
    --------
    >>> as_lotteries([[1, 0], [0, 1]], "C").shape
    (2, 2)
    """
    try:
        array = np.array(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise InvalidTypeError(
            f"{name} must be a 2-D array of outcome lotteries (one per row); got {X!r} ({error})."
        ) from None
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InvalidParameterError(
            f"{name} must be a non-empty 2-D array of outcome lotteries (one per row); "
            f"got shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise InvalidParameterError(f"{name} must be finite; got {array.tolist()}.")
    if d is not None and array.shape[1] != d:
        raise InvalidParameterError(
            f"{name} must have {d} outcome columns (as C does); got {array.shape[1]}."
        )
    return array


def _utilities(u: Any, d: int) -> tuple[np.ndarray, bool]:
    try:
        array = np.array(u, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"u must be a utility vector of length {d}; got {u!r}.") from None
    single = array.ndim == 1
    array = np.atleast_2d(array)
    if array.ndim != 2 or array.shape[1] != d:
        raise InvalidParameterError(
            f"u must have shape ({d},) or (m, {d}) for {d} outcomes; got shape {np.shape(u)}."
        )
    if not np.all(np.isfinite(array)):
        raise InvalidParameterError("u must be finite.")
    return array, single


def _members(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Boolean mask over the rows of C that belong to X; every row of X must be in C."""
    equal = np.all(np.isclose(X[:, None, :], C[None, :, :], rtol=0.0, atol=1e-12), axis=2)
    missing = np.flatnonzero(~equal.any(axis=1))
    if missing.size:
        raise InvalidParameterError(
            f"X must be a subset of C (rows of C); row {int(missing[0])} of X, "
            f"{X[missing[0]].tolist()}, is not a row of C."
        )
    return equal.any(axis=0)


def _setup(X, C, u):
    C = as_lotteries(C, "C")
    X = as_lotteries(X, "X", C.shape[1])
    utilities, single = _utilities(u, C.shape[1])
    values = utilities @ C.T
    return _members(X, C), values, single


def _finish(result: np.ndarray, single: bool):
    return float(result[0]) if single else result


def _tolerance(values: np.ndarray, tie_tol: float) -> np.ndarray:
    scale = np.maximum(1.0, np.max(np.abs(values), axis=1, keepdims=True))
    return tie_tol * scale


def _near_max(values: np.ndarray, tie_tol: float) -> np.ndarray:
    top = values.max(axis=1, keepdims=True)
    return values >= top - _tolerance(values, tie_tol)


@fill
def is_optimal(X, C, u, *, tie_tol: float = TIE_TOL):
    """IsOptimal(X | C, u) = 1 if max_{x∈X} xᵀu ≥ max_{c∈C} cᵀu, else 0 (Def A.2).

    Parameters
    ----------
    %(lottery_sets)s
    %(lottery_tie_tol)s

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> is_optimal([[0, 1]], np.eye(2), [1.0, 2.0])
    1.0
    """
    members, values, single = _setup(X, C, u)
    near = _near_max(values, tie_tol)
    return _finish(np.any(near & members, axis=1).astype(float), single)


@fill
def anti_optimal(X, C, u, *, tie_tol: float = TIE_TOL):
    """AntiOpt(X | C, u) = 1 if min_{x∈X} xᵀu ≤ min_{c∈C} cᵀu, else 0 (Def A.3).

    Parameters
    ----------
    %(lottery_sets)s
    %(lottery_tie_tol)s

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> anti_optimal([[0, 1]], np.eye(2), [1.0, 2.0])
    0.0
    """
    members, values, single = _setup(X, C, u)
    near = _near_max(-values, tie_tol)
    return _finish(np.any(near & members, axis=1).astype(float), single)


@fill
def frac_optimal(X, C, u, *, tie_tol: float = TIE_TOL):
    """FracOptimal(X | C, u) = |argmax_C ∩ X| / |argmax_C| (Prop A.11).

    Parameters
    ----------
    %(lottery_sets)s
    %(lottery_tie_tol)s

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> frac_optimal([[1, 0, 0]], np.eye(3), [1.0, 1.0, 0.0])
    0.5
    """
    members, values, single = _setup(X, C, u)
    near = _near_max(values, tie_tol)
    return _finish((near & members).sum(axis=1) / near.sum(axis=1), single)


@fill
def boltzmann(X, C, u, *, temperature: float = 1.0):
    """Boltzmann_T(X | C, u) = Σ_{x∈X} e^{xᵀu/T} / Σ_{c∈C} e^{cᵀu/T} (Def A.4).

    Parameters
    ----------
    %(lottery_sets)s
    temperature : float, default 1.0
        T > 0; high T approaches the uniform choice, low T the optimal one.

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> boltzmann([[1, 0]], np.eye(2), [0.0, 0.0], temperature=2.0)
    0.5
    """
    temperature = _positive(temperature, "temperature")
    members, values, single = _setup(X, C, u)
    weights = special.softmax(values / temperature, axis=1)
    return _finish((weights * members).sum(axis=1), single)


@fill
def satisfice(X, C, u, *, threshold: float, tie_tol: float = TIE_TOL):
    """Satisfice_t(X, C | u) = |X ∩ C_{≥t}| / |C_{≥t}|, or 0 when C_{≥t} is empty (Def A.5).

    Parameters
    ----------
    %(lottery_sets)s
    threshold : float
        The utility t a satisfactory lottery reaches.
    %(lottery_tie_tol)s

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> satisfice([[1, 0, 0]], np.eye(3), [5.0, 4.0, 0.0], threshold=3)
    0.5
    """
    threshold = _finite(threshold, "threshold")
    members, values, single = _setup(X, C, u)
    good = values >= threshold - _tolerance(values, tie_tol)
    count = good.sum(axis=1)
    chosen = (good & members).sum(axis=1)
    return _finish(np.divide(chosen, count, out=np.zeros(len(count)), where=count > 0), single)


@fill
def best_of_k(X, C, u, *, k: int, tie_tol: float = TIE_TOL):
    """best-of-k(X, C | u) = E_{a_1..a_k ~ unif(C) iid}[FracOptimal(X ∩ {a_i} | {a_i}, u)].

    Computed exactly: the drawn set's best utility level has probability
    ((L+G)/N)^k − (L/N)^k, where L lotteries of C lie below the level and G on
    it, and by exchangeability each of the G shares that probability equally.

    Parameters
    ----------
    %(lottery_sets)s
    k : int
        Lotteries drawn uniformly with replacement before the best is taken.
    %(lottery_tie_tol)s

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> best_of_k([[1, 0]], np.eye(2), [1.0, 0.0], k=2)   # 1 - (1/2)^2
    0.75
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(f"k must be a positive integer; got {k!r}.")
    members, values, single = _setup(X, C, u)
    n = values.shape[1]
    tol = _tolerance(values, tie_tol)[:, :, None]
    diff = values[:, None, :] - values[:, :, None]  # [m, c, c']: value(c') - value(c)
    below = (diff < -tol).sum(axis=2)
    level = (np.abs(diff) <= tol).sum(axis=2)
    share = (((below + level) / n) ** k - (below / n) ** k) / level
    return _finish((share * members).sum(axis=1), single)


@fill
def quantilize(X, C, u, *, q: float, base: Any = None, tie_tol: float = TIE_TOL):
    """The quantilizer Q_{q,P}(X | C, u) in closed form (Def B.12).

    M = inf{M : P_{x∼P}(xᵀu > M) ≤ q}; each x ∈ X contributes
    (P(x)/q)·(1[xᵀu > M] + 1[xᵀu = M]·(q − P(C_{>M}))/P(C_{=M})).

    Parameters
    ----------
    %(lottery_sets)s
    q : float in (0, 1]
        The top quantile sampled.
    base : array_like of length |C|, optional
        The base distribution P over the rows of C; uniform by default.
    %(lottery_tie_tol)s

    Returns
    -------
    %(lottery_returns)s

    Examples
    --------
    >>> import numpy as np
    >>> C = np.eye(4)
    >>> quantilize(C[:1], C, [4.0, 3.0, 2.0, 1.0], q=0.5)   # the top half, uniformly
    0.5
    >>> quantilize(C[1:2], C, [4.0, 3.0, 2.0, 1.0], q=0.375)
    0.3333333333333333
    """
    if isinstance(q, bool) or not isinstance(q, (int, float, np.floating, np.integer)):
        raise InvalidTypeError(f"q must be a number in (0, 1]; got {q!r}.")
    if not 0 < q <= 1:
        raise InvalidParameterError(f"q must lie in (0, 1]; got {q}.")
    members, values, single = _setup(X, C, u)
    m, n = values.shape
    P = _base(base, n)
    tol = _tolerance(values, tie_tol)[:, :, None]
    diff = values[:, None, :] - values[:, :, None]  # [m, c, c']: value(c') - value(c)
    above = ((diff > tol) * P).sum(axis=2)  # P(v > v_c)
    at = ((np.abs(diff) <= tol) * P).sum(axis=2)  # P(v = v_c)
    # M is the lowest value level carrying base mass with P(v > M) ≤ q.
    candidate = (P > 0) & (above <= q + 1e-12)
    masked = np.where(candidate, values, np.inf)
    pivot = np.argmin(masked, axis=1)
    rows = np.arange(m)
    level = values[rows, pivot][:, None]
    level_tol = tol[:, 0, :]
    strictly = values > level + level_tol
    equal = np.abs(values - level) <= level_tol
    fill = (q - above[rows, pivot]) / at[rows, pivot]
    weight = P / q * (strictly + equal * fill[:, None])
    return _finish((weight * members).sum(axis=1), single)


def _base(base: Any, n: int) -> np.ndarray:
    if base is None:
        return np.full(n, 1.0 / n)
    try:
        P = np.array(base, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"base must be {n} probabilities; got {base!r}.") from None
    if P.size != n or np.any(P < 0) or not np.all(np.isfinite(P)) or abs(P.sum() - 1) > 1e-9:
        raise InvalidParameterError(
            f"base must be {n} non-negative probabilities (one per row of C) summing to 1; "
            f"got {P.tolist()}."
        )
    return P


def _positive(value: Any, name: str) -> float:
    value = _finite(value, name)
    if value <= 0:
        raise InvalidParameterError(f"{name} must be positive; got {value}.")
    return value


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InvalidTypeError(f"{name} must be a number; got {value!r}.")
    number = as_float(value)
    if not math.isfinite(number):
        raise InvalidParameterError(f"{name} must be finite; got {short_value(value)}.")
    return number


#: The rules by name, with the parameter each needs (None when none).
RULES: dict[str, tuple[Callable, str | None]] = {
    "is_optimal": (is_optimal, None),
    "anti_optimal": (anti_optimal, None),
    "frac_optimal": (frac_optimal, None),
    "boltzmann": (boltzmann, "temperature"),
    "satisfice": (satisfice, "threshold"),
    "best_of_k": (best_of_k, "k"),
    "quantilize": (quantilize, "q"),
}


def make_rule(name: str, parameter: Any = None) -> Callable:
    """The rule `name` of :data:`RULES` as a function f(X, C, u), its parameter bound.

    Parameters
    ----------
    name : str
        A key of :data:`RULES`.
    parameter : float or int, optional
        The rule's parameter (temperature, threshold or k), required when it has one.

    Returns
    -------
    callable
        ``f(X, C, u)`` giving the rule's probabilities of choosing from X.

    Examples
    --------
    >>> import numpy as np
    >>> rule = make_rule("best_of_k", 3)
    >>> rule([[1, 0]], np.eye(2), [1.0, 0.0])
    0.875
    """
    if name not in RULES:
        raise InvalidParameterError(
            f"rule must be one of {', '.join(sorted(RULES))}; got {name!r}."
        )
    function, keyword = RULES[name]
    if keyword is None:
        if parameter is not None:
            raise InvalidParameterError(f"rule {name!r} takes no parameter; got {parameter!r}.")
        return function
    if parameter is None:
        raise InvalidParameterError(f"rule {name!r} needs its {keyword}.")
    if keyword == "k":
        parameter = int(parameter) if float(parameter).is_integer() else parameter
    else:
        parameter = float(parameter)
    rule = partial(function, **{keyword: parameter})
    rule.__name__ = f"{name}({keyword}={parameter})"
    return rule
