"""Empowerment: batched counting and shared Blahut–Arimoto, against the per-state way.

Side by side in one run, CPU seconds (``time.process_time``):

1. 5-step empowerment of every state of a 100x100 open grid (moves into the edge stay
   put): ``empowerment`` (n boolean products of the successor structure), against the
   way the public scripts do it, enumerating the 5^5 action sequences of each state and
   counting the distinct ends, timed on ``--sample`` states and scaled to all.
2. 3-step empowerment of a 30x30 grid with slip noise 0.1: ``empowerment`` (the
   channels built by products of the actions' matrices, states with the same channel and
   sequences with the same outcome solved once, Blahut–Arimoto on all at once), against
   Blahut–Arimoto on each state's full channel in turn, timed on ``--sample`` states and
   scaled to all. Both stop at the same certified gap.

    python benchmarks/bench_empowerment.py
"""

import argparse
import itertools
import time

import numpy as np

from powerseek import gridworld
from powerseek.measures import empowerment
from powerseek.measures._empowerment import _capacity, _channel


def cpu(fn):
    start = time.process_time()
    value = fn()
    return value, time.process_time() - start


def enumerate_sequences(mdp, states, steps):
    """log2 of the distinct ends of every action sequence, state by state."""
    succ = np.asarray(mdp.successor_indices)
    offsets = mdp.pair_offsets
    out = []
    for s in states:
        ends = set()
        for sequence in itertools.product(range(5), repeat=steps):
            x = s
            for a in sequence:
                x = int(succ[offsets[x] + min(a, offsets[x + 1] - offsets[x] - 1)])
            ends.add(x)
        out.append(np.log2(len(ends)))
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40, help="states timed the slow way")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    grid = gridworld.parse("\n".join(["." * 100] * 100), bump="stay")
    ours, ours_cpu = cpu(lambda: empowerment(grid, 5))
    states = rng.choice(grid.n_states, size=args.sample, replace=False)
    slow, slow_cpu = cpu(lambda: enumerate_sequences(grid, states, 5))
    assert np.allclose(slow, ours.values[states])
    slow_all = slow_cpu * grid.n_states / args.sample
    print(f"100x100 grid, n = 5 ({grid.n_states} states, 5^5 sequences each):")
    print(f"  empowerment (counting)      {ours_cpu:8.3f} s CPU")
    print(f"  sequences, state by state  {slow_all:9.1f} s CPU (scaled from {args.sample})")
    print(f"  ratio                      {slow_all / ours_cpu:9.0f}x")

    slip = gridworld.parse("\n".join(["." * 30] * 30), bump="stay", noise=0.1)
    tol = 1e-4
    ours, ours_cpu = cpu(lambda: empowerment(slip, 3, tol=tol))
    channel = _channel(slip, 3, 10**9)
    states = rng.choice(slip.n_states, size=args.sample, replace=False)

    def one_by_one():
        used = np.ones((1, channel.shape[1]), dtype=bool)
        return np.array([_capacity(channel[[s]], used, tol, 10**6)[0][0] for s in states])

    slow, slow_cpu = cpu(one_by_one)
    assert np.abs(slow - ours.values[states]).max() <= 2 * tol
    slow_all = slow_cpu * slip.n_states / args.sample
    print(f"30x30 slip grid, noise 0.1, n = 3 ({slip.n_states} states, 125 sequences each):")
    print(f"  empowerment (shared BA)     {ours_cpu:8.3f} s CPU, bound {ours.bound:.1e} bits,"
          f" {ours.iterations} iterations")  # fmt: skip
    print(f"  BA state by state          {slow_all:9.1f} s CPU (scaled from {args.sample})")
    print(f"  ratio                      {slow_all / ours_cpu:9.0f}x")


if __name__ == "__main__":
    main()
