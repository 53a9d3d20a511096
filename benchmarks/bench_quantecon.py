"""powerseek's batched solver vs QuantEcon's DiscreteDP, sample by sample.

The 7x7 maze and a 20x20 open grid at γ = 0.99 with 2,000 IID uniform reward
samples: optimal values V* for every sample, by powerseek (all samples in one
batch) and by QuantEcon's ``DiscreteDP`` policy iteration run once per sample
(what a user would otherwise write), timed side by side in one run. QuantEcon's reward is
per state-action pair; giving every action of s the reward R(s) makes its
values equal to powerseek's V*(s) = R(s) + γ max_a E V*(s').

Targets: ≥ 300x faster on the maze and ≥ 50x on the 20x20 grid, same values to
1e-6 (on the (1-γ)·V scale).

Needs QuantEcon, installed only for this benchmark: ``pip install quantecon``.

    python benchmarks/bench_quantecon.py [--samples N]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import gridworld, load, solve
from powerseek.solvers import _compiled as compiled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; medians compared")
    args = parser.parse_args()
    import quantecon
    from quantecon.markov import DiscreteDP

    print(machine.describe() + f", quantecon {quantecon.__version__}")
    worlds = [load("powerplay-maze-7x7"), gridworld.parse(["." * 20] * 20, name="open-20x20")]
    for mdp in worlds:
        compare(mdp, args, DiscreteDP)


def compare(mdp, args, DiscreteDP) -> None:
    R = np.random.default_rng(7).random((args.samples, mdp.n_states))
    # warm-up: load the compiled kernel (where numba is installed), as any large run does
    solve(mdp, R[:50], args.gamma, kernel="compiled" if compiled.available() else "numpy")
    print(
        f"{mdp.name}: {mdp.n_states} states, {mdp.n_pairs} pairs; gamma {args.gamma}; "
        f"{args.samples} samples"
    )

    ours_times = []
    for _ in range(max(11, args.repeats)):  # milliseconds: more runs steady the median
        start = time.perf_counter()
        ours = solve(mdp, R, args.gamma).values
        ours_times.append(time.perf_counter() - start)
    ours_time = float(np.median(ours_times))

    s_indices = mdp.pair_states
    a_indices = np.concatenate([np.arange(len(a)) for a in mdp.actions])
    Q = mdp.transition_matrix.tocsr()
    # warm-up: numba compiles on first use; not counted
    DiscreteDP(R[0][s_indices], Q, args.gamma, s_indices, a_indices).solve("policy_iteration")
    theirs_times = []
    theirs = np.empty_like(R)
    for _ in range(args.repeats):
        start = time.perf_counter()
        for i in range(args.samples):
            ddp = DiscreteDP(R[i][s_indices], Q, args.gamma, s_indices, a_indices)
            theirs[i] = ddp.solve(method="policy_iteration").v
        theirs_times.append(time.perf_counter() - start)
    theirs_time = float(np.median(theirs_times))

    difference = (1 - args.gamma) * np.abs(ours - theirs).max()
    print(f"  powerseek (one batch):            {ours_time:8.4f} s (median of {len(ours_times)})")
    print(f"  QuantEcon DiscreteDP, per sample: {theirs_time:8.3f} s (median of {args.repeats})")
    print(f"speed-up: {theirs_time / ours_time:.1f}x; max (1-gamma)|delta V|: {difference:.2e}")


if __name__ == "__main__":
    main()
