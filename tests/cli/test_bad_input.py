"""Bad command lines get one line on stderr and exit status 1; JSON output is plain JSON.

Each case below broke the promise once (a traceback, a numpy warning before the error,
a silently wrong number or an hours-long run); each must now print exactly one line.
"""

import json
from pathlib import Path

import pytest

from powerseek.cli import main

CANDY = ["candy-wait"]
JOINT = str(Path(__file__).parents[1] / "io" / "data" / "joint_1x2.gv")
CORRELATION = ["multiagent", "correlation", JOINT, "--correlation", "0,1", "--gamma", "0.6"]
ORBIT = ["orbit", "candy-wait", "--state", "start", "--actions", "wait", "candy"]
POWER = ["power", "candy-wait", "--gamma", "0.5", "--samples", "100", "--seed", "1", "--quiet"]

CASES = [
    (["power", *CANDY, "--gamma", "1e400"], r"--gamma values must be in \[0, 1\]; got 1e400"),
    (["optimality", *CANDY, "--gamma", "1e400"], r"must be in \[0, 1\]; got 1e400"),
    (["visits", *CANDY, "--state", "start", "--gamma", "1e400"], r"\[0, 1\]; got 1e400"),
    (["power", *CANDY, "--gamma", "1e400", "--exact"], r"\[0, 1\]; got 1e400"),
    (["optimality", *CANDY, "--gamma", "0.5,1e400", "--exact"], r"\[0, 1\]; got 1e400"),
    ([*ORBIT, "--gamma", "1", "--reward", "1e400,0,0,0,0"], "--reward values must be finite"),
    ([*ORBIT, "--gamma", "1e400"], r"\[0, 1\]; got 1e400"),
    ([*POWER[:-3], "--seed", "-1"], "--seed must be a non-negative integer; got -1"),
    ([*ORBIT, "--seed", "-1"], "--seed must be a non-negative integer; got -1"),
    (["check", *CANDY, "--states", "wait", "candy", "--seed", "-3"], "--seed must be a non-neg"),
    ([*POWER, "--scheduler", "garbage"], "'garbage' is not a Dask scheduler address"),
    ([*POWER, "--dist", "normal(1e308, 1e308)"], "infinite variance"),
    ([*POWER, "--dist", "lognorm(100)"], "no finite mean"),
    ([*POWER, "--dist", "t(2)"], "infinite variance: Monte Carlo standard errors"),
    ([*POWER, "--dist", "levy_stable(1.5, 0)"], "infinite variance"),
    ([*POWER, "--dist", "cauchy"], "no finite mean"),
    ([*POWER, "--tol", "1e300"], r"--tol must be in \(0, 1e-06\]"),
    ([*POWER, "--tol", "nan"], r"--tol must be in \(0, 1e-06\]"),
    ([*POWER, "--dist", "uniform; start=beta(2, 2); start=uniform"], "two per-state entries"),
    ([*ORBIT, "--reward", ""], "--reward must be numbers separated by commas"),
    (["power", *CANDY, "--gamma", "0:1:1000000"], "asks for 1000000 discounts; at most 10000"),
    (["power", *CANDY, "--gamma", "0.5", "--samples", str(2**63)], "pass --max-work"),
    (["optimality", *CANDY, "--gamma", "0.5", "--samples", str(2**63)], "pass --max-work"),
    (["power", *CANDY, "--gamma", "0:1:11", "--samples", str(10**9)], "more than the limit"),
    (["explore", "power-seeking-implies-optimal", "--max-states", "100000"], "at most 12 states"),
    ([*ORBIT, "--dist", "uniform", "--samples", str(2**40)], "pass --max-work 1.1e[+]13"),
    # every sampling command goes through the same up-front bound
    (["shutdown", "--samples", str(10**12)], "pass --max-work 4e[+]13"),
    (["check", *CANDY, "--states", "wait", "candy", "--samples", str(10**12)], "--max-work"),
    ([*CORRELATION, "--samples", str(10**12)], "x 4 solves .* --max-work 1.2e[+]13"),
    (["multiagent", "power", JOINT, "--gamma", "0.6", "--samples", str(10**12)], "--max-work"),
    (["shutdown", "--samples", "100", "--max-work", "nan"], "--max-work must be a non-neg"),
    (["power", *CANDY, "--gamma", "0.5", "--samples", str(10**400)], "integer of 401 digits"),
    (["check", *CANDY, "--states", "wait", "candy", "--time-limit", "-1"], "--time-limit must"),
]


@pytest.mark.parametrize("argv, message", CASES)
def test_a_bad_command_line_prints_one_line(capsys, argv, message):
    import re

    status = main(argv)
    captured = capsys.readouterr()
    assert status == 1, captured
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("powerseek: error: ")
    assert re.search(message, captured.err), captured.err
    assert "Traceback" not in captured.out + captured.err


def test_max_work_lets_a_large_run_through_the_check(capsys):
    argv = ["power", *CANDY, "--gamma", "0.5", "--samples", "1000", "--seed", "1", "--quiet"]
    assert main([*argv, "--max-work", "1000"]) == 1
    assert "5000 state-samples" in capsys.readouterr().err.replace("5e+03", "5000")
    assert main([*argv, "--max-work", "5000"]) == 0


