"""The documentation: its Python examples run, and it covers the catalog and the CLI."""

import doctest
import re
from pathlib import Path

import pytest

from powerseek import list_environments
from powerseek.cli import _build_parser

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def python_blocks(path):
    """The ```python blocks of a markdown page, as doctest text."""
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_examples_run(page):
    blocks = python_blocks(page)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict = {}
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, f"{page.name}[{number}]", str(page), 0)
        runner.run(test, clear_globs=False)
        globs = test.globs  # later blocks of a page build on earlier ones
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"


def test_readme_and_format_pages_have_examples():
    assert python_blocks(ROOT / "README.md")
    assert python_blocks(ROOT / "docs" / "file-formats.md")


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1).strip().split("\n")
    assert len(first_block) == 2
    assert first_block[0].startswith("pip install . && powerseek ")
    assert first_block[1].startswith('pip install -e ".[test]" && ') and "pytest" in first_block[1]


def test_catalog_page_lists_every_environment():
    page = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    for info in list_environments():
        row = re.search(rf"^\| `{re.escape(info.name)}` \| (\d+) \|", page, flags=re.M)
        assert row, f"{info.name} is missing from docs/catalog.md"
        assert int(row.group(1)) == info.n_states


def test_cli_page_covers_every_command():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = _build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"## `powerseek {name}" in page, f"`powerseek {name}` is not documented"
