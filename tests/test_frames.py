"""Results as tidy tables: to_frame(), to_records(), to_xarray() and --format jsonl."""

import io
import json
import math

import numpy as np
import pytest
from scipy import stats

import powerseek
from powerseek import (
    IID,
    FiniteSupport,
    load,
    optimality,
    optimality_sweep,
    power,
    power_seeking,
    power_sweep,
    solve,
)
from powerseek.cli import main
from powerseek.exact._results import exact_optimality, exact_power

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

ESTIMATE = ["value", "stderr", "ci_low", "ci_high"]


def test_power_frame_is_one_row_per_state_with_cells():
    mdp = load("powerplay-3x3")
    result = power(mdp, 0.6, n_samples=300, rng=2)
    frame = result.to_frame()
    assert list(frame.columns) == ["quantity", "gamma", "state", "row", "col", *ESTIMATE]
    assert frame["state"].tolist() == [str(s) for s in mdp.states]
    assert list(zip(frame.row, frame.col)) == list(mdp.states)
    np.testing.assert_array_equal(frame.value, result.power)
    np.testing.assert_array_equal(frame.stderr, result.stderr)
    np.testing.assert_array_equal(frame.ci_low, result.estimate.ci_low)
    np.testing.assert_array_equal(frame.ci_high, result.estimate.ci_high)
    assert (frame.gamma == 0.6).all() and (frame.quantity == "power").all()
    assert frame.attrs["n_samples"] == 300 and frame.attrs["environment"] == "powerplay-3x3"
    assert json.loads(frame.attrs["solver"])["method"] == result.solver["method"]
    assert result.to_records() == frame.to_dict("records")


def test_power_sweep_frame_and_dataset():
    mdp = load("candy-wait")
    sweep = power_sweep(mdp, [0.3, 0.9, 1.0], n_samples=200, rng=4)
    frame = sweep.to_frame()
    assert len(frame) == 3 * mdp.n_states and "row" not in frame.columns
    for g, gamma in enumerate(sweep.gammas):
        part = frame[frame.gamma == gamma]
        np.testing.assert_array_equal(part.value, sweep.power[g])
        np.testing.assert_array_equal(part.ci_high, sweep.estimates[g].ci_high)
        assert part.state.tolist() == list(mdp.states)
    ds = sweep.to_xarray()
    assert ds.power.dims == ("gamma", "state")
    np.testing.assert_array_equal(ds.power.values, sweep.power)
    np.testing.assert_array_equal(ds.stderr.sel(gamma=0.9).values, sweep.stderr[1])
    assert ds.attrs["seed"] == sweep.provenance["seed"]
    # the frame and the dataset say the same thing
    back = ds.to_dataframe().reset_index()
    merged = frame.merge(back, on=["gamma", "state"])
    np.testing.assert_array_equal(merged.value, merged.power)


def test_grid_dataset_has_row_and_col():
    sweep = power_sweep(load("powerplay-3x3"), [0.5, 0.6], n_samples=50, rng=1)
    ds = sweep.to_xarray()
    assert ds.row.dims == ("state",) and ds.row.values.tolist() == [r for r, _ in sweep.states]


def test_optimality_frame_rows_are_state_action_pairs():
    mdp = load("candy-wait")
    # rewards in {0, 1}: ties at wait (chocolate = hug) but none at start at γ = 0.9
    result = optimality(mdp, 0.9, dist=IID(stats.randint(0, 2)), n_samples=400, rng=3)
    assert result.tie_mass.mean[1] > 0.3 and result.tie_mass.mean[0] < result.tie_mass.mean[1]
    frame = result.to_frame()
    assert list(frame.columns) == [
        "quantity", "gamma", "state", "action", *ESTIMATE, "tie_mass"
    ]  # fmt: skip
    assert len(frame) == mdp.n_pairs
    for state, action, value, tie in zip(frame.state, frame.action, frame.value, frame.tie_mass):
        assert value == result.of(state, action)
        assert tie == result.tie_mass.mean[result.states.index(state)]
    assert result.to_records() == frame.to_dict("records")