def test_the_advised_max_work_admits_the_run(capsys):
    """The refusal once said --max-work 1e+10 (rounded to nearest) for 1.00004e10 state-samples,
    and that value was refused again."""
    import re

    argv = ["power", *CANDY, "--gamma", "0.5", "--samples", "2000008000", "--quiet"]
    assert main(argv) == 1
    advice = re.search(r"--max-work (\S+) to run it", capsys.readouterr().err).group(1)
    assert advice == "1.1e+10" and float(advice) >= 5 * 2000008000


def test_every_command_with_samples_takes_max_work():
    """A new command that samples must bound its work like the others."""
    from powerseek.cli._app import _build_parser

    def commands(parser, path=()):
        for action in parser._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    yield from commands(sub, (*path, name))
        yield path, {flag for action in parser._actions for flag in action.option_strings}

    sampling = [(path, flags) for path, flags in commands(_build_parser()) if "--samples" in flags]
    assert len(sampling) >= 8
    missing = [" ".join(path) for path, flags in sampling if "--max-work" not in flags]
    assert not missing


def _plain(value) -> bool:
    """Only the types json.loads gives back."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (bool, int, float, str)


JSON_COMMANDS = [
    [*POWER, "--format", "json"],
    [*POWER, "--format", "json", "--tol", "1e-300"],
    [*POWER, "--format", "json", "--method", "value-iteration", "--tol", "1e-7"],
    [*POWER, "--format", "json", "--method", "extrapolated-value-iteration"],
    [*POWER, "--format", "json", "--qmc"],
    [*POWER, "--format", "json", "--chunk-size", "7"],
    [*POWER[:3], "0,0.5,1", *POWER[4:], "--format", "json"],
    ["power", *CANDY, "--gamma", "1/2", "--exact", "--format", "json"],
    ["optimality", *CANDY, "--gamma", "0.5", "--samples", "100", "--seed", "1", "--quiet",
     "--format", "json", "--tol", "1e-300"],
    ["optimality", *CANDY, "--gamma", "0,1", "--samples", "100", "--seed", "1", "--quiet",
     "--format", "json", "--state", "start"],
    ["optimality", *CANDY, "--gamma", "1/2", "--exact", "--format", "json"],
    ["visits", *CANDY, "--state", "start", "--format", "json"],
    ["symmetry", "turner-fig1", "--automorphisms", "--format", "json"],
    [*ORBIT, "--reward", "0,0,0.3,0.5,0.9", "--gamma", "1", "--format", "json"],
    ["check", "turner-fig1", "--states", "right_down", "left_down", "--samples", "100",
     "--seed", "1", "--orbits", "1", "--format", "json"],
    ["show", "turner-fig1", "--format", "json"],
    ["list", "--format", "json"],
]  # fmt: skip


@pytest.mark.parametrize("argv", JSON_COMMANDS, ids=lambda a: " ".join(a[:1] + a[4:]))
def test_json_output_is_plain_json_with_every_option(capsys, argv):
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert _plain(document)


def test_library_result_records_are_plain_python(capsys):
    """The solver record once held a numpy bool: to_dict() must be json-dumpable as is."""
    import powerseek

    mdp = powerseek.load("powerplay-stochastic-4")
    result = powerseek.power(mdp, 0.9, n_samples=50, rng=1, tol=1e-300)
    json.dumps(result.to_dict())
    for r in powerseek.optimality_sweep(mdp, [0, 0.5, 1], n_samples=50, rng=1):
        json.dumps(r.to_dict())


def test_warnings_are_held_until_the_command_ends(capsys, monkeypatch):
    """numpy's RuntimeWarnings once printed before the one-line error: a failing command
    prints its error alone, a succeeding one its warnings once each, after its output."""
    import warnings

    import powerseek.cli._environments as cli
    from powerseek import InvalidParameterError

    def noisy(args, out):
        for _ in range(3):
            warnings.warn("overflow encountered in multiply", RuntimeWarning, stacklevel=1)
        out.write("the result\n")
        return 0

    def failing(args, out):
        warnings.warn("overflow encountered in multiply", RuntimeWarning, stacklevel=1)
        raise InvalidParameterError("the distribution has infinite variance.")

    monkeypatch.setattr(cli, "_run_list", noisy)
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "the result\n"
    assert captured.err == "powerseek: warning: overflow encountered in multiply\n"
    monkeypatch.setattr(cli, "_run_list", failing)
    assert main(["list"]) == 1
    assert capsys.readouterr().err == "powerseek: error: the distribution has infinite variance.\n"


def test_an_extras_install_hint_names_the_source_tree_not_a_package_index(tmp_path, monkeypatch):
    """powerseek is not on an index: the hint installs the extra from the checkout."""
    import os
    from pathlib import Path

    from powerseek.exceptions import install_hint

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    assert install_hint("frames") == 'pip install ".[frames]"'
    monkeypatch.chdir(tmp_path)
    hint = install_hint("frames")
    assert hint.endswith('[frames]"') and "powerseek[" not in hint
    where = hint.removeprefix('pip install "').removesuffix('[frames]"')
    assert where == "." or os.path.samefile(where, root)
