"""numba kernels of :mod:`powerseek.solvers._compiled` (imports numba; private)."""

import numba
import numpy as np

#: Samples swept together by settle_samples (the columns of its block).
BLOCK = 32
#: Samples swept together by stochastic_sweep_samples (a pair's row is read once per block).
STOCHASTIC_BLOCK = 32


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


@numba.njit(nogil=True, cache=True, inline="always")
def best_successor(V, succ, start, stop):
    # The largest successor value over pairs start..stop-1.
    top = V[succ[start]]
    for p in range(start + 1, stop):
        top = max(top, V[succ[p]])  # branch-free: the comparisons are unpredictable
    return top


@numba.njit(nogil=True, cache=True, inline="always")
def first_within(V, succ, start, stop, floor):
    # The first of pairs start..stop-1 whose successor value reaches `floor`
    # (floor is at most the best, so one does).
    for p in range(start, stop):
        if V[succ[p]] >= floor:
            return p
    return stop - 1


@numba.njit(nogil=True, cache=True)
def improve_component(V, succ, offsets, pol, a, b, margin, best):
    # Howard's step where a state of a..b-1 has a choice: switch to the first
    # action within `margin` of the best one, only if the best beats the current
    # action by more than `margin`. Returns whether any state switched.
    changed = False
    for s in range(a, b):
        start, stop = offsets[s], offsets[s + 1]
        top = best_successor(V, succ, start, stop)
        best[s] = top
        if stop - start > 1 and top > V[succ[pol[s]]] + margin:
            pol[s] = first_within(V, succ, start, stop, top - margin)
            changed = True
    return changed


@numba.njit(nogil=True, cache=True)
def improve(V, succ, offsets, pol, margin, best):
    # Howard's step over every state (improve_component's, states 0..n-1).
    return improve_component(V, succ, offsets, pol, 0, V.shape[0], margin, best)


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
    RS, succ, offsets, PS, gamma, doublings, floor, max_iter, lo, hi, VS, out
):
    # Policy iteration from the policies PS[j] for samples lo..hi-1, sample-major
    # (rows of RS, PS, VS): PS[j] ends as the last policy, VS[j] its values, and
    # out[j] = (Bellman residual, evaluations, stable).
    n = RS.shape[1]
    best = np.empty(n)
    S = np.empty(n)
    T = np.empty(n)
    P = np.empty(n, dtype=np.int32)
    Q = np.empty(n, dtype=np.int32)
    for j in range(lo, hi):
        r, pol = RS[j], PS[j]
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
        VS[j] = values
        out[j, 0] = residual(r, values, best, gamma)
        out[j, 1] = iterations
        out[j, 2] = 1.0 if stable else 0.0


@numba.njit(nogil=True, cache=True, inline="always")
def tolerances(V, lo, hi, gamma, tie_tol, noise, out):
    # out[j - lo] = max(tie_tol·scale·(1−γ), noise·scale), scale = max|V[:, j]|,
    # for the state-major values V (n, m), as limits._optimal_mask computes it.
    for j in range(lo, hi):
        out[j - lo] = 0.0
    for s in range(V.shape[0]):
        for j in range(lo, hi):
            x = abs(V[s, j])
            out[j - lo] = x if x > out[j - lo] else out[j - lo]
    for j in range(hi - lo):
        scale = max(out[j], 1e-300)
        out[j] = max(tie_tol * scale * (1 - gamma), noise * scale)


@numba.njit(nogil=True, cache=True)
def blackwell_mask_samples(
    V1, V2, succ, offsets, gamma1, gamma2, tie_tol, noise, lo, hi, mask, unresolved
):
    # Samples lo..hi-1 of the state-major values V1, V2 (n, m) at discounts
    # gamma1 < gamma2: mask[p, j] when pair p's successor value at gamma2 is
    # within tolerance of its state's best (limits._optimal_mask's test), and
    # unresolved[s, j] when that test gives another answer at gamma1 for some
    # pair of s. The inner loops run over contiguous samples.
    width = hi - lo
    tol1 = np.empty(width)
    tol2 = np.empty(width)
    tolerances(V1, lo, hi, gamma1, tie_tol, noise, tol1)
    tolerances(V2, lo, hi, gamma2, tie_tol, noise, tol2)
    floor1 = np.empty(width)
    floor2 = np.empty(width)
    for s in range(V1.shape[0]):
        start, stop = offsets[s], offsets[s + 1]
        q = succ[start]
        for j in range(width):
            floor1[j] = V1[q, lo + j]
            floor2[j] = V2[q, lo + j]
        for p in range(start + 1, stop):
            q = succ[p]
            for j in range(width):
                x, y = V1[q, lo + j], V2[q, lo + j]
                floor1[j] = x if x > floor1[j] else floor1[j]
                floor2[j] = y if y > floor2[j] else floor2[j]
        for j in range(width):
            floor1[j] -= tol1[j]
            floor2[j] -= tol2[j]
            unresolved[s, lo + j] = False
        for p in range(start, stop):
            q = succ[p]
            for j in range(width):
                keep = floor2[j] <= V2[q, lo + j]
                mask[p, lo + j] = keep
                if keep != (floor1[j] <= V1[q, lo + j]):
                    unresolved[s, lo + j] = True


