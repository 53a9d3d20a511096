"""Environment files: the TOML, map and node-link JSON formats."""

import json

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerseek import (
    MDP,
    InvalidTypeError,
    ParseError,
    PowerseekError,
    from_graph,
    gridworld,
    load,
    save,
    to_graph,
)
from powerseek.io import _files as files
from powerseek.io._files import dumps, format_of, loads, read, write
from strategies import gridworld_maps, stochastic_multigraphs, successor_graphs

GRAPH_TOML = """\
name = "coin"
title = "A coin"
source = "Made up for a test"
description = "Flip or stay."
gamma = [0.5, 0.9]
start = "s"

[transitions]
t = ["t"]

[transitions.s]
flip = { s = "1/2", t = 0.5 }
stay = "s"
"""


def write_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- TOML


def test_toml_graph(tmp_path):
    mdp = read(write_text(tmp_path, "coin.toml", GRAPH_TOML))
    assert mdp.name == "coin"
    assert mdp.states == ("t", "s")
    assert mdp.transition("s", "flip") == {"t": 0.5, "s": 0.5}
    assert dict(mdp.metadata) == {
        "title": "A coin",
        "source": "Made up for a test",
        "description": "Flip or stay.",
        "gamma": (0.5, 0.9),
        "start": "s",
    }


def test_toml_name_defaults_to_the_file_stem(tmp_path):
    path = write_text(tmp_path, "tiny.toml", '[transitions]\na = ["a"]\n')
    assert read(path).name == "tiny"
    assert read(path).metadata == {}


def test_toml_states_fix_the_order():
    mdp = loads('states = ["b", "a"]\n[transitions]\na = ["b"]\nb = ["b"]\n', "toml")
    assert mdp.states == ("b", "a")


@given(successor_graphs(named_actions=False))
def test_toml_round_trip_successor_graphs(graph):
    mdp = from_graph(nx.relabel_nodes(graph, lambda s: f"n{s}".replace(" ", "")), name="g")
    assert loads(dumps(mdp, "toml"), "toml") == mdp


@given(stochastic_multigraphs())
def test_toml_round_trip_stochastic(graph):
    mdp = from_graph(nx.relabel_nodes(graph, lambda s: f"<{s}>"), name="g")
    mdp = mdp.with_metadata(title='quotes " and \\ backslash', gamma=(0.25,))
    assert loads(dumps(mdp, "toml"), "toml") == mdp


def test_toml_keeps_state_order_with_mixed_forms():
    mdp = MDP({"a": {"go": "b"}, "b": ["b"], "c": {"x": {"a": 0.5, "c": 0.5}}}, name="mixed")
    text = dumps(mdp, "toml")
    assert "states = " in text
    assert loads(text, "toml") == mdp


def test_toml_write_needs_string_labels():
    with pytest.raises(
        InvalidTypeError, match=r"string state labels; state \(0, 0\) is a tuple.*\.grid"
    ):
        dumps(gridworld.parse(".."), "toml")
    with pytest.raises(InvalidTypeError, match="string action labels; action 1 of state 'a'"):
        dumps(MDP({"a": {1: "a"}}), "toml")
    with pytest.raises(InvalidTypeError, match="also has 'colour'"):
        dumps(MDP({"a": ["a"]}, metadata={"colour": "red"}), "toml")


