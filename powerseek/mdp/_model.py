"""The MDP value type: states, actions and transitions, frozen.

A rewardless MDP ⟨S, A, T⟩ (theory.md Def 3.1) with finite S, a finite,
possibly different set of actions at each state (ragged action sets) and
T(s, a) ∈ Δ(S). Rewards are state-based and are supplied by the analyses,
never stored here; so is the discount γ.

The representation follows the state-action-pair form of QuantEcon's
``DiscreteDP``: the actions of all states are laid end to end as *pairs*;
state ``i`` owns pairs ``pair_offsets[i]:pair_offsets[i + 1]`` and row ``k``
of the sparse ``transition_matrix`` (shape ``(n_pairs, n_states)``) is
T(s, a) of pair ``k``. Deterministic MDPs, where every pair has one successor
with probability 1, are recognised on construction and expose
``successor_indices``, which the solvers use.
"""

from __future__ import annotations

import hashlib
import html
import types
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import check_hashable, did_you_mean, label_text, preview, quote
from ..exceptions import InvalidMDPError, InvalidTypeError, UnknownActionError, UnknownStateError
from ._arrays import SAPairs, product_of, product_parts, sa_pair_parts, sa_pairs_of
from ._build import as_csr, check_rows, no_action_message, parse_transitions

__all__ = ["MDP"]


