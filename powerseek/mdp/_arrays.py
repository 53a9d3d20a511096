"""Array forms of an MDP's dynamics, as other tools lay them out.

State-action pairs (QuantEcon's ``DiscreteDP``)
    ``Q`` of shape (L, n), dense or scipy.sparse, one row per pair, with
    ``s_indices`` and ``a_indices`` of length L: row k is the next-state
    distribution of action ``a_indices[k]`` in state ``s_indices[k]``. The
    pairs may come in any order; each state lists its actions in the order of
    its rows (QuantEcon sorts them by action index).
Products (pymdptoolbox, dense tensors)
    ``P[a, s, s']`` (pymdptoolbox's layout: an (m, n, n) array or a list of m
    (n, n) matrices, sparse ones too) or ``T[s, a, s']`` (an (n, m, n) array).
    Every action exists in every state unless a mask says otherwise: a boolean
    ``available[s, a]``, or, without one, an all-zero row marks the action
    unavailable in that state.

These functions check the arrays and return the parts :meth:`MDP.from_arrays`
takes (states, actions per state, pair-major transition matrix); the MDP
class's :meth:`~powerseek.MDP.from_sa_pairs`, :meth:`~powerseek.MDP.from_product`,
:meth:`~powerseek.MDP.to_sa_pairs` and :meth:`~powerseek.MDP.to_product` use them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..exceptions import InvalidMDPError, InvalidParameterError, InvalidTypeError

__all__ = ["SAPairs", "action_order", "product_of", "product_parts", "sa_pair_parts", "sa_pairs_of"]

#: Largest number of entries a dense product tensor may have (a 10^4-state, 10-action world).
MAX_DENSE_ENTRIES = 10**9


class SAPairs(NamedTuple):
    """An MDP in state-action-pair form (what :meth:`powerseek.MDP.to_sa_pairs` returns).

    Attributes
    ----------
    Q : scipy.sparse.csr_array, shape (L, n)
    s_indices, a_indices : numpy.ndarray of int, shape (L,)
        ``a_indices`` index into `actions`.
    states : tuple
    actions : tuple
        Every action label once (:func:`action_order`).
    """

    Q: Any
    s_indices: np.ndarray
    a_indices: np.ndarray
    states: tuple
    actions: tuple


def _labels(given: Sequence[Hashable] | None, n: int, what: str) -> tuple:
    if given is None:
        return tuple(range(n))
    labels = tuple(given)
    if len(labels) != n:
        raise InvalidParameterError(f"`{what}` must have {n} labels; got {len(labels)}.")
    return labels


def _index_array(values: Any, name: str, length: int, upper: int | None) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or array.shape[0] != length:
        raise InvalidParameterError(
            f"`{name}` must have one entry per row of `Q` ({length}); got shape {array.shape}."
        )
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not (np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array))):
            raise InvalidParameterError(f"`{name}` must hold integers; got {array.dtype}.")
        array = array.astype(np.int64)
    array = array.astype(np.int64, copy=False)
    bad = np.flatnonzero((array < 0) | (array >= upper) if upper is not None else array < 0)
    if bad.size:
        k = int(bad[0])
        bound = f"[0, {upper})" if upper is not None else "≥ 0"
        raise InvalidParameterError(
            f"`{name}`[{k}] = {int(array[k])} is out of range; indices must be in {bound}."
        )
    return array


def _rows(Q: Any, name: str) -> sp.csr_array:
    if sp.issparse(Q):
        matrix = sp.csr_array(Q, dtype=float)
    else:
        try:
            dense = np.asarray(Q, dtype=float)
        except (TypeError, ValueError):
            raise InvalidTypeError(
                f"`{name}` must be a numeric array or a scipy sparse matrix."
            ) from None
        if dense.ndim != 2:
            raise InvalidParameterError(f"`{name}` must be 2-dimensional; got shape {dense.shape}.")
        matrix = sp.csr_array(dense)
    row = _non_finite_row(matrix)
    if row is not None:
        raise InvalidMDPError(f"row {row} of `{name}` has a non-finite probability.")
    return matrix


def _non_finite_row(matrix: sp.csr_array) -> int | None:
    """The first row holding a NaN or an infinity, or None."""
    bad = np.flatnonzero(~np.isfinite(matrix.data))
    if not bad.size:
        return None
    return int(np.searchsorted(matrix.indptr, bad[0], "right")) - 1


def sa_pair_parts(Q, s_indices, a_indices, *, states=None, actions=None):
    """(states, actions per state, transition matrix) of the state-action-pair form.

    Parameters
    ----------
    Q : array_like or scipy sparse, shape (L, n)
    s_indices, a_indices : array_like of int, shape (L,)
    states : sequence, optional
        n state labels (default 0 .. n−1).
    actions : sequence, optional
        Labels of the action indices (default the indices themselves).

    Returns
    -------
    tuple
        ``(states, actions, matrix)`` for :meth:`powerseek.MDP.from_arrays`.

    Examples
    --------
    >>> states, actions, Q = sa_pair_parts([[0, 1], [1, 0], [0, 1]], [1, 0, 0], [0, 1, 0],
    ...                                    actions=["go", "stay"])
    >>> states, actions, Q.toarray().tolist()     # state 0's rows: "stay", then "go"
    ((0, 1), [('stay', 'go'), ('go',)], [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    """
    matrix = _rows(Q, "Q")
    L, n = matrix.shape
    s = _index_array(s_indices, "s_indices", L, n)
    a = _index_array(a_indices, "a_indices", L, None if actions is None else len(actions))
    by_pair = np.lexsort((a, s))
    repeated = np.flatnonzero((np.diff(s[by_pair]) == 0) & (np.diff(a[by_pair]) == 0))
    if repeated.size:
        i, j = sorted(by_pair[repeated[0] : repeated[0] + 2])
        raise InvalidMDPError(
            f"rows {i} and {j} of `Q` are both state {int(s[i])}, action {int(a[i])}; each "
            "state-action pair may appear once."
        )
    # Every state needs a row: checked on the L rows before anything of size n (the labels,
    # a count per state) is made, so that Q declaring 10^9 columns fails at once.
    present = np.unique(s)
    gaps = np.flatnonzero(present != np.arange(present.size))
    if present.size < n:
        first = int(gaps[0]) if gaps.size else int(present.size)
        shown = repr(tuple(states)[first]) if states is not None and len(states) == n else first
        rows = f" ({L} rows for {n} states)" if n > L else ""
        raise InvalidMDPError(
            f"state {shown} (index {first}) has no row in `Q`{rows}: every state needs at least "
            "one action (a terminal state has a self-loop)."
        )
    state_labels = _labels(states, n, "states")
    action_labels = tuple(actions) if actions is not None else None
    order = np.argsort(s, kind="stable")  # by state; each state's pairs in the given order
    s, a = s[order], a[order]
    counts = np.bincount(s, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    name = (lambda k: action_labels[k]) if action_labels is not None else int
    per_state = [tuple(name(int(k)) for k in a[offsets[i] : offsets[i + 1]]) for i in range(n)]
    return state_labels, per_state, matrix[order]


def product_parts(P, *, layout="ass", available=None, states=None, actions=None):
    """(states, actions per state, transition matrix) of a product form.

    Parameters
    ----------
    P : array_like, list of matrices, or scipy sparse
        ``P[a, s, s']`` (``layout="ass"``, pymdptoolbox's) or ``T[s, a, s']``
        (``layout="sas"``).
    layout : {"ass", "sas"}
    available : array_like of bool, shape (n, m), optional
        Which actions each state has; default: those whose row is not all zero.
    states, actions : sequence, optional
        n state and m action labels (default indices).

    Returns
    -------
    tuple
        ``(states, actions, matrix)`` for :meth:`powerseek.MDP.from_arrays`.

    Examples
    --------
    >>> P = [[[0, 1], [0, 1]], [[1, 0], [0, 0]]]   # action 1 is unavailable in state 1
    >>> states, actions, Q = product_parts(P, actions=["go", "back"])
    >>> actions, Q.toarray().tolist()
    ([('go', 'back'), ('go',)], [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    """
    if layout not in ("ass", "sas"):
        raise InvalidParameterError(
            f"`layout` must be 'ass' (P[a, s, s'], pymdptoolbox) or 'sas' (T[s, a, s']); got "
            f"{layout!r}."
        )
    blocks = _action_blocks(P, layout)  # one (n, n) csr per action
    m = len(blocks)
    n = blocks[0].shape[0]
    for k, block in enumerate(blocks):
        if block.shape != (n, n):
            raise InvalidParameterError(
                f"the matrix of action {k} has shape {block.shape}; every action's must be "
                f"({n}, {n})."
            )
    stacked = sp.vstack(blocks, format="csr")  # row a·n + s
    row = _non_finite_row(stacked)
    if row is not None:
        raise InvalidMDPError(f"state {row % n}, action {row // n} has a non-finite probability.")
    if available is None:
        mask = (np.diff(stacked.indptr) > 0).reshape(m, n).T
    else:
        mask = np.asarray(available)
        if mask.shape != (n, m):
            raise InvalidParameterError(
                f"`available` must have shape (n_states, n_actions) = ({n}, {m}); got {mask.shape}."
            )
        if mask.dtype != bool:
            raise InvalidTypeError(f"`available` must be booleans; got {mask.dtype}.")
    state_labels = _labels(states, n, "states")
    action_labels = _labels(actions, m, "actions")
    s_idx, a_idx = np.nonzero(mask)  # row-major: by state, then action
    empty = np.flatnonzero(~mask.any(axis=1))
    if empty.size:
        i = int(empty[0])
        raise InvalidMDPError(
            f"state {state_labels[i]!r} (index {i}) has no available action: its rows are all "
            "zero (or masked)."
        )
    matrix = stacked[a_idx * n + s_idx]
    per_state = [tuple(action_labels[int(k)] for k in np.flatnonzero(mask[i])) for i in range(n)]
    return state_labels, per_state, matrix


def _action_blocks(P: Any, layout: str) -> list[sp.csr_array]:
    if sp.issparse(P):
        raise InvalidParameterError(
            "a product form is 3-dimensional: pass P[a, s, s'] as a list of (n, n) matrices "
            "(sparse ones too) or a 3-dimensional array."
        )
    if isinstance(P, (list, tuple)) and P and any(sp.issparse(x) for x in P):
        if layout != "ass":
            raise InvalidParameterError("a list of matrices is P[a, s, s']: use layout='ass'.")
        return [sp.csr_array(x, dtype=float) for x in P]
    try:
        array = np.asarray(P, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            "`P` must be a numeric 3-dimensional array or a list of (n, n) matrices."
        ) from None
    if array.ndim != 3:
        form = "P[a, s, s']" if layout == "ass" else "T[s, a, s']"
        raise InvalidParameterError(f"`P` must be 3-dimensional ({form}); got shape {array.shape}.")
    if layout == "sas":
        array = array.transpose(1, 0, 2)
    if array.shape[1] != array.shape[2]:
        raise InvalidParameterError(
            f"`P` must be square in its state axes; got shape {array.shape} as P[a, s, s']."
        )
    return [sp.csr_array(block) for block in array]


def action_order(per_state: Sequence[Sequence[Hashable]]) -> tuple:
    """Every action label once, in an order every state's own order agrees with.

    When the states order their actions consistently (as gridworlds do: up,
    down, left, right, stay), sorting pairs by action index keeps each state's
    order; otherwise the labels come in order of first appearance.

    Parameters
    ----------
    per_state : sequence of sequences
        Each state's action labels, in order.

    Returns
    -------
    tuple

    Examples
    --------
    >>> action_order([("down", "stay"), ("up", "down", "stay")])
    ('up', 'down', 'stay')
    >>> action_order([("a", "b"), ("b", "a")])   # no common order
    ('a', 'b')
    """
    import networkx as nx

    first: dict[Hashable, int] = {}
    graph = nx.DiGraph()
    for actions in per_state:
        for action in actions:
            first.setdefault(action, len(first))
        graph.add_nodes_from(actions)
        graph.add_edges_from(zip(actions, actions[1:]))
    try:
        return tuple(nx.lexicographical_topological_sort(graph, key=first.__getitem__))
    except nx.NetworkXUnfeasible:
        return tuple(first)


def sa_pairs_of(mdp) -> SAPairs:
    """The state-action-pair form of `mdp` (see :meth:`powerseek.MDP.to_sa_pairs`).

    Parameters
    ----------
    mdp : MDP

    Returns
    -------
    SAPairs
    """
    labels = action_order(mdp.actions)
    index = {label: i for i, label in enumerate(labels)}
    a_indices = np.fromiter(
        (index[a] for actions in mdp.actions for a in actions), dtype=np.int64, count=mdp.n_pairs
    )
    s_indices = np.asarray(mdp.pair_states, dtype=np.int64).copy()
    return SAPairs(mdp.transition_matrix.copy(), s_indices, a_indices, mdp.states, labels)


def product_of(mdp, layout: str = "ass"):
    """The product form of `mdp`: (P, available, actions) (see :meth:`powerseek.MDP.to_product`).

    Parameters
    ----------
    mdp : MDP
    layout : {"ass", "sas"}, default "ass"

    Returns
    -------
    tuple
        ``(P, available, actions)``.
    """
    pairs = sa_pairs_of(mdp)
    n, m = mdp.n_states, len(pairs.actions)
    if n * n * m > MAX_DENSE_ENTRIES:
        raise InvalidParameterError(
            f"a dense product form of {n} states and {m} actions has {n * n * m:,} entries "
            f"(limit {MAX_DENSE_ENTRIES:,}); use to_sa_pairs() instead."
        )
    P = np.zeros((m, n, n))
    dense = pairs.Q.toarray()
    P[pairs.a_indices, pairs.s_indices] = dense
    available = np.zeros((n, m), dtype=bool)
    available[pairs.s_indices, pairs.a_indices] = True
    if layout == "sas":
        P = P.transpose(1, 0, 2).copy()
    elif layout != "ass":
        raise InvalidParameterError(f"`layout` must be 'ass' or 'sas'; got {layout!r}.")
    return P, available, pairs.actions
