"""Does seeking POWER make an action more likely to be optimal? (theory.md §E.9)

Turner et al. (OPT App. B) show it does not. This script lets the explorer
find that out: a hypothesis search over small deterministic MDPs, then an
exhaustive sweep of every deterministic MDP on up to --size states, counting
the counterexamples at each discount. Both sides of each comparison are exact
rationals. The first counterexample is written as an environment file.

    python examples/power_seeking_vs_optimality.py [--size 3] [--examples 200] [-o DIR]
"""

import argparse
import tempfile
from pathlib import Path

from powerseek.explore import conjecture, exhaustive_search, explore

NAME = "power-seeking-implies-optimal"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=3, help="states of the swept MDPs")
    parser.add_argument("--examples", type=int, default=200, help="cases the search draws")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default=None, help="folder for the counterexample")
    args = parser.parse_args(argv)

    found = explore(conjecture(NAME), max_examples=args.examples, seed=args.seed)
    print(found.summary())
    print()
    swept = exhaustive_search(conjecture(NAME), size=args.size)
    print(swept.summary())
    print()
    for group, finding in swept.findings.items():
        share = finding.violations / finding.cases
        print(f"{group}: {finding.violations} of {finding.cases} MDPs refute it ({share:.0%})")
    if found.counterexample is not None:
        folder = Path(args.output or tempfile.mkdtemp(prefix="powerseek-"))
        paths = found.save_counterexample(folder / "power-vs-optimality.toml")
        print(f"\ncounterexample written to {paths[0]}")


if __name__ == "__main__":
    main()
