"""Decision rules in MDPs against closed forms and independent oracles.

Oracles: the lottery rules of ``agents.lotteries`` (a separate
implementation over outcome lotteries), RDSP's and P-SAT's closed forms
(theory.md C.6, B.4 item 44), plain soft value iteration written here state by
state, and brute-force policy evaluation (tests/oracles.py).
"""

import itertools
import math

import numpy as np
import pytest

from powerseek import MDP, gridworld, load
from powerseek.agents import (
    BestOfK,
    Boltzmann,
    EpsilonGreedy,
    Optimal,
    QLearning,
    Satisficer,
    SoftOptimal,
    TruncatedValueIteration,
    parse_rule,
    rule_policy,
    rule_power_samples,
)
from powerseek.agents import lotteries as decision_rules
from powerseek.analysis._optimality import optimal_actions
from powerseek.analysis._power import power_samples
from powerseek.exceptions import InvalidParameterError, InvalidTypeError, PowerseekError

OUTCOMES = ("ghost", "apple", "cherry")
TABLE_UTILITIES = [(10, 5, 0), (10, 0, 5), (5, 10, 0), (5, 0, 10), (0, 10, 5), (0, 5, 10)]


def choice_world(outcomes=OUTCOMES):
    """start -> one terminal state per outcome (a k-way choice)."""
    return MDP({"start": list(outcomes), **{o: [o] for o in outcomes}})


def rewards_for(mdp, utilities):
    """Reward rows: 0 at start, the utilities at the outcome states."""
    rows = np.zeros((len(utilities), mdp.n_states))
    for k, u in enumerate(utilities):
        for name, value in zip(mdp.actions_of("start"), u):
            rows[k, mdp.index(name)] = value
    return rows


def start_policy(mdp, policy):
    lo, hi = mdp.pair_offsets[0], mdp.pair_offsets[1]
    return policy[:, lo:hi]


# --- Boltzmann: RDSP Table 2 through the MDP ------------------------------------


@pytest.mark.parametrize("gamma", [0.3, 0.9, 0.999])
def test_boltzmann_k_way_choice_is_the_lottery_rule(gamma):
    """π ∝ exp(γ·u/T): with T = γ·T' it is RDSP's Boltzmann_{T'} (Table 2)."""
    mdp = choice_world()
    R = rewards_for(mdp, TABLE_UTILITIES)
    pi = start_policy(mdp, rule_policy(mdp, R, gamma, Boltzmann(gamma * 1.0)))
    x1 = pi[:, 0] + pi[:, 1]  # X1 = {ghost, apple}
    lottery = decision_rules.boltzmann(
        np.eye(3)[:2], np.eye(3), np.array(TABLE_UTILITIES), temperature=1.0
    )
    np.testing.assert_allclose(x1, lottery, rtol=0, atol=1e-9)
    assert round(float(x1[1]), 5) == 0.99331  # (e^10 + 1) / (e^10 + 1 + e^5)
    np.testing.assert_allclose(pi.sum(axis=1), 1.0, atol=1e-12)


def test_boltzmann_at_high_and_low_temperature():
    mdp = choice_world()
    R = rewards_for(mdp, [(0.2, 0.9, 0.4)])
    hot = start_policy(mdp, rule_policy(mdp, R, 0.9, Boltzmann(1e9)))
    cold = start_policy(mdp, rule_policy(mdp, R, 0.9, Boltzmann(1e-6)))
    np.testing.assert_allclose(hot, [[1 / 3] * 3], atol=1e-8)
    np.testing.assert_allclose(cold, [[0, 1, 0]], atol=1e-12)


# --- ε-greedy ---------------------------------------------------------------------


def test_epsilon_greedy_spreads_epsilon_over_the_other_actions():
    mdp = choice_world(("a", "b", "c", "d", "e"))
    R = rewards_for(mdp, [(0.1, 0.7, 0.3, 0.2, 0.5), (0.4, 0.4, 0.1, 0.0, 0.2)])
    pi = start_policy(mdp, rule_policy(mdp, R, 0.9, EpsilonGreedy(0.2)))
    np.testing.assert_allclose(pi[0], [0.05, 0.8, 0.05, 0.05, 0.05], atol=1e-12)
    # a tie between a and b: 0.8 split over the tie, 0.2 over the other three
    np.testing.assert_allclose(pi[1], [0.4, 0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3], atol=1e-12)


