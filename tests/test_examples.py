"""The scripts in examples/ run and print their findings."""

import importlib.util
from pathlib import Path

import pytest

from powerseek.cli import main as cli
from powerseek.explore import exhaustive_cases, exhaustive_search

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_is_smoke_tested():
    tested = {
        "fractional_copies",
        "power_seeking_vs_optimality",
        "power_monotone_in_gamma",
        "figure3_power_vs_gamma",
        "candy_wait",
        "powerplay_heatmaps",
        "shutdown",
        "sokoban_side_effect",
    }
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


def test_fractional_copies(capsys):
    load("fractional_copies").main(["--size", "4", "--examples", "30"])
    out = capsys.readouterr().out
    assert "exhaustive: 530 orbits, 0 refute the conjecture" in out
    assert "n=2, m=2: worst share 0.5000" in out and "(attained)" in out


@pytest.mark.slow
def test_power_seeking_vs_optimality(capsys, tmp_path):
    load("power_seeking_vs_optimality").main(
        ["--size", "2", "--examples", "40", "--seed", "5", "-o", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert "COUNTEREXAMPLE" in out and "MDPs refute it" in out
    assert (tmp_path / "power-vs-optimality.toml").is_file()


@pytest.mark.slow
def test_power_monotone_in_gamma(capsys):
    module = load("power_monotone_in_gamma")
    result = exhaustive_search(module.power_monotone_in_gamma, exhaustive_cases(2, gammas=[0]))
    assert result.violations > 0
    assert "POWER(" in result.verdict.detail
    path = EXAMPLES / "power_monotone_in_gamma.py"
    status = cli(["explore", f"{path}:power_monotone_in_gamma", "--examples", "30", "--quiet"])
    assert status == 3
    assert "COUNTEREXAMPLE" in capsys.readouterr().out


def _figures(capsys, name, tmp_path, *extra):
    load(name).main(["--samples", "300", "-o", str(tmp_path), *extra])
    out = capsys.readouterr().out
    written = sorted(tmp_path.glob("*.png"))
    assert written and all(p.read_bytes().startswith(b"\x89PNG") for p in written)
    return out, [p.name for p in written]


def test_figure3(capsys, tmp_path):
    out, files = _figures(capsys, "figure3_power_vs_gamma", tmp_path)
    assert files == ["figure3.png"]
    assert "left_down" in out and "max |estimate - closed form| / stderr" in out


def test_candy_wait(capsys, tmp_path):
    out, files = _figures(capsys, "candy_wait", tmp_path)
    assert "gamma   1: P(wait optimal) = 2/3 exactly" in out
    assert files == ["candy-wait-graph.png", "candy-wait-optimality.png"]


@pytest.mark.slow
def test_powerplay_heatmaps(capsys, tmp_path):
    out, files = _figures(capsys, "powerplay_heatmaps", tmp_path)
    assert len(files) == 4 and "vs POWERplay's published values" in out


def test_shutdown(capsys, tmp_path):
    out, files = _figures(capsys, "shutdown", tmp_path)
    assert files == ["shutdown-aima-4x3.png"] and "into the absorbing cell" in out


def test_sokoban_side_effect(capsys):
    """The optimal agent takes the short way and corners the box; the box-stuck
    states have less POWER; the world's states match a plain enumeration."""
    from collections import deque

    module = load("sokoban_side_effect")
    module.main(["--episodes", "1500", "--samples", "800"])
    out = capsys.readouterr().out
    assert "60 states (6 with the goal reached)" in out
    assert "optimal agent: 5 steps, box stuck at the end: True" in out
    assert "goal reached: True" in out
    stuck, free = (float(line.split(": ")[1].split()[0]) for line in out.splitlines()
                   if line.startswith("mean POWER"))  # fmt: skip
    assert stuck < free
    # a plain enumeration of the rules: 54 live states, 6 at the goal
    start = (module.AGENT, module.BOX)
    seen, queue, ended = {start}, deque([start]), set()
    while queue:
        state = queue.popleft()
        for action in module.MOVES:
            out, done = module.step(state, action), False
            if isinstance(out[1], bool):  # (next, done)
                out, done = out
            if done:
                ended.add(out)
                continue
            if out not in seen:
                seen.add(out)
                queue.append(out)
    assert (len(seen), len(ended)) == (54, 6)
