"""State permutations, environmental symmetries, orbits and theorem checks.

:mod:`.environmental` finds the copies the theorems need; :mod:`.orbits` compares
statistics over orbits of reward distributions; :mod:`.theorems` checks the
hypotheses of the POWER-seeking theorems on an MDP; :mod:`.retarget` holds the
orbit-level retargetability results of RDSP over outcome lotteries.
"""

from __future__ import annotations

from .environmental import (
    CopyResult,
    Permutation,
    automorphisms,
    find_action_copy,
    find_rsd_copy,
    find_state_copy,
    terminal_copies,
)
from .orbits import (
    Functional,
    OrbitComparison,
    action_optimality,
    compare_over_orbit,
    orbit_size,
    power_of,
    successor_power,
    visit_set_optimality,
)
from .retarget import (
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
from .theorems import Check, TheoremReport, Verification, check_actions, check_states

__all__ = [
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
    "rule_tendency",
    "successor_power",
    "terminal_copies",
    "visit_set_optimality",
]
