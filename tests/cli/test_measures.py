"""`powerseek empowerment` and `powerseek compare`: other measures of power on the command line."""

import csv
import io
import json
import math

import pytest

from powerseek.cli import main


def run(capsys, *argv):
    status = main(["empowerment", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_formats(capsys):
    status, out, _ = run(capsys, "klyubin-maze", "--steps", "5", "--format", "json")
    record = json.loads(out)
    assert status == 0 and record["steps"] == 5 and record["bound"] == 0.0
    assert len(record["states"]) == len(record["empowerment"]) == 100
    assert min(record["empowerment"]) == pytest.approx(math.log2(11))
    assert max(record["empowerment"]) == pytest.approx(math.log2(46))
    status, out, _ = run(capsys, "klyubin-maze", "--steps", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["state"] == "(0, 0)"
    assert float(rows[0]["empowerment"]) == pytest.approx(math.log2(3))
    status, out, _ = run(capsys, "klyubin-maze", "--steps", "1", "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 100 and lines[0]["empowerment"] == pytest.approx(math.log2(3))
    status, out, _ = run(capsys, "klyubin-maze", "--steps", "5")
    assert "5-step empowerment in bits (exact), from 3.45943 to 5.52356" in out


def test_a_stochastic_world_states_its_bound(capsys, tmp_path):
    path = tmp_path / "slip.grid"
    path.write_text('bump = "stay"\nnoise = 0.2\n---\n...\n...\n', encoding="utf-8")
    status, out, _ = run(capsys, str(path), "--steps", "2", "--tol", "1e-6", "--format", "json")
    record = json.loads(out)
    assert status == 0 and record["method"] == "blahut-arimoto"
    assert 0 < record["bound"] <= 5e-7 and record["iterations"] > 1
    status, out, _ = run(capsys, str(path), "--steps", "2")
    assert "2-step empowerment in bits (within" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["klyubin-maze"], "--steps is needed"),
        (["klyubin-maze", "--steps", "0"], "--steps must be a positive integer; got 0."),
        (["klyubin-maze", "--steps", "2", "--tol", "0"], "--tol must be a positive number"),
        (["powerplay-stochastic-4", "--steps", "1"], "the same actions in every state"),
    ],
)
def test_bad_input(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_plot_an_empowerment_map(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "maze.png"
    status = main(
        ["plot", "klyubin-maze", "--what", "empowerment", "--steps", "2", "-o", str(path)]
    )
    assert status == 0 and path.stat().st_size > 1000
    capsys.readouterr()
    assert main(["plot", "turner-fig1", "--what", "empowerment", "-o", str(path)]) == 1
    assert "draws a gridworld's map" in capsys.readouterr().err
    assert main(["plot", "klyubin-maze", "--steps", "2", "-o", str(path)]) == 1
    assert "--steps is for --what empowerment." in capsys.readouterr().err


def test_compare(capsys, tmp_path):
    argv = ["compare", "klyubin-maze", "--gamma", "0.9,0.99", "--steps", "3,5", "--samples",
            "300", "--boot", "50", "--seed", "0"]  # fmt: skip
    assert main([*argv, "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [(r["gamma"], r["steps"]) for r in record["correlations"]] == [
        (0.9, 3), (0.9, 5), (0.99, 3), (0.99, 5)
    ]  # fmt: skip
    assert len(record["disagreements"]) == 5 and record["disagreements"][0]["state"].startswith("(")
    assert main([*argv, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 4 and set(rows[0]) >= {"gamma", "steps", "spearman", "ci_low"}
    pytest.importorskip("matplotlib")
    assert main([*argv, "--top", "2", "-o", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    assert "Spearman rank correlation over 100 states" in out and "wrote" in out
    assert (tmp_path / "c.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--measures", "power"], "--measures compares power and empowerment"),
        (["--steps", "two"], "--steps must be positive integers"),
        (["--steps", "0"], "--steps must be a positive integer"),
        (["--samples", "0"], "--samples must be a positive integer"),
    ],
)
def test_compare_bad_input(capsys, argv, message):
    status = main(["compare", "turner-fig1", *argv])
    err = capsys.readouterr().err
    assert status == 1 and message in err and len(err.strip().splitlines()) == 1