@numba.njit(nogil=True, cache=True, inline="always")
def inplace_sweep(X, rewards, pad, gamma, live, change, best, width, backward):
    # One Gauss–Seidel sweep of the block's samples 0..width-1, in place:
    # X(s) = R(s) + γ max_a X(succ) state by state, each state seeing the values
    # its predecessors in the sweep have just been given; forward through the
    # states or backward. Columns whose `live` flag is off keep their values.
    # change[b] = max |X_new − X_old| of sample b.
    n, k = pad.shape
    for b in range(width):
        change[b] = 0.0
    for i in range(n):
        s = n - 1 - i if backward else i
        running_max(X, pad, s, k, best, width)
        r, x = rewards[s], X[s]
        for b in range(width):
            y = r[b] + gamma * best[b]
            old = x[b]
            d = abs(y - old)
            change[b] = d if d > change[b] else change[b]
            x[b] = y if live[b] else old


@numba.njit(nogil=True, cache=True, inline="always")
def running_max(X, pad, s, k, best, width):
    # best[b] = max over state s's successors of X[succ, b]. The successors
    # `pad` (n, 5k) are repeated to a multiple of 5 and read five rows at a
    # time, so that each inner loop runs over contiguous samples and vectorises.
    for g in range(0, k, 5):
        x0, x1, x2 = X[pad[s, g]], X[pad[s, g + 1]], X[pad[s, g + 2]]
        x3, x4 = X[pad[s, g + 3]], X[pad[s, g + 4]]
        for b in range(width):  # selects, not max(): they vectorise
            t = x0[b]
            x = x1[b]
            t = x if x > t else t
            x = x2[b]
            t = x if x > t else t
            x = x3[b]
            t = x if x > t else t
            x = x4[b]
            t = x if x > t else t
            if g:
                x = best[b]
                t = x if x > t else t
            best[b] = t


@numba.njit(nogil=True, cache=True)
def exchange_columns(
    RS, X, rewards, pad, pairs, gamma, floor, margin, best, choice, leaving, taking, VS, PS
):
    # Passes over the states moving whole columns of the block: column b with
    # leaving[b] = j ≥ 0 writes sample j's values to VS[j] and its greedy policy
    # (each state's first pair within margin[b] = floor[j] of the best successor
    # value, as the numpy kernel's greedy_policy chooses) to PS[j]; then column b
    # with taking[b] = j ≥ 0 starts sample j (rewards RS[j], values R/(1−γ)).
    # State-outer, so that the block is read and written row by row and each
    # sample's row is written in order (one column at a time would stride
    # through the whole block).
    n, k = pad.shape
    width = X.shape[1]
    any_leaving = False
    for b in range(width):
        any_leaving = any_leaving or leaving[b] >= 0
        margin[b] = floor[leaving[b]] if leaving[b] >= 0 else 0.0
    for s in range(n if any_leaving else 0):
        running_max(X, pad, s, k, best, width)
        for b in range(width):
            best[b] = best[b] - margin[b]
            choice[b] = pairs[s, k - 1]
        for g in range(k - 2, -1, -1):  # downwards: the first pair within the margin wins
            xg = X[pad[s, g]]
            p = pairs[s, g]
            for b in range(width):
                choice[b] = p if xg[b] >= best[b] else choice[b]
        x = X[s]
        for b in range(width):
            j = leaving[b]
            if j >= 0:
                VS[j, s] = x[b]
                PS[j, s] = choice[b]
    for s in range(n):  # after the greedy choices, which read neighbouring rows
        x, r = X[s], rewards[s]
        for b in range(width):
            j = taking[b]
            if j >= 0:
                r[b] = RS[j, s]
                x[b] = r[b] / (1.0 - gamma)


