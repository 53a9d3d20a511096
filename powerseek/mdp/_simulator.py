"""Compile a simulator into an explicit MDP by breadth-first enumeration.

A simulator gives a start state, the actions and a step function; the MDP holds
every state reachable from the start. Two ways to give the states:

* **any hashable states** (``vectorized=False``, the default):
  ``step(state, action)`` returns the next state, a mapping ``{next: probability}``,
  or either of them paired with ``done`` (the step ends the episode). The states
  are interned as integers as they are found, so the enumeration below is the same.
* **packed integer codes** (``vectorized=True``), for millions of states: a state
  is a non-negative integer below 2**62 and ``step(codes, index)`` (the action's
  position in ``actions``) takes a whole frontier at once (an int64 array) and
  returns arrays: ``next`` of shape (m,) for a deterministic step or (m, k) for k
  outcomes each, then optionally ``done``
  (``(next, done)``), or ``probability`` (m, k) and ``done`` (``(next, probability,
  done)``); ``done`` has shape (m,) or (m, k). ``label(code)`` makes a readable label.

A scalar step that returns a pair whose second item is a bool is read as
``(next, done)``; a state that is itself such a pair is returned as ``(state, False)``.

The enumeration works on sorted int64 arrays, layer by layer: the successors of
the whole frontier under each action, made unique, the new ones found by
binary search in the sorted known codes, then merged into them (a merge of two
sorted runs, linear time). A Python dict is never built for the packed codes.

A step with ``done`` leads to a *terminal copy* of its successor, labelled
``Ended(label)``: an absorbing state with the one action ``"stay"`` back to
itself, as :meth:`MDP.terminal_states` reports. The simulator state itself may
also be reached without ending the episode; the copy keeps the two apart.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from .._progress import progress_bar
from .._validation import quote
from ..exceptions import InvalidParameterError, InvalidTypeError, SearchLimitError
from ._model import MDP

__all__ = [
    "DEFAULT_SIMULATOR_MEMORY",
    "Ended",
    "default_memory",
    "from_simulator",
    "simulator_bytes_per_state",
]

#: The terminal copies' flag: codes must stay below it.
TERMINAL_BIT = np.int64(1) << np.int64(62)
#: Memory the enumeration and the MDP it builds may use, by default (bytes), unless
#: the environment variable POWERSEEK_MEMORY sets another (:func:`default_memory`).
DEFAULT_SIMULATOR_MEMORY = 4 * 2**30
#: Byte suffixes POWERSEEK_MEMORY accepts.
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20,
          "gib": 2**30}  # fmt: skip
#: The action of a terminal copy.
STAY = "stay"


def default_memory() -> float:
    """The memory budget of an enumeration when none is passed.

    ``POWERSEEK_MEMORY`` when set (bytes: ``8e9``, ``6GiB``, ``500 MB``), so that
    :func:`powerseek.load` and the command line can compile a larger world;
    else :data:`DEFAULT_SIMULATOR_MEMORY`.

    Returns
    -------
    float

    Examples
    --------
    >>> import os
    >>> default_memory() == DEFAULT_SIMULATOR_MEMORY or "POWERSEEK_MEMORY" in os.environ
    True
    """
    text = os.environ.get("POWERSEEK_MEMORY")
    if text is None:
        return DEFAULT_SIMULATOR_MEMORY
    number = text.strip().lower().rstrip("bgikm ")
    unit = text.strip().lower()[len(number) :].replace(" ", "")
    try:
        value = float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InvalidParameterError(
            f"POWERSEEK_MEMORY must be a positive number of bytes, such as 8e9 or 6GiB; "
            f"got {text!r}."
        )
    return value


class Ended(NamedTuple):
    """The terminal copy of a simulator state, reached by a step that ended the episode.

    Parameters
    ----------
    state : hashable
        The label of the simulator state the episode ended in.

    Examples
    --------
    >>> Ended((2, 3))
    Ended(state=(2, 3))
    >>> str(Ended("goal"))
    "ended('goal')"
    """

    state: Hashable

    def __str__(self) -> str:
        # labels that print themselves compactly (object-level states) keep their form
        inner = str(self.state) if getattr(self.state, "compact_label", False) else repr(self.state)
        return f"ended({inner})"


def simulator_bytes_per_state(n_actions: int, outcomes: int = 1) -> int:
    """Memory per reachable state of :func:`from_simulator`, in bytes, as it is budgeted.

    About 400 bytes per state (its label, the MDP's index of it, its codes during
    the enumeration) and 80 per successor entry (the step's arrays, then the
    transition matrix). Measured peaks: 793 bytes per state for one-box Sokoban
    (5 actions, labels pairs of cells; benchmarks/bench_simulator.py), against
    800 here.

    Parameters
    ----------
    n_actions : int
        Actions per state.
    outcomes : int, default 1
        Successors per action (1 for a deterministic simulator).

    Returns
    -------
    int

    Examples
    --------
    >>> simulator_bytes_per_state(5)
    800
    """
    return 400 + 80 * n_actions * outcomes


def from_simulator(
    start: Any,
    actions: Iterable[Hashable],
    step: Callable[..., Any],
    *,
    vectorized: bool = False,
    label: Callable[[int], Hashable] | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    max_states: int | None = None,
    memory: float | None = None,
    progress: bool | None = False,
) -> MDP:
    """The MDP of every state a simulator reaches from `start`.

    Parameters
    ----------
    start : hashable or int
        The start state (a non-negative int below 2**62 when `vectorized`).
    actions : iterable of hashable
        The actions, the same at every state, in order.
    step : callable
        ``step(state, action)``, or, when `vectorized`, ``step(codes, index)``
        over an int64 array of codes and the action's position in `actions`; see
        the module notes for what it returns.
    vectorized : bool, default False
        Whether `step` works on arrays of packed integer codes.
    label : callable, optional
        ``label(code)`` gives a packed code's readable label (default the code).
        Ignored unless `vectorized`: other states are their own labels.
    name : str, optional
        The MDP's name.
    metadata : mapping, optional
        Metadata of the MDP; ``start`` is set to the start state's label.
    max_states : int, optional
        Refuse worlds with more reachable states than this.
    memory : float, optional
        Bytes the enumeration and the MDP may take, estimated per state by
        :func:`simulator_bytes_per_state`; a world that would need more is refused
        as soon as the enumeration shows it, before the MDP is built. Default
        :func:`default_memory`: ``POWERSEEK_MEMORY`` when set, else 4 GiB.
    progress : bool or None, default False
        Show the states found, layer by layer (None: only on a terminal).

    Returns
    -------
    MDP
        States in breadth-first order from `start`; the actions of every state
        in the order given, and ``"stay"`` alone at a terminal copy.

    Raises
    ------
    InvalidParameterError
        A step returns a probability outside [0, 1], rows that do not sum to 1,
        a code out of range, or arrays of the wrong shape, naming the state and action.
    SearchLimitError
        The world is larger than `max_states` or `memory` allows.

    See Also
    --------
    MDP.from_arrays : An MDP from its state-action-pair arrays.
    powerseek.gridworld.parse : Gridworlds without objects, from ASCII maps.

    Examples
    --------
    A corridor of four cells; walking right from the last one ends the episode:

    >>> def walk(cell, action):
    ...     if action == "right":
    ...         return (cell + 1, False) if cell < 3 else (cell, True)
    ...     return max(cell - 1, 0)
    >>> mdp = from_simulator(0, ["left", "right"], walk, name="corridor")
    >>> mdp.states
    (0, 1, 2, 3, Ended(state=3))
    >>> mdp.terminal_states(), mdp.transition(3, "right")
    ((Ended(state=3),), {Ended(state=3): 1.0})

    The same corridor on packed codes, a frontier at a time:

    >>> import numpy as np
    >>> def walk_all(codes, action):
    ...     if action == 1:                      # right
    ...         return np.minimum(codes + 1, 3), codes == 3
    ...     return np.maximum(codes - 1, 0)
    >>> packed = from_simulator(0, ["left", "right"], walk_all, vectorized=True)
    >>> packed.same_dynamics(mdp)
    True
    """
    actions = tuple(actions)
    if not actions:
        raise InvalidParameterError("`actions` must name at least one action; got none.")
    if len(set(actions)) != len(actions):
        raise InvalidParameterError(f"`actions` repeats an action: {list(actions)!r}.")
    if max_states is not None and (
        isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 1
    ):
        raise InvalidParameterError(f"`max_states` must be a positive integer; got {max_states!r}.")
    if memory is None:
        memory = default_memory()
    if isinstance(memory, bool) or not isinstance(memory, (int, float)) or not memory > 0:
        raise InvalidParameterError(f"`memory` must be a positive number of bytes; got {memory!r}.")
    if not callable(step):
        raise InvalidTypeError(f"`step` must be callable; got {type(step).__name__}.")
    if vectorized:
        start_code = _start_code(start)
        packed_step, decode = step, label
    else:
        interned = _Interned(start, step, actions)
        start_code, packed_step, decode = 0, interned.step, interned.state
    found = _enumerate(
        start_code, len(actions), packed_step, max_states, memory, progress, actions, decode
    )
    counts = np.where(found.terminal, 1, len(actions))
    offsets = np.concatenate([[0], np.cumsum(counts)])
    matrix = _transition_matrix(found, offsets, len(actions))  # frees the steps
    labels = _labels(found.codes, decode)  # after: the labels are most of the memory
    state_actions = [(STAY,) if t else actions for t in found.terminal.tolist()]
    del found, offsets, counts
    meta = dict(metadata or {})
    meta.setdefault("start", labels[0])
    return MDP.from_arrays(labels, state_actions, matrix, name=name, metadata=meta)


class _Found(NamedTuple):
    """The enumeration: codes in discovery order, which are terminal, and the steps."""

    codes: np.ndarray  # (n,) int64, discovery order; terminal copies carry TERMINAL_BIT
    terminal: np.ndarray  # (n,) bool
    index_of: Callable[[np.ndarray], np.ndarray]  # codes -> discovery positions
    steps: list  # (frontier codes, action, next codes (m, k), probabilities (m, k) or None)


def _start_code(start: Any) -> np.int64:
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
        raise InvalidTypeError(
            f"`start` must be an int code when `vectorized`; got {type(start).__name__}."
        )
    if not 0 <= int(start) < int(TERMINAL_BIT):
        raise InvalidParameterError(f"`start` must be a code in [0, 2**62); got {start!r}.")
    return np.int64(start)


class _Interned:
    """Any hashable states, numbered as they are found, behind a packed step."""

    def __init__(self, start: Hashable, step: Callable, actions: tuple) -> None:
        self._states: list = []
        self._codes: dict = {}
        self._step, self._actions = step, actions
        self.code(start, "`start`")

    def code(self, state: Any, where: str) -> int:
        try:
            found = self._codes.get(state)
        except TypeError:
            raise InvalidTypeError(f"{where} is not hashable: {state!r}.") from None
        if found is None:
            found = self._codes[state] = len(self._states)
            self._states.append(state)
        return found

    def state(self, code: int) -> Hashable:
        return self._states[code]

    def step(self, codes: np.ndarray, action: int):
        label = self._actions[action]
        rows = []
        for code in codes.tolist():
            state = self._states[code]
            rows.append(_outcome(self._step(state, label), state, label))
        k = max(len(r[0]) for r in rows)
        nxt = np.zeros((len(rows), k), dtype=np.int64)
        prob = np.zeros((len(rows), k))
        done = np.zeros((len(rows), k), dtype=bool)
        for i, (outcomes, ended) in enumerate(rows):
            where = f"step({quote(self._states[codes[i]])}, {quote(label)})"
            for j, (successor, p) in enumerate(outcomes):
                nxt[i, j] = self.code(successor, f"a successor of {where}")
                prob[i, j] = p
            done[i, : len(outcomes)] = ended
        return nxt, prob, done


def _outcome(value: Any, state: Hashable, action: Hashable) -> tuple[list, bool]:
    """(list of (successor, probability), done) from what a scalar step returned."""
    done = False
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], (bool, np.bool_)):
        value, done = value
    if isinstance(value, Mapping):
        outcomes = list(value.items())
        if not outcomes:
            raise InvalidParameterError(
                f"step({quote(state)}, {quote(action)}) returned no successors."
            )
    else:
        outcomes = [(value, 1.0)]
    return outcomes, bool(done)


def _enumerate(start, n_actions, step, max_states, memory, progress, actions, decode) -> _Found:
    """Breadth-first enumeration on sorted int64 code arrays."""
    order_parts = [np.array([start], dtype=np.int64)]
    known = _KnownCodes(order_parts[0])
    frontier = order_parts[0]
    steps: list = []
    n_found, outcomes_seen = 1, 1
    with progress_bar(progress, total=None, desc="states found", unit="state") as bar:
        bar.update(1)
        while frontier.size:
            layer = []
            for a in range(n_actions):
                nxt, prob, done = _checked(step(frontier, a), frontier, actions[a], decode)
                outcomes_seen = max(outcomes_seen, nxt.shape[1])
                nxt = np.where(done, nxt | TERMINAL_BIT, nxt)
                certain = nxt.shape[1] == 1 and bool((prob == 1.0).all())
                steps.append((frontier, a, nxt, None if certain else prob))  # None: prob 1
                layer.append(nxt.ravel() if certain else nxt[prob > 0])
            candidates = np.unique(np.concatenate(layer))
            new = candidates[~known.contains(candidates)]
            if new.size == 0:
                break
            known.add(new, np.arange(n_found, n_found + new.size, dtype=np.int64))
            order_parts.append(new)
            n_found += new.size
            bar.update(int(new.size))
            _check_size(n_found, n_actions, outcomes_seen, max_states, memory)
            frontier = new[(new & TERMINAL_BIT) == 0]
    codes = np.concatenate(order_parts)
    return _Found(codes, (codes & TERMINAL_BIT) != 0, known.positions_of, steps)


class _KnownCodes:
    """The codes found so far, as a few sorted runs with their discovery positions.

    Each layer's new codes are a sorted run; two runs are merged once the older
    is at most twice the newer, so there are O(log n) runs and every code is
    merged O(log n) times: O(n log n) in all, however deep the world, where
    merging every layer into one array would cost O(n) per layer.
    """

    def __init__(self, codes: np.ndarray) -> None:
        self.runs = [codes.copy()]
        self.positions = [np.zeros(codes.size, dtype=np.int64)]

    def contains(self, values: np.ndarray) -> np.ndarray:
        found = np.zeros(values.size, dtype=bool)
        for run in self.runs:
            slot = np.searchsorted(run, values)
            found |= (slot < run.size) & (run[np.minimum(slot, run.size - 1)] == values)
        return found

    def add(self, codes: np.ndarray, positions: np.ndarray) -> None:
        self.runs.append(codes)
        self.positions.append(positions)
        while len(self.runs) > 1 and self.runs[-2].size <= 2 * self.runs[-1].size:
            merged = np.concatenate([self.runs[-2], self.runs[-1]])
            by_code = np.argsort(merged, kind="stable")  # two sorted runs: a linear merge
            where = np.concatenate([self.positions[-2], self.positions[-1]])[by_code]
            self.runs[-2:] = [merged[by_code]]
            self.positions[-2:] = [where]

    def positions_of(self, values: np.ndarray) -> np.ndarray:
        """The discovery position of each of `values` (all of them known)."""
        out = np.empty(values.shape, dtype=np.int64)
        flat, result = values.ravel(), out.ravel()
        for run, positions in zip(self.runs, self.positions):
            slot = np.minimum(np.searchsorted(run, flat), run.size - 1)
            hit = run[slot] == flat
            result[hit] = positions[slot[hit]]
        return out


def _check_size(n_found, n_actions, outcomes, max_states, memory) -> None:
    if max_states is not None and n_found > max_states:
        raise SearchLimitError(
            f"the world has more than `max_states` = {max_states} reachable states (found "
            f"{n_found} so far); raise `max_states` to enumerate it."
        )
    need = n_found * simulator_bytes_per_state(n_actions, outcomes)
    if need > memory:
        raise SearchLimitError(
            f"the world needs more than `memory` = {memory / 2**30:.3g} GiB: {n_found} states "
            f"found so far, at about {simulator_bytes_per_state(n_actions, outcomes)} bytes each "
            f"({need / 2**30:.3g} GiB); raise `memory` (for `load` and the command line, "
            "the environment variable POWERSEEK_MEMORY, such as 8GiB) or make the world smaller."
        )


def _checked(result: Any, frontier: np.ndarray, action: Hashable, decode):
    """(next (m, k), probability (m, k), done (m, k)) from a packed step's result, checked."""
    m = frontier.size
    prob = done = None
    if isinstance(result, tuple) and len(result) == 3:
        nxt, prob, done = result
    elif isinstance(result, tuple) and len(result) == 2:
        nxt, done = result
        if np.asarray(done).dtype != bool:
            raise InvalidParameterError(
                f"step(codes, {quote(action)}) returned a pair whose second array is "
                f"{np.asarray(done).dtype}, not bool: a pair is (next, done); return "
                "(next, probability, done) for probabilities."
            )
    else:
        nxt = result
    nxt = np.asarray(nxt)
    if nxt.ndim == 1:
        nxt = nxt[:, None]
    where = f"step(codes, {quote(action)})"
    if nxt.ndim != 2 or nxt.shape[0] != m or nxt.shape[1] == 0:
        raise InvalidParameterError(
            f"{where} must return next codes of shape ({m},) or ({m}, k) for {m} states; "
            f"got shape {np.shape(nxt)}."
        )
    if not np.issubdtype(nxt.dtype, np.integer):
        raise InvalidParameterError(f"{where} must return integer codes; got {nxt.dtype}.")
    nxt = nxt.astype(np.int64, copy=False)
    prob = np.ones(nxt.shape) if prob is None else np.asarray(prob, dtype=float).reshape(nxt.shape)
    if done is None:
        done = np.zeros(nxt.shape, dtype=bool)
    else:
        done = np.asarray(done, dtype=bool)
        done = np.broadcast_to(done[:, None] if done.ndim == 1 else done, nxt.shape)
    bad = np.flatnonzero(((nxt < 0) | (nxt >= TERMINAL_BIT)).any(axis=1))
    if bad.size:
        state = _describe(frontier[bad[0]], decode)
        raise InvalidParameterError(
            f"step({state}, {quote(action)}) returned the code {int(nxt[bad[0]].min())}; "
            "codes must lie in [0, 2**62)."
        )
    bad = np.flatnonzero(
        ~np.isfinite(prob).all(axis=1)
        | (prob < 0).any(axis=1)
        | (np.abs(prob.sum(axis=1) - 1.0) > 1e-9)
    )
    if bad.size:
        state = _describe(frontier[bad[0]], decode)
        raise InvalidParameterError(
            f"step({state}, {quote(action)}) returned probabilities {prob[bad[0]].tolist()}; "
            "they must be in [0, 1] and sum to 1."
        )
    return nxt, prob, done


