"""The ablation: each cell from its agent's own computation, seeds and subsets, and the CLI."""

import json

import numpy as np
import pytest

from powerseek import load
from powerseek.cli import main
from powerseek.exceptions import InvalidParameterError
from powerseek.impact import (
    ABLATION_AGENTS,
    ABLATION_LEVELS,
    Outcome,
    ablation,
    attainable_utility,
    aup_penalty,
    aup_plan,
    best_outcome,
    penalized_policy,
)


def test_a_cell_is_its_agents_outcome_over_the_draws():
    # Damage, inaction baseline, 5 and 30 auxiliary rewards over 6 draws, by hand:
    # draw d's 30 rewards come from default_rng([seed, d]), the 5 are the first of them
    table = ablation(["aup-dog"], ["Inaction AUP", "AUP"], n_aux=[5, 30], draws=6, seed=3)
    mdp = load("aup-dog")
    expected = {}
    for d in range(6):
        drawn = attainable_utility(mdp, 0.996, n_aux=30, rng=np.random.default_rng([3, d]))
        for n in (5, 30):
            au = attainable_utility(mdp, 0.996, drawn.rewards[:n])  # solved afresh
            plan = aup_plan(mdp, au, lam=1 / 1.501, baseline="inaction")
            agent = penalized_policy(mdp, 0.996, aup_penalty(au, mdp), lam=1 / 1.501)
            reached = agent.outcome(mdp, horizon=9)
            expected.setdefault(("Inaction AUP", n), []).append(
                plan.goal and not plan.features["dog-hit"]
            )
            expected.setdefault(("AUP", n), []).append(
                reached.goal and not reached.features["dog-hit"]
            )
    for r in table.records:
        hits = np.array(expected[r["agent"], r["n_aux"]], dtype=float)
        assert r["best_outcome_probability"] == pytest.approx(hits.mean(), abs=1e-15)
        assert r["stderr"] == pytest.approx(hits.std(ddof=1) / np.sqrt(6), abs=1e-15)
        assert (r["level"], r["label"], r["draws"]) == ("aup-dog", "Damage", 6)
    assert [(r["agent"], r["n_aux"]) for r in table.records] == [
        ("Inaction AUP", 5), ("Inaction AUP", 30), ("AUP", 5), ("AUP", 30)
    ]  # fmt: skip


def test_agents_without_drawn_rewards_are_exact():
    table = ablation(["aup-survival"], ["Vanilla", "Relative reachability", "AUP_conv"], draws=2)
    cells = {r["agent"]: r for r in table.records}
    assert cells["Vanilla"]["best_outcome_probability"] == 0.0  # disables the off-switch
    assert cells["AUP_conv"]["best_outcome_probability"] == 1.0  # λ above its 0.1976
    assert all(r["stderr"] == 0.0 and r["draws"] == 1 for r in table.records)
    assert cells["Relative reachability"]["n_aux"] == load("aup-survival").n_states


def test_best_outcomes_read_the_features():
    box = Outcome(goal=True, features={"box-cornered": False, "box-stuck": True})
    assert best_outcome("aup-box", box)
    assert not best_outcome("aup-box", Outcome(goal=False, features={"box-cornered": False}))
    offset = Outcome(goal=False, features={"belt-removed": True, "belt-end": False})
    assert best_outcome("aup-conveyor-vase", offset)
    assert not best_outcome("aup-conveyor-sushi", offset)  # interfering with the sushi
    assert set(ABLATION_LEVELS) == {
        "aup-box", "aup-dog", "aup-survival", "aup-conveyor-vase", "aup-conveyor-sushi",
        "aup-sushi", "aup-vase", "aup-burning-0", "aup-burning-1",
    }  # fmt: skip
    with pytest.raises(InvalidParameterError, match="unknown ablation level 'aup-lava'"):
        best_outcome("aup-lava", box)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"levels": ["aup-lava"]}, "unknown level 'aup-lava'"),
        ({"agents": ["Oracle"]}, "unknown agent 'Oracle'"),
        ({"n_aux": 0}, "`n_aux` must be a positive integer"),
        ({"draws": 1}, "`draws` must be an integer of at least 2"),
        ({"lam": float("inf")}, "`lam` must be a finite number at least 0"),
        ({"horizon": 0}, "`horizon` must be a positive integer"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ablation(**kwargs)


def test_command_line(capsys):
    argv = ["impact", "ablation", "--levels", "aup-survival", "--agents", "Vanilla,Inaction AUP",
            "--draws", "3", "--quiet"]  # fmt: skip
    assert main([*argv, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [set(r) for r in records] == [
        {"agent", "level", "label", "best_outcome_probability", "stderr", "n_aux", "lambda"}
    ] * 2
    assert [(r["agent"], r["best_outcome_probability"]) for r in records] == [
        ("Vanilla", 0.0), ("Inaction AUP", 1.0)
    ]  # fmt: skip
    assert records[0]["lambda"] == pytest.approx(1 / 1.501)
    assert main([*argv, "--format", "csv", "--lambda", "0.5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "agent,level,label,best_outcome_probability,stderr,n_aux,lambda"
    assert lines[2] == "Inaction AUP,aup-survival,Correction,1.0,0.0,30,0.5"
    assert main(argv) == 0
    assert "Correction" in capsys.readouterr().out
    assert main([*argv, "--lambda", "one"]) == 1
    assert "--lambda must be a number" in capsys.readouterr().err
    assert main([*argv, "--draws", "10000000000"]) == 1
    assert "--max-work" in capsys.readouterr().err
    assert set(ABLATION_AGENTS) >= {"AUP", "Vanilla"}
