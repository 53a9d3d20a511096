"""Environment files: read and write the three formats.

``.toml``
    Graph MDPs in a human-writable TOML form: metadata keys at the top and a
    ``[transitions]`` table whose entry for each state is either a list of
    successors (one action per successor, named after it) or a table
    ``action = successor`` / ``action = {successor = probability, ...}``.
``.grid``
    ASCII gridworlds: an optional TOML header (metadata and the gridworld
    options ``stay``, ``bump``, ``noise``, ``[names]``) ended by a line ``---``,
    then the map (legend in :mod:`powerseek.gridworld`). A file without a
    ``---`` line is all map.
``.json``
    networkx node-link JSON as written by :func:`networkx.node_link_data`
    (edge key ``"edges"`` or the older ``"links"``), in the edge conventions
    of :mod:`powerseek.mdp.graph`. JSON lists in node ids are read as tuples, so
    ``(row, col)`` labels survive the trip.

Metadata keys shared by all formats: ``name``, ``title``, ``source``,
``description``, ``gamma`` (a suggested discount or a list of them) and, for
graphs, ``start``. The full reference is ``docs/file-formats.md``.

Readers never modify anything; writers build the whole text first and then
replace the target file atomically, so a failed write leaves nothing behind.
"""

from __future__ import annotations

import errno
import json
import math
import numbers
import os
import re
import secrets
import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from .._validation import as_float, did_you_mean, quote, short_value
from ..exceptions import InvalidParameterError, InvalidTypeError, ParseError, PowerseekError
from ..mdp import gridworld
from ..mdp.graph import needs_multigraph, transitions_from_edges
from ..mdp.gridworld import GridLayout
from ..mdp.model import MDP, thaw_metadata

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "FORMATS", "check_output_folder", "dumps", "format_of", "loads", "read", "write",
    "write_bytes_atomic", "write_text_atomic",
]  # fmt: skip

#: File formats by suffix.
FORMATS = {".toml": "toml", ".grid": "grid", ".json": "json"}

_METADATA_KEYS = ("name", "title", "source", "description", "gamma")
_GRAPH_KEYS = _METADATA_KEYS + ("start", "states", "transitions")
_GRID_KEYS = _METADATA_KEYS + ("stay", "bump", "noise", "names")
_SEPARATOR = "---"


# ----------------------------------------------------------------------
# public API


