"""Building blocks of :class:`~powerseek.MDP` construction (private).

Turns the nested-mapping form into state-action-pair arrays and validates the
rows of a transition matrix. Errors about one state carry it as ``exc.state``
so that file readers can point at the line that defines it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import (
    PROBABILITY_TOLERANCE,
    check_hashable,
    did_you_mean,
    preview,
    quote,
    to_probability,
)
from ..exceptions import InvalidMDPError, InvalidTypeError, PowerseekError

__all__ = ["as_csr", "check_rows", "no_action_message", "parse_transitions"]


def no_action_message(label: Hashable) -> str:
    return (
        f"State {quote(label)} has no action; every state needs at least one. "
        f"To make it terminal (absorbing), give it a self-loop ({quote(label)} -> {quote(label)})."
    )


def as_csr(matrix: Any, shape: tuple[int, int]) -> sp.csr_array:
    """Copy `matrix` into a canonical float64 CSR array of `shape`."""
    if sp.issparse(matrix):
        csr = sp.csr_array(matrix, dtype=np.float64, copy=True)
    else:
        try:
            dense = np.asarray(matrix, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidTypeError(
                f"`transition_matrix` must be a numeric array or a scipy sparse matrix; {exc}."
            ) from None
        if dense.ndim != 2:
            raise InvalidMDPError(
                f"`transition_matrix` must be 2-dimensional (n_pairs, n_states); "
                f"got shape {dense.shape}."
            )
        csr = sp.csr_array(dense)
    if csr.shape != shape:
        raise InvalidMDPError(
            f"`transition_matrix` must have shape (n_pairs, n_states) = {shape}; got {csr.shape}."
        )
    csr.sum_duplicates()
    csr.indices = csr.indices.astype(np.int64, copy=False)
    csr.indptr = csr.indptr.astype(np.int64, copy=False)
    return csr


def check_rows(matrix: sp.csr_array, states, actions, offsets) -> None:
    """Validate and renormalise each row of `matrix` in place."""

    def pair_state(k: int) -> Hashable:
        return states[int(np.searchsorted(offsets, k, side="right") - 1)]

    def pair_label(k: int) -> str:
        i = int(np.searchsorted(offsets, k, side="right") - 1)
        return f"state {quote(states[i])} under action {quote(actions[i][k - offsets[i]])}"

    data = matrix.data
    bad = ~np.isfinite(data) | (data < 0) | (data > 1 + PROBABILITY_TOLERANCE)
    if np.any(bad):
        position = int(np.flatnonzero(bad)[0])
        k = int(np.searchsorted(matrix.indptr, position, side="right") - 1)
        target = states[matrix.indices[position]]
        raise InvalidMDPError(
            f"transition probability from {pair_label(k)} to {quote(target)} is "
            f"{data[position]}; probabilities must be in [0, 1].",
            state=pair_state(k),
        )
    counts = np.diff(matrix.indptr)
    sums = np.bincount(
        np.repeat(np.arange(len(counts)), counts), weights=data, minlength=len(counts)
    )
    off = np.abs(sums - 1.0) > PROBABILITY_TOLERANCE
    if np.any(off):
        k = int(np.flatnonzero(off)[0])
        raise InvalidMDPError(
            f"transition probabilities out of {pair_label(k)} sum to {sums[k]:.12g}, not 1.",
            state=pair_state(k),
        )
    # Renormalise rows whose sum is off by more than rounding could leave after a
    # renormalisation (2 ulps per entry): so building an MDP from its own matrix
    # gives back the same matrix.
    renormalise = np.abs(sums - 1.0) > 2.0 * np.finfo(float).eps * np.maximum(counts, 1)
    if np.any(renormalise):
        data /= np.repeat(np.where(renormalise, sums, 1.0), counts)
    matrix.eliminate_zeros()
    matrix.sort_indices()


def parse_transitions(transitions: Any, states: Iterable[Hashable] | None):
    """Turn the nested-mapping form into (states, actions, csr matrix)."""
    if not isinstance(transitions, Mapping):
        raise InvalidTypeError(
            "`transitions` must be a mapping from each state to its actions; "
            f"got {type(transitions).__name__}."
        )
    if states is None:
        order = tuple(transitions)
    else:
        order = tuple(states)
        listed = set()
        for label in order:
            check_hashable(label, "A state label")
            if label in listed:
                raise InvalidMDPError(
                    f"duplicate state label {quote(label)} in `states`; labels must be distinct."
                )
            listed.add(label)
        for label in transitions:
            if label not in listed:
                raise InvalidMDPError(
                    f"`transitions` has the state {quote(label)}, which is not in `states`."
                    f"{did_you_mean(label, order)}"
                )
    if not order:
        raise InvalidMDPError("an MDP needs at least one state; got none.")
    index = {label: i for i, label in enumerate(order)}

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    actions: list[tuple[Hashable, ...]] = []
    n_pairs = 0
    for state in order:
        if state not in transitions:
            raise InvalidMDPError(no_action_message(state), state=state)
        try:
            outcomes = _parse_state(state, transitions[state], index)
        except PowerseekError as exc:
            exc.state = state
            raise
        for _, distribution in outcomes:
            rows.extend([n_pairs] * len(distribution))
            cols.extend(distribution)
            vals.extend(distribution.values())
            n_pairs += 1
        actions.append(tuple(action for action, _ in outcomes))
    matrix = sp.coo_array(
        (
            np.asarray(vals, dtype=np.float64),
            (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
        ),
        shape=(n_pairs, len(order)),
    ).tocsr()
    return order, actions, matrix


def _parse_state(state: Hashable, spec: Any, index: Mapping[Hashable, int]):
    """The (action, {successor index: probability}) pairs of one state."""
    outcomes: list[tuple[Hashable, dict[int, float]]] = []
    for action, outcome in _iter_actions(state, spec):
        where = f"state {quote(state)} under action {quote(action)}"
        if isinstance(outcome, Mapping):
            if not outcome:
                raise InvalidMDPError(f"transition from {where} has no successor.")
            distribution = {
                _successor_index(successor, index, where): to_probability(
                    probability,
                    f"The transition probability from {where} to {quote(successor)}",
                    InvalidMDPError,
                )
                for successor, probability in outcome.items()
            }
        else:
            distribution = {_successor_index(outcome, index, where): 1.0}
        outcomes.append((action, distribution))
    if not outcomes:
        raise InvalidMDPError(no_action_message(state))
    return outcomes


def _iter_actions(state: Hashable, spec: Any):
    """Yield (action, outcome) pairs from one state's entry."""
    if isinstance(spec, Mapping):
        for action, outcome in spec.items():
            check_hashable(action, f"An action label of state {quote(state)}")
            yield action, outcome
    elif isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
        raise InvalidTypeError(
            f"the actions of state {quote(state)} must be a list of successors or a mapping "
            f"action -> successor; got {type(spec).__name__} {spec!r}."
        )
    else:
        seen: set = set()
        for successor in spec:
            check_hashable(successor, f"A successor of state {quote(state)}")
            if successor in seen:
                raise InvalidMDPError(
                    f"state {quote(state)} lists the successor {quote(successor)} twice. In a "
                    "successor list each successor is one action named after it; to have two "
                    "actions with the same successor, name the actions "
                    "(a mapping action -> successor)."
                )
            seen.add(successor)
            yield successor, successor


def _successor_index(successor: Any, index: Mapping[Hashable, int], where: str) -> int:
    try:
        return index[successor]
    except (KeyError, TypeError):
        raise InvalidMDPError(
            f"transition from {where} goes to {quote(successor)}, which is not a state."
            f"{did_you_mean(successor, index)} States: {preview(index)}."
        ) from None
