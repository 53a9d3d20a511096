"""Notebook displays: MDPs and results as HTML and SVG, with short plain reprs."""

import re

import numpy as np

from powerseek import MDP, load, optimality, power, power_sweep
from powerseek._display import curves_svg, grid_shape, heatmap_html, table_html
from powerseek.agents import rule_power


def test_gridworld_mdp_draws_its_map():
    mdp = load("powerplay-maze-7x7")
    page = mdp._repr_html_()
    rows, cols = mdp.metadata["grid"].shape
    assert page.count("<td") == rows * cols
    assert page.count("background:#444") == rows * cols - mdp.n_states  # the walls
    assert "31 states" in page


def test_graph_mdp_lists_its_states_and_escapes_labels():
    mdp = MDP({"<a>": ["b"], "b": ["b"]})
    page = mdp._repr_html_()
    assert "&lt;a&gt;" in page and "<a>" not in page
    assert page.count("<tr>") == 3


def test_power_result_heatmap_shows_values_and_errors_on_hover():
    mdp = load("powerplay-maze-7x7")
    result = power(mdp, 0.9, n_samples=200, rng=0)
    page = result._repr_html_()
    tips = re.findall(r'title="\((\d+), (\d+)\): ([0-9.]+) ± ([0-9.]+)"', page)
    assert len(tips) == mdp.n_states
    for r, c, value, se in tips:
        assert float(value) == round(result[(int(r), int(c))], 4)
        assert float(se) == round(float(result.stderr[mdp.states.index((int(r), int(c)))]), 4)
    assert "seed 0" in page and "200 samples" in page


def test_reprs_stay_short():
    mdp = load("powerplay-maze-7x7")
    for result in (
        power(mdp, 0.9, n_samples=50, rng=0),
        power_sweep(mdp, [0.5, 0.9], n_samples=50, rng=0),
        optimality(mdp, 0.9, n_samples=50, rng=0),
        rule_power(mdp, 0.9, "boltzmann:0.1", n_samples=50, rng=0),
    ):
        text = repr(result)
        assert len(text) < 160 and "\n" not in text, text
    assert "rule='boltzmann:0.1'" in repr(
        rule_power(mdp, 0.9, "boltzmann:0.1", n_samples=50, rng=0)
    )


def test_sweep_curves_and_optimality_tables():
    sweep = power_sweep(load("turner-fig1"), [0, 0.5, 0.9], n_samples=100, rng=0)
    svg = sweep._repr_html_()
    assert svg.count("<polyline") == 6 and svg.count("<polygon") == 6
    table = optimality(load("turner-fig1"), 0.9, state="start", n_samples=100, rng=0)._repr_html_()
    assert table.count("<tr>") == 4 and "P(optimal)" in table


def test_building_blocks():
    assert grid_shape([(0, 0), (2, 1)]) == (3, 2) and grid_shape(["a"]) is None
    assert heatmap_html([(0, 0)], [1.0], shape=(1, 2)).count("background:#444") == 1
    rows = [[i, float(i)] for i in range(100)]
    assert "60 more rows" in table_html(["i", "x"], rows)
    flat = curves_svg([0, 1], {"a": (np.array([1.0, 1.0]), None, None)})  # a constant line
    assert "NaN" not in flat and "nan" not in flat


def test_results_print_in_a_line_or_two_however_large():
    """A sweep's repr summarises its arrays; the data stay one attribute away."""
    import powerseek
    from powerseek.multiagent import correlation_sweep, joint_gridworld

    joint = joint_gridworld("...\n...\n...", overlap=False)
    sweep = correlation_sweep(joint, [-1, 0, 0.5, 1], 0.6, n_samples=200, rng=4)
    maze = powerseek.load("powerplay-maze-7x7")
    results = [
        sweep,
        powerseek.power_seeking(maze, (0, 0), 0.9, n_samples=200, rng=0),
        powerseek.empowerment(maze, steps=2),
        powerseek.exact.exact_power(powerseek.load("turner-fig1"), "1/2"),
        powerseek.power(maze, 0.9, n_samples=100, rng=0).estimate,
    ]
    for result in results:
        text = repr(result)
        assert len(text) < 500 and "\n" not in text, text
        assert text.startswith(type(result).__name__ + "(")
    assert "correlations=(-1.0, 0.0, 0.5, 1.0)" in repr(sweep)
    assert "power_first=<tuple of 4>" in repr(sweep)


def test_notebook_heatmaps_use_the_robust_colour_scale_and_say_so():
    """One absorbing cell (POWER 0.50 among 0.911-0.914) must not flatten the rest."""
    mdp = load("aima-4x3")
    result = power(mdp, 0.99, n_samples=2000, rng=0)
    page = result._repr_html_()
    cell = r'title="(\(\d+, \d+\)): [^"]*" style="[^"]*background:(rgb\([^)]*\))'
    colours = dict(re.findall(cell, page))
    assert len(colours) == mdp.n_states
    low, high = np.argsort(result.power)[1], np.argmax(result.power)  # past the outlier
    first = tuple(map(int, re.findall(r"\d+", colours[str(mdp.states[low])])))
    last = tuple(map(int, re.findall(r"\d+", colours[str(mdp.states[high])])))
    assert first == (247, 251, 255) and last == (47, 101, 180)  # the scale's two ends
    assert "1 value below it drawn at the end colour" in page
    # a set scale is used as given
    html_ = heatmap_html(mdp.states, result.power, scale=(0.0, 1.0))
    assert "colour scale 0 to 1" in html_ and "drawn at" not in html_
