"""Write the API reference pages (docs/api/*.md) from the public names.

Each subpackage gets one page: its docstring, then a summary table per kind of
object (functions, classes, exceptions, constants) with a page per object, as
scipy's and networkx's references are laid out. The tables list exactly the
subpackage's ``__all__``, so a name cannot be public without a page;
tests/test_public_api.py checks that the pages match this script's output.

Run ``python tools/api_pages.py`` after changing a subpackage's ``__all__``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api"

#: (page, title, namespace, public modules documented whole on the page).
PAGES = [
    ("mdp", "Environments", "powerseek.mdp", ["powerseek.mdp.gridworld"]),
    ("io", "Files and the catalog", "powerseek.io", []),
    ("rewards", "Reward distributions", "powerseek.rewards", []),
    ("solvers", "Solvers", "powerseek.solvers", []),
    ("visits", "Visit distributions", "powerseek.visits", []),
    ("exact", "Exact results", "powerseek.exact", []),
    ("analysis", "Analyses", "powerseek.analysis", ["powerseek.analysis.engine"]),
    ("multiagent", "Two agents", "powerseek.multiagent", []),
    ("agents", "Bounded agents", "powerseek.agents", ["powerseek.agents.lotteries"]),
    ("symmetry", "Symmetry, orbits, theorems", "powerseek.symmetry", []),
    ("explore", "Exploring conjectures", "powerseek.explore", ["powerseek.explore.strategies"]),
    ("impact", "Impact", "powerseek.impact", []),
    ("measures", "Other measures of power", "powerseek.measures", []),
    ("parallel", "Running at scale", "powerseek.parallel", []),
    ("batch", "Batch files", "powerseek.batch", []),
    ("viz", "Figures and reports", "powerseek.viz", []),
]

#: Text placed under a public module's heading.
NOTES = {
    "powerseek.analysis.engine": (
        'The engine every analysis runs on; `run` is its entry point ("Writing your own\n'
        'analysis" in docs/engine.md). `Quantity` is the type of one quantity,\n'
        "`tuple[tuple[int, ...], Callable[[Context], numpy.ndarray]]`: the shape of its\n"
        "per-sample value and the function computing it.\n"
    ),
}

#: Options for a public module's members.
EXCLUDE = {"powerseek.analysis.engine": ["   :exclude-members: Quantity"]}

KINDS = ["Functions", "Classes", "Exceptions", "Constants"]


def kind_of(value: object) -> str | None:
    """The summary table a public object belongs to (None for modules)."""
    # A former module path imported by name stands in for the function it shadows
    # (powerseek._deprecation): classify the function.
    value = getattr(value, "__function__", value)
    if isinstance(value, types.ModuleType):
        return None
    if inspect.isclass(value):
        return "Exceptions" if issubclass(value, BaseException) else "Classes"
    if callable(value):
        return "Functions"
    return "Constants"


def page(name: str, title: str, namespace: str, modules: list[str]) -> str:
    """The Markdown text of one subpackage's page."""
    package = importlib.import_module(namespace)
    groups: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for public in sorted(package.__all__, key=str.lower):
        kind = kind_of(getattr(package, public))
        if kind is not None:
            groups[kind].append(public)
    parts = [
        f"# {title}: `{namespace}`\n",
        "```{eval-rst}",
        f".. automodule:: {namespace}",
        "   :no-members:",
        "",
        f".. currentmodule:: {namespace}",
        "```\n",
    ]
    for kind in KINDS:
        if not groups[kind]:
            continue
        parts += [
            f"## {kind}\n",
            "```{eval-rst}",
            ".. autosummary::",
            "   :toctree: generated/",
            "   :nosignatures:",
            "",
            *(f"   {public}" for public in groups[kind]),
            "```\n",
        ]
    for module in modules:
        parts += [f"## `{module}`\n"]
        if module in NOTES:
            parts += [NOTES[module]]
        parts += [
            "```{eval-rst}",
            f".. automodule:: {module}",
            "   :members:",
            *EXCLUDE.get(module, []),
            "```\n",
        ]
    return "\n".join(parts).rstrip("\n") + "\n"


def pages() -> dict[str, str]:
    """Every page's file name and text."""
    return {f"{name}.md": page(name, title, ns, mods) for name, title, ns, mods in PAGES}


def main() -> int:
    for file, text in pages().items():
        (DOCS / file).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
