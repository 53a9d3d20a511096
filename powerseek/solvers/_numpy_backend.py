"""Policy iteration and value iteration on numpy arrays (the default backend).

Both take state-major rewards ``RT`` (n_states, m) and return state-major
values; :func:`powerseek.solvers.solve` validates the inputs, sets the
tolerance and wraps the results.
"""

from __future__ import annotations

import numpy as np

from ._kernels import (
    BackendSolution,
    bellman_residual,
    best_next,
    doublings_for,
    evaluate_deterministic,
    greedy_on_values,
    improve_on_values,
    noise_floor,
    sweep_budget,
)

__all__ = ["policy_iteration", "value_iteration"]


def policy_iteration(mdp, RT, gamma, tol, max_iter, policy):
    """Howard's policy iteration for deterministic MDPs, evaluated by pointer doubling.

    Returns a :class:`~powerseek.solvers.BackendSolution`; its `bound` is the
    largest Bellman residual, which bounds (1−γ)·‖V − V*‖∞.

    Without a starting policy, value iteration from V = R/(1−γ) runs first, for
    up to :func:`~powerseek.solvers._kernels.sweep_budget` sweeps: a sample whose
    sweeps settle to within floating-point noise (‖V_{k+1} − V_k‖∞ at most
    64 ulps of max|R|/(1−γ)) is done, certified by γ‖V_{k+1} − V_k‖∞; the
    others start policy iteration from the greedy policy of the last sweep.
    `iterations` counts sweeps and policy evaluations.

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
        Most policy evaluations per sample.
    policy : numpy.ndarray of int, shape (n_states, m), optional
        A starting policy as pair indices (warm start; no value sweeps).
    """
    n, m = RT.shape
    successors = mdp.successor_indices
    floor = noise_floor(RT, gamma)
    V = np.empty_like(RT)
    residual = np.zeros(m)
    sweeps = np.zeros(m, dtype=np.int64)
    if policy is None:
        # value sweeps from R/(1−γ); the samples that settle are done
        X = RT / (1.0 - gamma)
        active = np.arange(m)
        R_a = RT
        for _ in range(sweep_budget(mdp, gamma)):
            new = best_next(mdp, X)  # R + γ·max, in place: no temporaries
            new *= gamma
            new += R_a
            change = np.abs(np.subtract(new, X, out=X), out=X).max(axis=0)  # X is spent
            sweeps[active] += 1
            settled = change <= floor[active]
            X = new
            if settled.any():
                finished = active[settled]
                V[:, finished] = X[:, settled]
                residual[finished] = gamma * change[settled]
                keep = ~settled
                active, X, R_a = active[keep], X[:, keep], R_a[:, keep]
            if not active.size:
                break
        V[:, active] = X  # the unsettled: their last sweep, replaced by policy iteration's values
        policy = greedy_on_values(mdp, V, floor)
    else:
        active = np.arange(m)
    policy = np.array(policy, dtype=np.int64)
    doublings = doublings_for(gamma)
    evaluations = np.zeros(m, dtype=np.int64)
    # Working copies of the samples still improving, compacted only when some finish.
    R_a, pol, margin = RT[:, active], policy[:, active], floor[active]
    for _ in range(max_iter):
        if active.size == 0:
            break
        evaluations[active] += 1
        nxt = successors[pol]
        V_a = evaluate_deterministic(R_a, nxt, gamma, doublings)
        best, pol, changed = improve_on_values(mdp, V_a, nxt, pol, margin)
        done = np.flatnonzero(~changed)
        if done.size:  # stable: record, and certify with the Bellman residual ‖BV − V‖
            finished = active[done]
            V[:, finished] = V_a[:, done]
            policy[:, finished] = pol[:, done]
            residual[finished] = bellman_residual(R_a[:, done], best[:, done], V_a[:, done], gamma)
            keep = np.flatnonzero(changed)
            active, R_a, pol, margin = active[keep], R_a[:, keep], pol[:, keep], margin[keep]
    stable = active.size == 0
    if active.size:  # iteration limit: return the last policy, its value and residual
        V_a = evaluate_deterministic(R_a, successors[pol], gamma, doublings)
        best = best_next(mdp, V_a)
        V[:, active] = V_a
        policy[:, active] = pol
        residual[active] = bellman_residual(R_a, best, V_a, gamma)
    bound = float(residual.max()) if m else 0.0  # (1-γ)‖V−V*‖ ≤ ‖BV − V‖
    iterations = int((sweeps + evaluations).max()) if m else 0
    return BackendSolution(V, policy, bound, iterations, stable)


def value_iteration(mdp, RT, gamma, tol, max_iter, start, *, extrapolate):
    """Value iteration, with MacQueen's extrapolation when `extrapolate`.

    Returns a :class:`~powerseek.solvers.BackendSolution` without a policy, its
    `bound` on the (1−γ)·V scale and `stable` true when every sample met `tol`.

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
        new = RT[:, active] + gamma * best_next(mdp, V_a)
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
    return BackendSolution(
        out, None, float(bounds.max(initial=0.0)), int(iterations.max(initial=0)), converged
    )
