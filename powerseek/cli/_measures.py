"""``powerseek empowerment`` and ``powerseek compare``: other measures of power.

``powerseek empowerment ENV --steps N [--tol T] [--format table|json|csv|jsonl]``
prints each state's empowerment: exact in a deterministic world, by
Blahut–Arimoto within a certified bound in a stochastic one.
``powerseek compare ENV --measures power,empowerment [--gamma G,...] [--steps N,...]``
sets POWER beside empowerment: their rank correlation with a bootstrap interval for
each (γ, n), and the states whose ranks differ most.
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
    parse_gammas,
    seed_from,
    write_json,
    write_json_lines,
)

__all__ = ["add_parser"]

#: The measures ``compare`` sets side by side.
MEASURES = ("power", "empowerment")


def add_parser(commands) -> None:
    """Add ``empowerment`` and ``compare`` to the CLI's subparsers."""
    _add_compare(commands)
    cmd = commands.add_parser(
        "empowerment",
        help="n-step empowerment of every state, in bits",
        description=(
            "The channel capacity from the agent's next N actions to its state N steps on "
            "(docs/measures.md): log2 of the states the action sequences reach in a "
            "deterministic world, Blahut–Arimoto within a certified bound otherwise."
        ),
    )
    cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    cmd.add_argument("--steps", type=int, default=None, metavar="N", help="sequence length n")
    cmd.add_argument(
        "--tol", type=float, default=1e-4, metavar="T",
        help="stochastic worlds: certified gap of the capacity bounds, bits (default 1e-4)",
    )  # fmt: skip
    cmd.add_argument(
        "--format", choices=("table", "json", "csv", "jsonl"), default="table",
        help="output format (default: table)",
    )  # fmt: skip
    cmd.set_defaults(run=_run_empowerment)


def _run_empowerment(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load
    from ..measures import empowerment

    if args.steps is None:
        raise InvalidParameterError("--steps is needed: the length n of the action sequences.")
    check_positive(args.steps, "--steps")
    if not args.tol > 0:
        raise InvalidParameterError(f"--tol must be a positive number of bits; got {args.tol}.")
    mdp = load(args.env)
    result = empowerment(mdp, args.steps, tol=args.tol)
    record = result.to_dict()
    if args.format == "json":
        write_json({"environment": mdp.name, **record}, out)
    elif args.format == "jsonl":
        write_json_lines(result.to_records(), out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["state", "empowerment", "bound", "steps"])
        for state, value in zip(record["states"], record["empowerment"], strict=True):
            writer.writerow([state, repr(value), repr(record["bound"]), args.steps])
    else:
        values = result.values
        exact = "exact" if result.method == "count" else f"within {result.bound:.2g} bits"
        out.write(
            f"{mdp.name}: {args.steps}-step empowerment in bits ({exact}), from "
            f"{values.min():.6g} to {values.max():.6g}\n"
        )
        width = max(len(s) for s in record["states"])
        for state, value in zip(record["states"], values, strict=True):
            out.write(f"  {state:<{width}}  {value:.6g}\n")
    return 0


def _add_compare(commands) -> None:
    cmd = commands.add_parser(
        "compare",
        help="POWER against empowerment: rank correlation, where they part",
        description=(
            "Both measures on every state (docs/measures.md): the Spearman rank correlation "
            "of POWER at each --gamma with empowerment of each --steps, with a bootstrap "
            "interval over the reward samples, and the states whose ranks differ most; "
            "-o FILE also draws the two maps and a scatter."
        ),
    )
    cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    cmd.add_argument(
        "--measures", default="power,empowerment", metavar="M,M",
        help="the measures to compare (default and only pair: power,empowerment)",
    )  # fmt: skip
    cmd.add_argument("--gamma", default="0.9", metavar="G", help="POWER's discounts (default 0.9)")
    cmd.add_argument("--steps", default="3", metavar="N,...", help="empowerment's n (default 3)")
    cmd.add_argument("--samples", type=count, default=2000, metavar="N", help="reward samples")
    cmd.add_argument("--boot", type=count, default=1000, metavar="B", help="bootstrap resamples")
    cmd.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    cmd.add_argument("--top", type=int, default=5, metavar="K", help="states that disagree most")
    cmd.add_argument("-o", "--output", default=None, metavar="FILE", help="also draw a figure")
    add_max_work(cmd, runs="discounts")
    cmd.add_argument(
        "--format", choices=("table", "json", "csv"), default="table",
        help="output format (default: table)",
    )  # fmt: skip
    cmd.set_defaults(run=_run_compare)


def _run_compare(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load
    from ..mdp import label_text
    from ..measures import compare_measures

    measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    if sorted(measures) != sorted(MEASURES):
        raise InvalidParameterError(
            f"--measures compares {' and '.join(MEASURES)}: give power,empowerment; got "
            f"{args.measures!r}."
        )
    try:
        steps = [int(part) for part in args.steps.split(",")]
    except ValueError:
        raise InvalidParameterError(
            f"--steps must be positive integers separated by commas; got {args.steps!r}."
        ) from None
    for n in steps:
        check_positive(n, "--steps")
    for value, option in ((args.samples, "--samples"), (args.boot, "--boot"), (args.top, "--top")):
        check_positive(value, option)
    gammas = parse_gammas(args.gamma)
    mdp = load(args.env)
    check_work(mdp.n_states, args.samples, len(gammas), args.max_work, runs="discounts")
    result = compare_measures(
        mdp, gammas, steps, n_samples=max(args.samples, 2), rng=seed_from(args.seed),
        n_boot=max(args.boot, 2),
    )  # fmt: skip
    worst = result.disagreements(k=args.top)
    for row in worst:
        row["state"] = label_text(row["state"])
    if args.output is not None:
        from .. import viz

        fig, _ = viz.measures_figure(mdp, result)
        viz.save(fig, args.output)
    if args.format == "json":
        write_json(
            {"environment": mdp.name, "n_samples": result.n_samples,
             "confidence": result.confidence, "correlations": list(result.correlations),
             "disagreements": worst},
            out,
        )  # fmt: skip
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(result.correlations[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(result.correlations)
    else:
        out.write(
            f"{mdp.name}: POWER ({result.n_samples} reward samples) against empowerment, "
            f"Spearman rank correlation over {mdp.n_states} states, "
            f"{result.confidence:.0%} bootstrap intervals\n"
        )
        for r in result.correlations:
            out.write(
                f"  γ = {r['gamma']:<6g} n = {r['steps']:<3d} ρ = {r['spearman']:.3f} "
                f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]\n"
            )
        out.write(f"ranks that differ most (γ = {gammas[0]:g}, n = {steps[0]}; 1 = most):\n")
        for row in worst:
            out.write(
                f"  {row['state']}: POWER {row['power']:.4g} (rank {row['power_rank']:g}), "
                f"empowerment {row['empowerment']:.4g} (rank {row['empowerment_rank']:g})\n"
            )
        if args.output is not None:
            out.write(f"wrote {args.output}\n")
    return 0
