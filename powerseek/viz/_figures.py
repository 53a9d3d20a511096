"""Figures: POWER heatmaps, action tendencies, γ curves, graph drawings, orbit shares.

Needs matplotlib (``pip install ".[plot]"``), imported only when a
figure is drawn. Figures are built on :class:`matplotlib.figure.Figure`
directly, without pyplot's global state, so they work in scripts, servers
and tests alike; pass ``ax`` to draw into an existing Axes instead. Every
function returns ``(fig, ax)`` and, given ``path``, saves the figure (PNG, SVG
or PDF, from the suffix).

Examples
--------
>>> import powerseek
>>> from powerseek.viz._figures import power_heatmap
>>> maze = powerseek.load("powerplay-3x3")
>>> result = powerseek.power(maze, 0.6, n_samples=500, rng=0)
>>> fig, ax = power_heatmap(maze, result)
>>> len(ax.texts) == maze.n_states
True
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._display import robust_range, scale_note
from .._validation import label_text
from ..exceptions import InvalidParameterError, InvalidTypeError, install_hint
from ..mdp import MDP

__all__ = [
    "DIRECTIONS",
    "FORMATS",
    "check_path",
    "draw_graph",
    "measures_figure",
    "optimality_vs_gamma",
    "orbit_shares",
    "power_heatmap",
    "power_vs_gamma",
    "resolved_leaders",
    "save",
    "tendency_overlay",
]

#: Figure formats `save` writes, by suffix.
FORMATS = (".png", ".svg", ".pdf")
#: Unit vectors (dx, dy) of the gridworld moves in plot coordinates (rows grow downwards).
DIRECTIONS = {"up": (0.0, -1.0), "down": (0.0, 1.0), "left": (-1.0, 0.0), "right": (1.0, 0.0)}


def resolved_leaders(probability: Any, stderr: Any, z: float = 1.96) -> np.ndarray:
    """At each discount, the action that leads beyond noise, or -1 where none does.

    An action leads at a discount when its optimality probability exceeds every
    other action's by more than ``z`` times the standard error of the
    difference, bounded above by the sum of the two standard errors (the
    probabilities come from the same samples, so their covariance is unknown
    here and the bound is the honest one).

    Parameters
    ----------
    probability, stderr : array_like, shape (n_gammas, n_actions)
        Optimality probabilities of one state's actions and their standard errors.
    z : float, default 1.96
        The multiple of the standard error (1.96: 95% two-sided).

    Returns
    -------
    numpy.ndarray of int, shape (n_gammas,)

    Examples
    --------
    >>> resolved_leaders([[0.5, 0.5], [0.6, 0.4], [0.9, 0.1]], [[0.01] * 2] * 3).tolist()
    [-1, 0, 0]
    >>> resolved_leaders([[0.52, 0.48]], [[0.02, 0.02]]).tolist()   # within noise
    [-1]
    """
    P = np.atleast_2d(np.asarray(probability, dtype=float))
    E = np.atleast_2d(np.asarray(stderr, dtype=float))
    if P.shape != E.shape:
        raise InvalidParameterError(
            f"`probability` and `stderr` must have the same shape; got {P.shape} and {E.shape}."
        )
    if P.shape[1] < 2:
        return np.where(P.shape[1] == 1, 0, -1) * np.ones(P.shape[0], dtype=np.int64)
    order = np.argsort(-P, axis=1, kind="stable")
    rows = np.arange(P.shape[0])
    first, second = order[:, 0], order[:, 1]
    gap = P[rows, first] - P[rows, second]
    return np.where(gap > z * (E[rows, first] + E[rows, second]), first, -1).astype(np.int64)


def _figure(ax, size=(6.0, 4.5)):
    NotebookFigure = notebook_figure()
    if ax is not None:
        return ax.figure, ax
    fig = NotebookFigure(figsize=size, layout="constrained")
    return fig, fig.subplots()


def notebook_figure():
    """The Figure class powerseek draws on (one a notebook displays), or a clear error."""
    try:
        from ._notebook import NotebookFigure
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(f"powerseek's figures need matplotlib: {install_hint('plot')}.") from None
    return NotebookFigure


def _clipped_ends(values: np.ndarray, lo: float, hi: float) -> str:
    """A colour bar's ``extend``: an arrow at each end of [lo, hi] that values pass.

    Examples
    --------
    >>> _clipped_ends(np.array([0.1, 0.5, 2.0]), 0.1, 1.0), _clipped_ends(np.zeros(2), 0, 1)
    ('max', 'neither')
    """
    below, above = bool((values < lo).any()), bool((values > hi).any())
    return {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )


def check_path(path: str | Path) -> Path:
    """`path` as a Path if a figure can be saved there.

    `path` as a Path if a figure can be saved there (PNG, SVG or PDF suffix, an
    existing folder); call it before a long computation to fail early.

    Parameters
    ----------
    path : str or pathlib.Path
        Where the figure is to be saved.

    Returns
    -------
    Path

    Raises
    ------
    InvalidParameterError
        For another suffix, or a folder that does not exist.

    Examples
    --------
    >>> check_path("out.png").suffix
    '.png'
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InvalidParameterError(
            f"cannot tell the figure format from {str(path)!r}; use one of {', '.join(FORMATS)}."
        )
    from ..io import check_output_folder

    return check_output_folder(path)


