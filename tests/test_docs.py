"""The documentation: its Python examples run, and it covers the catalog and the CLI."""

import doctest
import re
from pathlib import Path

import catalog
import pytest
from extras import require

from powerseek.cli._app import _build_parser

# Left out of the quick run (-m "not slow"): the Sphinx build and the docs' examples, 50 s.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


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
    assert first_block[0].startswith('pip install ".[plot]" && powerseek report ')
    install = 'pip install -e ".[test,docs,dev]" && '
    assert first_block[1].startswith(install) and "pytest" in first_block[1]


def test_catalog_page_lists_every_environment():
    page = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    for info in catalog.environments():
        row = re.search(rf"^\| `{re.escape(info.name)}` \| ([^|]+?) \|", page, flags=re.M)
        assert row, f"{info.name} is missing from docs/catalog.md"
        if info.n_states is not None:  # the two largest levels are not compiled to list them
            assert row.group(1) == str(info.n_states)


def test_cli_page_covers_every_command():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = _build_parser()._subparsers._group_actions[0].choices
    names = {}
    for name, parser in commands.items():  # an alias shares its command's parser
        names.setdefault(id(parser), []).append(name)
    for name, *aliases in names.values():
        assert f"## `powerseek {name}" in page, f"`powerseek {name}` is not documented"
        for alias in aliases:
            assert f"`powerseek {alias}`" in page, f"the alias `{alias}` is not documented"


def test_theorem_catalogue_matches_the_suite():
    """docs/theorems.md is generated from tests/theorems; every test is mapped to the
    items of theory.md §B it checks, and every item 1-43 has a test."""
    import importlib.util

    path = ROOT / "tests" / "theorems" / "catalogue.py"
    spec = importlib.util.spec_from_file_location("theorem_catalogue", path)
    catalogue = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(catalogue)
    names = [name for _, name, _, _ in catalogue.suite()]
    unmapped = sorted(set(names) - set(catalogue.CHECKS))
    assert not unmapped, f"map these theorem tests to their items in catalogue.CHECKS: {unmapped}"
    stale = sorted(set(catalogue.CHECKS) - set(names))
    assert not stale, f"catalogue.CHECKS names tests that do not exist: {stale}"
    covered = {item for items in catalogue.CHECKS.values() for item in items}
    assert set(range(1, 44)) <= covered, sorted(set(range(1, 44)) - covered)
    page = (ROOT / "docs" / "theorems.md").read_text(encoding="utf-8")
    assert page == catalogue.render(), (
        "docs/theorems.md is out of date: python tests/theorems/catalogue.py > docs/theorems.md"
    )


def _resolve(dotted):
    """Import `dotted` (module, then attributes), or raise."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def test_theory_map_names_real_functions():
    page = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
    names = re.findall(r"`(powerseek\.[A-Za-z_.]+)`", page)
    assert len(names) > 50
    for name in names:
        _resolve(name)  # raises if the page names something that does not exist
    for definition in ("Def 3.3", "Def 4.4", "Def 5.2", "Def 6.4", "Def 3.5 (simply"):
        assert definition in page or definition.replace(" (simply", "") in page


def test_sphinx_builds_without_warnings(tmp_path):
    """The documentation, API reference included, builds with warnings as errors."""
    import subprocess
    import sys

    for module in ("sphinx", "myst_parser", "numpydoc"):
        require(module, "docs")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-E",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = sorted((tmp_path / "html" / "api").glob("*.html"))
    assert len(pages) == len(list((ROOT / "docs" / "api").glob("*.md")))
    assert sum(page.stat().st_size for page in pages) > 300_000


def test_getting_started_walkthrough(tmp_path, monkeypatch, capsys):
    """The page's gridworld file and commands work as written (with fewer samples)."""
    from powerseek.cli import main

    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    (text,) = [b for b in re.findall(r"```text\n(.*?)```", page, flags=re.S) if "---" in b]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledge.grid").write_text(text)
    commands = [line[2:] for line in re.findall(r"^\$ powerseek .*$", page, flags=re.M)]
    commands = [c.split() for c in commands if "ledge.grid" in c]
    assert len(commands) == 5
    for argv in commands:
        argv = argv[1:]
        if argv[0] in ("power", "plot", "report", "check"):
            argv += ["--samples", "300", "--seed", "1"] + (
                ["--quiet"] if argv[0] != "check" else []
            )
        assert main(argv) == 0, argv
    out = capsys.readouterr().out
    assert "Prop 6.9 applies" in out and "[ok] IID uniform" in out
    assert (tmp_path / "ledge.png").is_file() and (
        tmp_path / "ledge-report" / "report.html"
    ).is_file()


#: Commands whose output draws no reward samples, so needs no seed to be reproduced.
UNSAMPLED = {"list", "show", "convert", "symmetry", "--version"}


def console_outputs():
    """(page, command, printed output) of every ```console command shown with its output."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
            lines = block.splitlines()
            starts = [k for k, line in enumerate(lines) if line.startswith("$ ")]
            for k, end in zip(starts, [*starts[1:], len(lines)]):
                output = lines[k + 1 : end]
                if output:
                    found.append((page, lines[k][2:], "\n".join(output) + "\n"))
    return found


OUTPUTS = console_outputs()


def test_docs_show_printed_outputs():
    """The reproduced outputs below are there to be checked (this guards their discovery)."""
    assert {page.name for page, _, _ in OUTPUTS} >= {"README.md", "cli.md", "getting-started.md"}


@pytest.mark.parametrize(
    "page, command, expected", OUTPUTS, ids=[f"{p.name}: {c}" for p, c, _ in OUTPUTS]
)
def test_printed_outputs_are_reproduced(page, command, expected, tmp_path, monkeypatch, capsys):
    """Every output printed in the docs comes with the seed and samples that reproduce it,
    and running its command prints it (``...`` stands for text left out)."""
    import shlex

    from powerseek.cli import main

    argv = shlex.split(command)
    assert argv[0] == "powerseek", command
    if argv[1] not in UNSAMPLED:
        assert "--seed" in argv and "--samples" in argv, f"{page.name}: {command} needs both"
    monkeypatch.chdir(tmp_path)
    guide = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    (ledge,) = [b for b in re.findall(r"```text\n(.*?)```", guide, flags=re.S) if "---" in b]
    (tmp_path / "ledge.grid").write_text(ledge)
    capsys.readouterr()
    assert main(argv[1:]) == 0, command
    printed = capsys.readouterr().out
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    assert checker.check_output(expected, printed, flags), checker.output_difference(
        doctest.Example(command, expected), printed, flags
    )