@numba.njit(nogil=True, cache=True)
def settle_samples(RS, pad, pairs, gamma, floor, sweeps, lo, hi, VS, PS, out, settled):
    # Value sweeps from R/(1−γ) for samples lo..hi-1, BLOCK at a time in the
    # columns of a block so that the inner loops run over contiguous samples.
    # Rewards, values and policies are sample-major (m, n) here. The sweeps are
    # Gauss–Seidel, in place, in pairs: forward through the states, then
    # backward, so that values travel both ways along the state order in one
    # pair (a Jacobi sweep moves them one step).
    #
    # Stopping rule. Each half G (forward or backward) is a γ-contraction in the
    # sup norm with fixed point V*: a state's new value is R + γ max over values
    # each within ‖X − V*‖ of V*'s, either old or already swept (and so within
    # γ‖X − V*‖). Hence ‖GX − V*‖ ≤ γ‖X − V*‖ ≤ γ‖X − GX‖ + γ‖GX − V*‖, i.e.
    # (1−γ)‖GX − V*‖ ≤ γ‖GX − X‖: after the backward half, γ·change bounds the
    # error on the (1−γ)V scale, as γ·change of a Jacobi sweep does. A sample
    # settles when a pair's change is at most floor, and records (γ·change,
    # sweeps, 1); a sample unsettled after `sweeps` sweeps stops too, and its
    # greedy policy starts policy iteration. A stopped column stops changing;
    # once half the columns have stopped, one pass over the block writes their
    # samples out and starts the next ones in them. A column's sweeps are its
    # own sample's, always starting forward, so the values do not depend on
    # which samples share a block or thread.
    n = RS.shape[1]
    width = max(1, min(BLOCK, hi - lo))
    X = np.zeros((n, width))
    rewards = np.zeros((n, width))
    change = np.empty(width)
    best = np.empty(width)
    choice = np.empty(width, dtype=np.int64)
    margin = np.zeros(width)
    live = np.zeros(width, dtype=np.bool_)
    sample = np.full(width, -1, dtype=np.int64)  # the column's sample, -1 if none
    leaving = np.full(width, -1, dtype=np.int64)
    taking = np.full(width, -1, dtype=np.int64)
    count = np.zeros(width, dtype=np.int64)
    following = lo
    stopped = width  # columns without a live sample
    while True:
        if stopped and (2 * stopped >= width or following == hi):
            busy = False
            for b in range(width):  # each stopped column leaves and takes the next sample
                leaving[b] = -1
                taking[b] = -1
                if live[b]:
                    continue
                leaving[b] = sample[b]
                sample[b] = -1
                if following < hi:
                    taking[b] = following
                    sample[b] = following
                    live[b] = True
                    count[b] = 0
                    following += 1
                    stopped -= 1
                busy = busy or leaving[b] >= 0 or taking[b] >= 0
            if busy:
                exchange_columns(
                    RS, X, rewards, pad, pairs, gamma, floor, margin, best, choice, leaving,
                    taking, VS, PS,
                )  # fmt: skip
            if stopped == width:
                return
        inplace_sweep(X, rewards, pad, gamma, live, change, best, width, False)
        inplace_sweep(X, rewards, pad, gamma, live, change, best, width, True)
        for b in range(width):
            if not live[b]:
                continue
            j = sample[b]
            count[b] += 2
            done = change[b] <= floor[j]
            if not done and count[b] < sweeps:
                continue
            live[b] = False
            stopped += 1
            settled[j] = done
            out[j, 1] = count[b]
            if done:  # an unsettled sample's values come from policy iteration
                out[j, 0] = gamma * change[b]
                out[j, 2] = 1.0


