"""Rich displays for notebooks: small HTML tables, grid heatmaps and SVG curves.

Plain HTML and inline SVG only, so a notebook shows MDPs and results without
matplotlib or Jupyter being imported here: :class:`~powerseek.MDP` and the
result types call these from their ``_repr_html_``.

Examples
--------
>>> html = heatmap_html([(0, 0), (0, 1), (1, 1)], [0.5, 0.7, 0.9], shape=(2, 2))
>>> html.count("<td"), "0.700" in html
(4, True)
>>> "<polyline" in curves_svg([0, 0.5, 1], {"s": ([0.1, 0.2, 0.3], None, None)})
True
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "compact_repr",
    "curves_svg",
    "grid_shape",
    "heatmap_html",
    "robust_range",
    "scale_note",
    "table_html",
]

#: The colour scale leaves out at most this share of the values at each end ...
SHARE = 0.02
#: ... and only when they widen its range this many times.
STRETCH = 2.0
#: Rows a table shows before it says how many it left out.
MAX_ROWS = 40

_STYLE = "border-collapse:collapse;font-size:12px;font-family:sans-serif"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:right"


def robust_range(
    values: Sequence[float], share: float = SHARE, stretch: float = STRETCH
) -> tuple[float, float]:
    """A colour scale's range that a few extreme values cannot stretch.

    The full range of the values, unless leaving out at most `share` of them
    (at least one, and only among ten or more values) at either end shrinks
    it by a factor of `stretch` or more: then the range of the rest, leaving
    out as few values as that takes, and again while it shrinks so. Values
    beyond the range are drawn at the end colours, and the report says how
    many. Clusters of real structure (a quarter of the cells at one level) are
    never clipped.

    Parameters
    ----------
    values : sequence of float
        The values the colour scale covers.
    share : float, default 0.02
        The largest share of values left out at each end.
    stretch : float, default 2.0
        How much the left-out values must widen the range to be left out.

    Returns
    -------
    (float, float)
        ``(low, high)``, with ``low <= high``.

    Examples
    --------
    >>> robust_range([1.0, 2.0, 3.0])
    (1.0, 3.0)
    >>> robust_range([0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.58, 0.6, 5.0])
    (0.5, 0.6)
    """
    v = np.sort(np.asarray(values, dtype=float).ravel())
    if v.size == 0:
        raise _invalid("`values` must contain at least one value; got none.")
    if not np.isfinite(v).all():
        raise _invalid("`values` must be finite; got NaN or infinity.")
    k = min(max(1, int(share * v.size)), 64) if v.size >= 10 else 0
    bottom = top = 0  # values left out at each end so far
    while True:
        full = v[v.size - 1 - top] - v[bottom]
        a = np.arange(bottom, k + 1)[:, None]
        b = np.arange(top, k + 1)[None, :]
        left = v[v.size - 1 - b] - v[a]
        ok = (left * stretch <= full) & (full > 0)
        if not ok.any():
            return float(v[bottom]), float(v[v.size - 1 - top])
        # the fewest values left out; among those, the narrowest range
        dropped = np.where(ok, a + b, np.iinfo(np.int64).max)
        best = np.where(dropped == dropped.min(), left, np.inf)
        i, j = np.unravel_index(np.argmin(best), best.shape)
        bottom, top = int(a[i, 0]), int(b[0, j])


def _invalid(message: str) -> Exception:
    from .exceptions import InvalidParameterError

    return InvalidParameterError(message)


def scale_note(values: Sequence[float], lo: float, hi: float) -> str:
    """One line saying what a colour scale shows: its range and the values beyond it.

    Examples
    --------
    >>> scale_note([0.1, 0.5, 0.9, 5.0], 0.1, 0.9)
    'colour scale 0.1 to 0.9; 1 value above it drawn at the end colour'
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    below, above = int((v < lo).sum()), int((v > hi).sum())
    beyond = [
        f"{n} value{'s' if n != 1 else ''} {side} it"
        for n, side in ((below, "below"), (above, "above"))
        if n
    ]
    text = f"colour scale {lo:.4g} to {hi:.4g}"
    if beyond:
        text += f"; {' and '.join(beyond)} drawn at the end colour"
    return text


def _e(value: Any) -> str:
    return html.escape(str(value))


