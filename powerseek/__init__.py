"""powerseek: power-seeking analysis of Markov decision processes.

Environments are networkx graphs or ASCII gridworlds compiled to a frozen
:class:`MDP`; the catalog of published examples is available through
:func:`load` and :func:`list_environments`.

Examples
--------
>>> import powerseek
>>> mdp = powerseek.load("turner-fig1")
>>> mdp.actions_of("start")
('empty', 'left', 'right')
"""

from __future__ import annotations

from . import gridworld
from .environments import EnvironmentInfo, list_environments, load, save
from .exceptions import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidTypeError,
    ParseError,
    PowerseekError,
    UnknownActionError,
    UnknownEnvironmentError,
    UnknownStateError,
)
from .graph import from_graph, to_graph
from .mdp import MDP
from .structure import ReachabilitySummary, reachable, summarize

__version__ = "0.1.0"

__all__ = [
    "MDP",
    "EnvironmentInfo",
    "InvalidMDPError",
    "InvalidParameterError",
    "InvalidTypeError",
    "ParseError",
    "PowerseekError",
    "ReachabilitySummary",
    "UnknownActionError",
    "UnknownEnvironmentError",
    "UnknownStateError",
    "__version__",
    "from_graph",
    "gridworld",
    "list_environments",
    "load",
    "reachable",
    "save",
    "summarize",
    "to_graph",
]
