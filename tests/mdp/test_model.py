"""The MDP value type: construction, lookups, value semantics, errors."""

import pickle
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given

from powerseek import (
    MDP,
    InvalidMDPError,
    InvalidTypeError,
    PowerseekError,
    UnknownActionError,
    UnknownStateError,
)
from powerseek.mdp._graph import from_graph
from strategies import stochastic_multigraphs, successor_graphs

CANDY = {
    "start": ["candy", "wait"],
    "wait": ["chocolate", "hug"],
    "candy": ["candy"],
    "chocolate": ["chocolate"],
    "hug": ["hug"],
}


def test_successor_list_form():
    mdp = MDP(CANDY, name="candy-wait")
    assert mdp.states == ("start", "wait", "candy", "chocolate", "hug")
    assert mdp.n_states == 5 and len(mdp) == 5
    assert mdp.actions == (
        ("candy", "wait"),
        ("chocolate", "hug"),
        ("candy",),
        ("chocolate",),
        ("hug",),
    )
    assert mdp.n_pairs == 7
    assert mdp.pair_offsets.tolist() == [0, 2, 4, 5, 6, 7]
    assert mdp.pair_states.tolist() == [0, 0, 1, 1, 2, 3, 4]
    assert mdp.is_deterministic
    assert mdp.successor_indices.tolist() == [2, 1, 3, 4, 2, 3, 4]
    assert mdp.transition("start", "wait") == {"wait": 1.0}
    assert mdp.successors("start") == ("wait", "candy")
    assert mdp.terminal_states() == ("candy", "chocolate", "hug")
    assert mdp.one_cycles() == ("candy", "chocolate", "hug")
    assert "wait" in mdp and "nowhere" not in mdp and [1] not in mdp


def test_named_and_stochastic_actions():
    mdp = MDP(
        {
            1: {"H": 1, "R": 2},
            2: {"L": 1, "H": {1: 0.5, 2: 0.5}, "R": {2: Fraction(1, 5), 3: "4/5"}},
            3: {"L": {3: 0.9, 2: 0.1}},
        }
    )
    assert not mdp.is_deterministic
    assert mdp.successor_indices is None
    assert mdp.transition(2, "R") == {2: 0.2, 3: 0.8}
    # successors are listed in state order whatever the order they were given in
    assert list(mdp.transition(3, "L")) == [2, 3]
    assert mdp.is_one_cycle(1) and not mdp.is_terminal(1)
    assert not mdp.is_one_cycle(3)  # 3 -> 3 only with probability 0.9
    matrix = mdp.transition_matrix
    assert matrix.shape == (mdp.n_pairs, mdp.n_states)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)


def test_explicit_state_order():
    mdp = MDP(CANDY, states=["hug", "chocolate", "candy", "wait", "start"])
    assert mdp.states[0] == "hug"
    assert mdp.index("start") == 4


def test_from_arrays_matches_mapping_form():
    matrix = np.array([[0, 0, 1], [0, 1, 0], [0, 0, 1], [0, 0, 1]])
    a = MDP.from_arrays(["s", "t", "u"], [["u", "t"], ["u"], ["u"]], matrix)
    b = MDP({"s": ["u", "t"], "t": ["u"], "u": ["u"]})
    assert a == b and hash(a) == hash(b)
    c = MDP.from_arrays(["s", "t", "u"], [["u", "t"], ["u"], ["u"]], sp.csr_array(matrix))
    assert c == a


def test_frozen_and_read_only():
    mdp = MDP(CANDY)
    with pytest.raises(AttributeError, match="frozen"):
        mdp._states = ()
    with pytest.raises(AttributeError):
        mdp.states = ()
    with pytest.raises(ValueError):
        mdp.pair_offsets[0] = 5
    with pytest.raises(ValueError):
        mdp.transition_matrix.data[0] = 0.5
    with pytest.raises(TypeError):
        mdp.metadata["title"] = "changed"


def test_value_semantics_and_pickle():
    a = MDP(CANDY, name="x", metadata={"title": "T", "gamma": [0.5]})
    b = MDP(dict(CANDY), name="x", metadata={"title": "T", "gamma": (0.5,)})
    assert a == b and hash(a) == hash(b)
    assert a != MDP(CANDY, name="y")
    assert a.same_dynamics(MDP(CANDY, name="y"))
    assert a != MDP(
        CANDY,
        states=["wait", "start", "candy", "chocolate", "hug"],
        name="x",
        metadata={"title": "T", "gamma": (0.5,)},
    )
    restored = pickle.loads(pickle.dumps(a))
    assert restored == a and restored.metadata["gamma"] == (0.5,)
    assert {a: 1}[b] == 1
    assert repr(a) == "MDP(name='x', n_states=5, n_pairs=7, deterministic=True)"


