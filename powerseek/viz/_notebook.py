"""Figures that show themselves in Jupyter, with no ``%matplotlib inline`` needed.

powerseek builds figures on :class:`matplotlib.figure.Figure` directly, away from
pyplot's global state, so no backend displays them. A notebook displays an object
through its ``_repr_png_`` method; :class:`NotebookFigure` has one, and so has
:class:`Drawn`, the ``(fig, ax)`` pair every figure function returns, so that a
notebook cell ending in ``power_heatmap(maze, result)`` shows the map. Scripts
and the CLI get the same objects: a Figure, and a tuple that unpacks as before.
A figure drawn into the caller's own Axes (``ax=``) is the caller's to show and
is not displayed again.

Imported only with matplotlib.

Examples
--------
>>> from powerseek.viz._notebook import Drawn, NotebookFigure
>>> fig = NotebookFigure(figsize=(2, 1))
>>> drawn = Drawn((fig, fig.subplots()))
>>> drawn._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> fig_, ax_ = drawn   # unpacks as the plain pair
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["DPI", "Drawn", "NotebookFigure"]

#: Resolution of the PNG a notebook shows (matplotlib's inline backend uses 100 too).
DPI = 100


class NotebookFigure(Figure):
    """A :class:`matplotlib.figure.Figure` that a notebook displays as a PNG."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()


class Drawn(tuple):
    """``(fig, ax)``: unpacks like the pair, and displays the figure in a notebook."""

    __slots__ = ()

    def _repr_png_(self) -> bytes | None:
        # None (no PNG) for a figure the caller made: their backend shows it
        fig = self[0]
        return fig._repr_png_() if isinstance(fig, NotebookFigure) else None
