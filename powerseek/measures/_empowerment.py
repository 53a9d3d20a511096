"""Empowerment: the channel capacity from an agent's next n actions to its state n steps on.

Klyubin, Polani and Nehaniv (2005): the n-step empowerment of a state s is

    E_n(s) = max_{p(a_1..a_n)} I(A_1..A_n ; S_n | S_0 = s)   (bits),

the capacity of the channel from open-loop action sequences to the state they
lead to. In a deterministic world each sequence leads to one state, so the
capacity is log2 of the number of distinct states the |A|^n sequences reach:
the states reachable in exactly n steps, counted here for every state at once by
n boolean products of the successor structure (no sequence is enumerated). In a
stochastic world the channel of each state is built by multiplying the actions'
transition matrices along every sequence, and Blahut–Arimoto's iteration runs on
all states together. With q the current distribution over sequences and
D_x = KL(P(·|x) ‖ Σ_x' q_x' P(·|x')), the capacity lies in [Σ_x q_x D_x, max_x D_x]
(Gallager's bounds); the iteration stops when the two meet to the tolerance,
and the result is their midpoint with half their gap as a certified bound.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._display import compact_repr
from ..exceptions import InvalidParameterError, SearchLimitError
from ..frames import Tabular, cell_columns, data_frame
from ..mdp import MDP

__all__ = ["MAX_CHANNEL_ENTRIES", "Empowerment", "empowerment"]

#: Most channel entries (states × sequences × outcomes) the stochastic method holds.
MAX_CHANNEL_ENTRIES = 50_000_000


@compact_repr
@dataclass(frozen=True)
class Empowerment(Tabular):
    """The n-step empowerment of every state, in bits.

    Attributes
    ----------
    states : tuple
        The MDP's states.
    steps : int
        n, the length of the action sequences.
    values : numpy.ndarray, shape (n_states,)
        E_n(s) in bits.
    bound : float
        Certified: every value is within `bound` bits of the capacity (0 where it
        is exact, as in a deterministic world).
    method : {"count", "blahut-arimoto"}
        How it was computed.
    iterations : int
        Blahut–Arimoto iterations (0 for counting).
    """

    states: tuple
    steps: int
    values: np.ndarray
    bound: float
    method: str
    iterations: int

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return {**cell_columns(self.states), "empowerment": self.values}, {
            "steps": self.steps,
            "bound": self.bound,
            "method": self.method,
        }

    def to_frame(self):
        """One row per state: its empowerment in bits.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def to_dict(self) -> dict[str, Any]:
        """The result as the command line's JSON prints it.

        Returns
        -------
        dict
            ``states`` (as text), ``empowerment`` (bits), ``bound``, ``steps``,
            ``method``, ``iterations``.
        """
        from ..mdp import label_text

        return {
            "states": [label_text(s) for s in self.states],
            "empowerment": [float(v) for v in self.values],
            "bound": float(self.bound),
            "steps": self.steps,
            "method": self.method,
            "iterations": self.iterations,
        }

    def _repr_html_(self) -> str:
        from .._display import table_html

        rows = [[str(s), float(v)] for s, v in zip(self.states, self.values, strict=True)]
        return table_html(
            ["state", "empowerment (bits)"],
            rows,
            caption=f"{self.steps}-step empowerment, within {self.bound:.2g} bits",
        )


