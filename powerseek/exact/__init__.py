"""Exact results in rational arithmetic.

Exact POWER and optimality probabilities for small MDPs (``_results``), by
polytope integration (``_polytope``) or enumeration of a finite reward support,
with the exact linear algebra over the rationals they use. They build on the
visit distribution functions of :mod:`powerseek.visits`.
"""

from __future__ import annotations

from .. import visits
from .._deprecation import moved_names
from .._rational import as_fraction, exact_gamma, exact_rows, solve_exact
from ._polytope import IntegrationError
from ._results import (
    ExactOptimality,
    ExactPower,
    ExactSetOptimality,
    ExactSolution,
    exact_optimality,
    exact_power,
    exact_solution,
    exact_visit_optimality,
)

__all__ = [
    "ExactOptimality",
    "ExactPower",
    "ExactSetOptimality",
    "ExactSolution",
    "IntegrationError",
    "as_fraction",
    "exact_gamma",
    "exact_optimality",
    "exact_power",
    "exact_rows",
    "exact_solution",
    "exact_visit_optimality",
    "solve_exact",
]

#: Names that moved to another subpackage, and their new module.
# every public name of visits lived here before it had its own subpackage
_MOVED = dict.fromkeys(visits.__all__, "powerseek.visits")
__getattr__ = moved_names(__name__, _MOVED)
