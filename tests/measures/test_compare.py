"""POWER against empowerment: the rank correlation, its interval, and where the two part."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import rankdata, spearmanr

from powerseek import load, power_samples
from powerseek.exceptions import InvalidParameterError
from powerseek.measures import compare_measures, empowerment
from powerseek.measures._compare import _resolved, _spearman


@given(st.integers(0, 2**32 - 1))
def test_spearman_against_scipy_with_ties(seed):
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 4, size=(5, 9)).astype(float)  # many ties
    other = rng.integers(0, 3, size=9).astype(float)
    ours = _spearman(rows, other, rankdata)
    for row, value in zip(rows, ours, strict=True):
        expected = spearmanr(row, other).statistic
        if np.isnan(expected):
            assert np.isnan(value)
        else:
            assert value == pytest.approx(expected, abs=1e-12)


def test_power_is_the_mean_of_the_common_samples_and_matches_figure_3():
    fig1 = load("turner-fig1")
    result = compare_measures(fig1, [0.5, 0.9], 2, n_samples=4000, rng=1, n_boot=50)
    # exact POWER of Figure 3 (the catalog's entry), within 5 standard errors
    for g, gamma in enumerate((0.5, 0.9)):
        exact = {"empty": 1 / 2, "left_down": (2 / 3 + gamma / 2) / (1 + gamma),
                 "right_down": 2 / 3}  # fmt: skip
        for state, value in exact.items():
            i = fig1.index(state)
            assert abs(result.power[g, i] - value) <= 5 * result.power_stderr[g, i]
    assert np.array_equal(result.empowerment[0].values, empowerment(fig1, 2).values)


def test_disagreements_are_the_largest_rank_gaps():
    maze = load("powerplay-maze-7x7")
    result = compare_measures(maze, 0.9, 3, n_samples=300, rng=2, n_boot=50)
    worst = result.disagreements(k=4)
    power_rank = rankdata(-result.power[0])
    emp_rank = rankdata(-result.empowerment[0].values)
    gaps = np.abs(power_rank - emp_rank)
    assert [abs(w["power_rank"] - w["empowerment_rank"]) for w in worst] == sorted(gaps)[::-1][:4]
    for w in worst:
        i = maze.index(w["state"])
        assert (w["power_rank"], w["empowerment_rank"]) == (power_rank[i], emp_rank[i])


def test_the_fraction_of_resolved_orders_by_hand():
    base = np.random.default_rng(0).normal(size=400)
    wobble = np.tile([0.1, -0.1], 200)  # differences of mean exactly 0
    samples = np.column_stack([base, base + wobble, base + 1.0])
    pairs = np.array([(0, 1), (0, 2), (1, 2)])
    # 0 and 1 are not told apart; 2 is above both on every sample
    assert _resolved(samples, pairs, 0.95) == pytest.approx(2 / 3)
    assert _resolved(samples[:, [0, 2]], np.array([(0, 1)]), 0.95) == 1.0


@pytest.mark.slow
def test_the_interval_covers_a_reference_where_orders_are_resolved():
    # at γ = 0.9 in Klyubin's maze, against 40,000 samples, over ten seeds of 1,000
    maze = load("klyubin-maze")
    reference = compare_measures(maze, 0.9, [3, 5], n_samples=40_000, rng=99, n_boot=20)
    truth = [r["spearman"] for r in reference.correlations]
    covered = np.zeros(2, dtype=int)
    for seed in range(10):
        result = compare_measures(maze, 0.9, [3, 5], n_samples=1000, rng=seed, n_boot=300)
        for k, r in enumerate(result.correlations):
            covered[k] += r["ci_low"] <= truth[k] <= r["ci_high"]
            assert r["power_resolved"] > 0.75
    assert (covered >= 9).all()


def test_results_as_tables():
    pytest.importorskip("pandas")
    result = compare_measures(load("klyubin-maze"), [0.9, 0.99], [3, 5], n_samples=200, rng=0,
                              n_boot=20)  # fmt: skip
    frame = result.to_frame()
    assert len(frame) == 4 and list(frame["steps"]) == [3, 5, 3, 5]
    assert "Spearman ρ" in result._repr_html_()


def test_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from powerseek.viz import measures_figure

    maze = load("klyubin-maze")
    result = compare_measures(maze, 0.9, 3, n_samples=200, rng=0, n_boot=20)
    fig, axes = measures_figure(maze, result, path=tmp_path / "m.png")
    assert len(axes) == 3 and (tmp_path / "m.png").stat().st_size > 1000
    assert axes[2].get_title().startswith(f"Spearman ρ = {result.correlations[0]['spearman']:.3f}")
    fig, axes = measures_figure(load("turner-fig1"), compare_measures(
        load("turner-fig1"), 0.9, 2, n_samples=100, rng=0, n_boot=20))  # fmt: skip
    assert len(axes) == 1


def test_samples_as_power_samples():
    # the per-sample POWER behind the means is powerseek's own
    fig1 = load("turner-fig1")
    result = compare_measures(fig1, 0.9, 1, n_samples=50, rng=5, n_boot=10)
    from powerseek.rewards import IID, sample

    rewards = sample(IID(), fig1, 50, rng=np.random.default_rng(5))
    assert np.allclose(result.power[0], power_samples(fig1, rewards, 0.9).mean(axis=0))


def test_bad_input():
    fig1 = load("turner-fig1")
    for kwargs, message in [
        ({"gammas": 1.5}, r"`gammas` must lie in \[0, 1\]"),
        ({"steps": 0}, "`steps` must be positive integers"),
        ({"n_samples": 1}, "`n_samples` must be an integer at least 2"),
        ({"n_boot": 1}, "`n_boot` must be an integer at least 2"),
        ({"confidence": 1.0}, r"`confidence` must be in \(0, 1\)"),
        ({"dist": "uniform"}, "`dist` must be a reward distribution"),
    ]:
        with pytest.raises(InvalidParameterError, match=message):
            compare_measures(fig1, **kwargs)
    from powerseek import MDP

    with pytest.raises(InvalidParameterError, match="at least 3 states"):
        compare_measures(MDP({"a": ["b"], "b": ["a"]}))
