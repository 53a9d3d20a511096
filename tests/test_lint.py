"""Style as a contract: ruff's lint (pydocstyle with the numpy convention, sorted
``__all__``) and format checks pass, and library errors speak Python, not flags."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

from extras import require

from powerseek import exceptions

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["powerseek", "tests", "benchmarks", "examples", "tools", "docs/conf.py"]


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    if shutil.which("ruff") is None:
        require("ruff", "dev")
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


def _raises(path: Path):
    """(line, exception name, message node) of every exception raised with a message."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
            yield node.lineno, name, node.exc.args[0]


def _message_literals(path: Path):
    """(line, text) of the literal parts of every message an exception is raised with."""
    for line, _, message in _raises(path):
        for part in ast.walk(message):
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                yield line, part.value


def _message_texts(path: Path):
    """(line, text) of every message raised with a powerseek exception, placeholders as {}."""
    for line, name, message in _raises(path):
        text = _text(message) if name in ERRORS else None
        if text is not None:
            yield line, text


def _text(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None or right is None else left + right
    return None


ERRORS = {name for name in dir(exceptions) if name.endswith(("Error", "Warning"))} | {
    "TorchUnavailableError",
    "DaskUnavailableError",
    "IntegrationError",
}
#: Words a message may start with in capitals: symbols and proper names.
CAPITALISED = re.compile(r"^([A-Z][A-Z0-9_]+\b|[A-Z]\(|[A-Z]\b|Qhull\b)")


def _wording_problems(text: str) -> list[str]:
    """What a message does against the house wording (``_validation``'s template:
    "`gamma` must be in [0, 1]; got 1.5.")."""
    problems = []
    stripped = text.strip()
    if not (stripped.endswith((".", "?")) or stripped.endswith(".{}")):
        problems.append("does not end with a full stop")
    if stripped[:1].isupper() and not CAPITALISED.match(stripped):
        problems.append("starts with a capital (messages follow 'error: ')")
    if re.search(r"(?<![`\w])([a-z]+_[a-z_]+) must\b", stripped):
        problems.append("names a parameter without backticks")
    return problems


def test_error_messages_share_one_wording():
    """Lower-case start (they follow "powerseek: error: "), a full stop at the end,
    parameters in backticks."""
    found = [
        f"{path.relative_to(ROOT)}:{line}: {', '.join(problems)}: {text!r}"
        for path in sorted((ROOT / "powerseek").rglob("*.py"))
        for line, text in _message_texts(path)
        if (problems := _wording_problems(text))
    ]
    assert not found


def test_the_wording_check_sees_planted_deviations():
    assert _wording_problems("`gamma` must be in [0, 1]; got {}.") == []
    assert _wording_problems("F(s) has {} entries.") == []
    assert len(_wording_problems("Gamma_value must be positive")) == 2
    assert _wording_problems("n_samples must be positive.") == [
        "names a parameter without backticks"
    ]


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
