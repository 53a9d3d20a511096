"""Impact: how much an agent changes its world, and how much of that to allow.

- Attainable utility (``_attainable``): the optimal values of many auxiliary
  rewards, solved together, and the utility each action leaves them.
- Baselines (``_baselines``): what an action's attainable utility is compared
  with: doing nothing now, the starting state, or doing nothing since the start.
- Penalties (``_penalties``): the AUP and AUP_conv penalties, and the policy
  optimal for a task reward minus λ times a penalty, with what it does from the start.
- Reachability (``_reachability``): every state's reachability from every state,
  the auxiliary set of relative reachability.
- The planning agent (``_planner``): Conservative Agency's finite-horizon AUP
  agent with its baselines and inaction rollouts, by dynamic programming.
- The ablation (``_ablation``): Conservative Agency's table of agents and levels,
  each cell the probability of the level's best outcome over auxiliary draws.
- The impact level of an MDP (``_level``): the weights λ at which the penalised
  agent's policy changes, exactly, for a deterministic world.
- The impact level (``_partition``): for plans with a utility and an impact,
  which plan an agent picks at each impact budget, exactly, and the buffer
  between the first satisfactory plan and the first catastrophe (Turner, "How
  Low Should Fruit Hang Before We Pick It?", 2020).
"""

from __future__ import annotations

from ._ablation import ABLATION_AGENTS, ABLATION_LEVELS, Ablation, ablation, best_outcome
from ._attainable import AttainableUtility, attainable_utility, episode_ends, noop_pairs
from ._baselines import BASELINES, DEFAULT_HORIZON, inaction_baseline
from ._level import MAX_POLICIES, ImpactLevel, Mixture, impact_level
from ._partition import KINDS, Buffer, Partition, partition
from ._penalties import (
    DEVIATIONS,
    SCALINGS,
    Outcome,
    PenalizedPolicy,
    aup_conv_penalty,
    aup_penalty,
    aup_penalty_stderr,
    penalized_policy,
    scaled_penalty,
)
from ._planner import aup_plan
from ._reachability import MAX_REACHABILITY_STATES, reachability, unreachability_penalty

__all__ = [
    "ABLATION_AGENTS",
    "ABLATION_LEVELS",
    "BASELINES",
    "DEFAULT_HORIZON",
    "DEVIATIONS",
    "KINDS",
    "MAX_POLICIES",
    "MAX_REACHABILITY_STATES",
    "SCALINGS",
    "Ablation",
    "AttainableUtility",
    "Buffer",
    "ImpactLevel",
    "Mixture",
    "Outcome",
    "Partition",
    "PenalizedPolicy",
    "ablation",
    "attainable_utility",
    "aup_conv_penalty",
    "aup_penalty",
    "aup_penalty_stderr",
    "aup_plan",
    "best_outcome",
    "episode_ends",
    "impact_level",
    "inaction_baseline",
    "noop_pairs",
    "partition",
    "penalized_policy",
    "reachability",
    "scaled_penalty",
    "unreachability_penalty",
]
