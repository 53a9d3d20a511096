"""Environment files and the catalog.

One module per file format, each with ``parse(text, source, default_name)`` and
``dump(mdp)``: ``_toml`` (graph MDPs), ``_grid`` (ASCII gridworlds),
``_json`` (networkx node-link), ``_graphviz`` (POWERplay's DOT graphs,
parsed by ``_dot``) and ``_level`` (object levels); ``_files`` reads and writes files by suffix
(docs/file-formats.md); ``_outputs`` holds the output-folder rule and atomic
writes; ``_catalog`` resolves the bundled environments by name. Other tools'
objects come in through ``_gymnasium`` (toy-text ``P`` tables), ``_minigrid``
(Minigrid levels, through their step) and ``_quantecon`` (``DiscreteDP``); see
docs/interop.md.
"""

from __future__ import annotations

from ._catalog import JOINT_PREFIX, EnvironmentInfo, catalog_path, list_environments, load, save
from ._files import FORMATS, dumps, format_of, is_file, loads, read, read_text, write
from ._graphviz import dump_policy, parse_policy, read_policy
from ._gymnasium import from_gymnasium, to_env
from ._level import level_text, parse_level
from ._minigrid import MinigridState, from_minigrid, minigrid_task_reward
from ._outputs import check_output_folder, write_bytes_atomic, write_text_atomic
from ._quantecon import from_quantecon, to_quantecon
from ._toml import parse_document

__all__ = [
    "FORMATS",
    "JOINT_PREFIX",
    "EnvironmentInfo",
    "MinigridState",
    "catalog_path",
    "check_output_folder",
    "dump_policy",
    "dumps",
    "format_of",
    "from_gymnasium",
    "from_minigrid",
    "from_quantecon",
    "is_file",
    "level_text",
    "list_environments",
    "load",
    "loads",
    "minigrid_task_reward",
    "parse_document",
    "parse_level",
    "parse_policy",
    "read",
    "read_policy",
    "read_text",
    "save",
    "to_env",
    "to_quantecon",
    "write",
    "write_bytes_atomic",
    "write_text_atomic",
]
