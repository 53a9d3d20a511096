"""Batched optimal values: :func:`solve` and its backends.

``_solve`` dispatches to the numpy kernels (``_kernels``, ``_numpy_backend``),
their compiled twins (``_compiled``, with numba), policy iteration with sparse
LU evaluation for stochastic MDPs (``_stochastic``) or the torch backend
(``_torch_backend``, imported only when a device is asked for); ``_limits``
computes the γ→0 and γ→1 (Blackwell) limits; ``_policy_evaluation`` gives
the exact values of one stochastic policy per sample (bounded agents).
"""

from __future__ import annotations

from ._compiled import NumbaUnavailableError, choose_kernel, optimal_power
from ._compiled import block_moments as compiled_block_moments
from ._device import DeviceSolveResult, solve_on_device
from ._kernels import CACHE_NUMBERS, BackendSolution, expected_next, padded_pairs, segment_max
from ._limits import blackwell_optimal, lexicographic_optimal, optimal_gains
from ._policy_evaluation import evaluate_policies, state_sums
from ._solve import METHODS, SolverDiagnostics, SolveResult, solve
from ._torch_backend import (
    TorchUnavailableError,
    check_device,
    device_block_moments,
    device_chunk_rows,
)

__all__ = [
    "CACHE_NUMBERS",
    "METHODS",
    "BackendSolution",
    "DeviceSolveResult",
    "NumbaUnavailableError",
    "SolveResult",
    "SolverDiagnostics",
    "TorchUnavailableError",
    "blackwell_optimal",
    "check_device",
    "choose_kernel",
    "compiled_block_moments",
    "device_block_moments",
    "device_chunk_rows",
    "evaluate_policies",
    "expected_next",
    "lexicographic_optimal",
    "optimal_gains",
    "optimal_power",
    "padded_pairs",
    "segment_max",
    "solve",
    "solve_on_device",
    "state_sums",
]
