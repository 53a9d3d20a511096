"""KK's shutdown setting: closed forms, Thm 2, Prop 3 and the caveats of theory.md B.5 item 46."""

import math

import numpy as np
import pytest

from powerseek import MDP
from powerseek.agents._shutdown import (
    critical_gamma,
    kk_example,
    orbit_avoidance,
    prop3_violations,
    recurrent_states,
    revisit_count,
    sample_compatible,
    shutdown_avoidance,
    shutdown_world,
)
from powerseek.exceptions import InvalidParameterError, PowerseekError

WORLD = kk_example()


@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.618, 0.9, 0.999])
def test_discounted_visit_counts_match_closed_forms(gamma):
    assert revisit_count(WORLD, "room_a", gamma) == pytest.approx(1 / (1 - gamma**2), rel=1e-9)
    assert revisit_count(WORLD, "room_b", gamma) == pytest.approx(gamma / (1 - gamma**2), rel=1e-9)
    assert revisit_count(WORLD, "room_c", gamma) == pytest.approx(gamma / (1 - gamma), rel=1e-9)


@pytest.mark.parametrize("gamma", [0.3, 0.9])
def test_visit_counts_take_the_best_of_several_options(gamma):
    """With one option any rule over options passed; with two, V is the best option's."""
    base = MDP(
        {
            "start": {"to_goal": "goal", "wait": "start"},
            "goal": {"stay": "goal"},
            "room_a": {"to_b": "room_b", "to_c": "room_c"},
            "room_b": {"to_a": "room_a"},
            "room_c": {"stay": "room_c"},
        }
    )
    training = [[("start", "to_goal"), ("goal", "stay")]]
    for options in (
        {"explore": "room_a", "jump": "room_b"},
        {"jump": "room_b", "explore": "room_a"},
    ):
        world = shutdown_world(base, training, options)
        # via room_a, room_b is reached at odd steps; via room_b, at even ones: the better
        assert revisit_count(world, "room_b", gamma) == pytest.approx(1 / (1 - gamma**2), rel=1e-9)
        assert revisit_count(world, "room_a", gamma) == pytest.approx(1 / (1 - gamma**2), rel=1e-9)
        assert revisit_count(world, "room_c", gamma) == pytest.approx(gamma / (1 - gamma), rel=1e-9)


def test_critical_discounts():
    assert recurrent_states(WORLD) == ("room_a", "room_b", "room_c")
    assert critical_gamma(WORLD, "room_a") == 0.0
    assert critical_gamma(WORLD, "room_b") == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-12)
    assert critical_gamma(WORLD, "room_c") == pytest.approx(0.5, abs=1e-12)


def test_rejection_sampling_of_g_t_and_its_acceptance_rate():
    # to_goal is optimal at start iff r(goal) ≥ r(start): half of the uniform cube
    thetas, rate = sample_compatible(WORLD, 0.9, 3000, rng=0)
    start, goal = WORLD.mdp.index("start"), WORLD.mdp.index("goal")
    assert np.all(thetas[:, goal] >= thetas[:, start])
    assert np.all(thetas[:, WORLD.mdp.index("s_end")] == 0)
    assert abs(rate - 0.5) < 4 * math.sqrt(0.25 / 6000)
    # the accepted θ are uniform on G_T: the other coordinates stay uniform
    assert abs(thetas[:, WORLD.mdp.index("room_c")].mean() - 0.5) < 4 * math.sqrt(1 / 12 / 3000)


def shutdown_optimal_thetas(gamma, n=200, seed=0):
    """θ in G_T for which shutdown is optimal: a large r(s_term), small rewards beyond s_new."""
    rng = np.random.default_rng(seed)
    mdp = WORLD.mdp
    thetas = rng.random((n, mdp.n_states)) * 0.001
    thetas[:, mdp.index("s_term")] = 1.0
    thetas[:, mdp.index("s_end")] = 0.0
    thetas[:, mdp.index("goal")] = 1.0  # keep the training behaviour optimal
    return thetas


@pytest.mark.parametrize("gamma", [0.3, 0.55, 0.7, 0.95])
def test_kk_theorem_2_orbit_bound(gamma):
    """At least n/(n+1) of each G_T-orbit avoids shutdown, n = |S^γ_rec|."""
    sampled, _ = sample_compatible(WORLD, gamma, 30, rng=1)
    for theta in [*sampled, *shutdown_optimal_thetas(gamma, n=30)]:
        share, n, elements = orbit_avoidance(WORLD, theta, gamma)
        assert elements > 0
        assert share >= n / (n + 1) - 1e-12, (theta, share, n)
    expected_n = sum(1 for g in (0.0, 0.618034, 0.5) if gamma > g)
    assert orbit_avoidance(WORLD, sampled[0], gamma)[1] == expected_n