def empowerment(
    mdp: MDP,
    steps: int,
    *,
    tol: float = 1e-4,
    max_iterations: int = 100_000,
    max_entries: int = MAX_CHANNEL_ENTRIES,
) -> Empowerment:
    """The n-step empowerment of every state of `mdp`, in bits.

    Parameters
    ----------
    mdp : MDP
        The environment. In a stochastic world every state with more than one
        action must have the same actions (the sequences' alphabet); a state with
        one action takes it whatever is chosen.
    steps : int
        n ≥ 1, the length of the action sequences.
    tol : float, default 1e-4
        Stochastic worlds: stop when every state's upper and lower capacity bounds
        are within `tol` bits. Blahut–Arimoto's gap shrinks about as 1/k in k
        iterations on these channels, so each tenfold tightening costs about ten
        times the iterations.
    max_iterations : int, default 100000
        Stochastic worlds: refuse to iterate longer (the bound reached is in the
        error).
    max_entries : int, default 50,000,000
        Stochastic worlds: refuse a channel with more entries (states × |A|^n ×
        states reached) than this, up front.

    Returns
    -------
    Empowerment

    Raises
    ------
    InvalidParameterError
        `steps` below 1, a bad tolerance, or a stochastic world whose states
        have different actions.
    SearchLimitError
        The channel of a stochastic world is over `max_entries`, or Blahut–Arimoto
        did not meet `tol` in `max_iterations`.

    See Also
    --------
    powerseek.power : POWER, the other measure of how many options a state keeps.

    Examples
    --------
    A corridor of five cells: from the middle, two steps reach all five.

    >>> from powerseek import gridworld
    >>> corridor = gridworld.parse(".....")
    >>> empowerment(corridor, 2).values.round(4).tolist()
    [1.585, 2.0, 2.3219, 2.0, 1.585]

    A coin that lands as called with probability 0.9: one bit less the noise's
    entropy, 1 − H(0.1).

    >>> from powerseek import MDP
    >>> coin = MDP({"s": {"heads": {"h": 0.9, "t": 0.1}, "tails": {"h": 0.1, "t": 0.9}},
    ...             "h": {"heads": "h", "tails": "h"}, "t": {"heads": "t", "tails": "t"}})
    >>> result = empowerment(coin, 1, tol=1e-9)
    >>> round(float(result.values[0]), 6), result.bound < 1e-9
    (0.531004, True)
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise InvalidParameterError(f"`steps` must be a positive integer; got {steps!r}.")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0:
        raise InvalidParameterError(f"`tol` must be a positive number; got {tol!r}.")
    steps = int(steps)
    if mdp.is_deterministic:
        counts = _reachable_counts(mdp, steps)
        return Empowerment(tuple(mdp.states), steps, np.log2(counts), 0.0, "count", 0)
    return _blahut_arimoto(mdp, steps, float(tol), int(max_iterations), int(max_entries))


def _reachable_counts(mdp: MDP, steps: int) -> np.ndarray:
    """How many states each state reaches in exactly `steps` steps (boolean products)."""
    n = mdp.n_states
    succ = np.asarray(mdp.successor_indices)
    # int64: a product entry counts the paths (at most n); a narrower type could wrap
    # to 0, which the sparse product drops as if no path existed
    A = sp.csr_array((np.ones(succ.size, dtype=np.int64), (mdp.pair_states, succ)), shape=(n, n))
    A.sum_duplicates()
    A.data[:] = 1
    reach = A
    for _ in range(steps - 1):
        reach = reach @ A
        reach.data[:] = 1  # keep it boolean
    return np.diff(reach.indptr)


def _alphabet(mdp: MDP) -> tuple[Hashable, ...]:
    """The actions every state with a choice shares, in the first such state's order."""
    alphabet = None
    for state, actions in zip(mdp.states, mdp.actions):
        if len(actions) == 1:
            continue
        if alphabet is None:
            alphabet, first = tuple(actions), state
        elif set(actions) != set(alphabet):
            raise InvalidParameterError(
                "empowerment of a stochastic world needs the same actions in every state "
                f"with a choice: state {state!r} has {', '.join(map(str, actions))}, state "
                f"{first!r} has {', '.join(map(str, alphabet))}."
            )
    return alphabet or tuple(mdp.actions[0])


