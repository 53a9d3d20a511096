"""Monte Carlo analyses over reward distributions.

POWER (:mod:`.power`), action optimality probabilities (:mod:`.optimality`) and
optimality of sets of visit distributions (:mod:`.visit_optimality`), all on the
chunked engine of :mod:`.engine`; the decision rules over outcome lotteries of
RDSP (:mod:`.decision_rules`).
"""

from __future__ import annotations

from .decision_rules import (
    anti_optimal,
    as_lotteries,
    best_of_k,
    boltzmann,
    frac_optimal,
    is_optimal,
    make_rule,
    quantilize,
    satisfice,
)
from .optimality import (
    OptimalityResult,
    OptimalitySweepResult,
    optimal_actions,
    optimality,
    optimality_sweep,
)
from .options import EngineOptions, ExecutionOptions, SamplingOptions, SolverOptions
from .power import (
    PowerResult,
    PowerSeekingResult,
    PowerSweepResult,
    power,
    power_samples,
    power_seeking,
    power_sweep,
)
from .visit_optimality import SetOptimalityResult, linear_optimality, visit_optimality

__all__ = [
    "EngineOptions",
    "ExecutionOptions",
    "OptimalityResult",
    "OptimalitySweepResult",
    "PowerResult",
    "PowerSeekingResult",
    "PowerSweepResult",
    "SamplingOptions",
    "SetOptimalityResult",
    "SolverOptions",
    "anti_optimal",
    "as_lotteries",
    "best_of_k",
    "boltzmann",
    "frac_optimal",
    "is_optimal",
    "linear_optimality",
    "make_rule",
    "optimal_actions",
    "optimality",
    "optimality_sweep",
    "power",
    "power_samples",
    "power_seeking",
    "power_sweep",
    "quantilize",
    "satisfice",
    "visit_optimality",
]
