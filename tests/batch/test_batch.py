"""Batch files: parsing, the table, seeds, resuming, parallel units, the CLI."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

import powerseek
import powerseek.batch._runner as sweep_module
from powerseek import ParseError, UnknownEnvironmentError
from powerseek.batch._runner import COLUMNS, read_batch, run_batch
from powerseek.cli import main

SWEEP = """
name = "demo"
seed = 7
environments = ["candy-wait", "turner-fig1"]
distributions = ["uniform", "beta(2, 1)"]
samples = [400]
gamma = [0, 0.5, 1]
quantities = ["power", "optimality"]
"""


@pytest.fixture
def batch_file(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(SWEEP)
    return path


def test_table_shape_and_columns(batch_file, tmp_path):
    result = run_batch(read_batch(batch_file), tmp_path / "out")
    assert result.computed == 8 and result.reused == 0
    power_rows = [r for r in result.rows if r["quantity"] == "power"]
    # (5 + 8 states) x 2 distributions x 3 discounts
    assert len(power_rows) == 13 * 2 * 3
    header = (tmp_path / "out" / "results.csv").read_text().splitlines()[0]
    assert header.split(",") == list(COLUMNS)
    candy = [
        r for r in result.rows
        if r["environment"] == "candy-wait" and r["quantity"] == "optimality"
        and r["gamma"] == 1.0 and r["state"] == "start" and r["action"] == "wait"
        and r["distribution"] == "iid uniform(0, 1)"
    ]  # fmt: skip
    (row,) = candy
    assert abs(row["value"] - 2 / 3) < 5 * row["stderr"]
    provenance = (tmp_path / "out" / "provenance.json").read_text()
    assert '"seed"' in provenance and "numpy" in provenance


def test_rerun_reuses_every_unit(batch_file, tmp_path):
    first = run_batch(read_batch(batch_file), tmp_path / "out")
    text = (tmp_path / "out" / "results.csv").read_text()
    again = run_batch(read_batch(batch_file), tmp_path / "out")
    assert again.computed == 0 and again.reused == 8 and again.rows == first.rows
    assert (tmp_path / "out" / "results.csv").read_text() == text


def test_an_interrupted_sweep_resumes_to_the_same_table(batch_file, tmp_path, monkeypatch):
    reference = run_batch(read_batch(batch_file), tmp_path / "whole")
    real = sweep_module.run_unit
    calls = []

    def interrupted(unit, spec, mdp=None):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(unit)
        return real(unit, spec, mdp)

    monkeypatch.setattr(sweep_module, "run_unit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_batch(read_batch(batch_file), tmp_path / "part")
    assert len(list((tmp_path / "part" / "units").glob("*.json"))) == 3
    monkeypatch.setattr(sweep_module, "run_unit", real)
    resumed = run_batch(read_batch(batch_file), tmp_path / "part")
    assert resumed.computed == 5 and resumed.reused == 3
    assert resumed.rows == reference.rows
    whole = (tmp_path / "whole" / "results.csv").read_text()
    assert (tmp_path / "part" / "results.csv").read_text() == whole


def test_unit_seeds_do_not_depend_on_order_or_neighbours(batch_file, tmp_path):
    spec = read_batch(batch_file)
    seeds = {u: u.seed(spec.seed) for u in spec.units()}
    assert len(set(seeds.values())) == len(seeds)
    reordered = tmp_path / "other.toml"
    reordered.write_text(
        SWEEP.replace('["candy-wait", "turner-fig1"]', '["turner-fig1", "aima-4x3", "candy-wait"]')
    )
    other = read_batch(reordered)
    for unit in other.units():
        if unit in seeds:
            assert unit.seed(other.seed) == seeds[unit]


def test_parallel_units_give_the_same_table(batch_file, tmp_path):
    serial = run_batch(read_batch(batch_file), tmp_path / "serial")
    with ThreadPoolExecutor(2) as pool:
        parallel = run_batch(read_batch(batch_file), tmp_path / "threads", executor=pool)
    assert parallel.rows == serial.rows


ONE = "environments = ['candy-wait']\nsamples = 10\n"


@pytest.mark.parametrize(
    "text, message",
    [
        (ONE + "gamma = [0.5]\ncolour = 1\n", "unknown key 'colour'"),
        (ONE + "gamma = [1.5]\n", "discounts in [0, 1]; got 1.5"),
        ("environments = ['candy-wait']\nsamples = 1\ngamma = [0.5]\n", "at least 2"),
        ("samples = 10\ngamma = [0.5]\n", "'environments' is required"),
        (ONE + "gamma = [0.5]\nquantities = ['value']\n", "unknown quantity 'value'"),
        (ONE + "gamma = [0.5]\nseed = -1\n", "'seed' must be a non-negative integer"),
        ("environments = [\n", "invalid TOML"),
        # repeats would give the same rows twice
        ("environments = ['candy-wait', 'candy-wait']\nsamples = 10\ngamma = [0.5]\n",
         "'environments' lists candy-wait twice"),
        (ONE + "gamma = [0.5, 0.50]\n", "'gamma' lists 0.5 twice"),
        (ONE + "gamma = [1, 1.0]\n", "'gamma' lists 1.0 twice"),
        ("environments = ['candy-wait']\nsamples = [10, 10]\ngamma = [0.5]\n",
         "'samples' lists 10 twice"),
        (ONE + "gamma = [0.5]\ndistributions = ['uniform', 'uniform']\n",
         "'distributions' lists uniform twice"),
        (ONE + "gamma = [0.5]\nquantities = ['power', 'power']\n", "'quantities' lists power"),
        # numbers past what Python converts, as the environment readers refuse them
        (ONE + "gamma = [0.5]\nseed = " + "9" * 5000 + "\n", "more digits than Python converts"),
        (ONE + "gamma = [" + "1" * 400 + "]\n", "got an integer of 400 digits"),
        ('[[orbit]]\nenvironment = "candy-wait"\nstates = ["candy", "wait"]\nreward = ['
         + "9" * 400 + ", 0, 0, 0, 0]\n", "'reward' must be finite numbers; got an integer"),
    ],
)  # fmt: skip
def test_bad_sweep_files(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ParseError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_batch(path)


def test_a_name_too_long_for_a_file_is_an_unknown_environment(tmp_path):
    """Found by fuzzing: checking whether such a name is a file raised OSError."""
    path = tmp_path / "long.toml"
    path.write_text(f'environments = ["{"a" * 5000}"]\nsamples = 10\ngamma = 0.5\n')
    with pytest.raises(UnknownEnvironmentError, match=r"\.\.\. \(5000 characters\) is neither"):
        run_batch(read_batch(path), tmp_path / "out")


def test_batch_files_that_are_not_text(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes("name = 'caf\xe9'\n".encode("latin-1"))
    with pytest.raises(ParseError, match=r"latin.toml: not UTF-8 text \(byte 11\)"):
        read_batch(path)
    with pytest.raises(ParseError, match="is a directory, not a batch file"):
        read_batch(tmp_path)


def test_repeated_jobs_are_refused_naming_both(tmp_path):
    job = '[[check]]\nenvironment = "candy-wait"\nstates = ["candy", "wait"]\n'
    path = tmp_path / "twice.toml"
    path.write_text("seed = 1\n\n" + job + "\n" + job)
    with pytest.raises(ParseError, match=r"line 7: \[\[check\]\] number 2 repeats "
                       r"\[\[check\]\] number 1"):  # fmt: skip
        read_batch(path)


@pytest.mark.parametrize(
    "job, message",
    [
        ('[[check]]\nenvironment = "candy-wait"\nstates = ["candy", "wait"]\ngamma = [0.5, 0.5]\n',
         "'gamma' lists 0.5 twice"),
        ('[[multiagent]]\nenvironment = "x.gv"\ngamma = [0.6, 0.6]\n', "'gamma' lists 0.6 twice"),
        ('[[multiagent]]\nenvironment = "x.gv"\ngamma = 0.6\ncorrelation = [0, 1, 0.0]\n',
         "'correlation' lists 0.0 twice"),
    ],
)  # fmt: skip
def test_repeated_discounts_and_correlations_of_a_job_are_refused(tmp_path, job, message):
    path = tmp_path / "jobs.toml"
    path.write_text("seed = 1\n" + job)
    with pytest.raises(ParseError, match=r"line 2: \[\[.*\]\] number 1: " + message):
        read_batch(path)


def test_job_errors_name_the_line_of_their_table(tmp_path):
    path = tmp_path / "jobs.toml"
    path.write_text(
        '[[orbit]]\nenvironment = "candy-wait"\nstates = ["candy", "wait"]\nreward = [0]\n\n'
        '[[multiagent]]\nenvironment = "x.gv"\nsamples = 1\n'
    )
    with pytest.raises(ParseError, match=r"jobs.toml, line 6: \[\[multiagent\]\] number 1: "
                       "'samples'"):  # fmt: skip
        read_batch(path)


def test_unknown_environment_fails_before_any_work(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("environments = ['candy-wait', 'nowhere']\nsamples = 10\ngamma = [0.5]\n")
    with pytest.raises(UnknownEnvironmentError):
        run_batch(read_batch(path), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_environment_files_next_to_the_sweep(tmp_path, capsys):
    (tmp_path / "room.grid").write_text("S.\n.G\n")
    path = tmp_path / "s.toml"
    path.write_text("environments = ['room.grid']\nsamples = 100\ngamma = [0.5]\n")
    status = main(["batch", str(path), "-o", str(tmp_path / "out"), "--quiet"])
    out = capsys.readouterr().out
    assert status == 0 and "s: 1 units (1 computed, 0 reused), 4 rows" in out
    assert main(["batch", str(path), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    assert "(0 computed, 1 reused)" in capsys.readouterr().out


def test_cli_workers(batch_file, tmp_path, capsys):
    pytest.importorskip("distributed")
    assert main(["batch", str(batch_file), "-o", str(tmp_path / "a"), "--quiet"]) == 0
    argv = ["batch", str(batch_file), "-o", str(tmp_path / "b"), "--quiet", "--workers", "2"]
    assert main(argv) == 0
    assert (tmp_path / "a" / "results.csv").read_text() == (
        tmp_path / "b" / "results.csv"
    ).read_text()


def test_cli_errors(tmp_path, capsys):
    status = main(["batch", str(tmp_path / "missing.toml")])
    err = capsys.readouterr().err
    assert status == 1 and "missing.toml" in err and "cannot read the file" in err


JOBS = """
seed = 3

