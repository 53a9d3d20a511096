"""Default solver vs plain batched value iteration, on the same samples.

The robot face (220 states) at γ = 0.99 with 10,000 IID uniform samples:
POWER of every state by the default method (policy iteration with pointer-
doubling evaluation) and by the reference value iteration, both to the same
tolerance (1e-9 on the POWER scale), timed side by side in one run.

Target: default ≥ 20x faster, max |ΔPOWER| ≤ 1e-6.

    python benchmarks/bench_solvers.py [--samples N]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import load, power


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--gamma", type=float, default=0.99)
    args = parser.parse_args()
    mdp = load("powerplay-robot-face")
    print(machine.describe())
    print(
        f"{mdp.name}: {mdp.n_states} states, {mdp.n_pairs} pairs; gamma {args.gamma}; "
        f"{args.samples} samples; tol 1e-9"
    )
    timings = {}
    results = {}
    for method in ("auto", "value-iteration"):
        start = time.perf_counter()
        results[method] = power(mdp, args.gamma, n_samples=args.samples, rng=2024, method=method)
        timings[method] = time.perf_counter() - start
        solver = results[method].solver
        print(
            f"  {method:>16}: {timings[method]:8.2f} s  ({solver['method']}, "
            f"{solver['iterations']} iterations, error bound {solver['error_bound']:.2g})"
        )
    difference = np.abs(results["auto"].power - results["value-iteration"].power).max()
    ratio = timings["value-iteration"] / timings["auto"]
    print(f"speed-up of the default over value iteration: {ratio:.1f}x")
    print(
        f"max |delta POWER|: {difference:.2e} (largest standard error "
        f"{results['auto'].stderr.max():.2e})"
    )


if __name__ == "__main__":
    main()