def _channel(mdp: MDP, steps: int, max_entries: int) -> np.ndarray:
    """channel[s, x, k]: P(the k-th state s can reach after n steps | sequence x, start s)."""
    alphabet = _alphabet(mdp)
    n = mdp.n_states
    n_seq = len(alphabet) ** steps
    T = mdp.transition_matrix.tocsr()
    # each action's state-to-state matrix; a state with one action takes it for any
    per_action = []
    for a in alphabet:
        rows = np.array(
            [off if hi - off == 1 else off + list(acts).index(a)
             for off, hi, acts in zip(mdp.pair_offsets[:-1], mdp.pair_offsets[1:], mdp.actions)]
        )  # fmt: skip
        per_action.append(T[rows])
    # the states n steps of any actions can reach bound each channel's outputs
    reach = sum(per_action)
    span = reach
    for _ in range(steps - 1):
        span = span @ reach
    widest = int(np.diff(sp.csr_array(span).indptr).max())
    entries = n * n_seq * widest
    if entries > max_entries:
        raise SearchLimitError(
            f"the {steps}-step channel of this stochastic world holds {n} states x "
            f"{len(alphabet)}^{steps} = {n_seq} sequences x up to {widest} outcomes = "
            f"{entries:,} entries, over `max_entries` = {max_entries:,}; use fewer steps "
            "(the cost grows as |A|^n), or raise `max_entries`."
        )
    # M_x = T_{a1} ... T_{an} for every sequence x, built prefix by prefix
    layer = [sp.identity(n, format="csr")]
    for _ in range(steps):
        layer = [sp.csr_array(M @ Ta) for M in layer for Ta in per_action]
    # channel[s, x, k]: the chance that x from s ends in the k-th state s can reach
    span = sp.csr_array(span)
    span.sort_indices()
    keys = np.repeat(np.arange(n), np.diff(span.indptr)) * n + span.indices  # sorted
    channel = np.zeros((n, n_seq, widest))
    for x, M in enumerate(layer):
        rows = np.repeat(np.arange(n), np.diff(M.indptr))
        k = np.searchsorted(keys, rows * n + M.indices) - span.indptr[rows]
        channel[rows, x, k] = M.data
    return channel


def _blahut_arimoto(mdp, steps, tol, max_iterations, max_entries) -> Empowerment:
    channel = _channel(mdp, steps, max_entries)
    # states whose channels are the same (as a grid's interior cells are) share one
    # capacity, and sequences with the same outcome are one input: solve each once
    flat = channel.reshape(channel.shape[0], -1)
    _, first, which = np.unique(flat, axis=0, return_index=True, return_inverse=True)
    distinct = [np.unique(channel[s], axis=0) for s in first]
    inputs = max(rows.shape[0] for rows in distinct)
    packed = np.zeros((len(distinct), inputs, channel.shape[2]))
    used = np.zeros((len(distinct), inputs), dtype=bool)
    for k, rows in enumerate(distinct):
        packed[k, : rows.shape[0]] = rows
        used[k, : rows.shape[0]] = True
    values, bound, iterations = _capacity(packed, used, tol, max_iterations)
    return Empowerment(
        tuple(mdp.states), steps, values[np.ravel(which)], bound, "blahut-arimoto", iterations
    )


def _capacity(channel: np.ndarray, used: np.ndarray, tol: float, max_iterations: int):
    """Each channel's capacity in bits by Blahut–Arimoto: (values, bound, iterations).

    `channel[s, x]` is input x's outcome distribution; inputs with ``used`` False
    are padding. Any input distribution q gives Gallager's bounds
    Σ_x q_x D_x ≤ C ≤ max_x D_x, D_x = KL(P_x ‖ Σ q P); the best of each seen so
    far is kept, and the iteration stops when they are within `tol` everywhere.
    The values are the midpoints, the bound half the widest gap.
    """
    q = np.where(used, 1.0, 0.0)
    q /= q.sum(axis=1, keepdims=True)
    logc = np.where(channel > 0, np.log2(np.where(channel > 0, channel, 1.0)), 0.0)
    best_lower = np.full(channel.shape[0], -np.inf)
    best_upper = np.full(channel.shape[0], np.inf)
    iteration = 0
    while True:
        iteration += 1
        r = np.einsum("sx,sxy->sy", q, channel)
        logr = np.log2(np.where(r > 0, r, 1.0))
        D = np.einsum("sxy,sxy->sx", channel, logc - logr[:, None, :])
        D = np.where(used, D, -np.inf)
        upper = D.max(axis=1)
        best_lower = np.maximum(best_lower, np.einsum("sx,sx->s", q, np.where(used, D, 0.0)))
        best_upper = np.minimum(best_upper, upper)
        gap = float((best_upper - best_lower).max())
        if gap <= tol:
            break
        if iteration >= max_iterations:
            raise SearchLimitError(
                "the Blahut–Arimoto iteration did not bring the capacity bounds within "
                f"`tol` = {tol:g} bits in `max_iterations` = {max_iterations}; the widest gap "
                f"left is {gap:.3g} bits (raise `tol` or `max_iterations`)."
            )
        q = q * np.exp2(np.where(used, D - upper[:, None], -np.inf))
        q /= q.sum(axis=1, keepdims=True)
    return (best_lower + best_upper) / 2, gap / 2, iteration
