"""The catalog: every environment loads, validates and matches its source."""

from pathlib import Path

import numpy as np
import pytest

import powerseek
from powerseek import UnknownEnvironmentError, gridworld, list_environments, load
from powerseek.io._catalog import catalog_path
from powerseek.io._files import read
from powerseek.mdp._structure import summarize

CATALOG = sorted(
    p.stem for p in catalog_path().iterdir() if p.suffix in (".toml", ".grid", ".json")
)


def test_catalog_is_the_repository_folder_in_a_checkout():
    # the tests run against the source tree: the packaged copy is made by the wheel build
    assert catalog_path().name in ("environments", "_catalog")
    assert len(CATALOG) >= 9


@pytest.mark.parametrize("name", CATALOG)
def test_every_environment_loads_and_validates(name):
    mdp = load(name)
    assert mdp.name == name, "the `name` entry must match the file name"
    assert mdp.metadata.get("title"), "every catalog entry has a title"
    assert mdp.metadata.get("source"), "every catalog entry cites its source"
    assert mdp.metadata.get("description")
    assert all(0.0 <= g <= 1.0 for g in mdp.metadata.get("gamma", ()))
    matrix = mdp.transition_matrix
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(matrix.data > 0)
    assert all(len(actions) >= 1 for actions in mdp.actions)
    summary = summarize(mdp)
    assert summary.closed_classes, "every finite MDP has a closed class"
    if summary.start is not None:
        assert summary.reachable_from_start == mdp.states, "the start reaches every state"
    if "grid" in mdp.metadata:
        assert read(catalog_path() / f"{name}.grid") == mdp


LEVELS = sorted(p.stem for p in catalog_path().iterdir() if p.suffix == ".level")


def test_listing_matches_the_files():
    infos = list_environments()
    assert [info.name for info in infos] == sorted(CATALOG + LEVELS)
    assert len(LEVELS) == 19
    for info in infos:
        if info.n_states is None:  # a level too large to list: counted in the benchmark
            assert info.format == "level" and info.name in (
                "side-effects-sokoban-1",
                "side-effects-sokoban-3",
            )
            continue
        mdp = load(info.name)
        assert (info.n_states, info.n_pairs, info.deterministic) == (
            mdp.n_states,
            mdp.n_pairs,
            mdp.is_deterministic,
        )
        assert info.path.is_file() and info.title and info.source


def test_turner_fig1_structure():
    mdp = load("turner-fig1")
    expected = {
        "start": ("empty", "left", "right"),
        "empty": ("empty",),
        "left": ("left_up", "left_down"),
        "right": ("right_up", "right_down"),
        "left_up": ("left_down",),
        "left_down": ("left_up", "left_down"),
        "right_up": ("right_up", "right_down"),
        "right_down": ("right_down", "right_up"),
    }
    assert mdp.states == tuple(expected)
    for state, successors in expected.items():
        assert mdp.actions_of(state) == successors
        for s in successors:
            assert mdp.transition(state, s) == {s: 1.0}
    assert mdp.terminal_states() == ("empty",)
    assert mdp.one_cycles() == ("empty", "left_down", "right_up", "right_down")
    assert not mdp.is_one_cycle("start")


def test_candy_wait_and_choice_structures():
    candy = load("candy-wait")
    assert candy.actions_of("start") == ("candy", "wait")
    assert candy.actions_of("wait") == ("chocolate", "hug")
    assert candy.terminal_states() == ("candy", "chocolate", "hug")
    choice = load("k-way-choice")
    assert len(choice.actions_of("start")) == 4 and len(choice.terminal_states()) == 4
    game = load("tic-tac-toe-fragment")
    assert len(game.actions_of("start")) == 6
    assert len(game.actions_of("play_on")) == 5
    assert len(game.terminal_states()) == 10


def test_powerplay_grids():
    grid = load("powerplay-3x3")
    assert grid.n_states == 9 and grid.metadata["gamma"] == (0.6,)
    maze = load("powerplay-maze-7x7")
    assert maze.n_states == 31
    assert gridworld.render(maze) == "\n".join(
        [".......", ".##.###", "....###", ".##....", ".##.##.", ".##....", "....##."]
    )
    # POWERplay: stay plus moves to open neighbours, no bump actions
    assert maze.actions_of((0, 6)) == ("left", "stay")
    assert maze.actions_of((0, 3)) == ("down", "left", "right", "stay")
    face = load("powerplay-robot-face")
    assert face.n_states == 220
    assert face.metadata["grid"].shape == (20, 20)
    assert face.metadata["gamma"] == (0.1, 0.99)


def test_aima_grid():
    aima = load("aima-4x3")
    assert aima.n_states == 11
    assert aima.terminal_states() == ((1, 3),)
    assert gridworld.named_cells(aima) == {"red": ((1, 3),), "start": ((2, 0),)}
    assert all(aima.is_one_cycle(s) for s in aima.states)


def test_powerplay_stochastic_mdp():
    mdp = load("powerplay-stochastic-4")
    assert mdp.states == ("1", "2", "3", "4")
    assert not mdp.is_deterministic
    assert mdp.transition("1", "H") == {"1": 1.0}
    assert mdp.transition("2", "H") == {"1": 0.5, "2": 0.5}
    assert mdp.transition("2", "R") == {"2": 0.2, "3": 0.8}
    assert mdp.transition("3", "H") == {"2": 0.3, "3": 0.7}
    assert mdp.transition("3", "R") == {"3": 0.4, "4": 0.6}
    assert mdp.transition("4", "L") == {"3": 0.9, "4": 0.1}
    assert mdp.actions_of("4") == ("L",)


def test_reconstructions_from_theory():
    fig10 = load("turner-fig10-reconstruction")
    assert fig10.states == ("s1", "s2", "s3", "s4")
    assert fig10.actions_of("s1") == ("N", "NE")
    assert fig10.transition("s1", "N") == {"s2": 1.0}
    assert fig10.terminal_states() == ("s4",)
    b3 = load("turner-b3-counterexample")
    assert b3.actions_of("s1") == ("up", "right")
    assert b3.successors("s3") == ("s4",) and b3.successors("s4") == ("s5", "s6")


def test_load_by_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[transitions]\na = ["a"]\n')
    assert load(path).name == "mine"
    assert load(str(path)).name == "mine"
    assert load(catalog_path() / "turner-fig1.toml") == load("turner-fig1")


def test_load_errors(tmp_path):
    with pytest.raises(
        UnknownEnvironmentError,
        match=r"'turner-fig' is neither a catalog environment "
        r"nor a file. Did you mean 'turner-fig1'\?.*"
        r"powerseek list",
    ):
        load("turner-fig")
    with pytest.raises(
        UnknownEnvironmentError, match=r"no such environment file: '.*nothere.toml'"
    ):
        load(str(tmp_path / "nothere.toml"))
    with pytest.raises(UnknownEnvironmentError, match="no such environment file"):
        load(Path("turner-fig1"))  # a Path is always a path, never a catalog name
    with pytest.raises(powerseek.InvalidTypeError, match="catalog name or a file path"):
        load(3)
    assert isinstance(UnknownEnvironmentError("x"), ValueError)
