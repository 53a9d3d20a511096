"""A 100x100 open grid with 100,000 samples at γ = 0.9, in bounded memory.

POWER of all 10,000 states from 100,000 IID uniform reward samples, solved
in chunks sized to the default 256 MiB budget; prints the time and the peak
resident memory of the process (target ≤ 2 GiB).

    python benchmarks/bench_memory.py [--samples N] [--size K]
"""

import argparse
import time

import machine

from powerseek import gridworld, power


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--gamma", type=float, default=0.9)
    args = parser.parse_args()
    mdp = gridworld.parse("\n".join(["." * args.size] * args.size))
    print(machine.describe())
    print(
        f"{args.size}x{args.size} open grid: {mdp.n_states} states, {mdp.n_pairs} pairs; "
        f"gamma {args.gamma}; {args.samples} samples"
    )
    baseline = machine.peak_rss_mib()
    start = time.perf_counter()
    result = power(mdp, args.gamma, n_samples=args.samples, rng=1, progress=None)
    elapsed = time.perf_counter() - start
    print(f"  time: {elapsed:.1f} s ({args.samples * mdp.n_states / elapsed:.3g} state-samples/s)")
    print(
        f"  peak resident memory: {machine.peak_rss_mib():.0f} MiB "
        f"(before solving: {baseline:.0f} MiB; target <= 2048 MiB)"
    )
    print(
        f"  POWER range {result.power.min():.4f}..{result.power.max():.4f}, "
        f"largest stderr {result.stderr.max():.2e}, solver error bound "
        f"{result.solver['error_bound']:.2g}"
    )


if __name__ == "__main__":
    main()