def format_of(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of `path`: `format` if given, else from its suffix.

    Examples
    --------
    >>> format_of("maze.grid")
    'grid'
    """
    if format is not None:
        if format not in FORMATS.values():
            raise ParseError(
                f"unknown format {format!r}; expected one of {', '.join(FORMATS.values())}."
            )
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ParseError(
            f"cannot tell the format from the suffix {suffix or '(none)'!r}; environment files "
            f"end in {', '.join(FORMATS)}.",
            source=str(path),
        )
    return FORMATS[suffix]


def read(path: str | os.PathLike, *, format: str | None = None) -> MDP:
    """Read an environment file.

    Parameters
    ----------
    path : str or path-like
    format : {"toml", "grid", "json"}, optional
        Defaults to the file's suffix.

    Returns
    -------
    MDP
        Named after the file's ``name`` entry, or its stem.

    Raises
    ------
    ParseError
        The file cannot be read or is not a valid environment; the message
        names the file and, where it can, the line.
    """
    path = Path(path)
    kind = format_of(path, format)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ParseError("is a directory, not an environment file.", source=str(path)) from None
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", source=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text (byte {exc.start}); environment files are text.", source=str(path)
        ) from None
    return loads(text, kind, source=str(path), default_name=path.stem)


def loads(
    text: str, format: str, *, source: str = "<string>", default_name: str | None = None
) -> MDP:
    """Parse an environment from a string in `format` ("toml", "grid" or "json").

    Examples
    --------
    >>> mdp = loads('''
    ... name = "coin"
    ... [transitions]
    ... s = { flip = { s = "1/2", t = "1/2" } }
    ... t = ["t"]
    ... ''', "toml")
    >>> mdp.name, mdp.transition("s", "flip")
    ('coin', {'s': 0.5, 't': 0.5})
    """
    kind = format_of("", format)
    reader = {"toml": _read_toml, "grid": _read_grid, "json": _read_json}[kind]
    return reader(text, source, default_name)


def dumps(mdp: MDP, format: str) -> str:
    """The text of `mdp` in `format` ("toml", "grid" or "json").

    Raises
    ------
    InvalidTypeError
        If the MDP cannot be written in that format without losing something
        (e.g. non-string labels in TOML, or non-gridworld dynamics as a map).
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    kind = format_of("", format)
    writer = {"toml": _dump_toml, "grid": _dump_grid, "json": _dump_json}[kind]
    return writer(mdp)


def write(mdp: MDP, path: str | os.PathLike, *, format: str | None = None) -> Path:
    """Write `mdp` to `path` atomically; return the path.

    The text is built first; the file is then written to a temporary file in
    the same directory and moved into place, so on any error the target is
    untouched.
    """
    path = check_output_folder(path)
    write_text_atomic(path, dumps(mdp, format_of(path, format)))
    return path


def check_output_folder(path: str | os.PathLike) -> Path:
    """`path` as a Path if the folder it goes in exists, else a clear error.

    The one rule for every output (environment files, figures, reports, sweep
    folders, counterexamples): powerseek creates the file or folder you name,
    never the folders above it, so a mistyped path fails at once and leaves
    nothing behind.

    Examples
    --------
    >>> check_output_folder("no/such/folder/out.json")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: cannot write 'no/such/folder/out.json': the folder
    'no/such/folder' does not exist (powerseek creates the file or folder you name, ...).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InvalidParameterError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} {what} (powerseek creates "
            "the file or folder you name, not the folders above it)."
        )
    return path


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to a temporary file beside `path`, then move it into place."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then move it into place.

    The file gets the mode a plain ``open(path, "w")`` would give (0644 under
    umask 022), not the private 0600 of a temporary file. An error names
    `path`, never the temporary file, and leaves `path` as it was.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = _create_beside(path, directory)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    return path


def _create_beside(path: Path, directory: Path) -> tuple[int, Path]:
    """A new temporary file next to `path`, opened for writing.

    Created with mode 0666 so that the kernel applies the umask, as for a plain
    ``open(path, "w")`` (``tempfile.mkstemp`` would make it 0600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


# ----------------------------------------------------------------------
# TOML graphs


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if match:
            message = message[: match.start()].strip()
            line, column = int(match.group(1)), int(match.group(2))
        else:
            line, column = text.count("\n") + 1, None
            message = re.sub(r"\s*\(at end of document\)", " at the end of the document", message)
        raise ParseError(
            f"invalid TOML: {message}.", source=source, line=line, column=column
        ) from None
    except RecursionError:
        raise ParseError("invalid TOML: nested too deeply.", source=source) from None
    except ValueError:  # an integer too long for Python to convert
        raise ParseError(
            "invalid TOML: an integer with more digits than Python converts.",
            source=source,
            line=_line_of_match(text, r"\d{1000,}"),
        ) from None


def _read_toml(text: str, source: str, default_name: str | None) -> MDP:
    doc = _parse_toml(text, source)
    _reject_unknown_keys(doc, _GRAPH_KEYS, text, source, "a graph environment file")
    metadata = _read_metadata(doc, text, source)
    name = metadata.pop("name", default_name)
    if "start" in doc:
        if not isinstance(doc["start"], str):
            raise ParseError(
                "`start` must be the name of a state (a string); found "
                f"{_toml_type(doc['start'])}.",
                source=source,
                line=_line_of_key(text, "start"),
            )
        metadata["start"] = doc["start"]
    transitions = doc.get("transitions")
    if not isinstance(transitions, dict):
        raise ParseError(
            "a graph environment needs a [transitions] table mapping each state to its actions"
            + ("." if transitions is None else f"; found {_toml_type(transitions)}."),
            source=source,
            line=_line_of_key(text, "transitions"),
        )
    states = doc.get("states")
    if states is not None and not isinstance(states, list):
        raise ParseError(
            f"`states` must be a list of state names; found {_toml_type(states)}.",
            source=source,
            line=_line_of_key(text, "states"),
        )
    if "start" in metadata and metadata["start"] not in (states or transitions):
        raise ParseError(
            f"the start state {quote(metadata['start'])} is not a state."
            f"{did_you_mean(metadata['start'], states or transitions)}",
            source=source,
            line=_line_of_key(text, "start"),
        )
    try:
        return MDP(transitions, states=states, name=name, metadata=metadata)
    except PowerseekError as exc:
        state = getattr(exc, "state", None)
        line = _line_of_state(text, state) if state is not None else None
        raise ParseError(str(exc), source=source, line=line) from None


def _dump_toml(mdp: MDP) -> str:
    for label in mdp.states:
        if not isinstance(label, str):
            raise InvalidTypeError(
                f"TOML environment files need string state labels; state {quote(label)} is a "
                f"{type(label).__name__}. Save as node-link JSON (.json)"
                + (" or as a map (.grid)." if "grid" in mdp.metadata else ".")
            )
    for state, labels in zip(mdp.states, mdp.actions):
        for action in labels:
            if not isinstance(action, str):
                raise InvalidTypeError(
                    f"TOML environment files need string action labels; action {quote(action)} "
                    f"of state {quote(state)} is a {type(action).__name__}. Save as node-link "
                    "JSON (.json)."
                )
    extra = [key for key in mdp.metadata if key not in _METADATA_KEYS + ("start",)]
    if extra:
        raise InvalidTypeError(
            f"TOML environment files hold only the metadata keys {', '.join(_METADATA_KEYS)} and "
            f"start; this MDP also has {', '.join(map(repr, extra))}. "
            "Save as node-link JSON (.json)."
        )
    lines = _toml_metadata_lines(mdp)
    if "start" in mdp.metadata:
        lines.append(f"start = {_toml_value(mdp.metadata['start'])}")
    entries, tables, read_order, table_order = [], [], [], []
    for state, per_action in mdp.to_dict().items():
        if all(action == outcome for action, outcome in per_action.items()):
            entries.append(f"{_toml_key(state)} = {_toml_value(list(per_action))}")
            read_order.append(state)
            continue
        body = [f"[transitions.{_toml_key(state)}]"]
        for action, outcome in per_action.items():
            body.append(f"{_toml_key(action)} = {_toml_value(outcome)}")
        tables.append("\n".join(body))
        table_order.append(state)
    # tomllib lists the [transitions] entries before the sub-tables: keep the
    # state order explicit when that would change it.
    if tuple(read_order + table_order) != mdp.states:
        lines.append(f"states = {_toml_value(list(mdp.states))}")
    parts = ["\n".join(lines), "\n".join(["[transitions]"] + entries)] + tables
    return "\n\n".join(part for part in parts if part) + "\n"


# ----------------------------------------------------------------------
# gridworld maps


def _split_grid(text: str) -> tuple[str | None, str, int]:
    """Split a .grid text into (header or None, map, line number of the map)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.strip() == _SEPARATOR:
            return "\n".join(lines[:number]), "\n".join(lines[number + 1 :]), number + 2
    return None, text, 1


def _read_grid(text: str, source: str, default_name: str | None) -> MDP:
    header, body, first_line = _split_grid(text)
    options: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    names = None
    name = default_name
    if header is None:
        if "=" in body:
            line = next(i for i, row in enumerate(body.split("\n"), 1) if "=" in row)
            raise ParseError(
                "found '=' in the map; a header of settings must end with a line '---' "
                "before the map starts.",
                source=source,
                line=line,
            )
    else:
        doc = _parse_toml(header, source)
        _reject_unknown_keys(doc, _GRID_KEYS, header, source, "a gridworld file header")
        metadata = _read_metadata(doc, header, source)
        name = metadata.pop("name", default_name)
        for key in ("stay", "bump", "noise"):
            if key in doc:
                options[key] = doc[key]
        if "names" in doc:
            names = doc["names"]
            if not isinstance(names, dict):
                raise ParseError(
                    f'`names` must be a table of legend letters, e.g. [names] G = "goal"; '
                    f"found {_toml_type(names)}.",
                    source=source,
                    line=_line_of_key(header, "names"),
                )
    try:
        return gridworld.parse(
            body,
            names=names,
            name=name,
            metadata=metadata,
            source=source,
            first_line=first_line,
            **options,
        )
    except ParseError:
        raise
    except PowerseekError as exc:
        key = next((k for k in ("bump", "noise", "stay", "names") if f"`{k}`" in str(exc)), None)
        line = _line_of_key(header, key) if key and header is not None else None
        raise ParseError(str(exc), source=source, line=line) from None


def _dump_grid(mdp: MDP) -> str:
    layout = mdp.metadata.get("grid")
    if not isinstance(layout, GridLayout):
        raise InvalidTypeError(
            "Only MDPs compiled from a map (powerseek.gridworld.parse) can be saved as .grid; "
            "save this one as .toml or .json."
        )
    lines = _toml_metadata_lines(mdp)
    lines += [
        f"stay = {_toml_value(layout.stay)}",
        f"bump = {_toml_value(layout.bump)}",
        f"noise = {_toml_value(layout.noise)}",
    ]
    if layout.names:
        lines += ["", "[names]"] + [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in layout.names]
    extra = [key for key in mdp.metadata if key not in _METADATA_KEYS + ("start", "grid")]
    if extra:
        raise InvalidTypeError(
            f"Gridworld files hold only the metadata keys {', '.join(_METADATA_KEYS)}; this MDP "
            f"also has {', '.join(map(repr, extra))}. Save it as node-link JSON (.json)."
        )
    text = "\n".join(lines + [_SEPARATOR, gridworld.render(mdp)]) + "\n"
    reread = _read_grid(text, "<check>", mdp.name)
    if not reread.same_dynamics(mdp):
        raise InvalidTypeError(
            "This MDP's dynamics differ from those its map compiles to (it was changed after "
            "parsing); save it as .json to keep them."
        )
    if reread != mdp:
        raise InvalidTypeError(
            "This MDP's start state is not the map's 'S' cell; save it as .json to keep it."
        )
    return text


# ----------------------------------------------------------------------
# node-link JSON


def _json_int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise ParseError(f"invalid JSON: an integer of {len(digits)} digits.") from None


def _json_constant(name: str) -> None:
    raise ParseError(f"invalid JSON: {name} is not a JSON number.")


def _read_json(text: str, source: str, default_name: str | None) -> MDP:
    try:
        data = json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
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
    multigraph = bool(data.get("multigraph", False))

    # Read the edges in file order (networkx would regroup a multigraph's
    # edges by successor and so reorder its actions).
    out_edges: dict[Hashable, list[tuple[Hashable, dict]]] = {}
    known: dict[Hashable, Hashable] = {}  # each id as the file wrote it (keys conflate 1 and 1.0)
    for position, node in enumerate(data["nodes"]):
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
    pairs: set = set()
    for position, edge in enumerate(data[edge_key]):
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
    attributes = data.get("graph", {})
    if not isinstance(attributes, dict):
        raise ParseError("'graph' must be an object of graph attributes.", source=source)
    attributes = dict(attributes)
    name = attributes.pop("name", None) or default_name
    if name is not None and not isinstance(name, str):
        raise ParseError(f"`graph.name` must be a string; found {_json_text(name)}.", source=source)
    try:
        metadata = _json_metadata(attributes, list(out_edges))
    except ParseError as exc:
        raise ParseError(exc.message, source=source) from None
    try:
        transitions = transitions_from_edges(list(out_edges), out_edges)
        return MDP(transitions, states=list(out_edges), name=name, metadata=metadata)
    except PowerseekError as exc:
        raise ParseError(str(exc), source=source) from None


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


def _dump_json(mdp: MDP) -> str:
    multigraph = needs_multigraph(mdp)
    attributes: dict[str, Any] = {} if mdp.name is None else {"name": mdp.name}
    for key, value in thaw_metadata(mdp.metadata).items():
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
            f"This MDP holds a label or metadata value that JSON cannot represent: {exc}."
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
    """`graph.grid` as a :class:`GridLayout`, checked against the states before
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


# ----------------------------------------------------------------------
# shared helpers


def _reject_unknown_keys(doc: dict, allowed: tuple[str, ...], text: str, source: str, what: str):
    for key in doc:
        if key not in allowed:
            raise ParseError(
                f"unknown key {key!r} in {what}.{did_you_mean(key, allowed)} Allowed keys: "
                f"{', '.join(allowed)}.",
                source=source,
                line=_line_of_key(text, key),
            )


def _read_metadata(doc: dict, text: str, source: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key in ("name", "title", "source", "description"):
        if key in doc:
            value = doc[key]
            if not isinstance(value, str):
                raise ParseError(
                    f"`{key}` must be a string; found {_toml_type(value)}.",
                    source=source,
                    line=_line_of_key(text, key),
                )
            metadata[key] = value
    if "gamma" in doc:
        try:
            metadata["gamma"] = _gamma_tuple(doc["gamma"], "the suggested `gamma`")
        except ParseError as exc:
            raise ParseError(exc.message, source=source, line=_line_of_key(text, "gamma")) from None
    return metadata


def _gamma_tuple(value: Any, what: str) -> tuple[float, ...]:
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in values:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise ParseError(
                f"{what} must be a number in [0, 1] or a list of them; found {item!r}."
            )
        value = as_float(item)
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ParseError(f"{what} must be in [0, 1]; found {short_value(item)}.")
        out.append(value)
    if not out:
        raise ParseError(f"{what} must hold at least one value.")
    return tuple(out)


def _toml_type(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "a table",
    }
    return next((label for kind, label in names.items() if isinstance(value, kind)), repr(value))


def _key_pattern(key: str) -> str:
    forms = [re.escape(json.dumps(key)), re.escape(f"'{key}'")]
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        forms.append(re.escape(key))
    return "(?:" + "|".join(forms) + ")"


def _line_of_match(text: str, pattern: str) -> int | None:
    """1-based line of the first match of `pattern` in `text`, if any."""
    found = re.search(pattern, text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _line_of_key(text: str | None, key: str | None) -> int | None:
    """1-based line where the top-level `key` is set, if it can be found."""
    if text is None or key is None:
        return None
    pattern = re.compile(r"^\s*(?:\[\s*)?" + _key_pattern(key) + r"\s*(?:=|\])")
    for number, line in enumerate(text.split("\n"), 1):
        if pattern.match(line):
            return number
    return None


def _line_of_state(text: str, state: Hashable) -> int | None:
    """1-based line defining `state` under [transitions], if it can be found."""
    if not isinstance(state, str):
        return None
    key = _key_pattern(state)
    header = re.compile(r"^\s*\[\s*transitions\s*\.\s*" + key + r"\s*(?:\]|\.)")
    entry = re.compile(r"^\s*" + key + r"\s*=")
    section = None
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if header.match(line):
            return number
        if stripped.startswith("["):
            section = stripped
            continue
        if (
            section is not None
            and re.fullmatch(r"\[\s*transitions\s*\]", section)
            and entry.match(line)
        ):
            return number
    return None


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise InvalidTypeError(f"Cannot write {value!r} ({type(value).__name__}) to TOML.")


def _toml_metadata_lines(mdp: MDP) -> list[str]:
    lines = []
    if mdp.name is not None:
        lines.append(f"name = {_toml_value(mdp.name)}")
    for key in ("title", "source", "description"):
        if key in mdp.metadata:
            lines.append(f"{key} = {_toml_value(mdp.metadata[key])}")
    if "gamma" in mdp.metadata:
        gamma = mdp.metadata["gamma"]
        lines.append(f"gamma = {_toml_value(list(gamma) if isinstance(gamma, tuple) else gamma)}")
    return lines
