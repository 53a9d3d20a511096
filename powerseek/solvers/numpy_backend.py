"""Policy iteration and value iteration on numpy arrays (the default backend).

Both take state-major rewards ``RT`` (n_states, m) and return state-major
values; :func:`powerseek.solvers.solve.solve` validates the inputs, sets the
tolerance and wraps the results.
"""

from __future__ import annotations

import numpy as np

from .kernels import (
    doublings_for,
    evaluate_deterministic,
    expected_next,
    gather_rows,
    initial_policy,
    noise_floor,
    segment_max,
    segments_of,
)

__all__ = ["policy_iteration", "value_iteration"]


def policy_iteration(mdp, RT, gamma, tol, max_iter, policy):
    """Howard's policy iteration for deterministic MDPs, evaluated by pointer doubling.

    Returns ``(V, policy, bound, iterations, stable)``; `bound` is the largest
    Bellman residual, which bounds (1−γ)·‖V − V*‖∞.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    gamma : float in (0, 1)
    tol : float
        Unused by the iteration itself (it stops when the policy is stable); kept
        so that both solvers share a signature.
    max_iter : int
    policy : numpy.ndarray of int, shape (n_states, m), optional
        A starting policy as pair indices (warm start); default greedy on R.
    """
    n, m = RT.shape
    successors = mdp.successor_indices
    floor = noise_floor(RT, gamma)
    if policy is None:
        policy = initial_policy(mdp, RT)
    policy = np.array(policy, dtype=np.int64)
    doublings = doublings_for(gamma)
    segments = segments_of(mdp)
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


def value_iteration(mdp, RT, gamma, tol, max_iter, start, *, extrapolate):
    """Value iteration, with MacQueen's extrapolation when `extrapolate`.

    Returns ``(V, bound, iterations, converged)`` with `bound` on the (1−γ)·V scale.

    Parameters
    ----------
    mdp : MDP
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    gamma : float in (0, 1)
    tol : float
        Stop a sample once its bound on (1−γ)·‖V − V*‖∞ is at most this.
    max_iter : int
    start : numpy.ndarray, shape (n_states, m), optional
        Initial values (default R).
    extrapolate : bool
        Return MacQueen's midpoint and bound instead of the plain iterate's.
    """
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
