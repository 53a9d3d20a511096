"""Array kernels shared by the numpy and torch solvers.

Arrays are state-major inside the solvers: values (n_states, m) and pair values
(n_pairs, m) for m reward samples. Pairs are the rows of
``mdp.transition_matrix``; each state's pairs are contiguous.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..mdp import MDP

__all__ = [
    "CACHE_NUMBERS",
    "FLOOR_ULPS",
    "BackendSolution",
    "Segments",
    "bellman_residual",
    "best_next",
    "doublings_for",
    "evaluate_deterministic",
    "expected_next",
    "first_attaining",
    "gather_rows",
    "greedy_on_values",
    "greedy_policy",
    "improve_on_values",
    "improve_policy",
    "noise_floor",
    "padded_pairs",
    "segment_max",
    "segments_of",
    "sweep_budget",
]


class BackendSolution(NamedTuple):
    """What every solver back end returns for a batch of samples.

    The numpy, compiled, stochastic and torch back ends all return one, so
    :func:`powerseek.solvers.solve` reads fields by name, whatever ran.

    Attributes
    ----------
    values : numpy.ndarray, shape (n_states, m)
        V for each sample, state-major.
    policy : numpy.ndarray or None, shape (n_states, m)
        The final greedy pair index of each state (policy iteration), or None.
    bound : float
        Certified bound on (1−γ)·‖V − V*‖∞, the largest over the samples.
    iterations : int
        The most iterations any sample took.
    stable : bool
        Whether every sample stopped by its own criterion rather than the
        iteration limit (for value iteration: whether every sample met the tolerance).
    """

    values: np.ndarray
    policy: np.ndarray | None
    bound: float
    iterations: int
    stable: bool


#: Floating-point floor of certifiable bounds, in ulps of |R|/(1−γ).
FLOOR_ULPS = 64
#: Numbers per working array of a chunk for which the solvers run fastest: 512 KB, so
#: that the few arrays a sweep touches stay in a core's L2 cache (1.3x to 1.6x faster
#: than 2^18 on worlds of 31 to 1,600 states; docs/performance.md).
CACHE_NUMBERS = 2**16


class Segments:
    """Per-state reductions over each state's pairs (rows of (n_pairs, m) arrays).

    When action counts are not too ragged, the pairs are laid out in a padded
    (n_states, max_actions) index (short states repeat their last pair), and a
    reduction is a gather and an axis reduction, several times faster than
    ``ufunc.reduceat``; otherwise ``reduceat`` is used.
    """

    def __init__(self, mdp: MDP) -> None:
        self.offsets = mdp.pair_offsets[:-1]
        self.n_pairs = mdp.n_pairs
        pad = padded_pairs(mdp)
        self.pad = pad if pad.size <= 2 * mdp.n_pairs + mdp.n_states else None
        # (max_actions, n_states): each state's j-th (padded) pair, and its successor
        self.pair_columns = None if self.pad is None else np.ascontiguousarray(pad.T)
        successors = mdp.successor_indices
        self.next_columns = (
            None if successors is None or self.pad is None else successors[self.pair_columns]
        )

    def max(self, W: np.ndarray) -> np.ndarray:
        """Per-state maxima of `W` (n_pairs, m) -> (n_states, m)."""
        if self.pad is None:
            return np.maximum.reduceat(W, self.offsets, axis=0)
        return _column_max(W, self.pair_columns)

    def next_max(self, X: np.ndarray) -> np.ndarray | None:
        """Per state, the largest of X over its successors: (n_states, m) -> (n_states, m).

        One row gather per action column, with no (n_pairs, m) temporary; None
        where the MDP is stochastic or its action counts too ragged to pad.
        """
        if self.next_columns is None:
            return None
        return _column_max(X, self.next_columns)

    def first_within(self, W: np.ndarray, floor: np.ndarray) -> np.ndarray:
        """Per state, the first pair with ``W >= floor`` (floor is per state)."""
        if self.pad is None:
            return self.first(
                np.repeat(floor, np.diff(np.r_[self.offsets, self.n_pairs]), axis=0) <= W
            )
        return self._column_first(lambda j: W[self.pair_columns[j]] >= floor, floor.shape)

    def next_first_within(self, X: np.ndarray, floor: np.ndarray) -> np.ndarray | None:
        """Per state, the first pair whose successor's value in X is at least `floor`.

        (n_states, m) -> (n_states, m) pair indices, with no (n_pairs, m)
        temporary; None where :meth:`next_max` is.
        """
        if self.next_columns is None:
            return None
        return self._column_first(lambda j: X[self.next_columns[j]] >= floor, floor.shape)

    def _column_first(self, holds, shape):
        """Per state, the first padded pair j where ``holds(j)``; the last where none does."""
        width = self.pad.shape[1]
        first = np.broadcast_to(self.pad[:, width - 1 : width], shape)
        for j in range(width - 2, -1, -1):  # earlier pairs win
            first = np.where(holds(j), self.pad[:, j : j + 1], first)
        return np.array(first)

    def first(self, mask: np.ndarray) -> np.ndarray:
        """Per state, the first pair where `mask` holds (n_pairs, m) -> (n_states, m)."""
        if self.pad is None:
            positions = np.where(mask, np.arange(self.n_pairs)[:, None], self.n_pairs)
            return np.minimum.reduceat(positions, self.offsets, axis=0)
        return self._column_first(
            lambda j: mask[self.pair_columns[j]], (self.pad.shape[0], mask.shape[1])
        )


def _column_max(X, columns):
    """The largest of ``X[columns[j]]`` over j: one row gather per column, maxima in place."""
    best = X[columns[0]]
    for column in columns[1:]:
        np.maximum(best, X[column], out=best)
    return best


def padded_pairs(mdp: MDP) -> np.ndarray:
    """Each state's pair indices, padded to a rectangle.

    Each state's pair indices in a (n_states, max_actions) array; states with
    fewer actions repeat their last pair, which leaves maxima and first hits alone.

    Parameters
    ----------
    mdp : MDP
        The environment.

    Returns
    -------
    numpy.ndarray of int, shape (n_states, max_actions)

    Examples
    --------
    >>> from powerseek import load
    >>> padded_pairs(load("candy-wait")).tolist()   # start and wait have two actions
    [[0, 1], [2, 3], [4, 4], [5, 5], [6, 6]]
    """
    offsets = mdp.pair_offsets
    counts = np.diff(offsets)
    return offsets[:-1, None] + np.minimum(np.arange(int(counts.max())), counts[:, None] - 1)


def segments_of(mdp: MDP) -> Segments:
    """The cached :class:`Segments` of `mdp`.

    Returns
    -------
    Segments
    """
    return mdp.cached("segments", lambda: Segments(mdp))


def segment_max(W: np.ndarray, mdp: MDP) -> np.ndarray:
    """Per-state maximum over each state's pairs: (n_pairs, m) -> (n_states, m).

    Parameters
    ----------
    W : numpy.ndarray, shape (n_pairs, m)
        Values per state-action pair, shape (n_pairs, m), in the order of `mdp`'s pairs.
    mdp : MDP
        The environment.

    Returns
    -------
    numpy.ndarray, shape (n_states, m)

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> W = np.array([2.0, 1.0, 3.0, 4.0, 2.0, 3.0, 4.0])[:, None]   # one value per pair
    >>> segment_max(W, mdp).ravel().tolist()
    [2.0, 4.0, 2.0, 3.0, 4.0]
    """
    return segments_of(mdp).max(W)


def best_next(mdp: MDP, X: np.ndarray) -> np.ndarray:
    """Per state, the largest over its actions of E_{T(s,a)} X: (n_states, m) -> (n_states, m).

    ``segment_max(expected_next(mdp, X), mdp)``, the same numbers (a maximum
    is exact); on a deterministic MDP one row gather per action column, with no
    (n_pairs, m) temporary: per call, 1.4x faster on the robot face at 1,000
    samples and 2.6x on a 100x100 grid at 200.

    Parameters
    ----------
    mdp : MDP
        The environment.
    X : numpy.ndarray, shape (n_states, m)
        Values per state.

    Returns
    -------
    numpy.ndarray, shape (n_states, m)

    See Also
    --------
    segment_max, expected_next : The two steps it fuses.

    Examples
    --------
    On Candy/Wait (states start, wait, candy, chocolate, hug), X = state index:

    >>> import numpy as np
    >>> from powerseek import load
    >>> best_next(load("candy-wait"), np.arange(5.0)[:, None]).ravel().tolist()
    [2.0, 4.0, 2.0, 3.0, 4.0]
    """
    best = segments_of(mdp).next_max(X)
    return segment_max(expected_next(mdp, X), mdp) if best is None else best


def first_attaining(mask: np.ndarray, mdp: MDP) -> np.ndarray:
    """Per state, the first pair index where `mask` is true (n_pairs, m) -> (n_states, m).

    Every state must have at least one true pair.

    Parameters
    ----------
    mask : numpy.ndarray of bool, shape (n_pairs, m)
    mdp : MDP

    Returns
    -------
    numpy.ndarray of int, shape (n_states, m)
        Pair indices (rows of ``mdp.transition_matrix``).
    """
    return segments_of(mdp).first(mask)


def greedy_policy(mdp: MDP, W: np.ndarray, margin) -> np.ndarray:
    """Per state and sample, the first pair within `margin` of the best of `W`.

    Parameters
    ----------
    mdp : MDP
    W : numpy.ndarray, shape (n_pairs, m)
        Each pair's value E V(s'), per sample.
    margin : float or numpy.ndarray, shape (m,)

    Returns
    -------
    numpy.ndarray of int, shape (n_states, m)
        Pair indices.

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> W = np.array([2.0, 1.0, 3.0, 4.0, 2.0, 3.0, 4.0])[:, None]
    >>> greedy_policy(load("candy-wait"), W, 0.0).ravel().tolist()
    [0, 3, 4, 5, 6]
    """
    return segments_of(mdp).first_within(W, segment_max(W, mdp) - margin)


def greedy_on_values(mdp: MDP, V: np.ndarray, margin) -> np.ndarray:
    """:func:`greedy_policy` of a deterministic MDP, from the state values themselves.

    The greedy policy of ``W = V[successors]``, the same pairs, without
    forming that (n_pairs, m) array where the action counts pad.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    V : numpy.ndarray, shape (n_states, m)
    margin : float or numpy.ndarray, shape (m,)

    Returns
    -------
    numpy.ndarray of int, shape (n_states, m)

    See Also
    --------
    greedy_policy, improve_on_values

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> V = np.array([0.0, 1.0, 3.0, 4.0, 2.0])[:, None]  # start, wait, candy, chocolate, hug
    >>> greedy_on_values(load("candy-wait"), V, 0.0).ravel().tolist()  # candy, chocolate
    [0, 2, 4, 5, 6]
    """
    segments = segments_of(mdp)
    if segments.next_columns is None:
        return greedy_policy(mdp, V[mdp.successor_indices], margin)
    return segments.next_first_within(V, segments.next_max(V) - margin)


def improve_policy(mdp: MDP, W: np.ndarray, policy: np.ndarray, margin: np.ndarray):
    """Howard's improvement step on pair values, above floating-point noise.

    A state switches only where its best pair beats the current one by more
    than `margin`, and then to the first pair within `margin` of the best, so
    that iteration ends in a greedy policy.

    Parameters
    ----------
    mdp : MDP
    W : numpy.ndarray, shape (n_pairs, m)
        Each pair's value E V(s'), per sample.
    policy : numpy.ndarray of int, shape (n_states, m)
        Current pair indices (left unchanged).
    margin : numpy.ndarray, shape (m,)
        Per sample, the noise floor (:func:`noise_floor`).

    Returns
    -------
    best : numpy.ndarray, shape (n_states, m)
        Per-state maxima of `W`.
    improved : numpy.ndarray of int, shape (n_states, m)
        The improved policy (`policy` itself when nothing changed).
    changed : numpy.ndarray of bool, shape (m,)
        Whether the sample's policy changed.

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")      # start and wait choose; pairs 0-1 and 2-3
    >>> W = np.array([2.0, 1.0, 3.0, 4.0, 2.0, 3.0, 4.0])[:, None]
    >>> best, improved, changed = improve_policy(mdp, W, np.array([[1], [2], [4], [5], [6]]),
    ...                                          np.array([1e-12]))
    >>> improved.ravel().tolist(), changed.tolist()
    ([0, 3, 4, 5, 6], [True])
    """
    segments = segments_of(mdp)
    return _improve(
        segments.max(W),
        gather_rows(W, policy),
        policy,
        margin,
        lambda rows, floor: segments.first_within(W[:, rows], floor),
    )


def improve_on_values(
    mdp: MDP, V: np.ndarray, nxt: np.ndarray, policy: np.ndarray, margin: np.ndarray
):
    """:func:`improve_policy` of a deterministic MDP, from the state values themselves.

    The same step on ``W = V[successors]``, the same numbers, without forming
    that (n_pairs, m) array where the action counts pad (:func:`best_next`).

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    V : numpy.ndarray, shape (n_states, m)
        The policy's values.
    nxt : numpy.ndarray of int, shape (n_states, m)
        Each state's successor under `policy`.
    policy, margin
        As for :func:`improve_policy`.

    Returns
    -------
    best, improved, changed
        As for :func:`improve_policy`.

    See Also
    --------
    improve_policy, greedy_on_values

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")   # start, wait, candy, chocolate, hug
    >>> V = np.array([0.0, 1.0, 3.0, 4.0, 2.0])[:, None]
    >>> policy = np.array([[1], [3], [4], [5], [6]])   # start waits, wait takes the hug
    >>> best, improved, changed = improve_on_values(
    ...     mdp, V, mdp.successor_indices[policy], policy, np.array([1e-12]))
    >>> improved.ravel().tolist(), changed.tolist()   # candy, chocolate
    ([0, 2, 4, 5, 6], [True])
    """
    segments = segments_of(mdp)
    if segments.next_columns is None:
        return improve_policy(mdp, V[mdp.successor_indices], policy, margin)
    return _improve(
        segments.next_max(V),
        gather_rows(V, nxt),
        policy,
        margin,
        lambda rows, floor: segments.next_first_within(V[:, rows], floor),
    )


def _improve(best, current, policy, margin, first_within):
    """Switch where `best` beats `current` by more than `margin`, to the pair of `first_within`."""
    improve = best > current + margin
    changed = improve.any(axis=0)
    if not changed.any():
        return best, policy, changed
    rows = slice(None) if changed.all() else np.flatnonzero(changed)
    choice = first_within(rows, best[:, rows] - margin[rows])
    improved = policy.copy()
    improved[:, rows] = np.where(improve[:, rows], choice, policy[:, rows])
    return best, improved, changed


def bellman_residual(RT: np.ndarray, best: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """Per sample, ‖R + γ·best − V‖∞: the bound on (1−γ)·‖V − V*‖∞ it certifies.

    Parameters
    ----------
    RT, best, V : numpy.ndarray, shape (n_states, m)
        Rewards, per-state maxima of E V(s') and the values.
    gamma : float

    Returns
    -------
    numpy.ndarray, shape (m,)

    Examples
    --------
    >>> import numpy as np
    >>> bellman_residual(np.ones((2, 1)), np.full((2, 1), 2.0), np.array([[2.0], [2.5]]), 0.5)
    array([0.5])
    """
    return np.abs(RT + gamma * best - V).max(axis=0)


def sweep_budget(mdp: MDP, gamma: float) -> int:
    """Value sweeps deterministic policy iteration tries before it iterates on policies.

    Value iteration from V = R/(1−γ) is exact after as many sweeps as the
    longest optimal path to the cell it stays in, where every cell can stay;
    the sweeps are tried for up to half the cost of a typical policy iteration
    (15 evaluations of 2(K+1) doubling steps per state, K from
    :func:`doublings_for`, and an improvement over the pairs), so a world
    where they do not settle costs at most half as much again.

    Parameters
    ----------
    mdp : MDP
    gamma : float in (0, 1)

    Returns
    -------
    int

    Examples
    --------
    >>> from powerseek import load
    >>> sweep_budget(load("powerplay-robot-face"), 0.99)
    41
    """
    n, pairs = mdp.n_states, mdp.n_pairs
    policy_iteration_cost = 15 * (2 * (doublings_for(gamma) + 1) * n + pairs)
    return max(1, math.ceil(0.5 * policy_iteration_cost / (pairs + n)))


def expected_next(mdp: MDP, X: np.ndarray) -> np.ndarray:
    """E_{s'~T(s,a)} X(s') for every pair: (n_states, m) -> (n_pairs, m).

    Parameters
    ----------
    mdp : MDP
        The environment.
    X : numpy.ndarray, shape (n_states, m)
        Values per state, shape (n_states, m).

    Returns
    -------
    numpy.ndarray, shape (n_pairs, m)

    Examples
    --------
    On Candy/Wait (states start, wait, candy, chocolate, hug), X = state index:

    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> expected_next(mdp, np.arange(5.0)[:, None]).ravel().tolist()
    [2.0, 1.0, 3.0, 4.0, 2.0, 3.0, 4.0]
    """
    successors = mdp.successor_indices
    if successors is not None:
        return X[successors]
    return np.asarray(mdp.transition_matrix @ X)


def noise_floor(RT: np.ndarray, gamma: float) -> np.ndarray:
    """Per sample, a margin above floating-point noise on the V scale.

    Parameters
    ----------
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    gamma : float in [0, 1)

    Returns
    -------
    numpy.ndarray, shape (m,)
    """
    # max |R| as max(max R, −min R): the same number, without an |R| temporary
    scale = np.maximum(np.maximum(RT.max(axis=0), -RT.min(axis=0)), 1e-300)
    return FLOOR_ULPS * np.finfo(float).eps * scale / (1.0 - gamma)


def doublings_for(gamma: float, eps: float = float(np.finfo(float).eps)) -> int:
    """The number of pointer doublings that reaches float resolution at `gamma`.

    Doublings K so the tail after 2^(K+1) steps is below the resolution of a
    float type with machine epsilon `eps`: γ^(2^(K+1)) ≤ eps/16, whatever the tolerance.

    Parameters
    ----------
    gamma : float in [0, 1)
    eps : float, optional
        Machine epsilon of the working float type (default float64's).

    Returns
    -------
    int

    Examples
    --------
    >>> doublings_for(0.9), doublings_for(0.99), doublings_for(0.0)
    (8, 11, 0)
    """
    if gamma == 0.0:
        return 0
    horizon = math.log(eps / 16) / math.log(gamma)
    return max(0, math.ceil(math.log2(max(horizon, 1.0))) - 1)


def gather_rows(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``X[rows[i, j], j]`` for every i, j: a per-sample row gather.

    The same as ``np.take_along_axis(X, rows, axis=0)``, through flat indices
    (about 2.5x faster for the small index arrays of the solvers).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, m)
    rows : numpy.ndarray of int, shape (k, m)
        Row indices into `X`, per column.

    Returns
    -------
    numpy.ndarray, shape (k, m)

    Examples
    --------
    >>> import numpy as np
    >>> gather_rows(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1, 0]])).tolist()
    [[3.0, 2.0]]
    """
    index = rows * X.shape[1]
    index += np.arange(X.shape[1])
    return np.take(X, index)


def evaluate_deterministic(RT: np.ndarray, nxt: np.ndarray, gamma: float, doublings: int):
    """V^π for deterministic policies by pointer doubling.

    `nxt` (n_states, m) is each state's successor under π; after K doublings
    S = Σ_{t<2^K} γ^t R(π^t(s)), and a last half-step gives the horizon 2^(K+1).

    Parameters
    ----------
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    nxt : numpy.ndarray of int, shape (n_states, m)
        Each state's successor under each sample's policy.
    gamma : float in [0, 1)
    doublings : int
        K, from :func:`doublings_for`.

    Returns
    -------
    numpy.ndarray, shape (n_states, m)
        V^π, to floating-point resolution.
    """
    S = RT.copy()
    P = nxt
    g = gamma
    columns = np.arange(RT.shape[1])
    for k in range(doublings + 1):
        index = P * RT.shape[1]
        index += columns
        S += g * np.take(S, index)
        if k < doublings:  # the last pointer is never read
            P = np.take(P, index)
        g *= g
    return S
