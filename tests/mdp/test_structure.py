"""Reachability structure, checked against networkx."""

import networkx as nx
from hypothesis import given

from powerseek import MDP, from_graph, load, reachable, summarize
from powerseek.mdp._structure import closed_classes, strongly_connected_components
from strategies import stochastic_multigraphs, successor_graphs


def state_graph(mdp):
    graph = nx.DiGraph()
    graph.add_nodes_from(mdp.states)
    for state, per_action in mdp.to_dict().items():
        for outcome in per_action.values():
            for successor in outcome if isinstance(outcome, dict) else [outcome]:
                graph.add_edge(state, successor)
    return graph


def check_against_networkx(mdp):
    graph = state_graph(mdp)
    for state in mdp.states:
        assert set(reachable(mdp, state)) == nx.descendants(graph, state) | {state}
        for action in mdp.actions_of(state):
            expected = set()
            for successor in mdp.transition(state, action):
                expected |= nx.descendants(graph, successor) | {successor}
            assert set(reachable(mdp, state, action)) == expected
    components = strongly_connected_components(mdp)
    assert {frozenset(c) for c in components} == {
        frozenset(c) for c in nx.strongly_connected_components(graph)
    }
    condensation = nx.condensation(graph)
    sinks = {
        frozenset(condensation.nodes[n]["members"])
        for n in condensation
        if condensation.out_degree(n) == 0
    }
    assert {frozenset(c) for c in closed_classes(mdp)} == sinks
    # listed in state order
    firsts = [mdp.index(c[0]) for c in components]
    assert firsts == sorted(firsts)
    for component in components:
        assert [mdp.index(s) for s in component] == sorted(mdp.index(s) for s in component)


@given(successor_graphs())
def test_reachability_deterministic(graph):
    check_against_networkx(from_graph(graph))


@given(stochastic_multigraphs())
def test_reachability_stochastic(graph):
    check_against_networkx(from_graph(graph))


def test_reach_of_an_action_is_def_6_8():
    mdp = load("turner-fig1")
    assert reachable(mdp, "start", "left") == ("left", "left_up", "left_down")
    assert reachable(mdp, "start", "empty") == ("empty",)
    assert reachable(mdp, "left_up") == ("left_up", "left_down")


def test_summary_of_fig1():
    summary = summarize(load("turner-fig1"))
    assert summary.n_states == 8 and summary.n_pairs == 15
    assert (summary.min_actions, summary.max_actions) == (1, 3)
    assert summary.terminal_states == ("empty",)
    assert summary.closed_classes == (
        ("empty",),
        ("left_up", "left_down"),
        ("right_up", "right_down"),
    )
    assert summary.start == "start" and len(summary.reachable_from_start) == 8
    assert summary.describe() == (
        "6 strongly connected components (largest 2 states); 3 closed classes; "
        "start 'start' reaches 8 of 8 states"
    )


def test_summary_single_component():
    summary = summarize(MDP({"a": ["b"], "b": ["a"]}))
    assert summary.describe() == "1 strongly connected component; 1 closed class"
    assert summary.start is None and summary.reachable_from_start is None
