"""`powerseek explore`: output, counterexample files, exit status and errors."""

import json

import pytest

from powerseek.cli import main
from powerseek.exceptions import install_hint
from powerseek.explore._conjectures import power_seeking_implies_optimal
from powerseek.io._files import read
from powerseek.rewards._spec import parse_distribution


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_list(capsys):
    status, out, _ = run(capsys, "explore", "--list")
    assert status == 0
    for name in ("power-seeking-implies-optimal", "fractional-copies", "copies-fraction"):
        assert name in out
    assert run(capsys, "explore")[1] == out


@pytest.mark.slow
def test_b36_counterexample_is_found_written_and_reloads(capsys, tmp_path):
    target = tmp_path / "ce.toml"
    status, out, err = run(
        capsys,
        "explore",
        "power-seeking-implies-optimal",
        "--gamma",
        "1",
        "--quiet",
        "-o",
        str(target),
    )
    assert status == 3 and err == ""
    assert "COUNTEREXAMPLE" in out and "seeks more POWER than" in out
    printed = out.split("the counterexample as an environment file:\n", 1)[1]
    assert "[transitions]" in printed and 'title = "Counterexample to power-seeking' in printed
    assert f"powerseek power {target} --gamma 1 --dist {tmp_path / 'ce.dist.toml'}" in out
    mdp = read(target)
    assert mdp.metadata["source"].startswith("powerseek explore power-seeking-implies-optimal")
    assert "--gamma 1" in mdp.metadata["source"]
    dist = parse_distribution(str(tmp_path / "ce.dist.toml"), mdp)
    assert power_seeking_implies_optimal(mdp, dist, 1).holds is False


def test_exhaustive_json(capsys):
    status, out, _ = run(
        capsys,
        "explore",
        "fractional-copies",
        "--exhaustive",
        "--size",
        "4",
        "--format",
        "json",
        "--quiet",
    )
    assert status == 0
    payload = json.loads(out)
    assert payload["mode"] == "exhaustive" and payload["holds"] is True
    assert payload["tried"] == 530 and payload["counterexample"] is None
    assert payload["findings"]["n=2, m=2"]["min"] == pytest.approx(0.5)


def test_user_predicate_file(capsys, tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(
        "from powerseek.exact._results import exact_power\n"
        "def small(mdp, dist, gamma):\n"
        "    '''POWER stays below 0.6.'''\n"
        "    return max(exact_power(mdp, gamma, dist=dist).power) < 0.6\n"
    )
    status, out, _ = run(
        capsys,
        "explore",
        f"{path}:small",
        "--dist",
        "bernoulli(0.5)",
        "--gamma",
        "0,1/2",
        "--max-states",
        "3",
        "--examples",
        "50",
        "--quiet",
        "-o",
        str(tmp_path / "s.json"),
    )
    assert status == 3
    assert "conjecture small: POWER stays below 0.6." in out
    assert (tmp_path / "s.json").is_file() and (tmp_path / "s.dist.toml").is_file()


def test_user_predicate_that_holds(capsys, tmp_path):
    path = tmp_path / "fine.py"
    path.write_text("def fine(mdp, dist, gamma):\n    return mdp.n_states >= 1\n")
    status, out, _ = run(
        capsys,
        "explore",
        f"{path}:fine",
        "--exhaustive",
        "--size",
        "2",
        "--quiet",
        "-o",
        str(tmp_path / "none.toml"),
    )
    assert status == 0
    assert "28 cases tried, 28 applicable, 0 violating" in out
    assert "no counterexample:" in out and not (tmp_path / "none.toml").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nope"], "neither a built-in conjecture"),
        (["fractional-copies", "--gamma", "1"], "--gamma cannot be used with it"),
        (["fractional-copies", "--dist", "uniform"], "--dist cannot be used"),
        (["power-seeking-implies-optimal", "--exhaustive", "--stochastic"], "--stochastic"),
        (["power-seeking-implies-optimal", "--size", "0"], "--size must be a positive integer"),
        (["power-seeking-implies-optimal", "--examples", "0"], "--examples must be a positive"),
        (["power-seeking-implies-optimal", "--gamma", "2"], "--gamma values must be in [0, 1]"),
        (["power-seeking-implies-optimal", "--dist", "nosuchdist"], "nosuchdist"),
        (["power-seeking-implies-optimal", "-o", "missing-dir/x.toml"], "does not exist"),
        (["power-seeking-implies-optimal", "-o", "x.grid"], "write them as .toml or .json"),
        (["missing.py:f"], "the predicate file 'missing.py' does not exist"),
    ],
)
def test_errors_are_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "explore", *argv)
    assert status == 1 and out == ""
    assert err.startswith("powerseek: error: ") and err.count("\n") == 1
    assert message in err


@pytest.mark.slow
def test_without_hypothesis_the_explorer_says_which_extra_to_install_and_the_rest_works():
    """hypothesis is the explore extra's, not a core dependency."""
    import subprocess
    import sys

    hide = "import sys; sys.modules['hypothesis'] = None\nfrom powerseek.cli import main\n"
    explore = subprocess.run(
        [sys.executable, "-c", hide + "raise SystemExit(main(['explore', '--list']))"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert explore.returncode == 1 and explore.stderr.count("\n") == 1
    # the hint names the source tree powerseek was installed from ("." here)
    assert f"needs hypothesis: {install_hint('explore')}." in explore.stderr
    assert '[explore]"' in explore.stderr and '"powerseek[' not in explore.stderr
    argv = "['power', 'candy-wait', '--gamma', '0.5', '--samples', '50', '--seed', '1', '--quiet']"
    power = subprocess.run(
        [sys.executable, "-c", hide + f"raise SystemExit(main({argv}))"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert power.returncode == 0, power.stderr
