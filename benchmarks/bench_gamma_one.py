"""The γ → 1 limit: optimality probabilities (Blackwell-optimal actions) vs POWER.

The 7x7 maze with 10,000 IID uniform samples: POWER at γ = 1 (best reachable
average reward, no solve) and optimality probabilities at γ = 1 (Blackwell-
optimal actions from solves at γ = 1 − 1e-4 and 1 − 1e-6, with the states
where the two disagree reported as unresolved), timed side by side on the same
samples. Each timing is the best of `--repeats` runs, after one warm-up run of
each (which loads the compiled kernel where numba is installed).

Target: optimality at γ = 1 costs ≤ 5x POWER at γ = 1.

    python benchmarks/bench_gamma_one.py [--samples N]
"""

import argparse
import time

import machine

from powerseek import load, optimality, power


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    mdp = load("powerplay-maze-7x7")
    print(machine.describe())
    print(f"{mdp.name}: {mdp.n_states} states, {mdp.n_pairs} pairs; {args.samples} samples")
    runs = {
        "POWER at gamma = 1": lambda: power(mdp, 1.0, n_samples=args.samples, rng=5),
        "optimality at gamma = 1": lambda: optimality(mdp, 1.0, n_samples=args.samples, rng=5),
    }
    for run in runs.values():
        run()  # warm-up
    times = {name: best_time(run, args.repeats) for name, run in runs.items()}
    for name, seconds in times.items():
        print(f"  {name:>24}: {seconds:7.3f} s")
    ratio = times["optimality at gamma = 1"] / times["POWER at gamma = 1"]
    print(f"optimality at gamma = 1 costs {ratio:.1f}x POWER at gamma = 1")


if __name__ == "__main__":
    main()
