"""``powerseek batch``: run a batch file into one table, resumably."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TextIO

__all__ = ["add_parser"]


def add_parser(commands) -> None:
    """Add the ``batch`` command (alias ``sweep``, its former name) to the CLI's subparsers."""
    parser = commands.add_parser(
        "batch",
        aliases=["sweep"],
        help="run a batch file (environments x distributions x samples x gammas) into a table",
        description=(
            "Run every unit of a batch file (TOML: environments, distributions, samples, gamma, "
            "quantities, seed; see docs/cli.md) and write DIR/results.csv (and results.parquet "
            "when pyarrow is installed) with DIR/provenance.json. Finished units are kept in "
            "DIR/units and reused when the command is run again, so an interrupted batch "
            "resumes where it stopped."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the batch file (.toml)")
    parser.add_argument(
        "-o", "--output", default=None, metavar="DIR", help="output folder (default: FILE-results)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="run the units on a local Dask cluster of N worker processes",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="run the units on the Dask cluster whose scheduler is at ADDRESS",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from .. import parallel
    from ..batch import read_batch, run_batch
    from ..io import check_output_folder

    spec = read_batch(args.file)
    directory = check_output_folder(args.output or f"{Path(args.file).stem}-results")
    command = "powerseek " + shlex.join(getattr(args, "argv", []))
    with parallel.executor(args.workers, args.scheduler) as pool:
        result = run_batch(
            spec, directory, executor=pool, progress=False if args.quiet else None,
            command=command,
        )  # fmt: skip
    total = result.computed + result.reused
    print(
        f"{spec.name}: {total} units ({result.computed} computed, {result.reused} reused), "
        f"{len(result.rows)} rows",
        file=out,
    )
    if result.recomputed:
        why = "; ".join(f"{count}: {reason}" for reason, count in result.reasons.items())
        print(f"recomputed {result.recomputed} stored units ({why})", file=out)
    for path in result.files:
        print(f"wrote {path}", file=out)
    return 0
