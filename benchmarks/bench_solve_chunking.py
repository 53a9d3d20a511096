"""`solve()` on a large batch: cache-sized chunks (the default) vs the whole batch at once.

The analyses have always passed the solvers cache-sized chunks; a direct `solve()` call on
10^4 samples used to work on the whole batch, whose arrays fall out of cache. Both run here
side by side on the same rewards and must give identical values.

    python benchmarks/bench_solve_chunking.py [--samples N] [--repeats K]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import load, solve


def best_of(repeats, mdp, R, **options):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = solve(mdp, R, 0.99, **options)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(machine.describe())
    for name in ("powerplay-robot-face", "powerplay-maze-7x7"):
        mdp = load(name)
        R = np.random.default_rng(0).random((args.samples, mdp.n_states))
        whole_time, whole = best_of(args.repeats, mdp, R, chunk_size=len(R))
        chunk_time, chunked = best_of(args.repeats, mdp, R)
        assert np.array_equal(whole.values, chunked.values)
        print(
            f"{name} ({mdp.n_states} states), {args.samples} samples, gamma 0.99: "
            f"whole batch {whole_time:.2f} s, chunked {chunk_time:.2f} s, "
            f"{whole_time / chunk_time:.1f}x; values identical"
        )


if __name__ == "__main__":
    main()
