"""Candy or Wait! Turner's waiting game, exactly and by Monte Carlo.

From `start` the agent can take the candy now (one terminal outcome) or wait
for chocolate or a hug (two). Waiting keeps more options open, so it has more
POWER, and for farsighted agents it is optimal for 2/3 of IID reward
functions; for myopic ones it is a coin flip. The script prints the exact
optimality probability of waiting at γ = 0, 1/2, 1 and draws it against γ.

    python examples/candy_wait.py [--samples 20000] [-o figures]
"""

import argparse
from fractions import Fraction
from pathlib import Path

import numpy as np

import powerseek
from powerseek.exact import exact_optimality, exact_power
from powerseek.viz import draw_graph, optimality_vs_gamma, save


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default="figures", help="folder for the figures")
    args = parser.parse_args(argv)

    mdp = powerseek.load("candy-wait")
    for gamma in (Fraction(0), Fraction(1, 2), Fraction(1)):
        p = exact_optimality(mdp, gamma, state="start").of("start", "wait")
        power = exact_power(mdp, gamma)
        print(
            f"gamma {str(gamma):>3}: P(wait optimal) = {p} exactly; "
            f"POWER(wait) = {power['wait']}, POWER(candy) = {power['candy']}"
        )
    gammas = np.round(np.linspace(0, 1, 11), 2)
    results = powerseek.optimality_sweep(
        mdp, gammas, state="start", n_samples=args.samples, rng=args.seed
    )
    wait = [r.of("start", "wait") for r in results]
    print("Monte Carlo P(wait) over gamma:", " ".join(f"{p:.3f}" for p in wait))
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    fig, _ = optimality_vs_gamma(results, "start")
    print(f"wrote {save(fig, folder / 'candy-wait-optimality.png')}")
    fig, _ = draw_graph(mdp, powerseek.power(mdp, 0.9, n_samples=args.samples, rng=args.seed))
    print(f"wrote {save(fig, folder / 'candy-wait-graph.png')}")


if __name__ == "__main__":
    main()
