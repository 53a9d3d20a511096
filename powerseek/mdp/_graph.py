"""Conversions between networkx graphs and :class:`~powerseek.MDP`.

Two graph conventions (design.md §4.1):

* A :class:`networkx.DiGraph` is a deterministic *successor graph*: each
  out-edge ``s -> t`` is one action of ``s`` that leads to ``t``. The action is
  named by the edge attribute ``action`` if present, otherwise by the
  successor's label, so the actions of ``start`` in Turner's Figure 1 are
  ``'empty'``, ``'left'`` and ``'right'``. A terminal state has a self-loop.
* A :class:`networkx.MultiDiGraph` whose edges carry ``action`` and ``p`` is a
  stochastic MDP: the out-edges of ``s`` with the same ``action`` form
  T(s, a, ·), and their ``p`` must sum to 1. An action with a single edge may
  omit ``p`` (it is then deterministic).

The same grouping rule is applied to both kinds, so a ``DiGraph`` with ``action``
and ``p`` attributes may also describe stochastic actions. Other node and edge
attributes are ignored; the graph attribute ``name`` becomes the MDP's name and
the other graph attributes its metadata.

The actions of a state are listed in the order they first appear among its
out-edges. networkx iterates the out-edges of a multigraph grouped by
successor, so a stochastic MDP converted to a ``MultiDiGraph`` and back may
list a state's actions in another order (its dynamics are unchanged);
environment files (TOML, and node-link JSON as powerseek writes it) keep the
order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._validation import did_you_mean, preview, quote, to_probability
from ..exceptions import InvalidMDPError, InvalidTypeError
from ._model import MDP, thaw_metadata

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["from_graph", "needs_multigraph", "to_graph", "transitions_from_edges"]


def from_graph(
    graph: nx.DiGraph,
    *,
    nodelist: Iterable[Hashable] | None = None,
    name: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> MDP:
    """Build an MDP from a networkx directed graph.

    Parameters
    ----------
    graph : networkx.DiGraph or networkx.MultiDiGraph
        The successor graph or stochastic multigraph (see the module
        docstring for the edge conventions).
    nodelist : sequence, optional
        The state order; defaults to ``graph.nodes`` order. Must list every
        node exactly once.
    name : str, optional
        Overrides ``graph.graph["name"]``.
    metadata : dict, optional
        Merged over the other graph attributes.

    Returns
    -------
    MDP

    Raises
    ------
    InvalidMDPError
        For an empty or undirected graph, a node without out-edges, an action
        whose probabilities are missing, negative or do not sum to 1, or a
        `nodelist` that is not a permutation of the nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("start", "candy"), ("start", "wait"), ("candy", "candy"),
    ...                 ("wait", "wait")])
    >>> mdp = from_graph(G)
    >>> mdp.actions_of("start")
    ('candy', 'wait')

    A stochastic action in a multigraph:

    >>> M = nx.MultiDiGraph()
    >>> M.add_edge(1, 1, action="H", p=0.5)
    0
    >>> M.add_edge(1, 2, action="H", p=0.5)
    0
    >>> M.add_edge(2, 2, action="H")
    0
    >>> from_graph(M).transition(1, "H")
    {1: 0.5, 2: 0.5}
    """
    import networkx as nx  # imported here: reading files does not need it

    if not isinstance(graph, nx.Graph):
        raise InvalidTypeError(
            f"`graph` must be a networkx DiGraph or MultiDiGraph; got {type(graph).__name__}."
        )
    if not graph.is_directed():
        raise InvalidMDPError(
            f"`graph` must be directed (networkx.DiGraph or MultiDiGraph); got an undirected "
            f"{type(graph).__name__}. Use graph.to_directed() if every edge is an action both ways."
        )
    if graph.number_of_nodes() == 0:
        raise InvalidMDPError("`graph` has no nodes; an MDP needs at least one state.")

    order = _node_order(graph, nodelist)
    out_edges = {
        state: [(successor, data) for _, successor, data in graph.out_edges(state, data=True)]
        for state in order
    }
    transitions = transitions_from_edges(order, out_edges)
    graph_name = graph.graph.get("name") or None
    extra = {k: v for k, v in graph.graph.items() if k != "name"}
    if metadata:
        extra.update(metadata)
    return MDP(
        transitions, states=order, name=name if name is not None else graph_name, metadata=extra
    )


def to_graph(mdp: MDP, *, multigraph: bool | None = None) -> nx.DiGraph | nx.MultiDiGraph:
    """The networkx graph of an MDP, in the conventions :func:`from_graph` reads.

    Parameters
    ----------
    mdp : MDP
        The environment.
    multigraph : bool, optional
        Force a ``MultiDiGraph`` (``True``) or a ``DiGraph`` (``False``). By
        default a deterministic MDP whose actions at each state lead to
        distinct successors becomes a ``DiGraph`` (with an ``action`` edge
        attribute only where the action is not named by its successor), and
        any other MDP a ``MultiDiGraph`` with ``action`` and ``p`` on every
        edge.

    Returns
    -------
    networkx.DiGraph or networkx.MultiDiGraph
        Nodes in ``mdp.states`` order; ``graph.graph`` holds the name and the
        metadata.

    Examples
    --------
    >>> mdp = MDP({"a": {"go": "b", "stay": "a"}, "b": ["b"]})
    >>> G = to_graph(mdp)
    >>> sorted(G.edges(data="action"))
    [('a', 'a', 'stay'), ('a', 'b', 'go'), ('b', 'b', None)]
    >>> from_graph(G) == mdp
    True
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    simple = not needs_multigraph(mdp)
    if multigraph is None:
        multigraph = not simple
    elif not multigraph and not simple:
        reason = (
            "it is stochastic"
            if not mdp.is_deterministic
            else "two actions of one state lead to the same successor"
        )
        raise InvalidMDPError(
            f"cannot write this MDP as a DiGraph because {reason}; use multigraph=True."
        )
    import networkx as nx

    graph = nx.MultiDiGraph() if multigraph else nx.DiGraph()
    if mdp.name is not None:
        graph.graph["name"] = mdp.name
    graph.graph.update(thaw_metadata(mdp.metadata))
    graph.add_nodes_from(mdp.states)
    for state, per_action in mdp.to_dict().items():
        for action, outcome in per_action.items():
            outcome = outcome if isinstance(outcome, dict) else {outcome: 1.0}
            for successor, probability in outcome.items():
                if multigraph:
                    graph.add_edge(state, successor, action=action, p=probability)
                elif action == successor:
                    graph.add_edge(state, successor)
                else:
                    graph.add_edge(state, successor, action=action)
    return graph


