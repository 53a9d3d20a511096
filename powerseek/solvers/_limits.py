"""The γ -> 0 and γ -> 1 limits, per reward sample.

γ -> 1
    POWER(s, 1) is the best long-run average reward reachable from s
    (theory.md B.16, Lemma E.49). For deterministic MDPs that is, per sample,
    the largest mean of a cycle reachable from s, computed exactly:
    strongly connected components, the maximum cycle mean of each (Karp's
    theorem, vectorised over samples; skipped when the component's best state
    is a 1-cycle, which then attains it), and the maximum over the components
    downstream. For stochastic MDPs it is the gain of a Blackwell-optimal
    policy, from its Cesàro limit matrix.

    Optimality at γ = 1 is Blackwell optimality, the limit of Π*(R, γ)
    (Def 4.1), *not* average optimality (theory.md D.4, C.4). It is decided
    by solving at two discounts near 1 (``BLACKWELL_GAMMAS``) and keeping the
    optimal action sets of the closer one; samples whose sets differ between
    the two are reported as unresolved.

γ -> 0
    Π*(R, 0) is the lexicographic refinement of theory.md D.5: actions are
    compared on E R(s_1), then on the next Taylor coefficient of the optimal
    value, and so on, at most 2|S| + 1 coefficients deep (beyond that, two
    value functions of degree ≤ |S| that agree are equal). The comparison
    stops early once the only ties left are between actions with identical
    transitions.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import ConvergenceWarning, InvalidParameterError
from ..mdp import MDP
from . import _compiled as compiled
from ._compiled import choose_kernel
from ._kernels import expected_next, first_attaining, segment_max
from ._solve import _DEFAULT_MAX_ITER, solve

__all__ = [
    "BLACKWELL_GAMMAS",
    "STOCHASTIC_LIMIT_STATES",
    "blackwell_optimal",
    "lexicographic_optimal",
    "optimal_gains",
]

#: Discounts at which Blackwell-optimal actions are decided (deterministic MDPs).
BLACKWELL_GAMMAS = (1 - 1e-4, 1 - 1e-6)
#: The same for stochastic MDPs, solved by dense policy iteration.
STOCHASTIC_BLACKWELL_GAMMAS = (1 - 1e-3, 1 - 1e-5)
#: Largest stochastic MDP whose γ -> 1 limit powerseek computes (dense linear algebra).
STOCHASTIC_LIMIT_STATES = 200
#: Memory for Karp's tables, in float64 numbers.
_KARP_NUMBERS = 2**24


# ----------------------------------------------------------------------
# γ -> 1: optimal gains


def optimal_gains(mdp: MDP, RT: np.ndarray) -> np.ndarray:
    """g*(s) for every state and sample: the best average reward reachable.

    Parameters
    ----------
    mdp : MDP
        The environment.
    RT : numpy.ndarray, shape (n_states, n_samples)
        Rewards, state-major.

    Returns
    -------
    numpy.ndarray, shape (n_states, n_samples)

    See Also
    --------
    blackwell_optimal : The actions optimal for all γ near 1.
    solve : Optimal values at one γ < 1.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("turner-fig1")
    >>> R = np.array([[0, 0.2, 0, 0, 0.9, 0.1, 0.3, 0.6]]).T
    >>> optimal_gains(mdp, R)[:, 0].round(3).tolist()  # start reaches the cycle (0.9, 0.1)
    [0.6, 0.2, 0.5, 0.6, 0.5, 0.5, 0.6, 0.6]
    """
    if mdp.is_deterministic:
        return _deterministic_gains(mdp, RT)
    _check_stochastic_size(mdp)
    policy = _dense_policy_iteration(mdp, RT, STOCHASTIC_BLACKWELL_GAMMAS[1])
    return _policy_gains(mdp, RT, policy)


def _components(mdp: MDP):
    from scipy.sparse import csgraph

    adjacency = mdp.state_adjacency()
    n_comp, labels = csgraph.connected_components(adjacency, directed=True, connection="strong")
    coo = adjacency.tocoo()
    cross = labels[coo.row] != labels[coo.col]
    downstream: list[set[int]] = [set() for _ in range(n_comp)]
    for a, b in zip(labels[coo.row[cross]].tolist(), labels[coo.col[cross]].tolist()):
        downstream[a].add(b)
    # reverse topological order: every component after all it leads to
    order, state = [], [0] * n_comp  # 0 new, 1 open, 2 done
    for root in range(n_comp):
        if state[root]:
            continue
        stack = [(root, iter(sorted(downstream[root])))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[node] = 2
                order.append(node)
            elif state[child] == 0:
                state[child] = 1
                stack.append((child, iter(sorted(downstream[child]))))
    return labels, downstream, order


def _deterministic_gains(mdp: MDP, RT: np.ndarray) -> np.ndarray:
    labels, downstream, order = mdp.cached("condensation", lambda: _components(mdp))
    self_loop = mdp._self_loop_pairs()
    one_cycle = np.logical_or.reduceat(self_loop, mdp.pair_offsets[:-1])
    m = RT.shape[1]
    gain = np.full((len(order), m), -np.inf)
    for comp in order:
        members = np.flatnonzero(labels == comp)
        if members.size > 1 or one_cycle[members[0]]:
            gain[comp] = _component_cycle_mean(mdp, members, RT, one_cycle)
        for child in downstream[comp]:
            np.maximum(gain[comp], gain[child], out=gain[comp])
    return gain[labels]


def _component_cycle_mean(mdp, members, RT, one_cycle):
    """Maximum cycle mean inside one strongly connected component, per sample."""
    R_c = RT[members]
    upper = R_c.max(axis=0)  # no cycle mean exceeds the best state on it
    loops = members[one_cycle[members]]
    lower = RT[loops].max(axis=0) if loops.size else np.full(RT.shape[1], -np.inf)
    result = upper.copy()
    undecided = np.flatnonzero(lower < upper)
    if undecided.size:
        result[undecided] = _karp(mdp, members, R_c[:, undecided])
    return result


def _karp(mdp, members, R_c):
    """Karp's maximum mean cycle, vectorised over samples (columns of R_c)."""
    k = members.size
    local = np.full(mdp.n_states, -1)
    local[members] = np.arange(k)
    coo = mdp.state_adjacency()[members][:, members].tocoo()
    order = np.argsort(coo.col, kind="stable")
    sources, targets = coo.row[order], coo.col[order]
    starts = np.flatnonzero(np.r_[True, targets[1:] != targets[:-1]])
    out = np.empty(R_c.shape[1])
    per_sample = (k + 1) * k
    step = max(1, _KARP_NUMBERS // per_sample)
    for lo in range(0, R_c.shape[1], step):
        R = R_c[:, lo : lo + step]
        D = np.empty((k + 1, k, R.shape[1]))
        D[0] = 0.0
        for j in range(1, k + 1):
            candidates = D[j - 1][sources] + R[sources]
            D[j] = np.maximum.reduceat(candidates, starts, axis=0)
        lengths = (k - np.arange(k))[:, None, None]
        ratios = (D[k][None] - D[:k]) / lengths
        out[lo : lo + step] = ratios.min(axis=0).max(axis=0)
    return out


# ----------------------------------------------------------------------
# stochastic MDPs near γ = 1: dense policy iteration and Cesàro limits


def _check_stochastic_size(mdp: MDP) -> None:
    if mdp.n_states > STOCHASTIC_LIMIT_STATES:
        raise InvalidParameterError(
            f"the γ -> 1 limit of a stochastic MDP is computed with dense linear algebra, up to "
            f"{STOCHASTIC_LIMIT_STATES} states; this one has {mdp.n_states}. Use a discount "
            "close to 1 instead (e.g. gamma=0.999)."
        )


def _dense_policy_iteration(mdp: MDP, RT: np.ndarray, gamma: float) -> np.ndarray:
    """Optimal policies (pair index per state, per sample) by exact evaluation."""
    T = mdp.transition_matrix.toarray()
    n, m = RT.shape
    W = T @ RT
    policy = first_attaining(segment_max(W, mdp)[mdp.pair_states] <= W, mdp)
    identity = np.eye(n)
    step = max(1, 2**22 // (n * n))
    limit = 10 * n + 10
    for lo in range(0, m, step):
        cols = slice(lo, lo + step)
        pol = policy[:, cols]
        R = RT[:, cols]
        for _ in range(limit):
            system = identity[None] - gamma * T[pol.T]  # (samples, n, n)
            V = np.linalg.solve(system, R.T[..., None])[..., 0].T
            W = T @ V
            best = segment_max(W, mdp)
            current = np.take_along_axis(W, pol, axis=0)
            margin = 1e-9 * np.maximum(np.abs(V).max(axis=0), 1.0)
            improve = best > current + margin
            if not improve.any():
                break
            choice = first_attaining(best[mdp.pair_states] - margin <= W, mdp)
            pol = np.where(improve, choice, pol)
        policy[:, cols] = pol
    return policy


def _policy_gains(mdp: MDP, RT: np.ndarray, policy: np.ndarray) -> np.ndarray:
    """Gain g^π = P*_π R of each sample's policy, via each distinct policy's Cesàro limit."""
    T = mdp.transition_matrix.toarray()
    gains = np.empty_like(RT)
    distinct, inverse = np.unique(policy, axis=1, return_inverse=True)
    inverse = np.ravel(inverse)
    for j in range(distinct.shape[1]):
        limit = _cesaro_limit(T[distinct[:, j]])
        columns = np.flatnonzero(inverse == j)
        gains[:, columns] = limit @ RT[:, columns]
    return gains


def _cesaro_limit(P: np.ndarray) -> np.ndarray:
    """The Cesàro limit P* = lim (1/N) Σ_{k<N} P^k of a stochastic matrix."""
    from scipy.sparse import csgraph

    n = P.shape[0]
    support = P > 0
    n_comp, labels = csgraph.connected_components(support, directed=True, connection="strong")
    closed = np.ones(n_comp, dtype=bool)
    rows, cols = np.nonzero(support)
    closed[labels[rows][labels[rows] != labels[cols]]] = False
    limit = np.zeros((n, n))
    recurrent = np.zeros(n, dtype=bool)
    for comp in np.flatnonzero(closed):
        members = np.flatnonzero(labels == comp)
        recurrent[members] = True
        k = members.size
        block = P[np.ix_(members, members)]
        system = np.vstack([block.T - np.eye(k), np.ones((1, k))])
        rhs = np.r_[np.zeros(k), 1.0]
        mu = np.linalg.lstsq(system, rhs, rcond=None)[0]
        limit[np.ix_(members, members)] = mu[None, :]
    transient = np.flatnonzero(~recurrent)
    if transient.size:
        recurrent_idx = np.flatnonzero(recurrent)
        Q = P[np.ix_(transient, transient)]
        S = P[np.ix_(transient, recurrent_idx)]
        absorbed = np.linalg.solve(np.eye(transient.size) - Q, S)
        limit[transient] = absorbed @ limit[recurrent_idx]
    return limit


# ----------------------------------------------------------------------
# optimal action sets at the limits


def blackwell_optimal(mdp: MDP, RT: np.ndarray, tie_tol: float = 1e-9, *, kernel: str = "auto"):
    """Blackwell-optimal actions per pair and sample, and unresolved samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards, one column per sample.
    tie_tol : float, default 1e-9
        Relative tolerance for ties.
    kernel : {"auto", "compiled", "numpy"}
        Where the deterministic solves run (see :func:`powerseek.solve`);
        ``"auto"`` weighs both solves together.

    Returns
    -------
    optimal : numpy.ndarray of bool, shape (n_pairs, n_samples)
        Optimal action sets at the closer of the two discounts.
    unresolved : numpy.ndarray of bool, shape (n_states, n_samples)
        Where the optimal set of a state differs between the two discounts.

    See Also
    --------
    optimal_gains : The γ → 1 limit of (1−γ)·V*.
    lexicographic_optimal : The γ → 0 limit.
    solve : Optimal values at one γ < 1.

    """
    if mdp.is_deterministic:
        gammas = BLACKWELL_GAMMAS
        kernel = choose_kernel(kernel, mdp, RT.shape[1], gammas)
        if kernel == "compiled":
            return _compiled_blackwell(mdp, RT, gammas, tie_tol)
        masks = []
        for gamma in gammas:
            # policy iteration evaluates exactly; only floating point limits the
            # residual bound (about eps·|R|/(1−γ)), hence the loose tolerance.
            # No warm start: the value sweeps from R/(1−γ) settle sooner.
            result = solve(mdp, RT.T, gamma, tol=1e-5, kernel=kernel)
            masks.append(_optimal_mask(mdp, result.values.T, gamma, tie_tol))
    else:
        _check_stochastic_size(mdp)
        T = mdp.transition_matrix.toarray()
        masks = []
        for gamma in STOCHASTIC_BLACKWELL_GAMMAS:
            policy = _dense_policy_iteration(mdp, RT, gamma)
            V = _dense_values(mdp, T, RT, policy, gamma)
            masks.append(_optimal_mask(mdp, V, gamma, tie_tol, noise=1e-9))
    differ = masks[0] != masks[1]
    unresolved = np.logical_or.reduceat(differ, mdp.pair_offsets[:-1], axis=0)
    return masks[1], unresolved


def _compiled_blackwell(mdp, RT, gammas, tie_tol):
    """:func:`blackwell_optimal` with the compiled kernels."""
    R = np.ascontiguousarray(RT.T, dtype=float)  # sample-major, as the kernels read it
    values = []
    for gamma in gammas:
        V, _, _, iterations, stable = compiled.policy_iteration(
            mdp, R.T, gamma, 0.0, _DEFAULT_MAX_ITER["policy-iteration"], None
        )
        if not stable:  # as solve() warns
            warnings.warn(
                f"policy-iteration at gamma={gamma!r} stopped at its limit of {iterations} "
                "iterations; the Blackwell-optimal actions may be wrong.",
                ConvergenceWarning,
                stacklevel=3,
            )
        values.append(V)
    noise = 1e3 * np.finfo(float).eps
    return compiled.blackwell_masks(mdp, values[0], values[1], gammas, tie_tol, noise)


def _dense_values(mdp, T, RT, policy, gamma):
    n = mdp.n_states
    system = np.eye(n)[None] - gamma * T[policy.T]
    return np.linalg.solve(system, RT.T[..., None])[..., 0].T


def _optimal_mask(mdp, V, gamma, tie_tol, noise=None):
    """Actions within tolerance of the best E V(s'), on the V scale."""
    W = expected_next(mdp, V)
    best = segment_max(W, mdp)
    scale = np.maximum(np.abs(V).max(axis=0), 1e-300)
    if noise is None:
        noise = 1e3 * np.finfo(float).eps
    tolerance = np.maximum(tie_tol * scale * (1 - gamma), noise * scale)
    return best[mdp.pair_states] - tolerance <= W


def lexicographic_optimal(mdp: MDP, RT: np.ndarray, tie_tol: float = 1e-9) -> np.ndarray:
    """Actions optimal as γ -> 0 (lexicographic refinement), per pair and sample.

    Parameters
    ----------
    mdp : MDP
        The environment.
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards, one column per sample.
    tie_tol : float, default 1e-9
        Relative tolerance for ties.

    Returns
    -------
    numpy.ndarray

    See Also
    --------
    blackwell_optimal : The γ → 1 limit.
    solve : Optimal values at one γ < 1.

    Examples
    --------
    >>> from powerseek import MDP
    >>> mdp = MDP({"s": ["a", "b"], "a": ["x"], "b": ["y"], "x": ["x"], "y": ["y"]})
    >>> R = np.array([[0, 0.5, 0.5, 0.1, 0.9]]).T   # a and b tie on E R(s_1)
    >>> lexicographic_optimal(mdp, R)[:2, 0].tolist()  # y beats x one step later
    [False, True]
    """
    n_pairs, m = mdp.n_pairs, RT.shape[1]
    alive = np.ones((n_pairs, m), dtype=bool)
    scale = np.maximum(np.abs(RT).max(axis=0), 1e-300)
    tolerance = tie_tol * scale
    structural = mdp.cached("identical-actions", lambda: _identical_action_classes(mdp))
    coefficient = RT
    for _ in range(2 * mdp.n_states + 1):
        W = expected_next(mdp, coefficient)
        best = segment_max(np.where(alive, W, -np.inf), mdp)
        alive &= best[mdp.pair_states] - tolerance <= W
        coefficient = best
        if _only_structural_ties(mdp, alive, structural):
            break
    return alive


def _identical_action_classes(mdp: MDP) -> np.ndarray:
    """Per pair, the first pair of its state with an identical transition row."""
    matrix = mdp.transition_matrix
    out = np.arange(mdp.n_pairs)
    for i in range(mdp.n_states):
        lo, hi = int(mdp.pair_offsets[i]), int(mdp.pair_offsets[i + 1])
        seen: dict[tuple, int] = {}
        for k in range(lo, hi):
            a, b = matrix.indptr[k], matrix.indptr[k + 1]
            key = (matrix.indices[a:b].tobytes(), matrix.data[a:b].tobytes())
            out[k] = seen.setdefault(key, k)
    return out


def _only_structural_ties(mdp: MDP, alive: np.ndarray, classes: np.ndarray) -> bool:
    big = np.iinfo(np.int64).max
    ids = np.where(alive, classes[:, None], big)
    low = np.minimum.reduceat(ids, mdp.pair_offsets[:-1], axis=0)
    ids = np.where(alive, classes[:, None], -1)
    high = np.maximum.reduceat(ids, mdp.pair_offsets[:-1], axis=0)
    return bool(np.all(low == high))
