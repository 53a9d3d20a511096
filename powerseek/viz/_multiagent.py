"""Figures of two-agent worlds: POWER over one agent's cell, and POWER against correlation.

Needs matplotlib (``pip install ".[plot]"``), imported when drawing.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np

from .._display import robust_range, scale_note
from .._validation import label_text
from ..exceptions import InvalidParameterError, InvalidTypeError
from ._figures import _clipped_ends, _figure, _finish, _values, notebook_figure

__all__ = ["joint_power_grid", "power_correlation_plot", "power_vs_correlation"]


def joint_power_grid(
    joint: Any,
    result: Any,
    *,
    cmap: str = "viridis",
    digits: int = 2,
    title: str | None = None,
    path: str | Path | None = None,
):
    """The first agent's POWER over its cell, one heatmap per cell of the other agent.

    POWERplay draws its two-agent results this way: panel (r, c) of the grid
    of panels holds POWER_H(h, a) over H's cells h with A at the cell a, marked
    ``A``; all panels share one colour scale.

    Parameters
    ----------
    joint : JointMDP
        A joint gridworld (:func:`powerseek.multiagent.joint_gridworld`).
    result : PowerResult, mapping or array
        One value per joint state (e.g. from :func:`~powerseek.multiagent.fixed_policy_power`).
    cmap : str, default "viridis"
        A matplotlib colour map's name.
    digits : int, default 2
        Decimals printed in each cell.
    title : str, optional
        The figure's title; a default title when None.
    path : str or Path, optional
        Also save the figure there.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : numpy.ndarray of matplotlib.axes.Axes
        One per cell of the map, walls' panels left blank.
    """
    layout = joint.mdp.metadata.get("agent_grid")
    if layout is None:
        raise InvalidParameterError(
            f"{joint.name or 'this world'} has no map of the agents' cells; draw joint gridworlds "
            "(powerseek.multiagent.joint_gridworld)."
        )
    values, _ = _values(result, joint.mdp, "result")
    rows, cols = layout.shape
    Figure = notebook_figure()
    panel = (0.3 * cols + 0.3, 0.3 * rows + 0.3)  # one panel per cell, 0.3 in per cell inside
    fig = Figure(figsize=(1.5 + cols * panel[0], 0.8 + rows * panel[1]), layout="constrained")
    axes = np.array(fig.subplots(rows, cols, squeeze=False))
    finite = values[np.isfinite(values)]
    vmin, vmax = robust_range(finite) if finite.size else (0.0, 1.0)
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap].with_extremes(bad="#3a3a3a")
    other_cells = sorted({state[1] for state in joint.states})
    image = None
    for (r, c), ax in np.ndenumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if (r, c) not in other_cells:
            ax.set_axis_off()
            continue
        grid = np.full(layout.shape, np.nan)
        for state, value in zip(joint.states, values):
            if state[1] == (r, c):
                grid[state[0]] = value
        image = ax.imshow(np.ma.masked_invalid(grid), cmap=colormap, vmin=vmin, vmax=vmax)
        for (h_r, h_c), value in np.ndenumerate(grid):
            if np.isfinite(value):
                ax.text(h_c, h_r, f"{value:.{digits}f}", ha="center", va="center", fontsize=6)
        ax.text(c, r + 0.35, joint.agents[1], ha="center", va="center", color="red", fontsize=8,
                fontweight="bold", gid="mark")  # fmt: skip
    if image is not None:
        fig.colorbar(image, ax=axes, label=f"POWER_{joint.agents[0]}", shrink=0.8,
                     extend=_clipped_ends(finite, vmin, vmax))  # fmt: skip
    fig.suptitle(
        (title or f"POWER of {joint.agents[0]} over its cell, one panel per cell of "
         f"{joint.agents[1]}") + f"\n(robust {scale_note(finite, vmin, vmax)})",
        fontsize=9,
    )  # fmt: skip
    return _finish(fig, axes, path)


def _check_sweep(result: Any) -> None:
    if not hasattr(result, "power_correlation") or not hasattr(result, "correlations"):
        raise InvalidTypeError(
            f"result must be a CorrelationSweepResult; got {type(result).__name__}."
        )


def power_vs_correlation(
    result: Any,
    state: Hashable,
    *,
    band: bool = True,
    ax=None,
    path: str | Path | None = None,
):
    """Both agents' POWER at one joint state against the reward correlation, with bands.

    Parameters
    ----------
    result : CorrelationSweepResult
        A :class:`~powerseek.multiagent.CorrelationSweepResult`.
    state : hashable
        A joint state.
    band : bool, default True
        Shade the confidence intervals.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.
    path : str or Path, optional
        Where to save the figure; not saved when None.

    Returns
    -------
    fig, ax
    """
    _check_sweep(result)
    if state not in result.states:
        raise InvalidParameterError(f"{label_text(state)} is not a joint state of the result.")
    k = result.states.index(state)
    fig, ax = _figure(ax)
    cs = np.asarray(result.correlations)
    for agent, estimates in zip(result.agents, (result.power_first, result.power_second)):
        mean = np.array([e.mean[k] for e in estimates])
        (line,) = ax.plot(cs, mean, marker="o", markersize=3, label=f"POWER_{agent}")
        if band:
            low = np.array([e.ci_low[k] for e in estimates])
            high = np.array([e.ci_high[k] for e in estimates])
            ax.fill_between(cs, low, high, color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("reward correlation")
    ax.set_ylabel("POWER")
    ax.set_title(f"POWER at {label_text(state)} (γ = {result.gamma:g})")
    ax.legend(fontsize=8)
    return _finish(fig, ax, path)


def power_correlation_plot(result: Any, *, ax=None, path: str | Path | None = None):
    """The correlation across joint states of the two agents' POWER, against the reward correlation.

    POWERplay's headline statistic, with ±1.96 jackknife standard errors.

    Parameters
    ----------
    result : CorrelationSweepResult
        A :class:`~powerseek.multiagent.CorrelationSweepResult`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.
    path : str or Path, optional
        Where to save the figure; not saved when None.

    Returns
    -------
    fig, ax
    """
    _check_sweep(result)
    fig, ax = _figure(ax)
    cs = np.asarray(result.correlations)
    r, se = result.power_correlation, result.power_correlation_stderr
    ax.errorbar(cs, r, yerr=1.96 * np.nan_to_num(se), marker="o", markersize=3, capsize=2)
    ax.axhline(0.0, color="grey", lw=0.5)
    h, a = result.agents
    ax.set_xlabel("reward correlation")
    ax.set_ylabel(f"corr(POWER_{h}, POWER_{a}) across joint states")
    ax.set_title("POWER alignment (95% jackknife bars)")
    return _finish(fig, ax, path)