def save(fig, path: str | Path) -> Path:
    """Save `fig` as PNG, SVG or PDF (from the suffix) and return the path.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A matplotlib figure.
    path : str or Path
        Ending in .png, .svg or .pdf; the folder must exist.

    Returns
    -------
    Path

    Raises
    ------
    InvalidParameterError
        For another suffix, or a folder that does not exist (:func:`check_path`).
    """
    import io

    from ..io import write_bytes_atomic

    path = check_path(path)
    buffer = io.BytesIO()  # drawn in full first: a failed figure leaves no half-written file
    fig.savefig(buffer, format=path.suffix.lower()[1:], bbox_inches="tight", dpi=150)
    return write_bytes_atomic(path, buffer.getvalue())


def _finish(fig, ax, path):
    if path is not None:
        save(fig, path)
    from ._notebook import Drawn

    return Drawn((fig, ax))


def _layout(mdp: MDP):
    layout = mdp.metadata.get("grid")
    if layout is None:
        raise InvalidParameterError(
            f"{mdp.name or 'this MDP'} is not a gridworld (it has no map); draw it with "
            "draw_graph instead."
        )
    return layout


def _values(result: Any, mdp: MDP, what: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-state values (and standard errors) in mdp.states order."""
    if hasattr(result, "bound") and hasattr(result, "states"):  # an Empowerment
        result = dict(zip(result.states, np.asarray(result.values), strict=True))
    elif hasattr(result, "estimate") and hasattr(result, "states"):
        index = {s: i for i, s in enumerate(result.states)}
        order = [index[s] for s in mdp.states]
        return np.asarray(result.estimate.mean)[order], np.asarray(result.estimate.stderr)[order]
    if isinstance(result, Mapping):
        missing = [s for s in mdp.states if s not in result]
        if missing:
            raise InvalidParameterError(f"{what} has no value for state {label_text(missing[0])}.")
        return np.array([float(result[s]) for s in mdp.states]), None
    values = np.asarray(result, dtype=float)
    if values.shape != (mdp.n_states,):
        raise InvalidParameterError(
            f"{what} must be a PowerResult, a mapping state -> value or {mdp.n_states} values; "
            f"got shape {values.shape}."
        )
    return values, None


def power_heatmap(
    mdp: MDP,
    result: Any,
    *,
    stderr: bool = False,
    ax=None,
    cmap: str = "viridis",
    digits: int = 3,
    title: str | None = None,
    path: str | Path | None = None,
    config: Any = None,
    vmin: float | None = None,
    vmax: float | None = None,
):
    """A gridworld's POWER (or any per-state value) as a heatmap.

    Each open cell shows its value (and ± standard error with `stderr`);
    walls are dark grey; start, terminal and named cells carry their legend
    letter in a corner; a colour bar gives the scale. On an object level the
    map shows the states with the agent in each cell and the objects of one
    configuration (`config`, default the start's), whose objects are marked.

    Parameters
    ----------
    mdp : MDP
        A gridworld (built from a map).
    result : PowerResult, Empowerment, mapping or array
        POWER per state, or empowerment (:func:`powerseek.empowerment`); a mapping
        ``state -> value`` or an array in state order works for any per-state
        quantity.
    stderr : bool, default False
        Print ± the standard error under each value (needs a PowerResult).
    cmap : str, default "viridis"
        A matplotlib colour map.
    digits : int, default 3
        Decimals of the printed values.
    title : str, optional
        The figure's title; a default title when None.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).
    config : LevelState or str, optional
        On an object level, the configuration of the objects to draw
        (:meth:`~powerseek.mdp.ObjectLevel.agent_slice`); default the start's.
    vmin, vmax : float, optional
        The colour scale's ends. By default the report's robust rule
        (:func:`powerseek.viz.robust_range`): the full range unless a few
        extreme cells (a terminal, a shutdown cell) would stretch it twice or
        more, in which case those are drawn at the end colours. The line
        under the map states the scale and how many cells lie beyond it.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    values, errors = _values(result, mdp, "result")
    for name, bound in (("vmin", vmin), ("vmax", vmax)):
        number = isinstance(bound, numbers.Real) and not isinstance(bound, bool)
        if bound is not None and not (number and np.isfinite(bound)):
            raise InvalidParameterError(f"`{name}` must be a finite number; got {bound!r}.")
    if vmin is not None and vmax is not None and vmin >= vmax:
        raise InvalidParameterError(f"`vmin` must be below `vmax`; got {vmin} and {vmax}.")
    cells = list(mdp.states)
    if "grid" not in mdp.metadata and "level" in mdp.metadata:
        layout, cells, values, errors = _level_slice(mdp, values, errors, config)
    else:
        layout = _layout(mdp)
    fig, ax = _figure(ax, size=(1.0 + 1.1 * layout.shape[1], 0.6 + 1.0 * layout.shape[0]))
    grid = np.full(layout.shape, np.nan)
    for state, value in zip(cells, values):
        grid[state] = value
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap].with_extremes(bad="#3a3a3a")
    finite = values[np.isfinite(values)]
    lo, hi = robust_range(finite) if finite.size else (0.0, 1.0)
    lo = lo if vmin is None else float(vmin)
    hi = hi if vmax is None else float(vmax)
    if hi <= lo and (vmin is not None or vmax is not None):
        # one end set beyond every value: the other end, from the values, is on its wrong side
        span = f" ({finite.min():g} to {finite.max():g})" if finite.size else ""
        raise InvalidParameterError(
            f"the colour scale would run from {lo:g} to {hi:g}: `vmin` must be below the "
            f"largest value and `vmax` above the smallest{span}, or give both."
        )
    if hi <= lo:  # one value everywhere
        lo, hi = lo - 0.5, hi + 0.5
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colormap, vmin=lo, vmax=hi)
    if "grid" not in mdp.metadata and "level" in mdp.metadata:
        _shade_open_cells(ax, mdp, grid)
    label = "POWER" if hasattr(result, "estimate") else "value"
    if hasattr(result, "bound"):
        label = f"{result.steps}-step empowerment (bits)"
    rule = "robust" if vmin is None and vmax is None else "set"
    fig.colorbar(image, ax=ax, label=label, extend=_clipped_ends(finite, lo, hi))
    ax.set_xlabel(f"{rule} {scale_note(finite, lo, hi)}", fontsize=7)
    for (r, c), direction in getattr(layout, "walls", ()):  # thin walls as thick lines
        xs, ys = ([c - 0.5, c + 0.5], [r + 0.5] * 2) if direction == "down" else (
            [c + 0.5] * 2, [r - 0.5, r + 0.5])  # fmt: skip
        ax.plot(xs, ys, color="#d0d0d0", linewidth=3, solid_capstyle="butt", gid="wall")
    middle = (lo + hi) / 2
    for i, (state, value) in enumerate(zip(cells, values)):
        text = f"{value:.{digits}f}"
        if stderr and errors is not None:
            text += f"\n±{errors[i]:.{digits}f}"
        ax.text(  # in the upper part of the cell, leaving room for tendency arrows
            state[1],
            state[0] - 0.25,
            text,
            ha="center",
            va="center",
            fontsize=7,
            color="black" if value > middle else "white",
        )
    for cell, mark in layout.marks:
        ax.text(  # bottom-left corner: clear of the value (above) and of tendency arrows
            cell[1] - 0.45,
            cell[0] + 0.45,
            mark,
            ha="left",
            va="bottom",
            fontsize=7,
            fontweight="bold",
            color="#d62728",
            gid="mark",
        )
    ax.set_xticks(range(layout.shape[1]))
    ax.set_yticks(range(layout.shape[0]))
    ax.set_title(title if title is not None else _title(mdp, result))
    return _finish(fig, ax, path)


