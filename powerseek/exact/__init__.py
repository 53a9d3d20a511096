"""Exact results in rational arithmetic.

Visit distributions and non-domination (:mod:`.visits`), exact linear algebra over
the rationals (:mod:`.rational`), and exact POWER and optimality probabilities for
small MDPs (:mod:`.results`).
"""

from __future__ import annotations

from .rational import as_fraction, exact_gamma, exact_rows, solve_exact
from .results import (
    ExactOptimality,
    ExactPower,
    ExactSolution,
    exact_optimality,
    exact_power,
    exact_solution,
    exact_visit_optimality,
)
from .visits import (
    RecurrentDistribution,
    VisitDistribution,
    format_function,
    nondominated,
    nondominated_rsds,
    nondominated_vectors,
    one_cycle_options,
    recurrent_distributions,
    restrict,
    visit_distributions,
)

__all__ = [
    "ExactOptimality",
    "ExactPower",
    "ExactSolution",
    "RecurrentDistribution",
    "VisitDistribution",
    "as_fraction",
    "exact_gamma",
    "exact_optimality",
    "exact_power",
    "exact_rows",
    "exact_solution",
    "exact_visit_optimality",
    "format_function",
    "nondominated",
    "nondominated_rsds",
    "nondominated_vectors",
    "one_cycle_options",
    "recurrent_distributions",
    "restrict",
    "solve_exact",
    "visit_distributions",
]
