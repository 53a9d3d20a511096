"""Batched optimal values: :func:`solve` and its backends.

:mod:`.solve` dispatches to the numpy kernels (:mod:`.kernels`, :mod:`.numpy_backend`),
their compiled twins (:mod:`.compiled`, with numba), policy iteration with sparse
LU evaluation for stochastic MDPs (:mod:`.stochastic`) or the torch backend
(:mod:`.torch_backend`, imported only when a device is asked for); :mod:`.limits`
computes the γ→0 and γ→1 (Blackwell) limits; :mod:`.policy_evaluation` gives
the exact values of one stochastic policy per sample (bounded agents).
"""

from __future__ import annotations

from .limits import blackwell_optimal, lexicographic_optimal, optimal_gains
from .solve import SolverDiagnostics, SolveResult, solve

__all__ = [
    "SolveResult",
    "SolverDiagnostics",
    "blackwell_optimal",
    "lexicographic_optimal",
    "optimal_gains",
    "solve",
]