def measures_figure(
    mdp: MDP,
    comparison: Any,
    *,
    gamma: float | None = None,
    steps: int | None = None,
    path: str | Path | None = None,
):
    """POWER and empowerment side by side: the two maps (gridworlds) and a scatter.

    Parameters
    ----------
    mdp : MDP
        The environment `comparison` was computed on.
    comparison : MeasureComparison
        From :func:`powerseek.measures.compare_measures`.
    gamma : float, optional
        One of its discounts (default the first).
    steps : int, optional
        One of its sequence lengths (default the first).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : list of matplotlib.axes.Axes
        The POWER map, the empowerment map (gridworlds only), then the scatter.
    """
    g = comparison.gammas.index(comparison.gammas[0] if gamma is None else gamma)
    n = comparison.steps.index(comparison.steps[0] if steps is None else steps)
    power = comparison.power[g]
    result = comparison.empowerment[n]
    wanted = (comparison.gammas[g], comparison.steps[n])
    record = next(r for r in comparison.correlations if (r["gamma"], r["steps"]) == wanted)
    grid = "grid" in mdp.metadata
    fig, _ = _figure(None)
    fig.clear()
    if grid:
        rows, cols = mdp.metadata["grid"].shape
        fig.set_size_inches(3.0 + 2.2 * cols, 1.2 + 0.75 * rows)
        axes = list(fig.subplots(1, 3, width_ratios=[cols, cols, max(rows, 3)]))
        power_heatmap(mdp, dict(zip(comparison.states, power, strict=True)), ax=axes[0],
                      digits=2, title=f"POWER, γ = {comparison.gammas[g]:g}")  # fmt: skip
        power_heatmap(mdp, result, ax=axes[1], digits=2,
                      title=f"{result.steps}-step empowerment (bits)")  # fmt: skip
    else:
        axes = [fig.subplots()]
    scatter = axes[-1]
    scatter.errorbar(result.values, power, yerr=comparison.power_stderr[g], fmt="o",
                     markersize=3, elinewidth=0.8, color="#1f77b4")  # fmt: skip
    scatter.set_xlabel(f"{result.steps}-step empowerment (bits)")
    scatter.set_ylabel(f"POWER at γ = {comparison.gammas[g]:g}")
    scatter.set_title(
        f"Spearman ρ = {record['spearman']:.3f} [{record['ci_low']:.3f}, {record['ci_high']:.3f}]",
        fontsize=9,
    )
    return _finish(fig, axes, path)


