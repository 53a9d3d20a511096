"""What the ``powerseek`` subcommands share: argument help, discount lists, checks."""

from __future__ import annotations

from fractions import Fraction

from .exceptions import InvalidParameterError

__all__ = ["ENV_HELP", "check_positive", "parse_exact_gammas", "parse_gammas"]

ENV_HELP = "a catalog name (see `powerseek list`) or an environment file (.toml, .grid, .json)"


def check_positive(value: int | None, option: str) -> None:
    """Refuse a count option below 1 (None means the option was not given)."""
    if value is not None and value < 1:
        raise InvalidParameterError(f"{option} must be a positive integer; got {value}.")


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
            values = (
                [start]
                if count == 1
                else [start + (stop - start) * i / (count - 1) for i in range(count)]
            )
        else:
            values = [Fraction(part.strip()) for part in text.split(",")]
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"--gamma must be a number or a fraction like 9/10, a list like 0.1,0.5,0.9 or a "
            f"range START:STOP:COUNT like 0:1:11; got {text!r}."
        ) from None
    for value in values:
        if not 0 <= value <= 1:
            raise InvalidParameterError(f"--gamma values must be in [0, 1]; got {float(value):g}.")
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