@numba.njit(nogil=True, cache=True)
def stochastic_sweep_samples(RT, X, columns, weights, offsets, gamma, sweeps, lo, hi):
    # `sweeps` value sweeps X <- R + γ max_a Σ_t T(s, a, t) X(t) of samples lo..hi-1 of a
    # stochastic MDP, in place, STOCHASTIC_BLOCK samples at a time. Pair p's row of T is
    # columns[p], weights[p] in storage order, padded with zero weights to a multiple of
    # five; its sum runs left to right from the first product, as scipy's sparse product
    # does from 0 (adding 0·x changes no sum), and max is exact, so the values equal the
    # numpy sweeps'. Five rows are read per pass over the block's contiguous samples.
    n = RT.shape[0]
    blocks = max(1, -(-(hi - lo) // STOCHASTIC_BLOCK))
    width = max(1, -(-(hi - lo) // blocks))  # even blocks: no narrow last one
    length = columns.shape[1]
    A = np.empty((n, width))
    B = np.empty((n, width))
    R = np.empty((n, width))
    acc = np.empty(width)
    for j0 in range(lo, hi, width):
        count = min(width, hi - j0)
        for s in range(n):
            for b in range(count):
                A[s, b] = X[s, j0 + b]
                R[s, b] = RT[s, j0 + b]
        for k in range(sweeps):
            src = A if k % 2 == 0 else B
            dst = B if k % 2 == 0 else A
            for s in range(n):
                y = dst[s]
                for p in range(offsets[s], offsets[s + 1]):
                    c, w = columns[p], weights[p]
                    for g in range(0, length, 5):
                        x0, x1, x2 = src[c[g]], src[c[g + 1]], src[c[g + 2]]
                        x3, x4 = src[c[g + 3]], src[c[g + 4]]
                        w0, w1, w2, w3, w4 = w[g], w[g + 1], w[g + 2], w[g + 3], w[g + 4]
                        last = g + 5 >= length
                        for b in range(width):
                            t = w0 * x0[b] if g == 0 else acc[b] + w0 * x0[b]
                            t = t + w1 * x1[b]
                            t = t + w2 * x2[b]
                            t = t + w3 * x3[b]
                            t = t + w4 * x4[b]
                            if not last:
                                acc[b] = t
                            elif p == offsets[s]:
                                y[b] = t
                            else:  # a select, not max(): it vectorises
                                u = y[b]
                                y[b] = t if t > u else u
                r = R[s]
                for b in range(width):
                    y[b] = r[b] + gamma * y[b]
        last_values = A if sweeps % 2 == 0 else B
        for s in range(n):
            for b in range(count):
                X[s, j0 + b] = last_values[s, b]


@numba.njit(nogil=True, cache=True)
def evaluate_component(r, V, succ, pol, a, b, gamma, tags, stamp, stack, at):
    # V^π on the component of states a..b-1 (states numbered component by
    # component), the values of the components it leads to (numbered below a)
    # being final. π restricted to the component is a functional graph whose
    # paths end outside it or in one of its cycles: each path is walked once, a
    # cycle y_0..y_{L-1} gets V(y_0) = Σ_i γ^i r(y_i) / (1 − γ^L), and every other
    # state V = r + γ V(next), from the path's end back. tags[s] == 2·stamp marks a
    # state on the path being walked (at[s] its place on the stack), 2·stamp + 1 a
    # state whose value is known; stamps grow, so the tags need no reset.
    walking, known = 2 * stamp, 2 * stamp + 1
    for s in range(a, b):
        if tags[s] == known:
            continue
        top = 0
        cycle = -1
        x = s
        while x >= a and tags[x] != known:  # successors are numbered below b
            if tags[x] == walking:
                cycle = at[x]
                break
            tags[x] = walking
            at[x] = top
            stack[top] = x
            top += 1
            x = succ[pol[x]]
        below = top
        if cycle >= 0:
            total = 0.0
            g = 1.0
            for q in range(cycle, top):
                total += g * r[stack[q]]
                g *= gamma
            y = stack[cycle]
            V[y] = total / (1.0 - g)
            tags[y] = known
            below = cycle
            for q in range(top - 1, cycle, -1):  # the cycle's other states, back to y
                y = stack[q]
                V[y] = r[y] + gamma * V[succ[pol[y]]]
                tags[y] = known
        for q in range(below - 1, -1, -1):
            y = stack[q]
            V[y] = r[y] + gamma * V[succ[pol[y]]]
            tags[y] = known


@numba.njit(nogil=True, cache=True)
def component_policy_iteration_samples(
    RS, succ, offsets, starts, order, original, warm, PS, gamma, floor, max_iter, lo, hi, VS, out
):
    # Policy iteration component by component for samples lo..hi-1, sample-major
    # as policy_iteration_samples. The states are renumbered component by
    # component (state i is order[i]; succ and offsets are in that numbering,
    # each state's pairs in their order; original = the original offsets),
    # starts[c]..starts[c+1]-1 being component c, and every pair leads to its own
    # component or an earlier one: each component is solved once, its successors'
    # values final, and its arrays are contiguous. Without `warm` a component
    # starts from the greedy policy of V = R/(1−γ) on it. out[j] = (Bellman
    # residual over all states, most evaluations of one component, whether every
    # component was stable).
    n = RS.shape[1]
    tags = np.zeros(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int32)
    at = np.empty(n, dtype=np.int32)
    best = np.empty(n)
    r = np.empty(n)
    V = np.empty(n)
    pol = np.empty(n, dtype=np.int64)
    stamp = 0
    for j in range(lo, hi):
        margin = floor[j]
        for i in range(n):
            s = order[i]
            r[i] = RS[j, s]
            if warm:
                pol[i] = offsets[i] + PS[j, s] - original[s]
        most = 0
        every = True
        for c in range(starts.shape[0] - 1):
            a, b = starts[c], starts[c + 1]
            if not warm:
                for s in range(a, b):
                    V[s] = r[s] / (1.0 - gamma)
                for s in range(a, b):
                    start, stop = offsets[s], offsets[s + 1]
                    top = best_successor(V, succ, start, stop)
                    pol[s] = first_within(V, succ, start, stop, top - margin)
            iterations = 0
            stable = False
            while iterations < max_iter:
                iterations += 1
                stamp += 1
                evaluate_component(r, V, succ, pol, a, b, gamma, tags, stamp, stack, at)
                if not improve_component(V, succ, offsets, pol, a, b, margin, best):
                    stable = True
                    break
            if not stable:  # limit reached: the last policy's value, its best successors
                stamp += 1
                evaluate_component(r, V, succ, pol, a, b, gamma, tags, stamp, stack, at)
                improve_component(V, succ, offsets, pol, a, b, np.inf, best)  # changes nothing
                every = False
            most = max(most, iterations)
        out[j, 0] = residual(r, V, best, gamma)
        out[j, 1] = most
        out[j, 2] = 1.0 if every else 0.0
        for i in range(n):
            s = order[i]
            VS[j, s] = V[i]
            PS[j, s] = original[s] + pol[i] - offsets[i]


@numba.njit(nogil=True, cache=True)
def power_samples(VS, pad, gamma, lo, hi, PW):
    # PW[j, s] = (1−γ)·max over s's successors of VS[j] for samples lo..hi-1, the
    # successors `pad` (n, 5k) repeated to a multiple of five and read five at a
    # time, branch-free. Rounding is monotone, so this is the largest of the
    # rounded products (1−γ)·VS[j, succ], which segment_max of
    # expected_next((1−γ)V) takes: the same numbers.
    c = 1.0 - gamma
    n, k = pad.shape
    for j in range(lo, hi):
        v, w = VS[j], PW[j]
        for s in range(n):
            t = v[pad[s, 0]]
            for g in range(1, k):
                x = v[pad[s, g]]
                t = x if x > t else t
            w[s] = c * t


@numba.njit(nogil=True, cache=True)
def block_moments_rows(values, starts, means, m2):
    # Block i holds rows starts[i]..starts[i+1]-1 of values (m, k): its mean and
    # sum of squared deviations, with the operations of rewards.block_moments in
    # its order: mean = (Σ_r v_r) / n, or v_0 where the column's values are all
    # equal, and m2 = Σ_r (v_r − mean)², each sum over the rows in order, as
    # numpy sums a C-ordered array down its first axis; the block's rows are
    # read twice while in cache.
    k = values.shape[1]
    equal = np.empty(k, dtype=np.bool_)
    for i in range(starts.shape[0] - 1):
        a, b = starts[i], starts[i + 1]
        mean, sq = means[i], m2[i]
        first = values[a]
        for c in range(k):
            mean[c] = first[c]
            equal[c] = True
        for r in range(a + 1, b):
            row = values[r]
            for c in range(k):
                mean[c] += row[c]
                equal[c] = equal[c] and row[c] == first[c]
        count = float(b - a)
        for c in range(k):
            mean[c] = first[c] if equal[c] else mean[c] / count
        for c in range(k):
            d = first[c] - mean[c]
            sq[c] = d * d
        for r in range(a + 1, b):
            row = values[r]
            for c in range(k):
                d = row[c] - mean[c]
                sq[c] += d * d
