"""Batched optimal values V*_R for many reward samples at once.

For state rewards R (theory.md Def 3.5), V*(s) = R(s) + γ max_a E_{s'~T(s,a)} V*(s').
Every method solves ``n_samples`` reward vectors together, vectorised over the
sample axis, and each sample stops on its own criterion, so a sample's result
does not depend on the other samples in its batch.

Methods
-------
``"policy-iteration"`` (deterministic MDPs; the default there)
    Howard's policy iteration. A deterministic policy is evaluated exactly by
    pointer doubling, V^π = Σ_t γ^t R(π^t(s)) in ⌈log2 H⌉ vectorised steps,
    H chosen so the truncated tail is below floating-point resolution: the
    number of doublings grows like log 1/(1−γ), not the cost like 1/(1−γ).
    A policy changes only where an action is better by more than
    floating-point noise, so iteration ends in a greedy policy; the
    certified bound comes from its Bellman residual.
``"extrapolated-value-iteration"`` (the default for stochastic MDPs)
    Value iteration with sparse transitions and MacQueen's bounds: after
    V_{k+1} = L V_k, with d = V_{k+1} − V_k,
    V_{k+1} + γ/(1−γ)·min d ≤ V* ≤ V_{k+1} + γ/(1−γ)·max d componentwise
    (Puterman 1994, Thm 6.6.6). The midpoint is returned, with the proven
    sup-norm bound γ/(1−γ)·(max d − min d)/2.
``"value-iteration"`` (the reference)
    Plain value iteration, stopped when γ/(1−γ)·‖V_{k+1} − V_k‖∞ meets the
    tolerance, which bounds ‖V_{k+1} − V*‖∞.

Tolerances and bounds are stated on the *normalised* scale (1−γ)·V, the scale
of rewards and of POWER, so that ``tol=1e-9`` means the same at every γ: the
result satisfies (1−γ)·‖V − V*‖∞ ≤ ``error_bound`` ≤ ``tol`` for every sample
when ``converged``. Memory is the caller's to bound: pass samples in chunks
(the analyses in :mod:`powerseek.power` do).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_gamma
from .exceptions import ConvergenceWarning, InvalidParameterError, InvalidTypeError
from .mdp import MDP

__all__ = ["METHODS", "SolveResult", "solve"]

METHODS = ("auto", "policy-iteration", "extrapolated-value-iteration", "value-iteration")
#: Floating-point floor of certifiable bounds, in ulps of |R|/(1−γ).
_FLOOR_ULPS = 64
_DEFAULT_MAX_ITER = {
    "policy-iteration": 1_000,
    "value-iteration": 1_000_000,
    "extrapolated-value-iteration": 1_000_000,
}


@dataclass(frozen=True)
class SolveResult:
    """Optimal values of a batch of reward samples.

    Attributes
    ----------
    values : numpy.ndarray, shape (n_samples, n_states)
        V*_R for each sample.
    gamma : float
    method : str
    tol : float
        The bound on (1−γ)·‖V − V*‖∞ aimed for: the requested one, raised to
        64·eps·max|R|/(1−γ) when it is below what floating point can certify
        (which happens only for γ within about 1e-6 of 1).
    error_bound : float
        Certified bound on (1−γ)·‖V − V*‖∞, the largest over the samples.
    iterations : int
        The most iterations any sample took.
    converged : bool
        Whether every sample met `tol` within the iteration limit.
    policy : numpy.ndarray or None, shape (n_samples, n_states)
        For policy iteration, the pair index (row of ``mdp.transition_matrix``)
        of the final greedy action of each state.
    """

    values: np.ndarray
    gamma: float
    method: str
    tol: float
    error_bound: float
    iterations: int
    converged: bool
    policy: np.ndarray | None = None

    def summary(self) -> dict[str, Any]:
        """The settings and diagnostics as plain data (for JSON)."""
        return {
            "method": self.method,
            "tol": self.tol,
            "error_bound": self.error_bound,
            "iterations": self.iterations,
            "converged": self.converged,
        }


def solve(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    *,
    method: str = "auto",
    tol: float = 1e-9,
    max_iter: int | None = None,
    initial_policy: np.ndarray | None = None,
    initial_values: np.ndarray | None = None,
    device: Any = None,
    precision: str = "float64",
) -> SolveResult:
    """Optimal values for a batch of state-reward vectors.

    Parameters
    ----------
    mdp : MDP
    rewards : array_like, shape (n_samples, n_states) or (n_states,)
    gamma : float in [0, 1)
        γ = 1 has no finite values; see :mod:`powerseek.limits` for the limit.
    method : {"auto", "policy-iteration", "extrapolated-value-iteration", "value-iteration"}
        ``"auto"`` is policy iteration for deterministic MDPs and extrapolated
        value iteration otherwise.
    tol : float
        Bound on (1−γ)·‖V − V*‖∞ to reach (raised to the floating-point floor
        64·eps·max|R|/(1−γ) when below it).
    max_iter : int, optional
        Iteration limit (default 1,000 for policy iteration, 10^6 for value
        iteration). Reaching it warns with :class:`ConvergenceWarning`.
    initial_policy : array_like, shape (n_samples, n_states), optional
        Warm start for policy iteration: a pair index per state.
    initial_values : array_like, shape (n_samples, n_states), optional
        Warm start for value iteration.
    device : str, optional
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` solves with PyTorch on that device
        (:mod:`powerseek.backends`); None (default) with numpy.
    precision : {"float64", "float32"}
        Working precision of the torch backend.

    Returns
    -------
    SolveResult

    Examples
    --------
    Candy/Wait with rewards candy = 0.5, chocolate = 1, hug = 0:

    >>> from powerseek import load
    >>> mdp = load("candy-wait")      # start, wait, candy, chocolate, hug
    >>> result = solve(mdp, [0.0, 0.0, 0.5, 1.0, 0.0], gamma=0.5)
    >>> result.values.round(6).tolist()
    [[0.5, 1.0, 1.0, 2.0, 0.0]]
    >>> result.method, result.converged
    ('policy-iteration', True)
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    gamma = check_gamma(gamma)
    if gamma >= 1.0:
        raise InvalidParameterError(
            "`gamma` must be below 1 for optimal values (they diverge at 1); the γ -> 1 limits "
            "of POWER and of optimality probabilities are computed by powerseek.power and "
            "powerseek.optimality with gamma=1."
        )
    R = _as_rewards(rewards, mdp)
    tol = _check_tol(tol)
    method = _resolve_method(method, mdp)
    if max_iter is None:
        max_iter = _DEFAULT_MAX_ITER[method]
    elif isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise InvalidParameterError(f"`max_iter` must be a positive integer; got {max_iter!r}.")

    from .backends import check_device, torch_solve  # backends builds on this module

    torch_device = check_device(device, precision)
    RT = np.ascontiguousarray(R.T)  # state-major inside: (n_states, n_samples)
    if gamma == 0.0:
        return SolveResult(R.copy(), 0.0, method, tol, 0.0, 0, True, None)
    # Bounds are computed from floating-point values of size |R|/(1−γ): below
    # this floor they cannot be certified, so the tolerance is raised to it.
    tol = max(tol, _FLOOR_ULPS * np.finfo(float).eps * float(np.abs(R).max()) / (1.0 - gamma))
    if method == "policy-iteration" and not mdp.is_deterministic:
        raise InvalidParameterError(
            "method='policy-iteration' needs a deterministic MDP; use "
            "'extrapolated-value-iteration' or 'value-iteration' for a stochastic one."
        )
    if torch_device is not None:
        start = None if initial_policy is None else _as_policy(initial_policy, mdp, R.shape[0]).T
        V, policy, bound, iterations, converged = torch_solve(
            mdp, RT, gamma, tol, max_iter, method, torch_device, precision, start
        )
        if precision == "float32":  # certify only above float32's noise floor
            floor = _FLOOR_ULPS * np.finfo(np.float32).eps * float(np.abs(R).max())
            tol = max(tol, 2 * floor / (1.0 - gamma))
        converged = converged and bound <= tol
        if not converged:
            warnings.warn(
                f"{method} on {torch_device} ended with error bound {bound:.3g} > tol={tol:g} "
                "(on the (1-gamma)*V scale); raise `max_iter` or `tol`.",
                ConvergenceWarning,
                stacklevel=2,
            )
        policy_out = None if policy is None else np.ascontiguousarray(policy.T)
        return SolveResult(
            np.ascontiguousarray(V.T), gamma, method, tol, bound, iterations, converged, policy_out
        )
    if method == "policy-iteration":
        start = None if initial_policy is None else _as_policy(initial_policy, mdp, R.shape[0]).T
        V, policy, bound, iterations, stable = _policy_iteration(
            mdp, RT, gamma, tol, max_iter, start
        )
        policy_out = np.ascontiguousarray(policy.T)
        converged = stable and bound <= tol
        if not stable:
            reason = f"stopped at its limit of {max_iter} iterations"
        else:
            reason = "ended with a Bellman residual above the tolerance"
    else:
        start = None if initial_values is None else _as_rewards(initial_values, mdp).T
        if start is not None and start.shape != RT.shape:
            raise InvalidParameterError(
                f"`initial_values` must have shape {R.shape}; got {start.T.shape}."
            )
        V, bound, iterations, converged = _value_iteration(
            mdp, RT, gamma, tol, max_iter, start, extrapolate=method != "value-iteration"
        )
        policy_out = None
        reason = f"stopped at its limit of {max_iter} iterations"
    if not converged:
        warnings.warn(
            f"{method} {reason}: error bound {bound:.3g} > tol={tol:g} (on the (1-gamma)*V "
            "scale); raise `max_iter` or `tol`.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return SolveResult(
        np.ascontiguousarray(V.T), gamma, method, tol, bound, iterations, converged, policy_out
    )


# ----------------------------------------------------------------------
# validation


def _as_rewards(rewards: Any, mdp: MDP) -> np.ndarray:
    try:
        R = np.array(rewards, dtype=float, ndmin=2)
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(f"`rewards` must be a numeric array; {exc}.") from None
    if R.ndim != 2 or R.shape[1] != mdp.n_states:
        raise InvalidParameterError(
            f"`rewards` must have shape (n_samples, n_states) with n_states = {mdp.n_states}; "
            f"got {R.shape}."
        )
    if not np.all(np.isfinite(R)):
        row, column = (int(i) for i in np.argwhere(~np.isfinite(R))[0])
        raise InvalidParameterError(
            f"`rewards` holds a non-finite value ({R[row, column]}) in sample {row} at state "
            f"{mdp.states[column]!r}; rewards must be finite."
        )
    return R


def _as_policy(policy: Any, mdp: MDP, n_samples: int) -> np.ndarray:
    array = np.array(policy, dtype=np.int64, ndmin=2)
    if array.shape != (n_samples, mdp.n_states):
        raise InvalidParameterError(
            f"`initial_policy` must have shape {(n_samples, mdp.n_states)}; got {array.shape}."
        )
    owner = mdp.pair_states
    if np.any((array < 0) | (array >= mdp.n_pairs)) or np.any(
        owner[np.clip(array, 0, mdp.n_pairs - 1)] != np.arange(mdp.n_states)
    ):
        raise InvalidParameterError(
            "`initial_policy` must give, for each state, the pair index of one of its own "
            "actions (a row of mdp.transition_matrix)."
        )
    return array


def _check_tol(tol: Any) -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (0 < tol < math.inf):
        raise InvalidParameterError(f"`tol` must be a positive number; got {tol!r}.")
    return float(tol)


def _resolve_method(method: Any, mdp: MDP) -> str:
    if method not in METHODS:
        raise InvalidParameterError(
            f"`method` must be one of {', '.join(map(repr, METHODS))}; got {method!r}."
        )
    if method == "auto":
        return "policy-iteration" if mdp.is_deterministic else "extrapolated-value-iteration"
    return method


# ----------------------------------------------------------------------
# shared pieces (state-major arrays: (n_states, n_samples) and (n_pairs, n_samples))


class _Segments:
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

    def max(self, W: np.ndarray) -> np.ndarray:
        if self.pad is None:
            return np.maximum.reduceat(W, self.offsets, axis=0)
        best = W[self.pad[:, 0]]
        for j in range(1, self.pad.shape[1]):
            np.maximum(best, W[self.pad[:, j]], out=best)
        return best

    def first_within(self, W: np.ndarray, floor: np.ndarray) -> np.ndarray:
        """Per state, the first pair with ``W >= floor`` (floor is per state)."""
        if self.pad is None:
            return self.first(
                np.repeat(floor, np.diff(np.r_[self.offsets, self.n_pairs]), axis=0) <= W
            )
        width = self.pad.shape[1]
        first = np.broadcast_to(self.pad[:, width - 1 : width], floor.shape)
        for j in range(width - 2, -1, -1):  # earlier pairs win
            first = np.where(W[self.pad[:, j]] >= floor, self.pad[:, j : j + 1], first)
        return np.array(first)

    def first(self, mask: np.ndarray) -> np.ndarray:
        if self.pad is None:
            positions = np.where(mask, np.arange(self.n_pairs)[:, None], self.n_pairs)
            return np.minimum.reduceat(positions, self.offsets, axis=0)
        width = self.pad.shape[1]
        first = np.broadcast_to(self.pad[:, width - 1 : width], (self.pad.shape[0], mask.shape[1]))
        for j in range(width - 2, -1, -1):  # earlier pairs win
            first = np.where(mask[self.pad[:, j]], self.pad[:, j : j + 1], first)
        return np.array(first)


def padded_pairs(mdp: MDP) -> np.ndarray:
    """Each state's pair indices in a (n_states, max_actions) array; states with
    fewer actions repeat their last pair, which leaves maxima and first hits alone."""
    offsets = mdp.pair_offsets
    counts = np.diff(offsets)
    return offsets[:-1, None] + np.minimum(np.arange(int(counts.max())), counts[:, None] - 1)


def _segments(mdp: MDP) -> _Segments:
    return mdp.cached("segments", lambda: _Segments(mdp))


def segment_max(W: np.ndarray, mdp: MDP) -> np.ndarray:
    """Per-state maximum over each state's pairs: (n_pairs, m) -> (n_states, m)."""
    return _segments(mdp).max(W)


def first_attaining(mask: np.ndarray, mdp: MDP) -> np.ndarray:
    """Per state, the first pair index where `mask` is true (n_pairs, m) -> (n_states, m).

    Every state must have at least one true pair.
    """
    return _segments(mdp).first(mask)


def expected_next(mdp: MDP, X: np.ndarray) -> np.ndarray:
    """E_{s'~T(s,a)} X(s') for every pair: (n_states, m) -> (n_pairs, m)."""
    successors = mdp.successor_indices
    if successors is not None:
        return X[successors]
    return np.asarray(mdp.transition_matrix @ X)


def _noise_floor(RT: np.ndarray, gamma: float) -> np.ndarray:
    """Per sample, a margin above floating-point noise on the V scale."""
    scale = np.maximum(np.abs(RT).max(axis=0), 1e-300)
    return _FLOOR_ULPS * np.finfo(float).eps * scale / (1.0 - gamma)


def _doublings(gamma: float, eps: float = float(np.finfo(float).eps)) -> int:
    """Doublings K so the tail after 2^(K+1) steps is below the resolution of a
    float type with machine epsilon `eps`: γ^(2^(K+1)) ≤ eps/16, whatever the tolerance."""
    if gamma == 0.0:
        return 0
    horizon = math.log(eps / 16) / math.log(gamma)
    return max(0, math.ceil(math.log2(max(horizon, 1.0))) - 1)


def gather_rows(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``X[rows[i, j], j]`` for every i, j: a per-sample row gather.

    The same as ``np.take_along_axis(X, rows, axis=0)``, through flat indices
    (about 2.5x faster for the small index arrays of the solvers).
    """
    index = rows * X.shape[1]
    index += np.arange(X.shape[1])
    return np.take(X, index)


def evaluate_deterministic(RT: np.ndarray, nxt: np.ndarray, gamma: float, doublings: int):
    """V^π for deterministic policies by pointer doubling.

    `nxt` (n_states, m) is each state's successor under π; after K doublings
    S = Σ_{t<2^K} γ^t R(π^t(s)), and a last half-step gives the horizon 2^(K+1).
    """
    S = RT.copy()
    P = nxt
    g = gamma
    columns = np.arange(RT.shape[1])
    for _ in range(doublings + 1):
        index = P * RT.shape[1]
        index += columns
        S += g * np.take(S, index)
        P = np.take(P, index)
        g *= g
    return S


def _policy_iteration(mdp, RT, gamma, tol, max_iter, policy):
    n, m = RT.shape
    successors = mdp.successor_indices
    floor = _noise_floor(RT, gamma)
    if policy is None:
        W = RT[successors]
        policy = first_attaining(segment_max(W, mdp)[mdp.pair_states] <= W, mdp)
    policy = np.array(policy, dtype=np.int64)
    doublings = _doublings(gamma)
    segments = _segments(mdp)
    V = np.empty_like(RT)
    residual = np.zeros(m)
    iterations = 0
    # Working copies of the samples still improving, compacted only when some finish.
    active = np.arange(m)
    R_a, pol, margin = RT, policy.copy(), floor
    for _ in range(max_iter):
        if active.size == 0:
            break
        iterations += 1
        V_a = evaluate_deterministic(R_a, successors[pol], gamma, doublings)
        W = V_a[successors]
        best = segment_max(W, mdp)
        improve = best > gather_rows(W, pol) + margin
        changed = improve.any(axis=0)
        if changed.all():
            choice = segments.first_within(W, best - margin)
            pol = np.where(improve, choice, pol)
        elif changed.any():
            rows = np.flatnonzero(changed)
            choice = segments.first_within(W[:, rows], best[:, rows] - margin[rows])
            pol[:, rows] = np.where(improve[:, rows], choice, pol[:, rows])
        done = np.flatnonzero(~changed)
        if done.size:  # stable: record, and certify with the Bellman residual ‖BV − V‖
            finished = active[done]
            V[:, finished] = V_a[:, done]
            policy[:, finished] = pol[:, done]
            residual[finished] = np.abs(R_a[:, done] + gamma * best[:, done] - V_a[:, done]).max(
                axis=0
            )
            keep = np.flatnonzero(changed)
            active, R_a, pol, margin = active[keep], R_a[:, keep], pol[:, keep], margin[keep]
    if active.size:  # iteration limit: return the last policy, its value and residual
        V_a = evaluate_deterministic(R_a, successors[pol], gamma, doublings)
        best = segment_max(V_a[successors], mdp)
        V[:, active] = V_a
        policy[:, active] = pol
        residual[active] = np.abs(R_a + gamma * best - V_a).max(axis=0)
    bound = float(residual.max()) if m else 0.0  # (1-γ)‖V−V*‖ ≤ ‖BV − V‖
    return V, policy, bound, iterations, active.size == 0


def _value_iteration(mdp, RT, gamma, tol, max_iter, start, *, extrapolate):
    n, m = RT.shape
    V = RT.copy() if start is None else np.array(start, dtype=float)
    out = np.empty_like(RT)
    bounds = np.full(m, np.inf)
    iterations = np.zeros(m, dtype=np.int64)
    active = np.arange(m)
    c = gamma / (1.0 - gamma)
    for _ in range(max_iter):
        if active.size == 0:
            break
        V_a = V[:, active] if active.size < m else V
        new = RT[:, active] + gamma * segment_max(expected_next(mdp, V_a), mdp)
        d = new - V_a
        lo = d.min(axis=0)
        hi = d.max(axis=0)
        if extrapolate:
            bound = gamma * (hi - lo) / 2  # (1-γ)·c·(hi-lo)/2
            estimate = new + c * (hi + lo) / 2
        else:
            bound = gamma * np.maximum(np.abs(lo), np.abs(hi))
            estimate = new
        iterations[active] += 1
        done = bound <= tol
        out[:, active[done]] = estimate[:, done]
        bounds[active[done]] = bound[done]
        if active.size < m:
            V[:, active] = new
        else:
            V = new
        keep = ~done
        if not keep.any():
            active = active[keep]
            break
        out[:, active[keep]] = estimate[:, keep]
        bounds[active[keep]] = bound[keep]
        active = active[keep]
    converged = active.size == 0
    return out, float(bounds.max(initial=0.0)), int(iterations.max(initial=0)), converged
