"""Stochastic solves near γ = 1: policy iteration with sparse LU vs extrapolated VI.

A 30x30 open gridworld with slip noise 0.1 (900 states, 4,380 pairs): optimal
values of the same reward samples by policy iteration with sparse-LU
evaluation (the default near γ = 1) and by extrapolated value iteration
(MacQueen's bounds; the default before), both to the certified bound 1e-9 on
the (1−γ)·V scale, timed side by side in one run at γ = 0.9, 0.99 and 0.999
(policy iteration best of 3; its value sweeps on the kernel `auto` picks,
compiled where numba is installed, loaded before timing like SuperLU).

Targets: ≥ 10x at γ = 0.999, ≥ 3x at γ = 0.99, same values to the bound; the
policy-iteration cost from γ = 0.9 to 0.999 grows ≤ 3x.

    python benchmarks/bench_stochastic.py [--samples N] [--side N]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import gridworld, solve
from powerseek.solvers import _compiled as compiled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--side", type=int, default=30)
    parser.add_argument("--noise", type=float, default=0.1)
    args = parser.parse_args()
    mdp = gridworld.parse(["." * args.side] * args.side, noise=args.noise)
    R = np.random.default_rng(11).random((args.samples, mdp.n_states))
    print(machine.describe())
    print(
        f"{args.side}x{args.side} open grid, noise {args.noise}: {mdp.n_states} states, "
        f"{mdp.n_pairs} pairs; {args.samples} samples; tol 1e-9"
    )
    solve(mdp, R[:2], 0.9, method="policy-iteration")  # load scipy's SuperLU
    kernel = "numpy"
    if compiled.available():  # load the compiled sweeps from numba's cache, as a session would
        solve(mdp, R[:2], 0.9, method="policy-iteration", kernel="compiled")
        kernel = compiled.choose_kernel("auto", mdp, args.samples, [0.9])
    print(f"value sweeps of policy iteration: {kernel} kernel")
    ours_times = {}
    for gamma in (0.9, 0.99, 0.999):
        timings, results = {}, {}
        for method, repeats in (("policy-iteration", 3), ("extrapolated-value-iteration", 1)):
            timings[method] = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                results[method] = solve(mdp, R, gamma, method=method)
                timings[method] = min(timings[method], time.perf_counter() - start)
        ours, theirs = results["policy-iteration"], results["extrapolated-value-iteration"]
        ours_times[gamma] = timings["policy-iteration"]
        difference = (1 - gamma) * np.abs(ours.values - theirs.values).max()
        per_sample = {k: 1e3 * t / args.samples for k, t in timings.items()}
        pi, evi = per_sample["policy-iteration"], per_sample["extrapolated-value-iteration"]
        print(
            f"  gamma {gamma}: policy iteration {pi:7.2f} ms/sample ({ours.iterations} "
            f"evaluations, bound {ours.error_bound:.1e}); extrapolated VI {evi:8.2f} ms/sample "
            f"({theirs.iterations} sweeps); speed-up {evi / pi:.1f}x; "
            f"max (1-gamma)|dV| {difference:.1e}"
        )
    print(f"policy-iteration cost, gamma 0.999 vs 0.9: {ours_times[0.999] / ours_times[0.9]:.1f}x")


if __name__ == "__main__":
    main()
