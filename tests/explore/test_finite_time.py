"""Conjecture E.8: finite-time procedures and the orbit tendency of their limit."""

import math

import pytest

from powerseek import load
from powerseek.explore import conjecture, exhaustive_search
from powerseek.explore._finite_time import FiniteTimeCurve, finite_time_curve, finite_time_tendency
from powerseek.rewards import FiniteSupport

POINT = FiniteSupport([[0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4]])


def curve(action="right", other="left", **kwargs):
    return finite_time_curve(
        load("turner-fig1"), "start", action, other, 0.9, POINT, n_draws=300, rng=0, **kwargs
    )


def test_truncated_value_iteration_approaches_the_optimal_share():
    c = curve(steps=(0, 300))
    g0, l0 = c.greater[0], c.less[0]
    # t = 0: greedy on a random W_0, symmetric between right and left: signs split evenly
    assert abs(g0 - l0) <= 3 * math.sqrt(g0 + l0)
    # t = 300 sweeps at γ = 0.9: the initialisation has decayed by 0.9^300; optimal
    se = math.sqrt(c.limit_share * (1 - c.limit_share) / 300)
    assert abs(c.shares[1] - c.limit_share) <= 4 * se
    assert c.holds == (True, True) and c.resolved_step() == 300


def test_the_reversed_comparison_fails_once_t_is_large():
    c = curve("left", "right", steps=(21,))
    assert c.holds == (False,)


@pytest.mark.slow
def test_q_learning_learns_the_tendency():
    c = curve(procedure="q-learning", steps=(0, 200))
    assert c.steps == (0, 200)
    assert c.greater == (0.0, c.greater[1]) and c.less[0] == 0.0  # no episodes: uniform
    assert c.greater[1] - c.less[1] > 3 * math.sqrt(c.greater[1] + c.less[1])


def test_eventual_and_resolved_steps():
    c = FiniteTimeCurve(
        "truncated-vi",
        (0, 1, 2, 3),
        (5, 1, 9, 9),
        (4, 6, 1, 1),
        (0.5,) * 4,
        (True, False, True, True),
        0.7,
        False,
    )
    assert c.eventual_step() == 2 and c.resolved_step() == 2
    assert c.to_dict()["eventual_step"] == 2


@pytest.mark.slow
def test_the_built_in_conjecture_holds_on_figure_1():
    result = exhaustive_search(conjecture("finite-time-tendency"), size=2)
    assert result.holds and result.applicable == 4
    finding = result.findings["truncated-vi"]
    assert 0 <= finding.minimum <= finding.maximum <= 21


def test_the_predicate_does_not_apply_without_a_point_mass_or_a_copy():
    from powerseek.rewards import IID

    assert finite_time_tendency(load("turner-fig1"), IID(), 0.9).holds is None
    point = FiniteSupport([[0.1, 0.2, 0.3, 0.4, 0.5]])
    assert finite_time_tendency(load("candy-wait"), point, 0.9).holds is None
    with pytest.raises(ValueError, match="gamma"):
        finite_time_curve(load("turner-fig1"), "start", "right", "left", 1.0, POINT)
