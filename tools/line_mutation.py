"""Drop each reader error's line number in turn and check that a test notices.

Usage (from the repository root, with the test extras installed)::

    python tools/line_mutation.py        # about 2 minutes on 2 cores

Every ``line=...`` argument of a ``ParseError`` in the readers (the environment formats,
the DOT parser, gridworld maps, batch files) is replaced by ``line=None`` in a temporary
copy of the package, and the readers' tests run there with ``pytest -x``. A mutant that
survives is a reader error whose line number could be lost without any test failing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Each reader module and the tests that read its files.
TARGETS = {
    "powerseek/io/_common.py": ["tests/io/test_files.py"],
    "powerseek/io/_dot.py": ["tests/io/test_graphviz.py", "tests/io/test_files.py"],
    "powerseek/io/graphviz.py": ["tests/io/test_graphviz.py", "tests/io/test_files.py"],
    "powerseek/io/grid.py": ["tests/io/test_files.py"],
    "powerseek/io/json.py": ["tests/io/test_files.py", "tests/io/test_fuzz_files.py"],
    "powerseek/io/toml.py": ["tests/io/test_files.py", "tests/io/test_fuzz_files.py"],
    "powerseek/mdp/gridworld.py": ["tests/mdp/test_gridworld.py", "tests/io/test_files.py"],
    "powerseek/batch/_runner.py": ["tests/batch/test_batch.py"],
}
SITE = re.compile(r"line=([^,)\n]+)")


def main() -> int:
    survived = killed = 0
    with tempfile.TemporaryDirectory(prefix="powerseek-lines-") as folder:
        work = Path(folder)
        for name in ("powerseek", "tests", "environments"):
            shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
        for module, tests in TARGETS.items():
            path = work / module
            original = path.read_text(encoding="utf-8")
            for match in SITE.finditer(original):
                if match.group(1).strip() == "None":
                    continue
                path.write_text(original[: match.start()] + "line=None" + original[match.end() :])
                command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                           "-k", "not fuzz and not mutations", *tests]  # fmt: skip
                env = {**os.environ, "PYTHONPATH": str(work), "POWERSEEK_HYPOTHESIS_PROFILE": "ci"}
                done = subprocess.run(command, cwd=work, capture_output=True, env=env)
                where = f"{module}:{original.count(chr(10), 0, match.start()) + 1}"
                if done.returncode:
                    killed += 1
                else:
                    survived += 1
                    print(f"survived  {where}  line={match.group(1)}", flush=True)
            path.write_text(original, encoding="utf-8")
    print(f"{killed} killed, {survived} survived")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
