"""POWERplay's gridworld heatmaps: the 3x3 grid, the 7x7 maze and the robot face.

Each environment at the discounts POWERplay published (3x3 at γ = 0.6, the
maze at γ = 0.01, the robot face at γ = 0.1 and 0.99), with POWER per cell
and, on the small grids, arrows showing how often each move is optimal. For
the 3x3 grid the estimates are printed beside the published values.

    python examples/powerplay_heatmaps.py [--samples 10000] [-o figures]
"""

import argparse
from pathlib import Path

import numpy as np

import powerseek
from powerseek.viz import power_heatmap, save, tendency_overlay

# POWERplay's figure for the 3x3 grid at γ = 0.6 (50,000 samples), row by row.
PUBLISHED_3X3 = [0.805, 0.835, 0.805, 0.835, 0.862, 0.836, 0.807, 0.837, 0.806]
RUNS = [
    ("powerplay-3x3", 0.6, True),
    ("powerplay-maze-7x7", 0.01, True),
    ("powerplay-robot-face", 0.1, False),
    ("powerplay-robot-face", 0.99, False),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default="figures", help="folder for the figures")
    args = parser.parse_args(argv)
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for name, gamma, arrows in RUNS:
        mdp = powerseek.load(name)
        result = powerseek.power(mdp, gamma, n_samples=args.samples, rng=args.seed)
        fig, ax = power_heatmap(mdp, result, stderr=mdp.n_states <= 50, digits=3)
        if arrows:
            moves = powerseek.optimality(mdp, gamma, n_samples=args.samples, rng=args.seed)
            tendency_overlay(mdp, moves, ax=ax)
        path = save(fig, folder / f"{name}-gamma-{gamma:g}.png")
        values = result.estimate.mean
        print(
            f"{name} at gamma {gamma:g}: POWER from {values.min():.4f} to {values.max():.4f} "
            f"(stderr <= {result.estimate.stderr.max():.4f}); wrote {path}"
        )
        if name == "powerplay-3x3":
            z = np.abs(values - PUBLISHED_3X3) / result.estimate.stderr
            print(f"  vs POWERplay's published values: max deviation {z.max():.1f} stderr")


if __name__ == "__main__":
    main()
