"""The MDP value type and its constructors.

:class:`MDP` (``_model``) is the frozen value every analysis takes; it is built from
networkx graphs (``_graph``) or ASCII gridworlds (:mod:`.gridworld`), inspected by
``_structure``, and its states and actions are named on the command line and in
batch files through ``_labels``.
"""

from __future__ import annotations

from . import gridworld
from ._graph import from_graph, needs_multigraph, to_graph, transitions_from_edges
from ._joint import ANY, DEFAULT_AGENTS, forbid_rules, two_agent_product, two_agent_world
from ._labels import label_text, parse_action, parse_state
from ._model import MDP, thaw_metadata
from ._objects import FEATURES, LevelState, ObjectLevel
from ._simulator import Ended, default_memory, from_simulator, simulator_bytes_per_state
from ._structure import (
    ReachabilitySummary,
    closed_classes,
    reachable,
    strongly_connected_components,
    summarize,
)

__all__ = [
    "ANY",
    "DEFAULT_AGENTS",
    "FEATURES",
    "MDP",
    "Ended",
    "LevelState",
    "ObjectLevel",
    "ReachabilitySummary",
    "closed_classes",
    "default_memory",
    "forbid_rules",
    "from_graph",
    "from_simulator",
    "gridworld",
    "label_text",
    "needs_multigraph",
    "parse_action",
    "parse_state",
    "reachable",
    "simulator_bytes_per_state",
    "strongly_connected_components",
    "summarize",
    "thaw_metadata",
    "to_graph",
    "transitions_from_edges",
    "two_agent_product",
    "two_agent_world",
]