[[orbit]]
environment = "candy-wait"
state = "start"
actions = ["wait", "candy"]
gamma = 1
reward = [0, 0, 0.3, 0.5, 0.9]

[[orbit]]
environment = "turner-fig1"
states = ["right", "left"]
gamma = 0.9
distribution = "bernoulli(0.5)"

[[check]]
environment = "turner-fig1"
state = "start"
actions = ["right", "left"]
gamma = [0.5, 0.9]
samples = 300
"""


@pytest.mark.slow
def test_orbit_and_check_jobs(tmp_path):
    path = tmp_path / "jobs.toml"
    path.write_text(JOBS)
    result = run_batch(read_batch(path), tmp_path / "out")
    assert result.computed == 3
    rows = {(r["environment"], r["quantity"], r["action"]): r for r in result.rows}
    # Candy/Wait's 60-element orbit: 40 prefer waiting, 20 the candy (as `powerseek orbit`)
    assert rows[("candy-wait", "orbit greater", "wait vs candy")]["value"] == 40
    assert rows[("candy-wait", "orbit less", "wait vs candy")]["value"] == 20
    assert rows[("candy-wait", "orbit share", "wait vs candy")]["samples"] == 60
    check = rows[("turner-fig1", "check", "Prop 6.9 (right vs left)")]
    assert check["value"] == 1.0  # applies, and every verification passed
    table = (tmp_path / "out" / "results.csv").read_text()
    again = run_batch(read_batch(path), tmp_path / "out")
    assert again.reused == 3 and (tmp_path / "out" / "results.csv").read_text() == table


@pytest.mark.parametrize(
    "job, message",
    [
        ('[[orbit]]\nenvironment = "candy-wait"\nstates = ["wait", "candy"]\n', "either reward"),
        ('[[orbit]]\nenvironment = "candy-wait"\nreward = [0]\n', "either actions"),
        ('[[check]]\nenvironment = "candy-wait"\nactions = ["wait", "candy"]\n', "need the state"),
        ('[[check]]\nenvironment = "candy-wait"\nstates = ["a"]\n', "must be two names"),
        ('[[orbit]]\nenvironment = "candy-wait"\nstates = ["wait", "candy"]\ngamma = [0.1, 0.2]\n'
         'reward = [0, 0, 0, 0, 1]\n', "one discount"),
        ('[[check]]\nenvironment = "candy-wait"\nstates = ["wait", "candy"]\ncolour = 1\n',
         "unknown key 'colour'"),
    ],
)  # fmt: skip
def test_bad_jobs(tmp_path, job, message):
    path = tmp_path / "bad.toml"
    path.write_text(job)
    with pytest.raises(ParseError, match=message):
        read_batch(path)


def test_job_labels_are_checked_before_any_work(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[check]]\nenvironment = "candy-wait"\nstates = ["wait", "nowhere"]\n')
    with pytest.raises(powerseek.UnknownStateError, match="'nowhere' is not a state"):
        run_batch(read_batch(path), tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------
# stale units: every input a unit's numbers depend on is in its key

STALE = """
name = "stale"
seed = 7
environments = ["room.toml", "candy-wait"]
distributions = ["uniform", "beta(2, 1)"]
samples = [300]
gamma = [0.5, 0.9]
"""
ROOM = '[transitions]\na = ["a", "b"]\nb = ["b"]\n'


def _stale_setup(folder, sweep=STALE, room=ROOM):
    folder.mkdir(exist_ok=True)
    (folder / "room.toml").write_text(room)
    (folder / "s.toml").write_text(sweep)
    return folder / "s.toml"


@pytest.mark.parametrize(
    "sweep, room, recomputed, reason",
    [
        (STALE.replace("seed = 7", "seed = 8"), ROOM, 4, "the seed changed"),
        # a third state: only the two units on room.toml are affected
        (STALE, '[transitions]\na = ["a", "b", "c"]\nb = ["b"]\nc = ["c"]\n', 2,
         "the environment's content changed"),
        (STALE, '[transitions]\na = { go = { a = "1/3", b = "2/3" }, a = "a" }\nb = ["b"]\n', 2,
         "the environment's content changed"),
        (STALE.replace('"beta(2, 1)"', '"beta(2, 2)"'), ROOM, 2, None),
        (STALE.replace("samples = [300]", "samples = [301]"), ROOM, 4, None),
        (STALE.replace("gamma = [0.5, 0.9]", "gamma = [0.5, 0.95]"), ROOM, 4, None),
        (STALE + 'method = "value-iteration"\n', ROOM, 4, "the solver settings changed"),
        (STALE + "tol = 1e-10\n", ROOM, 4, "the solver settings changed"),
    ],
)  # fmt: skip
def test_a_rerun_recomputes_exactly_the_changed_units(tmp_path, sweep, room, recomputed, reason):
    """A changed distribution, sample count or discount is a new unit (None: no stale
    file is consulted); a changed seed, environment or solver makes a stored unit stale."""
    path = _stale_setup(tmp_path / "run")
    first = run_batch(read_batch(path), tmp_path / "run" / "out", command="c")
    assert first.computed == 4 and first.reused == 0
    path = _stale_setup(tmp_path / "run", sweep, room)
    again = run_batch(read_batch(path), tmp_path / "run" / "out", command="c")
    assert (again.computed, again.reused) == (recomputed, 4 - recomputed)
    if reason is None:
        assert again.recomputed == 0
    else:
        assert again.recomputed == recomputed and again.reasons == {reason: recomputed}
    fresh_path = _stale_setup(tmp_path / "fresh", sweep, room)
    fresh = run_batch(read_batch(fresh_path), tmp_path / "fresh" / "out", command="c")
    assert fresh.computed == 4
    for name in ("results.csv", "provenance.json"):
        rerun_bytes = (tmp_path / "run" / "out" / name).read_bytes()
        assert rerun_bytes == (tmp_path / "fresh" / "out" / name).read_bytes(), name


def test_a_changed_seed_changes_the_numbers_and_the_provenance_agrees(tmp_path):
    path = _stale_setup(tmp_path)
    first = run_batch(read_batch(path), tmp_path / "out")
    _stale_setup(tmp_path, STALE.replace("seed = 7", "seed = 8"))
    again = run_batch(read_batch(path), tmp_path / "out")
    assert [r["value"] for r in again.rows] != [r["value"] for r in first.rows]
    provenance = json.loads((tmp_path / "out" / "provenance.json").read_text())
    seeds = {u["seed"] for u in provenance["units"]}
    assert provenance["seed"] == 8 and seeds == {r["seed"] for r in again.rows}


def test_a_version_change_or_a_damaged_unit_file_is_recomputed(tmp_path, monkeypatch):
    path = _stale_setup(tmp_path)
    run_batch(read_batch(path), tmp_path / "out")
    units = sorted((tmp_path / "out" / "units").glob("*.json"))
    units[0].write_text("{not json")
    document = json.loads(units[1].read_text())
    del document["inputs"]
    units[1].write_text(json.dumps(document))
    monkeypatch.setattr(powerseek._version, "__version__", "99.0")
    again = run_batch(read_batch(path), tmp_path / "out")
    assert again.recomputed == 4
    assert again.reasons == {
        "the stored file was unreadable": 1,
        "the stored file recorded no inputs": 1,
        "the powerseek version changed": 2,
    }


def test_the_cli_says_how_many_units_were_recomputed_and_why(tmp_path, capsys):
    path = _stale_setup(tmp_path)
    assert main(["batch", str(path), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    _stale_setup(tmp_path, STALE.replace("seed = 7", "seed = 8"))
    assert main(["batch", str(path), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "(4 computed, 0 reused)" in out
    assert "recomputed 4 stored units (4: the seed changed)" in out


@pytest.mark.parametrize(
    "line, message",
    [("method = 'simplex'", "'method' must be one of"), ("tol = 0.5", "'tol' (the solver")],
)
def test_bad_solver_settings(tmp_path, line, message):
    path = tmp_path / "bad.toml"
    path.write_text(ONE + "gamma = [0.5]\n" + line + "\n")
    with pytest.raises(ParseError, match=re.escape(message)):
        read_batch(path)


def test_units_of_earlier_batch_files_keep_their_keys():
    import hashlib
    from dataclasses import asdict

    unit = sweep_module.Unit("candy-wait", "uniform", 400, "power", (0.5,))
    old_fields = {k: v for k, v in asdict(unit).items()
                  if k not in ("other_policy", "agent", "correlations")}  # fmt: skip
    expected = hashlib.sha256(json.dumps(old_fields, sort_keys=True).encode()).hexdigest()[:16]
    assert unit.key == expected


def test_multiagent_jobs(tmp_path):
    from powerseek.io import _graphviz as graphviz
    from powerseek.multiagent import correlation_sweep, fixed_policy_power_sweep, joint_gridworld

    joint = joint_gridworld("..", overlap=False)
    (tmp_path / "pair.gv").write_text(graphviz.dump(joint.mdp.with_metadata(name="pair")))
    (tmp_path / "s.toml").write_text(
        'seed = 3\n[[multiagent]]\nenvironment = "pair.gv"\nother_policy = "stay"\n'
        "gamma = [0.5, 0.9]\nsamples = 300\n"
        '[[multiagent]]\nenvironment = "pair.gv"\ngamma = 0.6\nsamples = 200\n'
        "correlation = [0, 1]\n"
    )
    spec = read_batch(tmp_path / "s.toml")
    result = run_batch(spec, tmp_path / "out", progress=False)
    rows = result.rows
    fixed = [r for r in rows if r["quantity"] == "multiagent power"]
    assert len(fixed) == 2 * joint.mdp.n_states and {r["action"] for r in fixed} == {"H"}
    seed = fixed[0]["seed"]
    direct = fixed_policy_power_sweep(joint, [0.5, 0.9], other_policy="stay", n_samples=300,
                                      rng=seed)  # fmt: skip
    assert [r["value"] for r in fixed] == direct.power.ravel().tolist()
    paired = [r for r in rows if r["quantity"].startswith("multiagent power at correlation")]
    assert len(paired) == 2 * 2 * joint.mdp.n_states
    sweep = correlation_sweep(joint, [0, 1], 0.6, n_samples=200, rng=paired[0]["seed"])
    at_one_a = [r["value"] for r in paired if r["quantity"].endswith(" 1") and r["action"] == "A"]
    assert at_one_a == sweep.power_second[1].mean.tolist()
    assert run_batch(spec, tmp_path / "out", progress=False).reused == 2
    (tmp_path / "bad.toml").write_text(
        '[[multiagent]]\nenvironment = "pair.gv"\ncorrelation = [2]\ngamma = 0.6\n'
    )
    with pytest.raises(ParseError, match=r"'correlation' must be numbers in \[-1, 1\]"):
        read_batch(tmp_path / "bad.toml")
    (tmp_path / "agent.toml").write_text('[[multiagent]]\nenvironment = "pair.gv"\nagent = "B"\n')
    with pytest.raises(powerseek.InvalidParameterError, match="'B' is not an agent"):
        run_batch(read_batch(tmp_path / "agent.toml"), tmp_path / "out2", progress=False)


def _file_inputs(folder):
    """The files of every job kind's file-valued fields, and the edit that changes each."""
    from powerseek.io import _graphviz as graphviz
    from powerseek.multiagent import joint_gridworld, uniform_policy

    joint = joint_gridworld("..", overlap=False)
    catalog = powerseek.io._catalog.catalog_path() / "candy-wait.toml"
    (folder / "world.toml").write_text(catalog.read_text())
    (folder / "pair.gv").write_text(graphviz.dump(joint.mdp.with_metadata(name="pair")))
    (folder / "d.toml").write_text('default = "uniform"\n')
    policy = uniform_policy(joint, "A")
    (folder / "pol.gv").write_text(graphviz.dump_policy(policy, agents=joint.agents))
    stay = {s: {a: float(a == "stay") for a in per} for s, per in policy.items()}
    return {
        # an edit that keeps the dynamics (the environment's digest) is still a change
        "world.toml": lambda: (folder / "world.toml").write_text(
            catalog.read_text() + "# edited\n"
        ),
        "pair.gv": lambda: (folder / "pair.gv").write_text(
            graphviz.dump(joint.mdp.with_metadata(name="renamed"))
        ),
        "d.toml": lambda: (folder / "d.toml").write_text('default = "beta(2, 1)"\n'),
        "pol.gv": lambda: (folder / "pol.gv").write_text(
            graphviz.dump_policy(stay, agents=joint.agents)
        ),
    }