def test_optimality_sweep_frame_with_gamma_one():
    mdp = load("powerplay-3x3")
    sweep = optimality_sweep(mdp, [0.9, 1.0], n_samples=100, rng=5)
    frame = sweep.to_frame()
    assert len(frame) == 2 * mdp.n_pairs
    assert frame[frame.gamma == 0.9].unresolved_mass.isna().all()
    assert frame[frame.gamma == 1.0].unresolved_mass.notna().all()
    records = sweep.to_records()
    assert len(records) == len(frame) and records[0]["unresolved_mass"] is None
    ds = sweep.to_xarray()
    assert ds.probability.dims == ("gamma", "pair") and ds.tie_mass.dims == ("gamma", "state")
    np.testing.assert_array_equal(ds.probability.values, sweep.probability)
    assert ds.action.values.tolist() == [a for s in mdp.states for a in mdp.actions_of(s)]


def test_power_seeking_frame():
    result = power_seeking(load("candy-wait"), "start", 0.9, n_samples=300, rng=6)
    frame = result.to_frame()
    assert frame.action.tolist() == ["candy", "wait"]
    np.testing.assert_array_equal(frame.value, result.expected)
    assert (frame.quantity == "expected_power").all() and (frame.state == "start").all()


def test_exact_frames_use_the_same_columns():
    mdp = load("candy-wait")
    result = exact_power(mdp, "1/2")  # IID uniform on [0, 1]
    frame = result.to_frame()
    assert list(frame.columns)[:7] == ["quantity", "gamma", "state", *ESTIMATE]
    assert frame.exact.tolist() == [str(p) for p in result.power]
    assert (frame.stderr == 0).all() and (frame.ci_low == frame.value).all()
    opt = exact_optimality(mdp, "9/10", dist=IID(stats.randint(0, 2)))
    frame = opt.to_frame()
    assert frame.action.tolist() == [a for s in mdp.states for a in mdp.actions_of(s)]
    assert frame.exact.tolist() == [str(p) for row in opt.probability for p in row]
    assert frame.tie_mass_exact.tolist() == [
        str(opt.tie_mass[i]) for i, s in enumerate(mdp.states) for _ in mdp.actions_of(s)
    ]
    start = frame[frame.state == "start"]  # weakly optimal: the ties count twice
    assert math.isclose(start.value.sum(), 1.0 + start.tie_mass.iloc[0])


def test_solve_frame():
    mdp = load("candy-wait")
    R = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 0, 1]], dtype=float)
    result = solve(mdp, R, 0.5)
    frame = result.to_frame(mdp)
    assert frame.shape == (10, 4) and frame["sample"].tolist() == [0] * 5 + [1] * 5
    np.testing.assert_array_equal(frame.value, result.values.ravel())
    assert frame[frame.state == "wait"].action.tolist() == ["chocolate", "hug"]
    assert solve(mdp, R, 0.5, method="value-iteration").to_frame().state.tolist()[:2] == [0, 1]
    with pytest.raises(powerseek.InvalidParameterError, match="has 9 states"):
        result.to_frame(load("powerplay-3x3"))


def jsonl(capsys, *argv):
    assert main([*argv, "--format", "jsonl", "--quiet"]) == 0
    # precise_float: pandas' default float parser can miss the last bit
    return pd.read_json(io.StringIO(capsys.readouterr().out), lines=True, precise_float=True)


def test_jsonl_reads_into_pandas(capsys):
    argv = ["power", "powerplay-3x3", "--gamma", "0.5,0.9", "--samples", "200", "--seed", "7"]
    frame = jsonl(capsys, *argv)
    expected = power_sweep(load("powerplay-3x3"), [0.5, 0.9], n_samples=200, rng=7).to_frame()
    assert list(frame.columns) == list(expected.columns)
    np.testing.assert_allclose(frame.value, expected.value, rtol=1e-15)
    argv = ["optimality", "candy-wait", "--gamma", "1", "--samples", "100", "--seed", "1"]
    frame = jsonl(capsys, *argv)
    assert len(frame) == load("candy-wait").n_pairs and "unresolved_mass" in frame.columns


