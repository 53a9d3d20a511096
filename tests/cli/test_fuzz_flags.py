"""Fuzzing the command line: every subcommand with random, often hostile, flag values.

The parser is read for each subcommand's options, and each example gives a random subset
of them values drawn from valid ones (state and action names, discounts, specs) and from
values that once broke a command (overflowing numbers, NaN, empty strings, labels with
spaces, ranges of a million discounts). The promise under test (docs/cli.md): a command
succeeds (status 0, or 3 for a failed verification), refuses its input in one line on
stderr (status 1), or argparse refuses the command line (status 2); never a traceback.

Work stays small whatever the fuzzed values: every example ends with the bounds that
apply (``--max-work``, ``--time-limit``, ``--examples``; the last value of an option wins),
runs in a fresh temporary folder (``-o`` writes there), and must finish within
:data:`TIME_BOUND` seconds. The ``ci`` profile runs a third of its examples per subcommand;
``thorough`` (``POWERSEEK_HYPOTHESIS_PROFILE=thorough``) runs hundreds.
"""

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerseek.cli import main
from powerseek.cli._app import _build_parser

#: No command line, however malformed, may run longer than this (seconds).
TIME_BOUND = 60.0
EXAMPLES = max(10, settings().max_examples // 3)

#: Values that broke a command once, or could.
NASTY = [
    "", " ", "-1", "0", "1", "2", "nan", "inf", "-inf", "1e400", "9" * 5000, "1/0", "0/0",
    "0.5", "1/2", "0:1:1000000", "0:1:3", "1,", ",", "0.1,0.5", "x", "start", "(0,0)",
    "( 0 , 0 )", "(0, 0)", "uniform", "beta(2, 1)", "cauchy", "uniform; start=beta(2,2)",
    "normal(1e308, 1e308)", "boltzmann:0.1", "epsilon-greedy:2", "q-learning:episodes=-1",
    "nope:1", "<!--<script>", "a" * 300, "\u2028", "--", "-", "candy", "wait", "left",
    "right", "stay", "missing.toml", "missing.gv",
]  # fmt: skip

#: Values that parse for the commonest options (discounts, correlations, files), so that
#: most examples get past argparse and run the command.
PLAUSIBLE = ["0.5", "0,0.5,1", "1/2", "0.9", "0", "1", "0:1:3", "out.png", "out.json", "-1,0,1"]

#: What bounds each example's work, appended last so that it wins over fuzzed values.
BOUNDS = {
    "--max-work": "3e5",
    "--time-limit": "5",
    "--examples": "2",
    "--size": "3",
    "--max-states": "4",
}
#: Options left out of the fuzz: they start clusters or processes (tested on their own).
LEFT_OUT = {"--workers", "--scheduler", "-h", "--help", "--list"}


def _commands():
    """(path, parser) of every subcommand that does work."""
    found = []

    def walk(parser, path):
        subparsers = [a for a in parser._actions if isinstance(a.choices, dict)]
        if not subparsers:
            found.append((path, parser))
        for action in subparsers:
            for name, sub in action.choices.items():
                walk(sub, (*path, name))

    walk(_build_parser(), ())
    return found


COMMANDS = {" ".join(path): (path, parser) for path, parser in _commands() if path}
#: The batch command reads a file of its own: fuzzed in tests/parallel/test_fuzz_batch.py.
COMMANDS = {name: entry for name, entry in COMMANDS.items() if name not in ("batch", "sweep")}


JOINT = str(Path(__file__).parents[1] / "io" / "data" / "joint_1x2.gv")
ENVIRONMENTS = {"candy-wait": ("start", "wait", "candy"), "turner-fig1": ("start", "left", "right")}

#: Values for options by name: mostly ones that parse, so that the command runs deep.
BY_FLAG = {
    "--gamma": ["0.5", "0,0.5,1", "1/2", "0.9", "0", "1", "0:1:3", "0.99", "1e400", "0:1:1000000"],
    "--gamma-other": ["0.5", "0.9", "-1", "nan"],
    "--correlation": ["0", "-1,0,1", "0.5", "2", "x"],
    "--dist": ["uniform", "beta(2, 1)", "bernoulli(0.5)", "uniform; start=beta(2,2)", "cauchy",
               "normal(1e308, 1e308)", "x(", "uniform; nowhere=beta(1,1)", "missing.toml"],
    "--rule": ["boltzmann:0.1", "epsilon-greedy:0.2", "satisficer:0.5", "best-of-k:2",
               "epsilon-greedy:2", "nope:1", "boltzmann:-1", "q-learning:episodes=5"],
    "--reward": ["0,0,0.3,0.5,0.9", "1,2", "1e400,0,0,0,0", "", "x"],
    "--training": ["start:wait", "x:y", ""],
    "--option": ["go:candy", "x", ""],
    "--other-policy": ["uniform", "stay", "missing.gv", "x"],
    "--agent": ["H", "A", "B"],
    "-o": ["out.png", "out.svg", "out", "out.json", "", "missing/deeper/out.png"],
    "--device": ["cpu", "cuda", "x"],
}  # fmt: skip
BY_TYPE = {
    int: ["0", "1", "2", "3", "-1", "100", "9" * 30, "x", "1.5"],
    float: ["0", "0.5", "1", "-1", "nan", "inf", "1e400", "1e-9", "x"],
}


@st.composite
def command_lines(draw, name):
    path, parser = COMMANDS[name]
    joint = path[0] == "multiagent"
    env = JOINT if joint else draw(st.sampled_from(sorted(ENVIRONMENTS)))
    labels = ["(0, 0)_H^(0, 1)_A", "stay"] if joint else list(ENVIRONMENTS[env])
    nasty = st.sampled_from(NASTY)

    def value(action):
        flag = action.option_strings[0] if action.option_strings else action.dest
        if flag in BY_FLAG:
            pool = BY_FLAG[flag]
        elif "state" in flag or "action" in flag:
            pool = labels
        else:
            pool = BY_TYPE.get(action.type, PLAUSIBLE)
        return draw(st.one_of(st.sampled_from(pool), st.sampled_from(pool), nasty))

    argv = list(path)
    for action in parser._actions:
        if not action.option_strings:  # positional: ENV, the output, a conjecture
            if action.dest == "env":
                argv.append(draw(st.one_of(st.just(env), st.just(env), nasty)))
            elif action.nargs not in ("?", "*"):
                argv.append(value(action))
        elif action.required:
            argv += [action.option_strings[0], value(action)]
    options = [
        a for a in parser._actions
        if a.option_strings and a.option_strings[0] not in LEFT_OUT and not a.required
    ]  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(options), max_size=5, unique_by=id)) if options else []
    for action in chosen:
        flag = action.option_strings[0]
        if action.nargs == 0:
            argv.append(flag)
        elif action.choices is not None:
            argv += [flag, draw(st.sampled_from([*action.choices, "bogus"]))]
        else:
            count = action.nargs if isinstance(action.nargs, int) else 1
            argv += [flag, *(value(action) for _ in range(count))]
    for action in parser._actions:
        flag = action.option_strings[0] if action.option_strings else None
        if flag in BOUNDS:
            argv += [flag, BOUNDS[flag]]
    return argv


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzzed_command_lines_end_cleanly(name, data, capsys):
    argv = data.draw(command_lines(name))
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        start = time.perf_counter()
        try:
            try:
                status = main(argv)
            except SystemExit as exc:  # argparse: a malformed command line
                status = exc.code
        finally:
            os.chdir(here)
        elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert status in (0, 1, 2, 3), (argv, status)
    assert "Traceback" not in err, argv
    if status == 1:
        errors = [line for line in err.splitlines() if line.startswith("powerseek: error: ")]
        assert len(errors) == 1, (argv, err)
    assert elapsed < TIME_BOUND, (argv, elapsed)


def test_every_working_subcommand_is_fuzzed():
    """A new subcommand is fuzzed as soon as it is added to the parser."""
    assert {"power", "optimality", "check", "shutdown", "multiagent correlation", "report"} <= set(
        COMMANDS
    )
    assert len(COMMANDS) >= 15
