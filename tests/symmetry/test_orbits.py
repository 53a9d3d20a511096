"""Orbits of distributions and ≥_most counts."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from powerseek import IID, FiniteSupport, InvalidTypeError, PerState, load
from powerseek.analysis._visit_optimality import linear_optimality
from powerseek.symmetry._orbits import (
    Functional,
    action_optimality,
    compare_over_orbit,
    orbit_size,
    power_of,
    successor_power,
)

FIG1 = load("turner-fig1")


def zero():
    return Functional("0", frozenset(), lambda R: np.zeros(len(R)))


def brute_force(mdp, r, f1, f2, tol=1e-9):
    """Count over every permutation, collapsing duplicates (the orbit as a set)."""
    seen = {}
    for perm in itertools.permutations(range(len(r))):
        vector = tuple(np.asarray(r)[list(perm)])
        seen[vector] = None
    R = np.array(list(seen))
    a, b = f1.per_sample(R), f2.per_sample(R)
    return int(np.sum(a > b + tol)), int(np.sum(b > a + tol)), len(R)


def test_orbit_size_collapses_duplicates():
    assert orbit_size([1, 2, 3]) == 6
    assert orbit_size([1, 1, 2]) == 3
    assert orbit_size([0.5] * 5) == 1


def test_enumeration_matches_brute_force_with_repeated_values():
    mdp = load("candy-wait")
    r = [0.2, 0.2, 0.5, 0.9, 0.5]  # repeated values: orbit 5!/(2!2!) = 30
    f1 = action_optimality(mdp, "start", "wait", 0.6)
    f2 = action_optimality(mdp, "start", "candy", 0.6)
    result = compare_over_orbit(mdp, FiniteSupport([r]), f1, f2)
    greater, less, size = brute_force(mdp, r, f1, f2)
    assert result.orbit_size == size == 30
    assert (result.greater, result.less) == (greater, less)
    assert result.method == "enumerated"


def test_restricting_to_relevant_states_keeps_the_counts():
    # POWER of right_down depends on right_up and right_down only: 8 states, 2 relevant
    r = [0.1, 0.9, 0.3, 0.5, 0.2, 0.8, 0.4, 0.6]
    f1 = power_of(FIG1, "right_down", 0.5)
    f2 = power_of(FIG1, "left_down", 0.5)
    result = compare_over_orbit(FIG1, FiniteSupport([r]), f1, f2)
    greater, less, size = brute_force(FIG1, r, f1, f2)
    assert (result.greater, result.less, result.orbit_size) == (greater, less, size)


@pytest.mark.slow
def test_cor_d12_avoiding_empty_on_figure_1():
    """RDSP Cor D.12: at γ -> 1, at least 3/4 of every orbit finds avoiding ∅ optimal."""
    rng = np.random.default_rng(0)
    avoid_ratio = []
    for _ in range(3):
        point = FiniteSupport([rng.random(8)])
        empty = action_optimality(FIG1, "start", "empty", 1.0)
        avoid = Functional("avoid ∅", empty.relevant, lambda R, e=empty: 1 - e.per_sample(R))
        result = compare_over_orbit(FIG1, point, avoid, empty)
        assert result.fraction >= 3 / 4
        avoid_ratio.append(result.n_fold())
    assert min(avoid_ratio) >= 3  # ≥^3_most (about 3.3 for uniform draws)


def test_candy_wait_two_thirds_prefer_waiting():
    candy = load("candy-wait")
    rng = np.random.default_rng(1)
    for _ in range(3):
        point = FiniteSupport([rng.random(5)])
        result = compare_over_orbit(
            candy,
            point,
            action_optimality(candy, "start", "wait", 1.0),
            action_optimality(candy, "start", "candy", 1.0),
        )
        assert result.fraction >= 2 / 3 and result.n_fold() >= 2


def test_rdsp_table_2_is_optimal_values():
    """IsOptimal(X1 | C, u) over the orbit of u = (10, 5, 0), in the paper's order."""
    e = np.eye(3)
    orbit = [(10, 5, 0), (10, 0, 5), (5, 10, 0), (5, 0, 10), (0, 10, 5), (0, 5, 10)]
    values = [
        linear_optimality(e[:2], e, dist=FiniteSupport([u]), n_samples=2).value for u in orbit
    ]
    assert values == [1, 1, 1, 0, 1, 0]
    # and X1 = {ghost, apple} beats X2 = {cherry} on 2/3 of the orbit
    assert sum(values) / len(values) == pytest.approx(2 / 3)


def test_finite_support_orbits_are_exact():
    mdp = load("k-way-choice")
    support = FiniteSupport([[0, 1, 0, 0, 0], [0, 0, 1, 0, 0]], weights=[0.5, 0.5])
    f1 = successor_power(mdp, "start", "t1", 0.5)
    f2 = successor_power(mdp, "start", "t3", 0.5)
    result = compare_over_orbit(mdp, support, f1, f2)
    # the orbit: which 2 of the 5 states carry the two vectors' ones; swapping the two
    # states gives the same distribution (uniform on {e_i, e_j}): 5·4/2 = 10 elements
    assert result.orbit_size == 10 and result.method == "enumerated"
    assert result.greater == result.less  # t1 and t3 play symmetric roles


def test_iid_orbit_has_one_element_and_per_state_uses_monte_carlo():
    candy = load("candy-wait")
    f1 = power_of(candy, "wait", 0.5)
    f2 = power_of(candy, "candy", 0.5)
    iid = compare_over_orbit(candy, IID(), f1, f2, n_samples=4000, rng=0)
    assert iid.orbit_size == 1
    per_state = PerState({"hug": stats.uniform(5, 1)})  # one state pays a lot
    result = compare_over_orbit(candy, per_state, f1, f2, n_samples=2000, rng=1)
    assert result.orbit_size == 5
    # POWER(wait) = E max(chocolate, hug) beats POWER(candy) = E R(candy) unless the
    # big reward sits at candy (1 of the 5 elements)
    assert (result.greater, result.less, result.equal) == (4, 1, 0)


def test_sampling_large_orbits():
    face = load("powerplay-3x3")
    r = np.random.default_rng(2).random(9)
    f1 = power_of(face, (1, 1), 0.5)
    f2 = power_of(face, (0, 0), 0.5)
    result = compare_over_orbit(
        face, FiniteSupport([r]), f1, f2, max_elements=1000, n_draws=500, rng=3
    )
    assert result.method == "sampled 500 of 362880 elements"
    low, high = result.fraction_interval
    assert low <= result.fraction <= high
    assert result.orbit_size == math.factorial(9)


def test_bad_distribution():
    from powerseek.rewards._distributions import CallableRewards

    with pytest.raises(InvalidTypeError, match="orbits are computed"):
        compare_over_orbit(
            FIG1, CallableRewards(lambda rng, size: np.zeros((size, 8))), zero(), zero()
        )