def test_to_dict_round_trip():
    mdp = MDP({"s": {"flip": {"s": 0.25, "t": 0.75}, "go": "t"}, "t": ["t"]}, name="coin")
    assert mdp.to_dict() == {"s": {"flip": {"s": 0.25, "t": 0.75}, "go": "t"}, "t": {"t": "t"}}
    assert MDP(mdp.to_dict(), name="coin") == mdp


def test_relabel_and_with_metadata():
    mdp = MDP(CANDY, metadata={"start": "start"})
    renamed = mdp.relabel({"start": "s0"})
    assert renamed.states[0] == "s0" and renamed.metadata["start"] == "s0"
    assert renamed.actions_of("s0") == ("candy", "wait")  # action labels are kept
    upper = mdp.relabel(str.upper)
    assert upper.states == ("START", "WAIT", "CANDY", "CHOCOLATE", "HUG")
    with pytest.raises(InvalidMDPError, match="duplicate state label"):
        mdp.relabel(lambda s: "same")
    tagged = mdp.with_metadata(name="new", title="Candy")
    assert tagged.name == "new" and tagged.metadata["title"] == "Candy"
    assert "title" not in tagged.with_metadata(title=None).metadata


def test_pair_index_and_unknown_labels():
    mdp = MDP(CANDY)
    assert mdp.pair_index("wait", "hug") == 3
    with pytest.raises(UnknownStateError, match=r"'wiat' is not a state.*Did you mean 'wait'\?"):
        mdp.index("wiat")
    with pytest.raises(UnknownStateError, match=r"\[1\] is not a state"):
        mdp.index([1])
    with pytest.raises(
        UnknownActionError,
        match=r"'candy' is not an action of state 'wait'.*"
        r"Its actions: 'chocolate', 'hug'",
    ):
        mdp.pair_index("wait", "candy")


@pytest.mark.parametrize(
    ("transitions", "kwargs", "error", "message"),
    [
        ({}, {}, InvalidMDPError, "at least one state"),
        (
            {"a": []},
            {},
            InvalidMDPError,
            r"State 'a' has no action.*make it terminal.*self-loop \('a' -> 'a'\)",
        ),
        ({"a": {}}, {}, InvalidMDPError, "State 'a' has no action"),
        (
            {"a": ["b"]},
            {},
            InvalidMDPError,
            r"from state 'a' under action 'b' goes to 'b', which is not a state",
        ),
        (
            {"a": ["a"], "b": ["a"]},
            {"states": ["a"]},
            InvalidMDPError,
            r"has the state 'b', which is not in `states`",
        ),
        ({"a": ["a"]}, {"states": ["a", "b"]}, InvalidMDPError, "State 'b' has no action"),
        ({"a": ["a"]}, {"states": ["a", "a"]}, InvalidMDPError, "duplicate state label 'a'"),
        ({"a": ["a", "a"]}, {}, InvalidMDPError, "lists the successor 'a' twice"),
        (
            {"a": {"x": {"a": 0.5, "b": 0.4}}, "b": ["b"]},
            {},
            InvalidMDPError,
            r"out of state 'a' under action 'x' sum to 0.9, not 1",
        ),
        (
            {"a": {"x": {"a": -0.5, "b": 1.5}}, "b": ["b"]},
            {},
            InvalidMDPError,
            r"probability from state 'a' under action 'x' to 'a' must be in \[0, 1\]; got -0.5",
        ),
        ({"a": {"x": {"a": float("nan")}}}, {}, InvalidMDPError, r"must be in \[0, 1\]; got nan"),
        (
            {"a": {"x": {"a": "half"}}},
            {},
            InvalidMDPError,
            "fraction like '1/3'; got the string 'half'",
        ),
        ({"a": {"x": {"a": True}}}, {}, InvalidTypeError, "got bool True"),
        ({"a": {"x": {}}}, {}, InvalidMDPError, "under action 'x' has no successor"),
        ({"a": "a"}, {}, InvalidTypeError, "must be a list of successors or a mapping"),
        ({"a": {"x": "a", "y": "zz"}}, {}, InvalidMDPError, "under action 'y' goes to 'zz'"),
        ([("a", ["a"])], {}, InvalidTypeError, "`transitions` must be a mapping"),
        (
            {"a": ["a"]},
            {"metadata": {"start": "b"}},
            InvalidMDPError,
            "start state 'b' is not a state",
        ),
        ({"a": ["a"]}, {"metadata": ["start"]}, InvalidTypeError, "`metadata` must be a mapping"),
        ({"a": ["a"]}, {"name": 3}, InvalidTypeError, "`name` must be a string"),
    ],
)
def test_invalid_transitions(transitions, kwargs, error, message):
    with pytest.raises(error, match=message):
        MDP(transitions, **kwargs)


