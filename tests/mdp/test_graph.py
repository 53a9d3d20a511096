"""networkx <-> MDP conversions."""

import networkx as nx
import pytest
from hypothesis import given

from powerseek import MDP, InvalidMDPError, InvalidTypeError, from_graph, to_graph
from strategies import stochastic_multigraphs, successor_graphs


def edges_with_data(graph):
    """Out-edges of every node in order, with their data (the full content
    that from_graph reads, in the order it reads it)."""
    return [(u, v, dict(d)) for u in graph for _, v, d in graph.out_edges(u, data=True)]


def assert_same_graph(a, b):
    assert type(a) is type(b)
    assert list(a.nodes) == list(b.nodes)
    assert edges_with_data(a) == edges_with_data(b)
    assert a.graph == b.graph


def test_successor_graph_names_actions_by_successor():
    graph = nx.DiGraph(
        [
            ("start", "empty"),
            ("start", "left"),
            ("start", "right"),
            ("empty", "empty"),
            ("left", "left"),
            ("right", "right"),
        ]
    )
    mdp = from_graph(graph)
    assert mdp.states == ("start", "empty", "left", "right")
    assert mdp.actions_of("start") == ("empty", "left", "right")
    assert mdp.is_deterministic


def test_action_attribute_names_actions():
    graph = nx.DiGraph()
    graph.add_edge((0, 0), (0, 1), action="right")
    graph.add_edge((0, 0), (0, 0), action="stay")
    graph.add_edge((0, 1), (0, 1))
    mdp = from_graph(graph)
    assert mdp.actions_of((0, 0)) == ("right", "stay")
    assert mdp.actions_of((0, 1)) == ((0, 1),)


def test_multigraph_stochastic_actions():
    graph = nx.MultiDiGraph()
    graph.add_edge(1, 1, action="H", p=1.0)
    graph.add_edge(1, 2, action="R", p=1.0)
    graph.add_edge(2, 1, action="H", p=0.5)
    graph.add_edge(2, 2, action="H", p=0.5)
    graph.add_edge(2, 2, action="stay")  # a single edge may omit p
    mdp = from_graph(graph)
    assert not mdp.is_deterministic
    assert mdp.transition(2, "H") == {1: 0.5, 2: 0.5}
    assert mdp.transition(2, "stay") == {2: 1.0}
    # parallel edges with different actions to the same successor are two actions
    assert mdp.actions_of(2) == ("H", "stay")


def test_nodelist_orders_states():
    graph = nx.DiGraph([("a", "b"), ("b", "b")])
    assert from_graph(graph, nodelist=["b", "a"]).states == ("b", "a")


def test_graph_attributes_become_name_and_metadata():
    graph = nx.DiGraph([("a", "a")], name="tiny", title="One state", gamma=(0.5,))
    mdp = from_graph(graph)
    assert mdp.name == "tiny"
    assert dict(mdp.metadata) == {"title": "One state", "gamma": (0.5,)}
    assert from_graph(graph, name="other", metadata={"source": "x"}).metadata["source"] == "x"
    back = to_graph(mdp)
    assert back.graph == {"name": "tiny", "title": "One state", "gamma": (0.5,)}


@given(successor_graphs())
def test_round_trip_successor_graphs(graph):
    """graph -> MDP -> graph gives back the same graph, and MDP -> graph -> MDP the same MDP."""
    mdp = from_graph(graph)
    back = to_graph(mdp)
    assert_same_graph(back, graph)
    assert from_graph(back) == mdp


@given(stochastic_multigraphs())
def test_round_trip_stochastic_multigraphs(graph):
    mdp = from_graph(graph)
    back = to_graph(mdp)
    assert isinstance(back, nx.MultiDiGraph) or mdp.is_deterministic
    again = from_graph(back)
    # same states and dynamics; a multigraph may list a state's actions in
    # another order (networkx groups its out-edges by successor)
    assert again.states == mdp.states
    assert again.to_dict() == mdp.to_dict()  # dict equality ignores order
    assert [set(a) for a in again.actions] == [set(a) for a in mdp.actions]

    # the graph itself survives up to the order of each action's successors
    # (the MDP keeps them in state order)
    def normal(g):
        position = {s: i for i, s in enumerate(g.nodes)}
        return sorted(
            (position[u], str(d["action"]), position[v], d.get("p", 1.0))
            for u, v, d in g.edges(data=True)
        )

    assert normal(back) == normal(graph)


def test_to_graph_uses_multigraph_when_needed():
    shared = MDP({"a": {"stay": "a", "bump": "a"}})
    graph = to_graph(shared)
    assert isinstance(graph, nx.MultiDiGraph)
    assert sorted(d["action"] for _, _, d in graph.edges(data=True)) == ["bump", "stay"]
    assert from_graph(graph) == shared
    with pytest.raises(
        InvalidMDPError, match="two actions of one state lead to the same successor"
    ):
        to_graph(shared, multigraph=False)
    coin = MDP({"a": {"flip": {"a": 0.5, "b": 0.5}}, "b": ["b"]})
    with pytest.raises(InvalidMDPError, match="it is stochastic"):
        to_graph(coin, multigraph=False)
    forced = to_graph(MDP({"a": ["a"]}), multigraph=True)
    assert list(forced.edges(data=True)) == [("a", "a", {"action": "a", "p": 1.0})]


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (nx.DiGraph(), "has no nodes"),
        (nx.Graph([(1, 2)]), "must be directed"),
        (nx.DiGraph([("a", "b")]), r"state 'b' has no out-edge.*G.add_edge\('b', 'b'\)"),
        (
            nx.MultiDiGraph(
                [("a", "a", {"action": "x", "p": 0.5}), ("a", "b", {"action": "x"}), ("b", "b")]
            ),
            r"the 2 edges of state 'a' under action 'x' \(to 'a', 'b'\) need a probability",
        ),
        (
            nx.MultiDiGraph(
                [("a", "a", {"action": "x", "p": 0.5}), ("a", "a", {"action": "x", "p": 0.5})]
            ),
            "has two edges to 'a'",
        ),
        (
            nx.MultiDiGraph(
                [
                    ("a", "a", {"action": "x", "p": 0.6}),
                    ("a", "b", {"action": "x", "p": 0.3}),
                    ("b", "b"),
                ]
            ),
            "sum to 0.9, not 1",
        ),
        (nx.MultiDiGraph([("a", "a", {"action": "x", "p": -1})]), r"must be in \[0, 1\]; got -1"),
        (nx.DiGraph([("a", "a", {"action": ["x"]})]), "unhashable `action`"),
    ],
)
def test_from_graph_errors(graph, message):
    with pytest.raises(InvalidMDPError, match=message):
        from_graph(graph)


def test_nodelist_errors():
    graph = nx.DiGraph([("a", "a"), ("b", "b")])
    with pytest.raises(InvalidMDPError, match="missing: 'b'"):
        from_graph(graph, nodelist=["a"])
    with pytest.raises(InvalidMDPError, match="'c', which is not a node"):
        from_graph(graph, nodelist=["a", "b", "c"])
    with pytest.raises(InvalidMDPError, match="lists 'a' twice"):
        from_graph(graph, nodelist=["a", "a", "b"])


def test_type_errors():
    with pytest.raises(InvalidTypeError, match="networkx DiGraph"):
        from_graph({"a": ["a"]})
    with pytest.raises(InvalidTypeError, match="must be an MDP"):
        to_graph(nx.DiGraph())
