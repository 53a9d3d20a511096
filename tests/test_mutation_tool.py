"""The mutation runner (tools/mutation.py) stays current: every mutant still applies.

The runner takes about half an hour, so it is not part of the suite; this test keeps its
list from rotting between runs: a mutant whose line was edited away, or whose file was
renamed, fails here at once instead of being skipped as stale in the next run.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "tools" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


@pytest.mark.parametrize("number", range(1, len(TOOL.MUTANTS) + 1))
def test_every_mutant_still_applies_once(number):
    mutant = TOOL.MUTANTS[number - 1]
    assert not TOOL.stale(mutant), f"mutant {number} ({mutant.what}) no longer applies"
    assert mutant.original != mutant.mutated


def test_the_tests_it_runs_exist():
    assert all((ROOT / path).exists() for path in TOOL.TESTS)


def test_a_mutant_of_a_missing_file_is_reported_stale_not_fatal(tmp_path):
    gone = TOOL.Mutant("analysis/_gone.py", "x = 1", "x = 2", "a file that was renamed")
    assert TOOL.stale(gone)
    assert TOOL.run_one(0, gone, timeout=5) == "stale"
