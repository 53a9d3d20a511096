"""Compiled (numba) vs numpy kernel of deterministic policy iteration, side by side.

A 40x40 open gridworld (1,600 states) at γ = 0.99 with 1,000 IID uniform
reward samples: the same solve on the numpy kernel and on the compiled kernel
with one thread and with every core, values and policies compared (the compiled
value sweeps are Gauss–Seidel, the numpy ones Jacobi: they agree within the
certified bounds, and exactly where the sweeps reach V* itself).
Each timing is the best of `--repeats` runs (these machines are shared).

Timed twice: the default solve (value sweeps from R/(1−γ), then policy
iteration for the samples they leave), and policy iteration alone, started
from the policy greedy on the successors' rewards (pointer-doubling
evaluations and improvement steps only).

Targets: compiled ≥ 4x the numpy kernel on one core, ≥ 7x with both cores.

    python benchmarks/bench_compiled.py [--samples N] [--side N]
"""

import argparse
import os
import time

import machine
import numpy as np

from powerseek import gridworld, solve
from powerseek.solvers import _compiled as compiled


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--side", type=int, default=40)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not compiled.available():
        raise SystemExit('needs numba: pip install ".[fast]"')
    mdp = gridworld.parse(["." * args.side] * args.side)
    R = np.random.default_rng(3).random((args.samples, mdp.n_states))
    print(machine.describe())
    print(
        f"{args.side}x{args.side} open grid: {mdp.n_states} states, {mdp.n_pairs} pairs; "
        f"gamma {args.gamma}; {args.samples} samples"
    )
    solve(mdp, R[:10], args.gamma, kernel="compiled")  # load the kernel: not counted
    W = R[:, mdp.successor_indices]  # greedy on the successors' rewards, per sample
    greedy = np.array(
        [
            [
                lo + int(np.argmax(w[lo:hi]))
                for lo, hi in zip(mdp.pair_offsets, mdp.pair_offsets[1:])
            ]
            for w in W
        ]
    )
    for label, start in (("default solve", None), ("policy iteration alone", greedy)):
        print(f" {label}:")
        os.environ.pop("POWERSEEK_THREADS", None)
        numpy_time, reference = best_time(
            lambda start=start: solve(mdp, R, args.gamma, kernel="numpy", initial_policy=start),
            args.repeats,
        )
        print(
            f"  numpy kernel:             {numpy_time:7.3f} s ({reference.iterations} iterations)"
        )
        cores = compiled.thread_count()
        for threads in sorted({1, cores}):
            os.environ["POWERSEEK_THREADS"] = str(threads)
            seconds, result = best_time(
                lambda start=start: solve(
                    mdp, R, args.gamma, kernel="compiled", initial_policy=start
                ),
                args.repeats,
            )
            same = np.array_equal(result.values, reference.values) and np.array_equal(
                result.policy, reference.policy
            )
            gap = (1 - args.gamma) * float(np.abs(result.values - reference.values).max())
            bounds = result.error_bound + reference.error_bound
            print(
                f"  compiled, {threads} thread(s):     {seconds:7.3f} s; speed-up "
                f"{numpy_time / seconds:.1f}x ({result.iterations} iterations); identical "
                f"values and policies: {same}; max |Δ(1−γ)V| {gap:.1e} within the bounds "
                f"{bounds:.1e}: {gap <= bounds + 1e-15}"
            )
    os.environ.pop("POWERSEEK_THREADS")


if __name__ == "__main__":
    main()
