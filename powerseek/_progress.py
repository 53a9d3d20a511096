"""Progress bars for long computations.

Off by default in the library (and so in tests and pipes); ``progress=True``
turns a bar on, ``progress=None`` shows one only when stderr is a terminal,
which is what the CLI does unless ``--quiet``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["progress_bar"]


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


@contextlib.contextmanager
def progress_bar(
    enabled: bool | None, *, total: int | None, desc: str, unit: str = "sample"
) -> Iterator[Any]:
    """A tqdm bar writing to stderr, or a silent stand-in.

    Parameters
    ----------
    enabled : bool or None
        True: show; False: do not; None: only when stderr is a terminal.
    total : int or None
        The work to be done, in `unit` (None: not known in advance).
    desc : str
        What the bar is for, printed before it.
    unit : str, default "sample"

    Yields
    ------
    object
        A bar with ``update(n)``, or one whose ``update`` does nothing.

    Examples
    --------
    >>> with progress_bar(False, total=10, desc="samples") as bar:
    ...     bar.update(10)
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _Silent()
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False) as bar:
        yield bar
