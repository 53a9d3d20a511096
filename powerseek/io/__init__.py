"""Environment files and the catalog.

:mod:`.files` reads and writes the TOML, ``.grid`` and node-link JSON formats
(docs/file-formats.md) with atomic writes; :mod:`.catalog` resolves the bundled
environments by name.
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
