"""A world of a million cells: load a 1000x1000 open map, then POWER of every cell.

Loads the map (10^6 cells, 5·10^6 - 4,000 state-action pairs) and computes
POWER of all cells at γ = 0.99 with `--samples` IID uniform reward samples,
printing the load time, the POWER time, the solver's diagnostics and the
peak memory of the process (resident set size).

Targets: the map loads in ≤ 5 s; POWER with 1,000 samples in ≤ 15 minutes
with peak memory ≤ 4 GiB, on the machine the docs name.

    python benchmarks/bench_large_world.py [--side N] [--samples N]
"""

import argparse
import resource
import time

import machine

from powerseek import gridworld, power


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--gamma", type=float, default=0.99)
    args = parser.parse_args()
    print(machine.describe())
    start = time.perf_counter()
    mdp = gridworld.parse(["." * args.side] * args.side)
    loaded = time.perf_counter() - start
    print(
        f"{args.side}x{args.side} open map: {mdp.n_states} cells, {mdp.n_pairs} pairs; "
        f"loaded in {loaded:.2f} s (peak memory so far {peak_mib():.0f} MiB)"
    )
    start = time.perf_counter()
    result = power(mdp, args.gamma, n_samples=args.samples, rng=1, progress=False)
    seconds = time.perf_counter() - start
    print(
        f"POWER of every cell at gamma {args.gamma}, {args.samples} samples: {seconds:.1f} s "
        f"({seconds / args.samples:.3f} s per sample); solver {result.solver}"
    )
    print(f"largest standard error {result.stderr.max():.2e}; peak memory {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
