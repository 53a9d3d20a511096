"""Reachability structure of an MDP: Reach(s, a), components, closed classes.

All of it is computed on the state graph (an edge ``s -> t`` when some action
of ``s`` reaches ``t`` with positive probability) with
:mod:`scipy.sparse.csgraph`, so it scales to large gridworlds.

* ``reachable(mdp, s)``: the states reachable from ``s`` in zero or more steps.
* ``reachable(mdp, s, a)``: Reach(s, a) of theory.md Def 6.8, the states
  reachable with positive probability after taking ``a`` in ``s``.
* A *closed class* is a strongly connected component that no action leaves;
  every trajectory ends in one, and RSDs (Def 6.10) are supported on them.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from .._display import compact_repr
from .._validation import quote
from ..exceptions import InvalidTypeError
from ._model import MDP

__all__ = [
    "ReachabilitySummary",
    "closed_classes",
    "reachable",
    "strongly_connected_components",
    "summarize",
]


def reachable(mdp: MDP, state: Hashable, action: Hashable | None = None) -> tuple[Hashable, ...]:
    """States reachable from `state` (or after taking `action` there).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable, optional
        If given, return Reach(state, action) (Def 6.8): the states reachable
        with positive probability once `action` has been taken in `state`.
        Otherwise every state reachable from `state` in zero or more steps
        (`state` included).

    Returns
    -------
    tuple
        States in ``mdp.states`` order.

    See Also
    --------
    summarize : Counts and reachability facts about the whole MDP.

    Examples
    --------
    >>> mdp = MDP({"s": ["a", "b"], "a": ["a"], "b": ["c"], "c": ["c"]})
    >>> reachable(mdp, "s")
    ('s', 'a', 'b', 'c')
    >>> reachable(mdp, "s", "b")
    ('b', 'c')
    """
    if action is None:
        sources = [mdp.index(state)]
    else:
        k = mdp.pair_index(state, action)
        matrix = mdp.transition_matrix
        sources = matrix.indices[matrix.indptr[k] : matrix.indptr[k + 1]].tolist()
    mask = _reachable_mask(mdp, sources)
    return tuple(mdp.states[i] for i in np.flatnonzero(mask))


def _reachable_mask(mdp: MDP, sources: list[int]) -> np.ndarray:
    from scipy.sparse import csgraph

    adjacency = mdp.state_adjacency()
    mask = np.zeros(mdp.n_states, dtype=bool)
    for source in sources:
        if not mask[source]:
            order = csgraph.breadth_first_order(
                adjacency, source, directed=True, return_predecessors=False
            )
            mask[order] = True
    return mask


def strongly_connected_components(mdp: MDP) -> list[tuple[Hashable, ...]]:
    """Strongly connected components of the state graph.

    Components are listed by their first state in ``mdp.states`` order, and
    the states inside each component are in that order too.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    list of tuple of hashable

    See Also
    --------
    closed_classes : The components no action leaves.

    Examples
    --------
    >>> mdp = MDP({"s": ["a", "b"], "a": ["b"], "b": ["a"]})
    >>> strongly_connected_components(mdp)
    [('s',), ('a', 'b')]
    """
    labels = _component_labels(mdp)
    return _group(mdp, labels)


def closed_classes(mdp: MDP) -> list[tuple[Hashable, ...]]:
    """Strongly connected components that no action leaves.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    list of tuple of hashable

    See Also
    --------
    strongly_connected_components : All components, closed or not.
    summarize : Counts and reachability facts.

    Examples
    --------
    >>> mdp = MDP({"s": ["a", "t"], "a": ["b"], "b": ["a"], "t": ["t"]})
    >>> closed_classes(mdp)
    [('a', 'b'), ('t',)]
    """
    labels = _component_labels(mdp)
    adjacency = mdp.state_adjacency().tocoo()
    leaving = labels[adjacency.row] != labels[adjacency.col]
    open_components = set(labels[adjacency.row[leaving]].tolist())
    return [
        component
        for component, label in zip(_group(mdp, labels), _first_labels(labels))
        if label not in open_components
    ]


def _component_labels(mdp: MDP) -> np.ndarray:
    from scipy.sparse import csgraph

    _, labels = csgraph.connected_components(
        mdp.state_adjacency(), directed=True, connection="strong"
    )
    return labels


def _first_labels(labels: np.ndarray) -> list[int]:
    seen: dict[int, None] = {}
    for label in labels.tolist():
        seen.setdefault(label, None)
    return list(seen)


def _group(mdp: MDP, labels: np.ndarray) -> list[tuple[Hashable, ...]]:
    groups: dict[int, list[Hashable]] = {}
    for state, label in zip(mdp.states, labels.tolist()):
        groups.setdefault(label, []).append(state)
    return [tuple(groups[label]) for label in _first_labels(labels)]


@compact_repr
@dataclass(frozen=True)
class ReachabilitySummary:
    """What :func:`summarize` reports about an MDP's structure.

    Attributes
    ----------
    n_states, n_pairs : int
    deterministic : bool
    min_actions, max_actions : int
        Fewest and most actions at a state.
    terminal_states, one_cycles : tuple
        Def 3.2.
    components : tuple of tuple
        Strongly connected components.
    closed_classes : tuple of tuple
        Components no action leaves.
    start : hashable or None
        The ``start`` metadata entry, if any.
    reachable_from_start : tuple or None
        States reachable from `start`.
    """

    n_states: int
    n_pairs: int
    deterministic: bool
    min_actions: int
    max_actions: int
    terminal_states: tuple
    one_cycles: tuple
    components: tuple
    closed_classes: tuple
    start: Hashable | None
    reachable_from_start: tuple | None

    def describe(self) -> str:
        """One line on connectivity, e.g. for ``powerseek show``."""
        sizes = sorted((len(c) for c in self.components), reverse=True)
        n = len(sizes)
        parts = [
            f"{n} strongly connected component{'s' if n != 1 else ''}"
            + (f" (largest {sizes[0]} states)" if n > 1 else "")
        ]
        k = len(self.closed_classes)
        parts.append(f"{k} closed class{'es' if k != 1 else ''}")
        if self.start is not None and self.reachable_from_start is not None:
            parts.append(
                f"start {quote(self.start)} reaches {len(self.reachable_from_start)} of "
                f"{self.n_states} states"
            )
        return "; ".join(parts)


def summarize(mdp: MDP) -> ReachabilitySummary:
    """Counts and reachability facts about `mdp`.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    ReachabilitySummary

    See Also
    --------
    reachable : The states reachable from one state.
    closed_classes : Components no action leaves.
    strongly_connected_components : The state graph's components.

    Examples
    --------
    >>> mdp = MDP({"s": ["a", "t"], "a": ["b"], "b": ["a"], "t": ["t"]})
    >>> summary = summarize(mdp)
    >>> summary.terminal_states, summary.closed_classes
    (('t',), (('a', 'b'), ('t',)))
    >>> summary.describe()
    '3 strongly connected components (largest 2 states); 2 closed classes'
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    counts = np.diff(mdp.pair_offsets)
    start = mdp.metadata.get("start")
    return ReachabilitySummary(
        n_states=mdp.n_states,
        n_pairs=mdp.n_pairs,
        deterministic=mdp.is_deterministic,
        min_actions=int(counts.min()),
        max_actions=int(counts.max()),
        terminal_states=mdp.terminal_states(),
        one_cycles=mdp.one_cycles(),
        components=tuple(strongly_connected_components(mdp)),
        closed_classes=tuple(closed_classes(mdp)),
        start=start,
        reachable_from_start=reachable(mdp, start) if start is not None else None,
    )
