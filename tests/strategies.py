"""Hypothesis strategies for environments: graphs, stochastic MDPs, maps.

Small by default and built to shrink to readable cases: few states, short
labels, one action per state when that is enough to fail.
"""

from __future__ import annotations

import networkx as nx
from hypothesis import strategies as st

# Labels of the kinds users give: small integers, short strings, grid cells.
state_labels = st.one_of(
    st.integers(min_value=0, max_value=50),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=4).map(lambda s: "s" + s),
    st.tuples(st.integers(0, 9), st.integers(0, 9)),
)
# Action names never equal a state label (those start with "s" or are not strings).
action_labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=3).map(
    lambda s: "act_" + s
)


@st.composite
def successor_graphs(draw, max_states: int = 7, named_actions: bool | None = None) -> nx.DiGraph:
    """A deterministic successor graph; some edges may carry an `action` name."""
    n = draw(st.integers(1, max_states))
    labels = draw(st.lists(state_labels, min_size=n, max_size=n, unique=True))
    graph = nx.DiGraph()
    graph.add_nodes_from(labels)
    for state in labels:
        successors = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=n, unique=True))
        names = draw(
            st.lists(action_labels, min_size=len(successors), max_size=len(successors), unique=True)
        )
        for successor, name in zip(successors, names):
            use_name = draw(st.booleans()) if named_actions is None else named_actions
            if use_name:
                graph.add_edge(state, successor, action=name)
            else:
                graph.add_edge(state, successor)
    return graph


@st.composite
def dyadic_distributions(draw, support: list, denominator: int = 64) -> dict:
    """Probabilities k/denominator over a non-empty subset of `support`
    (exact in floating point, so sums are exactly 1)."""
    chosen = draw(
        st.lists(st.sampled_from(support), min_size=1, max_size=len(support), unique=True)
    )
    cuts = sorted(
        draw(
            st.lists(
                st.integers(1, denominator - 1),
                min_size=len(chosen) - 1,
                max_size=len(chosen) - 1,
                unique=True,
            )
        )
    )
    bounds = [0] + cuts + [denominator]
    return {s: (hi - lo) / denominator for s, hi, lo in zip(chosen, bounds[1:], bounds[:-1])}


@st.composite
def stochastic_multigraphs(draw, max_states: int = 6, max_actions: int = 3) -> nx.MultiDiGraph:
    """A MultiDiGraph whose edges carry `action` and `p` (sparse random rows)."""
    n = draw(st.integers(1, max_states))
    labels = draw(st.lists(state_labels, min_size=n, max_size=n, unique=True))
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(labels)
    for state in labels:
        k = draw(st.integers(1, max_actions))
        names = draw(st.lists(action_labels, min_size=k, max_size=k, unique=True))
        for name in names:
            for successor, p in draw(dyadic_distributions(labels)).items():
                graph.add_edge(state, successor, action=name, p=p)
    return graph


@st.composite
def gridworld_maps(draw, max_rows: int = 6, max_cols: int = 6) -> str:
    """A rectangular map with walls, open cells and maybe a start and marked cells."""
    n_rows = draw(st.integers(1, max_rows))
    n_cols = draw(st.integers(1, max_cols))
    cells = draw(
        st.lists(
            st.lists(st.sampled_from("#...."), min_size=n_cols, max_size=n_cols),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    positions = [(r, c) for r in range(n_rows) for c in range(n_cols)]
    opened = draw(st.sampled_from(positions))
    cells[opened[0]][opened[1]] = "."
    open_cells = [(r, c) for r, c in positions if cells[r][c] == "."]
    marked = draw(st.lists(st.sampled_from(open_cells), max_size=3, unique=True))
    for i, (r, c) in enumerate(marked):
        cells[r][c] = "S" if i == 0 and draw(st.booleans()) else draw(st.sampled_from("GTgx"))
    return "\n".join("".join(row) for row in cells)


@st.composite
def planted_copies(draw, max_size: int = 3, stochastic: bool = False):
    """theory.md §B generator G2: at state "s", action "a_prime" enters a sub-MDP L
    and action "a" an isomorphic copy of L plus extra terminal states reachable
    only from the copy. Nothing returns to "s" and no other action of "s" enters
    either part. Returns (graph, copy) where copy maps each L state to its image."""
    k = draw(st.integers(1, max_size))
    left = [f"l{i}" for i in range(k)]
    right = [f"r{i}" for i in range(k)]
    extras = [f"x{i}" for i in range(draw(st.integers(1, 2)))]
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(["s"] + left + right + extras)
    graph.add_edge("s", "l0", action="a_prime", p=1.0)
    graph.add_edge("s", "r0", action="a", p=1.0)
    if draw(st.booleans()):  # an unrelated option of s
        graph.add_node("elsewhere")
        graph.add_edge("s", "elsewhere", action="other", p=1.0)
        graph.add_edge("elsewhere", "elsewhere", action="stay", p=1.0)
    for i, state in enumerate(left):
        n_actions = draw(st.integers(1, 2))
        for a in range(n_actions):
            if stochastic:
                outcome = draw(dyadic_distributions(left, denominator=8))
            else:
                outcome = {draw(st.sampled_from(left)): 1.0}
            for target, p in outcome.items():
                graph.add_edge(state, target, action=f"m{a}", p=p)
                graph.add_edge(right[i], right[left.index(target)], action=f"m{a}", p=p)
    for number, x in enumerate(extras):
        graph.add_edge(x, x, action="stay", p=1.0)
        # the first extra hangs off the copy's entry, so the copy surely offers it
        source = "r0" if number == 0 else draw(st.sampled_from(right))
        graph.add_edge(source, x, action="to_" + x, p=1.0)
    return graph, dict(zip(left, right))


@st.composite
def many_one_cycles(draw):
    """theory.md §B generator G3: from "s", action "die" leads to k terminal
    outcomes and action "live" to a hub reaching n·k others (plus extras)."""
    k = draw(st.integers(1, 2))
    n = draw(st.integers(1, 3))
    extra = draw(st.integers(0, 1))
    graph = nx.DiGraph()
    graph.add_edge("s", "dead_hub", action="die")
    graph.add_edge("s", "live_hub", action="live")
    for i in range(k):
        graph.add_edge("dead_hub", f"d{i}")
        graph.add_edge(f"d{i}", f"d{i}")
    for i in range(n * k + extra):
        graph.add_edge("live_hub", f"o{i}")
        graph.add_edge(f"o{i}", f"o{i}")
    return graph, n
