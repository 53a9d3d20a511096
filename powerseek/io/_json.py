"""networkx node-link JSON (``.json``), as :func:`networkx.node_link_data` writes it.

Edge key ``"edges"`` or the older ``"links"``, in the edge conventions of
:mod:`powerseek.mdp._graph`; JSON lists in node ids are read as tuples, so
``(row, col)`` labels survive the trip, and a ``graph.grid`` entry keeps a
gridworld's layout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Hashable
from typing import Any

from .._validation import did_you_mean, quote
from ..exceptions import InvalidTypeError, ParseError, PowerseekError
from ..mdp import (
    MDP,
    ObjectLevel,
    gridworld,
    needs_multigraph,
    thaw_metadata,
    transitions_from_edges,
)
from ..mdp.gridworld import GridLayout
from ._level import level_text

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on Python 3.10 only
    pass

from ._common import (
    _gamma_tuple,
    _line_of_match,
)

__all__ = ["dump", "parse"]


def _json_int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise ParseError(f"invalid JSON: an integer of {len(digits)} digits.") from None


def _json_constant(name: str) -> None:
    raise ParseError(f"invalid JSON: {name} is not a JSON number.")


def parse(text: str, source: str, default_name: str | None) -> MDP:
    """The MDP in the text of a node-link JSON file.

    Parameters
    ----------
    text : str
    source : str
        Where the text came from (a path), for error messages.
    default_name : str or None
        The MDP's name when the text does not give one.

    Returns
    -------
    MDP

    Raises
    ------
    ParseError
        Naming `source` and, where it can, the line.
    """
    data = _document(text, source)
    edge_key, multigraph = _layout(data, source)
    # Read the edges in file order (networkx would regroup a multigraph's
    # edges by successor and so reorder its actions).
    out_edges, known = _nodes(data["nodes"], source)
    _edges(data[edge_key], multigraph, out_edges, known, source)
    name, metadata = _graph_attributes(data, default_name, list(out_edges), source)
    try:
        transitions = transitions_from_edges(list(out_edges), out_edges)
        return MDP(transitions, states=list(out_edges), name=name, metadata=metadata)
    except PowerseekError as exc:
        raise ParseError(str(exc), source=source) from None


def _document(text: str, source: str) -> Any:
    """The JSON value in `text`; NaN, infinities and huge integers are refused with their line."""
    try:
        return json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"invalid JSON: {exc.msg}.", source=source, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise ParseError(
            "invalid JSON: nested too deeply (environment files need a few levels).",
            source=source,
        ) from None
    except ParseError as exc:
        line = _line_of_match(text, r"NaN|-?Infinity|\d{1000,}")
        raise ParseError(exc.message, source=source, line=line) from None


def _layout(data: Any, source: str) -> tuple[str, bool]:
    """The key of the edge list (``edges`` or networkx's older ``links``) and ``multigraph``."""
    if not isinstance(data, dict) or "nodes" not in data:
        raise ParseError(
            "expected a networkx node-link object with 'nodes' and 'edges' (as written by "
            "networkx.node_link_data).",
            source=source,
        )
    edge_key = "edges" if "edges" in data else "links" if "links" in data else None
    if edge_key is None:
        raise ParseError("the node-link object has no 'edges' (or 'links') list.", source=source)
    for key in ("nodes", edge_key):
        if not isinstance(data[key], list) or not all(isinstance(x, dict) for x in data[key]):
            raise ParseError(f"'{key}' must be a list of objects.", source=source)
    if data.get("directed") is False:
        raise ParseError(
            "the graph is undirected ('directed': false); an MDP needs a directed graph.",
            source=source,
        )
    return edge_key, bool(data.get("multigraph", False))


def _nodes(nodes: list, source: str) -> tuple[dict, dict]:
    """Each node's (empty) out-edge list, and each id as the file wrote it.

    Ids equal as keys (true, 1 and 1.0) but written differently are refused, so
    that an edge cannot silently name another node than the one it wrote.
    """
    out_edges: dict[Hashable, list[tuple[Hashable, dict]]] = {}
    known: dict[Hashable, Hashable] = {}
    for position, node in enumerate(nodes):
        if "id" not in node:
            raise ParseError(f"node {position} has no 'id'.", source=source)
        label = _json_label(node["id"], f"node {position}", source)
        if label in out_edges:
            other = known[label]
            if _id_type(other) == _id_type(label):
                raise ParseError(f"node {position} repeats the id {quote(label)}.", source=source)
            raise ParseError(
                f"node {position} has the id {_json_text(node['id'])}, which equals the id "
                f"{_json_text(other)} of an earlier node as a key (true, 1 and 1.0 are one key); "
                "give the nodes distinct ids.",
                source=source,
            )
        out_edges[label] = []
        known[label] = label
    return out_edges, known


def _edges(edges: list, multigraph: bool, out_edges: dict, known: dict, source: str) -> None:
    """Append each edge, in file order, to its source's list in `out_edges`."""
    pairs: set = set()
    for position, edge in enumerate(edges):
        ends = []
        for end in ("source", "target"):
            if end not in edge:
                raise ParseError(f"edge {position} has no '{end}'.", source=source)
            label = _json_label(edge[end], f"edge {position}", source)
            if label not in out_edges:
                raise ParseError(
                    f"edge {position} has the {end} {quote(label)}, which is not a node."
                    f"{did_you_mean(label, out_edges)}",
                    source=source,
                )
            node = known[label]
            if _id_type(node) != _id_type(label):
                raise ParseError(
                    f"edge {position} has the {end} {_json_text(edge[end])}, but the node is "
                    f"{_json_text(node)}; an edge must name its nodes with ids of the same type.",
                    source=source,
                )
            ends.append(label)
        if not multigraph:
            if tuple(ends) in pairs:
                raise ParseError(
                    f"edge {position} repeats {quote(ends[0])} -> {quote(ends[1])} in a graph "
                    "that is not a multigraph ('multigraph': false).",
                    source=source,
                )
            pairs.add(tuple(ends))
        attributes = {
            k: _tupled(v) for k, v in edge.items() if k not in ("source", "target", "key")
        }
        out_edges[ends[0]].append((ends[1], attributes))


def _graph_attributes(
    data: dict, default_name: str | None, states: list, source: str
) -> tuple[str | None, dict]:
    """The MDP's name and metadata, from the graph attributes."""
    attributes = data.get("graph", {})
    if not isinstance(attributes, dict):
        raise ParseError("'graph' must be an object of graph attributes.", source=source)
    attributes = dict(attributes)
    name = attributes.pop("name", None) or default_name
    if name is not None and not isinstance(name, str):
        raise ParseError(f"`graph.name` must be a string; found {_json_text(name)}.", source=source)
    try:
        return name, _json_metadata(attributes, states)
    except ParseError as exc:
        raise ParseError(exc.message, source=source) from None


def _id_type(label: Any) -> Any:
    """The types inside a label: ids equal as keys but of other types differ here."""
    if isinstance(label, tuple):
        return tuple(_id_type(v) for v in label)
    return type(label)


def _json_label(value: Any, where: str, source: str) -> Hashable:
    label = _tupled(value)
    try:
        hash(label)
    except TypeError:
        raise ParseError(
            f"{where}: the label {value!r} is not a string, number or list.", source=source
        ) from None
    return label


def dump(mdp: MDP) -> str:
    """The text of a node-link JSON file holding `mdp`.

    Returns
    -------
    str

    Raises
    ------
    InvalidTypeError
        If the format cannot hold `mdp` without losing something.

    Examples
    --------
    >>> import json as std_json
    >>> from powerseek import load
    >>> document = std_json.loads(dump(load("candy-wait")))
    >>> document["directed"], len(document["nodes"])
    (True, 5)
    """
    multigraph = needs_multigraph(mdp)
    attributes: dict[str, Any] = {} if mdp.name is None else {"name": mdp.name}
    for key, value in thaw_metadata(mdp.metadata).items():
        if isinstance(value, ObjectLevel):  # the level it was compiled from, as its file
            value = level_text(value)
        if isinstance(value, GridLayout):
            value = {
                "shape": list(value.shape),
                "marks": [[r, c, char] for (r, c), char in value.marks],
                "names": dict(value.names),
                "stay": value.stay,
                "bump": value.bump,
                "noise": value.noise,
            }
        attributes[key] = value
    edges = []
    keys: dict[tuple, int] = {}
    for state, per_action in mdp.to_dict().items():
        for action, outcome in per_action.items():
            outcome = outcome if isinstance(outcome, dict) else {outcome: 1.0}
            for successor, probability in outcome.items():
                if multigraph:
                    key = keys.get((state, successor), 0)
                    keys[(state, successor)] = key + 1
                    edges.append(
                        {
                            "action": action,
                            "p": probability,
                            "source": state,
                            "target": successor,
                            "key": key,
                        }
                    )
                elif action == successor:
                    edges.append({"source": state, "target": successor})
                else:
                    edges.append({"action": action, "source": state, "target": successor})
    data = {
        "directed": True,
        "multigraph": multigraph,
        "graph": attributes,
        "nodes": [{"id": state} for state in mdp.states],
        "edges": edges,
    }
    try:
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(
            f"this MDP holds a label or metadata value that JSON cannot represent: {exc}."
        ) from None


def _json_metadata(attributes: dict[str, Any], states: list) -> dict[str, Any]:
    metadata = {key: _tupled(value) for key, value in attributes.items()}
    if "gamma" in metadata:
        metadata["gamma"] = _gamma_tuple(metadata["gamma"], "`gamma`")
    if "grid" in attributes:
        metadata["grid"] = _grid_layout(attributes["grid"], states)
    return metadata


_GRID_LAYOUT_KEYS = ("shape", "marks", "names", "stay", "bump", "noise")


def _grid_layout(grid: Any, states: list) -> GridLayout:
    """`graph.grid` as a :class:`GridLayout`, checked before allocating.

    `graph.grid` as a :class:`GridLayout`, checked against the states before
    anything is allocated (a declared shape is trusted only as far as the open
    cells reach, plus one border of walls).
    """

    def fail(message: str) -> ParseError:
        return ParseError(f"`graph.grid`: {message}")

    def is_int(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not isinstance(grid, dict):
        raise fail(
            f"must be an object with {', '.join(_GRID_LAYOUT_KEYS)}; found {_json_text(grid)}."
        )
    grid = {key: _tupled(value) for key, value in grid.items()}
    unknown = [key for key in grid if key not in _GRID_LAYOUT_KEYS]
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; it holds {', '.join(_GRID_LAYOUT_KEYS)}.")
    cells = []
    for state in states:
        if not (isinstance(state, tuple) and len(state) == 2 and all(map(is_int, state))):
            raise fail(f"describes a map, but the state {quote(state)} is not a cell [row, col].")
        if min(state) < 0:
            raise fail(f"the cell {quote(state)} has a negative coordinate.")
        cells.append(state)
    shape = grid.get("shape")
    if not (isinstance(shape, tuple) and len(shape) == 2 and all(map(is_int, shape))):
        raise fail(f"`shape` must be [rows, columns], two integers; found {_json_text(shape)}.")
    reach = (max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1)
    for size, needed, what in zip(shape, reach, ("rows", "columns")):
        if not needed <= size <= needed + 1:
            raise fail(
                f"`shape` declares {size} {what}, but the open cells span {needed} (the map may "
                f"add one border of walls, so {needed} or {needed + 1})."
            )
    marks = grid.get("marks", ())
    if not isinstance(marks, tuple):
        raise fail(f"`marks` must be a list of [row, col, letter]; found {_json_text(marks)}.")
    open_cells = set(cells)
    checked_marks = []
    for position, mark in enumerate(marks):
        if not (
            isinstance(mark, tuple) and len(mark) == 3 and is_int(mark[0]) and is_int(mark[1])
            and isinstance(mark[2], str) and len(mark[2]) == 1
        ):  # fmt: skip
            raise fail(
                f"mark {position} must be [row, col, letter] with integer coordinates and one "
                f"character; found {_json_text(mark)}."
            )
        if (mark[0], mark[1]) not in open_cells:
            raise fail(f"mark {position} is on ({mark[0]}, {mark[1]}), which is not an open cell.")
        checked_marks.append(((mark[0], mark[1]), mark[2]))
    names = grid.get("names", {})
    if not isinstance(names, dict) or not all(
        isinstance(k, str) and len(k) == 1 and isinstance(v, str) for k, v in names.items()
    ):
        raise fail(
            'names must be an object of legend letters to names, e.g. {"G": "goal"}; found '
            f"{_json_text(names)}."
        )
    try:
        stay, bump, noise = gridworld._check_options(
            grid.get("stay", True), grid.get("bump", "absent"), grid.get("noise", 0.0)
        )
    except (PowerseekError, OverflowError) as exc:
        raise fail(str(exc)) from None
    return GridLayout(
        shape=shape,
        marks=tuple(checked_marks),
        names=tuple(sorted(names.items())),
        stay=stay,
        bump=bump,
        noise=noise,
    )


def _json_text(value: Any, limit: int = 60) -> str:
    """A JSON value as it appeared in the file (lists for tuples), shortened."""
    try:
        text = json.dumps(_listed(value), ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _listed(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_listed(v) for v in value]
    if isinstance(value, dict):
        return {k: _listed(v) for k, v in value.items()}
    return value


def _tupled(value: Any) -> Any:
    """JSON lists to tuples, recursively, so they can be labels."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value
