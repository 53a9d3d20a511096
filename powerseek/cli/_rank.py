"""``powerseek rank``: which states have the most POWER, and which orders are resolved.

The states (or a state's actions, by optimality probability) are compared on
common reward samples (:func:`powerseek.analysis.compare_power`): every pairwise
difference with its paired standard error, grouped where the order is not
resolved at a family-wise confidence (Holm–Bonferroni by default).
"""

from __future__ import annotations

import argparse
import csv
from typing import TextIO

from ..exceptions import InvalidParameterError
from ._common import (
    ENV_HELP,
    add_max_work,
    check_positive,
    check_work,
    count,
    seed_from,
    write_json,
    write_json_lines,
)

__all__ = ["add_parser"]


def add_parser(commands) -> None:
    """Add ``rank`` to the CLI's subparsers."""
    rank = commands.add_parser(
        "rank",
        help="rank states by POWER (or a state's actions by optimality), with ties in noise",
        description=(
            "Compare the POWER of states (or, with --state, the optimality probabilities of a "
            "state's actions) on common reward samples: each pairwise difference with its "
            "paired standard error, far below the two standard errors combined for states that "
            "share their futures. The ranking groups states whose order is not resolved at "
            "--confidence, family-wise over all pairs compared (--correction holm by default)."
        ),
    )
    rank.add_argument("env", metavar="ENV", help=ENV_HELP)
    rank.add_argument("--gamma", required=True, type=float, metavar="G", help="discount")
    which = rank.add_mutually_exclusive_group()
    which.add_argument(
        "--top", type=int, metavar="K",
        help="compare the K states of highest POWER and every state within noise of the K-th "
        "(default: every state, up to 200)",
    )  # fmt: skip
    which.add_argument("--states", nargs="+", metavar="S", help="the states to compare")
    which.add_argument("--state", metavar="S", help="compare this state's actions instead")
    rank.add_argument(
        "--confidence", type=float, default=0.95, metavar="C",
        help="family-wise confidence of a resolved order (default 0.95)",
    )  # fmt: skip
    rank.add_argument(
        "--correction", choices=("holm", "bonferroni", "none"), default="holm",
        help="multiple-comparison correction over the pairs (default holm)",
    )  # fmt: skip
    rank.add_argument("--samples", type=count, default=10_000, metavar="N")
    rank.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    rank.add_argument(
        "--dist", default="uniform", metavar="SPEC",
        help="reward distribution, as for `powerseek power` (default: IID uniform on [0, 1])",
    )  # fmt: skip
    rank.add_argument("--quiet", action="store_true", help="no progress bar")
    rank.add_argument(
        "--format", choices=("table", "json", "csv", "jsonl"), default="table",
        help="output format (table: the ranking; csv and jsonl: one row per ordered pair)",
    )  # fmt: skip
    add_max_work(rank, "1 discount, 2 with --top")
    rank.set_defaults(run=_run_rank)


def _run_rank(args: argparse.Namespace, out: TextIO) -> int:
    from ..analysis import compare_optimality, compare_power
    from ..io import load
    from ..mdp import parse_state
    from ..rewards import parse_distribution

    check_positive(args.samples, "--samples")
    if args.top is not None and args.top < 2:
        raise InvalidParameterError(f"--top must be at least 2; got {args.top}.")
    if not 0 < args.confidence < 1:
        raise InvalidParameterError(f"--confidence must be in (0, 1); got {args.confidence}.")
    mdp = load(args.env)
    check_work(mdp.n_states, args.samples, 2 if args.top else 1, args.max_work)
    options = {
        "dist": parse_distribution(args.dist, mdp),
        "n_samples": args.samples,
        "rng": seed_from(args.seed),
        "progress": False if args.quiet else None,
    }
    if args.state is not None:
        result = compare_optimality(mdp, parse_state(mdp, args.state), args.gamma, **options)
    else:
        states = [parse_state(mdp, s) for s in args.states] if args.states else None
        result = compare_power(mdp, args.gamma, states, top=args.top, **options)
    groups = result.ranking(args.confidence, args.correction)
    if args.format == "json":
        write_json(_payload(result, groups, args), out)
    elif args.format == "jsonl":
        write_json_lines(result.to_records(), out)
    elif args.format == "csv":
        rows = result.to_records()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        out.write(f"{mdp.name or args.env}: seed {result.provenance['seed']}, "
                  f"{result.provenance['distribution']}\n")  # fmt: skip
        out.write(result.summary(args.confidence, args.correction) + "\n")
    return 0


def _payload(result, groups, args: argparse.Namespace) -> dict:
    from .._validation import label_text

    labels = [label_text(s) for s in result.labels]
    return {
        "environment": result.provenance["environment"],
        "quantity": result.quantity,
        "state": None if result.state is None else label_text(result.state),
        "gamma": result.gamma,
        "n_samples": result.provenance["n_samples"],
        "seed": result.provenance["seed"],
        "distribution": result.provenance["distribution"],
        "confidence": args.confidence,
        "correction": args.correction,
        "labels": labels,
        "values": result.values,
        "stderr": result.stderr,
        "differences": result.differences,
        "difference_stderr": result.difference_stderr,
        "p_values": result.p_values(args.correction),
        "ranking": [[label_text(s) for s in group] for group in groups],
    }