def transitions_from_edges(
    order: Sequence[Hashable], out_edges: Mapping[Hashable, Sequence[tuple[Hashable, Mapping]]]
) -> dict[Hashable, dict[Hashable, Any]]:
    """Group each state's out-edges ``(successor, attributes)`` into actions.

    Actions are named by the ``action`` attribute (default: the successor)
    and listed in order of first appearance; the edges of one action form its
    distribution (``p`` may be omitted on an action's only edge). Used for
    networkx graphs and for node-link files alike.

    Parameters
    ----------
    order : sequence of hashable
        The states, in order.
    out_edges : mapping of hashable to sequence of tuple
        Each state's out-edges as ``(successor, attributes)`` pairs.

    Returns
    -------
    dict of hashable to dict
        Each state's actions, ``{action: successor}`` or
        ``{action: {successor: probability}}``.

    Examples
    --------
    >>> edges = {"a": [("b", {}), ("a", {"action": "stay"})],
    ...          "b": [("a", {"action": "go", "p": 0.5}), ("b", {"action": "go", "p": 0.5})]}
    >>> transitions_from_edges(["a", "b"], edges)
    {'a': {'b': 'b', 'stay': 'a'}, 'b': {'go': {'a': 0.5, 'b': 0.5}}}
    """
    transitions: dict[Hashable, dict[Hashable, Any]] = {}
    for state in order:
        groups: dict[Hashable, list[tuple[Hashable, Any]]] = {}
        for successor, data in out_edges.get(state, ()):
            action = data.get("action", successor)
            try:
                hash(action)
            except TypeError:
                raise InvalidMDPError(
                    f"edge {quote(state)} -> {quote(successor)} has an unhashable `action` "
                    f"attribute {action!r}; action labels must be strings, numbers or tuples.",
                    state=state,
                ) from None
            groups.setdefault(action, []).append((successor, data.get("p")))
        if not groups:
            raise InvalidMDPError(
                f"state {quote(state)} has no out-edge, so no action; every state needs at least "
                f"one. To make it terminal (absorbing), add a self-loop: "
                f"G.add_edge({state!r}, {state!r}).",
                state=state,
            )
        transitions[state] = {
            action: _distribution(state, action, edges) for action, edges in groups.items()
        }
    return transitions


def _node_order(graph: nx.DiGraph, nodelist: Iterable[Hashable] | None) -> tuple[Hashable, ...]:
    if nodelist is None:
        return tuple(graph.nodes)
    order = tuple(nodelist)
    seen: set = set()
    for node in order:
        if node not in graph:
            raise InvalidMDPError(
                f"`nodelist` names {quote(node)}, which is not a node of the graph."
                f"{did_you_mean(node, graph.nodes)}"
            )
        if node in seen:
            raise InvalidMDPError(f"`nodelist` lists {quote(node)} twice.")
        seen.add(node)
    missing = [node for node in graph.nodes if node not in seen]
    if missing:
        raise InvalidMDPError(
            f"`nodelist` must list every node of the graph; missing: {preview(missing)}."
        )
    return order


def _distribution(state: Hashable, action: Hashable, edges: list[tuple[Hashable, Any]]):
    """The outcome of one action from its out-edges [(successor, p or None)]."""
    where = f"state {quote(state)} under action {quote(action)}"
    if len(edges) == 1 and edges[0][1] is None:
        return edges[0][0]
    outcome: dict[Hashable, float] = {}
    for successor, p in edges:
        if p is None:
            raise InvalidMDPError(
                f"the {len(edges)} edges of {where} (to {preview(s for s, _ in edges)}) need a "
                f"probability attribute `p` each; the edge to {quote(successor)} has none."
            )
        if successor in outcome:
            raise InvalidMDPError(
                f"{where[0].upper() + where[1:]} has two edges to {quote(successor)}; "
                "give each successor one edge with its total probability."
            )
        outcome[successor] = to_probability(
            p,
            f"The probability `p` of the edge from {where} to {quote(successor)}",
            InvalidMDPError,
        )
    return outcome


def needs_multigraph(mdp: MDP) -> bool:
    """Whether `mdp` needs a MultiDiGraph to be written as a graph.

    True unless `mdp` is deterministic with distinct successors at each state,
    i.e. unless it can be written as a successor ``DiGraph``.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    bool

    Examples
    --------
    >>> from powerseek import load
    >>> needs_multigraph(load("candy-wait")), needs_multigraph(load("powerplay-stochastic-4"))
    (False, True)
    """
    successors = mdp.successor_indices
    if successors is None:
        return True
    for i in range(mdp.n_states):
        lo, hi = mdp.pair_offsets[i], mdp.pair_offsets[i + 1]
        if len(set(successors[lo:hi].tolist())) != hi - lo:
            return True
    return False
