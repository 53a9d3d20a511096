"""``powerseek impact ablation``: Conservative Agency's ablation, computed exactly.

``powerseek impact ablation [--levels L,...] [--agents A,...] [--n-aux N,...]
[--draws D] [--lambda X] [--seed S] [--format table|json|csv]`` prints, for each
agent and AUP level, the probability over draws of the auxiliary rewards that the
agent reaches the level's best outcome, with its standard error.
"""

from __future__ import annotations

import argparse
import csv
from typing import TextIO

from ..exceptions import InvalidParameterError
from ._common import add_max_work, check_positive, check_work, seed_from, write_json

__all__ = ["add_parser"]

#: The record fields, in the order of the CSV columns.
FIELDS = ("agent", "level", "label", "best_outcome_probability", "stderr", "n_aux", "lambda")


def add_parser(commands) -> None:
    """Add ``impact`` to the CLI's subparsers."""
    from ..impact import ABLATION_AGENTS, ABLATION_LEVELS

    cmd = commands.add_parser(
        "impact",
        help="impact measures: Conservative Agency's ablation, computed exactly",
        description=(
            "Impact measures on object levels (docs/impact.md). `impact ablation`: for each "
            "agent of Conservative Agency's ablation and each AUP level, the probability over "
            "draws of the auxiliary rewards that the agent reaches the level's best outcome."
        ),
    )
    what = cmd.add_subparsers(dest="impact_command", metavar="WHAT", required=True)
    table = what.add_parser(
        "ablation",
        help="the ablation table",
        description=(
            "Agents: " + ", ".join(ABLATION_AGENTS) + ". Levels: " + ", ".join(ABLATION_LEVELS)
            + ". Each cell: the probability of the level's best outcome over --draws draws "
            "of --n-aux auxiliary rewards (common to every agent), and its standard error."
        ),
    )  # fmt: skip
    table.add_argument("--levels", metavar="L,...", help="levels (default all)")
    table.add_argument("--agents", metavar="A,...", help="agents (default all)")
    table.add_argument(
        "--n-aux", default="30", metavar="N,...", help="auxiliary rewards per draw (default 30)"
    )
    table.add_argument("--draws", type=int, default=100, metavar="D", help="draws (default 100)")
    table.add_argument(
        "--lambda", dest="lam", default="1/1.501", metavar="X",
        help="the penalty's weight λ (default 1/1.501, the code's)",
    )  # fmt: skip
    table.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    table.add_argument("--quiet", action="store_true", help="no progress bar")
    add_max_work(table, runs="auxiliary-reward set sizes x agents")
    table.add_argument(
        "--format", choices=("table", "json", "csv"), default="table",
        help="output format (default: table)",
    )  # fmt: skip
    table.set_defaults(run=_run_ablation)


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def _lam(text: str) -> float:
    top, slash, bottom = text.partition("/")
    try:
        return float(top) / float(bottom) if slash else float(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"--lambda must be a number such as 0.5 or 1/1.501; got {text!r}."
        ) from None


def _run_ablation(args: argparse.Namespace, out: TextIO) -> int:
    from ..impact import ABLATION_AGENTS, ABLATION_LEVELS, ablation
    from ..io import load

    check_positive(args.draws, "--draws")
    try:
        sizes = [int(part) for part in args.n_aux.split(",")]
    except ValueError:
        raise InvalidParameterError(
            f"--n-aux must be positive integers separated by commas; got {args.n_aux!r}."
        ) from None
    for n in sizes:
        check_positive(n, "--n-aux")
    levels, agents = _names(args.levels), _names(args.agents)
    # the auxiliary rewards are solved on every state of every level, for every draw
    states = sum(
        load(name).n_states for name in levels or ABLATION_LEVELS if name in ABLATION_LEVELS
    )
    runs = len(set(sizes)) * max(1, len(agents or ABLATION_AGENTS))
    check_work(states, args.draws * max(sizes), runs, args.max_work, runs="set sizes x agents")
    result = ablation(
        levels,
        agents,
        n_aux=sizes,
        draws=args.draws,
        lam=_lam(args.lam),
        seed=seed_from(args.seed),
        progress=False if args.quiet else None,
    )
    records = [{k: r[k] for k in FIELDS} for r in result.records]
    if args.format == "json":
        write_json(records, out)
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        out.write(str(result) + "\n")
    return 0
