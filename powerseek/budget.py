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

from ._progress import progress_bar
from .exceptions import InvalidParameterError, SearchLimitError

__all__ = ["DEFAULT_MAX_WORK", "Budget", "check_work", "work_advice"]

#: The largest run (states x samples x runs) a command or batch unit starts unasked:
#: about an hour of solving on one core; ``--max-work`` (``max_work`` in a batch file)
#: raises it.
DEFAULT_MAX_WORK = 10**10


def work_advice(work: int) -> str:
    """A short number, at least `work`, to pass as the work limit that allows it.

    Two significant digits, rounded up (not to nearest), so that the printed
    value, read back as a float, admits the run it was printed for.

    Parameters
    ----------
    work : int
        The run's size in state-samples.

    Returns
    -------
    str
        The limit to print, e.g. ``"1.1e+10"``.

    Examples
    --------
    >>> work_advice(10_004_000_000)
    '1.1e+10'
    >>> work_advice(34_084_860_461_056)
    '3.5e+13'
    >>> work_advice(99_600)
    '1e+05'
    >>> work_advice(57)
    '57'
    """
    if work < 100:
        return str(work)
    scale = 10 ** (len(str(work)) - 2)
    rounded = -(-work // scale) * scale  # the first two digits, rounded up
    return f"{rounded:.2g}" if rounded < 10**300 else str(rounded)


def check_work(
    n_states: int,
    n_samples: int,
    n_runs: int,
    limit: float | None = None,
    *,
    runs: str = "discounts",
    option: str = "--max-work",
    fewer: str | None = None,
    raise_with: str = "pass {option} {work}",
) -> int:
    """Refuse a run whose size (states x samples x runs) exceeds `limit`; return the size.

    Every command and batch job estimates its work with this before it
    allocates anything, so that a mistyped sample count is refused in a line
    rather than starting hours of work or running out of memory.

    Parameters
    ----------
    n_states, n_samples, n_runs : int
        The run's size: states (of the MDP solved), reward samples, and the
        number of solves per sample (discounts, correlations, ...).
    limit : float, optional
        The most state-samples allowed (default :data:`DEFAULT_MAX_WORK`).
    runs : str, default "discounts"
        What `n_runs` counts, for the message.
    option : str, default "--max-work"
        How the user raises the limit, for the message.
    fewer : str, optional
        What the user can reduce instead (default "samples or RUNS").
    raise_with : str, default "pass {option} {work}"
        How to raise the limit, with the option's name and a limit that admits
        this run.

    Returns
    -------
    int
        The work, states x samples x runs.

    Examples
    --------
    >>> check_work(31, 10_000, 11)
    3410000
    >>> check_work(31, 2**40, 1)
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: this run would solve 31 states x ... samples x 1
    discounts = 3.4e+13 state-samples, more than the limit of 1e+10 ... pass --max-work 3.5e+13 ...
    """
    limit = DEFAULT_MAX_WORK if limit is None else limit
    if isinstance(limit, bool) or not limit >= 0:  # NaN too: it would refuse nothing
        raise InvalidParameterError(
            f"{option} must be a non-negative number of state-samples; got {limit!r}."
        )
    work = int(n_states) * int(n_samples) * int(n_runs)
    if work > limit:
        size = f"{work:.2g}" if work < 10**300 else f"an integer of {len(str(work))} digits"
        raise InvalidParameterError(
            f"this run would solve {n_states} states x {n_samples} samples x {n_runs} "
            f"{runs} = {size} state-samples, more than the limit of {limit:.2g} (about an "
            f"hour on one core). Use fewer {fewer or 'samples or ' + runs}, or "
            f"{raise_with.format(option=option, work=work_advice(work))} to run it anyway."
        )
    return work


@dataclass
class Budget:
    """Time limits (seconds, None for none) and whether to show progress.

    Two clocks: `time_limit` counts wall-clock seconds, which a loaded machine
    spends on other work too; `cpu_limit` counts this process's CPU seconds (all
    its threads, :func:`time.process_time`), which do not depend on the load, so
    a search bounded by it gets as far on a busy machine as on an idle one. The
    message of a spent budget says which clock ran out.

    Attributes
    ----------
    time_limit : float or None
        Wall-clock seconds allowed; None for no limit.
    progress : bool or None
        Show a progress bar (None: only on a terminal).
    started : float
        When the wall clock started (:func:`time.monotonic`).
    cpu_limit : float or None
        CPU seconds of this process allowed; None for no limit.
    cpu_started : float
        The process's CPU time when the budget started (:func:`time.process_time`).

    Examples
    --------
    >>> budget = Budget(time_limit=60)
    >>> with budget.task("deciding rows", total=3) as step:
    ...     for _ in range(3):
    ...         step()
    >>> Budget(time_limit=0).check("nothing")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.SearchLimitError: gave up after the time limit of 0 s (wall-clock) \
while nothing; raise `time_limit` to go on.
    >>> Budget(cpu_limit=0).check("nothing")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.SearchLimitError: gave up after the CPU-time limit of 0 s (this \
process's CPU time) while nothing; raise `cpu_limit` to go on.
    """

    time_limit: float | None = None
    progress: bool | None = False
    started: float = field(default_factory=time.monotonic)
    cpu_limit: float | None = None
    cpu_started: float = field(default_factory=time.process_time)

    def __post_init__(self) -> None:
        for name in ("time_limit", "cpu_limit"):
            limit = getattr(self, name)
            if limit is not None and (isinstance(limit, bool) or not limit >= 0):
                raise InvalidParameterError(
                    f"`{name}` must be a non-negative number of seconds or None; got {limit!r}."
                )

    def check(self, doing: str) -> None:
        """Raise SearchLimitError if either clock is up; `doing` says what was under way.

        Parameters
        ----------
        doing : str
            What was under way, for the message.

        """
        if self.cpu_limit is not None and time.process_time() - self.cpu_started >= self.cpu_limit:
            raise SearchLimitError(
                f"gave up after the CPU-time limit of {self.cpu_limit:g} s (this process's CPU "
                f"time) while {doing}; raise `cpu_limit` to go on."
            )
        if self.time_limit is not None and time.monotonic() - self.started >= self.time_limit:
            raise SearchLimitError(
                f"gave up after the time limit of {self.time_limit:g} s (wall-clock) while "
                f"{doing}; raise `time_limit` to go on."
            )

    @contextlib.contextmanager
    def task(self, what: str, *, total: int, unit: str = "item") -> Iterator[Any]:
        """A step function for a loop of `total` steps: shows progress, checks the time.

        Parameters
        ----------
        what : str
            The progress bar's label.
        total : int
            The number of steps.
        unit : str, default "item"
            What one step is, for the progress bar.

        """
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
