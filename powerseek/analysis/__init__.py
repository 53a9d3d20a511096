"""Monte Carlo analyses over reward distributions.

POWER (``_power``), action optimality probabilities (``_optimality``) and
optimality of sets of visit distributions (``_visit_optimality``), all on the
chunked engine of ``_engine``; the decision rules over outcome lotteries of
RDSP (``_decision_rules``).
"""

from __future__ import annotations

from ._decision_rules import (
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
from ._optimality import (
    OptimalityResult,
    OptimalitySweepResult,
    StateCounter,
    optimal_actions,
    optimality,
    optimality_sweep,
    state_pairs,
)
from ._options import EngineOptions, ExecutionOptions, SamplingOptions, SolverOptions
from ._power import (
    PowerResult,
    PowerSeekingResult,
    PowerSweepResult,
    compare_successors,
    power,
    power_samples,
    power_seeking,
    power_sweep,
)
from ._visit_optimality import (
    SetOptimalityResult,
    coefficient_stack,
    lexicographic_best,
    linear_optimality,
    visit_optimality,
)

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
    "StateCounter",
    "anti_optimal",
    "as_lotteries",
    "best_of_k",
    "boltzmann",
    "coefficient_stack",
    "compare_successors",
    "frac_optimal",
    "is_optimal",
    "lexicographic_best",
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
    "state_pairs",
    "visit_optimality",
]
