"""The ``.toml`` format: graph MDPs with metadata keys and a ``[transitions]`` table.

Each state's entry is a list of successors (one action per successor, named
after it) or a table ``action = successor`` / ``action = {successor = p, ...}``
(docs/file-formats.md).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from .._validation import did_you_mean, quote
from ..exceptions import InvalidTypeError, ParseError, PowerseekError
from ..mdp import MDP

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from ._common import (
    _GRAPH_KEYS,
    _METADATA_KEYS,
    _line_of_key,
    _line_of_match,
    _line_of_state,
    _read_metadata,
    _reject_unknown_keys,
    _toml_key,
    _toml_metadata_lines,
    _toml_type,
    _toml_value,
)

__all__ = ["dump", "parse", "parse_document"]


def parse_document(text: str, source: str) -> dict[str, Any]:
    """The TOML document in `text` as a dict; a syntax error is a ParseError with its line.

    Parameters
    ----------
    text : str
        The TOML text.
    source : str
        Where the text came from, for error messages.

    Returns
    -------
    dict
    """
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


def parse(text: str, source: str, default_name: str | None) -> MDP:
    """The MDP in the text of a TOML graph file.

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

    Examples
    --------
    >>> mdp = parse('[transitions]\\ns = ["s", "t"]\\nt = ["t"]\\n', "<doc>", "two")
    >>> mdp.name, mdp.actions_of("s")
    ('two', ('s', 't'))
    """
    doc = parse_document(text, source)
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


def dump(mdp: MDP) -> str:
    """The text of a TOML graph file holding `mdp`.

    Returns
    -------
    str

    Raises
    ------
    InvalidTypeError
        If the format cannot hold `mdp` without losing something.
    """
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
