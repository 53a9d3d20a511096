"""Sphinx configuration: the Markdown pages of docs/ plus an API reference from docstrings.

Build with ``python -m sphinx -W -b html docs docs/_build`` (tests/test_docs.py does, with
warnings as errors).
"""

import re
import shutil
from pathlib import Path

project = "powerseek"
author = "The powerseek developers"
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build"]
# A page per public object, from the summary tables of docs/api/ (tools/api_pages.py).
autosummary_generate = True
# The pages are written afresh on each build, so that a name no longer public
# leaves no page behind.
shutil.rmtree(Path(__file__).parent / "api" / "generated", ignore_errors=True)
templates_path = ["_templates"]
myst_heading_anchors = 3
numpydoc_show_class_members = False
# Every public function documents each of its parameters, with a description.
# Every public function documents each of its parameters, with a description
# (PR01 missing, PR02 unknown, PR07 undescribed). A result class documents its
# fields as Attributes: they are filled in by the analysis, not passed by users.
numpydoc_validation_checks = {"PR01", "PR02", "PR07"}
numpydoc_validation_overrides = {"PR01": [r"\n\s*Attributes\n\s*-{10}"]}
autodoc_member_order = "bysource"
html_theme = "alabaster"


def _escape_bars(app, what, name, obj, options, lines):
    """Docstrings write |S| and |{>}| as in the papers; reST would read substitutions."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        table = stripped.startswith(("+", "=")) or (
            stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") > 2
        )
        if not table:
            lines[i] = re.sub(r"(?<!\\)\|", r"\\|", line)


def _module_sections_as_rubrics(app, what, name, obj, options, lines):
    """Module docstrings use numpydoc headings (``Examples`` over dashes); as reST
    sections they would give every module page the same section ids."""
    if what != "module":
        return
    for i in range(len(lines) - 1):
        title, rule = lines[i].strip(), lines[i + 1].strip()
        if title and rule and set(rule) == {"-"} and len(rule) >= len(title):
            lines[i], lines[i + 1] = f".. rubric:: {title}", ""


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars, priority=400)
    app.connect("autodoc-process-docstring", _module_sections_as_rubrics, priority=300)
