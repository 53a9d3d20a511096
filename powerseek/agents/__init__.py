"""Bounded and trained decision-makers in MDPs (RDSP; theory.md §A.3, B.4).

Decision rules map (MDP, reward sample, γ) to a policy (:mod:`.rules`, written
as text by :mod:`.spec`); :mod:`.analysis` runs the engine's analyses for any
rule: choice probabilities, the POWER of a d-agent and its POWER-seeking
comparisons. The optimal rule reproduces the optimal-agent analyses exactly.
:mod:`.shutdown` holds Krakovna & Kramár's training-compatible goals and the
shutdown setting.
"""

from __future__ import annotations

from .analysis import (
    choice_probability,
    choice_probability_sweep,
    rule_policy,
    rule_power,
    rule_power_samples,
    rule_power_seeking,
    rule_power_sweep,
)
from .rules import (
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
from .spec import RULES, as_rule, parse_rule

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
    "SoftOptimal",
    "TruncatedValueIteration",
    "as_rule",
    "choice_probability",
    "choice_probability_sweep",
    "parse_rule",
    "rule_policy",
    "rule_power",
    "rule_power_samples",
    "rule_power_seeking",
    "rule_power_sweep",
    "uniform_over",
]
