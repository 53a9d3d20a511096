"""The MDP value type and its constructors.

:class:`MDP` (:mod:`.model`) is the frozen value every analysis takes; it is built from
networkx graphs (:mod:`.graph`) or ASCII gridworlds (:mod:`.gridworld`), inspected by
:mod:`.structure`, and its states and actions are named on the command line and in
batch files through :mod:`.labels`.
"""

from __future__ import annotations

from . import gridworld
from .graph import from_graph, to_graph
from .labels import parse_action, parse_state
from .model import MDP
from .structure import (
    ReachabilitySummary,
    closed_classes,
    reachable,
    strongly_connected_components,
    summarize,
)

__all__ = [
    "MDP",
    "ReachabilitySummary",
    "closed_classes",
    "from_graph",
    "gridworld",
    "parse_action",
    "parse_state",
    "reachable",
    "strongly_connected_components",
    "summarize",
    "to_graph",
]
