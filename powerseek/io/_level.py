"""The ``.level`` format: object gridworlds, a TOML header ended by ``---``, then the map.

The header holds metadata (``name``, ``title``, ``source``, ``licence``,
``description``, ``gamma``), the level's rules (``noop``, ``coins_block_boxes``,
``coins_end_episode``, ``shutdown_step``, ``interruption_probability``,
``supervisor_probability``), ``side_effects`` (feature names), and the tables
``[reward]``, ``[hidden]`` and ``[legend]``; the reference is ``docs/file-formats.md``.
Reading a file compiles the level (:meth:`~powerseek.mdp.ObjectLevel.compile`);
:func:`read_level` gives the level alone, without enumerating its states.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import InvalidTypeError, ParseError
from ..mdp import MDP, ObjectLevel
from ._common import (
    _METADATA_KEYS,
    _SEPARATOR,
    _line_of_key,
    _read_metadata,
    _toml_type,
    _toml_value,
)
from ._toml import parse_document

__all__ = ["dump", "parse", "parse_level"]

#: Header keys that are rules of the level, with their types.
_RULES = {
    "noop": bool,
    "coins_block_boxes": bool,
    "coins_end_episode": bool,
    "shutdown_step": int,
    "interruption_probability": (int, float),
    "supervisor_probability": (int, float),
}
_KEYS = (
    _METADATA_KEYS + ("licence",) + tuple(_RULES) + ("side_effects", "reward", "hidden", "legend")
)


def parse_level(text: str, source: str, default_name: str | None) -> ObjectLevel:
    """The level in the text of a ``.level`` file, checked but not compiled.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        Where the text came from (a path), for error messages.
    default_name : str or None
        The level's name when the text does not give one.

    Returns
    -------
    ObjectLevel

    Raises
    ------
    ParseError
        Naming `source` and the line (and column, for the map).

    Examples
    --------
    >>> level = parse_level('name = "walk"\\n---\\n#####\\n#A G#\\n#####\\n', "<doc>", None)
    >>> level.name, level.art
    ('walk', ('#####', '#A G#', '#####'))
    """
    lines = text.split("\n")
    cut = next((i for i, line in enumerate(lines) if line.strip() == _SEPARATOR), None)
    if cut is None:
        raise ParseError(
            "a .level file is a TOML header, a line '---', then the map; found no '---' line.",
            source=source,
        )
    header = "\n".join(lines[:cut])
    doc = parse_document(header, source)
    for key in doc:
        if key not in _KEYS:
            raise ParseError(
                f"unknown key {key!r} in a level header. Allowed keys: {', '.join(_KEYS)}.",
                source=source,
                line=_line_of_key(header, key),
            )
    metadata = _read_metadata(doc, header, source, strings=("licence",))
    rules: dict[str, Any] = {}
    for key, kind in _RULES.items():
        if key not in doc:
            continue
        value = doc[key]
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            wanted = {bool: "a boolean", int: "an integer"}.get(kind, "a number")
            raise ParseError(
                f"`{key}` must be {wanted}; found {_toml_type(value)}.",
                source=source,
                line=_line_of_key(header, key),
            )
        rules[key] = value
    for key in ("reward", "hidden", "legend"):
        if key in doc and not isinstance(doc[key], dict):
            raise ParseError(
                f"`{key}` must be a table, e.g. [{key}]; found {_toml_type(doc[key])}.",
                source=source,
                line=_line_of_key(header, key),
            )
    effects = doc.get("side_effects", [])
    if not isinstance(effects, list) or not all(isinstance(e, str) for e in effects):
        raise ParseError(
            '`side_effects` must be a list of feature names, e.g. ["box-stuck"].',
            source=source,
            line=_line_of_key(header, "side_effects"),
        )
    name = metadata.pop("name", default_name) or "level"
    return ObjectLevel.parse(
        lines[cut + 1 :],
        legend=doc.get("legend", {}),
        rewards=doc.get("reward", {}),
        hidden=doc.get("hidden", {}),
        side_effects=tuple(effects),
        name=name,
        metadata=metadata,
        source=source,
        first_line=cut + 2,
        **rules,
    )


def parse(text: str, source: str, default_name: str | None) -> MDP:
    """The MDP of the level in the text of a ``.level`` file.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        Where the text came from (a path), for error messages.
    default_name : str or None
        The MDP's name when the text does not give one.

    Returns
    -------
    MDP
        Compiled with :meth:`ObjectLevel.compile` (default memory budget).

    Examples
    --------
    >>> parse('---\\n#####\\n#A G#\\n#####\\n', "<doc>", "walk").n_states
    3
    """
    return parse_level(text, source, default_name).compile()


def dump(mdp: MDP) -> str:
    """The text of a ``.level`` file holding the level `mdp` was compiled from.

    Parameters
    ----------
    mdp : MDP
        An MDP from :meth:`ObjectLevel.compile`.

    Returns
    -------
    str

    Raises
    ------
    InvalidTypeError
        `mdp` was not compiled from a level.
    """
    level = mdp.metadata.get("level")
    if not isinstance(level, ObjectLevel):
        raise InvalidTypeError(
            "only MDPs compiled from a level (ObjectLevel.compile, or a .level file) can be "
            "saved as .level; save this one as .json."
        )
    return level_text(level)


def level_text(level: ObjectLevel) -> str:
    """The ``.level`` text of `level`: reading it back gives an equal level.

    Parameters
    ----------
    level : ObjectLevel
        The level to write.

    Returns
    -------
    str
    """
    lines = [f"name = {_toml_value(level.name)}"]
    for key in ("title", "source", "licence", "description"):
        if key in level.metadata:
            lines.append(f"{key} = {_toml_value(level.metadata[key])}")
    if "gamma" in level.metadata:
        lines.append(f"gamma = {_toml_value(list(level.metadata['gamma']))}")
    defaults = ObjectLevel(art=("#",))
    for key in _RULES:
        value = getattr(level, key)
        if value != getattr(defaults, key):
            lines.append(f"{key} = {_toml_value(value)}")
    if level.side_effects:
        lines.append(f"side_effects = {_toml_value(list(level.side_effects))}")
    tables = (("reward", level.rewards), ("hidden", level.hidden), ("legend", level.legend))
    for table, values in tables:
        if values:
            lines.append(f"\n[{table}]")
            lines += [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + f"\n{_SEPARATOR}\n" + "\n".join(level.art) + "\n"
