"""Bounds on long searches: a time limit and a progress bar, passed down as one value.

Theorem checks, symmetry searches and non-domination tests can grow exponentially with
the MDP. They take a :class:`Budget`: each step of a search reports to it, it shows
progress on a terminal, and when the time runs out it raises
:class:`~powerseek.exceptions.SearchLimitError` saying what was being done, how far it
got and how to go on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .exceptions import InvalidParameterError, SearchLimitError
from .progress import progress_bar

__all__ = ["Budget"]


@dataclass
class Budget:
    """A time limit (seconds, None for none) and whether to show progress.

    Examples
    --------
    >>> budget = Budget(time_limit=60)
    >>> with budget.task("deciding rows", total=3) as step:
    ...     for _ in range(3):
    ...         step()
    >>> Budget(time_limit=0).check("nothing")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.SearchLimitError: gave up after the time limit of 0 s while nothing; \
raise `time_limit` to go on.
    """

    time_limit: float | None = None
    progress: bool | None = False
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        limit = self.time_limit
        if limit is not None and (isinstance(limit, bool) or not limit >= 0):
            raise InvalidParameterError(
                f"`time_limit` must be a non-negative number of seconds or None; got {limit!r}."
            )

    def check(self, doing: str) -> None:
        """Raise SearchLimitError if the time is up; `doing` says what was under way."""
        if self.time_limit is not None and time.monotonic() - self.started >= self.time_limit:
            raise SearchLimitError(
                f"gave up after the time limit of {self.time_limit:g} s while {doing}; raise "
                "`time_limit` to go on."
            )

    @contextlib.contextmanager
    def task(self, what: str, *, total: int, unit: str = "item") -> Iterator[Any]:
        """A step function for a loop of `total` steps: shows progress, checks the time."""
        done = 0
        with progress_bar(self.progress, total=total, desc=what, unit=unit) as bar:

            def step(n: int = 1) -> None:
                nonlocal done
                done += n
                bar.update(n)
                self.check(f"{what} ({done} of {total} {unit}s done)")

            yield step


def as_budget(budget: Budget | None) -> Budget:
    """`budget`, or an unlimited silent one."""
    return Budget() if budget is None else budget