def test_errors_carry_the_state():
    with pytest.raises(InvalidMDPError) as info:
        MDP({"a": ["a"], "b": {"x": {"a": 0.5}}})
    assert info.value.state == "b"
    assert isinstance(info.value, ValueError)


def test_unhashable_labels_are_rejected():
    with pytest.raises(InvalidTypeError, match="must be hashable"):
        MDP.from_arrays([["a"]], [["x"]], np.ones((1, 1)))
    with pytest.raises(InvalidTypeError, match="must be hashable"):
        MDP({"a": {"x": {"a": 1}}, "b": [["a"]]})


@pytest.mark.parametrize(
    ("actions", "matrix", "message"),
    [
        (
            [["x"], ["y"]],
            np.ones((3, 2)) / 2,
            r"shape \(n_pairs, n_states\) = \(2, 2\); got \(3, 2\)",
        ),
        ([["x"], ["y"]], np.ones(2), "must be 2-dimensional"),
        (
            [["x"], ["y"]],
            [[0.5, 0.4], [0, 1]],
            "out of state 'a' under action 'x' sum to 0.9, not 1",
        ),
        (
            [["x"], ["y", "z"]],
            [[1, 0], [0, 1], [0, 0]],
            "state 'b' under action 'z' sum to 0, not 1",
        ),
        (
            [["x"], ["y"]],
            [[1.5, -0.5], [0, 1]],
            r"to 'a' is 1.5; probabilities must be in \[0, 1\]",
        ),
        ([["x"], ["y"]], [[0, 1], [np.inf, 0]], r"from state 'b' under action 'y' to 'a' is inf"),
        ([["x"], []], [[0, 1]], "State 'b' has no action"),
        ([["x"]], [[0, 1]], "one list of actions per state: 2 states, 1 action lists"),
        ([["x", "x"], ["y"]], [[0, 1], [0, 1], [0, 1]], "action 'x' twice"),
        ([["x"], ["y"]], [["p", "q"], [0, 1]], "must be a numeric array"),
    ],
)
def test_from_arrays_validation(actions, matrix, message):
    with pytest.raises(PowerseekError, match=message):
        MDP.from_arrays(["a", "b"], actions, matrix)


def test_tolerance_renormalises_rows():
    mdp = MDP({"a": {"x": {"a": 1 / 3, "b": 1 / 3 + 1e-12, "c": 1 / 3}}, "b": ["b"], "c": ["c"]})
    np.testing.assert_allclose(mdp.transition_matrix.sum(axis=1), 1.0, rtol=0, atol=1e-15)


@given(successor_graphs())
def test_deterministic_graphs_are_recognised(graph):
    mdp = from_graph(graph)
    assert mdp.is_deterministic
    assert mdp.n_pairs == graph.number_of_edges()
    successors = mdp.successor_indices
    for k, (state, action) in enumerate(
        (s, a) for s, actions in zip(mdp.states, mdp.actions) for a in actions
    ):
        assert mdp.transition(state, action) == {mdp.states[successors[k]]: 1.0}


@given(stochastic_multigraphs())
def test_rows_are_distributions(graph):
    mdp = from_graph(graph)
    matrix = mdp.transition_matrix
    np.testing.assert_array_equal(matrix.sum(axis=1), 1.0)
    assert np.all(matrix.data > 0)
    for state in mdp.states:
        assert mdp.is_terminal(state) == all(
            mdp.transition(state, a) == {state: 1.0} for a in mdp.actions_of(state)
        )
