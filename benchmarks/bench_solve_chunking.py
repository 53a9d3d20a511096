"""`solve()` on a large batch: cache-sized chunks (the default) vs the whole batch at once.

The analyses have always passed the solvers cache-sized chunks; a direct `solve()` call on
10^4 samples used to work on the whole batch, whose arrays fall out of cache. Chunking is a
matter for the numpy kernel, which sweeps a chunk's arrays state by state: both runs use
``kernel="numpy"`` (with numba installed, ``auto`` would pick the compiled kernel, which
solves sample by sample and ignores the chunk size, and compare it with itself). The
compiled kernel is timed beside them for reference. The two numpy runs give identical
values, the compiled kernel the same within its error bound; times are CPU seconds
(``time.process_time``), best of `--repeats`.

    python benchmarks/bench_solve_chunking.py [--samples N] [--repeats K]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import load, solve
from powerseek.solvers import _compiled


def best_of(repeats, mdp, R, **options):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        result = solve(mdp, R, 0.99, **options)
        times.append(time.process_time() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(machine.describe())
    compiled = _compiled.available()
    for name in ("powerplay-robot-face", "powerplay-maze-7x7"):
        mdp = load(name)
        R = np.random.default_rng(0).random((args.samples, mdp.n_states))
        whole_time, whole = best_of(args.repeats, mdp, R, chunk_size=len(R), kernel="numpy")
        chunk_time, chunked = best_of(args.repeats, mdp, R, kernel="numpy")
        assert np.array_equal(whole.values, chunked.values)
        line = (
            f"{name} ({mdp.n_states} states), {args.samples} samples, gamma 0.99, numpy kernel: "
            f"whole batch {whole_time:.2f} s, chunked {chunk_time:.2f} s, "
            f"{whole_time / chunk_time:.1f}x"
        )
        if compiled:
            solve(mdp, R[:2], 0.99, kernel="compiled")  # load the kernel outside the timing
            compiled_time, fast = best_of(args.repeats, mdp, R, kernel="compiled")
            assert np.allclose(fast.values, chunked.values, rtol=0, atol=1e-6)
            line += f"; compiled kernel {compiled_time:.2f} s (values within 1e-6)"
        print(line + "; whole and chunked values identical")


if __name__ == "__main__":
    main()
