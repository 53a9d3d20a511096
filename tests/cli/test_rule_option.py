"""`--rule` on `powerseek power` and `powerseek optimality`: contract, numbers, errors."""

import csv
import io
import json

import numpy as np
import pytest

from powerseek import load
from powerseek.agents import choice_probability, parse_rule, rule_power
from powerseek.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


COMMON = ("--gamma", "0.9", "--samples", "300", "--seed", "4")


@pytest.mark.parametrize(
    "rule", ["boltzmann:0.1", "epsilon-greedy:0.05", "q-learning:episodes=200,epsilon=0.1"]
)
def test_power_json_keeps_its_contract_and_adds_the_rule(capsys, rule):
    status, out, err = run(
        capsys, "power", "turner-fig1", *COMMON, "--format", "json", "--rule", rule
    )
    assert status == 0 and err == ""
    document = json.loads(out)
    _, plain_out, _ = run(capsys, "power", "turner-fig1", *COMMON, "--format", "json")
    plain = json.loads(plain_out)
    assert set(document) == set(plain) | {"rule"}
    assert document["rule"] == str(parse_rule(rule))
    expected = rule_power(load("turner-fig1"), 0.9, rule, n_samples=300, rng=4)
    np.testing.assert_allclose(document["power"], expected.power, rtol=0, atol=1e-15)
    assert all(p <= q + 1e-12 for p, q in zip(document["power"], plain["power"]))


def test_optimality_json_csv_and_table_with_a_rule(capsys):
    args = ("optimality", "turner-fig1", *COMMON, "--state", "start", "--rule", "boltzmann:0.1")
    status, out, _ = run(capsys, *args, "--format", "json")
    document = json.loads(out)
    assert status == 0 and document["rule"] == "boltzmann:0.1"
    expected = choice_probability(
        load("turner-fig1"), 0.9, "boltzmann:0.1", state="start", n_samples=300, rng=4
    )
    probabilities = [a["probability"] for a in document["actions"]]
    np.testing.assert_allclose(probabilities, expected.probability, atol=1e-15)
    assert sum(probabilities) == pytest.approx(1.0)
    _, out, _ = run(capsys, *args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["rule"] for row in rows} == {"boltzmann:0.1"} and len(rows) == 3
    _, out, _ = run(capsys, *args)
    assert "agent: boltzmann:0.1" in out and "mixed mass" in out
    _, out, _ = run(capsys, *args, "--format", "jsonl")
    assert all(json.loads(line)["rule"] == "boltzmann:0.1" for line in out.splitlines())


@pytest.mark.parametrize(
    "argv, words",
    [
        (("--rule", "boltzmann:0"), "temperature"),
        (("--rule", "epsilon-greedy:2"), "epsilon"),
        (("--rule", "best-of-k:0"), "`k`"),
        (("--rule", "satisficer:50"), "reached by no action"),
        (("--rule", "boltzman:0.1"), "did you mean"),
        (("--rule", "boltzmann:0.1", "--exact"), "--exact"),
    ],
)
def test_bad_rules_are_one_line_errors(capsys, argv, words):
    status, out, err = run(capsys, "power", "candy-wait", *COMMON, *argv)
    assert status != 0 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words.lower() in lines[0].lower(), err


def test_shutdown_command(capsys):
    status, out, err = run(
        capsys, "shutdown", "--seed", "0", "--samples", "500", "--format", "json"
    )
    assert status == 0 and err == ""
    document = json.loads(out)
    assert document["n_recurrent"] == [1, 1, 3, 3, 3]
    assert all(
        p >= b - 4 * se
        for p, b, se in zip(document["avoid_shutdown"], document["orbit_bound"], document["stderr"])
    )
    assert document["reading"].startswith("Q-value")
    status, out, _ = run(
        capsys,
        "shutdown",
        "turner-fig1",
        "--training",
        "start:left",
        "--option",
        "go:right",
        "--gamma",
        "0.9",
        "--samples",
        "200",
        "--seed",
        "1",
    )
    assert status == 0 and "right_up (gamma* 0.5)" in out
    status, _, err = run(capsys, "shutdown", "turner-fig1", "--training", "start:left")
    assert status != 0 and "--option" in err and len(err.strip().splitlines()) == 1