def test_batch_table_columns_match_to_frame(tmp_path):
    from powerseek.batch._runner import COLUMNS, read_batch, run_batch

    spec = tmp_path / "s.toml"
    spec.write_text(
        'seed = 1\nenvironments = ["candy-wait"]\nsamples = [300]\ngamma = [0.5, 0.9]\n'
        'quantities = ["power", "optimality"]\n'
    )
    result = run_batch(read_batch(spec), tmp_path / "out", progress=False)
    frame = result.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    csv = pd.read_csv(tmp_path / "out" / "results.csv", keep_default_na=False)
    assert list(csv.columns) == list(frame.columns)
    np.testing.assert_allclose(csv.value, frame.value, rtol=1e-15)
    ds = result.to_xarray("power")
    assert ds.value.dims == ("environment", "distribution", "samples", "gamma", "state")
    sweep = power_sweep(load("candy-wait"), [0.5, 0.9], n_samples=300, rng=frame.seed[0])
    states = list(load("candy-wait").states)
    np.testing.assert_array_equal(ds.value.sel(state=states).values[0, 0, 0], sweep.power)
    assert result.to_xarray("optimality").value.dims[-1] == "action"
    with pytest.raises(powerseek.InvalidParameterError, match="`quantity` must be one of"):
        result.to_xarray("orbit")


def test_symmetry_and_explore_frames():
    from powerseek.explore import Exploration, Finding, conjecture
    from powerseek.symmetry import check_states, compare_over_orbit, find_state_copy, power_of

    mdp = load("turner-fig1")
    found = find_state_copy(mdp, "left", "right")
    frame = found.to_frame()
    assert frame.found.tolist() == [found.found] and len(frame) == 1
    dist = FiniteSupport([[float(i == j) for j in range(mdp.n_states)] for i in range(2)])
    comparison = compare_over_orbit(
        mdp, dist, power_of(mdp, "right", 0.9), power_of(mdp, "left", 0.9), n_samples=100
    )
    row = comparison.to_frame().iloc[0]
    assert row.greater == comparison.greater and row.orbit_size == comparison.orbit_size
    report = check_states(mdp, "right", "left", gammas=[0.9], n_samples=100, n_orbits=1, rng=1)
    frame = report.to_frame()
    assert set(frame.theorem) == {check.theorem for check in report.checks}
    assert frame.passed.isin([True, False, None]).all()
    findings = {
        "n=10, m=1": Finding(cases=1, violations=1),  # no value counted
        "n=2, m=2": Finding(cases=2, minimum=0.5, maximum=0.75, total=1.25, counted=2),
    }
    exploration = Exploration(
        conjecture("fractional-copies"), "exhaustive", tried=4, applicable=3, findings=findings
    )
    frame = exploration.to_frame()
    assert frame.group.tolist() == ["n=2, m=2", "n=10, m=1"]  # natural order
    assert frame.cases.tolist() == [2, 1] and frame.violations.tolist() == [0, 1]
    assert frame["min"][0] == 0.5 and frame["mean"][0] == 0.625 and frame["max"][0] == 0.75
    assert frame.iloc[1][["min", "mean", "max"]].isna().all()
    assert frame.attrs["tried"] == 4 and frame.attrs["conjecture"] == "fractional-copies"


def test_missing_pandas_says_how_to_install(monkeypatch):
    import importlib

    from powerseek import frames

    real = importlib.import_module

    def without_pandas(name, *args):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args)

    monkeypatch.setattr(frames.importlib, "import_module", without_pandas)
    result = power(load("candy-wait"), 0.5, n_samples=10, rng=0)
    with pytest.raises(ImportError, match=r'pip install "[^"]*\[frames\]"'):
        result.to_frame()
    assert len(result.to_records()) == 5  # no pandas needed