#: One batch file per job kind; every field that can name a file names one.
_FILE_JOBS = {
    "power": 'environments = ["world.toml"]\ndistributions = ["d.toml"]\nsamples = [100]\n'
    "gamma = [0.5]\n",
    "optimality": 'environments = ["world.toml"]\ndistributions = ["d.toml"]\nsamples = [100]\n'
    'gamma = [0.5]\nquantities = ["optimality"]\n',
    "orbit": '[[orbit]]\nenvironment = "world.toml"\nstates = ["candy", "wait"]\n'
    'distribution = "d.toml"\ngamma = 0.5\n',
    "check": '[[check]]\nenvironment = "world.toml"\nstates = ["candy", "wait"]\ngamma = [0.5]\n'
    "samples = 100\n",
    "multiagent": '[[multiagent]]\nenvironment = "pair.gv"\nother_policy = "pol.gv"\n'
    'distribution = "d.toml"\ngamma = [0.5]\nsamples = 100\n',
    "correlation": '[[multiagent]]\nenvironment = "pair.gv"\nother_policy = "pol.gv"\n'
    'distribution = "d.toml"\ngamma = 0.5\nsamples = 100\ncorrelation = [0, 1]\n',
}


@pytest.mark.parametrize("kind", sorted(_FILE_JOBS))
def test_every_file_a_unit_reads_enters_its_key(kind, tmp_path, monkeypatch):
    # run from another folder: the files are found beside the batch file
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "inputs"
    folder.mkdir()
    edits = _file_inputs(folder)
    (folder / "b.toml").write_text("seed = 2\n" + _FILE_JOBS[kind])
    spec = read_batch(folder / "b.toml")
    (unit,) = spec.units()
    named = {
        name: getattr(unit, name)
        for name in sweep_module.FILE_FIELDS
        if getattr(unit, name) in edits
    }
    expected = {"environment"} | ({"distribution"} if kind != "check" else set())
    if kind in ("multiagent", "correlation"):
        expected.add("other_policy")
    assert set(named) == expected
    assert run_batch(spec, tmp_path / "out").computed == 1
    for field_name, file_name in named.items():
        before = run_batch(spec, tmp_path / "out")
        assert (before.computed, before.reused) == (0, 1)
        edits[file_name]()
        after = run_batch(read_batch(folder / "b.toml"), tmp_path / "out")
        assert (after.computed, after.reused) == (1, 0), field_name
        assert after.reasons == {"a file the unit reads changed": 1}
        if field_name != "environment":  # the edits of these change the table too
            assert not _same_rows(after.rows, before.rows)
        fresh = run_batch(read_batch(folder / "b.toml"), tmp_path / f"fresh-{field_name}")
        assert _same_rows(after.rows, fresh.rows)


