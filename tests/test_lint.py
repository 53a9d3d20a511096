"""Style as a contract: ruff's lint (pydocstyle with the numpy convention, sorted
``__all__``) and format checks pass, and library errors speak Python, not flags."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["powerseek", "tests", "benchmarks", "examples", "tools", "docs/conf.py"]


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    if shutil.which("ruff") is None:
        try:
            import ruff  # noqa: F401
        except ImportError:
            pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, *SOURCES],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_lint_passes():
    result = _ruff("check", "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_is_applied():
    result = _ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:]


def _message_literals(path: Path):
    """(line, text) of the literal parts of every message an exception is raised with."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            for part in ast.walk(node.exc.args[0]):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield node.lineno, part.value


FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def test_library_errors_never_name_command_line_options():
    """Only the command line (powerseek/cli/) may tell users about --options."""
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted((ROOT / "powerseek").rglob("*.py"))
        if "cli" not in path.relative_to(ROOT).parts
        for line, text in _message_literals(path)
        if FLAG.search(text)
    ]
    assert not found


def test_the_flag_scan_sees_a_planted_flag(tmp_path):
    planted = tmp_path / "m.py"
    planted.write_text('raise ValueError(f"give --workers {n} or --scheduler.")\n')
    assert [FLAG.search(text).group() for _, text in _message_literals(planted)] == [
        "--workers",
        "--scheduler",
    ]
