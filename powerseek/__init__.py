"""powerseek: power-seeking analysis of Markov decision processes.

Environments are networkx graphs or ASCII gridworlds compiled to a frozen
:class:`MDP`; the catalog of published examples is available through
:func:`load` and :func:`list_environments`. The engine estimates POWER
(:func:`power`) and action optimality probabilities (:func:`optimality`) over
reward distributions (:class:`IID`, :class:`PerState`, ...), with standard
errors.

The package is organised in subpackages, one topic each (docs/api.md):
:mod:`~powerseek.mdp`, :mod:`~powerseek.io`, :mod:`~powerseek.rewards`,
:mod:`~powerseek.solvers`, :mod:`~powerseek.analysis`, :mod:`~powerseek.exact`,
:mod:`~powerseek.symmetry`, :mod:`~powerseek.explore`, :mod:`~powerseek.parallel`,
:mod:`~powerseek.viz` and :mod:`~powerseek.cli`. The names below are re-exported
here and imported on first use, so ``import powerseek`` stays cheap.

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

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
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

#: Where each re-exported name lives (a module path, or the module itself).
_EXPORTS = {
    "EnvironmentInfo": "powerseek.io.catalog",
    "list_environments": "powerseek.io.catalog",
    "load": "powerseek.io.catalog",
    "save": "powerseek.io.catalog",
    "Estimate": "powerseek.rewards.estimates",
    "from_graph": "powerseek.mdp.graph",
    "from_gymnasium": "powerseek.io.gymnasium",
    "from_quantecon": "powerseek.io.quantecon",
    "to_quantecon": "powerseek.io.quantecon",
    "to_graph": "powerseek.mdp.graph",
    "gridworld": None,
    "MDP": "powerseek.mdp.model",
    "OptimalityResult": "powerseek.analysis.optimality",
    "OptimalitySweepResult": "powerseek.analysis.optimality",
    "optimal_actions": "powerseek.analysis.optimality",
    "optimality": "powerseek.analysis.optimality",
    "optimality_sweep": "powerseek.analysis.optimality",
    "PowerResult": "powerseek.analysis.power",
    "PowerSeekingResult": "powerseek.analysis.power",
    "PowerSweepResult": "powerseek.analysis.power",
    "power": "powerseek.analysis.power",
    "power_samples": "powerseek.analysis.power",
    "power_seeking": "powerseek.analysis.power",
    "power_sweep": "powerseek.analysis.power",
    "IID": "powerseek.rewards.distributions",
    "CallableRewards": "powerseek.rewards.distributions",
    "FiniteSupport": "powerseek.rewards.distributions",
    "PerState": "powerseek.rewards.distributions",
    "RewardSamples": "powerseek.rewards.distributions",
    "SolveResult": "powerseek.solvers.solve",
    "SolverOptions": "powerseek.analysis.options",
    "SamplingOptions": "powerseek.analysis.options",
    "ExecutionOptions": "powerseek.analysis.options",
    "solve": "powerseek.solvers.solve",
    "ReachabilitySummary": "powerseek.mdp.structure",
    "reachable": "powerseek.mdp.structure",
    "summarize": "powerseek.mdp.structure",
}
_MODULES = {"gridworld": "powerseek.mdp.gridworld"}
_SUBPACKAGES = (
    "agents",
    "analysis",
    "cli",
    "exact",
    "explore",
    "io",
    "mdp",
    "multiagent",
    "parallel",
    "rewards",
    "solvers",
    "symmetry",
    "viz",
)


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f"powerseek.{name}")
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'powerseek' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBPACKAGES})


if TYPE_CHECKING:
    from .analysis.optimality import (
        OptimalityResult,
        OptimalitySweepResult,
        optimal_actions,
        optimality,
        optimality_sweep,
    )
    from .analysis.options import ExecutionOptions, SamplingOptions, SolverOptions
    from .analysis.power import (
        PowerResult,
        PowerSeekingResult,
        PowerSweepResult,
        power,
        power_samples,
        power_seeking,
        power_sweep,
    )
    from .io.catalog import EnvironmentInfo, list_environments, load, save
    from .io.gymnasium import from_gymnasium
    from .io.quantecon import from_quantecon, to_quantecon
    from .mdp import gridworld
    from .mdp.graph import from_graph, to_graph
    from .mdp.model import MDP
    from .mdp.structure import ReachabilitySummary, reachable, summarize
    from .rewards.distributions import IID, CallableRewards, FiniteSupport, PerState, RewardSamples
    from .rewards.estimates import Estimate
    from .solvers.solve import SolveResult, solve

__all__ = [
    "IID",
    "MDP",
    "CallableRewards",
    "ConvergenceWarning",
    "EnvironmentInfo",
    "Estimate",
    "ExecutionOptions",
    "FiniteSupport",
    "InvalidMDPError",
    "InvalidParameterError",
    "InvalidTypeError",
    "OptimalityResult",
    "OptimalitySweepResult",
    "ParseError",
    "PerState",
    "PowerResult",
    "PowerSeekingResult",
    "PowerSweepResult",
    "PowerseekError",
    "PowerseekWarning",
    "ReachabilitySummary",
    "RewardSamples",
    "SamplingOptions",
    "SearchLimitError",
    "SolveResult",
    "SolverOptions",
    "UnknownActionError",
    "UnknownEnvironmentError",
    "UnknownStateError",
    "__version__",
    "from_graph",
    "from_gymnasium",
    "from_quantecon",
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
    "to_quantecon",
]
