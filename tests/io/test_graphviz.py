"""POWERplay graphviz files (.gv): reading, writing, bad input."""

from pathlib import Path

import catalog
import numpy as np
import pytest

from powerseek import MDP, ParseError, load, power
from powerseek.io import _graphviz as graphviz
from powerseek.io import read, write
from powerseek.io._dot import parse_dot
from powerseek.mdp.gridworld import GridLayout

DATA = Path(__file__).parent / "data"


def test_plain_successor_graph_with_unicode_labels():
    mdp = read(DATA / "paper.gv")
    assert mdp.name == "POWER paper MDP"
    assert mdp.states == ("★", "∅", "ℓ_◁", "r_▷")
    assert mdp.actions_of("★") == ("∅", "ℓ_◁", "r_▷")
    assert mdp.is_deterministic and mdp.transition("★", "r_▷") == {"r_▷": 1.0}
    assert mdp.terminal_states() == ("∅", "ℓ_◁", "r_▷")


def test_stochastic_gridworld_reads_cells_and_weights():
    mdp = read(DATA / "slip_1x3.gv")
    assert mdp.states == ((0, 0), (0, 1), (0, 2))
    assert mdp.actions_of((0, 1)) == ("left", "right")
    assert mdp.transition((0, 0), "right") == {
        (0, 1): 0.6666666666666666,
        (0, 0): 0.3333333333333333,
    }
    assert mdp.transition((0, 1), "right") == {(0, 2): 0.7, (0, 1): 0.3}
    assert mdp.metadata["grid"] == GridLayout(shape=(1, 3), stay=False)  # (0, 1) cannot stay
    # hand-checked: from (0, 1) at γ = 1/2 with R = (0, 0, 1), going right is worth
    # V = 0.7·2 + 0.3·γV... : V(0,2) = 2, V(0,1) = γ(0.7·2 + 0.3·V(0,1)) -> 1.4/1.7
    from powerseek import solve

    result = solve(mdp, np.array([0.0, 0.0, 1.0]), 0.5, tol=1e-12)
    assert result.values[0, 1] == pytest.approx(0.7 / 0.85, abs=1e-10)


def test_older_unbracketed_form():
    mdp = read(DATA / "old_form.gv")
    assert mdp.states == ("a", "b")
    assert mdp.transition("a", "go") == {"b": 0.25, "a": 0.75}


def test_joint_states_and_actions_become_tuples():
    mdp = read(DATA / "joint_1x2.gv")
    assert mdp.metadata["agents"] == ("H", "A")
    assert ((0, 0), (0, 1)) in mdp
    assert mdp.actions_of(((0, 0), (0, 1))) == (("right", "stay"), ("stay", "left"))
    assert mdp.transition(((0, 0), (0, 1)), ("stay", "left")) == {((0, 0), (0, 0)): 1.0}
    assert graphviz.parse(graphviz.dump(mdp), "<gv>", None) == mdp


def test_policy_graph():
    policy = graphviz.read_policy(DATA / "policy_1x2.gv")
    assert policy == {
        ((0, 0), (0, 1)): {"left": 1.0},
        ((0, 1), (0, 1)): {"left": 0.5, "stay": 0.5},
    }
    text = graphviz.dump_policy(policy, agents=("H", "A"))
    assert graphviz.parse_policy(text) == policy
    with pytest.raises(ParseError, match="policy graph.*read_policy"):
        read(DATA / "policy_1x2.gv")
    with pytest.raises(ParseError, match="not a policy graph"):
        graphviz.read_policy(DATA / "slip_1x3.gv")


@pytest.mark.parametrize("name", catalog.names(levels=False))
def test_catalog_round_trips(name, tmp_path):
    mdp = catalog.load(name)
    path = write(mdp, tmp_path / f"{name}.gv")
    back = read(path)
    assert back.states == mdp.states and back.actions == mdp.actions
    assert back.same_dynamics(mdp)
    assert back.name == mdp.name
    for key in ("title", "source", "gamma", "start"):
        assert back.metadata.get(key) == mdp.metadata.get(key)
    if "grid" in mdp.metadata:  # the map's shape survives, so the figures work
        assert back.metadata["grid"].shape == mdp.metadata["grid"].shape


def test_power_agrees_after_the_trip(tmp_path):
    mdp = load("powerplay-3x3")
    back = read(write(mdp, tmp_path / "grid.dot"))
    a = power(mdp, 0.9, n_samples=200, rng=1)
    b = power(back, 0.9, n_samples=200, rng=1)
    np.testing.assert_array_equal(a.power, b.power)


