"""`powerseek power` and `powerseek optimality`: output contract and errors."""

import csv
import io
import json
import re

import pytest

from powerseek import load
from powerseek.cli import main
from powerseek.cli._common import parse_gammas
from powerseek.io._catalog import catalog_path

CATALOG = sorted(
    p.stem for p in catalog_path().iterdir() if p.suffix in (".toml", ".grid", ".json")
)


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("name", CATALOG)
def test_power_json_contract_on_every_catalog_environment(capsys, name):
    status, out, err = run(
        capsys,
        "power",
        name,
        "--gamma",
        "0.9",
        "--samples",
        "200",
        "--seed",
        "1",
        "--format",
        "json",
    )
    assert status == 0 and err == ""
    document = json.loads(out)
    mdp = load(name)
    assert document["environment"] == name and document["gamma"] == 0.9
    assert document["n_samples"] == 200 and document["seed"] == 1
    assert document["distribution"] == "iid uniform(0, 1)"
    assert document["states"] == [str(s) for s in mdp.states]
    assert len(document["power"]) == len(document["stderr"]) == mdp.n_states
    assert all(isinstance(x, float) for x in document["power"])


@pytest.mark.parametrize("name", CATALOG)
def test_optimality_json_contract_on_every_catalog_environment(capsys, name):
    mdp = load(name)
    state = str(mdp.states[0])
    status, out, _ = run(
        capsys,
        "optimality",
        name,
        "--state",
        state,
        "--gamma",
        "0.9",
        "--samples",
        "200",
        "--seed",
        "2",
        "--format",
        "json",
    )
    assert status == 0
    document = json.loads(out)
    assert document["environment"] == name and document["state"] == state
    assert document["gamma"] == 0.9 and document["n_samples"] == 200 and document["seed"] == 2
    assert [a["action"] for a in document["actions"]] == [str(a) for a in mdp.actions[0]]
    for entry in document["actions"]:
        assert set(entry) == {"action", "successors", "probability", "stderr"}
        assert abs(sum(entry["successors"].values()) - 1) < 1e-12
    assert 0.0 <= document["tie_mass"] <= 1.0
    assert sum(a["probability"] for a in document["actions"]) >= 1.0 - 1e-12


def test_power_table_shows_a_map_for_gridworlds(capsys):
    status, out, _ = run(
        capsys,
        "power",
        "powerplay-3x3",
        "--gamma",
        "0.6",
        "--samples",
        "500",
        "--seed",
        "3",
        "--quiet",
    )
    assert status == 0
    assert "powerplay-3x3: gamma 0.6; 500 samples (monte carlo), seed 3" in out
    assert "POWER on the map:" in out
    assert "policy-iteration" in out and "converged" in out
    assert out.count("(1, 1)") == 1


