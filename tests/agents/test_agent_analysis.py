"""Choice probabilities and POWER of bounded agents on the engine.

The optimal rule must reproduce the optimal-agent analyses bit for bit; other
rules are checked against closed forms (ε-greedy's mixture, RDSP Table 2),
and every rule must give the same numbers whatever the chunking or executor.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from powerseek import MDP, gridworld, load, optimality, optimality_sweep, power, power_sweep
from powerseek.agents import (
    BestOfK,
    Boltzmann,
    EpsilonGreedy,
    Optimal,
    QLearning,
    Satisficer,
    TruncatedValueIteration,
    choice_probability,
    choice_probability_sweep,
    rule_power,
    rule_power_seeking,
    rule_power_sweep,
)
from powerseek.exceptions import InvalidParameterError
from powerseek.rewards import FiniteSupport


@pytest.mark.parametrize("gammas", [[0.0], [0.6, 0.95], [1.0]])
def test_the_optimal_rule_is_todays_optimality_bit_for_bit(gammas):
    mdp = load("turner-fig1")
    # a two-point distribution: ties have positive probability, so Def 4.4 matters
    dist = FiniteSupport(np.eye(mdp.n_states)[[0, 3]].tolist() + [[0.5] * mdp.n_states])
    for d in (None, dist):
        ours = choice_probability_sweep(mdp, gammas, Optimal(), dist=d, n_samples=600, rng=3)
        today = optimality_sweep(mdp, gammas, dist=d, n_samples=600, rng=3)
        for a, b in zip(ours, today):
            np.testing.assert_array_equal(a.probability, b.probability)
            np.testing.assert_array_equal(a.stderr, b.stderr)
            np.testing.assert_array_equal(a.tie_mass.mean, b.tie_mass.mean)
        assert ours[0].provenance["rule"] == "optimal"


def test_the_optimal_rule_power_is_power_bit_for_bit():
    mdp = gridworld.parse(["...", ".#."], noise=0.1)
    gammas = [0.0, 0.5, 0.99, 1.0]
    ours = rule_power_sweep(mdp, gammas, "optimal", n_samples=500, rng=5)
    today = power_sweep(mdp, gammas, n_samples=500, rng=5)
    np.testing.assert_array_equal(ours.power, today.power)
    np.testing.assert_array_equal(ours.stderr, today.stderr)


@pytest.mark.parametrize("epsilon", [0.1, 0.37])
def test_epsilon_greedy_mixes_the_optimality_probability_exactly(epsilon):
    """Two actions, no ties: P_ε(a) = (1−ε)·P(a) + ε·(1 − P(a)) on the same samples."""
    mdp = load("candy-wait")
    for gamma in (0.3, 0.9, 0.999):
        ours = choice_probability(
            mdp, gamma, EpsilonGreedy(epsilon), state="start", n_samples=3000, rng=1
        )
        optimal = optimality(mdp, gamma, state="start", n_samples=3000, rng=1)
        p = optimal.probability
        np.testing.assert_allclose(
            ours.probability, (1 - epsilon) * p + epsilon * (1 - p), rtol=0, atol=1e-12
        )


def test_boltzmann_table_value_through_the_engine():
    """RDSP Table 2: Boltzmann_{T=1}(X1 | u = (10, 0, 5)) = 0.99331, with T = γ."""
    mdp = MDP(
        {
            "start": ["ghost", "apple", "cherry"],
            "ghost": ["ghost"],
            "apple": ["apple"],
            "cherry": ["cherry"],
        }
    )
    u = [0.0, 10.0, 0.0, 5.0]
    result = choice_probability(
        mdp, 0.9, Boltzmann(0.9), state="start", dist=FiniteSupport([u]), n_samples=10, rng=0
    )
    x1 = result.of("start", "ghost") + result.of("start", "apple")
    assert round(x1, 5) == 0.99331
    assert result.stderr_of("start", "ghost") == 0.0


RANDOMISED = [
    QLearning(episodes=15, epsilon=0.3, alpha=0.5),
    BestOfK(3),
    TruncatedValueIteration(2, init="random"),
    Boltzmann(0.1),
]


@pytest.mark.parametrize("rule", RANDOMISED, ids=str)
def test_rules_agree_across_chunking_and_workers(rule):
    mdp = gridworld.parse(["...", "..."], noise=0.1)
    kwargs = dict(n_samples=700, rng=7)
    plain = rule_power(mdp, 0.9, rule, **kwargs)
    chunked = rule_power(mdp, 0.9, rule, chunk_size=64, **kwargs)
    with ThreadPoolExecutor(2) as pool:
        threaded = rule_power(mdp, 0.9, rule, chunk_size=100, executor=pool, **kwargs)
    for other in (chunked, threaded):
        np.testing.assert_allclose(other.power, plain.power, rtol=0, atol=1e-13)
        np.testing.assert_allclose(other.stderr, plain.stderr, rtol=0, atol=1e-13)
    p1 = choice_probability(mdp, 0.9, rule, **kwargs)
    p2 = choice_probability(mdp, 0.9, rule, chunk_size=50, **kwargs)
    np.testing.assert_allclose(p1.probability, p2.probability, rtol=0, atol=1e-13)


def test_several_rules_share_samples_and_streams():
    """A sweep over a rule's parameter gives each rule's numbers as its own run would."""
    mdp = load("turner-fig1")
    rules = [Boltzmann(t) for t in (0.01, 0.1, 1.0)] + [QLearning(episodes=10)]
    together = choice_probability_sweep(mdp, [0.5, 0.9], rules, n_samples=400, rng=2)
    for rule, sweep in zip(rules, together):
        alone = choice_probability_sweep(mdp, [0.5, 0.9], rule, n_samples=400, rng=2)
        np.testing.assert_array_equal(sweep.probability, alone.probability)
        assert sweep[0].provenance["rule"] == str(rule)
    # hotter Boltzmann agents choose the power-seeking move less often at start
    p = [s[1].of("start", "right") for s in together[:3]]
    assert p[0] > p[1] > p[2] > 1 / 3


def test_probabilities_of_a_proper_rule_sum_to_one():
    mdp = load("turner-fig1")
    result = choice_probability(mdp, 0.9, Satisficer(0.6), n_samples=300, rng=4)
    offsets = np.cumsum([0] + [len(a) for a in result.actions])
    sums = np.add.reduceat(result.probability, offsets[:-1])
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)


def test_power_of_bounded_agents_is_at_most_power_and_falls_with_temperature():
    mdp = load("turner-fig1")
    optimal = power(mdp, 0.9, n_samples=1000, rng=8)
    rules = [Boltzmann(t) for t in (0.01, 0.1, 1.0)]
    results = rule_power(mdp, 0.9, rules, n_samples=1000, rng=8)
    previous = optimal.power
    for result in results:
        assert np.all(result.power <= previous + 1e-12)
        previous = result.power


def test_json_keeps_its_contract_and_adds_the_rule():
    mdp = load("candy-wait")
    doc = rule_power(mdp, 0.9, "boltzmann:0.1", n_samples=50, rng=0).to_dict()
    plain = power(mdp, 0.9, n_samples=50, rng=0).to_dict()
    assert doc["rule"] == "boltzmann:0.1" and "rule" not in plain
    assert set(doc) - {"rule"} == set(plain)
    opt = choice_probability(mdp, 0.9, "epsilon-greedy:0.05", n_samples=50, rng=0).to_dict()
    assert opt["rule"] == "epsilon-greedy:0.05"
    assert set(opt) - {"rule"} == set(optimality(mdp, 0.9, n_samples=50, rng=0).to_dict())
    seeking = rule_power_seeking(mdp, "start", 0.9, "boltzmann:0.1", n_samples=50, rng=0)
    assert seeking.to_dict()["rule"] == "boltzmann:0.1"


def test_power_seeking_of_a_boltzmann_agent_on_figure_1():
    mdp = load("turner-fig1")
    result = rule_power_seeking(mdp, "start", 0.9, Boltzmann(0.05), n_samples=2000, rng=1)
    assert result.seeks_more_power("right", "left") is True
    optimal = rule_power_seeking(mdp, "start", 0.9, Optimal(), n_samples=2000, rng=1)
    assert np.all(result.expected <= optimal.expected + 1e-12)


def test_bad_input_through_the_engine():
    mdp = load("candy-wait")
    with pytest.raises(InvalidParameterError, match="reached by no action"):
        choice_probability(mdp, 0.9, Satisficer(3.0), n_samples=20, rng=0)
    with pytest.raises(InvalidParameterError, match="POWER of a boltzmann:0.1 agent"):
        rule_power(mdp, 1.0, "boltzmann:0.1", n_samples=20, rng=0)
    with pytest.raises(InvalidParameterError, match="unknown decision rule"):
        rule_power(mdp, 0.9, "greedy", n_samples=20, rng=0)
    with pytest.raises(InvalidParameterError, match="empty sequence"):
        rule_power(mdp, 0.9, [], n_samples=20, rng=0)


def test_rules_run_on_quasi_monte_carlo_samples():
    """With --qmc the rule sees the same Sobol' points as the optimal agent."""
    mdp = load("candy-wait")
    ours = choice_probability(
        mdp, 0.9, EpsilonGreedy(0.2), state="start", n_samples=512, rng=0, qmc=True
    )
    optimal = optimality(mdp, 0.9, state="start", n_samples=512, rng=0, qmc=True)
    p = optimal.probability
    np.testing.assert_allclose(ours.probability, 0.8 * p + 0.2 * (1 - p), atol=1e-12)
    assert ours.provenance["sampling"] == optimal.provenance["sampling"] != "monte carlo"
