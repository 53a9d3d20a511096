"""Outcome permutations, orbits, copies and the retargetability check."""

import math

import numpy as np
import pytest

from powerseek import InvalidParameterError
from powerseek.agents.lotteries import is_optimal
from powerseek.symmetry._retarget import (
    all_involutions,
    check_retargetable,
    compare_on_orbit,
    copy_violations,
    outcome_orbit,
    outcome_permutation,
    permute_outcomes,
    rule_tendency,
)


def test_permutation_convention_matches_the_papers():
    """(P_φ x)_{φ(j)} = x_j: the value at j moves to φ(j)."""
    phi = outcome_permutation([(0, 1, 2)], 3)  # 0 -> 1 -> 2 -> 0
    np.testing.assert_array_equal(phi, [1, 2, 0])
    np.testing.assert_array_equal(permute_outcomes([5.0, 6.0, 7.0], phi), [7.0, 5.0, 6.0])
    np.testing.assert_array_equal(permute_outcomes([5.0, 6.0, 7.0], [1, 2, 0]), [7.0, 5.0, 6.0])


def test_orbit_sizes():
    assert len(outcome_orbit([3, 1, 2, 0])) == 24
    assert len(outcome_orbit([1, 1, 0, 0])) == math.comb(4, 2)
    atoms = outcome_orbit([[1, 1, 0], [0, 1, 1]])  # columns (1,0), (1,1), (0,1) all distinct
    assert atoms.shape == (6, 2, 3)
    assert len({a.tobytes() for a in atoms}) == 6
    assert len(outcome_orbit([[1, 1, 0], [2, 2, 0]])) == 3


def test_involutions_are_counted_exactly():
    # the number of involutions of n elements: 1, 2, 4, 10, 26, 76
    assert [len(list(all_involutions(n))) for n in range(1, 7)] == [1, 2, 4, 10, 26, 76]
    for image in all_involutions(5):
        np.testing.assert_array_equal(image[image], np.arange(5))


def test_restricted_orbits():
    """Orbit|_Θ: only utilities with outcome 0 at least 1 count."""
    result = compare_on_orbit(
        lambda u: u[:, 1], lambda u: u[:, 2], [2, 1, 0], within=lambda u: u[:, 0] >= 1
    )
    assert result.orbit_size == 4


def test_retargeting_out_of_theta_is_reported():
    C = np.eye(3)
    check = check_retargetable(
        lambda u: is_optimal(C[:1], C, u),
        lambda u: is_optimal(C[1:], C, u),
        [10, 5, 0],
        [[(0, 1)]],
        within=lambda u: u[:, 1] < 10,
    )
    assert not check.holds and check.reason.startswith("condition (2)")


def test_collisions_are_reported():
    """A = {e0}, B = {e1}: two involutions that both retarget through outcome 1 send
    the same A-preferring utility to the same element, which Def 3.5 (3) forbids."""
    C = np.eye(3)
    check = check_retargetable(
        lambda u: is_optimal(C[:1], C, u),
        lambda u: is_optimal(C[1:2], C, u),
        [10, 5, 0],
        [[(0, 1)], [1, 0, 2]],
    )
    assert not check.holds and check.reason.startswith("condition (3)")


def test_distribution_weights_are_checked():
    C = np.eye(2)
    with pytest.raises(InvalidParameterError, match="weights must be 2"):
        rule_tendency(is_optimal, C[1:], C[:1], C, [[1, 0], [0, 1]], weights=[0.2, 0.2])
    with pytest.raises(InvalidParameterError, match="theta must have 2 outcome columns"):
        rule_tendency(is_optimal, C[1:], C[:1], C, [1, 0, 0])
    with pytest.raises(InvalidParameterError, match="at most 9 outcomes"):
        outcome_orbit(np.arange(10))


def test_bad_permutations():
    with pytest.raises(InvalidParameterError, match="list each of 0..2 once"):
        outcome_permutation([0, 0, 1], 3)
    with pytest.raises(InvalidParameterError, match="distinct outcome indices"):
        outcome_permutation([(0, 1), (1, 2)], 3)


def test_copy_violations_name_the_failure():
    C = np.eye(3)
    assert copy_violations(C[:1], C[1:], C, [[(0, 1)], [(0, 2)]]) == []
    problems = copy_violations(C[:1], C[1:2], C[:2], [[(0, 2)]])
    assert problems == ["phi_1·A is not a subset of B", "phi_1 does not map C onto itself"]
    assert "phi_1 is not an involution" in copy_violations(C[:1], C[1:], C, [[(0, 1, 2)]])
