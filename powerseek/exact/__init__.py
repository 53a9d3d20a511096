"""Exact results in rational arithmetic.

Visit distributions and non-domination (``_visits``), exact linear algebra over
the rationals (``_rational``), and exact POWER and optimality probabilities for
small MDPs (``_results``).
"""

from __future__ import annotations

from ._polytope import IntegrationError
from ._rational import as_fraction, exact_gamma, exact_rows, solve_exact
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
from ._visits import (
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
    "ExactSetOptimality",
    "ExactSolution",
    "IntegrationError",
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
