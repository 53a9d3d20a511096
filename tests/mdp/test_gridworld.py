"""ASCII gridworlds: the legend, the conventions, rendering and errors."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import gridworld_by_cells

from powerseek import MDP, InvalidMDPError, InvalidParameterError, InvalidTypeError, ParseError
from powerseek.mdp.gridworld import ACTIONS, GridLayout, named_cells, parse, render
from strategies import gridworld_maps

OPEN_3X3 = "...\n...\n..."


def test_open_grid_has_stay_and_neighbour_moves():
    mdp = parse(OPEN_3X3)
    assert mdp.states == tuple((r, c) for r in range(3) for c in range(3))
    assert mdp.actions_of((1, 1)) == ACTIONS
    assert mdp.actions_of((0, 0)) == ("down", "right", "stay")
    assert mdp.actions_of((2, 2)) == ("up", "left", "stay")
    assert mdp.transition((1, 1), "up") == {(0, 1): 1.0}
    assert mdp.transition((1, 1), "left") == {(1, 0): 1.0}
    assert mdp.transition((1, 1), "stay") == {(1, 1): 1.0}
    assert mdp.is_deterministic
    assert mdp.n_pairs == 4 * 3 + 4 * 4 + 5  # corners, edges, centre


def test_walls_remove_moves():
    mdp = parse(".#.\n...")
    assert (0, 1) not in mdp
    assert mdp.actions_of((0, 0)) == ("down", "stay")
    assert mdp.actions_of((1, 1)) == ("left", "right", "stay")  # up is a wall


def test_legend_start_terminal_and_named_cells():
    mdp = parse("S.G\n.#g", names={"G": "goal", "g": "garden"})
    assert mdp.metadata["start"] == (0, 0)
    assert mdp.actions_of((0, 2)) == ("stay",)  # capital letters are terminal
    assert mdp.is_terminal((0, 2))
    assert mdp.actions_of((1, 2)) == ("up", "stay")  # small letters move as usual
    assert mdp.actions_of((0, 0)) == ("down", "right", "stay")  # the start is an ordinary cell
    assert named_cells(mdp) == {"start": ((0, 0),), "goal": ((0, 2),), "garden": ((1, 2),)}
    layout = mdp.metadata["grid"]
    assert layout == GridLayout(
        shape=(2, 3),
        marks=(((0, 0), "S"), ((0, 2), "G"), ((1, 2), "g")),
        names=(("G", "goal"), ("g", "garden")),
    )


def test_no_stay():
    mdp = parse("...", stay=False)
    assert mdp.actions_of((0, 1)) == ("left", "right")
    assert not mdp.one_cycles()
    # terminal cells keep their self-loop
    assert parse(".T", stay=False).actions_of((0, 1)) == ("stay",)


def test_bump_stay_keeps_all_moves():
    mdp = parse(".#\n..", bump="stay")
    assert mdp.actions_of((0, 0)) == ACTIONS
    assert mdp.transition((0, 0), "up") == {(0, 0): 1.0}
    assert mdp.transition((0, 0), "right") == {(0, 0): 1.0}  # wall
    assert mdp.transition((0, 0), "down") == {(1, 0): 1.0}
    assert mdp.is_deterministic


def test_noise_spreads_over_the_allowed_targets():
    eps = 0.2
    mdp = parse("...", noise=eps)
    # the middle cell: left, right, stay -> 3 targets
    assert mdp.transition((0, 1), "left") == pytest.approx(
        {(0, 0): 1 - eps + eps / 3, (0, 1): eps / 3, (0, 2): eps / 3}
    )
    # the left end: right, stay -> 2 targets
    assert mdp.transition((0, 0), "stay") == pytest.approx({(0, 0): 1 - eps / 2, (0, 1): eps / 2})
    assert not mdp.is_deterministic
    np.testing.assert_allclose(mdp.transition_matrix.sum(axis=1), 1.0)
    # the POWERplay formula: intended target 1 + eps(1/k - 1), others eps/k
    k = 3
    assert mdp.transition((0, 1), "right")[(0, 2)] == pytest.approx(1 + eps * (1 / k - 1))


def test_noise_with_bump_stay_counts_blocked_moves():
    mdp = parse("..", bump="stay", noise=0.5)
    # 5 actions from (0, 0): up, down, left (blocked: stay), right -> (0, 1), stay
    assert mdp.transition((0, 0), "right") == pytest.approx(
        {(0, 0): 0.5 * 4 / 5, (0, 1): 0.5 + 0.5 / 5}
    )


def test_noise_one_and_terminal_cells():
    mdp = parse(".T", noise=1.0)
    assert mdp.transition((0, 0), "right") == pytest.approx({(0, 0): 0.5, (0, 1): 0.5})
    assert mdp.transition((0, 1), "stay") == {(0, 1): 1.0}


def test_map_as_list_and_blank_lines():
    assert parse(["..", ".."]) == parse("\n\n..\n..\n\n")


def test_render_round_trips_exactly():
    text = "S..#\n.#.G\n..g."
    assert render(parse(text)) == text


def test_render_infers_a_map_from_cell_labels():
    mdp = MDP(
        {(0, 0): {"right": (0, 1)}, (0, 1): {"stay": (0, 1)}, (2, 1): {"up": (0, 1)}},
        metadata={"start": (0, 0)},
    )
    assert render(mdp) == "ST\n##\n#."


def test_render_rejects_non_grid_labels():
    with pytest.raises(InvalidMDPError, match="State 'a' is not"):
        render(MDP({"a": ["a"]}))
    with pytest.raises(InvalidTypeError, match="must be an MDP"):
        render("...")


@given(gridworld_maps())
def test_map_round_trip(text):
    """map -> MDP -> map is the identity, and the MDP has the documented shape."""
    mdp = parse(text)
    assert render(mdp) == text
    open_cells = [
        (r, c) for r, row in enumerate(text.split("\n")) for c, ch in enumerate(row) if ch != "#"
    ]
    assert list(mdp.states) == open_cells
    for state in mdp.states:
        mark = text.split("\n")[state[0]][state[1]]
        actions = mdp.actions_of(state)
        if mark.isupper() and mark != "S":
            assert actions == ("stay",)
        else:
            assert actions[-1] == "stay"
            for action in actions[:-1]:
                (target,) = mdp.transition(state, action)
                assert abs(target[0] - state[0]) + abs(target[1] - state[1]) == 1


@given(gridworld_maps())
def test_parse_is_deterministic_and_equal(text):
    assert parse(text) == parse(text)
    assert parse(text, noise=0.1).same_dynamics(parse(text)) == (
        parse(text).n_pairs == parse(text).n_states
    )


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("...\n..\n...", {}, r"<map>, line 2: row 1 has 2 columns; expected 3"),
        ("..\n.x.", {}, r"ragged|expected 2"),
        ("...\n.?.", {}, r"<map>, line 2, column 2: unknown character '\?'"),
        ("...\n. .", {}, r"line 2, column 2: unknown character ' '"),
        (
            "S..\n..S",
            {},
            r"line 2, column 3: a second start cell 'S' \(the first is at line 1, column 1\)",
        ),
        ("###\n###", {}, "the map has no open cell"),
        ("\n \n", {}, "the map is empty"),
        ("...", {"source": "maze.grid", "first_line": 5}, None),
    ],
)
def test_parse_errors(text, kwargs, message):
    if message is None:
        parse(text, **kwargs)
        with pytest.raises(ParseError, match=r"maze.grid, line 6, column 1: unknown character"):
            parse(text + "\n*..", **kwargs)
        return
    with pytest.raises(ParseError, match=message):
        parse(text, **kwargs)


def test_parse_error_positions():
    with pytest.raises(ParseError) as info:
        parse("\n\n...\n..\u00e9", source="x.grid")
    assert (info.value.source, info.value.line, info.value.column) == ("x.grid", 4, 3)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"bump": "wall"},
            InvalidParameterError,
            "`bump` must be one of 'absent', 'stay'; got 'wall'",
        ),
        ({"noise": 1.5}, InvalidParameterError, r"`noise` must be in \[0, 1\]; got 1.5"),
        ({"noise": "0.1"}, InvalidTypeError, "`noise` must be a number"),
        ({"stay": "yes"}, InvalidTypeError, "`stay` must be True or False"),
        ({"names": {"Q": "queen"}}, InvalidParameterError, "gives a name to 'Q', which the map"),
        ({"names": {"S": "begin"}}, InvalidParameterError, "other than 'S'"),
        ({"names": {"G": ""}}, InvalidTypeError, "non-empty string"),
        ({"names": ["G"]}, InvalidTypeError, "`names` must map"),
    ],
)
def test_option_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        parse("S.G", **kwargs)


@pytest.mark.parametrize(
    "name, message",
    [
        ("(0, 1)", "reads as a cell"),
        ("( 0,1 )", "reads as a cell"),
        ("(9, 9)", "reads as a cell"),
        ("H", "already the name of the letter 'H'"),
        ("start", "already the name of the start cell"),
    ],
)
def test_a_legend_name_that_reads_as_another_label_is_refused(name, message):
    """--dist "(0,1)=..." once picked the cell (0, 1), silently, when G was named "(0, 1)"."""
    with pytest.raises(InvalidParameterError, match=message):
        parse("S.G\n..H", names={"G": name})
    from powerseek.mdp._labels import parse_state

    mdp = parse("S.G\n..H", names={"G": "goal", "H": "home"})  # distinct names still work
    assert parse_state(mdp, "goal") == (0, 2) and parse_state(mdp, "(0,1)") == (0, 1)


def test_isolated_cell_without_stay():
    with pytest.raises(
        InvalidParameterError,
        match=r"cell \(0, 3\) \(<map>, line 1, column 4\) has no "
        r"open neighbour and `stay` is off",
    ):
        parse("..#.", stay=False)
    assert parse("..#.", stay=False, bump="stay").actions_of((0, 3)) == (
        "up",
        "down",
        "left",
        "right",
    )


def test_map_type_errors():
    with pytest.raises(InvalidTypeError, match="string or a list of strings"):
        parse(3)
    with pytest.raises(InvalidTypeError, match="found int 3"):
        parse(["..", 3])


@given(
    gridworld_maps(),
    st.booleans(),
    st.sampled_from(["absent", "stay"]),
    st.sampled_from([0.0, 0.1, 1 / 3, 1.0]),
    st.lists(st.integers(0, 2**16), max_size=6),
)
def test_vectorised_compiler_matches_a_cell_by_cell_build(text, stay, bump, noise, picks):
    try:
        open_map = parse(text, stay=stay, bump=bump, noise=noise)
        # thin walls between some pairs of neighbouring open cells
        cells = set(open_map.states)
        pairs = [(r, c, d) for r, c in sorted(cells) for d, (dr, dc) in
                 (("down", (1, 0)), ("right", (0, 1))) if (r + dr, c + dc) in cells]  # fmt: skip
        walls = [pairs[k % len(pairs)] for k in picks] if pairs else []
        mdp = parse(text, stay=stay, bump=bump, noise=noise, walls=walls)
    except InvalidParameterError:  # a cell without actions: refused either way
        return
    actions, matrix = gridworld_by_cells(mdp)
    assert mdp.actions == actions
    ours = mdp.transition_matrix
    assert np.array_equal(ours.indptr, matrix.indptr)
    assert np.array_equal(ours.indices, matrix.indices)
    # the same probabilities (the MDP renormalises rows whose sum is off by rounding)
    sums = np.add.reduceat(matrix.data, matrix.indptr[:-1])
    expected = matrix.data / np.repeat(sums, np.diff(matrix.indptr))
    np.testing.assert_allclose(ours.data, expected, rtol=4e-16, atol=0)


def test_thin_walls():
    mdp = parse("...\n...", walls=[(0, 1, "down"), (1, 2, "left")])
    assert mdp.actions_of((0, 1)) == ("left", "right", "stay")  # not down
    assert mdp.actions_of((1, 1)) == ("left", "stay")  # not up, not right
    bumped = parse("...\n...", bump="stay", walls=[(0, 1, "down")])
    assert bumped.transition((0, 1), "down") == {(0, 1): 1.0}
    assert bumped.transition((1, 1), "up") == {(1, 1): 1.0}
    assert bumped.metadata["grid"].walls == (((0, 1), "down"),)
    for walls, message in [
        ([(0, 2, "right")], r"must lie between two open cells; \(0, 2\) and \(0, 3\)"),
        ([(0, 0, "north")], r"`walls`\[0\] must be \(row, col, direction\)"),
        ([(0, 0)], r"`walls`\[0\] must be"),
    ]:
        with pytest.raises(InvalidParameterError, match=message):
            parse("...\n...", walls=walls)
    with pytest.raises(InvalidTypeError, match="`walls` must be a list"):
        parse("...", walls="0 0 down")


def test_a_million_cells_build_without_python_loops_over_cells():
    side = 1000
    mdp = parse("\n".join(["." * side] * side))
    assert mdp.n_states == side * side
    assert mdp.n_pairs == 5 * side * side - 4 * side
    assert mdp.actions_of((0, 0)) == ("down", "right", "stay")
    assert mdp.transition((500, 500), "up") == {(499, 500): 1.0}


def test_legend_names_are_state_names_in_python_as_on_the_command_line():
    """`state='door'` works wherever a state is taken, and results carry the cell."""
    import powerseek
    from powerseek.exceptions import UnknownStateError

    mdp = parse("S.D\n..G\nG..", names={"D": "door", "G": "goal"})
    assert mdp.legend_names() == {
        "start": ((0, 0),), "door": ((0, 2),), "goal": ((1, 2), (2, 0))
    }  # fmt: skip
    assert mdp.index("door") == mdp.index((0, 2)) and mdp.index("start") == 0
    result = powerseek.optimality(mdp, 0.9, state="door", n_samples=50, rng=0)
    assert result.states == ((0, 2),)
    seeking = powerseek.power_seeking(mdp, "start", 0.9, n_samples=50, rng=0)
    assert seeking.state == (0, 0)
    with pytest.raises(UnknownStateError, match=r"'goal' names 2 cells .*\(row, col\)"):
        mdp.index("goal")
    with pytest.raises(UnknownStateError, match="Did you mean 'door'"):
        mdp.index("dor")


def test_show_lists_a_named_terminal_by_its_name(capsys):
    from powerseek.cli import main

    assert main(["show", "aima-4x3"]) == 0
    assert "terminal states: 1: (1, 3) [red]" in capsys.readouterr().out
    assert main(["show", "aima-4x3", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["names"]["red"] == ["(1, 3)"]
