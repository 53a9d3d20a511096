"""Hypothesis strategies for power-seeking experiments.

For property tests of your own conjectures, and for :func:`powerseek.explore`:
random deterministic successor graphs and stochastic multigraphs (sparse rows
with exact dyadic probabilities), gridworld maps, reward distributions of
every kind, discounts including the limits 0 and 1, state permutations, and
the structured generators of theory.md §B: planted copies (G2) and states with
many 1-cycles (G3). Everything is small by default and shrinks to readable
cases: few states, short labels, one action per state where that is enough.

Examples
--------
>>> from hypothesis import given, settings
>>> from powerseek.explore import strategies
>>> @settings(max_examples=5, derandomize=True, database=None)
... @given(strategies.mdps(max_states=4))
... def check(mdp):
...     assert mdp.n_states <= 4
>>> check()
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from hypothesis import strategies as st
from scipy import stats

from ..mdp import MDP, from_graph
from ..rewards import IID, FiniteSupport, PerState, RewardDistribution
from ..symmetry import Permutation

__all__ = [
    "LotteryCopies",
    "action_labels",
    "dyadic_distributions",
    "gammas",
    "gridworld_maps",
    "lottery_copies",
    "many_one_cycles",
    "mdps",
    "permutations",
    "planted_copies",
    "reward_distributions",
    "state_labels",
    "stochastic_multigraphs",
    "successor_graphs",
]

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
    """A deterministic successor graph; some edges may carry an `action` name.

    Parameters
    ----------
    max_states : int, default 7
        The most states.
    named_actions : bool, optional
        Whether some edges carry an ``action`` name (default: drawn).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of networkx.DiGraph
    """
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
    """Dyadic probabilities over a non-empty subset of `support`.

    Probabilities k/denominator over a non-empty subset of `support`
    (exact in floating point, so sums are exactly 1).

    Parameters
    ----------
    support : list
        The outcomes that may get probability.
    denominator : int, default 64
        A power of two, so that every probability is exact in floating point.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of dict
    """
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
    """A MultiDiGraph whose edges carry `action` and `p` (sparse random rows).

    Parameters
    ----------
    max_states : int, default 6
        The most states.
    max_actions : int, default 3
        The most actions per state.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of networkx.MultiDiGraph
    """
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
    """A rectangular map with walls, open cells and maybe a start and marked cells.

    Parameters
    ----------
    max_rows : int, default 6
        The most rows.
    max_cols : int, default 6
        The most columns.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of str
    """
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
    """MDPs with a planted copy (theory.md §B generator G2).

    theory.md §B generator G2: at state "s", action "a_prime" enters a sub-MDP L
    and action "a" an isomorphic copy of L plus extra terminal states reachable
    only from the copy. Nothing returns to "s" and no other action of "s" enters
    either part. Returns (graph, copy) where copy maps each L state to its image.

    Parameters
    ----------
    max_size : int, default 3
        The most states of the planted sub-MDP L.
    stochastic : bool, default False
        Whether L has stochastic transitions.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        ``(graph, copy)``: a networkx graph and the map from L's states to their images.
    """
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
    """MDPs whose actions reach many 1-cycles (theory.md §B generator G3).

    theory.md §B generator G3: from "s", action "die" leads to k terminal
    outcomes and action "live" to a hub reaching n·k others (plus extras).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        ``(graph, n)``: a networkx graph and the factor n.
    """
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


@st.composite
def mdps(draw, max_states: int = 5, stochastic: bool | None = None, max_actions: int = 3) -> MDP:
    """An MDP with states named s0, s1, ... (deterministic, stochastic, or either).

    Parameters
    ----------
    max_states : int, default 5
        The most states.
    stochastic : bool, optional
        True: stochastic only; False: deterministic only; None (default): either.
    max_actions : int, default 3
        The most actions per state.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of MDP
    """
    if stochastic is None:
        stochastic = draw(st.booleans())
    graph = draw(
        stochastic_multigraphs(max_states=max_states, max_actions=max_actions)
        if stochastic
        else successor_graphs(max_states=max_states, named_actions=False)
    )
    names = {node: f"s{i}" for i, node in enumerate(graph.nodes)}
    return from_graph(nx.relabel_nodes(graph, names))


def gammas(include_limits: bool = True) -> st.SearchStrategy[float]:
    """Discounts in [0, 1]: the limits 0 and 1 (if asked) and values in between.

    Parameters
    ----------
    include_limits : bool, default True
        Whether 0 and 1 may be drawn.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of float
    """
    inner = st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
    return st.one_of(st.sampled_from([0.0, 1.0]), inner) if include_limits else inner


@st.composite
def reward_distributions(draw, n_states: int, states=None) -> RewardDistribution:
    """IID (uniform, Beta, Bernoulli), per-state, finite-support or a point mass.

    Parameters
    ----------
    n_states : int
        The number of states.
    states : sequence, optional
        State labels, for per-state distributions that name states.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of RewardDistribution
    """
    kind = draw(st.sampled_from(["iid", "per-state", "finite", "point"]))
    families = [stats.uniform(0, 1), stats.beta(2, 1), stats.beta(1, 2), stats.bernoulli(0.5)]
    if kind == "iid":
        return IID(draw(st.sampled_from(families)))
    if kind == "per-state" and states:
        chosen = draw(st.lists(st.sampled_from(list(states)), min_size=1, max_size=2, unique=True))
        return PerState({s: draw(st.sampled_from(families)) for s in chosen})
    values = st.integers(0, 8).map(lambda v: v / 8)
    count = 1 if kind in ("point", "per-state") else draw(st.integers(2, 3))
    vectors = draw(
        st.lists(
            st.lists(values, min_size=n_states, max_size=n_states), min_size=count, max_size=count
        )
    )
    return FiniteSupport(np.array(vectors, dtype=float))


@st.composite
def permutations(draw, states) -> Permutation:
    """A permutation of `states` (an MDP or a sequence of labels).

    Parameters
    ----------
    states : MDP or sequence of hashable
        The states to permute.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Permutation
    """
    labels = list(getattr(states, "states", states))
    order = draw(st.permutations(range(len(labels))))
    return Permutation.from_indices(labels, order)


@dataclass(frozen=True)
class LotteryCopies:
    """Outcome lotteries with planted copies, and their involutions.

    Outcome lotteries A, B ⊆ C (rows) and involutions with which B contains
    n copies of A (RDSP Def A.6), or n superset-copies (Def B.8) when `superset`.

    Attributes
    ----------
    A : numpy.ndarray
        The lotteries copied, one per row.
    B : numpy.ndarray
        The lotteries holding the copies, one per row.
    C : numpy.ndarray
        All the lotteries, A's and B's rows among them.
    involutions : tuple of numpy.ndarray
        The outcome involutions, as image arrays, that map A into B.
    superset : bool
        Whether the copies are superset-copies (Def B.8).

    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    involutions: tuple
    superset: bool

    @property
    def n(self) -> int:
        """The number of copies (involutions)."""
        return len(self.involutions)