def table_html(header: Sequence[str], rows: Sequence[Sequence[Any]], *, caption: str = "") -> str:
    """An HTML table, at most :data:`MAX_ROWS` rows (saying how many were left out).

    Parameters
    ----------
    header : sequence of str
    rows : sequence of sequences
        Floats are written with 4 decimals.
    caption : str, optional
    blank : mapping cell -> str, optional
        Open cells without a value (an object level's box or goal), drawn light
        grey with their letter.
    scale : (float, float), optional
        The colour scale's ends; default :func:`robust_range` of the values.

    Returns
    -------
    str

    Examples
    --------
    >>> table_html(["state", "POWER"], [["a", 0.5]]).count("<tr>")
    2
    """

    def cell(value: Any) -> str:
        text = f"{value:.4f}" if isinstance(value, (float, np.floating)) else _e(value)
        return f'<td style="{_CELL}">{text}</td>'

    shown = list(rows)[:MAX_ROWS]
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in shown)
    more = len(rows) - len(shown)
    if more > 0:
        body += f'<tr><td colspan="{len(header)}" style="{_CELL}">… {more} more rows</td></tr>'
    head = "<tr>" + "".join(f'<th style="{_CELL}">{_e(h)}</th>' for h in header) + "</tr>"
    title = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f'<table style="{_STYLE}">{title}{head}{body}</table>'


def grid_shape(labels: Sequence[Any]) -> tuple[int, int] | None:
    """(rows, cols) when every label is a (row, col) pair of non-negative ints, else None.

    Parameters
    ----------
    labels : sequence

    Returns
    -------
    tuple of int or None
    """
    cells = []
    for label in labels:
        if not (
            isinstance(label, tuple)
            and len(label) == 2
            and all(isinstance(x, (int, np.integer)) and x >= 0 for x in label)
        ):
            return None
        cells.append(label)
    if not cells:
        return None
    return max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1


def _colour(value: float, lo: float, hi: float) -> str:
    """A light-to-dark blue for `value` on [lo, hi]."""
    t = 0.5 if hi <= lo else (value - lo) / (hi - lo)
    t = float(min(1.0, max(0.0, t)))
    r, g, b = (int(247 - 200 * t), int(251 - 150 * t), int(255 - 75 * t))
    return f"rgb({r},{g},{b})"


