"""Visit distribution functions F(s), non-domination and recurrent state distributions.

The foundation the optimality and POWER-seeking theorems speak in (theory.md
Def 3.3-3.6, 6.10): the functions f^{π,s}(γ) of a state, decided as rational
functions of γ (never by values at one γ), the non-dominated ones, the functions
that start with a given action, and the RSDs at γ = 1. The Monte Carlo analyses
(:func:`powerseek.analysis.visit_optimality`), the exact ones
(:mod:`powerseek.exact`), the symmetry search (:mod:`powerseek.symmetry`) and the
quantilizer (:mod:`powerseek.agents`) all build on them. The implementation is
``_functions``.
"""

from __future__ import annotations

from ._functions import (
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
]
