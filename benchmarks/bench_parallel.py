"""Parallel execution: in-process vs a Dask LocalCluster vs a thread pool, one sweep.

A fixed γ sweep of POWER on a 30x30 open grid, with work units (sample chunks)
of about a second each, run three ways side by side: in-process, on a thread
pool of W threads, and on a Dask LocalCluster of W single-threaded workers
(as processes, then as threads). Prints wall times, speedups, the cluster's overhead relative to
ideal W-fold scaling, and checks that all three give bit-identical numbers.

    python benchmarks/bench_parallel.py [--workers 2] [--samples 8000] [--chunk 1000]
"""

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import machine
import numpy as np

from powerseek import gridworld, power_sweep
from powerseek.parallel import executor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=8000)
    parser.add_argument("--chunk", type=int, default=1000, help="samples per work unit")
    parser.add_argument("--size", type=int, default=30, help="grid side")
    args = parser.parse_args()
    mdp = gridworld.parse("\n".join(["." * args.size] * args.size))
    gammas = [0.9, 0.99]
    options = {"n_samples": args.samples, "rng": 1, "chunk_size": args.chunk}
    units = -(-args.samples // args.chunk)
    print(machine.describe())
    print(
        f"{args.size}x{args.size} open grid, gamma {gammas}, {args.samples} samples in "
        f"{units} units of {args.chunk}; {args.workers} workers"
    )

    start = time.perf_counter()
    serial = power_sweep(mdp, gammas, **options)
    t_serial = time.perf_counter() - start
    print(f"  in-process:          {t_serial:7.2f} s ({t_serial / units:.2f} s per unit)")

    with ThreadPoolExecutor(args.workers) as pool:
        start = time.perf_counter()
        threaded = power_sweep(mdp, gammas, executor=pool, **options)
        t_threads = time.perf_counter() - start
    print(f"  thread pool:         {t_threads:7.2f} s, speedup {t_serial / t_threads:.2f}x")

    clustered = {}
    ideal = t_serial / min(args.workers, units)
    for processes in (True, False):
        with executor(workers=args.workers, processes=processes) as pool:
            power_sweep(mdp, gammas, executor=pool, n_samples=2 * args.workers, chunk_size=1)
            start = time.perf_counter()  # the cluster is started and warm
            clustered[processes] = power_sweep(mdp, gammas, executor=pool, **options)
            elapsed = time.perf_counter() - start
        kind = "processes" if processes else "threads  "
        print(
            f"  Dask LocalCluster, {kind}: {elapsed:7.2f} s, speedup {t_serial / elapsed:.2f}x; "
            f"overhead vs ideal {args.workers}-fold scaling: {elapsed / ideal - 1:+.0%}"
        )
    identical = all(
        np.array_equal(r.power, serial.power) and np.array_equal(r.stderr, serial.stderr)
        for r in (threaded, *clustered.values())
    )
    print(f"  bit-identical estimates: {identical}")


if __name__ == "__main__":
    main()