def heatmap_html(
    labels: Sequence[Any],
    values: Sequence[float],
    *,
    stderr: Sequence[float] | None = None,
    shape: tuple[int, int] | None = None,
    marks: Mapping[Any, str] | None = None,
    caption: str = "",
    blank: Mapping[Any, str] | None = None,
    scale: tuple[float, float] | None = None,
) -> str:
    """Values of (row, col) cells as a coloured HTML grid; missing cells are walls.

    The colour scale is :func:`robust_range` of the values unless `scale` is
    given, so one outlier (a terminal or shutdown cell) does not flatten the
    rest; the caption states the scale and how many values lie beyond it.

    Parameters
    ----------
    labels : sequence of (row, col)
    values : sequence of float
    stderr : sequence of float, optional
        Shown on hover.
    shape : (rows, cols), optional
        Default: from the labels.
    marks : mapping cell -> str, optional
        Letters drawn beside the value (start, goals).
    caption : str, optional
    blank : mapping cell -> str, optional
        Open cells without a value (an object level's box or goal), drawn light
        grey with their letter.
    scale : (float, float), optional
        The colour scale's ends; default :func:`robust_range` of the values.

    Returns
    -------
    str
    """
    shape = shape or grid_shape(labels)
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if scale is not None:
        lo, hi = map(float, scale)
    elif finite.size:
        lo, hi = robust_range(finite)
    else:
        lo = hi = 0.0
    caption = "; ".join(part for part in (caption, scale_note(finite, lo, hi)) if part)
    at = {tuple(label): i for i, label in enumerate(labels)}
    rows = []
    for r in range(shape[0]):
        cells = []
        for c in range(shape[1]):
            i = at.get((r, c))
            if i is None and blank and (r, c) in blank:
                cells.append(
                    f'<td style="{_CELL};background:#cfcfcf;width:44px">{_e(blank[(r, c)])}</td>'
                )
                continue
            if i is None:
                cells.append('<td style="background:#444;width:44px;height:22px"></td>')
                continue
            tip = f"({r}, {c}): {values[i]:.4f}"
            if stderr is not None:
                tip += f" ± {float(stderr[i]):.4f}"
            mark = _e((marks or {}).get((r, c), ""))
            cells.append(
                f'<td title="{_e(tip)}" style="{_CELL};background:{_colour(values[i], lo, hi)};'
                f'width:44px">{mark} {values[i]:.3f}</td>'
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f'<table style="{_STYLE}">{title}{"".join(rows)}</table>'


def curves_svg(
    xs: Sequence[float],
    series: Mapping[str, tuple],
    *,
    width: int = 420,
    height: int = 220,
    xlabel: str = "γ",
) -> str:
    """Lines (with optional bands) as an inline SVG: ``{name: (y, low, high)}``.

    Parameters
    ----------
    xs : sequence of float
    series : mapping name -> (y, low or None, high or None)
    width, height : int
    xlabel : str

    Returns
    -------
    str
    """
    xs = np.asarray(xs, dtype=float)
    ys = [np.asarray(y, dtype=float) for y, _, _ in series.values()]
    bands = [
        np.asarray(b, dtype=float)
        for _, lo, hi in series.values()
        for b in (lo, hi)
        if b is not None
    ]
    every = np.concatenate([*ys, *bands]) if ys else np.zeros(1)
    y_lo, y_hi = float(every.min()), float(every.max())
    if y_hi <= y_lo:
        y_lo, y_hi = y_lo - 0.5, y_hi + 0.5
    x_lo, x_hi = float(xs.min()), float(xs.max()) if xs.max() > xs.min() else float(xs.min()) + 1
    pad = 36

    def point(x, y):
        px = pad + (x - x_lo) / (x_hi - x_lo) * (width - 2 * pad)
        py = height - pad - (y - y_lo) / (y_hi - y_lo) * (height - 2 * pad)
        return f"{px:.1f},{py:.1f}"

    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect x="{pad}" y="{pad}" width="{width - 2 * pad}" height="{height - 2 * pad}" '
        'fill="none" stroke="#999"/>',
        f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle">{_e(xlabel)}</text>',
        f'<text x="4" y="{pad}">{y_hi:.3g}</text><text x="4" y="{height - pad}">{y_lo:.3g}</text>',
        f'<text x="{pad}" y="{height - pad + 14}">{x_lo:g}</text>'
        f'<text x="{width - pad}" y="{height - pad + 14}" text-anchor="end">{x_hi:g}</text>',
    ]
    for k, (name, (y, low, high)) in enumerate(series.items()):
        colour = palette[k % len(palette)]
        if low is not None and high is not None:
            outline = [point(x, v) for x, v in zip(xs, high)] + [
                point(x, v) for x, v in zip(xs[::-1], np.asarray(low)[::-1])
            ]
            parts.append(f'<polygon points="{" ".join(outline)}" fill="{colour}" opacity="0.15"/>')
        line = " ".join(point(x, v) for x, v in zip(xs, y))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5">')
        parts.append(f"<title>{_e(name)}</title></polyline>")
        legend_y = pad + 12 * (k + 1)
        parts.append(
            f'<text x="{width - pad + 2}" y="{legend_y}" fill="{colour}">{_e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


#: The longest a field's value prints in :func:`compact_repr` before it is summarised.
FIELD_WIDTH = 60


def _field_summary(value: Any) -> str:
    """`value` as repr when short; otherwise its type and size."""
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"<array {'x'.join(map(str, value.shape)) or 'scalar'} {value.dtype}>"
    text = repr(value)
    if len(text) <= FIELD_WIDTH and "\n" not in text:
        return text
    if isinstance(value, np.ndarray):
        return f"<array {'x'.join(map(str, value.shape))} {value.dtype}>"
    if isinstance(value, (tuple, list, set, frozenset, Mapping)):
        return f"<{type(value).__name__} of {len(value)}>"
    shape = getattr(getattr(value, "mean", None), "shape", None)
    if shape is not None:  # an Estimate
        return f"<{type(value).__name__} {'x'.join(map(str, shape)) or 'scalar'}>"
    return f"<{type(value).__name__}>"


def compact_repr(cls: type) -> type:
    """Class decorator: a dataclass's repr with long fields summarised.

    The repr a dataclass generates prints every array and nested result in full
    (tens of thousands of characters for a sweep). This one prints each field
    that fits in :data:`FIELD_WIDTH` characters as itself and the rest as their
    type and size, so a result reads in one or two lines; the data stay one
    attribute away.

    Parameters
    ----------
    cls : type
        A dataclass; apply the decorator above ``@dataclass``.

    Returns
    -------
    type
        `cls`, with its ``__repr__`` replaced.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @compact_repr
    ... @dataclass
    ... class Sweep:
    ...     gamma: float
    ...     values: np.ndarray
    ...     states: tuple
    >>> Sweep(0.9, np.zeros((40, 3)), tuple(range(100)))
    Sweep(gamma=0.9, values=<array 40x3 float64>, states=<tuple of 100>)
    """

    def __repr__(self) -> str:
        fields = (f for f in dataclasses.fields(self) if f.repr)
        shown = ", ".join(f"{f.name}={_field_summary(getattr(self, f.name))}" for f in fields)
        return f"{type(self).__name__}({shown})"

    __repr__.__qualname__ = f"{cls.__qualname__}.__repr__"
    cls.__repr__ = __repr__
    return cls
