"""State permutations, environmental symmetries, orbits and theorem checks.

``_environmental`` finds the copies the theorems need; ``_orbits`` compares
statistics over orbits of reward distributions; ``_theorems`` checks the
hypotheses of the POWER-seeking theorems on an MDP; ``_retarget`` holds the
orbit-level retargetability results of RDSP over outcome lotteries.
"""

from __future__ import annotations

from ._environmental import (
    CopyResult,
    Permutation,
    automorphisms,
    find_action_copy,
    find_rsd_copy,
    find_state_copy,
    terminal_copies,
)
from ._orbits import (
    Functional,
    OrbitComparison,
    action_optimality,
    compare_over_orbit,
    orbit_size,
    power_of,
    rule_choice,
    successor_power,
    visit_set_optimality,
)
from ._retarget import (
    MAX_OUTCOMES,
    RetargetCheck,
    all_involutions,
    check_retargetable,
    compare_on_orbit,
    contains_copies,
    copy_violations,
    outcome_orbit,
    outcome_permutation,
    permute_outcomes,
    rule_tendency,
)
from ._theorems import Check, TheoremReport, Verification, check_actions, check_states

__all__ = [
    "MAX_OUTCOMES",
    "Check",
    "CopyResult",
    "Functional",
    "OrbitComparison",
    "Permutation",
    "RetargetCheck",
    "TheoremReport",
    "Verification",
    "action_optimality",
    "all_involutions",
    "automorphisms",
    "check_actions",
    "check_retargetable",
    "check_states",
    "compare_on_orbit",
    "compare_over_orbit",
    "contains_copies",
    "copy_violations",
    "find_action_copy",
    "find_rsd_copy",
    "find_state_copy",
    "orbit_size",
    "outcome_orbit",
    "outcome_permutation",
    "permute_outcomes",
    "power_of",
    "rule_choice",
    "rule_tendency",
    "successor_power",
    "terminal_copies",
    "visit_set_optimality",
]