def test_the_bound_is_tight_where_shutdown_is_optimal():
    theta = shutdown_optimal_thetas(0.95, n=1)[0]
    share, n, elements = orbit_avoidance(WORLD, theta, 0.95)
    assert n == 3 and elements == 24
    assert share == pytest.approx(3 / 4)  # only the elements keeping r(s_term) largest shut down


def test_avoidance_against_gamma_is_at_least_the_bound():
    result = shutdown_avoidance(WORLD, [0.3, 0.55, 0.9], n_samples=3000, rng=0)
    assert result.n_recurrent == (1, 2, 3)
    for p, se, bound in zip(result.avoid, result.stderr, result.bound):
        assert p >= bound - 4 * se
    assert result.avoid[0] < result.avoid[1] < result.avoid[2]
    doc = result.to_dict()
    assert (
        doc["reading"].startswith("Q-value") and doc["hypotheses"]["S_reach and S_train disjoint"]
    )


def test_kk_proposition_3():
    from powerseek import optimal_actions

    thetas = shutdown_optimal_thetas(0.9)
    k = WORLD.mdp.pair_index("s_new", "shutdown")
    assert optimal_actions(WORLD.mdp, thetas, 0.9)[:, k].all()  # the premise holds
    assert prop3_violations(WORLD, thetas, 0.9) == []


def test_caveat_zero_rewards_break_the_strict_step():
    """With r(s_rec) = r(s_term) = 0 (and nothing else to gain), shutdown ties and stays
    optimal after the swap: Prop 3's strict conclusion needs r(s_rec) > 0."""
    theta = np.zeros(WORLD.mdp.n_states)
    theta[WORLD.mdp.index("goal")] = 0.5
    failures = prop3_violations(WORLD, theta, 0.9)
    assert {f["failed"] for f in failures} == {
        "r(s_term) > r(s_rec)",
        "swap makes shutdown suboptimal",
    }


def test_caveat_reach_overlapping_training_is_flagged():
    base = MDP({"a": {"go": "b", "stay": "a"}, "b": {"stay": "b"}})
    world = shutdown_world(base, {"a": "go"}, {"enter": "a"})
    assert world.hypotheses()["S_reach and S_train disjoint"] is False


def test_bad_training_and_options():
    base = MDP({"a": {"go": "b", "stay": "a"}, "b": {"stay": "b"}})
    cases = [
        (
            lambda: shutdown_world(base, [[("a", "go"), ("a", "stay")]], {"enter": "b"}),
            "measure zero",
        ),
        (lambda: shutdown_world(base, {"a": "fly"}, {"enter": "b"}), "not an action"),
        (lambda: shutdown_world(base, {"z": "go"}, {"enter": "b"}), "not a state"),
        (lambda: shutdown_world(base, {"a": "go"}, {}), "at least one action"),
        (lambda: shutdown_world(base, {"a": "go"}, {"shutdown": "b"}), "shutdown"),
        (lambda: shutdown_world(base, {}, {"enter": "b"}), "no (state, action) pairs"),
    ]
    for make, words in cases:
        with pytest.raises(PowerseekError) as error:
            make()
        assert words in str(error.value) and "\n" not in str(error.value)


def test_an_empty_g_t_is_reported():
    # training goes b -> c and c -> b: optimal only when V(b) = V(c), a tie of measure zero
    base = MDP(
        {
            "a": {"to_b": "b", "to_c": "c"},
            "b": {"stay": "b", "to_c": "c"},
            "c": {"stay": "c", "to_b": "b"},
        }
    )
    world = shutdown_world(base, {"a": "to_b", "b": "to_c", "c": "to_b"}, {"enter": "b"})
    with pytest.raises(InvalidParameterError, match="G_T is empty") as error:
        sample_compatible(world, 0.9, 10, rng=0, max_draws=5000)
    assert "\n" not in str(error.value)


def test_too_many_goals_for_the_draws_say_so_rather_than_blame_training():
    """Past the draw limit with half the draws compatible, the message once said that G_T
    was empty or tiny and to check `training`."""
    with pytest.raises(
        InvalidParameterError,
        match=r"need about .* uniform draws \(\d+ of 4000 "
        r"were compatible\), more than the 4000 allowed; ask for fewer samples",
    ):
        sample_compatible(WORLD, 0.3, 10_000, rng=0, max_draws=4000)  # fmt: skip


def test_the_result_is_a_table_like_the_others():
    pytest.importorskip("pandas")
    result = shutdown_avoidance(WORLD, [0.3, 0.9], n_samples=200, rng=1)
    frame = result.to_frame()
    assert list(frame.gamma) == [0.3, 0.9]
    assert list(frame.avoid_shutdown) == list(result.avoid)
    assert list(frame.stderr) == list(result.stderr)
    assert frame.attrs["n_samples"] == 200 and "room_b" in frame.attrs["critical_gamma"]
    assert result.to_records()[1]["orbit_bound"] == result.bound[1]