def test_power_sweep_outputs(capsys):
    status, out, _ = run(
        capsys,
        "power",
        "candy-wait",
        "--gamma",
        "0:1:3",
        "--samples",
        "300",
        "--seed",
        "4",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["gamma"] == [0.0, 0.5, 1.0]
    assert len(document["power"]) == 3 and len(document["power"][0]) == 5
    status, out, _ = run(
        capsys,
        "power",
        "candy-wait",
        "--gamma",
        "0.1,0.9",
        "--samples",
        "300",
        "--seed",
        "4",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 10
    assert rows[0]["gamma"] == "0.1" and rows[0]["state"] == "start"
    assert float(rows[0]["ci_low"]) < float(rows[0]["power"]) < float(rows[0]["ci_high"])


def test_same_seed_same_output(capsys):
    argv = (
        "power",
        "turner-fig1",
        "--gamma",
        "0.5",
        "--samples",
        "300",
        "--seed",
        "5",
        "--format",
        "json",
    )
    _, first, _ = run(capsys, *argv)
    _, second, _ = run(capsys, *argv, "--chunk-size", "7")
    assert json.loads(first)["power"] == json.loads(second)["power"]


def test_fresh_seed_is_reported(capsys):
    _, out, _ = run(
        capsys, "power", "candy-wait", "--gamma", "0.5", "--samples", "50", "--format", "json"
    )
    seed = json.loads(out)["seed"]
    _, again, _ = run(
        capsys,
        "power",
        "candy-wait",
        "--gamma",
        "0.5",
        "--samples",
        "50",
        "--seed",
        str(seed),
        "--format",
        "json",
    )
    assert json.loads(again)["power"] == json.loads(out)["power"]


def test_distribution_and_qmc_options(capsys):
    status, out, _ = run(
        capsys,
        "power",
        "turner-fig1",
        "--gamma",
        "0.5",
        "--samples",
        "256",
        "--seed",
        "6",
        "--dist",
        "uniform; empty=uniform(-1, 0)",
        "--qmc",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["distribution"] == "uniform(0, 1); 'empty': uniform(-1, 0)"
    assert document["sampling"] == "randomised qmc (16 replicates)"
    assert document["power"][1] < 0  # POWER of the terminal `empty` is E[R(empty)] < 0


def test_optimality_table_and_all_states(capsys):
    status, out, _ = run(
        capsys,
        "optimality",
        "turner-fig10-reconstruction",
        "--state",
        "s1",
        "--gamma",
        "1",
        "--samples",
        "2000",
        "--seed",
        "7",
    )
    assert status == 0
    assert "state s1 (tie mass 0.0000" in out and "N " in out and "-> s2" in out
    status, out, _ = run(
        capsys,
        "optimality",
        "candy-wait",
        "--gamma",
        "0.5",
        "--samples",
        "100",
        "--seed",
        "8",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert [entry["state"] for entry in document["states"]] == list(load("candy-wait").states)
    status, out, _ = run(
        capsys,
        "optimality",
        "powerplay-3x3",
        "--state",
        "(1,1)",
        "--gamma",
        "0.5",
        "--samples",
        "100",
        "--seed",
        "8",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["action"] for r in rows] == ["up", "down", "left", "right", "stay"]
    assert rows[0]["state"] == "(1, 1)"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["power", "candy-wait", "--gamma", "1.5"], r"--gamma values must be in \[0, 1\]; got 1.5"),
        (["power", "candy-wait", "--gamma", "high"], "--gamma must be a number or a fraction"),
        (["power", "candy-wait", "--gamma", "0:1"], "START:STOP:COUNT"),
        (
            ["power", "candy-wait", "--gamma", "0.5", "--samples", "0"],
            "--samples must be a positive integer; got 0",
        ),
        (["power", "candy-wait", "--gamma", "0.5", "--dist", "cauchy"], "no finite mean"),
        (
            ["power", "candy-wait", "--gamma", "0.5", "--dist", "uniform; nowhere=beta(1,1)"],
            "'nowhere' is not a state of candy-wait",
        ),
        (
            ["optimality", "candy-wait", "--state", "middle", "--gamma", "0.5"],
            "'middle' is not a state of candy-wait. States: 'start', 'wait'",
        ),
        (
            ["power", "powerplay-stochastic-4", "--gamma", "0.5", "--tol", "-1"],
            r"--tol must be in \(0, 1e-06\]",
        ),
    ],
)
def test_bad_input_is_one_clear_line(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert err.startswith("powerseek: error: ") and err.count("\n") == 1
    assert re.search(message, err), err


def test_parse_gammas():
    assert parse_gammas("1") == [1.0]
    assert parse_gammas("0:1:11")[3] == pytest.approx(0.3)
    assert parse_gammas("0.3:0.3:1") == [0.3]


def test_exact_power_json(capsys):
    status, out, _ = run(
        capsys, "power", "turner-fig1", "--gamma", "1/2", "--exact", "--format", "json"
    )
    assert status == 0
    document = json.loads(out)
    assert document["gamma"] == "1/2" and document["exact"] is True
    i = document["states"].index("left_down")
    assert document["power"][i] == "11/18"
    assert document["power_decimal"][i] == pytest.approx(11 / 18)
    assert document["stderr"] == [0.0] * 8


def test_exact_optimality_table_and_csv(capsys):
    status, out, _ = run(
        capsys, "optimality", "candy-wait", "--state", "start", "--gamma", "0,1", "--exact"
    )
    assert status == 0 and "P = 0.500000  1/2" in out and "P = 0.666667  2/3" in out
    status, out, _ = run(
        capsys,
        "optimality",
        "k-way-choice",
        "--state",
        "start",
        "--gamma",
        "1/2",
        "--exact",
        "--dist",
        "bernoulli(0.5)",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["probability"] == "9/16"  # t1 is optimal unless it is 0 and another is 1
    status, out, _ = run(
        capsys, "power", "candy-wait", "--gamma", "1", "--exact", "--format", "csv"
    )
    assert "candy-wait,1,start,3/4,0.75" in out


def test_exact_refuses_clearly(capsys):
    status, _, err = run(capsys, "power", "powerplay-stochastic-4", "--gamma", "1/2", "--exact")
    assert status == 1 and "deterministic MDPs" in err
    status, _, err = run(capsys, "power", "turner-fig1", "--gamma", "x", "--exact")
    assert status == 1 and "a fraction like 9/10" in err


def test_visits_command(capsys):
    status, out, _ = run(capsys, "visits", "turner-fig1", "--state", "right_down", "--gamma", "1/2")
    assert status == 0
    assert "3 visit distribution functions, 2 non-dominated" in out
    assert "right_up: gamma/(1 - gamma**2)   = 2/3 at gamma = 1/2" in out
    status, out, _ = run(
        capsys, "visits", "turner-fig1", "--state", "start", "--nondominated", "--format", "json"
    )
    document = json.loads(out)
    assert document["n_functions"] == 11 and document["n_nondominated"] == 5
    assert len(document["functions"]) == 5 and all(f["nondominated"] for f in document["functions"])
    first = document["functions"][0]
    assert first["walk"] == ["start"] and first["cycle"] == ["empty"]
    assert first["function"] == {"start": "1", "empty": "gamma/(1 - gamma)"}
    assert first["value"]["empty"] == pytest.approx(9.0)
    status, _, err = run(capsys, "visits", "turner-fig1", "--state", "start", "--gamma", "1")
    assert status == 1 and "one value in [0, 1)" in err


@pytest.mark.parametrize("form", ["text", "json"])
def test_visits_at_gamma_zero_lists_every_visited_state(capsys, form):
    # at γ = 0 every state after the first has value 0: still listed, at 0
    status, out, _ = run(capsys, "visits", "candy-wait", "--state", "start", "--gamma", "0",
                         "--format", form)  # fmt: skip
    assert status == 0
    if form == "text":
        assert "candy: gamma/(1 - gamma)   = 0 at gamma = 0" in out
        assert "start: 1   = 1 at gamma = 0" in out
        return
    first = json.loads(out)["functions"][0]
    assert first["exact_value"] == {"start": "1", "candy": "0"}
    assert first["value"] == {"start": 1.0, "candy": 0.0}


def test_symmetry_command(capsys):
    status, out, _ = run(capsys, "symmetry", "turner-fig1", "--states", "right", "left")
    assert status == 0 and "yes: φ·F_nd(left) ⊆ F(right)" in out
    assert "witness: Permutation(('left', 'right'), ('left_up', 'right_up')" in out
    status, out, _ = run(
        capsys,
        "symmetry",
        "turner-fig1",
        "--state",
        "start",
        "--actions",
        "right",
        "left",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["found"] and document["bottleneck"] is True
    assert document["permutation"] == [
        ["left", "right"],
        ["left_up", "right_up"],
        ["left_down", "right_down"],
    ]
    status, out, _ = run(
        capsys, "symmetry", "candy-wait", "--state", "start", "--actions", "wait", "candy"
    )
    assert status == 0 and "no: no involution fixing 'start'" in out
    status, out, _ = run(capsys, "symmetry", "powerplay-3x3", "--automorphisms")
    assert "8 automorphisms" in out


def test_orbit_command(capsys):
    status, out, _ = run(
        capsys,
        "orbit",
        "candy-wait",
        "--state",
        "start",
        "--actions",
        "wait",
        "candy",
        "--gamma",
        "1",
        "--reward",
        "0,0,0.3,0.5,0.9",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["orbit_size"] == 60 and document["method"] == "enumerated"
    assert (document["greater"], document["less"]) == (40, 20)
    assert document["most"] and document["n_fold"] == 2.0
    assert document["fraction_at_least"] == pytest.approx(2 / 3)
    status, out, _ = run(
        capsys,
        "orbit",
        "turner-fig1",
        "--states",
        "right_down",
        "left_down",
        "--gamma",
        "0.5",
        "--seed",
        "3",
    )
    assert status == 0 and "f1 >=_most f2: yes" in out and "enumerated" in out


def test_check_command(capsys):
    status, out, _ = run(
        capsys,
        "check",
        "turner-fig1",
        "--state",
        "start",
        "--actions",
        "right",
        "left",
        "--samples",
        "2000",
        "--orbits",
        "1",
        "--seed",
        "4",
    )
    assert status == 0
    assert "Prop 6.9 applies" in out and "[ok] transport (Lemma E.27)" in out
    assert "FAILED" not in out
    status, out, _ = run(
        capsys,
        "check",
        "candy-wait",
        "--state",
        "start",
        "--actions",
        "wait",
        "candy",
        "--samples",
        "300",
        "--orbits",
        "1",
        "--seed",
        "5",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["failed"] is False
    assert [c["applies"] for c in document["checks"]] == [False, True]


def test_pair_arguments_are_required(capsys):
    status, _, err = run(capsys, "check", "turner-fig1")
    assert status == 1 and "--states S1 S2, or --state S --actions A1 A2" in err
    status, _, err = run(
        capsys, "orbit", "turner-fig1", "--states", "right", "left", "--reward", "1,2"
    )
    assert status == 1 and "one value per state (8" in err
    status, _, err = run(
        capsys, "symmetry", "turner-fig1", "--state", "start", "--actions", "right", "up"
    )
    assert status == 1 and "'up' is not an action of state 'start'" in err


def test_kernel_option_gives_identical_numbers(capsys):
    # every cell of the maze can stay, so both kernels' sweeps end on V* itself; the
    # compiled Gauss–Seidel sweeps take fewer of them
    pytest.importorskip("numba")
    outputs = []
    for kernel in ("numpy", "compiled"):
        argv = ["power", "powerplay-maze-7x7", "--gamma", "0.99", "--samples", "300"]
        status, out, _ = run(capsys, *argv, "--seed", "2", "--kernel", kernel, "--format", "json")
        assert status == 0
        document = json.loads(out)
        outputs.append((document["power"], document["stderr"], document["solver"]))
    assert outputs[0][:2] == outputs[1][:2]
    assert outputs[1][2]["error_bound"] == outputs[0][2]["error_bound"] == 0.0
    assert outputs[1][2]["iterations"] < outputs[0][2]["iterations"]


def test_counts_in_scientific_and_grouped_notation(capsys):
    outputs = []
    for samples in ("1000", "1e3", "1_000"):
        argv = ["power", "powerplay-3x3", "--gamma", "0.6", "--samples", samples, "--seed", "0"]
        assert main([*argv, "--format", "json"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    for bad in ("1.5", "abc", "inf"):
        with pytest.raises(SystemExit):
            main(["power", "powerplay-3x3", "--gamma", "0.6", "--samples", bad])
        err = capsys.readouterr().err
        assert "argument --samples: expected a whole number such as 1000, 1_000_000 or 1e6" in err
