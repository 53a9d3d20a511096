"""The package layout: rooms import only lower rooms, no import cycles, no private
names across rooms, and a command line that does not import what it does not use.

Imports are read from the source (function-local imports included), so a cycle
hidden behind a local import fails here as well.
"""

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "powerseek"

#: The rooms, lowest first; a module may import its own room and the rooms below it.
#: Top-level modules (exceptions, _validation, budget, progress, ...) are shared pieces
#: below every room; the package's ``__init__`` is above them all.
ROOMS = [
    "mdp",
    "io",
    "rewards",
    "solvers",
    "visits",
    "exact",
    "analysis",
    "multiagent",
    "agents",
    "impact",
    "symmetry",
    "measures",
    "explore",
    "parallel",
    "batch",
    "viz",
    "cli",
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path):
    """(target module, imported name, line) for every powerseek import in the module."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not (source == "powerseek" or source.startswith("powerseek.")):
                continue
            for alias in node.names:
                child = f"{source}.{alias.name}"
                if child in MODULES:
                    yield child, None, node.lineno
                else:
                    yield source, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "powerseek" or alias.name.startswith("powerseek."):
                    yield alias.name, None, node.lineno


EDGES = [
    (name, target, imported, line)
    for name, path in MODULES.items()
    for target, imported, line in _imports(name, path)
]


def _room(module: str) -> str | None:
    """The room of a module: its subpackage, or None for the shared top-level pieces."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else None


def test_every_subpackage_is_a_room():
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(ROOMS)


def test_every_import_resolves_to_a_module():
    missing = [(n, t, line) for n, t, _, line in EDGES if t not in MODULES]
    assert not missing


def test_no_import_cycles():
    graph = nx.DiGraph()
    graph.add_edges_from((n, t) for n, t, _, _ in EDGES if n != t)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_rooms_import_only_lower_rooms():
    upward = []
    for name, target, _, line in EDGES:
        if target == "powerseek":
            if name != "powerseek":
                upward.append(f"{name}:{line} imports the package root")
            continue
        mine, theirs = _room(name), _room(target)
        if name in ("powerseek", "powerseek.__main__") or theirs is None or mine == theirs:
            continue
        if mine is None or ROOMS.index(theirs) > ROOMS.index(mine):
            upward.append(f"{name}:{line} imports {target}")
    assert not upward


def test_no_private_name_crosses_a_room():
    crossings = []
    for name, target, imported, line in EDGES:
        if _room(name) == _room(target) and name != "powerseek":
            continue
        private_module = any(
            part.startswith("_") and i > 1 for i, part in enumerate(target.split("."))
        )
        private_name = (
            imported is not None and imported.startswith("_") and not imported.endswith("__")
        )
        if (private_module and _room(target) is not None) or private_name:
            crossings.append(f"{name}:{line} imports {target}{'.' + imported if imported else ''}")
    assert not crossings


def test_the_import_reader_sees_local_imports_and_private_names(tmp_path):
    """The checks above read real imports: a planted function-local import is found,
    with the private name it takes from another room."""
    planted = "def f():\n    from ..cli._app import _build_parser\n    from ._engine import x\n"
    edges = list(_imports("powerseek.analysis._power", _write(tmp_path, planted)))
    assert ("powerseek.cli._app", "_build_parser", 2) in edges
    assert ("powerseek.analysis._engine", None, 3) not in edges  # a name, not a module
    assert ("powerseek.analysis._engine", "x", 3) in edges


def _write(folder: Path, text: str) -> Path:
    path = folder / "power.py"
    path.write_text(text)
    return path


HEAVY = ("sympy", "hypothesis", "matplotlib", "torch", "dask", "pandas")


@pytest.mark.parametrize(
    "statement",
    ["import powerseek", "import powerseek.cli", "from powerseek.cli._app import _build_parser"],
)
def test_light_imports_stay_light(statement):
    """`import powerseek` and the command line's start-up import none of the heavy
    libraries; each command imports its own machinery when it runs."""
    code = f"{statement}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_numeric_engine_stays_light():
    """POWER and optimality run without sympy, hypothesis or matplotlib."""
    code = (
        "import sys, powerseek\n"
        "mdp = powerseek.load('turner-fig1')\n"
        "powerseek.power(mdp, 0.9, n_samples=50, rng=0)\n"
        "powerseek.optimality(mdp, 1.0, n_samples=50, rng=0)\n"
        "print(sorted(m for m in ('sympy', 'hypothesis', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
