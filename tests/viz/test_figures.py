"""Figures: each drawn on representative inputs, its artists counted, its files written."""

from types import SimpleNamespace

import numpy as np
import pytest

import powerseek
from powerseek import InvalidParameterError, InvalidTypeError
from powerseek.rewards._distributions import FiniteSupport
from powerseek.rewards._estimates import Estimate
from powerseek.symmetry._orbits import compare_over_orbit, power_of
from powerseek.viz._figures import (
    draw_graph,
    optimality_vs_gamma,
    orbit_shares,
    power_heatmap,
    power_vs_gamma,
    resolved_leaders,
    save,
    tendency_overlay,
)

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def maze():
    mdp = powerseek.load("powerplay-3x3")
    return (
        mdp,
        powerseek.power(mdp, 0.6, n_samples=400, rng=0),
        powerseek.optimality(mdp, 0.6, n_samples=400, rng=0),
    )


def value_texts(ax):
    return [t for t in ax.texts if t.get_gid() != "mark"]


def test_heatmap_one_label_per_open_cell(maze, tmp_path):
    mdp, result, _ = maze
    fig, ax = power_heatmap(mdp, result, stderr=True, path=tmp_path / "heat.png")
    texts = value_texts(ax)
    assert len(texts) == mdp.n_states
    first = texts[0].get_text()
    assert first.startswith(f"{result.estimate.mean[0]:.3f}") and "±" in first
    marks = [t.get_text() for t in ax.texts if t.get_gid() == "mark"]
    assert marks == [mark for _, mark in mdp.metadata["grid"].marks]
    assert len(fig.axes) == 2  # the plot and its colour bar
    assert (tmp_path / "heat.png").stat().st_size > 1000


def test_an_empowerment_map_with_thin_walls(tmp_path):
    maze = powerseek.load("klyubin-maze")
    result = powerseek.empowerment(maze, 5)
    fig, ax = power_heatmap(maze, result, digits=2)
    assert len([line for line in ax.lines if line.get_gid() == "wall"]) == 22
    assert fig.axes[1].get_ylabel() == "5-step empowerment (bits)"
    assert ax.get_title() == "klyubin-maze: 5-step empowerment"
    image = ax.get_images()[0].get_array()
    assert image[0, 0] == pytest.approx(np.log2(11)) and image.max() == pytest.approx(np.log2(46))


def test_heatmap_walls_are_masked():
    mdp = powerseek.gridworld.parse("S.#\n..G")
    values = {s: float(i) for i, s in enumerate(mdp.states)}
    fig, ax = power_heatmap(mdp, values)
    image = ax.get_images()[0].get_array()
    assert image.mask[0, 2] and not image.mask[0, 0]
    assert image[1, 2] == values[(1, 2)]


def test_tendency_arrows_match_nonzero_probabilities(maze):
    mdp, _, opt = maze
    fig, ax = tendency_overlay(mdp, opt)
    offsets = np.cumsum([0] + [len(a) for a in opt.actions])
    moves = stays = 0
    for i in range(len(opt.states)):
        for j, action in enumerate(opt.actions[i]):
            if opt.probability[offsets[i] + j] > 1e-9:
                stays += action == "stay"
                moves += action != "stay"
    from matplotlib.patches import FancyArrow

    assert sum(isinstance(p, FancyArrow) for p in ax.patches) == moves > 0
    assert sum(len(c.get_offsets()) for c in ax.collections) == stays


def test_power_vs_gamma_lines_and_bands(tmp_path):
    fig1 = powerseek.load("turner-fig1")
    sweep = powerseek.power_sweep(fig1, [0, 0.5, 1], n_samples=400, rng=0)
    fig, ax = power_vs_gamma(sweep, ["left_down", "right_down"], path=tmp_path / "g.svg")
    assert [line.get_label() for line in ax.lines] == ["left_down", "right_down"]
    assert len(ax.collections) == 2  # one band per state
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sweep.power[:, fig1.index("left_down")])
    assert (tmp_path / "g.svg").read_text().startswith("<?xml")
    with pytest.raises(InvalidParameterError, match="not a state of the sweep"):
        power_vs_gamma(sweep, ["nowhere"])


def _fake_results(P):
    """OptimalityResults of one state with actions a, b at gammas 0, 0.5, 1."""
    return [
        SimpleNamespace(
            gamma=g,
            states=("s",),
            actions=(("a", "b"),),
            probability=np.array(p, float),
            stderr=np.full(2, 0.01),
            estimate=Estimate(np.array(p, float), np.full(2, 0.01), 100, "monte carlo"),
        )
        for g, p in zip((0.0, 0.5, 1.0), P)
    ]