def test_probabilities_survive_exactly():
    mdp = MDP({"s": {"go": {"s": 0.1, "t": 0.9}}, "t": {"stay": "t"}})
    back = graphviz.parse(graphviz.dump(mdp), "<gv>", None)
    assert back.transition("s", "go") == {"s": 0.1, "t": 0.9}


def test_dot_syntax_accepted():
    text = """/* header */
    # a preprocessor line
    strict digraph g {
      graph [title="a \\"quoted\\" title"]; node [shape=box]; edge [weight=1]
      rankdir = LR
      a:port -> b -> c; // a chain
      "c" -> "c" [weight = "1"]
      b -> b
      a -> "b" [color=red]
    }"""
    mdp = graphviz.parse(text, "<gv>", None)
    assert mdp.name == "g" and mdp.metadata["title"] == 'a "quoted" title'
    assert mdp.actions_of("a") == ("b",)  # strict: the repeated a -> b is one edge
    assert mdp.actions_of("b") == ("c", "b")
    graph = parse_dot('digraph { "a" + "b" -> <x<i>y</i>> }')
    assert list(graph.nodes) == ["ab", "x<i>y</i>"]


def test_non_strict_repeated_edge_is_an_error():
    with pytest.raises(ParseError, match=r"line 1: state 'a' has the action 'b' twice"):
        graphviz.parse("digraph { a -> b; a -> b; b -> b }", "<gv>", None)