def _results_with_records():
    import powerseek
    from powerseek.analysis import visit_optimality
    from powerseek.visits import visit_distributions

    fig1 = powerseek.load("turner-fig1")
    options = {"n_samples": 40, "rng": 0}
    return {
        "power": powerseek.power(fig1, 0.5, **options),
        "power_sweep": powerseek.power_sweep(fig1, [0.5, 0.9], **options),
        "power_seeking": powerseek.power_seeking(fig1, "start", 0.5, **options),
        "optimality": powerseek.optimality(fig1, 0.5, **options),
        "optimality_sweep_item": powerseek.optimality_sweep(fig1, [0.5], **options)[0],
        "set_optimality": visit_optimality(
            fig1, "start", visit_distributions(fig1, "start")[:1], 0.5, **options
        ),
        "rule_power": powerseek.agents.rule_power(fig1, 0.5, "boltzmann:0.1", **options),
    }


@pytest.mark.parametrize("name", list(_results_with_records()))
def test_provenance_and_solver_records_are_read_only(name):
    """A frozen result's records cannot be edited in place either; they still
    compare, serialise, pickle and copy as the dicts they were."""
    import copy
    import pickle

    result = _results_with_records()[name]
    records = []
    for field in ("provenance", "solver"):
        value = result.__dict__.get(field)
        records += [
            (field, i, r) for i, r in enumerate(value if isinstance(value, tuple) else [value])
        ]
    for field, i, record in records:
        if record is None:
            continue
        plain = json.loads(json.dumps(record))
        with pytest.raises(TypeError, match="read-only"):
            record["seed"] = 1
        with pytest.raises(TypeError, match="read-only"):
            record.update(seed=1)
        with pytest.raises(TypeError, match="read-only"):
            record.pop(next(iter(record)))
        assert json.loads(json.dumps(record)) == plain
        for again in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):
            value = again.__dict__[field]
            copied = value[i] if isinstance(value, tuple) else value
            assert dict(copied) == dict(record)
            with pytest.raises(TypeError, match="read-only"):
                copied["seed"] = 1
    assert result.__dict__.get("provenance") is not None


def test_every_monte_carlo_result_speaks_one_vocabulary():
    """The named field is the array of values, ``.estimate`` the Estimate behind it,
    with ``stderr``, ``ci_low``, ``ci_high`` arrays beside it; sweeps are sequences of
    per-γ results whose stacked arrays are those results' arrays."""
    from powerseek.analysis import visit_optimality
    from powerseek.rewards import Estimate
    from powerseek.visits import visit_distributions

    fig1 = powerseek.load("turner-fig1")
    options = {"n_samples": 60, "rng": 1}
    named = {
        "power": powerseek.power(fig1, 0.5, **options),
        "probability": powerseek.optimality(fig1, 0.5, **options),
        "expected": powerseek.power_seeking(fig1, "start", 0.5, **options),
    }
    for field, result in named.items():
        values = getattr(result, field)
        assert isinstance(values, np.ndarray) and isinstance(result.estimate, Estimate)
        np.testing.assert_array_equal(values, result.estimate.mean)
        for extra in ("stderr", "ci_low", "ci_high"):
            np.testing.assert_array_equal(getattr(result, extra), getattr(result.estimate, extra))
    seeking = named["expected"]
    np.testing.assert_array_equal(seeking.differences, seeking.difference_estimate.mean)
    np.testing.assert_array_equal(seeking.difference_stderr, seeking.difference_estimate.stderr)
    subset = visit_distributions(fig1, "start")[:1]
    one = visit_optimality(fig1, "start", subset, 0.5, **options)
    assert one.probability == one.value == float(one.estimate.mean[0])
    assert one.stderr == float(one.estimate.stderr[0])
    for sweep, field in (
        (powerseek.power_sweep(fig1, [0.3, 0.9], **options), "power"),
        (powerseek.optimality_sweep(fig1, [0.3, 0.9], **options), "probability"),
    ):
        assert len(sweep) == 2 and [r.gamma for r in sweep] == [0.3, 0.9]
        for name in (field, "stderr", "ci_low", "ci_high"):
            stacked = getattr(sweep, name)
            assert stacked.shape[0] == 2
            for k, result in enumerate(sweep):
                np.testing.assert_array_equal(stacked[k], getattr(result, name))
