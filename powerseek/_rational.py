"""Exact rational arithmetic for small MDPs (private helpers).

Transition probabilities are stored as floats; exact computations read them
back as the simplest fraction that rounds to the same float (0.2 -> 1/5,
1/3 -> 1/3), falling back to the float's exact binary value. Linear systems
are solved by Gaussian elimination over :class:`fractions.Fraction`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .exceptions import InvalidParameterError, InvalidTypeError

__all__ = ["as_fraction", "exact_gamma", "exact_rows", "solve_exact"]

_DENOMINATOR_LIMIT = 10**9


def as_fraction(value: Any) -> Fraction:
    """The simplest fraction whose float is `value` (exact for Fractions and ints).

    Parameters
    ----------
    value : int, float, str or Fraction
        The number.

    Returns
    -------
    Fraction

    Examples
    --------
    >>> as_fraction(0.2), as_fraction(1 / 3), as_fraction("3/4"), as_fraction(2)
    (Fraction(1, 5), Fraction(1, 3), Fraction(3, 4), Fraction(2, 1))
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise InvalidTypeError(f"expected a number; got the boolean {value}.")
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidParameterError(
                f"expected a number or a fraction like '3/4'; got {value!r}."
            ) from None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return Fraction(int(value))  # exact, however many digits
    if isinstance(value, numbers.Real):
        number = float(value)
        if not np.isfinite(number):
            raise InvalidParameterError(f"expected a finite number; got {value}.")
        simple = Fraction(number).limit_denominator(_DENOMINATOR_LIMIT)
        return simple if float(simple) == number else Fraction(number)
    if hasattr(value, "p") and hasattr(value, "q"):  # sympy Rational
        return Fraction(int(value.p), int(value.q))
    raise InvalidTypeError(f"expected a number; got {type(value).__name__} {value!r}.")


def exact_gamma(gamma: Any, *, allow_one: bool = True) -> Fraction:
    """A discount as an exact fraction in [0, 1].

    Parameters
    ----------
    gamma : float, int, str or Fraction
        A discount in [0, 1]; a float is read as the fraction it was written as.
    allow_one : bool, default True
        Whether γ = 1 (the limit) is accepted.

    Returns
    -------
    Fraction

    Examples
    --------
    >>> exact_gamma("9/10"), exact_gamma(0.5)
    (Fraction(9, 10), Fraction(1, 2))
    """
    value = as_fraction(gamma)
    upper_ok = value <= 1 if allow_one else value < 1
    if not (value >= 0 and upper_ok):
        raise InvalidParameterError(
            f"`gamma` must be in [0, 1{']' if allow_one else ')'}; got {gamma}."
        )
    return value


def exact_rows(mdp: Any) -> list[dict[int, Fraction]]:
    """T(s, a, ·) of every pair as ``{successor index: Fraction}``.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    list of dict
        One ``{successor index: probability}`` per row of ``mdp.transition_matrix``.

    Examples
    --------
    >>> from powerseek import load
    >>> exact_rows(load("candy-wait"))[:2]   # start -> candy, start -> wait
    [{2: Fraction(1, 1)}, {1: Fraction(1, 1)}]
    """

    def compute():
        matrix = mdp.transition_matrix
        rows = []
        for k in range(mdp.n_pairs):
            a, b = matrix.indptr[k], matrix.indptr[k + 1]
            row = {int(j): as_fraction(p) for j, p in zip(matrix.indices[a:b], matrix.data[a:b])}
            total = sum(row.values())
            if total != 1:  # floats summing to 1 within rounding: make the row exact
                largest = max(row, key=row.get)
                row[largest] += 1 - total
            rows.append(row)
        return rows

    return mdp.cached("exact-rows", compute)


def solve_exact(matrix: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]) -> list[Fraction]:
    """Solve ``matrix @ x = rhs`` exactly by Gaussian elimination.

    Parameters
    ----------
    matrix : sequence of sequence of Fraction
        A square, invertible system A.
    rhs : sequence of Fraction
        The right-hand side b.

    Returns
    -------
    list of Fraction

    Examples
    --------
    >>> F = Fraction
    >>> solve_exact([[F(2), F(1)], [F(1), F(3)]], [F(3), F(5)])
    [Fraction(4, 5), Fraction(7, 5)]
    """
    n = len(rhs)
    A = [list(map(Fraction, row)) + [Fraction(rhs[i])] for i, row in enumerate(matrix)]
    for column in range(n):
        pivot = next((r for r in range(column, n) if A[r][column] != 0), None)
        if pivot is None:
            raise InvalidParameterError("the linear system is singular.")
        A[column], A[pivot] = A[pivot], A[column]
        lead = A[column][column]
        row = A[column]
        for r in range(n):
            if r != column and A[r][column] != 0:
                factor = A[r][column] / lead
                target = A[r]
                for c in range(column, n + 1):
                    if row[c]:
                        target[c] -= factor * row[c]
    return [A[i][n] / A[i][i] for i in range(n)]
