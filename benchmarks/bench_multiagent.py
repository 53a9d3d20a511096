"""Two-agent POWER at POWERplay's scale: the 7x7 maze and the 3x3 correlation sweep.

1. POWER_H and POWER_A of every joint state of the two-agent 7x7 maze (31 cells,
   961 joint states with overlap) at γ = 0.6, H's reward IID uniform, A's drawn
   independently (correlation 0), A's seed policy uniform (target: ≤ 5 minutes
   with 20,000 samples).
2. The correlation sweep, 21 values from −1 to 1, on the joint 3x3 world at
   γ = 0.6 (target: ≤ 10 minutes with 20,000 samples).

Prints the time, the cost per sample and joint state, and the largest
standard error; and, side by side on the maze, the cost per sample of the same
computation run one sample at a time (POWERplay's way: its per-sample loop, not
its code, which is not installed here).

    python benchmarks/bench_multiagent.py [--samples N]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import gridworld, load
from powerseek.multiagent import correlation_sweep, induced_mdp, joint_gridworld, uniform_policy
from powerseek.multiagent._correlation import _first_policy, _respond, _Structure


def one_at_a_time(joint, n_samples, gamma=0.6):
    """Seconds per sample when each sample is solved on its own (no batching)."""
    seed = induced_mdp(joint, "H", uniform_policy(joint, "A"))
    structure = _Structure(joint, acting=0)
    own_to_seed = structure.seed_pairs(seed)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(n_samples):
        R, RA = rng.random((2, 1, joint.mdp.n_states))
        policy = _first_policy(seed, structure, own_to_seed, R, gamma, 1e-9)
        _respond(structure, policy, R, RA, gamma, gamma, 1e-9)
    return (time.perf_counter() - start) / n_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    print(machine.describe())
    maze = joint_gridworld(gridworld.render(load("powerplay-maze-7x7")), name="maze-7x7-joint")
    grid = joint_gridworld("...\n...\n...", name="joint-3x3")
    runs = [
        ("7x7 maze, correlation 0", maze, [0.0], 300),
        ("3x3, 21 correlations", grid, list(np.linspace(-1, 1, 21)), 600),
    ]
    for label, joint, correlations, target in runs:
        start = time.perf_counter()
        result = correlation_sweep(joint, correlations, 0.6, n_samples=args.samples, rng=1)
        elapsed = time.perf_counter() - start
        n = joint.mdp.n_states
        worst = max(float(e.stderr.max()) for e in result.power_first + result.power_second)
        per = elapsed / (args.samples * n * len(correlations)) * 1e6
        print(
            f"  {label}: {n} joint states, {joint.mdp.n_pairs} joint pairs, {args.samples} "
            f"samples: {elapsed:.1f} s (target {target} s at 20,000 samples); {per:.2f} µs per "
            f"sample, joint state and correlation; largest stderr {worst:.2e}"
        )
        if joint is maze:
            single = one_at_a_time(maze, 50)
            batched = elapsed / args.samples
            print(
                f"    one sample at a time: {single * 1e3:.1f} ms per sample, batched "
                f"{batched * 1e3:.2f} ms: {single / batched:.1f}x"
            )


if __name__ == "__main__":
    main()