class MDP:
    """A finite Markov decision process without rewards (frozen).

    Parameters
    ----------
    transitions : mapping
        For each state, its actions. Either a sequence of successor states
        (a *successor graph*: one deterministic action per successor, named
        by the successor's label) or a mapping ``action -> outcome`` where the
        outcome is a successor state (deterministic) or a mapping
        ``successor -> probability`` (stochastic). Probabilities may be
        numbers or fraction strings such as ``"1/3"``.
    states : sequence, optional
        The state order. Defaults to the order of `transitions`. Labels may be
        any hashable values (strings, integers, ``(row, col)`` tuples, ...).
    name : str, optional
        A short identifier, e.g. the catalog name.
    metadata : mapping, optional
        Free-form descriptive data (``title``, ``source``, ``description``,
        suggested ``gamma``, ``start`` state, gridworld ``grid`` layout). It
        takes part in equality but not in any computation.

    Raises
    ------
    InvalidMDPError
        A state without actions, an unknown successor, duplicate labels or
        probabilities that are negative or do not sum to 1.

    See Also
    --------
    powerseek.from_graph : build an MDP from a networkx graph.
    powerseek.gridworld.parse : build an MDP from an ASCII map.

    Examples
    --------
    The Candy/Wait MDP of Turner's posts as a successor graph:

    >>> mdp = MDP({
    ...     "start": ["candy", "wait"],
    ...     "wait": ["chocolate", "hug"],
    ...     "candy": ["candy"], "chocolate": ["chocolate"], "hug": ["hug"],
    ... })
    >>> mdp.states
    ('start', 'wait', 'candy', 'chocolate', 'hug')
    >>> mdp.actions_of("start")
    ('candy', 'wait')
    >>> mdp.is_deterministic, mdp.terminal_states()
    (True, ('candy', 'chocolate', 'hug'))

    A stochastic MDP with named actions:

    >>> coin = MDP({"s": {"flip": {"s": "1/2", "t": "1/2"}, "stay": "s"}, "t": {"stay": "t"}})
    >>> coin.transition("s", "flip")
    {'s': 0.5, 't': 0.5}
    >>> coin.is_deterministic
    False
    """

    __slots__ = (
        "_states",
        "_index",
        "_actions",
        "_offsets",
        "_matrix",
        "_successors",
        "_name",
        "_metadata",
        "_hash",
        "_derived",
    )

    def __init__(
        self,
        transitions: Mapping[Hashable, Any],
        *,
        states: Iterable[Hashable] | None = None,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        state_order, actions, matrix = parse_transitions(transitions, states)
        self._initialise(state_order, actions, matrix, name, metadata)

    @classmethod
    def from_arrays(
        cls,
        states: Iterable[Hashable],
        actions: Iterable[Iterable[Hashable]],
        transition_matrix: Any,
        *,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> MDP:
        """Build an MDP from the state-action-pair arrays directly.

        Parameters
        ----------
        states : sequence of hashable
            State labels, in order.
        actions : sequence of sequences
            ``actions[i]`` are the action labels of state ``i``, in order.
        transition_matrix : array_like or scipy sparse, shape (n_pairs, n_states)
            Row ``k`` is the next-state distribution of the ``k``-th pair,
            pairs ordered by state and then by action.
        name, metadata
            As in :class:`MDP`.

        Examples
        --------
        >>> import numpy as np
        >>> mdp = MDP.from_arrays(["a", "b"], [["go", "stay"], ["stay"]],
        ...                       np.array([[0, 1], [1, 0], [0, 1]]))
        >>> mdp.transition("a", "go")
        {'b': 1.0}
        """
        states = tuple(states)
        action_lists = [tuple(labels) for labels in actions]
        obj = cls.__new__(cls)
        obj._initialise(states, action_lists, transition_matrix, name, metadata)
        return obj

    @classmethod
    def from_sa_pairs(
        cls,
        Q: Any,
        s_indices: Any,
        a_indices: Any,
        *,
        states: Iterable[Hashable] | None = None,
        actions: Iterable[Hashable] | None = None,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> MDP:
        """Build an MDP from the state-action-pair form (QuantEcon's ``DiscreteDP``).

        Parameters
        ----------
        Q : array_like or scipy sparse, shape (L, n)
            Row k is the next-state distribution of pair k.
        s_indices, a_indices : array_like of int, shape (L,)
            The state and the action index of each pair, in any order.
        states : sequence, optional
            n state labels (default 0 .. n−1).
        actions : sequence, optional
            Labels of the action indices (default the indices).
        name, metadata
            As in :class:`MDP`.

        Returns
        -------
        MDP
            Each state's actions in the order of its rows.

        Raises
        ------
        InvalidParameterError, InvalidMDPError
            Wrong shapes, indices out of range, a repeated pair, a state
            without actions, or a row that is not a distribution (naming the
            row, state or action).

        Examples
        --------
        >>> mdp = MDP.from_sa_pairs([[0, 1], [0.5, 0.5], [0, 1]], [0, 0, 1], [0, 1, 0],
        ...                         states=["a", "b"], actions=["go", "try"])
        >>> mdp.actions_of("a"), mdp.transition("a", "try")
        (('go', 'try'), {'a': 0.5, 'b': 0.5})
        >>> Q, s, a, _, labels = mdp.to_sa_pairs()
        >>> s.tolist(), a.tolist(), labels
        ([0, 0, 1], [0, 1, 0], ('go', 'try'))
        """
        parts = sa_pair_parts(
            Q,
            s_indices,
            a_indices,
            states=None if states is None else tuple(states),
            actions=None if actions is None else tuple(actions),
        )
        return cls.from_arrays(*parts, name=name, metadata=metadata)

    @classmethod
    def from_product(
        cls,
        P: Any,
        *,
        layout: str = "ass",
        available: Any = None,
        states: Iterable[Hashable] | None = None,
        actions: Iterable[Hashable] | None = None,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> MDP:
        """Build an MDP from ``P[a, s, s']`` (pymdptoolbox) or ``T[s, a, s']``.

        Parameters
        ----------
        P : array_like or list of (n, n) matrices (sparse ones too)
            Transition probabilities, indexed as `layout` says.
        layout : {"ass", "sas"}, default "ass"
            ``"ass"``: P[a, s, s'], pymdptoolbox's layout; ``"sas"``: T[s, a, s'].
        available : array_like of bool, shape (n, m), optional
            Which actions each state has. Default: those whose row is not all
            zero (pymdptoolbox itself needs every row to be a distribution;
            pass `available` to leave actions out there).
        states, actions : sequence, optional
            n state and m action labels (default indices).
        name, metadata
            As in :class:`MDP`.

        Returns
        -------
        MDP

        Examples
        --------
        >>> import numpy as np
        >>> T = np.zeros((2, 2, 2)); T[0, 0, 1] = T[0, 1, 0] = T[1, 0, 1] = 1
        >>> mdp = MDP.from_product(T, layout="sas", actions=["right", "stay"])
        >>> mdp.actions_of(0), mdp.actions_of(1)     # T[1, 1] is all zero: unavailable
        (('right', 'stay'), ('right',))
        >>> P, available, labels = mdp.to_product()
        >>> P.shape, available.tolist()
        ((2, 2, 2), [[True, True], [True, False]])
        """
        parts = product_parts(
            P,
            layout=layout,
            available=available,
            states=None if states is None else tuple(states),
            actions=None if actions is None else tuple(actions),
        )
        return cls.from_arrays(*parts, name=name, metadata=metadata)

    def to_sa_pairs(self) -> SAPairs:
        """The state-action-pair form: ``(Q, s_indices, a_indices, states, actions)``.

        ``Q`` is the (n_pairs, n_states) CSR transition matrix; ``a_indices``
        index into ``actions``, every action label once, in an order that agrees
        with each state's own where one exists (QuantEcon's
        ``DiscreteDP(R, Q, beta, s_indices, a_indices)`` takes the first three
        and sorts pairs by action index). :meth:`from_sa_pairs` inverts it.

        Returns
        -------
        SAPairs
        """
        return sa_pairs_of(self)

    def to_product(self, layout: str = "ass") -> tuple[np.ndarray, np.ndarray, tuple]:
        """The dense product form: ``(P, available, actions)``.

        Parameters
        ----------
        layout : {"ass", "sas"}, default "ass"
            P[a, s, s'] or T[s, a, s'].

        Returns
        -------
        P : numpy.ndarray
            Zero rows where an action is unavailable.
        available : numpy.ndarray of bool, shape (n_states, n_actions)
        actions : tuple
            The action labels (ordered as by :meth:`to_sa_pairs`).
        """
        return product_of(self, layout)

    # ------------------------------------------------------------------
    # construction
    def _initialise(self, states, actions, matrix, name, metadata) -> None:
        states = tuple(states)
        if not states:
            raise InvalidMDPError("an MDP needs at least one state; got none.")
        try:  # the common case in one C-level pass; errors are located below
            index: dict[Hashable, int] = dict(zip(states, range(len(states))))
        except TypeError:
            index = {}
        if len(index) != len(states):
            index = {}
            for i, label in enumerate(states):
                check_hashable(label, "A state label")
                if label in index:
                    other = states[index[label]]
                    raise InvalidMDPError(
                        f"duplicate state label {quote(label)} (positions {index[label]} and {i}"
                        + (
                            f"; it equals {quote(other)}"
                            if other is not label and repr(other) != repr(label)
                            else ""
                        )
                        + "). State labels must be distinct."
                    )
                index[label] = i
        if len(actions) != len(states):
            raise InvalidMDPError(
                f"`actions` must give one list of actions per state: {len(states)} states, "
                f"{len(actions)} action lists."
            )
        frozen_actions = []
        checked: set[tuple] = set()  # action tuples already validated (most states share one)
        for label, labels in zip(states, actions):
            labels = tuple(labels)
            try:
                known = labels in checked
            except TypeError:  # an unhashable action: reported below
                known = False
            if not known:
                if not labels:
                    raise InvalidMDPError(no_action_message(label), state=label)
                seen = set()
                for action in labels:
                    check_hashable(action, f"An action label of state {quote(label)}")
                    if action in seen:
                        raise InvalidMDPError(
                            f"state {quote(label)} has the action {quote(action)} twice; "
                            "action labels must be distinct within a state."
                        )
                    seen.add(action)
                checked.add(labels)
            frozen_actions.append(labels)
        counts = np.fromiter((len(a) for a in frozen_actions), dtype=np.int64, count=len(states))
        offsets = np.zeros(len(states) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        n_pairs = int(offsets[-1])

        matrix = as_csr(matrix, (n_pairs, len(states)))
        check_rows(matrix, states, frozen_actions, offsets)

        row_nnz = np.diff(matrix.indptr)
        deterministic = bool(np.all(row_nnz == 1)) and bool(np.all(matrix.data == 1.0))
        successors = matrix.indices.astype(np.int64) if deterministic else None
        for array in (offsets, matrix.data, matrix.indices, matrix.indptr):
            array.flags.writeable = False
        if successors is not None:
            successors.flags.writeable = False

        if name is not None and not isinstance(name, str):
            raise InvalidTypeError(f"`name` must be a string; got {type(name).__name__} {name!r}.")
        frozen_metadata = _freeze_metadata(metadata, index)

        self._states = states
        self._index = index
        self._actions = tuple(frozen_actions)
        self._offsets = offsets
        self._matrix = matrix
        self._successors = successors
        self._name = name
        self._metadata = frozen_metadata
        self._hash = None
        self._derived = {}  # lazily computed structures; not part of the value

    # ------------------------------------------------------------------
    # basic structure
    @property
    def states(self) -> tuple[Hashable, ...]:
        """State labels in their fixed order; state ``i`` is ``states[i]``."""
        return self._states

    @property
    def n_states(self) -> int:
        """Number of states."""
        return len(self._states)

    @property
    def actions(self) -> tuple[tuple[Hashable, ...], ...]:
        """Action labels of each state, in state order (ragged)."""
        return self._actions

    @property
    def n_pairs(self) -> int:
        """Number of state-action pairs (rows of `transition_matrix`)."""
        return int(self._offsets[-1])

    @property
    def pair_offsets(self) -> np.ndarray:
        """Where each state's pairs start: a read-only ``(n_states + 1,)`` array.

        Read-only ``(n_states + 1,)`` array: state ``i`` owns pairs
        ``pair_offsets[i]:pair_offsets[i + 1]``.
        """
        return self._offsets

    @property
    def pair_states(self) -> np.ndarray:
        """``(n_pairs,)`` array: the state index of each pair."""
        return np.repeat(np.arange(self.n_states), np.diff(self._offsets))

    @property
    def transition_matrix(self) -> sp.csr_array:
        """Sparse ``(n_pairs, n_states)`` matrix of T(s, a, s'), read-only."""
        return self._matrix

    @property
    def is_deterministic(self) -> bool:
        """True when every action leads to one successor with probability 1."""
        return self._successors is not None

    @property
    def successor_indices(self) -> np.ndarray | None:
        """The successor index of each pair of a deterministic MDP.

        For deterministic MDPs, the ``(n_pairs,)`` successor index of each
        pair; ``None`` for stochastic MDPs.
        """
        return self._successors

    @property
    def name(self) -> str | None:
        """Short identifier (e.g. the catalog name), or ``None``."""
        return self._name

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only descriptive data: title, source, description, gamma, start, grid."""
        return self._metadata

    def __len__(self) -> int:
        return self.n_states

    def __contains__(self, state: object) -> bool:
        try:
            return state in self._index
        except TypeError:
            return False

    # ------------------------------------------------------------------
    # lookups
    def index(self, state: Hashable) -> int:
        """Position of `state` in :attr:`states`.

        Parameters
        ----------
        state : hashable
            A state label.

        Raises
        ------
        UnknownStateError
            If `state` is not a state, with the valid labels listed.

        Examples
        --------
        >>> MDP({"a": ["b"], "b": ["b"]}).index("b")
        1
        """
        try:
            return self._index[state]
        except (KeyError, TypeError):
            pass
        # A gridworld's legend names (``"start"``, ``"goal"`` from ``[names]``) name
        # states too, as they do on the command line, when they name one cell.
        names = self.legend_names()
        if isinstance(state, str) and state.strip() in names:
            cells = names[state.strip()]
            if len(cells) == 1:
                return self._index[cells[0]]
            raise UnknownStateError(
                f"{state!r} names {len(cells)} cells of {self._describe()} "
                f"({preview(cells)}); give one as (row, col)."
            )
        raise UnknownStateError(
            f"{quote(state)} is not a state of {self._describe()}."
            f"{did_you_mean(state, [*self._states, *names])} States: {preview(self._states)}."
        )

    def legend_names(self) -> dict[str, tuple[Hashable, ...]]:
        """The names a gridworld's legend gives its cells: ``start``, ``[names]``, letters.

        Each name maps to its cells in row-major order; ``start`` is also the
        start state the metadata records. Other environments have no names but
        that. :meth:`index` (and every function that takes a state)
        accepts a name that names one cell.

        Returns
        -------
        dict of str to tuple

        See Also
        --------
        powerseek.gridworld.named_cells : The same mapping, as a function.

        Examples
        --------
        >>> from powerseek import gridworld
        >>> maze = gridworld.parse("S.\\n.G", names={"G": "goal"})
        >>> maze.legend_names()
        {'start': ((0, 0),), 'goal': ((1, 1),)}
        >>> maze.index("goal")
        3
        """
        # a gridworld's layout (mdp.gridworld.GridLayout) records its legend marks
        layout = self._metadata.get("grid")
        names: dict[str, list] = {}
        for cell, char in getattr(layout, "marks", ()):
            label = "start" if char == "S" else layout.name_of(char)
            names.setdefault(label, []).append(cell)
        names = {label: tuple(cells) for label, cells in names.items()}
        start = self._metadata.get("start")
        if "start" not in names and start is not None and start in self._index:
            names["start"] = (start,)  # the start the metadata records, where the map has no S
        return names

    def actions_of(self, state: Hashable) -> tuple[Hashable, ...]:
        """Action labels available in `state`.

        Parameters
        ----------
        state : hashable
            A state label.

        """
        return self._actions[self.index(state)]

    def pair_index(self, state: Hashable, action: Hashable) -> int:
        """Row of `transition_matrix` for the pair (`state`, `action`).

        Parameters
        ----------
        state : hashable
            A state label.
        action : hashable
            An action available in `state`.

        Examples
        --------
        >>> MDP({"a": ["a", "b"], "b": ["b"]}).pair_index("b", "b")
        2
        """
        i = self.index(state)
        labels = self._actions[i]
        try:
            return int(self._offsets[i]) + labels.index(action)
        except ValueError:
            raise UnknownActionError(
                f"{quote(action)} is not an action of state {quote(state)}."
                f"{did_you_mean(action, labels)} Its actions: {preview(labels)}."
            ) from None

    def transition(self, state: Hashable, action: Hashable) -> dict[Hashable, float]:
        """T(state, action) as ``{successor: probability}`` in state order.

        Parameters
        ----------
        state : hashable
            A state label.
        action : hashable
            An action available in `state`.

        """
        k = self.pair_index(state, action)
        start, stop = self._matrix.indptr[k], self._matrix.indptr[k + 1]
        return {
            self._states[j]: float(p)
            for j, p in zip(self._matrix.indices[start:stop], self._matrix.data[start:stop])
        }

    def successors(self, state: Hashable) -> tuple[Hashable, ...]:
        """States reachable in one step from `state` with positive probability.

        Parameters
        ----------
        state : hashable
            A state label.

        """
        i = self.index(state)
        row = self.state_adjacency()[[i]]
        return tuple(self._states[j] for j in np.sort(row.indices))

    def is_terminal(self, state: Hashable) -> bool:
        """True when every action of `state` returns to it (Def 3.2).

        Parameters
        ----------
        state : hashable
            A state label.

        """
        return bool(self._terminal_mask()[self.index(state)])

    def is_one_cycle(self, state: Hashable) -> bool:
        """True when some action of `state` returns to it with probability 1 (Def 3.2).

        Parameters
        ----------
        state : hashable
            A state label.

        """
        return bool(self._one_cycle_mask()[self.index(state)])

    def terminal_states(self) -> tuple[Hashable, ...]:
        """All terminal states (every action is a self-loop), in state order."""
        return tuple(self._states[i] for i in np.flatnonzero(self._terminal_mask()))

    def one_cycles(self) -> tuple[Hashable, ...]:
        """All 1-cycles (some action is a self-loop), in state order."""
        return tuple(self._states[i] for i in np.flatnonzero(self._one_cycle_mask()))

    def _self_loop_pairs(self) -> np.ndarray:
        """``(n_pairs,)`` mask: the pair returns to its own state with probability 1."""
        m = self._matrix
        single = np.diff(m.indptr) == 1
        return single & (m.indices[m.indptr[:-1]] == self.pair_states)

    def _terminal_mask(self) -> np.ndarray:
        return np.logical_and.reduceat(self._self_loop_pairs(), self._offsets[:-1])

    def _one_cycle_mask(self) -> np.ndarray:
        return np.logical_or.reduceat(self._self_loop_pairs(), self._offsets[:-1])

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """A structure derived from the MDP, computed once and kept with it.

        Internal: solvers keep index structures here. Not part of the MDP's
        value (equality, hashing and pickling ignore it).

        Parameters
        ----------
        key : str
            Name of the derived structure; one value is kept per key.
        compute : callable
            Computes the structure from nothing but the MDP; called on the first request only.

        """
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def state_adjacency(self) -> sp.csr_array:
        """The boolean one-step reachability matrix ``(n_states, n_states)``.

        Boolean ``(n_states, n_states)`` matrix: ``[i, j]`` when some action
        of state ``i`` reaches state ``j`` with positive probability.
        """
        if "adjacency" not in self._derived:
            owner = sp.csr_array(
                (
                    np.ones(self.n_pairs),
                    self.pair_states,
                    np.arange(self.n_pairs + 1),
                ),
                shape=(self.n_pairs, self.n_states),
            ).T.tocsr()
            adjacency = (owner @ self._matrix).astype(bool).tocsr()
            adjacency.sort_indices()
            self._derived["adjacency"] = adjacency
        return self._derived["adjacency"]

    # ------------------------------------------------------------------
    # conversions
    def to_dict(self) -> dict[Hashable, dict[Hashable, Any]]:
        """The transitions as nested dictionaries, accepted by :class:`MDP`.

        Deterministic pairs map to their successor, stochastic pairs to
        ``{successor: probability}``.

        Examples
        --------
        >>> MDP({"a": ["a", "b"], "b": ["b"]}).to_dict()
        {'a': {'a': 'a', 'b': 'b'}, 'b': {'b': 'b'}}
        """
        out: dict[Hashable, dict[Hashable, Any]] = {}
        m = self._matrix
        for i, state in enumerate(self._states):
            per_action: dict[Hashable, Any] = {}
            for offset, action in enumerate(self._actions[i]):
                k = int(self._offsets[i]) + offset
                a, b = m.indptr[k], m.indptr[k + 1]
                if b - a == 1 and m.data[a] == 1.0:
                    per_action[action] = self._states[m.indices[a]]
                else:
                    per_action[action] = {
                        self._states[j]: float(p) for j, p in zip(m.indices[a:b], m.data[a:b])
                    }
            out[state] = per_action
        return out

    def relabel(self, mapping: Mapping[Hashable, Hashable] | Callable[[Hashable], Hashable]) -> MDP:
        """A copy with state labels replaced; the state order is kept.

        Parameters
        ----------
        mapping : mapping or callable
            New label for each old one. States missing from a mapping keep
            their label. A gridworld layout is dropped, since it is keyed by
            ``(row, col)`` labels.

        Examples
        --------
        >>> MDP({"a": ["b"], "b": ["b"]}).relabel({"a": 0, "b": 1}).states
        (0, 1)
        """
        if callable(mapping) and not isinstance(mapping, Mapping):
            new_states = tuple(mapping(s) for s in self._states)
        elif isinstance(mapping, Mapping):
            new_states = tuple(mapping.get(s, s) for s in self._states)
        else:
            raise InvalidTypeError(
                f"`mapping` must be a mapping or a callable; got {type(mapping).__name__}."
            )
        metadata = {k: v for k, v in self._metadata.items() if k != "grid"}
        if "start" in metadata:
            metadata["start"] = new_states[self._index[metadata["start"]]]
        return MDP.from_arrays(
            new_states, self._actions, self._matrix, name=self._name, metadata=metadata
        )

    def with_metadata(self, *, name: str | None = ..., **metadata: Any) -> MDP:
        """A copy with `name` and metadata entries replaced (``None`` removes an entry).

        Parameters
        ----------
        name : str or None, optional
            The copy's name (``None`` removes it); the current name when left out.
        **metadata
            Metadata entries to set; an entry given as ``None`` is removed.

        Examples
        --------
        >>> m = MDP({"a": ["a"]}).with_metadata(name="tiny", title="One state")
        >>> m.name, m.metadata["title"]
        ('tiny', 'One state')
        """
        merged = dict(self._metadata)
        for key, value in metadata.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        new_name = self._name if name is ... else name
        return MDP.from_arrays(
            self._states, self._actions, self._matrix, name=new_name, metadata=merged
        )

    # ------------------------------------------------------------------
    # value semantics
    def _key(self):
        m = self._matrix
        return (
            self._states,
            self._actions,
            m.indptr.tobytes(),
            m.indices.tobytes(),
            m.data.tobytes(),
        )

    def digest(self) -> str:
        """A SHA-256 hex digest of the dynamics: states, actions and transitions.

        Two MDPs have the same digest exactly when they have the same states and
        actions (labels compared with their types, so ``1``, ``1.0`` and
        ``True`` differ), in the same order, and bit-identical transition
        probabilities; name and metadata do not enter. Sweeps key their cached
        units by it, so an edited environment file is never served stale numbers.

        Examples
        --------
        >>> a = MDP({"s": ["s", "t"], "t": ["t"]})
        >>> a.digest() == MDP({"s": ["s", "t"], "t": ["t"]}, name="copy").digest()
        True
        >>> a.digest() == MDP({"s": ["t", "s"], "t": ["t"]}).digest()
        False
        """
        m = self._matrix
        text = repr((_typed(self._states), _typed(self._actions)))
        parts = [text.encode(), m.indptr.astype("<i8").tobytes(),
                 m.indices.astype("<i8").tobytes(), m.data.astype("<f8").tobytes()]  # fmt: skip
        digest = hashlib.sha256()
        for part in parts:
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.hexdigest()

    def same_dynamics(self, other: MDP) -> bool:
        """Whether `other` has the same dynamics, whatever its name and metadata.

        True when `other` has the same states, actions and transitions,
        in the same order, whatever its name and metadata.

        Parameters
        ----------
        other : MDP
            The MDP to compare with.

        Examples
        --------
        >>> a = MDP({"s": ["s"]}, name="one")
        >>> a.same_dynamics(a.with_metadata(name="two")), a == a.with_metadata(name="two")
        (True, False)
        """
        if not isinstance(other, MDP):
            raise InvalidTypeError(f"`other` must be an MDP; got {type(other).__name__}.")
        return self._key() == other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MDP):
            return NotImplemented
        return (
            self._key() == other._key()
            and self._name == other._name
            and thaw_metadata(self._metadata) == thaw_metadata(other._metadata)
        )

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self._key())
        return self._hash

    def __reduce__(self):
        return (
            _rebuild,
            (self._states, self._actions, self._matrix, self._name, thaw_metadata(self._metadata)),
        )

    def __setattr__(self, key: str, value: Any) -> None:
        if key in MDP.__slots__ and not hasattr(self, "_derived"):
            object.__setattr__(self, key, value)
        elif key == "_hash" and hasattr(self, "_derived"):
            object.__setattr__(self, key, value)  # lazily computed caches
        else:
            raise AttributeError(f"MDP is frozen; cannot set {key!r}.")

    def _describe(self) -> str:
        return f"MDP {self._name!r}" if self._name else "the MDP"

    def __repr__(self) -> str:
        parts = [f"name={self._name!r}"] if self._name else []
        parts += [
            f"n_states={self.n_states}",
            f"n_pairs={self.n_pairs}",
            f"deterministic={self.is_deterministic}",
        ]
        return f"MDP({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """A notebook's view: a gridworld's map, or a table of states and their actions.

        Examples
        --------
        >>> from powerseek import load
        >>> "<table" in load("powerplay-maze-7x7")._repr_html_()
        True
        """
        from .._display import table_html

        kind = "deterministic" if self.is_deterministic else "stochastic"
        head = (
            f"<p><b>{html.escape(self._name or 'MDP')}</b>: {self.n_states} states, "
            f"{self.n_pairs} state-action pairs, {kind}</p>"
        )
        grid = self._metadata.get("grid")
        if grid is not None and hasattr(grid, "shape") and hasattr(grid, "mark_of"):
            open_cells = set(self._states)
            rows = []
            for r in range(grid.shape[0]):
                cells = []
                for c in range(grid.shape[1]):
                    if (r, c) in open_cells:
                        mark = grid.mark_of((r, c))
                        text = "" if mark == "." else html.escape(mark)
                        cells.append(
                            f'<td title="({r}, {c})" style="border:1px solid #ccc;width:18px;'
                            f'height:18px;text-align:center">{text}</td>'
                        )
                    else:
                        cells.append('<td style="background:#444;width:18px;height:18px"></td>')
                rows.append("<tr>" + "".join(cells) + "</tr>")
            return head + '<table style="border-collapse:collapse">' + "".join(rows) + "</table>"
        rows = [
            [
                label_text(s),
                "; ".join(
                    f"{label_text(a)} → "
                    + ", ".join(
                        label_text(t) if p == 1.0 else f"{label_text(t)} ({p:.3g})"
                        for t, p in self.transition(s, a).items()
                    )
                    for a in self.actions_of(s)
                ),
            ]
            for s in self._states
        ]
        return head + table_html(["state", "actions"], rows)


# ----------------------------------------------------------------------
# helpers


def _typed(value: Any) -> Any:
    """Labels with their types spelled out, so that 1, 1.0 and True differ."""
    if isinstance(value, tuple):
        return ("tuple", tuple(_typed(v) for v in value))
    return (type(value).__qualname__, value)


def _rebuild(states, actions, matrix, name, metadata):
    return MDP.from_arrays(states, actions, matrix, name=name, metadata=metadata)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return types.MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def thaw_metadata(value: Any) -> Any:
    """Plain (mutable, comparable) dicts in place of the read-only mappings of `metadata`.

    Parameters
    ----------
    value : object
        ``MDP.metadata`` or any value inside it.

    Returns
    -------
    object
        `value` with every mapping, at any depth, copied into a plain dict.

    Examples
    --------
    >>> from powerseek import load
    >>> meta = load("turner-fig1").metadata
    >>> type(meta).__name__, type(thaw_metadata(meta)).__name__
    ('mappingproxy', 'dict')
    """
    if isinstance(value, Mapping):
        return {k: thaw_metadata(v) for k, v in value.items()}
    return value


def _freeze_metadata(metadata: Mapping[str, Any] | None, index: Mapping) -> Mapping[str, Any]:
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, Mapping):
        raise InvalidTypeError(
            f"`metadata` must be a mapping; got {type(metadata).__name__} {metadata!r}."
        )
    for key in metadata:
        if not isinstance(key, str):
            raise InvalidTypeError(f"metadata keys must be strings; got {key!r}.")
    if "start" in metadata:
        start = metadata["start"]
        try:
            known = start in index
        except TypeError:
            known = False
        if not known:
            raise InvalidMDPError(
                f"the start state {quote(start)} is not a state.{did_you_mean(start, index)} "
                f"States: {preview(index)}."
            )
    return _freeze(dict(metadata))
