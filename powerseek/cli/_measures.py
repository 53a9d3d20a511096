"""``powerseek empowerment``: the n-step empowerment of every state, in bits.

``powerseek empowerment ENV --steps N [--tol T] [--format table|json|csv|jsonl]``
prints each state's empowerment: exact in a deterministic world, by
Blahut–Arimoto within a certified bound in a stochastic one.
"""

from __future__ import annotations

import argparse
import csv
from typing import TextIO

from ..exceptions import InvalidParameterError
from ._common import ENV_HELP, check_positive, write_json, write_json_lines

__all__ = ["add_parser"]


def add_parser(commands) -> None:
    """Add ``empowerment`` to the CLI's subparsers."""
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
