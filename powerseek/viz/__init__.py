"""Figures and the HTML report (matplotlib is imported when a figure is drawn)."""

from __future__ import annotations

from .figures import (
    check_path,
    draw_graph,
    optimality_vs_gamma,
    orbit_shares,
    power_heatmap,
    power_vs_gamma,
    save,
    tendency_overlay,
)
from .multiagent import joint_power_grid, power_correlation_plot, power_vs_correlation
from .report import build_report, write_report

__all__ = [
    "build_report",
    "check_path",
    "draw_graph",
    "joint_power_grid",
    "optimality_vs_gamma",
    "orbit_shares",
    "power_correlation_plot",
    "power_heatmap",
    "power_vs_correlation",
    "power_vs_gamma",
    "save",
    "tendency_overlay",
    "write_report",
]