TOML_ERRORS = [
    (
        '[transitions]\na = ["a", \n',
        r"bad.toml, line 3: invalid TOML: .* at the end of the document",
    ),
    ('[transitions]\na = ["a"\nb = 1\n', r"bad.toml, line 3, column 1: invalid TOML"),
    (
        'titel = "x"\n[transitions]\na = ["a"]\n',
        r"bad.toml, line 1: unknown key 'titel' in a graph environment file. "
        r"Did you mean 'title'\?",
    ),
    (
        'title = 3\n[transitions]\na = ["a"]\n',
        r"line 1: `title` must be a string; found an integer",
    ),
    (
        'gamma = 1.5\n[transitions]\na = ["a"]\n',
        r"line 1: the suggested `gamma` must be in \[0, 1\]",
    ),
    (
        'gamma = ["x"]\n[transitions]\na = ["a"]\n',
        r"line 1: the suggested `gamma` must be a number",
    ),
    ('name = "x"\n', r"needs a \[transitions\] table"),
    (
        "transitions = 3\n",
        r"line 1: a graph environment needs a \[transitions\] table.*found an integer",
    ),
    ('states = "a"\n[transitions]\na = ["a"]\n', r"line 1: `states` must be a list"),
    ('start = "z"\n[transitions]\na = ["a"]\n', r"line 1: the start state 'z' is not a state"),
    (
        '[transitions]\na = ["a"]\nb = ["c"]\n',
        r"bad.toml, line 3: transition from state 'b' under action 'c' goes to 'c', "
        r"which is not a state",
    ),
    ('[transitions]\na = ["a"]\nb = []\n', r"line 3: State 'b' has no action"),
    (
        '[transitions]\na = ["a"]\n\n[transitions.b]\nx = { a = 0.5, b = 0.4 }\n',
        r"line 4: transition probabilities out of state 'b' under action 'x' sum to 0.9, not 1",
    ),
    (
        '[transitions]\na = ["a"]\n"b c" = { x = { a = -0.5, "b c" = 1.5 } }\n',
        r"line 3: The transition probability from state 'b c' under action 'x' to 'a' must be in",
    ),
    ('[transitions]\na = { x = { a = "half" } }\n', r"line 2: .*got the string 'half'"),
    ('[transitions]\na = "a"\n', r"line 2: the actions of state 'a' must be a list"),
    ('[transitions]\na = ["a", "a"]\n', r"line 2: state 'a' lists the successor 'a' twice"),
]


@pytest.mark.parametrize(("text", "message"), TOML_ERRORS)
def test_toml_errors_name_file_and_line(tmp_path, text, message):
    path = write_text(tmp_path, "bad.toml", text)
    before = path.read_bytes()
    with pytest.raises(ParseError, match=message):
        read(path)
    assert path.read_bytes() == before  # reading loses nothing


# ---------------------------------------------------------------- maps


GRID_FILE = """\
name = "room"
title = "A room"
gamma = 0.9
stay = false
bump = "stay"
noise = 0.1

[names]
G = "goal"
---
S.#
..G
"""


def test_grid_file_with_header(tmp_path):
    mdp = read(write_text(tmp_path, "room.grid", GRID_FILE))
    assert mdp.name == "room"
    assert mdp.metadata["title"] == "A room" and mdp.metadata["gamma"] == (0.9,)
    assert mdp.metadata["start"] == (0, 0)
    assert mdp.metadata["grid"] == gridworld.GridLayout(
        shape=(2, 3),
        marks=(((0, 0), "S"), ((1, 2), "G")),
        names=(("G", "goal"),),
        stay=False,
        bump="stay",
        noise=0.1,
    )
    assert mdp.actions_of((0, 0)) == ("up", "down", "left", "right")
    assert gridworld.named_cells(mdp)["goal"] == ((1, 2),)


def test_grid_file_without_header(tmp_path):
    mdp = read(write_text(tmp_path, "plain.grid", "..\n.."))
    assert mdp.name == "plain" and mdp.n_states == 4


def test_grid_write_round_trip(tmp_path):
    mdp = read(write_text(tmp_path, "room.grid", GRID_FILE))
    assert loads(dumps(mdp, "grid"), "grid") == mdp


@given(gridworld_maps())
def test_grid_round_trip_random_maps(text):
    mdp = gridworld.parse(text, name="m", metadata={"title": "t", "gamma": (0.5,)})
    assert loads(dumps(mdp, "grid"), "grid") == mdp


def test_thin_walls_in_a_grid_file():
    maze = load("klyubin-maze")
    assert len(maze.metadata["grid"].walls) == 22
    assert loads(dumps(maze, "grid"), "grid") == maze
    assert maze.transition((1, 0), "down") == {(1, 0): 1.0}  # Klyubin's wall A
    with pytest.raises(
        ParseError, match=r"line 1: `walls`\[0\] = \(0, 0, 'up'\) must lie between two open"
    ):
        loads('walls = [[0, 0, "up"]]\n---\n..\n', "grid")


