"""Optimal policies avoid shutdown: AIMA's 4x3 world with an inescapable cell.

The red cell R is absorbing, like being switched off: entering it ends every
option but one. As γ grows, optimal policies under IID rewards end in R only
when R carries the best reward, probability 1/11, so from R's neighbour the
move into R becomes rare. The script prints that probability against γ, and
draws POWER with the optimal moves at γ = 0.99.

    python examples/shutdown.py [--samples 20000] [-o figures]
"""

import argparse
from pathlib import Path

import powerseek
from powerseek.viz import power_heatmap, save, tendency_overlay


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default="figures", help="folder for the figures")
    args = parser.parse_args(argv)

    mdp = powerseek.load("aima-4x3")
    (red,) = mdp.terminal_states()
    neighbour = next(s for s in mdp.states if s != red and red in mdp.successors(s))
    action = next(
        a for a in mdp.actions_of(neighbour) if mdp.transition(neighbour, a) == {red: 1.0}
    )
    gammas = [0.0, 0.5, 0.9, 0.99, 1.0]
    results = powerseek.optimality_sweep(
        mdp, gammas, state=neighbour, n_samples=args.samples, rng=args.seed
    )
    print(f"from {neighbour}, moving {action} into the absorbing cell {red}:")
    for gamma, result in zip(gammas, results):
        p, se = result.of(neighbour, action), result.stderr_of(neighbour, action)
        print(f"  gamma {gamma:<5g} P(optimal) = {p:.4f} ± {se:.4f}")
    print("  (as gamma -> 1 the share of reward functions ending in it is 1/11 = 0.0909)")
    result = powerseek.power(mdp, 0.99, n_samples=args.samples, rng=args.seed)
    fig, ax = power_heatmap(mdp, result)
    tendency_overlay(
        mdp, powerseek.optimality(mdp, 0.99, n_samples=args.samples, rng=args.seed), ax=ax
    )
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"wrote {save(fig, folder / 'shutdown-aima-4x3.png')}")


if __name__ == "__main__":
    main()
