"""The catalog of published environments, and loading by name or path.

The catalog is the folder ``environments/`` of the source tree, shipped inside
the wheel as ``powerseek/_catalog``. Each file is one environment, named by
its stem (``turner-fig1.toml`` is ``"turner-fig1"``), in one of the formats of
:mod:`powerseek.io._files`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .._validation import did_you_mean
from ..exceptions import InvalidTypeError, SearchLimitError, UnknownEnvironmentError
from ..mdp import MDP, two_agent_world
from . import _files as files
from . import _gymnasium as gymnasium
from . import _level as level_format
from . import _minigrid as minigrid

__all__ = ["JOINT_PREFIX", "EnvironmentInfo", "catalog_path", "list_environments", "load", "save"]


@dataclass(frozen=True)
class EnvironmentInfo:
    """One catalog entry, as :func:`list_environments` reports it.

    Attributes
    ----------
    name : str
        The catalog name, for :func:`load` and the CLI.
    title : str
    source : str
        The publication (or code base) the environment comes from.
    format : str
        ``"toml"``, ``"grid"``, ``"json"`` or ``"level"``.
    n_states, n_pairs : int or None
        None for an object level too large to compile just to list it
        (over ``LISTED_LEVEL_STATES`` states); :func:`load` compiles it.
    deterministic : bool
    gamma : tuple of float
        Suggested discount factors (may be empty).
    path : pathlib.Path
    """

    name: str
    title: str
    source: str
    format: str
    n_states: int | None
    n_pairs: int | None
    deterministic: bool
    gamma: tuple[float, ...]
    path: Path


def catalog_path() -> Path:
    """The folder holding the catalog files.

    Inside an installed wheel that is the package data ``powerseek/_catalog``;
    in a source checkout (including editable installs) it is the repository's
    ``environments/`` folder.

    Returns
    -------
    Path
    """
    packaged = resources.files("powerseek") / "_catalog"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "environments"


def _catalog_files() -> dict[str, Path]:
    folder = catalog_path()
    found = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in files.FORMATS and not path.name.startswith("."):
                found[path.stem] = path
    return found


def list_environments() -> list[EnvironmentInfo]:
    """Every catalog environment, sorted by name.

    Returns
    -------
    list of EnvironmentInfo

    Examples
    --------
    >>> names = [info.name for info in list_environments()]
    >>> "powerplay-maze-7x7" in names
    True
    """
    out = []
    for name, path in _catalog_files().items():
        if files.format_of(path) == "level":
            out.append(_level_info(name, path))
            continue
        mdp = files.read(path)
        out.append(
            EnvironmentInfo(
                name=name,
                title=mdp.metadata.get("title", ""),
                source=mdp.metadata.get("source", ""),
                format=files.format_of(path),
                n_states=mdp.n_states,
                n_pairs=mdp.n_pairs,
                deterministic=mdp.is_deterministic,
                gamma=tuple(mdp.metadata.get("gamma", ())),
                path=path,
            )
        )
    return out


#: ``joint:ENV`` is the joint world of two agents in the single-agent world ENV.
JOINT_PREFIX = "joint:"

#: Object levels with more reachable states are listed without their counts.
LISTED_LEVEL_STATES = 100_000


def _level_info(name: str, path: Path) -> EnvironmentInfo:
    """A level's entry; its counts only where compiling it is quick."""
    level = level_format.parse_level(files.read_text(path), str(path), name)
    try:
        mdp = level.compile(max_states=LISTED_LEVEL_STATES)
    except SearchLimitError:
        n_states = n_pairs = None
        deterministic = level.is_deterministic
    else:
        n_states, n_pairs, deterministic = mdp.n_states, mdp.n_pairs, mdp.is_deterministic
    return EnvironmentInfo(
        name=name,
        title=level.metadata.get("title", ""),
        source=level.metadata.get("source", ""),
        format="level",
        n_states=n_states,
        n_pairs=n_pairs,
        deterministic=deterministic,
        gamma=tuple(level.metadata.get("gamma", ())),
        path=path,
    )


def load(name_or_path: str | os.PathLike) -> MDP:
    """Load a catalog environment by name, or an environment file by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A catalog name (see :func:`list_environments` or ``powerseek list``),
        the path of a ``.toml``, ``.grid``, ``.json`` or ``.gv`` file, or a
        gymnasium environment ``gymnasium:ID?key=value&...`` (made with
        ``gymnasium.make`` when gymnasium is installed; :mod:`.gymnasium`),
        or ``joint:ENV``, the joint world of two agents in the single-agent
        world ENV (:func:`powerseek.multiagent.joint_world`: shared cells
        allowed, the world's own noise; a ``.grid`` file's ``[joint]`` table
        sets those).

    Returns
    -------
    MDP

    Raises
    ------
    UnknownEnvironmentError
        Neither a catalog name nor an existing file.
    ParseError
        The file is not a valid environment.

    Examples
    --------
    >>> mdp = load("powerplay-3x3")
    >>> mdp.n_states, mdp.actions_of((1, 1))
    (9, ('up', 'down', 'left', 'right', 'stay'))
    >>> load("joint:powerplay-3x3").n_states                 # two agents, 9 x 9 cells
    81
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise InvalidTypeError(
            f"`name_or_path` must be a catalog name or a file path; got "
            f"{type(name_or_path).__name__} {name_or_path!r}."
        )
    if isinstance(name_or_path, str) and name_or_path.startswith(JOINT_PREFIX):
        world = load(name_or_path[len(JOINT_PREFIX) :])
        return two_agent_world(world, name=f"{JOINT_PREFIX}{world.name or name_or_path}")
    if isinstance(name_or_path, str) and name_or_path.startswith(gymnasium.PREFIX):
        return gymnasium.make(name_or_path)
    if isinstance(name_or_path, str) and name_or_path.startswith(minigrid.PREFIX):
        return minigrid.make(name_or_path)
    path = Path(name_or_path)
    if files.is_file(path):
        return files.read(path)
    catalog = _catalog_files()
    text = str(name_or_path)
    if text in catalog and not isinstance(name_or_path, os.PathLike):
        return files.read(catalog[text])
    looks_like_path = path.suffix.lower() in files.FORMATS or os.sep in text or "/" in text
    shown = repr(text) if len(text) <= 200 else f"{text[:60]!r}... ({len(text)} characters)"
    if looks_like_path or isinstance(name_or_path, os.PathLike):
        raise UnknownEnvironmentError(f"no such environment file: {shown}.")
    raise UnknownEnvironmentError(
        f"{shown} is neither a catalog environment nor a file.{did_you_mean(text, catalog)} "
        f"Catalog: {', '.join(catalog)} (see `powerseek list`)."
    )


def save(mdp: MDP, path: str | os.PathLike, *, format: str | None = None) -> Path:
    """Write `mdp` to an environment file (format from the suffix).

    ``.toml`` needs string labels, ``.grid`` a gridworld compiled from a map,
    ``.json`` takes any MDP with JSON-representable labels. The write is
    atomic: on error the target is left as it was.

    Parameters
    ----------
    mdp : MDP
        The environment.
    path : str or os.PathLike
        The file to write; its folder must exist.
    format : {"toml", "grid", "json"}, optional
        Default: from the suffix of `path`.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> mdp = load("candy-wait")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(mdp, pathlib.Path(folder) / "copy.json")
    ...     load(path) == mdp
    True
    """
    return files.write(mdp, path, format=format)