def _leads(ax):
    return [t for t in ax.texts if t.get_gid() == "leads"]


def test_optimality_vs_gamma_marks_resolved_leaders_inside_the_axes():
    fig, ax = optimality_vs_gamma(_fake_results([[0.7, 0.3], [0.4, 0.6], [0.2, 0.8]]), "s")
    switches = [line for line in ax.lines if line.get_gid() == "switch"]
    assert len(switches) == 1 and switches[0].get_xdata()[0] == pytest.approx(0.5)
    assert [t.get_text().strip() for t in _leads(ax)] == ["a leads", "b leads"]
    for text in _leads(ax):
        x, y = text.get_position()
        assert 0 <= x <= 1 and 0 < y < 1 and text.get_clip_on()  # axes coordinates in y
    fig, ax = optimality_vs_gamma(_fake_results([[0.7, 0.3]] * 3), "s")
    assert not [line for line in ax.lines if line.get_gid() == "switch"]
    assert [t.get_text().strip() for t in _leads(ax)] == ["a leads"]


def test_optimality_vs_gamma_marks_nothing_within_noise():
    # 0.515 against 0.485, standard errors 0.01 each: the gap 0.03 is not beyond 1.96 x 0.02
    fig, ax = optimality_vs_gamma(
        _fake_results([[0.515, 0.485], [0.485, 0.515], [0.515, 0.485]]), "s"
    )
    assert not _leads(ax) and not [line for line in ax.lines if line.get_gid() == "switch"]


def test_resolved_leaders_uses_the_band_of_the_difference():
    P = [[0.55, 0.45], [0.53, 0.47], [0.3, 0.3], [0.2, 0.8]]
    # gaps 0.10, 0.06, 0 and 0.6 against 1.96 x (0.02 + 0.01) = 0.0588 and exact ties
    assert resolved_leaders(P, [[0.02, 0.01]] * 4).tolist() == [0, 0, -1, 1]
    assert resolved_leaders(P, [[0.02, 0.01]] * 4, z=3).tolist() == [0, -1, -1, 1]
    assert resolved_leaders([[1.0, 1.0, 0.0]], [[0.0, 0.0, 0.0]]).tolist() == [-1]
    with pytest.raises(InvalidParameterError, match="same shape"):
        resolved_leaders([[0.5, 0.5]], [[0.1]])


def test_optimality_vs_gamma_on_a_real_sweep():
    fig1 = powerseek.load("turner-fig1")
    results = powerseek.optimality_sweep(fig1, [0.1, 0.9], state="start", n_samples=400, rng=0)
    fig, ax = optimality_vs_gamma(results, "start")
    labels = [line.get_label() for line in ax.lines if line.get_gid() != "switch"]
    assert labels == ["empty", "left", "right"]


