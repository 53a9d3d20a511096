"""Bounded and trained decision-makers in MDPs (RDSP; theory.md §A.3, B.4).

Decision rules map (MDP, reward sample, γ) to a policy (``_rules``, written
as text by ``_spec``); ``_analysis`` runs the engine's analyses for any
rule: choice probabilities, the POWER of a d-agent and its POWER-seeking
comparisons. The optimal rule reproduces the optimal-agent analyses exactly.
``_shutdown`` holds Krakovna & Kramár's training-compatible goals and the
shutdown setting. The same rules over outcome lotteries (RDSP App. A: a
choice among probability vectors rather than in an MDP) are the functions of
the public module :mod:`.lotteries`.
"""

from __future__ import annotations

from . import lotteries
from ._analysis import (
    choice_probability,
    choice_probability_sweep,
    rule_policy,
    rule_power,
    rule_power_samples,
    rule_power_seeking,
    rule_power_sweep,
)
from ._rules import (
    BestOfK,
    Boltzmann,
    DecisionRule,
    EpsilonGreedy,
    Optimal,
    QLearning,
    Quantilizer,
    Satisficer,
    SoftOptimal,
    TruncatedValueIteration,
    uniform_over,
)
from ._shutdown import (
    ShutdownResult,
    ShutdownWorld,
    critical_gamma,
    kk_example,
    orbit_avoidance,
    prop3_violations,
    recurrent_states,
    revisit_count,
    sample_compatible,
    shutdown_avoidance,
    shutdown_world,
)
from ._side_effects import (
    chain_hitting_probabilities,
    hitting_probability,
    side_effect_probabilities,
)
from ._spec import RULES, as_rule, parse_rule

__all__ = [
    "RULES",
    "BestOfK",
    "Boltzmann",
    "DecisionRule",
    "EpsilonGreedy",
    "Optimal",
    "QLearning",
    "Quantilizer",
    "Satisficer",
    "ShutdownResult",
    "ShutdownWorld",
    "SoftOptimal",
    "TruncatedValueIteration",
    "as_rule",
    "chain_hitting_probabilities",
    "choice_probability",
    "choice_probability_sweep",
    "critical_gamma",
    "hitting_probability",
    "kk_example",
    "lotteries",
    "orbit_avoidance",
    "parse_rule",
    "prop3_violations",
    "recurrent_states",
    "revisit_count",
    "rule_policy",
    "rule_power",
    "rule_power_samples",
    "rule_power_seeking",
    "rule_power_sweep",
    "sample_compatible",
    "shutdown_avoidance",
    "shutdown_world",
    "side_effect_probabilities",
    "uniform_over",
]
