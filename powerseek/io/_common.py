"""Pieces the format modules share: metadata keys, TOML values, line numbers."""

from __future__ import annotations

import json
import math
import numbers
import os
import re
import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from .._validation import as_float, did_you_mean, short_value
from ..exceptions import InvalidTypeError, ParseError
from ..mdp import MDP

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on Python 3.10 only
    pass


_METADATA_KEYS = ("name", "title", "source", "description", "gamma")
_GRAPH_KEYS = _METADATA_KEYS + ("start", "states", "transitions")
_GRID_KEYS = _METADATA_KEYS + ("stay", "bump", "noise", "walls", "names", "joint")
#: The keys of a ``.grid`` file's ``[joint]`` table (two agents on the map).
_JOINT_KEYS = ("agents", "overlap", "noise", "forbid")
_SEPARATOR = "---"


def _reject_unknown_keys(doc: dict, allowed: tuple[str, ...], text: str, source: str, what: str):
    for key in doc:
        if key not in allowed:
            raise ParseError(
                f"unknown key {key!r} in {what}.{did_you_mean(key, allowed)} Allowed keys: "
                f"{', '.join(allowed)}.",
                source=source,
                line=_line_of_key(text, key),
            )


def _read_metadata(
    doc: dict, text: str, source: str, strings: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The metadata keys of a header: the shared text keys, `strings` too, and ``gamma``."""
    metadata: dict[str, Any] = {}
    for key in ("name", "title", "source", "description", *strings):
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
    raise InvalidTypeError(f"cannot write {value!r} ({type(value).__name__}) to TOML.")


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


def is_file(path: str | os.PathLike) -> bool:
    """Whether `path` names an existing file; False for a name no file can have.

    :meth:`pathlib.Path.is_file` raises for a name longer than the system allows
    (``ENAMETOOLONG``); a name that cannot be a file is simply not one.

    Parameters
    ----------
    path : str or path-like
        A file name.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_file("x" * 5000 + ".toml")
    False
    """
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def read_text(path: str | os.PathLike, what: str = "a text file") -> str:
    """The UTF-8 text of a file; any failure is a ParseError naming the file.

    Every reader of powerseek's text inputs (environments, distributions,
    policies, batch files) reads through this, so that a folder, a missing
    file or binary data gets the same one-line error everywhere.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    what : str, default "a text file"
        What the file should be, for the messages ("an environment file").

    Returns
    -------
    str

    Raises
    ------
    ParseError
        The file cannot be read, is a folder or is not UTF-8 text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "latin1.toml"
    >>> _ = path.write_bytes("name = 'caf\xe9'".encode("latin-1"))
    >>> read_text(path, "a batch file")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.ParseError: .../latin1.toml: not UTF-8 text (byte 11); a batch ...
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ParseError(f"is a directory, not {what}.", source=str(path)) from None
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", source=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text (byte {exc.start}); {what} is text.", source=str(path)
        ) from None
