"""Figure 3 of Turner et al. (2021): POWER against γ on Figure 1's MDP.

Estimates POWER of `empty`, `left_down` and `right_down` over γ in [0, 1] on
common reward samples (IID uniform on [0, 1]), draws the curves with 95%
bands, and compares them with the paper's closed forms: POWER(empty) = 1/2,
POWER(left_down) = (2/3 + γ/2)/(1 + γ), POWER(right_down) = 2/3.

    python examples/figure3_power_vs_gamma.py [--samples 20000] [-o figures]
"""

import argparse
from pathlib import Path

import numpy as np

import powerseek
from powerseek.viz import power_vs_gamma

CLOSED_FORMS = {
    "empty": lambda g: 0.5 + 0 * g,
    "left_down": lambda g: (2 / 3 + g / 2) / (1 + g),
    "right_down": lambda g: 2 / 3 + 0 * g,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default="figures", help="folder for the figure")
    args = parser.parse_args(argv)

    mdp = powerseek.load("turner-fig1")
    gammas = np.round(np.linspace(0, 1, 21), 2)
    sweep = powerseek.power_sweep(mdp, gammas, n_samples=args.samples, rng=args.seed)
    print(f"turner-fig1, {args.samples} samples, seed {args.seed}")
    print(f"{'state':<12}{'max |estimate - closed form| / stderr':>40}")
    for state, exact in CLOSED_FORMS.items():
        k = mdp.index(state)
        deviation = np.abs(sweep.power[:, k] - exact(gammas)) / np.maximum(
            sweep.stderr[:, k], 1e-12
        )
        print(f"{state:<12}{deviation.max():>40.2f}")
    fig, ax = power_vs_gamma(sweep, list(CLOSED_FORMS))
    for exact in CLOSED_FORMS.values():
        ax.plot(gammas, exact(gammas), color="black", lw=0.8, ls="--")
    ax.set_title("Figure 3: POWER vs γ (dashed: closed forms)")
    Path(args.output).mkdir(parents=True, exist_ok=True)
    path = powerseek.viz.save(fig, Path(args.output) / "figure3.png")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
