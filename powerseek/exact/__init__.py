"""Exact results in rational arithmetic.

Exact POWER and optimality probabilities for small MDPs (``_results``), by
polytope integration (``_polytope``) or enumeration of a finite reward support,
with the exact linear algebra over the rationals they use. They build on the
visit distribution functions of :mod:`powerseek.visits`.
"""

from __future__ import annotations

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
_MOVED = dict.fromkeys(
    [
        "RecurrentDistribution",
        "VisitDistribution",
        "format_function",
        "nondominated",
        "nondominated_rsds",
        "nondominated_vectors",
        "one_cycle_options",
        "recurrent_distributions",
        "restrict",
        "visit_distributions",
    ],
    "powerseek.visits",
)
__getattr__ = moved_names(__name__, _MOVED)
