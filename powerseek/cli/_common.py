"""What the ``powerseek`` subcommands share: argument help, discount lists, checks."""

from __future__ import annotations

import argparse
import json
import math
import secrets
from fractions import Fraction
from typing import Any, TextIO

import numpy as np

from .._validation import MAX_SOLVER_TOL
from ..budget import DEFAULT_MAX_WORK, check_work
from ..exceptions import InvalidParameterError

__all__ = [
    "DEFAULT_MAX_WORK",
    "DEFAULT_TIME_LIMIT",
    "ENV_HELP",
    "MAX_GAMMA_POINTS",
    "add_format",
    "add_max_work",
    "check_positive",
    "check_tol",
    "check_work",
    "options_parser",
    "parse_exact_gammas",
    "parse_gammas",
    "plain",
    "seed_from",
    "write_json",
]  # fmt: skip

#: The most discounts one ``--gamma START:STOP:COUNT`` range may list.
MAX_GAMMA_POINTS = 10_000
#: Seconds a theorem check or symmetry search runs before it gives up, saying where.
DEFAULT_TIME_LIMIT = 25.0

ENV_HELP = (
    "a catalog name (see `powerseek list`), an environment file (.toml, .grid, .json, .gv, "
    ".level), gymnasium:ID or minigrid:ID"
)


def count(text: str) -> int:
    """A count option's value: ``1000``, ``1_000_000`` or ``1e6`` (a whole number).

    Examples
    --------
    >>> count("1000"), count("1_000_000"), count("1e6"), count("2.5e3")
    (1000, 1000000, 1000000, 2500)
    """
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value) or abs(value) >= 2**63:
        raise argparse.ArgumentTypeError(
            f"expected a whole number such as 1000, 1_000_000 or 1e6; got {text!r}"
        )
    return int(value)


def check_positive(value: int | None, option: str) -> None:
    """Refuse a count option below 1 (None means the option was not given)."""
    if value is not None and value < 1:
        raise InvalidParameterError(f"{option} must be a positive integer; got {value}.")


def add_max_work(parser: argparse.ArgumentParser, runs: str = "discounts") -> None:
    """Add ``--max-work W``: the work bound every sampling command checks up front."""
    parser.add_argument(
        "--max-work",
        type=float,
        default=None,
        metavar="W",
        help=f"refuse runs of more than W state-samples (states x samples x {runs}; "
        f"default {DEFAULT_MAX_WORK:.0e}, about an hour on one core)",
    )


def seed_from(value: int | None, option: str = "--seed") -> int:
    """The seed of a run: `value`, or a fresh one when the option was not given.

    Seeds are non-negative integers (numpy's SeedSequence takes no sign).
    """
    if value is None:
        return secrets.randbelow(2**32)
    if value < 0:
        raise InvalidParameterError(f"{option} must be a non-negative integer; got {value}.")
    return value


def check_tol(value: float, option: str = "--tol") -> float:
    """Refuse a solver tolerance that would not stay far below the Monte Carlo error."""
    if not (math.isfinite(value) and 0 < value <= MAX_SOLVER_TOL):
        raise InvalidParameterError(
            f"{option} must be in (0, {MAX_SOLVER_TOL:g}] (the solver error bound on the POWER "
            f"scale, kept far below the Monte Carlo standard error); got {value:g}."
        )
    return value


def parse_exact_gammas(text: str) -> list[Fraction]:
    """Discounts for ``--exact``: numbers or fractions (``9/10``), a list, or a range.

    Examples
    --------
    >>> parse_exact_gammas("1/2, 9/10"), parse_exact_gammas("0:1:3")
    ([Fraction(1, 2), Fraction(9, 10)], [Fraction(0, 1), Fraction(1, 2), Fraction(1, 1)])
    """
    text = text.strip()
    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop, count = Fraction(parts[0]), Fraction(parts[1]), int(parts[2])
            if count < 1:
                raise ValueError
            if count > MAX_GAMMA_POINTS:
                raise OverflowError(count)
            values = (
                [start]
                if count == 1
                else [start + (stop - start) * i / (count - 1) for i in range(count)]
            )
        else:
            values = [Fraction(part.strip()) for part in text.split(",")]
    except OverflowError:
        raise InvalidParameterError(
            f"--gamma {text} asks for {parts[2].strip()} discounts; at most {MAX_GAMMA_POINTS} "
            "are swept at once (each one solves every sample again). Use fewer points."
        ) from None
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"--gamma must be a number or a fraction like 9/10, a list like 0.1,0.5,0.9 or a "
            f"range START:STOP:COUNT like 0:1:11; got {text!r}."
        ) from None
    for i, value in enumerate(values):
        if not 0 <= value <= 1:
            shown = text if ":" in text else text.split(",")[i].strip()
            raise InvalidParameterError(f"--gamma values must be in [0, 1]; got {shown}.")
    return values


def parse_gammas(text: str) -> list[float]:
    """Discounts from ``--gamma``: a value, a list ``a,b,c`` or a range ``start:stop:count``.

    Values may be fractions (``9/10``).

    Examples
    --------
    >>> parse_gammas("0.5"), parse_gammas("0.1, 9/10"), parse_gammas("0:1:5")
    ([0.5], [0.1, 0.9], [0.0, 0.25, 0.5, 0.75, 1.0])
    """
    return [float(value) for value in parse_exact_gammas(text)]


def plain(value: Any) -> Any:
    """`value` with numpy scalars and arrays, tuples and fractions as plain JSON types.

    Examples
    --------
    >>> plain({"converged": np.True_, "values": np.array([0.5, 1.0]), "gamma": Fraction(1, 2)})
    {'converged': True, 'values': [0.5, 1.0], 'gamma': '1/2'}
    """
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return value.item()
    if isinstance(value, Fraction):
        return str(value)
    return value


def add_format(parser: argparse.ArgumentParser) -> None:
    """Add the ``--format`` option (text or JSON) to a command's parser."""
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


def write_json(payload: Any, out: TextIO) -> None:
    """Write `payload` to `out` as indented JSON (numpy values made plain first)."""
    json.dump(plain(payload), out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_json_lines(rows: Any, out: TextIO) -> None:
    """Write `rows` to `out` as JSON Lines: one compact object per row.

    Non-finite numbers are written as ``null`` (JSON has no NaN or infinity).
    """
    for row in rows:
        clean = {
            key: None if isinstance(v, float) and not math.isfinite(v) else v
            for key, v in plain(row).items()
        }
        out.write(json.dumps(clean, ensure_ascii=False, allow_nan=False) + "\n")


def options_parser(*adders) -> argparse.ArgumentParser:
    """An argparse parent parser holding an option group that several commands share.

    Each adder is a function that adds options to a parser (such as
    :func:`add_format`); pass the result as ``parents=[...]`` to the commands.
    """
    parser = argparse.ArgumentParser(add_help=False)
    for adder in adders:
        adder(parser)
    return parser
