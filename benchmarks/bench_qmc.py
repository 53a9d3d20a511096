"""Randomised QMC vs plain Monte Carlo: standard errors at equal sample counts.

POWER of every state of the 7x7 maze at γ = 0.9 from N IID uniform samples,
by plain Monte Carlo and by scrambled Sobol' randomised QMC (16 replicates),
side by side; prints the ratio of standard errors (MC / QMC) per state.

    python benchmarks/bench_qmc.py [--samples N]
"""

import argparse
import time

import machine
import numpy as np

from powerseek import load, power


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=16_384)
    parser.add_argument("--gamma", type=float, default=0.9)
    args = parser.parse_args()
    mdp = load("powerplay-maze-7x7")
    print(machine.describe())
    print(f"{mdp.name}: gamma {args.gamma}; {args.samples} samples each")
    out = {}
    for qmc in (False, True):
        start = time.perf_counter()
        out[qmc] = power(mdp, args.gamma, n_samples=args.samples, rng=3, qmc=qmc)
        print(
            f"  {'QMC' if qmc else 'MC ':>3}: {time.perf_counter() - start:6.2f} s, "
            f"median stderr {np.median(out[qmc].stderr):.2e}"
        )
    ratio = out[False].stderr / out[True].stderr
    print(
        f"stderr ratio MC/QMC: median {np.median(ratio):.2f}, min {ratio.min():.2f}, "
        f"max {ratio.max():.2f} (variance ratio {np.median(ratio) ** 2:.1f}x)"
    )
    z = np.abs(out[False].power - out[True].power) / np.hypot(out[False].stderr, out[True].stderr)
    print(f"largest |MC - QMC| in combined standard errors: {z.max():.2f}")


if __name__ == "__main__":
    main()
