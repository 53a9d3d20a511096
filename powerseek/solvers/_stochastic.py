"""Policy iteration for stochastic MDPs, each policy evaluated by a sparse LU.

Value iteration needs about log(1/tol)/(1−γ) sweeps; Howard's policy iteration
needs a number of improvement steps that grows far more slowly with γ, each
an exact evaluation V^π = (I − γP_π)⁻¹R. P_π has the sparsity of the world
(a gridworld cell reaches a handful of cells), so SuperLU factors it in about
a millisecond for 900 states. The policy starts greedy after a short run of
value sweeps from V = R/(1−γ), which leaves few improvement steps; a policy
changes only where an action is better by more than floating-point noise, so
the iteration ends, and the bound is the final values' Bellman residual
‖BV − V‖∞, which bounds (1−γ)·‖V − V*‖∞ for any V.

Where an evaluation shows the policy can improve, the next policy is greedy
not on V^π but on W = B^k V^π, k value sweeps later (:func:`lookahead_sweeps`):
V^π ≤ BV^π gives W ≤ BW, so the greedy policy π' on W has V^π' ≥ W ≥ BV^π,
at least Howard's step and usually far more; near γ = 1 it cuts the
evaluations several-fold (15 to 4 on a 30x30 slip-noise grid at γ = 0.999)
for sweeps that cost a fraction of one factorisation. The stopping test stays
Howard's, on V^π itself.

The evaluation is in float64 with one step of iterative refinement; I − γP_π
is strictly diagonally dominant by rows, so its transpose factors stably in
diagonal order (no pivoting), after a fill-reducing symmetric ordering that
is computed once per MDP and discount; the samples' factorisations run side
by side on threads (SuperLU releases the GIL).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    import scipy.sparse.linalg as spla

from ..mdp import MDP
from . import _compiled as compiled
from ._kernels import (
    BackendSolution,
    bellman_residual,
    greedy_policy,
    improve_policy,
    noise_floor,
    segment_max,
)

__all__ = ["LOOKAHEAD_SWEEPS", "START_SWEEPS", "evaluate_policy", "policy_iteration"]

#: Most value sweeps before the first policy is taken greedy (fewer at small γ).
START_SWEEPS = 300
#: Most value sweeps from an evaluated policy's values before the next greedy policy.
LOOKAHEAD_SWEEPS = 30


class _Ordered(NamedTuple):
    """Rows of I − γP for every pair, their states renumbered by a fill-reducing order."""

    rows: sp.csr_array  # row p: e_s − γT(s, a, ·), column t at position rank[t]
    order: np.ndarray  # order[i]: the state at position i


class _Factored(NamedTuple):
    """SuperLU of (I − γP_π)ᵀ in the renumbered states, with the matrix factored."""

    lu: spla.SuperLU
    matrix: sp.csc_matrix
    order: np.ndarray


def _ordered_rows(mdp: MDP, gamma: float) -> _Ordered:
    """The pair rows of I − γP, renumbered once for every policy of the MDP.

    The order is SuperLU's minimum degree ordering of the union of all
    policies' patterns (every pair of a state in its row), so a policy's
    matrix factors with no ordering step, and the factorisation depends on
    the policy alone, not on which samples share a batch.
    """

    def build() -> _Ordered:
        T = sp.csr_array(mdp.transition_matrix)
        own = sp.csr_array(
            (np.ones(mdp.n_pairs), (np.arange(mdp.n_pairs), mdp.pair_states)),
            shape=T.shape,
        )
        rows = sp.csr_array(own - gamma * T)
        rows.sum_duplicates()
        # each state's row sums its pairs' |rows|: strictly diagonally dominant, as
        # each policy's matrix is
        union = own.T @ abs(rows)
        rank = _superlu(sp.csc_matrix(union.T), "MMD_AT_PLUS_A").perm_c
        pair_of = np.repeat(np.arange(mdp.n_pairs), np.diff(rows.indptr))
        renumbered = sp.coo_array((rows.data, (pair_of, rank[rows.indices])), shape=rows.shape)
        renumbered = sp.csr_array(renumbered)
        renumbered.sum_duplicates()
        renumbered.sort_indices()
        return _Ordered(renumbered, np.argsort(rank))

    return mdp.cached(f"ordered-pair-rows-{gamma!r}", build)


def _superlu(matrix: sp.csc_matrix, ordering: str) -> spla.SuperLU:
    import scipy.sparse.linalg as spla

    # diagonally dominant by columns: the diagonal pivots are stable, none is needed
    return spla.splu(
        matrix, permc_spec=ordering, diag_pivot_thresh=0.0, options={"SymmetricMode": True}
    )


def _factor(ordered: _Ordered, policy: np.ndarray) -> _Factored:
    """SuperLU of (I − γP_π)ᵀ: the rows of the chosen pairs, read as columns, renumbered."""
    rows, order = ordered
    chosen = policy[order]
    indptr, indices, data = rows.indptr, rows.indices, rows.data
    starts, stops = indptr[chosen], indptr[chosen + 1]
    lengths = stops - starts
    pointer = np.zeros(chosen.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=pointer[1:])
    take = np.repeat(starts - pointer[:-1], lengths) + np.arange(pointer[-1])
    n = chosen.size
    transposed = sp.csc_matrix((data[take], indices[take], pointer), shape=(n, n))
    return _Factored(_superlu(transposed, "NATURAL"), transposed, order)


def evaluate_policy(mdp: MDP, R: np.ndarray, gamma: float, policy: np.ndarray) -> np.ndarray:
    """V^π = (I − γP_π)⁻¹R of one stationary deterministic policy, by sparse LU.

    Parameters
    ----------
    mdp : MDP
    R : numpy.ndarray, shape (n_states,)
        State rewards.
    gamma : float in [0, 1)
    policy : numpy.ndarray of int, shape (n_states,)
        The pair index (row of ``mdp.transition_matrix``) chosen in each state.

    Returns
    -------
    numpy.ndarray, shape (n_states,)

    Examples
    --------
    Candy/Wait, always taking each state's first action:

    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> R = np.array([0.0, 0.0, 0.5, 1.0, 0.0])
    >>> evaluate_policy(mdp, R, 0.5, mdp.pair_offsets[:-1]).round(6).tolist()
    [0.5, 1.0, 1.0, 2.0, 0.0]
    """
    policy = np.asarray(policy, dtype=np.int64)
    return _refined_solve(_factor(_ordered_rows(mdp, gamma), policy), np.asarray(R, dtype=float))


def _refined_solve(factored: _Factored, b: np.ndarray) -> np.ndarray:
    lu, matrix, order = factored
    b = b[order]
    y = lu.solve(b, trans="T")
    y += lu.solve(b - matrix.T @ y, trans="T")  # one step of iterative refinement
    x = np.empty_like(y)
    x[order] = y
    return x


def start_sweeps(gamma: float) -> int:
    """Value sweeps before the first greedy policy: about 3/(1−γ), at most 300.

    Parameters
    ----------
    gamma : float in (0, 1)

    Returns
    -------
    int

    Examples
    --------
    >>> start_sweeps(0.5), start_sweeps(0.9), start_sweeps(0.999)
    (6, 31, 300)
    """
    return min(START_SWEEPS, math.ceil(3.0 / (1.0 - gamma)))


def lookahead_sweeps(gamma: float) -> int:
    """Value sweeps between an evaluation and the next greedy policy: 0.3/(1−γ), at most 30.

    Parameters
    ----------
    gamma : float in (0, 1)

    Returns
    -------
    int

    Examples
    --------
    >>> lookahead_sweeps(0.5), lookahead_sweeps(0.9), lookahead_sweeps(0.999)
    (1, 3, 30)
    """
    return min(LOOKAHEAD_SWEEPS, math.ceil(0.3 / (1.0 - gamma) - 1e-9))  # 0.3/0.1 > 3


def _swept(mdp: MDP, RT: np.ndarray, X: np.ndarray, gamma: float, sweeps: int, kernel: str):
    """`sweeps` value sweeps from X (a fresh array, overwritten by the compiled kernel)."""
    if kernel == "compiled":
        X = np.ascontiguousarray(X, dtype=float)
        compiled.stochastic_sweeps(mdp, RT, X, gamma, sweeps)
        return X
    T = mdp.transition_matrix
    for _ in range(sweeps):
        X = RT + gamma * segment_max(np.asarray(T @ X), mdp)
    return X


def _evaluated(rows: _Ordered, RT: np.ndarray, policy: np.ndarray) -> np.ndarray:
    """V^π of each sample's policy (columns), the factorisations split over threads.

    SuperLU releases the GIL while it factors, so the samples' evaluations
    run side by side; each column is the one-sample evaluation's exactly.
    """
    n, m = RT.shape
    X = np.empty((n, m))

    def evaluate(columns: range) -> None:
        for i in columns:
            X[:, i] = _refined_solve(_factor(rows, policy[:, i]), RT[:, i])

    compiled.split_over_threads(evaluate, m)
    return X


def policy_iteration(mdp, RT, gamma, tol, max_iter, policy, *, kernel="numpy"):
    """Howard's policy iteration for stochastic MDPs, each policy evaluated by sparse LU.

    Returns a :class:`~powerseek.solvers.BackendSolution` as the deterministic
    kernels do; its `bound` is the largest Bellman residual, which bounds
    (1−γ)·‖V − V*‖∞.

    Parameters
    ----------
    mdp : MDP
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    gamma : float in (0, 1)
    tol : float
        Unused by the iteration (it stops when the policy is stable), as in
        the deterministic kernels; the caller compares the bound with it.
    max_iter : int
        Most policy evaluations per sample.
    policy : numpy.ndarray of int, shape (n_states, m), optional
        A starting policy as pair indices (warm start); default greedy after
        :func:`start_sweeps` value sweeps from R/(1−γ).
    kernel : {"numpy", "compiled"}, default "numpy"
        Where the value sweeps run (:func:`powerseek.solvers._compiled.stochastic_sweeps`
        gives identical values).

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import gridworld
    >>> from powerseek.solvers._numpy_backend import value_iteration
    >>> mdp = gridworld.parse(["...", ".#.", "..."], noise=0.1)
    >>> RT = np.random.default_rng(0).random((mdp.n_states, 4))
    >>> V, policy, bound, iterations, stable = policy_iteration(mdp, RT, 0.99, 1e-9, 100, None)
    >>> reference = value_iteration(mdp, RT, 0.99, 1e-12, 10**6, None, extrapolate=True)[0]
    >>> stable, bound < 1e-12, bool(0.01 * abs(V - reference).max() < 1e-11)
    (True, True, True)
    """
    n, m = RT.shape
    T = mdp.transition_matrix
    rows = _ordered_rows(mdp, gamma)
    margin = noise_floor(RT, gamma)
    if policy is None:
        X = _swept(mdp, RT, RT / (1.0 - gamma), gamma, start_sweeps(gamma), kernel)
        policy = greedy_policy(mdp, np.asarray(T @ X), 0.0)
    policy = np.array(policy, dtype=np.int64)
    V = np.empty_like(RT)
    residual = np.zeros(m)
    active = np.arange(m)
    iterations = 0
    while active.size and iterations < max_iter:
        iterations += 1
        X = _evaluated(rows, RT[:, active], policy[:, active])
        pol = policy[:, active]
        best, policy[:, active], changed = improve_policy(
            mdp, np.asarray(T @ X), pol, margin[active]
        )
        if changed.any() and iterations < max_iter:
            # greedy on B^k V^π rather than V^π: a longer step, never a shorter one
            moving = active[changed]
            W = _swept(mdp, RT[:, moving], X[:, changed], gamma, lookahead_sweeps(gamma), kernel)
            policy[:, moving] = greedy_policy(mdp, np.asarray(T @ W), 0.0)
        done = ~changed
        finished = active[done]
        V[:, finished] = X[:, done]
        residual[finished] = bellman_residual(RT[:, finished], best[:, done], X[:, done], gamma)
        left = active[changed]
        if left.size and iterations == max_iter:  # the limit: the values evaluated last
            V[:, left] = X[:, changed]
            residual[left] = bellman_residual(RT[:, left], best[:, changed], X[:, changed], gamma)
            policy[:, left] = pol[:, changed]
            return BackendSolution(V, policy, float(residual.max()), iterations, False)
        active = left
    bound = float(residual.max()) if m else 0.0
    return BackendSolution(V, policy, bound, iterations, active.size == 0)