def test_epsilon_greedy_of_zero_and_one():
    mdp = load("candy-wait")
    R = np.random.default_rng(0).random((20, mdp.n_states))
    optimal = optimal_actions(mdp, R, 0.9)
    greedy = rule_policy(mdp, R, 0.9, EpsilonGreedy(0.0))
    np.testing.assert_array_equal(greedy > 0, optimal)
    anti = rule_policy(mdp, R, 0.9, EpsilonGreedy(1.0))
    two_actions = np.diff(mdp.pair_offsets)[mdp.pair_states] == 2
    np.testing.assert_array_equal((anti > 0)[:, two_actions], ~optimal[:, two_actions])


# --- satisficer: RDSP Table 2 -----------------------------------------------------


def test_satisficer_is_the_lottery_rule_on_the_reward_scale():
    gamma = 0.8
    mdp = choice_world()
    R = rewards_for(mdp, TABLE_UTILITIES)
    # (1−γ)Q*(start, a) = γ·u_a, so the threshold 3γ is Satisfice_{t=3} of the table
    pi = start_policy(mdp, rule_policy(mdp, R, gamma, Satisficer(3 * gamma)))
    expected = decision_rules.satisfice(
        np.eye(3)[:2], np.eye(3), np.array(TABLE_UTILITIES), threshold=3
    )
    np.testing.assert_allclose(pi[:, 0] + pi[:, 1], expected, atol=1e-12)
    np.testing.assert_allclose(expected, [1, 0.5, 1, 0.5, 0.5, 0.5])


def test_satisficer_acts_optimally_where_nothing_reaches_and_refuses_the_unreachable():
    mdp = choice_world()
    R = rewards_for(mdp, [(0.2, 0.9, 0.4)])
    pi = start_policy(mdp, rule_policy(mdp, R, 0.5, Satisficer(0.44)))
    np.testing.assert_allclose(pi, [[0, 1, 0]])  # only apple reaches 0.44 at γ = 0.5
    # at Candy/Wait's wait state neither action reaches 0.4 at γ = 0.5: act optimally there
    candy = load("candy-wait")
    R2 = np.array([[0.0, 0.0, 0.9, 0.3, 0.1]])
    pi2 = rule_policy(candy, R2, 0.5, Satisficer(0.4))[0]
    np.testing.assert_allclose(pi2[:4], [1, 0, 1, 0])  # start: candy (0.45); wait: chocolate
    with pytest.raises(InvalidParameterError, match="reached by no action") as error:
        rule_policy(mdp, R, 0.5, Satisficer(5.0))
    assert "\n" not in str(error.value)


# --- best-of-k --------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5])
def test_best_of_k_matches_the_exact_lottery_rule(k):
    """RDSP's best-of-k over the k-way choice, exact in agents.lotteries."""
    mdp = choice_world()
    n = 40_000
    R = rewards_for(mdp, [(0.9, 0.2, 0.5)] * n)
    pi = start_policy(mdp, rule_policy(mdp, R, 0.9, BestOfK(k), rng=3))
    exact = [
        float(decision_rules.best_of_k(np.eye(3)[[i]], np.eye(3), np.array([0.9, 0.2, 0.5]), k=k))
        for i in range(3)
    ]
    se = np.sqrt(np.array(exact) * (1 - np.array(exact)) / n) + 1e-12
    assert np.all(np.abs(pi.mean(axis=0) - exact) <= 4.5 * se), (pi.mean(axis=0), exact)
    assert exact[0] == pytest.approx(1 - (2 / 3) ** k)


def test_best_of_k_power_is_the_committed_policys_value():
    """Oracle: draw the same policies by hand and evaluate them by a dense solve."""
    from oracles import policy_values  # noqa: PLC0415 - the tests' oracle module

    mdp = gridworld.parse(["...", ".#."], noise=0.1)
    rng = np.random.default_rng(1)
    R = rng.random((6, mdp.n_states))
    gamma = 0.9
    k = 4
    power = rule_power_samples(mdp, R, gamma, BestOfK(k), rng=11)
    # the rule's streams: one for explicit rewards, spawn key (2,) of entropy (seed,)
    generator = np.random.default_rng(np.random.SeedSequence([11], spawn_key=(2,)))
    counts = np.diff(mdp.pair_offsets)
    uniforms = generator.random((k, mdp.n_states, R.shape[0]))
    drawn = mdp.pair_offsets[:-1][:, None] + np.minimum(
        (uniforms * counts[:, None]).astype(int), counts[:, None] - 1
    )
    T = mdp.transition_matrix.toarray()
    for j in range(R.shape[0]):
        W = np.array(
            [
                (1 - gamma) * policy_values(mdp, drawn[i, :, j], R[j : j + 1], gamma)[0]
                for i in range(k)
            ]
        )
        best = W.argmax(axis=0)
        for s in range(mdp.n_states):
            i = best[s]
            after = T[drawn[i, s, j]] @ W[i]
            assert power[j, s] == pytest.approx(after, abs=1e-10)


