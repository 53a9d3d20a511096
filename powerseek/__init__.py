"""powerseek: power-seeking analysis of Markov decision processes.

Environments are networkx graphs or ASCII gridworlds compiled to a frozen
:class:`MDP`; the catalog of published examples is available through
:func:`load` and :func:`list_environments`. The engine estimates POWER
(:func:`power`) and action optimality probabilities (:func:`optimality`) over
reward distributions (:class:`IID`, :class:`PerState`, ...), with standard
errors.

The package is organised in subpackages, one topic each (docs/api.md):
:mod:`~powerseek.mdp`, :mod:`~powerseek.io`, :mod:`~powerseek.rewards`,
:mod:`~powerseek.solvers`, :mod:`~powerseek.visits`, :mod:`~powerseek.analysis`,
:mod:`~powerseek.exact`,
:mod:`~powerseek.symmetry`, :mod:`~powerseek.explore`, :mod:`~powerseek.parallel`,
:mod:`~powerseek.batch`,
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
    "EnvironmentInfo": "powerseek.io",
    "list_environments": "powerseek.io",
    "load": "powerseek.io",
    "save": "powerseek.io",
    "Estimate": "powerseek.rewards",
    "from_graph": "powerseek.mdp",
    "from_gymnasium": "powerseek.io",
    "from_quantecon": "powerseek.io",
    "to_quantecon": "powerseek.io",
    "to_graph": "powerseek.mdp",
    "gridworld": None,
    "MDP": "powerseek.mdp",
    "OptimalityResult": "powerseek.analysis",
    "OptimalitySweepResult": "powerseek.analysis",
    "optimal_actions": "powerseek.analysis",
    "optimality": "powerseek.analysis",
    "optimality_sweep": "powerseek.analysis",
    "PowerResult": "powerseek.analysis",
    "PowerSeekingResult": "powerseek.analysis",
    "PowerSweepResult": "powerseek.analysis",
    "PairedComparison": "powerseek.analysis",
    "compare_optimality": "powerseek.analysis",
    "compare_power": "powerseek.analysis",
    "power": "powerseek.analysis",
    "Empowerment": "powerseek.measures",
    "empowerment": "powerseek.measures",
    "power_samples": "powerseek.analysis",
    "power_seeking": "powerseek.analysis",
    "power_sweep": "powerseek.analysis",
    "IID": "powerseek.rewards",
    "CallableRewards": "powerseek.rewards",
    "FiniteSupport": "powerseek.rewards",
    "PerState": "powerseek.rewards",
    "RewardSamples": "powerseek.rewards",
    "SolveResult": "powerseek.solvers",
    "SolverOptions": "powerseek.analysis",
    "SamplingOptions": "powerseek.analysis",
    "ExecutionOptions": "powerseek.analysis",
    "solve": "powerseek.solvers",
    "ReachabilitySummary": "powerseek.mdp",
    "reachable": "powerseek.mdp",
    "summarize": "powerseek.mdp",
}
_MODULES = {"gridworld": "powerseek.mdp.gridworld"}
_SUBPACKAGES = (
    "agents",
    "analysis",
    "batch",
    "cli",
    "exact",
    "explore",
    "io",
    "measures",
    "mdp",
    "multiagent",
    "parallel",
    "rewards",
    "solvers",
    "symmetry",
    "visits",
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
    from .analysis import (
        ExecutionOptions,
        OptimalityResult,
        OptimalitySweepResult,
        PairedComparison,
        PowerResult,
        PowerSeekingResult,
        PowerSweepResult,
        SamplingOptions,
        SolverOptions,
        compare_optimality,
        compare_power,
        optimal_actions,
        optimality,
        optimality_sweep,
        power,
        power_samples,
        power_seeking,
        power_sweep,
    )
    from .io import (
        EnvironmentInfo,
        from_gymnasium,
        from_quantecon,
        list_environments,
        load,
        save,
        to_quantecon,
    )
    from .mdp import MDP, ReachabilitySummary, from_graph, gridworld, reachable, summarize, to_graph
    from .measures import Empowerment, empowerment
    from .rewards import IID, CallableRewards, Estimate, FiniteSupport, PerState, RewardSamples
    from .solvers import SolveResult, solve

__all__ = [
    "IID",
    "MDP",
    "CallableRewards",
    "ConvergenceWarning",
    "Empowerment",
    "EnvironmentInfo",
    "Estimate",
    "ExecutionOptions",
    "FiniteSupport",
    "InvalidMDPError",
    "InvalidParameterError",
    "InvalidTypeError",
    "OptimalityResult",
    "OptimalitySweepResult",
    "PairedComparison",
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
    "compare_optimality",
    "compare_power",
    "empowerment",
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