def test_draw_graph_boxes_colours_and_labels(tmp_path):
    fig1 = powerseek.load("turner-fig1")
    fig, ax = draw_graph(fig1, powerseek.power(fig1, 0.5, n_samples=200, rng=0))
    boxes = [t for t in ax.texts if t.get_gid() == "state"]
    assert sorted(t.get_text() for t in boxes) == sorted(fig1.states)
    assert len(fig.axes) == 2  # colour bar
    stochastic = powerseek.load("powerplay-stochastic-4")
    fig, ax = draw_graph(stochastic, path=tmp_path / "g.pdf")
    edge_labels = [t for t in ax.texts if t.get_gid() != "state"]
    assert edge_labels  # probabilities on stochastic edges
    assert (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(InvalidParameterError, match="layout must be one of"):
        draw_graph(fig1, layout="nope")


def test_orbit_shares_against_the_bound():
    candy = powerseek.load("candy-wait")
    comparison = compare_over_orbit(
        candy,
        FiniteSupport([[0, 0, 0.3, 0.5, 0.9]]),
        power_of(candy, "wait", 0.9),
        power_of(candy, "candy", 0.9),
    )
    fig, ax = orbit_shares(comparison, n=2)
    widths = [p.get_width() for p in ax.patches]
    total = comparison.greater + comparison.less + comparison.equal
    assert widths == pytest.approx(
        [comparison.greater / total, comparison.equal / total, comparison.less / total]
    )
    (bound,) = [line for line in ax.lines if line.get_gid() == "bound"]
    assert bound.get_xdata()[0] == pytest.approx(2 / 3)


def test_bad_inputs_get_clear_errors(maze, tmp_path):
    mdp, result, opt = maze
    fig1 = powerseek.load("turner-fig1")
    with pytest.raises(InvalidParameterError, match="not a gridworld"):
        power_heatmap(fig1, np.zeros(fig1.n_states))
    with pytest.raises(InvalidParameterError, match="no value for state"):
        power_heatmap(mdp, {})
    with pytest.raises(InvalidParameterError, match=r"got shape \(2,\)"):
        power_heatmap(mdp, [1, 2])
    with pytest.raises(InvalidTypeError, match="must be an OptimalityResult"):
        tendency_overlay(mdp, result)
    with pytest.raises(InvalidTypeError, match="PowerSweepResult"):
        power_vs_gamma(result)
    fig, _ = power_heatmap(mdp, result)
    with pytest.raises(InvalidParameterError, match="use one of .png, .svg, .pdf"):
        save(fig, tmp_path / "x.jpg")
    with pytest.raises(InvalidParameterError, match="does not exist"):
        save(fig, tmp_path / "missing" / "x.png")


def test_heatmap_colour_scale_is_robust_by_default_and_settable(tmp_path):
    mdp = powerseek.load("aima-4x3")
    result = powerseek.power(mdp, 0.99, n_samples=2000, rng=0)
    ordered = np.sort(result.power)
    fig, ax = power_heatmap(mdp, result)
    image = ax.get_images()[0]
    # the absorbing cell (0.50) is left out of the scale, the rest spans it
    assert image.norm.vmin == ordered[1] and image.norm.vmax == ordered[-1]
    assert "robust colour scale" in ax.get_xlabel() and "1 value below it" in ax.get_xlabel()
    fig, ax = power_heatmap(mdp, result, vmin=0.0, vmax=1.0)
    image = ax.get_images()[0]
    assert (image.norm.vmin, image.norm.vmax) == (0.0, 1.0)
    assert ax.get_xlabel() == "set colour scale 0 to 1"
    with pytest.raises(InvalidParameterError, match="`vmin` must be below `vmax`"):
        power_heatmap(mdp, result, vmin=1.0, vmax=0.5)
    with pytest.raises(InvalidParameterError, match="`vmax` must be a finite number"):
        power_heatmap(mdp, result, vmax=float("nan"))
    with pytest.raises(InvalidParameterError, match="`vmin` must be below the largest value"):
        power_heatmap(mdp, result, vmin=0.95)  # above every cell: no scale left
    fig, ax = power_heatmap(mdp, result, vmin=np.float32(0.9))  # numpy numbers are numbers
    assert ax.get_images()[0].norm.vmin == pytest.approx(0.9)
    # and from the command line
    from powerseek.cli import main

    path = tmp_path / "map.png"
    argv = ["plot", "aima-4x3", "--samples", "200", "--seed", "0", "--quiet", "-o", str(path)]
    assert main([*argv, "--vmin", "0.9", "--vmax", "0.95"]) == 0 and path.stat().st_size > 0
    assert main([*argv, "--vmin", "0.9", "--vmax", "0.5"]) == 1
    assert main([*argv, "--what", "gamma-curve", "--vmin", "0"]) == 1


def test_figures_display_themselves_in_a_notebook(maze):
    """A notebook shows the returned pair (and the figure) as a PNG; a figure drawn
    into the caller's own axes is the caller's to show."""
    mdp, result, _ = maze
    drawn = power_heatmap(mdp, result)
    fig, ax = drawn
    png = drawn._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and fig._repr_png_()[:8] == png[:8]
    from matplotlib.figure import Figure

    own = Figure()
    assert power_heatmap(mdp, result, ax=own.subplots())._repr_png_() is None
    formatters = pytest.importorskip("IPython.core.formatters")
    shown, _ = formatters.DisplayFormatter().format(drawn)
    assert shown["image/png"][:8] == png[:8]


def test_graph_colours_use_the_robust_scale_and_mark_its_clipped_end():
    mdp = powerseek.load("aima-4x3")
    result = powerseek.power(mdp, 0.99, n_samples=2000, rng=0)
    fig, ax = draw_graph(mdp, result)
    bar = fig.axes[-1]
    ordered = np.sort(result.power)
    assert bar.get_ylim()[0] == pytest.approx(ordered[1])  # the absorbing cell left out
    scale = [t.get_text() for t in ax.texts if t.get_gid() == "scale"]
    assert scale and "1 value below it" in scale[0]
    assert bar._colorbar.extend == "min"
