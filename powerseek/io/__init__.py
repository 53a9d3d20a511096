"""Environment files and the catalog.

One module per file format, each with ``parse(text, source, default_name)`` and
``dump(mdp)``: :mod:`.toml` (graph MDPs), :mod:`.grid` (ASCII gridworlds),
:mod:`.json` (networkx node-link) and :mod:`.graphviz` (POWERplay's DOT graphs,
parsed by :mod:`._dot`); :mod:`.files` reads and writes files by suffix
(docs/file-formats.md); :mod:`.outputs` holds the output-folder rule and atomic
writes; :mod:`.catalog` resolves the bundled environments by name. Other tools'
objects come in through :mod:`.gymnasium` (toy-text ``P`` tables) and
:mod:`.quantecon` (``DiscreteDP``); see docs/interop.md.
"""

from __future__ import annotations

from .catalog import EnvironmentInfo, catalog_path, list_environments, load, save
from .files import FORMATS, dumps, format_of, loads, read, write

__all__ = [
    "FORMATS",
    "EnvironmentInfo",
    "catalog_path",
    "dumps",
    "format_of",
    "list_environments",
    "load",
    "loads",
    "read",
    "save",
    "write",
]
