"""POWER on the compiled kernel: CPU per state-sample, where it goes, and two baselines.

`power()` of every state of an open 100x100 grid (10,000 states) at γ = 0.9 from 1,000
IID uniform samples, on one thread (``POWERSEEK_THREADS=1``), in CPU time
(``time.process_time``), best of `--repeats`, the cases interleaved so that the
machine's noise hits them alike:

- ``power()`` on the compiled kernel (numba installed), and its phases timed apart:
  the reward draws, the solves, POWER from the values, the block moments;
- ``power()`` on the numpy kernel;
- a plain numba baseline written for the comparison: Jacobi value sweeps from
  R/(1−γ) to the same floating-point floor, POWER and its moments in compiled loops.

Targets: at least 2.5e7 state-samples per CPU-second. `--source DIR` measures the
powerseek package found in DIR instead (for example a checkout of an earlier commit),
so before and after compare side by side on the same machine.

    python benchmarks/bench_power_kernel.py [--samples N] [--side N] [--source DIR]
"""

import argparse
import os
import sys
import time

os.environ.setdefault("POWERSEEK_THREADS", "1")


def cpu_seconds(function):
    start = time.process_time()
    function()
    return time.process_time() - start


def numba_baseline():
    """Jacobi sweeps from R/(1−γ) to the noise floor, POWER and its mean, per sample."""
    import numba
    import numpy as np

    @numba.njit(cache=True)
    def run(R, succ, offsets, gamma, floor):
        m, n = R.shape
        total = np.zeros(n)
        square = np.zeros(n)
        X = np.empty(n)
        Y = np.empty(n)
        for j in range(m):
            r = R[j]
            for s in range(n):
                X[s] = r[s] / (1.0 - gamma)
            change = floor[j] + 1.0
            while change > floor[j]:
                change = 0.0
                for s in range(n):
                    best = X[succ[offsets[s]]]
                    for p in range(offsets[s] + 1, offsets[s + 1]):
                        best = max(best, X[succ[p]])
                    Y[s] = r[s] + gamma * best
                    change = max(change, abs(Y[s] - X[s]))
                X, Y = Y, X
            for s in range(n):
                best = X[succ[offsets[s]]]
                for p in range(offsets[s] + 1, offsets[s + 1]):
                    best = max(best, X[succ[p]])
                value = (1.0 - gamma) * best
                total[s] += value
                square[s] += value * value
        return total / m, square / m

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--side", type=int, default=100)
    parser.add_argument("--gamma", type=float, default=0.9)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--source", default=None, help="a folder holding the powerseek package")
    args = parser.parse_args()
    if args.source:
        sys.path.insert(0, os.path.abspath(args.source))
    import machine
    import numpy as np

    from powerseek import gridworld, power, solve
    from powerseek.rewards import IID, SamplePlan
    from powerseek.solvers import _compiled as compiled
    from powerseek.solvers._kernels import noise_floor

    if not compiled.available():
        raise SystemExit('needs numba: pip install ".[fast]"')
    mdp = gridworld.parse(["." * args.side] * args.side)
    n, m, gamma = mdp.n_states, args.samples, args.gamma
    print(machine.describe())
    print(f"powerseek from: {args.source or 'the installed package'}")
    print(
        f"{args.side}x{args.side} open grid: {n} states; gamma {gamma}; {m} samples; "
        f"threads {os.environ['POWERSEEK_THREADS']}; CPU time, best of {args.repeats}"
    )
    power(mdp, gamma, n_samples=40, rng=0, kernel="compiled")  # load the kernels
    power(mdp, gamma, n_samples=40, rng=0, kernel="numpy")
    baseline = numba_baseline()
    succ = np.ascontiguousarray(mdp.successor_indices, dtype=np.int64)
    offsets = np.ascontiguousarray(mdp.pair_offsets, dtype=np.int64)
    plan = SamplePlan(IID(), mdp, m, rng=0)
    R = plan.draw(plan.blocks)
    floor = noise_floor(np.ascontiguousarray(R.T), gamma)
    baseline(R[:2], succ, offsets, gamma, floor[:2])

    def draws():
        return plan.draw(plan.blocks)

    def solves():
        return solve(mdp, R, gamma, kernel="compiled")

    cases = {
        "power(), compiled kernel": lambda: power(
            mdp, gamma, n_samples=m, rng=0, kernel="compiled"
        ),
        "power(), numpy kernel": lambda: power(mdp, gamma, n_samples=m, rng=0, kernel="numpy"),
        "numba baseline (Jacobi sweeps, POWER, mean)": lambda: baseline(
            R, succ, offsets, gamma, floor
        ),
        "  phase: reward draws": draws,
        "  phase: solves": solves,
    }
    result = solves()
    optimal_power = getattr(compiled, "optimal_power", None)
    moments = getattr(compiled, "block_moments", None)
    if optimal_power is not None:
        cases["  phase: POWER from values"] = lambda: optimal_power(
            mdp, result.values, gamma, kernel="compiled"
        )
        values = optimal_power(mdp, result.values, gamma, kernel="compiled")
        cases["  phase: block moments"] = lambda: moments(values, [b.size for b in plan.blocks])
    times = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, case in cases.items():
            times[name].append(cpu_seconds(case))
    best = {name: min(values) for name, values in times.items()}
    ours = best["power(), compiled kernel"]
    print(f"{'case':46s} {'CPU s':>8s} {'state-samples/CPU s':>20s} {'x power()':>10s}")
    for name, seconds in best.items():
        rate = n * m / seconds if not name.startswith("  ") else float("nan")
        print(f"{name:46s} {seconds:8.3f} {rate:20.3g} {seconds / ours:10.2f}")
    print(f"solver: {result.iterations} sweeps/evaluations at most, bound {result.error_bound:.1e}")


if __name__ == "__main__":
    main()
