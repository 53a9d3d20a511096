"""powerseek: power-seeking analysis of Markov decision processes.

Environments are networkx graphs or ASCII gridworlds compiled to a frozen
:class:`MDP`; the catalog of published examples is available through
:func:`load` and :func:`list_environments`. The engine estimates POWER
(:func:`power`) and action optimality probabilities (:func:`optimality`) over
reward distributions (:class:`IID`, :class:`PerState`, ...), with standard
errors.

Examples
--------
>>> import powerseek
>>> mdp = powerseek.load("turner-fig1")
>>> mdp.actions_of("start")
('empty', 'left', 'right')
>>> result = powerseek.power(mdp, 0.9, n_samples=2000, rng=0)
>>> bool(result["right"] > result["left"])
True
"""

from __future__ import annotations

from . import gridworld
from .environments import EnvironmentInfo, list_environments, load, save
from .estimates import Estimate
from .exceptions import (
    ConvergenceWarning,
    InvalidMDPError,
    InvalidParameterError,
    InvalidTypeError,
    ParseError,
    PowerseekError,
    PowerseekWarning,
    SearchLimitError,
    UnknownActionError,
    UnknownEnvironmentError,
    UnknownStateError,
)
from .graph import from_graph, to_graph
from .mdp import MDP
from .optimality import OptimalityResult, optimal_actions, optimality, optimality_sweep
from .power import (
    PowerResult,
    PowerSeekingResult,
    PowerSweepResult,
    power,
    power_samples,
    power_seeking,
    power_sweep,
)
from .rewards import IID, CallableRewards, FiniteSupport, PerState, RewardSamples
from .solve import SolveResult, solve
from .structure import ReachabilitySummary, reachable, summarize

__version__ = "0.1.0"

__all__ = [
    "IID",
    "MDP",
    "CallableRewards",
    "ConvergenceWarning",
    "EnvironmentInfo",
    "Estimate",
    "FiniteSupport",
    "InvalidMDPError",
    "InvalidParameterError",
    "InvalidTypeError",
    "OptimalityResult",
    "ParseError",
    "PerState",
    "PowerResult",
    "PowerSeekingResult",
    "PowerSweepResult",
    "PowerseekError",
    "PowerseekWarning",
    "ReachabilitySummary",
    "RewardSamples",
    "SearchLimitError",
    "SolveResult",
    "UnknownActionError",
    "UnknownEnvironmentError",
    "UnknownStateError",
    "__version__",
    "from_graph",
    "gridworld",
    "list_environments",
    "load",
    "optimal_actions",
    "optimality",
    "optimality_sweep",
    "power",
    "power_samples",
    "power_seeking",
    "power_sweep",
    "reachable",
    "save",
    "solve",
    "summarize",
    "to_graph",
]