def _same_rows(first, second):
    def clean(rows):
        return [{k: (None if v != v else v) for k, v in row.items()} for row in rows]

    return clean(first) == clean(second)


@pytest.mark.parametrize(
    "text, runs",
    [
        ('environments = ["candy-wait"]\nsamples = [9000000000]\ngamma = [0.5, 0.9]\n',
         "x 2 discounts"),
        ('[[check]]\nenvironment = "candy-wait"\nstates = ["candy", "wait"]\n'
         "samples = 9000000000\n", "x 3 discounts"),
        ('[[multiagent]]\nenvironment = "pair.gv"\nsamples = 9000000000\n', "x 1 discounts"),
        ('[[multiagent]]\nenvironment = "pair.gv"\nsamples = 9000000000\ngamma = 0.6\n'
         "correlation = [0, 1]\n", "x 4 solves"),
    ],
)  # fmt: skip
def test_every_job_kind_is_bounded_before_any_work(tmp_path, text, runs):
    from powerseek.io import _graphviz as graphviz
    from powerseek.multiagent import joint_gridworld

    joint = joint_gridworld("..", overlap=False)
    (tmp_path / "pair.gv").write_text(graphviz.dump(joint.mdp))
    (tmp_path / "big.toml").write_text(text)
    with pytest.raises(powerseek.InvalidParameterError, match=runs + ".* set max_work = "):
        run_batch(read_batch(tmp_path / "big.toml"), tmp_path / "out")
    assert not (tmp_path / "out").exists()
    # the advised bound lets it through the check (the batch is not run here)
    spec = read_batch(tmp_path / "big.toml")
    (unit,) = spec.units()
    mdp = sweep_module._environment(unit.environment, spec.base)
    try:
        sweep_module._check_unit_work(unit, spec, mdp)
    except powerseek.InvalidParameterError as exc:
        advice = re.search(r"max_work = (\S+) in", str(exc)).group(1)
    (tmp_path / "big.toml").write_text(f"max_work = {advice}\n" + text)
    spec = read_batch(tmp_path / "big.toml")
    sweep_module._check_unit_work(spec.units()[0], spec, mdp)