def _describe(code: Any, decode) -> str:
    return quote(decode(int(code))) if decode is not None else str(int(code))


def _labels(codes: np.ndarray, decode) -> list:
    plain = codes & ~TERMINAL_BIT
    many = getattr(decode, "many", None)  # a labeller that takes a whole array (object levels)
    if many is not None:
        names = many(plain)
    else:
        names = plain.tolist() if decode is None else [decode(c) for c in plain.tolist()]
    return [Ended(s) if t else s for s, t in zip(names, ((codes & TERMINAL_BIT) != 0).tolist())]


def _transition_matrix(found: _Found, offsets: np.ndarray, n_actions: int) -> sp.csr_matrix:
    """One row per state-action pair (states in discovery order), duplicates summed.

    The steps are consumed (and freed) as the matrix is filled. A world whose
    every step is certain fills the CSR arrays directly, one successor per pair;
    otherwise the entries go through coordinates, which sum repeated outcomes.
    """
    n, n_pairs = found.codes.size, int(offsets[-1])
    terminal = np.flatnonzero(found.terminal)
    steps = found.steps
    if all(prob is None for _, _, _, prob in steps):
        indices = np.empty(n_pairs, dtype=np.int32 if n < 2**31 else np.int64)
        while steps:
            frontier, a, nxt, _ = steps.pop()
            indices[offsets[found.index_of(frontier)] + a] = found.index_of(nxt[:, 0])
        indices[offsets[terminal]] = terminal
        indptr = np.arange(n_pairs + 1, dtype=np.int64)
        return sp.csr_matrix((np.ones(n_pairs), indices, indptr), shape=(n_pairs, n))
    rows, cols, values = [], [], []
    while steps:
        frontier, a, nxt, prob = steps.pop()
        prob = np.ones(nxt.shape) if prob is None else prob
        keep = prob > 0
        row = offsets[found.index_of(frontier)] + a
        rows.append(np.broadcast_to(row[:, None], nxt.shape)[keep])
        cols.append(found.index_of(nxt[keep]))
        values.append(prob[keep])
    rows.append(offsets[terminal])
    cols.append(terminal)
    values.append(np.ones(terminal.size))
    # building from coordinates sums repeated (pair, successor) entries
    return sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_pairs, n),
    )
