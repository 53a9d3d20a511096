"""`--rule` on `plot` and `report`: the bounded agent's figures and report section."""

import re

import numpy as np
import pytest

from powerseek import load
from powerseek.agents import rule_power
from powerseek.cli import main

pytest.importorskip("matplotlib")


def test_report_has_a_bounded_agent_section(tmp_path, capsys):
    out = tmp_path / "rep"
    argv = ["report", "turner-fig1", "--gamma", "0.9", "--samples", "200", "--seed", "3"]
    assert main([*argv, "--rule", "boltzmann:0.1", "-o", str(out), "--quiet"]) == 0
    page = (out / "report.html").read_text()
    assert "Bounded agent: boltzmann:0.1" in page and "bounded agent</td>" in page
    expected = rule_power(load("turner-fig1"), 0.9, "boltzmann:0.1", n_samples=200, rng=3)
    row = re.search(
        r'<td class="label">start</td><td>([0-9.]+)</td><td>([0-9.]+)</td><td>([0-9.]+)</td>', page
    )
    assert row is not None
    assert float(row.group(1)) == pytest.approx(expected["start"], abs=5e-5)
    assert float(row.group(1)) <= float(row.group(3)) + 1e-4  # at most the optimal agent's


@pytest.mark.parametrize("what", ["power", "gamma-curve", "optimality-curve"])
def test_plot_with_a_rule(tmp_path, capsys, what):
    path = tmp_path / f"{what}.png"
    argv = [
        "plot",
        "turner-fig1",
        "--what",
        what,
        "--rule",
        "epsilon-greedy:0.1",
        "--samples",
        "100",
        "--seed",
        "0",
        "-o",
        str(path),
    ]
    if what == "optimality-curve":
        argv += ["--state", "start"]
    assert main(argv) == 0 and path.stat().st_size > 1000
    np.testing.assert_equal(capsys.readouterr().err, "")


def test_report_and_power_share_their_default_sample_count(tmp_path, capsys):
    """Same seed, default sample counts: the report's POWER table is `powerseek power`'s."""
    import json

    assert main(["power", "turner-fig1", "--gamma", "0.9", "--seed", "5", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    out = tmp_path / "rep"
    assert (
        main(["report", "turner-fig1", "--gamma", "0.9", "--seed", "5", "-o", str(out), "--quiet"])
        == 0
    )
    page = (out / "report.html").read_text()
    data = json.loads(
        re.search(
            r'<script type="application/json" id="powerseek-data">(.*?)</script>', page
        ).group(1)
    )
    assert data["states"] == document["states"] and data["gammas"][data["initial"]] == 0.9
    np.testing.assert_allclose(data["power"]["mean"][data["initial"]], document["power"], rtol=1e-9)
    np.testing.assert_allclose(
        data["power"]["stderr"][data["initial"]], document["stderr"], rtol=1e-9
    )
    assert document["n_samples"] == data["n_samples"] == 10_000
