"""Batch files: grids of analyses run as resumable jobs.

A batch file (TOML) names environments, reward distributions, sample counts,
discounts and quantities, plus orbit, theorem-check and two-agent jobs;
:func:`read_batch` reads and checks it, naming the key and its line for any
mistake, and :func:`run_batch` runs every unit once, storing each result in a
file keyed by everything its numbers depend on (the contents of the files it
reads included), so that a rerun recomputes exactly the units whose inputs
changed. The units run in this process or on any executor of
:mod:`powerseek.parallel`. See docs/file-formats.md and ``powerseek batch``.

The runner is ``_runner``.
"""

from __future__ import annotations

from ._runner import (
    COLUMNS,
    FILE_FIELDS,
    BatchResult,
    BatchSpec,
    Unit,
    check_batch,
    read_batch,
    run_batch,
    unit_inputs,
)

__all__ = [
    "COLUMNS",
    "FILE_FIELDS",
    "BatchResult",
    "BatchSpec",
    "Unit",
    "check_batch",
    "read_batch",
    "run_batch",
    "unit_inputs",
]