def _level_slice(mdp: MDP, values, errors, config):
    """The map of an object level: one configuration's states, by the agent's cell."""
    from ..mdp.gridworld import GridLayout

    level = mdp.metadata["level"]
    chosen = level.agent_slice(mdp, config)
    cells = sorted(chosen)
    order = [chosen[c] for c in cells]
    state = mdp.states[order[0]] if order else mdp.states[0]
    marks = tuple(sorted(level.marks(state).items()))
    layout = GridLayout(shape=(len(level.art), len(level.art[0])), marks=marks)
    return layout, cells, values[order], None if errors is None else errors[order]


def _shade_open_cells(ax, mdp: MDP, grid: np.ndarray) -> None:
    """Light grey for an object level's open cells the agent is not drawn in (objects, goal)."""
    from matplotlib.patches import Rectangle

    for r, row in enumerate(mdp.metadata["level"].art):
        for c, _ in enumerate(row):
            if (r, c) in mdp.metadata["level"].open_cells and np.isnan(grid[r, c]):
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="#cfcfcf", zorder=1))


def _title(mdp: MDP, result: Any) -> str:
    if hasattr(result, "bound") and hasattr(result, "steps"):
        return f"{mdp.name or 'MDP'}: {result.steps}-step empowerment"
    gamma = getattr(result, "gamma", None)
    name = mdp.name or "POWER"
    return name if gamma is None else f"{name}: POWER at γ = {gamma:g}"


