"""Running analyses at scale.

``_executors`` provides the thread and Dask executors the engine maps chunks
over; ``_batch`` runs batch files (grids of environments, distributions and γ)
resumably, one unit file per result.
"""

from __future__ import annotations

from ._batch import BatchResult, BatchSpec, Unit, check_batch, read_batch, run_batch, unit_inputs
from ._executors import DaskExecutor, DaskUnavailableError, executor

__all__ = [
    "BatchResult",
    "BatchSpec",
    "DaskExecutor",
    "DaskUnavailableError",
    "Unit",
    "check_batch",
    "executor",
    "read_batch",
    "run_batch",
    "unit_inputs",
]
