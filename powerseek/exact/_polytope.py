"""Exact volumes and first moments of polytopes in the unit cube (private).

A region {r ∈ [0, 1]^d : a_iᵀ r ≥ 0 for all i} with rational a_i has rational
vertices, so its volume and its integral of r are rational. They are computed
exactly: Qhull (through scipy) finds the vertices and the facets in floating
point; each vertex is then recomputed exactly from the constraints that are
tight at it, and the polytope is cut into simplices (a cone from an exact
interior point over Qhull's triangulated facets) whose volumes are exact
determinants. Floating point only decides the combinatorics; callers check
that the volumes of a partition of the cube sum to exactly 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

__all__ = ["IntegrationError", "region_moments"]

_TIGHT = 1e-7


class IntegrationError(RuntimeError):
    """The floating-point combinatorics could not be turned into exact values."""


def _bareiss(M: list[list[int]]) -> int:
    """Exact determinant of an integer matrix (fraction-free elimination, in place)."""
    n = len(M)
    sign = 1
    previous = 1
    for k in range(n - 1):
        if M[k][k] == 0:
            swap = next((r for r in range(k + 1, n) if M[r][k] != 0), None)
            if swap is None:
                return 0
            M[k], M[swap] = M[swap], M[k]
            sign = -sign
        pivot = M[k][k]
        row_k = M[k]
        for i in range(k + 1, n):
            row_i = M[i]
            factor = row_i[k]
            for j in range(k + 1, n):
                row_i[j] = (row_i[j] * pivot - factor * row_k[j]) // previous
        previous = pivot
    return sign * M[n - 1][n - 1]


def _solve_vertex(rows: list[list[Fraction]], rhs: list[Fraction], d: int):
    """Pick d independent rows among the tight ones and solve them exactly."""
    basis: list[list[Fraction]] = []  # reduced rows for the rank test
    chosen: list[int] = []
    for index, row in enumerate(rows):
        vector = row[:]
        for pivot_row, pivot_col in basis:
            if vector[pivot_col] != 0:
                factor = vector[pivot_col] / pivot_row[pivot_col]
                vector = [v - factor * p for v, p in zip(vector, pivot_row)]
        column = next((c for c, v in enumerate(vector) if v != 0), None)
        if column is not None:
            basis.append((vector, column))
            chosen.append(index)
            if len(chosen) == d:
                break
    if len(chosen) < d:
        raise IntegrationError("a vertex is not determined by the constraints tight at it.")
    A = [rows[i][:] + [rhs[i]] for i in chosen]
    for c in range(d):
        pivot = next(r for r in range(c, d) if A[r][c] != 0)
        A[c], A[pivot] = A[pivot], A[c]
        for r in range(d):
            if r != c and A[r][c] != 0:
                factor = A[r][c] / A[c][c]
                A[r] = [x - factor * y for x, y in zip(A[r], A[c])]
    return tuple(A[i][d] / A[i][i] for i in range(d))


def region_moments(
    constraints: Sequence[Sequence[Fraction]], d: int
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """Volume and ∫ r dr of {r ∈ [0,1]^d : aᵀr ≥ 0 for each a in constraints}.

    Examples
    --------
    >>> half = [[Fraction(1), Fraction(-1)]]          # r_0 ≥ r_1
    >>> region_moments(half, 2)
    (Fraction(1, 2), (Fraction(1, 3), Fraction(1, 6)))
    """
    from scipy.optimize import linprog
    from scipy.spatial import ConvexHull, HalfspaceIntersection, QhullError

    # halfspaces in scipy's form A x + b ≤ 0
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []  # row · x = rhs when tight
    for a in constraints:
        rows.append([-Fraction(x) for x in a])
        rhs.append(Fraction(0))
    for j in range(d):
        unit = [Fraction(0)] * d
        unit[j] = Fraction(-1)
        rows.append(unit)
        rhs.append(Fraction(0))
        unit = [Fraction(0)] * d
        unit[j] = Fraction(1)
        rows.append(unit)
        rhs.append(Fraction(1))
    A = np.array([[float(x) for x in row] for row in rows])
    b = -np.array([float(x) for x in rhs])
    norms = np.linalg.norm(A, axis=1)
    keep = norms > 0
    A_n, b_n = A[keep] / norms[keep, None], b[keep] / norms[keep]
    if d == 1:
        return _interval(rows, rhs)
    # Chebyshev centre: the largest ball inside; none means measure zero
    c = np.zeros(d + 1)
    c[-1] = -1.0
    lp = linprog(
        c,
        A_ub=np.hstack([A_n, np.ones((len(A_n), 1))]),
        b_ub=-b_n,
        bounds=[(0, 1)] * d + [(0, 1)],
        method="highs",
    )
    if lp.status != 0 or lp.x[-1] <= 1e-9:
        return Fraction(0), (Fraction(0),) * d
    centre = lp.x[:d]
    try:
        points = HalfspaceIntersection(np.hstack([A_n, b_n[:, None]]), centre).intersections
    except QhullError as exc:  # pragma: no cover - only for degenerate input
        raise IntegrationError(
            f"Qhull could not intersect the halfspaces: {str(exc).rstrip('.')}."
        ) from None
    vertices: dict[tuple, np.ndarray] = {}
    for point in points:
        slack = np.abs(A_n @ point + b_n)
        tight = [i for i in np.flatnonzero(keep) if abs(A[i] @ point + b[i]) <= _TIGHT * norms[i]]
        if len(tight) < d:
            tight = list(np.flatnonzero(keep)[np.argsort(slack)[: 2 * d]])
        exact = _solve_vertex([rows[i] for i in tight], [rhs[i] for i in tight], d)
        vertices.setdefault(exact, point)
    exact_vertices = list(vertices)
    if len(exact_vertices) <= d:
        return Fraction(0), (Fraction(0),) * d
    float_vertices = np.array([[float(x) for x in v] for v in exact_vertices])
    try:
        hull = ConvexHull(float_vertices, qhull_options="Qt")
    except QhullError:
        return Fraction(0), (Fraction(0),) * d
    # integers over one common denominator: every vertex scaled by D·N, and the
    # inner point (the vertices' mean) by D·N too, N being the number of vertices
    N = len(exact_vertices)
    D = math.lcm(*(x.denominator for v in exact_vertices for x in v))
    scaled = [[x.numerator * (D // x.denominator) * N for x in v] for v in exact_vertices]
    inner = [sum(v[j] for v in scaled) // N for j in range(d)]
    volume_num = 0
    moment_num = [0] * d
    for simplex in hull.simplices:
        corners = [scaled[i] for i in simplex]
        det = abs(_bareiss([[corner[j] - inner[j] for j in range(d)] for corner in corners]))
        if det:
            volume_num += det
            for j in range(d):
                moment_num[j] += det * (inner[j] + sum(corner[j] for corner in corners))
    unit = math.factorial(d) * (D * N) ** d
    volume = Fraction(volume_num, unit)
    moment = tuple(Fraction(x, unit * (d + 1) * D * N) for x in moment_num)
    return volume, moment


def _interval(rows, rhs):
    low, high = Fraction(0), Fraction(1)
    for row, value in zip(rows, rhs):
        a = row[0]
        if a > 0:
            high = min(high, value / a)
        elif a < 0:
            low = max(low, value / a)
        elif value < 0:
            return Fraction(0), (Fraction(0),)
    if high <= low:
        return Fraction(0), (Fraction(0),)
    return high - low, ((high * high - low * low) / 2,)