def test_grid_write_refuses_what_it_would_lose():
    with pytest.raises(InvalidTypeError, match="only MDPs compiled from a map"):
        dumps(MDP({"a": ["a"]}), "grid")
    mdp = gridworld.parse("S.")
    with pytest.raises(InvalidTypeError, match="start state is not the map's 'S' cell"):
        dumps(mdp.with_metadata(start=(0, 1)), "grid")
    with pytest.raises(InvalidTypeError, match="also has 'colour'"):
        dumps(mdp.with_metadata(colour="red"), "grid")


GRID_ERRORS = [
    (
        "name = 'x'\n..\n",
        r"bad.grid, line 1: found '=' in the map; a header .* must end with a line '---'",
    ),
    (
        "nmae = 'x'\n---\n..\n",
        r"bad.grid, line 1: unknown key 'nmae' in a gridworld file header. "
        r"Did you mean 'name'\?",
    ),
    ("start = 'x'\n---\n..\n", r"line 1: unknown key 'start'"),
    ("bump = 'wall'\n---\n..\n", r"bad.grid, line 1: `bump` must be one of"),
    ("\n\nnoise = 2\n---\n..\n", r"bad.grid, line 3: `noise` must be in \[0, 1\]"),
    ("names = 'G'\n---\n.G\n", r"line 1: `names` must be a table"),
    ("[names]\nQ = 'queen'\n---\n.G\n", r"line 1: `names` gives a name to 'Q'"),
    ("title = 'x'\n---\n...\n..\n", r"bad.grid, line 4: row 1 has 2 columns; expected 3"),
    ("title = 'x'\n---\n\n...\n.?.\n", r"bad.grid, line 5, column 2: unknown character '\?'"),
    ("gamma = [\n---\n..\n", r"bad.grid, line 1: invalid TOML"),
    (
        "title = 'x'\ngamma = [1\nstay = true\n---\n..\n",
        r"bad.grid, line 3, column 1: invalid TOML",
    ),
]


@pytest.mark.parametrize(("text", "message"), GRID_ERRORS)
def test_grid_errors_name_file_and_line(tmp_path, text, message):
    with pytest.raises(ParseError, match=message):
        read(write_text(tmp_path, "bad.grid", text))


# ---------------------------------------------------------------- node-link JSON


def test_json_written_by_networkx(tmp_path):
    graph = nx.DiGraph(name="fig", title="A graph")
    graph.add_edges_from([((0, 0), (0, 1)), ((0, 1), (0, 1)), ((0, 0), (0, 0))])
    graph.add_edge((0, 1), (0, 0), action="back")
    path = tmp_path / "fig.json"
    path.write_text(json.dumps(nx.node_link_data(graph, edges="edges")))
    mdp = read(path)
    assert mdp == from_graph(graph)
    assert mdp.states == ((0, 0), (0, 1))  # JSON lists come back as tuples
    assert mdp.actions_of((0, 1)) == ((0, 1), "back")
    assert mdp.name == "fig" and mdp.metadata["title"] == "A graph"


def test_json_with_the_older_links_key(tmp_path):
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "a", action="x", p=0.5)
    graph.add_edge("a", "b", action="x", p=0.5)
    graph.add_edge("b", "b", action="y", p=1)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(nx.node_link_data(graph, edges="links")))
    mdp = read(path)
    assert mdp.transition("a", "x") == {"a": 0.5, "b": 0.5}
    assert mdp.name == "old"


@given(stochastic_multigraphs())
def test_json_round_trip_keeps_action_order(graph):
    mdp = from_graph(graph, name="g")
    text = dumps(mdp, "json")
    assert loads(text, "json") == mdp
    # networkx reads the same file as the graph powerseek would build
    again = nx.node_link_graph(
        {
            **json.loads(text),
            "nodes": [{"id": _tuple(n["id"])} for n in json.loads(text)["nodes"]],
            "edges": [
                {**e, "source": _tuple(e["source"]), "target": _tuple(e["target"])}
                for e in json.loads(text)["edges"]
            ],
        },
        edges="edges",
    )
    assert from_graph(again).to_dict() == mdp.to_dict()


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def test_json_round_trip_gridworld():
    mdp = gridworld.parse("S.#\n..G", names={"G": "goal"}, noise=0.25, name="grid")
    again = loads(dumps(mdp, "json"), "json")
    assert again == mdp
    assert gridworld.render(again) == "S.#\n..G"


