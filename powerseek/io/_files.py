"""Environment files: read and write the five formats.

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
    of :mod:`powerseek.mdp._graph`. JSON lists in node ids are read as tuples, so
    ``(row, col)`` labels survive the trip.
``.gv`` / ``.dot``
    POWERplay's graphviz DOT graphs: plain successor graphs and tripartite
    state / action / outcome graphs with ``weight`` probabilities
    (:mod:`.graphviz`); no graphviz installation is needed.
``.level``
    Gridworlds with objects (:mod:`._level`): a TOML header of metadata, rules,
    ``[reward]`` and ``[legend]``, a line ``---``, then the map. Reading one
    compiles its reachable states; only MDPs compiled from a level are written.

Metadata keys shared by all formats: ``name``, ``title``, ``source``,
``description``, ``gamma`` (a suggested discount or a list of them) and, for
graphs, ``start``. The full reference is ``docs/file-formats.md``.

Each format has its module (:mod:`.toml`, :mod:`.grid`, :mod:`.json`, :mod:`.graphviz`,
:mod:`._level`) with a
``parse(text, source, default_name)`` and a ``dump(mdp)``; this module picks
one by suffix. Readers never modify anything; writers build the whole text
first and then replace the target file atomically (:mod:`.outputs`), so a
failed write leaves nothing behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import InvalidTypeError, ParseError
from ..mdp import MDP
from . import _graphviz as graphviz
from . import _grid as grid
from . import _json as json
from . import _level as level
from . import _toml as toml
from ._common import is_file, read_text
from ._outputs import check_output_folder, write_bytes_atomic, write_text_atomic

__all__ = [
    "FORMATS",
    "check_output_folder",
    "dumps",
    "format_of",
    "is_file",
    "loads",
    "read",
    "read_text",
    "write",
    "write_bytes_atomic",
    "write_text_atomic",
]

#: File formats by suffix.
FORMATS = {
    ".toml": "toml",
    ".grid": "grid",
    ".json": "json",
    ".gv": "gv",
    ".dot": "gv",
    ".level": "level",
}
#: The module that reads and writes each format.
_MODULES = {"toml": toml, "grid": grid, "json": json, "gv": graphviz, "level": level}


def format_of(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of `path`: `format` if given, else from its suffix.

    Parameters
    ----------
    path : str or os.PathLike
        A file name; its suffix gives the format.
    format : {"toml", "grid", "json", "gv", "level"}, optional
        Given explicitly; default: from the suffix of `path`.

    Returns
    -------
    str
        The format's name.

    Examples
    --------
    >>> format_of("maze.grid")
    'grid'
    """
    if format is not None:
        if format not in FORMATS.values():
            raise ParseError(f"unknown format {format!r}; expected one of {', '.join(_MODULES)}.")
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
        The environment file.
    format : {"toml", "grid", "json", "gv", "level"}, optional
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

    See Also
    --------
    write : The reverse.
    loads : From a string.
    load : A catalog environment by name, or a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from powerseek import load
    >>> path = write(load("candy-wait"), pathlib.Path(tempfile.mkdtemp()) / "candy.json")
    >>> read(path).same_dynamics(load("candy-wait"))
    True
    """
    path = Path(path)
    kind = format_of(path, format)
    text = read_text(path, "an environment file")
    return loads(text, kind, source=str(path), default_name=path.stem)


def loads(
    text: str, format: str, *, source: str = "<string>", default_name: str | None = None
) -> MDP:
    """Parse an environment from a string in `format` ("toml", "grid", "json", "gv" or "level").

    Parameters
    ----------
    text : str
        The file's contents.
    format : {"toml", "grid", "json", "gv", "level"}
    source : str, default "<string>"
        Where the text came from, for error messages.
    default_name : str, optional
        The MDP's name when the text does not give one.

    Returns
    -------
    MDP

    See Also
    --------
    dumps : The reverse.
    read : From a file.

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
    return _MODULES[kind].parse(text, source, default_name)


def dumps(mdp: MDP, format: str) -> str:
    """The text of `mdp` in `format` ("toml", "grid", "json", "gv" or "level").

    Parameters
    ----------
    mdp : MDP
        The environment.
    format : {"toml", "grid", "json", "gv", "level"}

    Returns
    -------
    str

    Raises
    ------
    InvalidTypeError
        If the MDP cannot be written in that format without losing something
        (e.g. non-string labels in TOML, or non-gridworld dynamics as a map).

    See Also
    --------
    loads : The reverse.
    write : To a file.

    Examples
    --------
    >>> from powerseek import load
    >>> print(dumps(load("turner-fig1"), "toml").splitlines()[0])
    name = "turner-fig1"
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    kind = format_of("", format)
    return _MODULES[kind].dump(mdp)


def write(mdp: MDP, path: str | os.PathLike, *, format: str | None = None) -> Path:
    """Write `mdp` to `path` atomically; return the path.

    The text is built first; the file is then written to a temporary file in
    the same directory and moved into place, so on any error the target is
    untouched.

    Parameters
    ----------
    mdp : MDP
        The environment.
    path : str or os.PathLike
        The file to write; its folder must exist.
    format : {"toml", "grid", "json", "gv", "level"}, optional
        Default: from the suffix of `path`.

    Returns
    -------
    Path

    See Also
    --------
    read : The reverse.
    dumps : To a string.
    save : Into the catalog's formats by name.

    """
    path = check_output_folder(path)
    write_text_atomic(path, dumps(mdp, format_of(path, format)))
    return path
