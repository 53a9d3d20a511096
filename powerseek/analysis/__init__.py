"""Monte Carlo analyses over reward distributions.

POWER (``_power``), action optimality probabilities (``_optimality``),
paired comparisons and rankings on common samples (``_ranking``) and
optimality of sets of visit distributions (``_visit_optimality``), all on the
chunked engine of :mod:`.engine`. The decision rules over outcome lotteries of
RDSP are in :mod:`powerseek.agents.lotteries`.
"""

from __future__ import annotations

from .._deprecation import moved_names
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
from ._ranking import (
    CORRECTIONS,
    MAX_COMPARED,
    PairedComparison,
    compare_optimality,
    compare_power,
)
from ._visit_optimality import (
    SetOptimalityResult,
    coefficient_stack,
    lexicographic_best,
    linear_optimality,
    visit_optimality,
)

__all__ = [
    "CORRECTIONS",
    "MAX_COMPARED",
    "EngineOptions",
    "ExecutionOptions",
    "OptimalityResult",
    "OptimalitySweepResult",
    "PairedComparison",
    "PowerResult",
    "PowerSeekingResult",
    "PowerSweepResult",
    "SamplingOptions",
    "SetOptimalityResult",
    "SolverOptions",
    "StateCounter",
    "coefficient_stack",
    "compare_optimality",
    "compare_power",
    "compare_successors",
    "lexicographic_best",
    "linear_optimality",
    "optimal_actions",
    "optimality",
    "optimality_sweep",
    "power",
    "power_samples",
    "power_seeking",
    "power_sweep",
    "state_pairs",
    "visit_optimality",
]

#: Names that moved to another subpackage, and their new module.
_MOVED = dict.fromkeys(
    [
        "anti_optimal",
        "as_lotteries",
        "best_of_k",
        "boltzmann",
        "frac_optimal",
        "is_optimal",
        "make_rule",
        "quantilize",
        "satisfice",
    ],
    "powerseek.agents.lotteries",
)
__getattr__ = moved_names(__name__, _MOVED)