# --- soft-optimal: against plain soft value iteration --------------------------------


def soft_value_iteration(mdp, r, gamma, temperature, sweeps=20_000):
    """W(s) = (1−γ)r(s) + T log Σ_a exp(γ T(s,a)·W / T), state by state, to convergence."""
    T = mdp.transition_matrix.toarray()
    W = np.zeros(mdp.n_states)
    for _ in range(sweeps):
        new = np.empty_like(W)
        for s in range(mdp.n_states):
            q = [gamma * T[p] @ W / temperature for p in range(*mdp.pair_offsets[s : s + 2])]
            top = max(q)
            new[s] = (1 - gamma) * r[s] + temperature * (
                top + math.log(sum(math.exp(x - top) for x in q))
            )
        if np.abs(new - W).max() < 1e-14:
            W = new
            break
        W = new
    policy = []
    for s in range(mdp.n_states):
        q = np.array([gamma * T[p] @ W / temperature for p in range(*mdp.pair_offsets[s : s + 2])])
        e = np.exp(q - q.max())
        policy.extend(e / e.sum())
    return W, np.array(policy)


@pytest.mark.parametrize("gamma, temperature", [(0.5, 0.3), (0.9, 0.05), (0.97, 0.01)])
def test_soft_optimal_matches_soft_value_iteration(gamma, temperature):
    from powerseek.analysis import engine

    mdp = gridworld.parse(["..", ".#", ".."], noise=0.1)
    R = np.random.default_rng(4).random((3, mdp.n_states))
    rule = SoftOptimal(temperature)
    ctx = engine.context_for(mdp, R, gamma)
    W, pi, bound = rule.solve(ctx)
    assert bound <= 1e-9
    for j in range(R.shape[0]):
        W_ref, pi_ref = soft_value_iteration(mdp, R[j], gamma, temperature)
        np.testing.assert_allclose(W[:, j], W_ref, atol=1e-9)
        np.testing.assert_allclose(pi[:, j], pi_ref, atol=1e-8)


def test_soft_optimal_tends_to_optimal_as_temperature_falls():
    mdp = load("candy-wait")
    R = np.random.default_rng(5).random((10, mdp.n_states))
    cold = rule_policy(mdp, R, 0.9, SoftOptimal(1e-5))
    np.testing.assert_allclose(cold, rule_policy(mdp, R, 0.9, Optimal()), atol=1e-6)
    power_cold = rule_power_samples(mdp, R, 0.9, SoftOptimal(1e-5))
    np.testing.assert_allclose(power_cold, power_samples(mdp, R, 0.9), atol=1e-6)


# --- truncated value iteration -------------------------------------------------------


def truncated_policy(mdp, r, gamma, t, W0):
    """Oracle: t sweeps state by state, then greedy with ties split."""
    T = mdp.transition_matrix.toarray()
    W = np.array(W0, dtype=float)
    for _ in range(t):
        W = np.array(
            [
                (1 - gamma) * r[s]
                + gamma * max(T[p] @ W for p in range(*mdp.pair_offsets[s : s + 2]))
                for s in range(mdp.n_states)
            ]
        )
    out = []
    for s in range(mdp.n_states):
        q = np.array([T[p] @ W for p in range(*mdp.pair_offsets[s : s + 2])])
        best = np.isclose(q, q.max(), rtol=0, atol=1e-12)
        out.extend(best / best.sum())
    return np.array(out)


@pytest.mark.parametrize("t", [0, 1, 2, 5])
def test_truncated_value_iteration_against_sweeps_by_hand(t):
    mdp = load("turner-fig1")
    R = np.random.default_rng(6).random((4, mdp.n_states))
    init = np.linspace(0, 1, mdp.n_states)
    pi = rule_policy(mdp, R, 0.8, TruncatedValueIteration(t, init=list(init)))
    for j in range(R.shape[0]):
        np.testing.assert_allclose(pi[j], truncated_policy(mdp, R[j], 0.8, t, init), atol=1e-12)


