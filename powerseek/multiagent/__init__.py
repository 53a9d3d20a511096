"""Two agents in one world: joint MDPs, the other agent's policy, and POWER.

``_model`` holds :class:`JointMDP` and its builders (two MDPs, a gridworld
map and two agents, a joint ``.gv`` file); ``_build`` a joint world from one
single-agent world, with forbidden joint actions as data; ``_policies`` the other agent's
behaviour and the MDP it leaves (:func:`induced_mdp`); ``_power`` POWER with
the other agent's policy fixed; ``_correlation`` POWER of both agents with
correlated rewards; ``_games`` POWER in Bayesian games. See docs/multiagent.md.
"""

from ..mdp import ANY, forbid_rules
from ._build import joint_world
from ._correlation import CorrelationSweepResult, correlated_rewards, correlation_sweep
from ._games import (
    MAX_PURE_PROFILES,
    BayesianGame,
    best_case_power,
    game_power,
    identical_rewards,
    interim_utilities,
    pure_equilibria,
    sampled_game_power,
    zero_sum_equilibrium,
)
from ._model import DEFAULT_AGENTS, JointMDP, joint_gridworld, product
from ._policies import check_policy, fixed_policy, induced_mdp, uniform_policy
from ._power import fixed_policy_power, fixed_policy_power_sweep, resolve_policy

__all__ = [
    "ANY",
    "DEFAULT_AGENTS",
    "MAX_PURE_PROFILES",
    "BayesianGame",
    "CorrelationSweepResult",
    "JointMDP",
    "best_case_power",
    "check_policy",
    "correlated_rewards",
    "correlation_sweep",
    "fixed_policy",
    "fixed_policy_power",
    "fixed_policy_power_sweep",
    "forbid_rules",
    "game_power",
    "identical_rewards",
    "induced_mdp",
    "interim_utilities",
    "joint_gridworld",
    "joint_world",
    "product",
    "pure_equilibria",
    "resolve_policy",
    "sampled_game_power",
    "uniform_policy",
    "zero_sum_equilibrium",
]
