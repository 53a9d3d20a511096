"""numba kernels of :mod:`powerseek.solvers.compiled` (imports numba; private)."""

import numba
import numpy as np


@numba.njit(nogil=True, cache=True)
def evaluate(r, succ, pol, gamma, doublings, S, T, P, Q):
    # Pointer doubling: after k steps S = Σ_{t<2^k} γ^t r(π^t(s)); the same
    # operations, in the same order, as kernels.evaluate_deterministic.
    n = r.shape[0]
    for s in range(n):
        S[s] = r[s]
        P[s] = succ[pol[s]]
    g = gamma
    for _ in range(doublings):
        for s in range(n):
            p = P[s]
            T[s] = S[s] + g * S[p]
            Q[s] = P[p]
        P, Q = Q, P
        S, T = T, S
        g *= g
    for s in range(n):  # the last half-step needs no new pointers
        T[s] = S[s] + g * S[P[s]]
    return T


@numba.njit(nogil=True, cache=True)
def improve(V, succ, offsets, pol, margin, best):
    # Howard's step where a state has a choice: switch to the first action
    # within `margin` of the best one, only if the best beats the current
    # action by more than `margin`. Returns whether any state switched.
    changed = False
    n = V.shape[0]
    for s in range(n):
        start, stop = offsets[s], offsets[s + 1]
        top = V[succ[start]]
        for p in range(start + 1, stop):
            top = max(top, V[succ[p]])  # branch-free: the comparisons are unpredictable
        best[s] = top
        if stop - start > 1 and top > V[succ[pol[s]]] + margin:
            floor = top - margin
            for p in range(start, stop):
                if V[succ[p]] >= floor:
                    pol[s] = p
                    break
            changed = True
    return changed


@numba.njit(nogil=True, cache=True)
def sweep(r, succ, offsets, gamma, V, new):
    # One value sweep new = r + γ max_a V(succ); returns max |new − V|.
    change = 0.0
    for s in range(r.shape[0]):
        top = V[succ[offsets[s]]]
        for p in range(offsets[s] + 1, offsets[s + 1]):
            top = max(top, V[succ[p]])
        new[s] = r[s] + gamma * top
        change = max(change, abs(new[s] - V[s]))
    return change


@numba.njit(nogil=True, cache=True)
def greedy_within(V, succ, offsets, pol, margin):
    # Each state's first action within `margin` of its best successor value.
    for s in range(V.shape[0]):
        start, stop = offsets[s], offsets[s + 1]
        top = V[succ[start]]
        for p in range(start + 1, stop):
            top = max(top, V[succ[p]])
        floor = top - margin
        for p in range(start, stop):
            if V[succ[p]] >= floor:
                pol[s] = p
                break


@numba.njit(nogil=True, cache=True)
def residual(r, V, best, gamma):
    worst = 0.0
    for s in range(r.shape[0]):
        d = abs(r[s] + gamma * best[s] - V[s])
        if d > worst:
            worst = d
    return worst


@numba.njit(nogil=True, cache=True)
def policy_iteration_samples(
    RT, succ, offsets, policy, start, gamma, doublings, floor, max_iter, sweeps, lo, hi, V, out
):
    # Samples lo..hi-1: out[j] = (bound, iterations, stable). Without a `start`,
    # up to `sweeps` value sweeps from R/(1−γ) first, as numpy_backend does.
    n = RT.shape[0]
    r = np.empty(n)
    pol = np.empty(n, dtype=np.int64)
    best = np.empty(n)
    S = np.empty(n)
    T = np.empty(n)
    P = np.empty(n, dtype=np.int32)
    Q = np.empty(n, dtype=np.int32)
    for j in range(lo, hi):
        for s in range(n):
            r[s] = RT[s, j]
        count = 0
        if start:
            for s in range(n):
                pol[s] = policy[s, j]
        else:
            for s in range(n):
                S[s] = r[s] / (1.0 - gamma)
            settled = False
            change = 0.0
            while count < sweeps and not settled:
                count += 1
                change = sweep(r, succ, offsets, gamma, S, T)
                S, T = T, S
                settled = change <= floor[j]
            greedy_within(S, succ, offsets, pol, floor[j])
            if settled:
                for s in range(n):
                    V[s, j] = S[s]
                    policy[s, j] = pol[s]
                out[j, 0] = gamma * change
                out[j, 1] = count
                out[j, 2] = 1.0
                continue
        iterations = 0
        stable = False
        values = S
        while iterations < max_iter:
            iterations += 1
            values = evaluate(r, succ, pol, gamma, doublings, S, T, P, Q)
            if not improve(values, succ, offsets, pol, floor[j], best):
                stable = True
                break
        if not stable:  # limit reached: the last policy's value and residual
            values = evaluate(r, succ, pol, gamma, doublings, S, T, P, Q)
            improve(values, succ, offsets, pol.copy(), np.inf, best)
        for s in range(n):
            V[s, j] = values[s]
            policy[s, j] = pol[s]
        out[j, 0] = residual(r, values, best, gamma)
        out[j, 1] = count + iterations
        out[j, 2] = 1.0 if stable else 0.0