def test_truncated_value_iteration_becomes_optimal():
    mdp = load("turner-fig1")
    R = np.random.default_rng(7).random((30, mdp.n_states))
    long_run = rule_policy(mdp, R, 0.9, TruncatedValueIteration(400))
    np.testing.assert_allclose(long_run, rule_policy(mdp, R, 0.9, Optimal()), atol=1e-12)
    first = rule_policy(mdp, R, 0.9, TruncatedValueIteration(0))  # W_0 = 0: every action ties
    counts = np.diff(mdp.pair_offsets)[mdp.pair_states]
    np.testing.assert_allclose(first, np.broadcast_to(1 / counts, first.shape))


# --- Q-learning: P-SAT's closed form and the ε-greedy bandit --------------------------


@pytest.mark.parametrize("epsilon", [0.05, 0.3])
@pytest.mark.parametrize("gamma", [0.9, 1.0])
def test_q_learning_matches_the_psat_closed_form(epsilon, gamma):
    """3 terminal outcomes, reward 1 on Down only, 100 one-step episodes, Q_0 = −100, α = 1."""
    mdp = MDP(
        {
            "start": ["down", "left", "right"],
            "down": ["down"],
            "left": ["left"],
            "right": ["right"],
        },
        metadata={"start": "start"},
    )
    n = 20_000
    R = np.zeros((n, mdp.n_states))
    R[:, mdp.index("down")] = 1.0
    rule = QLearning(episodes=100, epsilon=epsilon, alpha=1.0, init=-100.0)
    pi = start_policy(mdp, rule_policy(mdp, R, gamma, rule, rng=2))
    never = (2 / 3) * (1 - epsilon / 2) ** 99
    expected = np.array([1 - never, never / 2, never / 2])
    se = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(pi.mean(axis=0) - expected) <= 4.5 * se), (pi.mean(axis=0), expected)


def test_epsilon_greedy_bandit_of_lemma_c1():
    """RDSP Prop C.2 / Lemma C.1: 5 arms, T = 100 trials, α = 1, exploration uniform over
    the 4 non-greedy arms: the strictly best arm is learnt with probability
    1 − (4/5)(1 − ε/4)^99 ≥ 1 − (1 − ε/4)^100."""
    arms = ("a1", "a2", "a3", "a4", "a5")
    mdp = MDP({"start": list(arms), **{a: [a] for a in arms}}, metadata={"start": "start"})
    n, epsilon = 20_000, 0.04
    rng = np.random.default_rng(8)
    R = np.zeros((n, mdp.n_states))
    R[:, 1:] = rng.random((n, 5))
    rule = QLearning(episodes=100, epsilon=epsilon, init=-100.0)
    pi = start_policy(mdp, rule_policy(mdp, R, 0.9, rule, rng=9))
    best = R[:, 1:].argmax(axis=1)
    learnt = pi[np.arange(n), best]
    exact = 1 - (4 / 5) * (1 - epsilon / 4) ** 99
    se = math.sqrt(exact * (1 - exact) / n)
    assert abs(learnt.mean() - exact) <= 4.5 * se
    assert learnt.mean() >= 1 - (1 - epsilon / 4) ** 100 - 4.5 * se
    # p_train(B = {a2..a5}) against p_train(A = {a1}) over each utility's orbit: ≥ 4 of 5 prefer B
    u = np.array([0.9, 0.1, 0.3, 0.5, 0.7])
    orbit = np.array(list(itertools.permutations(u)))
    Ro = np.zeros((len(orbit), mdp.n_states))
    Ro[:, 1:] = orbit
    reps = 400
    probs = start_policy(mdp, rule_policy(mdp, np.repeat(Ro, reps, axis=0), 0.9, rule, rng=10))
    probs = probs.reshape(len(orbit), reps, 5).mean(axis=1)
    assert np.mean(probs[:, 1:].sum(axis=1) > probs[:, 0]) >= 4 / 5


def test_q_learning_on_a_stochastic_world_learns_the_optimal_policy():
    """Many episodes with α < 1 on a slip gridworld: the greedy policy is the optimal one
    where the optimal action is clear."""
    mdp = gridworld.parse(["...", "..."], noise=0.1)
    R = np.zeros((200, mdp.n_states))
    R[:, mdp.n_states - 1] = 1.0  # one rewarding corner
    pi = rule_policy(mdp, R, 0.8, QLearning(episodes=300, epsilon=0.3, alpha=0.3), rng=1)
    optimal = rule_policy(mdp, R[:1], 0.8, Optimal())[0]
    agree = (pi * optimal).sum(axis=1) / optimal.sum()
    assert agree.mean() > 0.8