def tendency_overlay(
    mdp: MDP,
    result: Any,
    *,
    ax=None,
    color: str = "white",
    min_probability: float = 1e-9,
    path: str | Path | None = None,
):
    """Arrows per gridworld cell whose length shows each move's optimality probability.

    One arrow per (cell, move) with probability above `min_probability`,
    pointing the move's way, from just below the cell's centre, at most 0.38
    cells long (probability 1); the ``stay`` action is a dot whose area grows with its
    probability. Draw it over :func:`power_heatmap` by passing its `ax`.

    Parameters
    ----------
    mdp : MDP
        A gridworld (built from a map).
    result : OptimalityResult
        From :func:`powerseek.optimality` with ``state=None`` (every state).
    color : str, default "white"
        The arrows' colour.
    min_probability : float, default 1e-9
        Moves at most this likely get no arrow.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    _layout(mdp)
    if not hasattr(result, "probability") or not hasattr(result, "actions"):
        raise InvalidTypeError(f"result must be an OptimalityResult; got {type(result).__name__}.")
    fig, ax = _figure(ax)
    if ax.get_images() == []:  # a bare grid when drawn alone
        layout = mdp.metadata["grid"]
        ax.set_xlim(-0.5, layout.shape[1] - 0.5)
        ax.set_ylim(layout.shape[0] - 0.5, -0.5)
        ax.set_aspect("equal")
    offsets = np.cumsum([0] + [len(a) for a in result.actions])
    for i, state in enumerate(result.states):
        row, col = state[0] + 0.1, state[1]  # below the cell's value text
        for j, action in enumerate(result.actions[i]):
            p = float(result.probability[offsets[i] + j])
            if p <= min_probability:
                continue
            if action == "stay":
                ax.scatter([col], [row], s=120 * p, color=color, edgecolors="black", zorder=3)
            elif action in DIRECTIONS:
                dx, dy = DIRECTIONS[action]
                length = 0.38 * p
                ax.arrow(
                    col,
                    row,
                    dx * length,
                    dy * length,
                    width=0.03,
                    head_width=0.1,
                    head_length=min(0.08, length),
                    length_includes_head=True,
                    color=color,
                    ec="black",
                    lw=0.3,
                    zorder=3,
                )
    return _finish(fig, ax, path)


def power_vs_gamma(
    sweep: Any,
    states: Sequence[Hashable] | None = None,
    *,
    band: bool = True,
    ax=None,
    path: str | Path | None = None,
):
    """POWER against γ for chosen states, with confidence bands, from a γ sweep.

    Parameters
    ----------
    sweep : PowerSweepResult
        From :func:`powerseek.power_sweep`.
    states : sequence, optional
        Default: every state (at most 10 are drawn; pass the ones you want).
    band : bool, default True
        Shade each curve's confidence interval.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    if not hasattr(sweep, "estimates") or not hasattr(sweep, "gammas"):
        raise InvalidTypeError(f"sweep must be a PowerSweepResult; got {type(sweep).__name__}.")
    chosen = list(sweep.states[:10] if states is None else states)
    unknown = [s for s in chosen if s not in sweep.states]
    if unknown:
        raise InvalidParameterError(f"{label_text(unknown[0])} is not a state of the sweep.")
    fig, ax = _figure(ax)
    gammas = np.asarray(sweep.gammas, dtype=float)
    for state in chosen:
        k = sweep.states.index(state)
        mean = np.array([e.mean[k] for e in sweep.estimates])
        (line,) = ax.plot(gammas, mean, marker="o", markersize=3, label=label_text(state))
        if band:
            low = np.array([e.ci_low[k] for e in sweep.estimates])
            high = np.array([e.ci_high[k] for e in sweep.estimates])
            ax.fill_between(gammas, low, high, color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("γ")
    ax.set_ylabel("POWER")
    confidence = sweep.estimates[0].confidence
    ax.set_title(f"POWER vs γ ({confidence:.0%} bands)" if band else "POWER vs γ")
    ax.legend(fontsize=8)
    return _finish(fig, ax, path)


def optimality_vs_gamma(
    results: Sequence[Any],
    state: Hashable,
    *,
    band: bool = True,
    ax=None,
    path: str | Path | None = None,
):
    """Optimality probability of each action of `state` against γ.

    "X leads" marks, inside the axes, the first discount of the sweep from which
    an action's lead is resolved (:func:`resolved_leaders`: beyond the
    confidence band of the difference); a dotted line marks each change
    between two resolved leaders.

    Parameters
    ----------
    results : sequence of OptimalityResult
        From :func:`powerseek.optimality_sweep`.
    state : hashable
        One of the analysed states.
    band : bool, default True
        Shade each curve's confidence band.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    results = list(results)
    if not results or not all(hasattr(r, "probability") for r in results):
        raise InvalidTypeError("results must be a non-empty list of OptimalityResult.")
    if state not in results[0].states:
        raise InvalidParameterError(f"{label_text(state)} is not among the analysed states.")
    i = results[0].states.index(state)
    start = sum(len(a) for a in results[0].actions[:i])
    actions = results[0].actions[i]
    gammas = np.array([r.gamma for r in results], dtype=float)
    P = np.array([r.probability[start : start + len(actions)] for r in results])
    E = np.array([r.stderr[start : start + len(actions)] for r in results])
    fig, ax = _figure(ax)
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + results[0].estimate.confidence / 2))
    for j, action in enumerate(actions):
        (line,) = ax.plot(gammas, P[:, j], marker="o", markersize=3, label=label_text(action))
        if band:
            ax.fill_between(
                gammas,
                P[:, j] - z * E[:, j],
                P[:, j] + z * E[:, j],
                color=line.get_color(),
                alpha=0.2,
                lw=0,
            )
    leader = resolved_leaders(P, E, z)
    previous = -1
    for k in np.flatnonzero(leader >= 0):
        if leader[k] == previous:
            continue
        if previous >= 0:  # a change between two resolved leaders
            ax.axvline(gammas[k], color="grey", ls=":", gid="switch")
        previous = leader[k]
        right = gammas[k] > (gammas[0] + gammas[-1]) / 2
        ax.text(
            gammas[k],
            0.97 - 0.07 * (len(ax.texts) % 2),  # alternate heights so neighbours do not overlap
            f" {label_text(actions[leader[k]])} leads ",
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            ha="right" if right else "left",
            va="top",
            gid="leads",
            clip_on=True,
        )
    ax.set_xlabel("γ")
    ax.set_ylabel(f"P({label_text(state)}, a, γ)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Optimality probability of the actions of {label_text(state)}")
    ax.legend(fontsize=8)
    return _finish(fig, ax, path)


def draw_graph(
    mdp: MDP,
    power: Any = None,
    *,
    layout: str = "kamada-kawai",
    ax=None,
    cmap: str = "viridis",
    path: str | Path | None = None,
):
    """A small graph MDP in the style of the papers' figures.

    States are boxes, coloured by `power` when given (a PowerResult, a
    mapping or an array in state order) with a colour bar; each action is an
    arrow, labelled with its name when that differs from its successor, and
    with its probability when it is stochastic.

    Parameters
    ----------
    mdp : MDP
        The environment.
    power : PowerResult, mapping or array, optional
        Colours the states.
    layout : {"kamada-kawai", "spring", "circular", "shell"}
    cmap : str, default "viridis"
        A matplotlib colour map.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    import networkx as nx

    layouts = {
        "kamada-kawai": nx.kamada_kawai_layout,
        "spring": lambda g: nx.spring_layout(g, seed=0),
        "circular": nx.circular_layout,
        "shell": nx.shell_layout,
    }
    if layout not in layouts:
        raise InvalidParameterError(f"layout must be one of {', '.join(layouts)}; got {layout!r}.")
    graph = nx.DiGraph()
    graph.add_nodes_from(mdp.states)
    labels: dict[tuple, list[str]] = {}
    for state in mdp.states:
        for action in mdp.actions_of(state):
            for successor, p in mdp.transition(state, action).items():
                graph.add_edge(state, successor)
                text = "" if action == successor else label_text(action)
                if p < 1:
                    text = f"{text} {p:.3g}".strip()
                if text:
                    labels.setdefault((state, successor), []).append(text)
    position = layouts[layout](graph) if mdp.n_states > 1 else {mdp.states[0]: (0.0, 0.0)}
    fig, ax = _figure(ax, size=(7.0, 5.0))
    colors = None
    if power is not None:
        import matplotlib as mpl

        values, _ = _values(power, mdp, "power")
        finite = values[np.isfinite(values)]
        lo, hi = robust_range(finite) if finite.size else (0.0, 1.0)
        norm = mpl.colors.Normalize(lo, hi + 1e-12, clip=True)  # beyond: the end colours
        colormap = mpl.colormaps[cmap]
        colors = {s: colormap(norm(v)) for s, v in zip(mdp.states, values)}
        fig.colorbar(mpl.cm.ScalarMappable(norm, colormap), ax=ax, label="POWER",
                     extend=_clipped_ends(finite, lo, hi))  # fmt: skip
        ax.text(0.5, 0.0, f"robust {scale_note(finite, lo, hi)}", transform=ax.transAxes,
                ha="center", va="top", fontsize=7, gid="scale")  # fmt: skip
    nx.draw_networkx_edges(
        graph,
        position,
        ax=ax,
        arrows=True,
        arrowstyle="-|>",
        node_size=900,
        connectionstyle="arc3,rad=0.12",
    )
    for state in mdp.states:
        x, y = position[state]
        face = colors[state] if colors else "#e8eef7"
        ax.text(
            x,
            y,
            label_text(state),
            ha="center",
            va="center",
            fontsize=8,
            gid="state",
            bbox={"boxstyle": "round,pad=0.3", "fc": face, "ec": "black"},
            color="white" if colors and sum(face[:3]) < 1.5 else "black",
        )
    if labels:
        nx.draw_networkx_edge_labels(
            graph,
            position,
            {e: ", ".join(t) for e, t in labels.items()},
            ax=ax,
            font_size=7,
            connectionstyle="arc3,rad=0.12",
        )
    ax.set_axis_off()
    ax.set_title(mdp.name or "MDP")
    return _finish(fig, ax, path)


def orbit_shares(
    comparison: Any,
    n: float = 1.0,
    *,
    ax=None,
    path: str | Path | None = None,
):
    """How an orbit splits between f1 > f2, ties and f1 < f2, against n/(n+1).

    A horizontal stacked bar of the three shares, with a line at the share
    of the orbit with f1 ≥ f2 that ≥^n_most guarantees.

    Parameters
    ----------
    comparison : OrbitComparison
        From :func:`powerseek.symmetry.compare_over_orbit` or
        :func:`powerseek.symmetry.rule_tendency`.
    n : float
        The fold of the relation to compare with (default 1, i.e. 1/2).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure).
    path : str or Path, optional
        Also save the figure there (.png, .svg or .pdf).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    for attribute in ("greater", "less", "equal"):
        if not hasattr(comparison, attribute):
            raise InvalidTypeError(
                f"comparison must be an OrbitComparison; got {type(comparison).__name__}."
            )
    total = comparison.greater + comparison.less + comparison.equal
    shares = np.array([comparison.greater, comparison.equal, comparison.less]) / total
    fig, ax = _figure(ax, size=(6.0, 2.0))
    left = 0.0
    names = (f"{comparison.f1} > {comparison.f2}", "equal", f"{comparison.f1} < {comparison.f2}")
    for share, name, color in zip(shares, names, ("#2ca02c", "#bbbbbb", "#d62728")):
        ax.barh([0], [share], left=left, color=color, label=f"{name}: {share:.3f}")
        left += share
    bound = n / (n + 1)
    ax.axvline(bound, color="black", ls="--", gid="bound")
    ax.text(bound, 0.45, f"n/(n+1) = {bound:.3g}", ha="center", va="bottom", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel(f"share of the orbit ({comparison.orbit_size} elements, {comparison.method})")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=3)
    return _finish(fig, ax, path)
