"""Exact rational results: closed forms, enumeration, polytopes, agreement with Monte Carlo."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import powerseek
from powerseek import (
    IID,
    FiniteSupport,
    InvalidParameterError,
    PerState,
    from_graph,
    load,
    optimal_actions,
    power,
    power_samples,
    solve,
)
from powerseek.exact._results import (
    exact_optimality,
    exact_power,
    exact_solution,
    exact_visit_optimality,
)
from powerseek.visits._functions import visit_distributions
from strategies import examples, stochastic_multigraphs, successor_graphs

F = Fraction
FIG1 = load("turner-fig1")


@pytest.mark.slow
@pytest.mark.parametrize("gamma", [F(1, 10), F(1, 2), F(9, 10), F(99, 100)])
def test_figure_3_closed_forms_exactly(gamma):
    result = exact_power(FIG1, gamma)
    assert result["empty"] == F(1, 2)
    assert result["left_down"] == (F(2, 3) + gamma / 2) / (1 + gamma)
    assert result["right_down"] == F(2, 3)


def test_figure_1_limits():
    assert exact_power(FIG1, 1)["left_down"] == F(7, 12)
    assert exact_power(FIG1, 0)["start"] == F(3, 4)


def test_k_way_choice():
    for gamma in (0, "1/3", "3/4", 1):
        assert exact_power(load("k-way-choice"), gamma)["start"] == F(4, 5)
        assert exact_optimality(load("k-way-choice"), gamma, state="start").of("start", "t2") == F(
            1, 4
        )


def test_candy_wait_published_endpoints():
    candy = load("candy-wait")
    assert exact_power(candy, 0)["start"] == F(2, 3)
    assert exact_power(candy, 1)["start"] == F(3, 4)
    assert exact_optimality(candy, 0, state="start").of("start", "wait") == F(1, 2)
    assert exact_optimality(candy, 1, state="start").of("start", "wait") == F(2, 3)


def test_tic_tac_toe_and_aima_limits():
    game = exact_optimality(load("tic-tac-toe-fragment"), 1, state="start")
    assert game.of("start", "play_on") == F(1, 2)
    assert all(game.of("start", f"end_{k}") == F(1, 10) for k in range(1, 6))
    aima = load("aima-4x3")
    F_start = visit_distributions(aima, (2, 0))
    red = [f for f in F_start if f.cycle == ((1, 3),)]
    assert exact_visit_optimality(aima, (2, 0), red, 1).probability == F(1, 11)
    assert exact_power(aima, 1)[(2, 0)] == F(11, 12)


@pytest.mark.slow
def test_uniform_on_another_interval_is_an_affine_map():
    low = exact_power(FIG1, "1/2", dist=IID(stats.uniform(-1, 3)))  # uniform on [-1, 2]
    base = exact_power(FIG1, "1/2")
    assert low.power == tuple(-1 + 3 * p for p in base.power)


def test_finite_support_by_hand():
    candy = load("candy-wait")  # start, wait, candy, chocolate, hug
    coin = IID(stats.bernoulli(0.5))
    assert exact_power(candy, 0, dist=coin)["start"] == F(3, 4)
    assert exact_power(candy, 1, dist=coin)["start"] == F(7, 8)
    lexicographic = exact_optimality(candy, 0, state="start", dist=coin)
    # ties on E R(s_1) (probability 1/2) are broken one step later
    assert lexicographic.of("start", "wait") == F(11, 16)
    assert lexicographic.of("start", "candy") == F(9, 16)
    assert lexicographic.tie_mass == (F(1, 4),)
    point = FiniteSupport([[0, 0, 1, 0, 1], [0, 1, 0, 0, 0]], weights=[0.25, 0.75])
    # POWER(wait) = E max(R(chocolate), R(hug)) = 1/4·1 + 3/4·0
    assert exact_power(candy, "1/2", dist=point)["wait"] == F(1, 4)


def test_three_valued_and_per_state_supports():
    k_way = load("k-way-choice")
    three = exact_power(k_way, "1/2", dist=IID(stats.randint(0, 3)))
    # E[max of 4 iid uniform on {0, 1, 2}] = Σ_{t=1,2} P(max ≥ t)
    assert three["start"] == (1 - F(1, 3) ** 4) + (1 - F(2, 3) ** 4)
    mixed = PerState({"t1": stats.bernoulli(0.25)}, default=stats.bernoulli(0.5))
    assert exact_power(k_way, 0, dist=mixed)["start"] == 1 - F(3, 4) * F(1, 2) ** 3


@settings(max_examples=examples(25), deadline=None)
@given(successor_graphs(max_states=4), st.sampled_from(["1/5", "7/10", 0, 1]))
def test_exact_bernoulli_agrees_with_monte_carlo(graph, gamma):
    mdp = from_graph(graph)
    coin = IID(stats.bernoulli(0.5))
    exact = exact_power(mdp, gamma, dist=coin)
    estimate = power(mdp, float(Fraction(gamma)), dist=coin, n_samples=3000, rng=1)
    for value, mean, se in zip(exact.power, estimate.power, estimate.stderr):
        assert abs(float(value) - mean) <= 5 * se + 1e-12


@settings(max_examples=examples(25), deadline=None)
@given(stochastic_multigraphs(max_states=3, max_actions=2), st.sampled_from(["1/2", 0]))
def test_exact_stochastic_agrees_with_monte_carlo(graph, gamma):
    mdp = from_graph(graph)
    coin = IID(stats.bernoulli(0.5))
    exact = exact_power(mdp, gamma, dist=coin)
    estimate = power(mdp, float(Fraction(gamma)), dist=coin, n_samples=3000, rng=2)
    for value, mean, se in zip(exact.power, estimate.power, estimate.stderr):
        assert abs(float(value) - mean) <= 5 * se + 1e-12


@settings(max_examples=examples(25), deadline=None)
@given(successor_graphs(max_states=4), st.sampled_from(["1/3", "4/5"]))
def test_exact_uniform_agrees_with_monte_carlo(graph, gamma):
    mdp = from_graph(graph)
    exact = exact_power(mdp, gamma)
    estimate = power(mdp, float(Fraction(gamma)), n_samples=4000, rng=3)
    for value, mean, se in zip(exact.power, estimate.power, estimate.stderr):
        assert abs(float(value) - mean) <= 5 * se + 1e-12


@given(
    stochastic_multigraphs(max_states=4),
    st.sampled_from(["1/10", "1/2", "19/20"]),
    st.integers(0, 10**6),
)
def test_exact_solution_matches_the_batched_solver(graph, gamma, seed):
    mdp = from_graph(graph)
    r = [Fraction(int(x), 16) for x in np.random.default_rng(seed).integers(-16, 17, mdp.n_states)]
    solution = exact_solution(mdp, r, gamma)
    floats = [float(x) for x in r]
    g = float(Fraction(gamma))
    np.testing.assert_allclose(
        [float(v) for v in solution.values], solve(mdp, floats, g).values[0], atol=1e-8
    )
    np.testing.assert_allclose(
        [float(p) for p in solution.power], power_samples(mdp, [floats], g)[0], atol=1e-8
    )
    mask = optimal_actions(mdp, [floats], g)[0]
    for i, state in enumerate(mdp.states):
        lo = mdp.pair_offsets[i]
        chosen = {a for j, a in enumerate(mdp.actions[i]) if mask[lo + j]}
        assert set(solution.optimal_actions(state)) == chosen


@given(successor_graphs(max_states=4), st.integers(0, 10**6))
def test_exact_limit_sets_match_the_numerical_ones(graph, seed):
    mdp = from_graph(graph)
    r = [Fraction(int(x), 97) for x in np.random.default_rng(seed).integers(0, 98, mdp.n_states)]
    floats = [[float(x) for x in r]]
    for gamma in (0, 1):
        solution = exact_solution(mdp, r, gamma)
        mask = optimal_actions(mdp, floats, gamma)[0]
        for i, state in enumerate(mdp.states):
            lo = mdp.pair_offsets[i]
            chosen = {a for j, a in enumerate(mdp.actions[i]) if mask[lo + j]}
            assert set(solution.optimal_actions(state)) == chosen, (gamma, state)
        np.testing.assert_allclose(
            [float(p) for p in solution.power], power_samples(mdp, floats, gamma)[0], atol=1e-9
        )


def test_exact_ties_are_exact():
    candy = load("candy-wait")
    solution = exact_solution(candy, [0, 0, "1/2", 1, 0], "1/2")
    assert solution.optimal_actions("start") == ("candy", "wait")
    assert solution.power[0] == F(1, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: exact_power(load("powerplay-stochastic-4"), "1/2"), "deterministic MDPs"),
        (lambda: exact_power(FIG1, "1/2", dist=IID(stats.beta(2, 2))), "finitely many rewards"),
        (
            lambda: exact_power(
                load("powerplay-robot-face"), "1/2", dist=IID(stats.bernoulli(0.5))
            ),
            "would visit 1.68e\\+66 reward vectors",
        ),
        (lambda: exact_power(load("tic-tac-toe-fragment"), "1/2"), "depends on 11 rewards"),
        (lambda: exact_power(FIG1, "3/2"), r"`gamma` must be in \[0, 1\]"),
        (lambda: exact_solution(FIG1, [1, 2], "1/2"), "one reward per state"),
    ],
)
def test_exact_refusals(call, message):
    with pytest.raises(InvalidParameterError, match=message):
        call()


def test_documents():
    document = exact_power(load("candy-wait"), 1).to_dict()
    assert document["power"][0] == "3/4" and document["power_decimal"][0] == 0.75
    assert document["stderr"] == [0.0] * 5 and document["exact"] is True
    single = exact_optimality(load("candy-wait"), 1, state="start").to_dict()
    assert single["actions"][1]["probability"] == "2/3"
    assert single["actions"][1]["probability_decimal"] == pytest.approx(2 / 3)


def test_exact_set_optimality_is_a_result_like_the_monte_carlo_one():
    """exact_visit_optimality returns the exact twin of visit_optimality's result:
    the same table columns and value, within the Monte Carlo standard error, the
    probability as a fraction, and where it came from."""
    from powerseek.analysis import visit_optimality
    from powerseek.exact import ExactSetOptimality

    candy = load("candy-wait")
    functions = visit_distributions(candy, "start")
    subset = functions[:2]
    exact = exact_visit_optimality(candy, "start", subset, "1/2")
    assert isinstance(exact, ExactSetOptimality)
    sampled = visit_optimality(candy, "start", subset, 0.5, n_samples=20_000, rng=3)
    assert abs(exact.value - sampled.value) < 4 * sampled.stderr
    assert exact.stderr == 0.0 and float(exact) == exact.value
    assert (exact.state, exact.gamma, exact.n_functions) == ("start", F(1, 2), 2)
    assert exact.environment == "candy-wait" and exact.method.startswith("exact: ")
    document = exact.to_dict()
    assert F(document["probability"]) == exact.probability
    frame = exact.to_frame()
    mc = sampled.to_frame()
    assert set(mc.columns) <= set(frame.columns) | {"n_samples"}
    assert frame["value"].tolist() == [exact.value] and frame["exact"].tolist() == [
        str(exact.probability)
    ]
    # A finite-support distribution is enumerated instead, and says so.
    coin = exact_visit_optimality(candy, "start", subset, "1/2", dist=IID(stats.bernoulli(0.3)))
    assert coin.method.startswith("exact: enumeration") and coin.distribution != exact.distribution


def test_exact_results_carry_the_provenance_keys_of_monte_carlo_ones():
    candy = load("candy-wait")
    sampled = powerseek.power(candy, 0.5, n_samples=10, rng=0).provenance
    results = [
        exact_power(candy, "1/2"),
        exact_optimality(candy, "1/2", state="start"),
        exact_visit_optimality(candy, "start", visit_distributions(candy, "start")[:1], "1/2"),
    ]
    for result in results:
        record = result.provenance
        assert set(sampled) <= set(record)
        assert record["environment"] == "candy-wait" and record["sampling"] == "exact"
        assert record["n_samples"] is None and record["seed"] is None
        assert record["method"] == result.method
        with pytest.raises(TypeError, match="read-only"):
            record["seed"] = 0
