"""Running analyses at scale: the executors the engine maps its chunks over.

``executor(workers, scheduler)`` gives a thread pool or a :class:`DaskExecutor`
over a Dask cluster (``_executors``); every analysis takes one as
``executor=`` and gives the same numbers as in one process. Batch files, which
run grids of analyses as resumable jobs, are :mod:`powerseek.batch`.
"""

from __future__ import annotations

from .._deprecation import moved_names
from ._executors import DaskExecutor, DaskUnavailableError, executor

__all__ = [
    "DaskExecutor",
    "DaskUnavailableError",
    "executor",
]

#: Names that moved to another subpackage, and their new module.
_MOVED = dict.fromkeys(
    [
        "BatchResult",
        "BatchSpec",
        "Unit",
        "check_batch",
        "read_batch",
        "run_batch",
        "unit_inputs",
    ],
    "powerseek.batch",
)
__getattr__ = moved_names(__name__, _MOVED)
