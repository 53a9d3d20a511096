"""Theorem checks, planted-copy generators, negative controls and B.36 counterexamples."""

import numpy as np
import pytest
from hypothesis import given, settings
from oracles import assert_verified
from scipy import stats

from powerseek import IID, MDP, from_graph, load, optimality, power_seeking
from powerseek.analysis._optimality import optimal_actions
from powerseek.exact._results import exact_optimality, exact_power
from powerseek.symmetry._environmental import find_action_copy
from powerseek.symmetry._theorems import check_actions, check_states
from strategies import examples, many_one_cycles, planted_copies

FIG1 = load("turner-fig1")


def test_prop_6_6_on_figure_1():
    report = check_states(FIG1, "right_down", "left_down", n_samples=2000, n_orbits=2, rng=1)
    check, at_one = report.checks
    assert check.applies and not report.failed
    assert at_one.theorem == "Prop 6.12" and at_one.applies
    assert at_one.hypotheses["extra non-dominated RSD (strict)"]
    assert [v.passed for v in at_one.verifications] == [True, True, True]
    assert [v.passed for v in check.verifications] == [True, True, True]
    assert check.hypotheses["extra non-dominated option (strict)"]
    reverse = check_states(FIG1, "left_down", "right_down", n_samples=100, rng=1)
    assert not reverse.checks[0].applies and not reverse.failed
    assert "no involution" in reverse.checks[0].reason


def test_prop_6_9_on_figure_1():
    report = check_actions(FIG1, "start", "right", "left", n_samples=2000, n_orbits=2, rng=2)
    prop = report.checks[0]
    assert prop.theorem == "Prop 6.9" and prop.applies and not report.failed
    assert all(v.passed for v in prop.verifications)
    assert "P(start, right, γ) ≥_most P(start, left, γ)" in prop.prediction
    document = report.to_dict()
    assert document["checks"][0]["witness"] == [
        ["left", "right"],
        ["left_up", "right_up"],
        ["left_down", "right_down"],
    ]


def test_small_samples_are_inconclusive_not_failures():
    report = check_actions(FIG1, "start", "right", "left", n_samples=100, n_orbits=1, rng=2)
    iid = report.checks[0].verifications[-1]
    assert iid.passed in (None, True) and not report.failed


def test_rdsp_d11_n_copies():
    report = check_actions(
        load("tic-tac-toe-fragment"), "start", "play_on", "end_1", n_samples=200, n_orbits=2, rng=3
    )
    d11 = report.checks[1]
    assert d11.applies and d11.hypotheses["n copies"] == 5 and not report.failed
    assert_verified(d11)
    candy = check_actions(load("candy-wait"), "start", "wait", "candy", n_samples=200, rng=4)
    assert candy.checks[1].applies and candy.checks[1].hypotheses["n copies"] == 2
    assert "2/3" in candy.checks[1].prediction


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None)
@given(planted_copies(max_size=2))
def test_planted_copies_satisfy_prop_6_9(graph_and_copy):
    graph, _ = graph_and_copy
    mdp = from_graph(graph)
    report = check_actions(
        mdp, "s", "a", "a_prime", gammas=(0.3, 0.9), n_samples=300, n_orbits=1, rng=5
    )
    prop = report.checks[0]
    assert prop.applies, prop.reason
    assert not report.failed, report.describe()
    assert_verified(prop)


def test_without_the_bottleneck_counterexamples_appear():
    """theory.md B.29 (d): drop the bottleneck condition and transport fails."""
    mdp = MDP(
        {
            "s": {"a_prime": "x", "a": "y", "c": "z"},
            "x": ["x"],
            "y": ["y", "w"],
            "w": ["w"],
            "z": ["y"],
        }
    )
    copy = find_action_copy(mdp, "s", "a", "a_prime")
    assert copy.found and not copy.details["bottleneck"]
    report = check_actions(mdp, "s", "a", "a_prime", n_samples=200, n_orbits=1, rng=6)
    assert "P(s, a, γ) ≥_most" not in report.checks[0].prediction  # part (2) is not claimed
    phi = copy.permutation
    R = np.random.default_rng(7).random((500, mdp.n_states))
    k_a, k_b = mdp.pair_index("s", "a"), mdp.pair_index("s", "a_prime")
    before = optimal_actions(mdp, R, 0.9)[:, k_b]
    after = optimal_actions(mdp, phi.apply(R), 0.9)[:, k_a]
    assert np.any(before & ~after)  # a' optimal for r, a not optimal for φ·r


def test_b36_figure_10_more_power_less_optimal():
    """OPT Prop B.1/B.4: seeking POWER does not imply being more likely optimal."""
    mdp = load("turner-fig10-reconstruction")
    power_at_one = exact_power(mdp, 1)
    assert power_at_one["s2"] == pytest.approx(3 / 4) and power_at_one["s3"] == pytest.approx(2 / 3)
    probabilities = exact_optimality(mdp, 1, state="s1")
    assert probabilities.of("s1", "N") == pytest.approx(1 / 3)
    assert probabilities.of("s1", "NE") == pytest.approx(2 / 3)


def test_b36_skewed_rewards_counterexample():
    """theory.md C.9: with CDF x², moving right seeks more POWER at γ = 0.12, yet moving
    up is the likelier optimal action."""
    mdp = load("turner-b3-counterexample")
    skewed = IID(stats.beta(2, 1))
    seeking = power_seeking(mdp, "s1", 0.12, dist=skewed, n_samples=200_000, rng=8)
    assert seeking.seeks_more_power("right", "up", z=5) is True
    result = optimality(mdp, 0.12, state="s1", dist=skewed, n_samples=200_000, rng=8)
    up, right = result.of("s1", "up"), result.of("s1", "right")
    # the two indicators are complementary here (no ties), so the SE of the
    # difference is twice that of one
    assert up - right > 5 * 2 * result.stderr_of("s1", "up")


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None)
@given(many_one_cycles())
def test_g3_n_copies_of_death(graph_and_n):
    """RDSP Thm D.11 / Cor D.12: with n copies, at least n/(n+1) of every orbit lives."""
    graph, n = graph_and_n
    mdp = from_graph(graph)
    report = check_actions(mdp, "s", "live", "die", n_samples=100, n_orbits=1, rng=9)
    d11 = report.checks[1]
    assert d11.applies and d11.hypotheses["n copies"] >= n
    assert not report.failed, report.describe()
    assert_verified(d11)
