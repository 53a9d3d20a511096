"""Figures and the HTML report (matplotlib is imported when a figure is drawn)."""

from __future__ import annotations

from ._figures import (
    check_path,
    draw_graph,
    measures_figure,
    optimality_vs_gamma,
    orbit_shares,
    power_heatmap,
    power_vs_gamma,
    save,
    tendency_overlay,
)
from ._interactive import build_interactive_report, report_data, robust_range
from ._multiagent import joint_power_grid, power_correlation_plot, power_vs_correlation
from ._report import DEFAULT_GAMMAS, build_report, write_report

__all__ = [
    "DEFAULT_GAMMAS",
    "build_interactive_report",
    "build_report",
    "check_path",
    "draw_graph",
    "joint_power_grid",
    "measures_figure",
    "optimality_vs_gamma",
    "orbit_shares",
    "power_correlation_plot",
    "power_heatmap",
    "power_vs_correlation",
    "power_vs_gamma",
    "report_data",
    "robust_range",
    "save",
    "tendency_overlay",
    "write_report",
]