# --- POWER of a d-agent --------------------------------------------------------------

RULES = [
    Boltzmann(0.05),
    SoftOptimal(0.05),
    EpsilonGreedy(0.3),
    Satisficer(0.4),
    BestOfK(3),
    TruncatedValueIteration(2, init="random"),
    QLearning(episodes=30, epsilon=0.2, alpha=0.5),
]


@pytest.mark.parametrize("rule", RULES, ids=str)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.99])
def test_power_of_any_rule_is_at_most_power(rule, gamma):
    mdp = gridworld.parse(["..#.", "...."], noise=0.1)
    R = np.random.default_rng(12).random((25, mdp.n_states))
    bounded = rule_power_samples(mdp, R, gamma, rule, rng=4)
    optimal = power_samples(mdp, R, gamma)
    assert np.all(bounded <= optimal + 1e-9)


@pytest.mark.parametrize("rule", RULES[:4], ids=str)
def test_power_of_a_rule_against_brute_force_evaluation(rule):
    mdp = gridworld.parse(["..", ".."], noise=0.1)
    R = np.random.default_rng(13).random((3, mdp.n_states))
    gamma = 0.95
    pi = rule_policy(mdp, R, gamma, rule)
    power = rule_power_samples(mdp, R, gamma, rule)
    T = mdp.transition_matrix.toarray()
    owner = mdp.pair_states
    for j in range(R.shape[0]):
        P = np.zeros((mdp.n_states, mdp.n_states))
        np.add.at(P, owner, pi[j][:, None] * T)
        V = np.linalg.solve(np.eye(mdp.n_states) - gamma * P, R[j])
        expected = np.zeros(mdp.n_states)
        np.add.at(expected, owner, pi[j] * (T @ ((1 - gamma) * V)))
        np.testing.assert_allclose(power[j], expected, atol=1e-10)


def test_optimal_rule_power_is_power_exactly():
    mdp = gridworld.parse(["...", ".#."], noise=0.1)
    R = np.random.default_rng(14).random((10, mdp.n_states))
    for gamma in (0.0, 0.7, 1.0):
        np.testing.assert_array_equal(
            rule_power_samples(mdp, R, gamma, Optimal()), power_samples(mdp, R, gamma)
        )


# --- rules as values and their bad input ---------------------------------------------


def test_rules_are_values():
    assert Boltzmann(0.1) == Boltzmann(0.1) and hash(Boltzmann(0.1)) == hash(Boltzmann(0.1))
    assert len({EpsilonGreedy(0.1), EpsilonGreedy(0.1), EpsilonGreedy(0.2)}) == 2
    for rule in [*RULES, Optimal(), QLearning(200, epsilon=0.1)]:
        assert parse_rule(str(rule)) == rule
    with pytest.raises(AttributeError):
        Boltzmann(0.1).temperature = 2  # frozen


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: Boltzmann(0), "temperature"),
        (lambda: Boltzmann(-1.0), "temperature"),
        (lambda: Boltzmann(float("nan")), "temperature"),
        (lambda: SoftOptimal(0), "temperature"),
        (lambda: EpsilonGreedy(1.5), "epsilon"),
        (lambda: EpsilonGreedy(-0.1), "epsilon"),
        (lambda: BestOfK(0), "`k`"),
        (lambda: BestOfK(2.5), "`k`"),
        (lambda: TruncatedValueIteration(-1), "`t`"),
        (lambda: TruncatedValueIteration(3, init="warm"), "init"),
        (lambda: QLearning(episodes=-3), "episodes"),
        (lambda: QLearning(episodes=10, alpha=0), "alpha"),
        (lambda: parse_rule("boltzman:0.1"), "boltzmann"),
        (lambda: parse_rule("q-learning:episodes=20,epsilon"), "key=value"),
        (lambda: parse_rule("q-learning:episode=20"), "no parameter"),
        (lambda: parse_rule("q-learning:epsilon=0.1"), "lacks"),
        (lambda: parse_rule("optimal:3"), "no parameters"),
    ],
)
def test_bad_rules_get_one_line_errors(make, words):
    with pytest.raises(PowerseekError) as error:
        make()
    message = str(error.value)
    assert words in message and "\n" not in message, message
    assert isinstance(error.value, (InvalidParameterError, InvalidTypeError))


