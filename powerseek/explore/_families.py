"""Small families of MDPs, for exhaustive sweeps over every member.

* :func:`deterministic_mdps`: every deterministic MDP (successor graph) on
  ``n`` states, one per isomorphism class, so that a sweep sees each shape
  once. There are (2^n - 1)^n successor graphs on n labelled states (9, 343,
  50625 for n = 2, 3, 4), and 6, 70, 2340 of them up to relabelling.
* :func:`terminal_choice`: the MDPs of RDSP's fractional-copies conjecture
  (theory.md §E.1): from ``start``, one action leads to a choice among n
  terminal states, the other among m.

Examples
--------
>>> [sum(1 for _ in deterministic_mdps(n)) for n in (1, 2, 3)]
[1, 6, 70]
>>> terminal_choice(2, 1).successors("start")
('live', 'die')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from ..exceptions import InvalidParameterError, InvalidTypeError
from ..mdp import MDP

__all__ = [
    "MAX_GRAPHS",
    "count_successor_graphs",
    "deterministic_mdps",
    "terminal_choice",
]

#: Most labelled successor graphs :func:`deterministic_mdps` walks through.
MAX_GRAPHS = 2_000_000


def _positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"`{name}` must be an integer; got {value!r}.")
    if value < minimum:
        raise InvalidParameterError(f"`{name}` must be at least {minimum}; got {value}.")
    return value


def count_successor_graphs(n_states: int, max_actions: int | None = None) -> int:
    """How many successor graphs on `n_states` labelled states exist.

    Every state has between 1 and `max_actions` (default: `n_states`)
    distinct successors.

    Parameters
    ----------
    n_states : int
        The number of states.
    max_actions : int, optional
        The most actions (out-edges) a state may have; default any number.

    Returns
    -------
    int

    Examples
    --------
    >>> count_successor_graphs(3), count_successor_graphs(3, max_actions=1)
    (343, 27)
    """
    n = _positive_int(n_states, "n_states")
    k = n if max_actions is None else min(_positive_int(max_actions, "max_actions"), n)
    return sum(math.comb(n, j) for j in range(1, k + 1)) ** n


def deterministic_mdps(n_states: int, *, max_actions: int | None = None) -> Iterator[MDP]:
    """Every deterministic MDP on `n_states` states, once per isomorphism class.

    States are ``0, ..., n-1``; each action is named by its successor (the
    successor-graph convention of :func:`powerseek.from_graph`). Each class is
    represented by its lexicographically smallest labelling, and the classes
    come in that order, so a sweep is reproducible.

    Parameters
    ----------
    n_states : int
        The number of states.
    max_actions : int, optional
        At most this many actions per state (default: no limit).

    Returns
    -------
    Iterator of MDP

    Raises
    ------
    InvalidParameterError
        If more than :data:`MAX_GRAPHS` labelled graphs would have to be walked
        (n_states = 5 has 28,629,151); the message says how many.

    Examples
    --------
    >>> [m.successors(0) for m in deterministic_mdps(2)]
    [(0,), (0,), (0,), (1,), (1,), (0, 1)]
    """
    n = _positive_int(n_states, "n_states")
    total = count_successor_graphs(n, max_actions)
    if total > MAX_GRAPHS:
        raise InvalidParameterError(
            f"there are {total:,} successor graphs on {n} states"
            + ("" if max_actions is None else f" with at most {max_actions} actions per state")
            + f"; exhaustive enumeration stops at {MAX_GRAPHS:,}. Lower n_states or max_actions."
        )
    limit = n if max_actions is None else min(max_actions, n)
    masks = [m for m in range(1, 1 << n) if bin(m).count("1") <= limit]
    # image[p][mask]: the successor set `mask` with its states renamed by p.
    perms = list(itertools.permutations(range(n)))
    image = [
        [sum(1 << p[j] for j in range(n) if mask >> j & 1) for mask in range(1 << n)] for p in perms
    ]
    for graph in itertools.product(masks, repeat=n):
        if all(_not_smaller(graph, p, image[k]) for k, p in enumerate(perms)):
            yield _from_masks(graph)


def _not_smaller(graph: tuple[int, ...], p: tuple[int, ...], image: list[int]) -> bool:
    """Whether relabelling `graph` by p gives a tuple no smaller than `graph`."""
    relabelled = [0] * len(graph)
    for i, mask in enumerate(graph):
        relabelled[p[i]] = image[mask]
    return tuple(relabelled) >= graph


def _from_masks(graph: tuple[int, ...]) -> MDP:
    n = len(graph)
    return MDP({i: [j for j in range(n) if graph[i] >> j & 1] for i in range(n)})


def terminal_choice(n: int, m: int, *, shared: int = 0) -> MDP:
    """The terminal-choice MDP of theory.md §E.1: n options against m.

    From ``start``, action ``live`` leads to state ``live``, from which the
    agent picks one of the terminal states ``b1..bn``; action ``die`` leads to
    ``die`` and the terminal states ``a1..am``. The `shared` terminal states
    ``c1..`` are reachable from both. At γ = 1 the options after ``live`` are
    B = {b_i} ∪ {c_k} and after ``die`` A = {a_j} ∪ {c_k}; B contains
    ⌊n/m⌋ copies of A.

    Parameters
    ----------
    n : int
        Options (terminal states) after the first action.
    m : int
        Options after the second action.
    shared : int, default 0
        Options reachable after both.

    Returns
    -------
    MDP

    Examples
    --------
    >>> mdp = terminal_choice(3, 2, shared=1)
    >>> mdp.successors("live"), mdp.successors("die")
    (('b1', 'b2', 'b3', 'c1'), ('a1', 'a2', 'c1'))
    """
    n = _positive_int(n, "n")
    m = _positive_int(m, "m")
    shared = _positive_int(shared, "shared", minimum=0)
    common = [f"c{k}" for k in range(1, shared + 1)]
    live = [f"b{i}" for i in range(1, n + 1)] + common
    die = [f"a{j}" for j in range(1, m + 1)] + common
    terminals = live[:n] + die[:m] + common
    transitions = {"start": {"live": "live", "die": "die"}, "live": live, "die": die}
    transitions.update((t, [t]) for t in terminals)
    return MDP(
        transitions,
        states=["start", "live", "die", *terminals],
        name=f"terminal-choice-{n}-{m}" + (f"-{shared}" if shared else ""),
        metadata={
            "title": f"Terminal choice: {n} options against {m}"
            + (f", {shared} shared" if shared else ""),
            "start": "start",
        },
    )