JSON_ERRORS = [
    ('{"nodes": [', r"bad.json, line 1, column 12: invalid JSON"),
    ("[1, 2]", r"expected a networkx node-link object"),
    ('{"nodes": []}', r"has no 'edges' \(or 'links'\) list"),
    ('{"nodes": [1], "edges": []}', r"'nodes' must be a list of objects"),
    ('{"directed": false, "nodes": [{"id": 1}], "edges": []}', r"undirected"),
    ('{"nodes": [{"name": 1}], "edges": []}', r"node 0 has no 'id'"),
    ('{"nodes": [{"id": 1}, {"id": 1}], "edges": []}', r"node 1 repeats the id 1"),
    ('{"nodes": [{"id": {"a": 1}}], "edges": []}', r"node 0: the label \{'a': 1\} is not"),
    ('{"nodes": [{"id": 1}], "edges": [{"source": 1}]}', r"edge 0 has no 'target'"),
    (
        '{"nodes": [{"id": 1}], "edges": [{"source": 1, "target": 2}]}',
        r"edge 0 has the target 2, which is not a node",
    ),
    (
        '{"nodes": [{"id": 1}], "edges": [{"source": 1, "target": 1}, {"source": 1, "target": 1}]}',
        r"edge 1 repeats 1 -> 1 in a graph that is not a multigraph",
    ),
    (
        '{"nodes": [{"id": 1}, {"id": 2}], "edges": [{"source": 1, "target": 1}]}',
        r"bad.json: state 2 has no out-edge",
    ),
    (
        '{"multigraph": true, "nodes": [{"id": 1}], "edges": [{"source": 1, "target": 1, '
        '"action": "a", "p": 0.5}]}',
        r"bad.json: transition probabilities out of state 1 under action "
        r"'a' sum to 0.5",
    ),
    (
        '{"graph": {"gamma": 3}, "nodes": [{"id": 1}], "edges": [{"source": 1, "target": 1}]}',
        r"`gamma` must be in \[0, 1\]",
    ),
    ('{"graph": [], "nodes": [{"id": 1}], "edges": []}', r"'graph' must be an object"),
]


@pytest.mark.parametrize(("text", "message"), JSON_ERRORS)
def test_json_errors_name_the_file(tmp_path, text, message):
    with pytest.raises(ParseError, match=message):
        read(write_text(tmp_path, "bad.json", text))


# ---------------------------------------------------------------- reading and writing