BAD = {
    "dangling action": (
        'digraph { "[s]" -> "[go]__[s]"; "[go]__[s]" -> "[s]__[go]__[s]" [weight=1];\n'
        '"[stay]__[s]"; }',
        r"line 2: action node '\[stay\]__\[s\]' is dangling",
    ),
    "action with no outcomes": (
        'digraph { "[s]" -> "[go]__[s]"; "[s]" -> "[stay]__[s]";\n'
        '"[go]__[s]" -> "[s]__[go]__[s]" [weight=1] }',
        r"action node '\[stay\]__\[s\]' is dangling: it has no outcome edges",
    ),
    "outcome without action": (
        'digraph { "[s]" -> "[go]__[s]"; "[go]__[s]" -> "[s]__[go]__[s]" [weight=1];\n'
        '"[s]__[jump]__[s]" }',
        r"line 2: outcome node '\[s\]__\[jump\]__\[s\]' has no action node '\[jump\]__\[s\]'",
    ),
    "weights do not sum to 1": (
        'digraph { "[s]" -> "[go]__[s]";\n"[go]__[s]" -> "[s]__[go]__[s]" [weight="0.5"];\n'
        '"[go]__[s]" -> "[t]__[go]__[s]" [weight="0.4"]; "[t]" -> "[go]__[t]";\n'
        '"[go]__[t]" -> "[t]__[go]__[t]" [weight=1] }',
        r"line 2: the weights of action node '\[go\]__\[s\]' sum to 0.9",
    ),
    "non-numeric weight": (
        'digraph { "[s]" -> "[go]__[s]";\n"[go]__[s]" -> "[s]__[go]__[s]" [weight="half"] }',
        r"line 2: the edge of action node '\[go\]__\[s\]' to 's' has the weight 'half', which "
        "is not a number",
    ),
    "negative weight": (
        'digraph { "[s]" -> "[go]__[s]";\n"[go]__[s]" -> "[s]__[go]__[s]" [weight="-0.5"] }',
        r"line 2: .* has the weight '-0.5'; weights are probabilities in \[0, 1\]",
    ),
    "infinite weight": (
        'digraph { "[s]" -> "[go]__[s]";\n"[go]__[s]" -> "[s]__[go]__[s]" [weight=inf] }',
        r"line 2: .* has the weight 'inf'; weights are probabilities in \[0, 1\]",
    ),
    "mixed encodings": (
        'digraph { "[s]" -> "[go]__[s]"; "[go]__[s]" -> "[s]__[go]__[s]" [weight=1];\n'
        '"plain" -> "plain" }',
        r"line 2: node 'plain' is not in the bracketed form.*mix of plain and tripartite",
    ),
    "state to state in a tripartite graph": (
        'digraph { "[s]" -> "[go]__[s]"; "[go]__[s]" -> "[s]__[go]__[s]" [weight=1];\n'
        '"[s]" -> "[s]" }',
        r"line 2: edge '\[s\]' -> '\[s\]' joins a state node to a state node",
    ),
    "outcome to an unknown state": (
        'digraph { "[s]" -> "[go]__[s]";\n"[go]__[s]" -> "[u]__[go]__[s]" [weight=1] }',
        r"line 2: outcome node '\[u\]__\[go\]__\[s\]' leads to 'u', which is not a state",
    ),
    "action of another state": (
        'digraph { "[s]" -> "[go]__[t]";\n"[t]" -> "[go]__[s]" }',
        r"line 1: edge '\[s\]' -> '\[go\]__\[t\]': the action node belongs to state 't'",
    ),
    "state without actions": ("digraph {\n a -> b;\n c -> c;\n b }", r"line 2: state node 'b'"),
    "unclosed string": ('digraph {\n "a -> b }', r"line 2: a quoted string is never closed"),
    "undirected": ("graph { a -- b }", r"line 1: an undirected graph"),
    "subgraph": ("digraph {\n subgraph x { a } }", r"line 2: subgraphs are not supported"),
    "empty": ("", r"the file is empty"),
    "truncated": ("digraph { a -> ", r"ends where a node name after '->' was expected"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_give_one_line_errors(case, tmp_path):
    text, message = BAD[case]
    path = tmp_path / "bad.gv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=message) as info:
        read(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_labels_that_would_change_are_refused():
    from powerseek import InvalidTypeError

    with pytest.raises(InvalidTypeError, match=r"state '\(0, 0\)' would read back .* as \(0, 0\)"):
        graphviz.dump(MDP({"(0, 0)": ["(0, 0)"]}))
    with pytest.raises(InvalidTypeError, match="string and \\(row, col\\) labels; 3 is a int"):
        graphviz.dump(MDP({3: [3]}))


_SAME_CELL = ["(0,0)", "( 0, 0 )", "(00, 0)", "(0,\t0)", "(\uff10, 0)", "(-0, 0)"]


def _cell_world(first: str, second: str) -> str:
    """Two state nodes whose texts differ but name the cell (0, 0), each with its own action."""
    return (
        "strict digraph {\n"
        f'"[{first}]" -> "[stay]__[{first}]";\n'
        f'"[stay]__[{first}]" -> "[{first}]__[stay]__[{first}]" [weight=1];\n'
        f'"[{second}]" -> "[go]__[{second}]";\n'
        f'"[go]__[{second}]" -> "[{first}]__[go]__[{second}]" [weight=1];\n'
        "}\n"
    )


@pytest.mark.parametrize("second", _SAME_CELL)
def test_state_nodes_that_read_as_one_cell_are_refused_naming_both(second):
    """They were merged: one node's dynamics silently replaced the other's."""
    with pytest.raises(ParseError, match=r"line 4: the state nodes '\(0, 0\)' and .* both read "
                       r"as \(0, 0\)"):  # fmt: skip
        graphviz.parse(_cell_world("(0, 0)", second), "<gv>", None)


def test_joint_state_nodes_that_read_as_one_are_refused():
    text = (DATA / "joint_1x2.gv").read_text()
    # the state (0, 1)_H^(0, 1)_A a second time, spelt (0,1)_H^(0, 1)_A, with its own edges
    extra = (
        '"[(0,1)_H^(0, 1)_A]" -> "[stay_H^stay_A]__[(0,1)_H^(0, 1)_A]";\n'
        '"[stay_H^stay_A]__[(0,1)_H^(0, 1)_A]" -> "[(0, 0)_H^(0, 0)_A]__[stay_H^stay_A]__'
        '[(0,1)_H^(0, 1)_A]" [weight="1.0"];\n'
    )
    with pytest.raises(ParseError, match=r"'\(0, 1\)_H\^\(0, 1\)_A' and '\(0,1\)_H\^\(0, 1\)_A' "
                       r"both read as \(\(0, 1\), \(0, 1\)\)"):  # fmt: skip
        graphviz.parse(text.replace("}", extra + "}"), "<gv>", None)


def test_policy_states_that_read_as_one_cell_are_refused():
    text = (
        'digraph {\n"[(0, 0)]" -> "[stay]__[(0, 0)]" [weight=1];\n'
        '"[(0,0)]" -> "[left]__[(0,0)]" [weight=1];\n}\n'
    )
    with pytest.raises(ParseError, match=r"line 3: the state nodes '\(0, 0\)' and '\(0,0\)'"):
        graphviz.parse_policy(text)


def test_distinct_cells_still_read():
    mdp = graphviz.parse(_cell_world("(0, 0)", "(0, 1)"), "<gv>", None)
    assert mdp.states == ((0, 0), (0, 1)) and mdp.actions_of((0, 1)) == ("go",)
