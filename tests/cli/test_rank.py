"""`powerseek rank`, `check`'s numeric comparison and the report's lead line."""

import csv
import io
import json
import re

import pytest

import powerseek
from powerseek.analysis import compare_power
from powerseek.cli import main


def test_rank_groups_ties_and_prints_leads(capsys):
    argv = ["rank", "powerplay-3x3", "--gamma", "0.6", "--samples", "3000", "--seed", "2"]
    assert main([*argv, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "holm over 36 pairs" in out
    groups = re.findall(r"^  (\d)\. (.*)$", out, re.M)
    assert [g[0] for g in groups] == ["1", "2", "3"]
    assert groups[0][1].startswith("(1, 1) ") and "not resolved" in groups[1][1]
    reference = compare_power(powerseek.load("powerplay-3x3"), 0.6, n_samples=3000, rng=2)
    assert reference.lead_text((1, 1), reference.ranking()[1][0]) in out
    assert main([*argv, "--format", "json", "--quiet"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [sorted(g) for g in payload["ranking"]][0] == ["(1, 1)"]
    assert payload["differences"][0][1] == pytest.approx(float(reference.differences[0, 1]))
    assert main([*argv, "--format", "csv", "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 9 * 8 and set(rows[0]) >= {"first", "second", "difference", "stderr"}


def test_rank_a_states_actions_and_bad_options(capsys):
    argv = ["rank", "turner-fig1", "--gamma", "0.9", "--samples", "3000", "--seed", "1"]
    assert main([*argv, "--state", "start", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "P(optimal) at start" in out and "  1. right " in out
    assert main([*argv, "--top", "1"]) == 1
    assert "--top must be at least 2" in capsys.readouterr().err
    assert main([*argv, "--confidence", "2"]) == 1
    assert "--confidence must be in (0, 1)" in capsys.readouterr().err


def test_check_prints_the_numeric_comparison_when_no_theorem_applies(capsys):
    argv = ["check", "powerplay-maze-7x7", "--states", "(2,3)", "(3,3)", "--gamma", "0.9",
            "--samples", "1000", "--seed", "5", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "does not apply" in out and "Numeric comparison (POWER, 1000 common samples" in out
    result = compare_power(powerseek.load("powerplay-maze-7x7"), 0.9, [(2, 3), (3, 3)],
                           n_samples=1000, rng=5)  # fmt: skip
    d, se = result.difference((2, 3), (3, 3))
    assert f"gamma 0.9: POWER((2, 3)) - POWER((3, 3)) = {d:+.4f} ± {se:.4f}" in out
    assert main([*argv, "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)["comparison"][0]
    assert row["difference"] == pytest.approx(d) and row["stderr"] < row["independent_stderr"]


def test_reports_say_which_state_leads_and_by_how_much(tmp_path):
    for extra in ([], ["--static"]):
        out = tmp_path / f"report{len(extra)}"
        argv = ["report", "powerplay-maze-7x7", "--gamma", "0.9", "--samples", "2000",
                "--seed", "3", "--quiet", "-o", str(out), *extra]  # fmt: skip
        assert main(argv) == 0
        page = (out / "report.html").read_text(encoding="utf-8")
        lead = re.search(r'<p id="lead">([^<]*)</p>', page).group(1)
        first, second = re.search(r"Most POWER at γ = 0.9: (\(\d, \d\))\. \1 leads (\(\d, \d\))",
                                  lead).groups()  # fmt: skip
        result = compare_power(powerseek.load("powerplay-maze-7x7"), 0.9, n_samples=2000, rng=3)
        order = sorted(result.labels, key=lambda s: -result.values[result.labels.index(s)])
        assert (first, second) == tuple(str(s) for s in order[:2])
        d, se = result.difference(order[0], order[1])
        assert f"by {d:.4f} ± {se:.4f}" in lead