def test_unreadable_files(tmp_path):
    with pytest.raises(ParseError, match=r"missing.toml: cannot read the file"):
        read(tmp_path / "missing.toml")
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(ParseError, match="is a directory"):
        read(tmp_path / "folder.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ParseError, match="binary.toml: not UTF-8 text"):
        read(binary)
    with pytest.raises(ParseError, match=r"cannot tell the format from the suffix '.yaml'"):
        read(tmp_path / "env.yaml")
    with pytest.raises(ParseError, match="unknown format 'yaml'"):
        loads("", "yaml")


def test_format_of():
    assert format_of("a/b.TOML") == "toml"
    assert format_of("x.txt", "grid") == "grid"


def test_write_is_atomic_and_loses_nothing(tmp_path):
    target = tmp_path / "env.toml"
    target.write_text("precious")
    with pytest.raises(InvalidTypeError):
        write(gridworld.parse(".."), target)  # tuple labels cannot go to TOML
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env.toml"]  # no temporary left
    mdp = load("candy-wait")
    assert save(mdp, target) == target
    assert read(target) == mdp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env.toml"]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_catalog_graphs_round_trip(tmp_path, suffix):
    for name in (
        "turner-fig1",
        "candy-wait",
        "powerplay-stochastic-4",
        "turner-fig10-reconstruction",
    ):
        mdp = load(name)
        assert read(save(mdp, tmp_path / f"{name}{suffix}")) == mdp


@pytest.mark.parametrize("suffix", [".grid", ".json"])
def test_catalog_maps_round_trip(tmp_path, suffix):
    for name in ("powerplay-maze-7x7", "aima-4x3", "powerplay-robot-face"):
        mdp = load(name)
        assert read(save(mdp, tmp_path / f"{name}{suffix}")) == mdp


def test_to_graph_of_a_loaded_file_is_the_users_graph(tmp_path):
    mdp = load("turner-fig1")
    graph = to_graph(mdp)
    assert sorted(graph.successors("start")) == ["empty", "left", "right"]
    assert graph.graph["name"] == "turner-fig1"


#: Labels that read alike in some format: cells with other spacing, numbers as text,
#: bracketed and joint-looking names, stray whitespace.
CONFUSABLE = [
    "(0, 0)", "(0,0)", "( 0, 0 )", "(00, 0)", "0", "00", "1", "1.0", "true", "a", "a ", " a",
    "A", "a\t", "[a]", "a_H^b_A", "a_H^a_A", "s", "s'", '"s"', "s\\", "é", "e\u0301",
]  # fmt: skip


@settings(max_examples=max(60, settings().max_examples))
@given(st.lists(st.sampled_from(CONFUSABLE), min_size=1, max_size=6, unique=True),
       st.sampled_from(["toml", "json", "gv"]))  # fmt: skip
def test_every_reader_round_trips_labels_one_to_one(labels, kind):
    """No silent merge: distinct states written to a file read back as distinct states, in
    order, with their own dynamics, or the writer or the reader refuses the file."""
    n = len(labels)
    # a ring with a self-loop at each state: every state's dynamics differ from the others'
    mdp = MDP({s: list(dict.fromkeys([labels[(i + 1) % n], s])) for i, s in enumerate(labels)})
    try:
        text = files.dumps(mdp, kind)
        back = files.loads(text, kind, source=f"labels.{kind}")
    except PowerseekError:
        # refused, and said so: nothing merged. TOML and JSON hold any string label; DOT's
        # labels are decoded (cells, joint labels), so .gv refuses those that would change
        assert kind == "gv"
        return
    assert back.n_states == n
    names = dict(zip(mdp.states, back.states))
    assert len(set(names.values())) == n
    for s in mdp.states:
        successors = {names[t] for a in mdp.actions_of(s) for t in mdp.transition(s, a)}
        assert {t for a in back.actions_of(names[s]) for t in back.transition(names[s], a)} == (
            successors
        )


#: Malformed files whose errors once could lose their line number unseen (a reader's
#: ``line=`` dropped passed every test): each error must name the line.
LINE_CASES = [
    ("gv", 'digraph {\n a -> b;\n c [label=<x <b>y</b>', "line 3: an HTML string"),
    ("gv", "digraph {\n a -> b;\n c -> d ` }", "line 3: unexpected character '`'"),
    ("gv", "digraph {\n a -> b;\n /* never", "line 3: a comment '/\\*' is never closed"),
    ("gv", 'digraph {\n a -> b;\n "x" + c -> d }', "line 3: '\\+' must join two quoted"),
    ("gv", 'digraph { "[s]" -> "[go]__[s]";\n"[go]__[s]" -> "[s]__[go]__[s]" }',
     "line 2: the edge of action node .* has no weight"),
    ("gv", 'digraph { "[s]" -> "[go]__[s]";\n"[s]" -> "[stay]__[s]";\n'
     '"[go]__[s]" -> "[s]__[go]__[s]" [weight=1] }', r"line 2: action node '\[stay\]__\[s\]' is "
     "dangling"),
    ("json", '{"directed": true,\n "nodes": [{"id": "a"}],\n "links": [{"source": "a", '
     '"target": "a", "p": NaN}]}', "line 3: invalid JSON: NaN is not a JSON number"),
    ("grid", 'name = "x"\n---\n###\n###', "line 3: the map has no open cell"),
    ("grid", 'name = "x"\n---\n\n   \n', r"line \d+: the map is empty"),
]  # fmt: skip


@pytest.mark.parametrize("kind, text, message", LINE_CASES)
def test_errors_keep_their_line_numbers(kind, text, message):
    with pytest.raises(ParseError, match=f"^broken.{kind}, {message}"):
        loads(text, kind, source=f"broken.{kind}")