@st.composite
def lottery_copies(draw, max_outcomes: int = 7, superset: bool = False) -> LotteryCopies:
    """Outcome lotteries A, B ⊆ C with planted copies of A in B.

    Planted copies among outcome lotteries: A lives on outcome block 0, φ_i
    swaps block 0 with block i, B_i = φ_i·A (plus, for superset-copies, more
    lotteries on block i, whose block-0 images join C), and B and C add
    lotteries on the outcomes no φ_i moves. Lotteries are standard basis
    vectors or dyadic probability vectors; φ_i·C = C always holds.

    Parameters
    ----------
    max_outcomes : int, default 7
        The most outcomes.
    superset : bool, default False
        Whether the copies are superset-copies (more lotteries on each block).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of LotteryCopies
    """
    width = draw(st.integers(1, 2))
    n = draw(st.integers(1, max(1, max_outcomes // width - 1)))
    rest = draw(st.integers(0, max_outcomes - (n + 1) * width))
    d = (n + 1) * width + rest
    weights = st.integers(0, 4)

    def lottery(block: list[int]) -> tuple:
        if draw(st.booleans()):
            vector = np.zeros(d)
            vector[draw(st.sampled_from(block))] = 1.0
            return tuple(vector)
        raw = draw(st.lists(weights, min_size=len(block), max_size=len(block)).filter(any))
        vector = np.zeros(d)
        vector[block] = np.array(raw, dtype=float) / sum(raw)
        return tuple(vector)

    def lotteries(block: list[int], at_least: int) -> list[tuple]:
        count = draw(st.integers(at_least, 2))
        return sorted({lottery(block) for _ in range(count)})

    def swap(i: int) -> list[tuple[int, int]]:
        return [(j, i * width + j) for j in range(width)]

    def move(rows: list[tuple], i: int) -> list[tuple]:
        image = np.arange(d)
        for a, b in swap(i):
            image[a], image[b] = b, a
        out = []
        for row in rows:
            moved = np.zeros(d)
            moved[image] = row
            out.append(tuple(moved))
        return out

    block0 = list(range(width))
    free = list(range((n + 1) * width, d))
    A = lotteries(block0, 1)
    B: list[tuple] = []
    C: list[tuple] = list(A)
    for i in range(1, n + 1):
        copy = move(A, i)
        B += copy
        if superset and draw(st.booleans()):
            block = list(range(i * width, (i + 1) * width))
            extra = [x for x in lotteries(block, 1) if x not in copy]
            B += extra
            # their images under every φ_j keep C closed: φ_j·C = C
            home = move(extra, i)
            C += home
            for j in range(1, n + 1):
                C += move(home, j)
    if free:
        B += lotteries(free, 0)
        C += lotteries(free, 0)
    C += B
    unique = sorted(set(C))
    return LotteryCopies(
        A=np.array(A),
        B=np.array(sorted(set(B))),
        C=np.array(unique),
        involutions=tuple(tuple(swap(i)) for i in range(1, n + 1)),
        superset=superset,
    )
