"""Fractional copies (theory.md §E.1, RDSP Conj D.13): n options against m.

If staying alive keeps n options and dying m, is at least n/(n+m) of every
orbit of reward distributions on the side of staying alive? The explorer
enumerates the orbits of every point mass and two-atom mixture on small
terminal-choice MDPs exactly, then searches larger ones with hypothesis,
and prints the worst share found next to the conjectured bound.

    python examples/fractional_copies.py [--size 5] [--examples 300]
"""

import argparse
from fractions import Fraction

from powerseek.explore import conjecture, exhaustive_search, explore

NAME = "fractional-copies"


def report(result) -> None:
    print(f"{result.mode}: {result.tried} orbits, {result.violations} refute the conjecture")
    for group, finding in sorted(result.findings.items()):
        n, m = (int(part.split("=")[1]) for part in group.split(", "))
        bound = Fraction(n, n + m)
        tight = "attained" if abs(finding.minimum - bound) < 1e-12 else "not attained"
        print(
            f"  {group}: worst share {finding.minimum:.4f}, mean {finding.mean:.4f}, "
            f"bound n/(n+m) = {bound} ({tight})"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5, help="most options in the sweep")
    parser.add_argument("--examples", type=int, default=300, help="cases the search draws")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    report(exhaustive_search(conjecture(NAME), size=args.size))
    report(explore(conjecture(NAME), max_examples=args.examples, seed=args.seed))


if __name__ == "__main__":
    main()