def test_gamma_one_is_refused_where_a_rule_has_no_limit():
    mdp = load("candy-wait")
    R = np.random.default_rng(0).random((2, mdp.n_states))
    with pytest.raises(InvalidParameterError, match="gamma in \\[0, 1\\)"):
        rule_policy(mdp, R, 1.0, SoftOptimal(0.1))
    with pytest.raises(InvalidParameterError, match="POWER of a boltzmann:0.1 agent"):
        rule_power_samples(mdp, R, 1.0, Boltzmann(0.1))
    rule_policy(mdp, R, 1.0, Boltzmann(0.1))  # choices have the gain limit


# --- quantilizer over visit distributions ---------------------------------------------


def test_quantilizer_on_the_k_way_choice_is_the_lottery_rule():
    from powerseek.agents import Quantilizer

    mdp = choice_world()
    R = rewards_for(mdp, TABLE_UTILITIES)
    for q in (0.2, 0.5, 2 / 3, 1.0):
        pi = start_policy(mdp, rule_policy(mdp, R, 0.8, Quantilizer(q)))
        for i in range(3):
            expected = decision_rules.quantilize(
                np.eye(3)[[i]], np.eye(3), np.array(TABLE_UTILITIES, dtype=float), q=q
            )
            np.testing.assert_allclose(pi[:, i], expected, atol=1e-12)


def test_quantilizer_limits_on_figure_1():
    from powerseek.agents import Quantilizer
    from powerseek.visits import visit_distributions

    mdp = load("turner-fig1")
    R = np.random.default_rng(15).random((40, mdp.n_states))
    # q = 1: uniform over F(start), so each action's share of F(start)
    F = visit_distributions(mdp, "start")
    counts = {a: sum(f.policy["start"] == a for f in F) / len(F) for a in mdp.actions_of("start")}
    pi = start_policy(mdp, rule_policy(mdp, R, 0.9, Quantilizer(1.0)))
    np.testing.assert_allclose(
        pi, np.broadcast_to([counts[a] for a in mdp.actions_of("start")], pi.shape)
    )
    # q -> 0: the best visit distribution, so the optimal agent's POWER
    np.testing.assert_allclose(
        rule_power_samples(mdp, R, 0.9, Quantilizer(1e-9)), power_samples(mdp, R, 0.9), atol=1e-12
    )
    assert np.all(
        rule_power_samples(mdp, R, 0.9, Quantilizer(0.3)) <= power_samples(mdp, R, 0.9) + 1e-12
    )
    with pytest.raises(InvalidParameterError, match="`q`"):
        Quantilizer(0)
    with pytest.raises(InvalidParameterError, match="gamma in \\(0, 1\\)"):
        rule_policy(mdp, R, 0.0, Quantilizer(0.5))


@pytest.mark.parametrize("temperature", [0.25, 1.0, 3.0])
@pytest.mark.parametrize("gamma", [0.3, 0.9])
def test_boltzmann_at_several_temperatures_is_the_softmax_formula(gamma, temperature):
    """At one temperature (T = 1 for the lottery rule) a rule that ignored T passed."""
    mdp = choice_world()
    R = rewards_for(mdp, [(0.2, 0.9, 0.4), (1.0, 0.0, 0.5)])
    pi = start_policy(mdp, rule_policy(mdp, R, gamma, Boltzmann(temperature)))
    # each outcome is terminal with reward u: (1 - γ)·Q*(start, k) - (1 - γ)R(start) = γ·u_k
    u = R[:, [mdp.index(o) for o in OUTCOMES]]
    weights = np.exp(gamma * u / temperature)
    np.testing.assert_allclose(pi, weights / weights.sum(axis=1, keepdims=True), atol=1e-12)
    lottery = decision_rules.boltzmann(np.eye(3)[:1], np.eye(3), u, temperature=temperature)
    expected = np.exp(u / temperature)
    np.testing.assert_allclose(lottery, expected[:, 0] / expected.sum(axis=1), atol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda **kw: rule_policy(choice_world(), [0, 0.2, 0.9, 0.4], 0.9, "best-of-k:2", **kw),
        lambda **kw: rule_power_samples(choice_world(), [0, 0.2, 0.9, 0.4], 0.9, "best-of-k:2",
                                        **kw),
    ],
)  # fmt: skip
def test_the_old_seed_keyword_still_works_with_a_warning(call):
    """`seed=` became `rng=`, as everywhere in powerseek; the old name goes next release."""
    with pytest.warns(FutureWarning, match="`seed` of .* is now `rng`"):
        old = call(seed=5)
    np.testing.assert_array_equal(old, call(rng=5))
    with pytest.raises(InvalidParameterError, match="give one of them"):
        call(seed=5, rng=5)
