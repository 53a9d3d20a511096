"""The ``.grid`` format: an optional TOML header ended by ``---``, then an ASCII map.

The header holds metadata and the gridworld options ``stay``, ``bump``,
``noise``, ``walls`` (thin walls, ``[row, col, "direction"]`` each) and
``[names]``; the map's legend is :mod:`powerseek.gridworld`'s. A ``[joint]``
table (``agents``, ``overlap``, ``noise``, ``[[joint.forbid]]`` rules) makes
the file a joint world of two agents on the map
(:func:`powerseek.multiagent.joint_world`).
"""

from __future__ import annotations

import sys
from typing import Any

from ..exceptions import InvalidTypeError, ParseError, PowerseekError
from ..mdp import DEFAULT_AGENTS, MDP, gridworld, two_agent_world
from ..mdp.gridworld import GridLayout

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on Python 3.10 only
    pass

from ._common import (
    _GRID_KEYS,
    _JOINT_KEYS,
    _METADATA_KEYS,
    _SEPARATOR,
    _line_of_key,
    _read_metadata,
    _reject_unknown_keys,
    _toml_key,
    _toml_metadata_lines,
    _toml_type,
    _toml_value,
)
from ._toml import parse_document

__all__ = ["dump", "parse"]


def _split_grid(text: str) -> tuple[str | None, str, int]:
    """Split a .grid text into (header or None, map, line number of the map)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.strip() == _SEPARATOR:
            return "\n".join(lines[:number]), "\n".join(lines[number + 1 :]), number + 2
    return None, text, 1


def parse(text: str, source: str, default_name: str | None) -> MDP:
    """The MDP in the text of a ``.grid`` file.

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
    >>> parse("S..\\n", "<doc>", "row").states
    ((0, 0), (0, 1), (0, 2))
    """
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
        doc = parse_document(header, source)
        _reject_unknown_keys(doc, _GRID_KEYS, header, source, "a gridworld file header")
        metadata = _read_metadata(doc, header, source)
        name = metadata.pop("name", default_name)
        for key in ("stay", "bump", "noise", "walls"):
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
    joint = doc.get("joint") if header is not None else None
    try:
        world = gridworld.parse(
            body,
            names=names,
            name=name,
            metadata=metadata,
            source=source,
            first_line=first_line,
            **options,
        )
        return world if joint is None else _joint(world, joint, header, source)
    except ParseError:
        raise
    except PowerseekError as exc:
        keys = ("bump", "noise", "stay", "walls", "names", "joint")
        key = next((k for k in keys if f"`{k}`" in str(exc)), None)
        line = _line_of_key(header, key) if key and header is not None else None
        raise ParseError(str(exc), source=source, line=line) from None


def _joint(world: MDP, table: Any, header: str, source: str) -> MDP:
    """The joint world of two agents that a ``[joint]`` table asks for on `world`'s map."""
    if not isinstance(table, dict):
        raise ParseError(
            f"`joint` must be a table ([joint] with agents, overlap, noise, forbid); found "
            f"{_toml_type(table)}.",
            source=source,
            line=_line_of_key(header, "joint"),
        )
    _reject_unknown_keys(table, _JOINT_KEYS, header, source, "the [joint] table")
    try:
        return two_agent_world(
            world,
            agents=tuple(table.get("agents", DEFAULT_AGENTS)),
            overlap=table.get("overlap", True),
            noise=table.get("noise"),
            forbid=table.get("forbid"),
            name=world.name,
            # the file's title and source; not the map or start, which are one agent's cells
            metadata={k: v for k, v in world.metadata.items() if k not in ("grid", "start")},
        )
    except PowerseekError as exc:
        line = _line_of_key(header, "joint")
        reason = str(exc).rstrip(".")
        raise ParseError(f"[joint]: {reason}.", source=source, line=line) from None


def dump(mdp: MDP) -> str:
    """The text of a ``.grid`` file holding `mdp`.

    Returns
    -------
    str

    Raises
    ------
    InvalidTypeError
        If the format cannot hold `mdp` without losing something.
    """
    layout = mdp.metadata.get("grid")
    if not isinstance(layout, GridLayout):
        raise InvalidTypeError(
            "only MDPs compiled from a map (powerseek.gridworld.parse) can be saved as .grid; "
            "save this one as .toml or .json."
        )
    lines = _toml_metadata_lines(mdp)
    lines += [
        f"stay = {_toml_value(layout.stay)}",
        f"bump = {_toml_value(layout.bump)}",
        f"noise = {_toml_value(layout.noise)}",
    ]
    if layout.walls:
        lines.append("walls = [")
        lines += [f"  [{r}, {c}, {_toml_value(d)}]," for (r, c), d in layout.walls]
        lines.append("]")
    if layout.names:
        lines += ["", "[names]"] + [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in layout.names]
    extra = [key for key in mdp.metadata if key not in _METADATA_KEYS + ("start", "grid")]
    if extra:
        raise InvalidTypeError(
            f"gridworld files hold only the metadata keys {', '.join(_METADATA_KEYS)}; this MDP "
            f"also has {', '.join(map(repr, extra))}. Save it as node-link JSON (.json)."
        )
    text = "\n".join(lines + [_SEPARATOR, gridworld.render(mdp)]) + "\n"
    reread = parse(text, "<check>", mdp.name)
    if not reread.same_dynamics(mdp):
        raise InvalidTypeError(
            "this MDP's dynamics differ from those its map compiles to (it was changed after "
            "parsing); save it as .json to keep them."
        )
    if reread != mdp:
        raise InvalidTypeError(
            "this MDP's start state is not the map's 'S' cell; save it as .json to keep it."
        )
    return text
