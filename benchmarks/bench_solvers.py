"""Default solver vs batched value iteration, on the same samples.

The robot face (220 states) at γ = 0.99 with 10,000 IID uniform samples:
POWER of every state by the default method (policy iteration with pointer-
doubling evaluation, on the compiled kernel when numba is installed), by the
reference value iteration started at V = R, and by the strongest simple
baseline, value iteration started at V = R/(1−γ) (exact after as many sweeps
as the grid's diameter where every cell can stay), all to the same tolerance
(1e-9 on the POWER scale), timed side by side in one run.

Targets: default ≥ 80x faster than plain value iteration and ≥ 3x faster than
value iteration from R/(1−γ); max |ΔPOWER| ≤ 1e-6.

    python benchmarks/bench_solvers.py [--samples N]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import load, power, solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--repeats", type=int, default=3, help="best of, for the fast runs")
    args = parser.parse_args()
    mdp = load("powerplay-robot-face")
    print(machine.describe())
    print(
        f"{mdp.name}: {mdp.n_states} states, {mdp.n_pairs} pairs; gamma {args.gamma}; "
        f"{args.samples} samples; tol 1e-9"
    )
    power(mdp, args.gamma, n_samples=2000, rng=0, kernel="auto")  # load the compiled kernel
    timings = {}
    results = {}
    for method in ("auto", "value-iteration"):
        runs = []
        for _ in range(args.repeats if method == "auto" else 1):  # plain VI takes minutes
            start = time.perf_counter()
            results[method] = power(
                mdp, args.gamma, n_samples=args.samples, rng=2024, method=method
            )
            runs.append(time.perf_counter() - start)
        timings[method] = min(runs)
        solver = results[method].solver
        print(
            f"  {method:>16}: {timings[method]:8.2f} s  ({solver['method']}, "
            f"{solver['iterations']} iterations, error bound {solver['error_bound']:.2g})"
        )
    # the simple baseline: the same samples, value iteration from V = R/(1-γ)
    R = power_samples_rewards(mdp, args.samples)
    runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for rows in np.array_split(np.arange(args.samples), max(1, args.samples // 1000)):
            baseline = solve(
                mdp,
                R[rows],
                args.gamma,
                method="value-iteration",
                initial_values=R[rows] / (1 - args.gamma),
            )
        runs.append(time.perf_counter() - start)
    timings["baseline"] = min(runs)
    print(
        f"  VI from R/(1-g): {timings['baseline']:8.2f} s  ({baseline.iterations} sweeps, "
        f"error bound {baseline.error_bound:.2g})"
    )
    difference = np.abs(results["auto"].power - results["value-iteration"].power).max()
    ratio = timings["value-iteration"] / timings["auto"]
    print(f"speed-up of the default over value iteration: {ratio:.1f}x")
    print(
        f"speed-up of the default over value iteration from R/(1-g): "
        f"{timings['baseline'] / timings['auto']:.1f}x"
    )
    print(
        f"max |delta POWER|: {difference:.2e} (largest standard error "
        f"{results['auto'].stderr.max():.2e})"
    )


def power_samples_rewards(mdp, n):
    """IID uniform rewards as the analyses draw them (the baseline needs only the same law)."""
    return np.random.default_rng(2024).random((n, mdp.n_states))


if __name__ == "__main__":
    main()
