"""`powerseek impact ENV`: penalties, the penalised agent, and the impact level."""

import json

import pytest

from powerseek.cli import main


def run(capsys, *argv):
    status = main(["impact", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_penalties_and_the_agent(capsys):
    status, out, _ = run(capsys, "aup-box")
    assert status == 0
    assert "aup penalty (stepwise, absolute, per-au), λ = 0.6662, γ = 0.996" in out
    assert (
        "the penalised agent: 7 steps, goal, no side effect, return 0.976239, performance 1" in out
    )
    status, out, _ = run(capsys, "aup-box", "--format", "json", "--n-aux", "5", "--seed", "2")
    record = json.loads(out)
    assert record["n_aux"] == 5 and record["goal"] is True and record["performance"] == 1
    assert len(record["penalties"]) == 276 and set(record["penalties"][0]) == {
        "state", "action", "penalty"
    }  # fmt: skip
    assert record["path"][0] == "A(1,2) X(2,2)"
    status, out, _ = run(capsys, "aup-box", "--measure", "rr", "--format", "csv")
    assert out.splitlines()[0] == "state,action,penalty" and len(out.splitlines()) == 277
    status, out, _ = run(capsys, "aup-dog", "--baseline", "inaction", "--format", "json")
    assert json.loads(out)["side_effects"] == {"dog-hit": False}
    status, out, _ = run(capsys, "aup-survival", "--measure", "aup-conv", "--lambda", "0.1")
    assert "aup-conv penalty (stepwise), λ = 0.1" in out and "button-pressed" in out


def test_moving_baselines_and_the_planning_agent(capsys):
    # the penalised agent against inaction: one penalty row per step, the horizon stated
    status, out, _ = run(capsys, "aup-conveyor-vase", "--baseline", "inaction", "--format", "json")
    record = json.loads(out)
    assert record["agent"] == "policy" and record["horizon"] == 9
    assert record["baseline_settles"] == 4
    assert record["side_effects"] == {"belt-end": True}  # it leaves the vase on the belt
    assert len(record["penalties"]) == 10 * 1995
    assert [r["step"] for r in record["penalties"][::1995]] == list(range(10))
    status, out, _ = run(capsys, "aup-conveyor-vase", "--baseline", "inaction", "--horizon", "3")
    assert "to step 3: the inaction baseline still moves there" in out
    status, out, _ = run(capsys, "aup-conveyor-vase", "--baseline", "inaction")
    assert "settles at step 4, so this is exact" in out
    status, out, _ = run(capsys, "aup-conveyor-vase", "--measure", "ur", "--baseline", "inaction",
                         "--format", "csv")  # fmt: skip
    assert status == 0 and out.splitlines()[0] == "step,state,action,penalty"
    # the starting state is one baseline for every step, so it has an impact level
    status, out, _ = run(capsys, "aup-box", "--baseline", "start", "--partition")
    assert status == 0 and "first safe" in out
    # the planning agent: the penalties it meets along its plan
    status, out, _ = run(capsys, "aup-dog", "--agent", "planner", "--format", "json")
    record = json.loads(out)
    assert record["side_effects"] == {"dog-hit": True} and record["horizon"] == 9
    assert [r["step"] for r in record["penalties"]] == [0, 1, 2]
    assert record["penalties"][-1]["penalty"] == pytest.approx(1.0)
    status, out, _ = run(capsys, "aup-dog", "--agent", "planner", "--baseline", "inaction")
    assert "planning 9 steps with inaction rollouts" in out
    assert "the planning agent: 8 steps, goal, no side effect" in out


def test_the_attainable_utility_of_each_state(capsys):
    import numpy as np

    from powerseek import load
    from powerseek.impact import attainable_utility

    status, out, _ = run(capsys, "aup-box", "--measure", "au", "--n-aux", "5", "--format", "json")
    record = json.loads(out)
    au = attainable_utility(load("aup-box"), 0.996, n_aux=5, rng=0)
    values = [r["attainable_utility"] for r in record["states"]]
    assert status == 0 and np.allclose(values, au.values.mean(axis=0), rtol=0, atol=1e-12)
    errors = [r["stderr"] for r in record["states"]]
    assert np.allclose(errors, au.values.std(axis=0, ddof=1) / np.sqrt(5), rtol=0, atol=1e-12)
    status, out, _ = run(capsys, "aup-box", "--measure", "au")
    assert "attainable utility of 30 auxiliary rewards" in out and " ± " in out


def test_the_impact_level(capsys):
    status, out, _ = run(capsys, "aup-dog", "--partition", "--format", "json")
    record = json.loads(out)
    assert status == 0 and record["first_safe_policy"] == "policy 3"
    assert [r["side_effects"] for r in record["intervals"]] == ["", "dog-hit", "", "", "dog-hit"]
    assert record["first_safe_budget"] == pytest.approx(1.01554, abs=1e-5)
    status, out, _ = run(capsys, "aup-dog", "--partition")
    assert "first safe: policy 3, for R > 1.01554" in out
    assert "with the impact at most I instead (randomised between these, linear in I): " in out
    corners = record["constrained"]
    assert [c["policy"] for c in corners] == [r["policy"] for r in record["intervals"]]
    assert [c["impact"] for c in corners] == sorted(c["impact"] for c in corners)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["aup-box", "--draws", "3"], "--draws is for `impact ablation`, not `impact aup-box`."),
        (["ablation", "--partition"], "--partition is for `impact ENV`, not `impact ablation`."),
        (["candy-wait"], "'candy-wait' is not an object level"),
        (["side-effects-sokoban-0"], "has no no-op action 'stay'"),
        (["aup-box", "--n-aux", "2,3"], "--n-aux must be one positive integer; got '2,3'."),
        (["aup-box", "--gamma", "1"], "--gamma must be in (0, 1); got 1.0."),
        (["aup-box", "--lambda", "-1"], "--lambda must be a finite number at least 0"),
        (["aup-box", "--measure", "aup-conv", "--baseline", "start"], "--baseline stepwise only."),
        (["aup-box", "--measure", "ur", "--scaling", "none"], "has its own formula"),
        (["aup-box", "--partition", "--baseline", "inaction"], "--baseline stepwise or start"),
        (["aup-box", "--partition", "--agent", "planner"], "without --agent planner."),
        (["aup-box", "--measure", "aup-conv", "--agent", "planner"], "not aup-conv."),
        (["ablation", "--agent", "planner"], "--agent is for `impact ENV`"),
        (["aup-box", "--measure", "au", "--partition"], "--partition is for a penalty"),
        (["aup-box", "--horizon", "0"], "--horizon must be a positive integer; got 0."),
    ],
)
def test_bad_input(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
