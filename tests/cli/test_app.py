"""The command line, through its entry point and as a subprocess."""

import json
import subprocess
import sys

import networkx as nx
import pytest

from powerseek import load
from powerseek.cli import main
from powerseek.io._catalog import catalog_path

CATALOG = sorted(
    p.stem for p in catalog_path().iterdir() if p.suffix in (".toml", ".grid", ".json", ".level")
)

#: Levels of millions of states (a minute and gigabytes each to compile): shown in
#: tests/mdp/test_objects.py on a refused budget, not in the loops below.
LARGE = ("side-effects-sokoban-1", "side-effects-sokoban-3")
SHOWN = [name for name in CATALOG if name not in LARGE]


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_list(capsys):
    status, out, err = run(capsys, "list")
    assert status == 0 and err == ""
    for name in CATALOG:
        assert name in out
    assert f"{len(CATALOG)} environments" in out


def test_list_json(capsys):
    status, out, _ = run(capsys, "list", "--format", "json")
    entries = json.loads(out)
    assert [e["name"] for e in entries] == CATALOG
    maze = next(e for e in entries if e["name"] == "powerplay-maze-7x7")
    assert maze["n_states"] == 31 and maze["deterministic"] is True and maze["format"] == "grid"


@pytest.mark.parametrize("name", SHOWN)
def test_show_every_catalog_environment(capsys, name):
    status, out, err = run(capsys, "show", name)
    assert status == 0 and err == ""
    mdp = load(name)
    assert out.startswith(f"{name}: {mdp.metadata['title']}")
    assert f"states:          {mdp.n_states}" in out
    assert ("deterministic" if mdp.is_deterministic else "stochastic") in out
    assert "reachability:" in out
    if "grid" in mdp.metadata:
        from powerseek.mdp.gridworld import render

        for row in render(mdp).split("\n"):
            assert f"  {row}\n" in out


@pytest.mark.parametrize("name", SHOWN)
def test_show_json_every_catalog_environment(capsys, name):
    status, out, _ = run(capsys, "show", name, "--format", "json")
    assert status == 0
    payload = json.loads(out)
    mdp = load(name)
    assert payload["environment"] == name
    assert payload["n_states"] == mdp.n_states and len(payload["states"]) == mdp.n_states
    assert payload["deterministic"] == mdp.is_deterministic
    for state, per_action in zip(payload["states"], mdp.actions):
        assert list(payload["transitions"][state]) == [str(a) for a in per_action]
        for distribution in payload["transitions"][state].values():
            assert sum(distribution.values()) == pytest.approx(1.0)
    assert (payload["map"] is not None) == ("grid" in mdp.metadata)


def test_show_lists_transitions(capsys):
    _, out, _ = run(capsys, "show", "powerplay-stochastic-4")
    assert "  2  L -> 1 | H -> {1: 0.5, 2: 0.5} | R -> {2: 0.2, 3: 0.8}" in out
    _, out, _ = run(capsys, "show", "powerplay-robot-face")
    assert "180 more states (use --all to list them)" in out
    _, out, _ = run(capsys, "show", "powerplay-robot-face", "--all")
    assert "more states" not in out and "(19, 17)" in out


def test_show_a_node_link_file_written_by_networkx(capsys, tmp_path):
    graph = nx.MultiDiGraph(name="coin")
    graph.add_edge("s", "s", action="flip", p=0.5)
    graph.add_edge("s", "t", action="flip", p=0.5)
    graph.add_edge("t", "t", action="stay", p=1.0)
    path = tmp_path / "coin.json"
    path.write_text(json.dumps(nx.node_link_data(graph, edges="edges")))
    status, out, err = run(capsys, "show", str(path))
    assert status == 0 and err == ""
    assert out.startswith("coin")
    assert "stochastic" in out and "flip -> {s: 0.5, t: 0.5}" in out
    status, out, _ = run(capsys, "show", str(path), "--format", "json")
    assert json.loads(out)["transitions"]["s"]["flip"] == {"s": 0.5, "t": 0.5}


def test_show_a_gridworld_file(capsys, tmp_path):
    path = tmp_path / "room.grid"
    path.write_text("title = 'Room'\nnoise = 0.1\n---\nS.\n.G\n")
    status, out, _ = run(capsys, "show", str(path))
    assert status == 0
    assert "  S.\n  .G\n" in out and "noise = 0.1" in out and "start (0, 0)" in out


def test_convert(capsys, tmp_path):
    target = tmp_path / "fig1.json"
    status, out, _ = run(capsys, "convert", "turner-fig1", str(target))
    assert status == 0 and "wrote" in out
    assert load(target) == load("turner-fig1")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "no-such-env"], "'no-such-env' is neither a catalog environment nor a file"),
        (["show", "missing.toml"], "no such environment file: 'missing.toml'"),
        (["convert", "turner-fig1", "out.yaml"], "cannot tell the format from the suffix '.yaml'"),
        (
            ["convert", "powerplay-3x3", "grid.toml"],
            "TOML environment files need string state labels",
        ),
    ],
)
def test_errors_are_one_line(capsys, argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert err.startswith("powerseek: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_file_reports_file_and_line(capsys, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[transitions]\na = ["a"]\nb = ["nowhere"]\n')
    status, _, err = run(capsys, "show", str(path))
    assert status == 1
    assert f"{path}, line 3: transition from state 'b'" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["show"])
    assert info.value.code == 2
    assert "ENV" in capsys.readouterr().err


def test_help_for_newcomers(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "powerseek list" in out and "show" in out
    assert main([]) == 0  # no command prints the help
    assert "COMMAND" in capsys.readouterr().out


def test_console_script_subprocess(tmp_path):
    """The installed entry point: real process, real exit codes, no traceback."""
    ok = subprocess.run(
        [sys.executable, "-m", "powerseek", "show", "candy-wait"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and "candy-wait: Candy or Wait!" in ok.stdout
    bad = tmp_path / "bad.grid"
    bad.write_text("..\n.x?\n")
    failed = subprocess.run(
        [sys.executable, "-m", "powerseek", "show", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        f"powerseek: error: {bad}, line 2: row 1 has 3 columns; expected 2, as the first row "
        "(line 1). Every row of a map has the same width: pad with '#'."
    )
