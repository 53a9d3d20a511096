"""Tests written against one-line engine bugs that the rest of the suite once let through.

Each test names the bug it kills (tools/mutation.py plants them) and compares the engine
with an independent oracle: cycle enumeration, brute force over every policy, exact
rational arithmetic, or scipy.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import brute_force_power_at_one, simple_cycles_mean_gain
from scipy import stats

from powerseek import MDP, from_graph, optimal_actions, power_samples, power_seeking
from powerseek.io._files import loads
from powerseek.solvers import _compiled as compiled
from powerseek.solvers._limits import lexicographic_optimal
from powerseek.symmetry._environmental import Permutation
from powerseek.symmetry._orbits import _wilson
from strategies import stochastic_multigraphs

# ----------------------------------------------------------------------
# Blackwell optimality at γ = 1: decided at the discounts in use, from the closer one


def _near_tie(path: int, gap: float, bonus: float, swap: bool):
    """From s, one action reaches a 1-cycle of reward 0.5 at once; the other walks `path`
    states of reward `bonus` first, to a 1-cycle whose reward is `gap` lower. Gains differ
    by `gap`, so Blackwell optimality (γ -> 1) takes the first; discounts farther from 1
    than about gap/bonus take the walk."""
    first, second = ("a", "b") if not swap else ("b", "a")
    transitions = {"s": {first: "x", second: "p1"}, "x": ["x"], "y": ["y"]}
    for k in range(1, path + 1):
        transitions[f"p{k}"] = {"go": f"p{k + 1}" if k < path else "y"}
    mdp = MDP(transitions)
    R = np.zeros(mdp.n_states)
    R[mdp.index("x")], R[mdp.index("y")] = 0.5, 0.5 - gap
    for k in range(1, path + 1):
        R[mdp.index(f"p{k}")] = bonus
    return mdp, R


#: The γ → 1 limit has a numpy and a compiled implementation; each is tested on its own
#: (with numba installed, "auto" would test only the compiled one).
KERNELS = [
    "numpy",
    pytest.param(
        "compiled",
        marks=pytest.mark.skipif(not compiled.available(), reason="needs numba (the fast extra)"),
    ),
]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("path, gap, bonus", [(1, 1e-5, 1.0), (3, 1e-5, 0.9), (2, 3e-5, 1.0)])
def test_blackwell_optimal_actions_follow_the_larger_gain(path, gap, bonus, swap, kernel):
    from powerseek.solvers._limits import blackwell_optimal

    mdp, R = _near_tie(path, gap, bonus, swap)
    # the oracle: gains by cycle enumeration; Blackwell optimality maximises the gain first
    gains = simple_cycles_mean_gain(mdp, R)[0]
    lo, hi = mdp.pair_offsets[0], mdp.pair_offsets[1]
    successor_gains = gains[mdp.successor_indices[lo:hi]]
    expected = successor_gains == successor_gains.max()
    assert expected.sum() == 1
    mask, _ = blackwell_optimal(mdp, np.array([R]).T, kernel=kernel)
    assert mask[lo:hi, 0].tolist() == expected.tolist()
    assert optimal_actions(mdp, [R], 1.0)[0, lo:hi].tolist() == expected.tolist()
    # and at 0.999 the walk really is optimal: the case separates the discounts
    assert optimal_actions(mdp, [R], 0.999)[0, lo:hi].tolist() == (~expected).tolist()


@pytest.mark.parametrize("kernel", KERNELS)
def test_samples_the_two_blackwell_discounts_disagree_on_are_reported(kernel):
    """A gain gap of 1e-5 against a bonus of 1 flips between γ = 1 − 1e-4 (the walk) and
    1 − 1e-6 (the cycle): that sample is unresolved; a gap of 0.1 is settled at both."""
    from powerseek import FiniteSupport, optimality
    from powerseek.solvers._limits import blackwell_optimal

    mdp, close = _near_tie(1, 1e-5, 1.0, False)
    _, clear = _near_tie(1, 0.1, 1.0, False)
    _, unresolved = blackwell_optimal(mdp, np.array([close, clear]).T, kernel=kernel)
    s = mdp.index("s")
    assert unresolved[s].tolist() == [True, False]
    assert not unresolved[mdp.index("x")].any()
    dist = FiniteSupport([close, clear])
    result = optimality(mdp, 1.0, state="s", dist=dist, n_samples=2000, rng=0)
    assert result.unresolved.mean[0] == pytest.approx(0.5, abs=0.05)


# ----------------------------------------------------------------------
# POWER at γ = 1 on stochastic MDPs: the gain of a Blackwell-optimal policy


@settings(max_examples=40)
@given(stochastic_multigraphs(max_states=5, max_actions=3), st.integers(0, 2**32 - 1))
def test_stochastic_power_at_one_matches_brute_force_gains(graph, seed):
    """Rewards with near-ties in gain (coins plus 1e-3 noise) separate a policy optimal
    at γ = 1 - 1e-3 from a Blackwell-optimal one. The engine decides at γ = 1 - 1e-5, so
    gains closer than about 1e-5 times the bias may be confused: the tolerance."""
    mdp = from_graph(graph)
    rng = np.random.default_rng(seed)
    R = rng.integers(0, 2, size=(8, mdp.n_states)) + 1e-3 * rng.random((8, mdp.n_states))
    np.testing.assert_allclose(
        power_samples(mdp, R, 1.0), brute_force_power_at_one(mdp, R), rtol=0, atol=2e-5
    )


def test_stochastic_power_at_one_on_a_planted_near_tie():
    """Staying in a loop of gain 0.5 beats a detour through reward 1 that ends in a
    loop of gain 0.5 - 1e-4, only when γ is within about 1e-4 of 1."""
    text = """[transitions]
s = { stay = { s = "1/3", t = "2/3" }, detour = { d = "1/2", e = "1/2" } }
t = { back = "s" }
d = { on = { f = "1/3", d = "2/3" } }
e = { on = "f" }
f = ["f"]
"""
    mdp = loads(text, "toml")
    R = np.zeros((1, mdp.n_states))
    R[0, mdp.index("s")] = R[0, mdp.index("t")] = 0.5
    R[0, mdp.index("d")] = R[0, mdp.index("e")] = 1.0
    R[0, mdp.index("f")] = 0.5 - 1e-4
    expected = brute_force_power_at_one(mdp, R)
    np.testing.assert_allclose(power_samples(mdp, R, 1.0), expected, atol=1e-8)


# ----------------------------------------------------------------------
# γ -> 0 with probabilities that are not dyadic: rounding ties are ties


def _rounding_tie_world():
    """E R(s_1) is 3/64 under both actions in exact arithmetic (probabilities 1/3, 2/3
    and 1/5, 4/5); in floating point action a comes out 1.4e-17 lower. One step
    later a leads to reward 1 and b to 0, so the lexicographic refinement takes a."""
    text = """[transitions]
s = { a = { x = "1/3", y = "2/3" }, b = { u = "1/5", v = "4/5" } }
x = { go = "hi" }
y = { go = "hi" }
u = { go = "lo" }
v = { go = "lo" }
hi = ["hi"]
lo = ["lo"]
"""
    mdp = loads(text, "toml")
    R = np.zeros(mdp.n_states)
    for state, reward in {"x": 0, "y": 9 / 64, "u": 2 / 64, "v": 7 / 64, "hi": 1.0}.items():
        R[mdp.index(state)] = reward
    return mdp, R


def test_the_gamma_zero_limit_treats_rounding_ties_as_ties():
    mdp, R = _rounding_tie_world()
    exact = {  # E R(s_1) with the probabilities as written
        "a": Fraction(1, 3) * 0 + Fraction(2, 3) * Fraction(9, 64),
        "b": Fraction(1, 5) * Fraction(2, 64) + Fraction(4, 5) * Fraction(7, 64),
    }
    assert exact["a"] == exact["b"]
    T = mdp.transition_matrix
    assert (T @ R)[0] < (T @ R)[1]  # the float comparison alone would drop a
    assert lexicographic_optimal(mdp, R[:, None])[:2, 0].tolist() == [True, False]
    assert optimal_actions(mdp, [R], 0.0)[0, :2].tolist() == [True, False]


# ----------------------------------------------------------------------
# POWER-seeking comparisons need the difference resolved beyond z standard errors


def test_seeks_more_power_is_undecided_within_the_noise():
    # two actions into mirror-image subtrees: equal POWER in distribution
    mdp = MDP({"s": ["a", "b"], "a": ["a1", "a2"], "b": ["b1", "b2"],
               "a1": ["a1"], "a2": ["a2"], "b1": ["b1"], "b2": ["b2"]})  # fmt: skip
    decided = []
    for seed in range(12):
        result = power_seeking(mdp, "s", 0.5, n_samples=400, rng=seed)
        i, j = result.actions.index("a"), result.actions.index("b")
        mean, se = result.differences[i, j], result.difference_stderr[i, j]
        assert abs(mean) < 4 * se  # the samples see no difference
        decided.append(result.seeks_more_power("a", "b"))
        if 0 < mean < 3 * se:
            assert result.seeks_more_power("a", "b") is None
        if -3 * se < mean < 0:
            assert result.seeks_more_power("a", "b") is None
    assert set(decided) == {None}
    fork = MDP({"s": ["a", "b"], "a": ["a1", "a2"], "b": ["b"], "a1": ["a1"], "a2": ["a2"]})
    clear = power_seeking(fork, "s", 0.5, n_samples=400, rng=0)
    assert clear.seeks_more_power("a", "b") is True
    assert clear.seeks_more_power("b", "a") is False


# ----------------------------------------------------------------------
# the Wilson interval of sampled orbit shares


def _wilson_by_hand(successes, trials, confidence):
    """Wilson (1927): the score interval, written out (the oracle; the code uses scipy's)."""
    import math

    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials**2)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.mark.parametrize("trials", [1, 7, 50, 1000])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_interval_is_the_score_interval(trials, confidence):
    for successes in sorted({0, 1, trials // 3, trials // 2, trials - 1, trials}):
        if not 0 <= successes <= trials:
            continue
        np.testing.assert_allclose(
            _wilson(successes, trials, confidence),
            _wilson_by_hand(successes, trials, confidence),
            rtol=1e-12,
            atol=1e-15,
        )
    # and a value computed by hand: 7 of 10 at 95%, z = 1.959964
    np.testing.assert_allclose(_wilson(7, 10, 0.95), (0.396778, 0.892209), atol=1e-6)


# ----------------------------------------------------------------------
# composing permutations


def test_composition_applies_the_right_factor_first():
    states = ("a", "b", "c", "d")
    phi = Permutation(states, [("a", "b", "c")])  # a -> b -> c -> a
    psi = Permutation(states, [("a", "d")])
    both = phi @ psi
    for s in states:
        assert both(s) == phi(psi(s))
    assert (phi @ psi)("a") == "d" and (psi @ phi)("a") == "b"  # they do not commute
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(both.apply(x), phi.apply(psi.apply(x)))
    assert not np.array_equal((phi @ psi).apply(x), (psi @ phi).apply(x))


# ----------------------------------------------------------------------
# tie tolerance: the solver's error bound is part of it


def test_value_iteration_error_does_not_break_an_exact_tie():
    """V*(x) = V*(y) = 5 at γ = 0.9 exactly (x a 1-cycle of reward 1/2; y stays with
    probability 9/10 at reward 0.725, else moves to a 1-cycle of reward 1/4), but value
    iteration stopped at tol = 1e-6 leaves them 5e-7 apart on the (1 − γ)V scale: both
    actions into them stay optimal only if the tolerance includes the solver's bound."""
    text = """[transitions]
s = { a = "x", b = "y" }
x = ["x"]
y = { loop = { y = "9/10", z = "1/10" } }
z = ["z"]
"""
    mdp = loads(text, "toml")
    R = np.array([[0.0, 0.5, 0.725, 0.25]])
    exact_y = (Fraction(725, 1000) + Fraction(9, 10) * Fraction(1, 10) * Fraction(1, 4) / (
        1 - Fraction(9, 10))) / (1 - Fraction(9, 10) * Fraction(9, 10))  # fmt: skip
    assert exact_y == Fraction(1, 2) / (1 - Fraction(9, 10))
    mask = optimal_actions(mdp, R, 0.9, method="value-iteration", tol=1e-6)
    assert mask[0, :2].tolist() == [True, True]


# ----------------------------------------------------------------------
# verdicts that may be "inconclusive" can also say "holds" and "fails"


def test_the_iid_margin_says_holds_fails_and_inconclusive():
    from powerseek.symmetry._theorems import IID_MARGIN, _iid_margin

    rng = np.random.default_rng(0)
    noise = rng.normal(size=10_000)
    noise -= noise.mean()  # exactly mean 0, spread 1: the ratio is mean·√n
    assert _iid_margin(noise + 0.2, True, "").passed is True  # 20 SE above 0
    assert _iid_margin(noise - 0.2, True, "").passed is False
    assert _iid_margin(noise - 0.2, False, "").passed is False
    small = (IID_MARGIN / 2) / np.sqrt(len(noise))  # half the margin above 0
    assert _iid_margin(noise + small, True, "").passed is None
    assert _iid_margin(noise + small, False, "").passed is True


def test_check_actions_holds_on_figure_1_and_is_inconclusive_with_few_samples():
    from powerseek import load
    from powerseek.symmetry._theorems import check_actions

    fig1 = load("turner-fig1")
    many = check_actions(fig1, "start", "right", "left", n_samples=4000, n_orbits=1, rng=2)
    few = check_actions(fig1, "start", "right", "left", n_samples=30, n_orbits=1, rng=2)
    assert many.checks[0].verifications[-1].passed is True
    assert few.checks[0].verifications[-1].passed in (None, True)
    # the reversed question: "left" does not keep more options open, so Prop 6.9 does not apply
    reverse = check_actions(fig1, "start", "left", "right", n_samples=300, n_orbits=1, rng=2)
    assert not reverse.checks[0].applies


# ----------------------------------------------------------------------
# the library's standard errors against an independent estimate of the spread


def test_reported_standard_errors_match_the_spread_over_independent_runs():
    """Margins in standard errors are only as good as the standard errors: over 40
    independent seeds, the estimates' spread must match the reported SE."""
    from powerseek import load, optimality, power

    mdp = load("turner-fig1")
    powers = [power(mdp, 0.9, n_samples=300, rng=seed) for seed in range(40)]
    spread = np.std([p.power for p in powers], axis=0, ddof=1)
    reported = np.mean([p.stderr for p in powers], axis=0)
    np.testing.assert_allclose(reported, spread, rtol=0.35)
    chances = [optimality(mdp, 0.9, state="start", n_samples=300, rng=seed) for seed in range(40)]
    spread = np.std([c.probability for c in chances], axis=0, ddof=1)
    reported = np.mean([c.stderr for c in chances], axis=0)
    np.testing.assert_allclose(reported, spread, rtol=0.35, atol=1e-3)


# ----------------------------------------------------------------------
# the engine's random streams: every sample block has its own


def test_every_sample_block_draws_its_own_rewards():
    """Kills: every block seeded alike (no test used more than one sample block)."""
    from powerseek import load
    from powerseek.rewards._distributions import IID, MAX_BLOCK_ROWS, SamplePlan

    mdp = load("turner-fig1")
    plan = SamplePlan(IID(), mdp, 3 * MAX_BLOCK_ROWS + 5, rng=3)
    assert len(plan.blocks) >= 4
    rewards = plan.draw(plan.blocks)
    assert len(np.unique(rewards, axis=0)) == rewards.shape[0]
    # each block alone is uniform on [0, 1]: scipy's KS test on its first state's column
    for block in plan.blocks[:-1]:
        assert stats.kstest(plan.draw([block])[:, 0], "uniform").pvalue > 1e-4


def test_every_sample_block_has_its_own_rule_stream():
    """Kills: every block's decision-rule randomness drawn from one shared stream."""
    from powerseek import load
    from powerseek.analysis.engine import Context
    from powerseek.rewards._distributions import Block

    mdp = load("candy-wait")
    blocks = tuple(Block(k, 4 * k, 4 * k + 4, 0) for k in range(3))
    ctx = Context(mdp, 0.5, np.zeros((mdp.n_states, 12)), 1e-9, entropy=(7,), blocks=blocks)
    draws = ctx.per_block(lambda generator, size: generator.random(size))
    assert draws.shape == (12,) and len(set(draws.tolist())) == 12
    again = Context(mdp, 0.9, np.zeros((mdp.n_states, 12)), 1e-9, entropy=(7,), blocks=blocks)
    # the same numbers at every γ (common random numbers), block by block
    np.testing.assert_array_equal(again.per_block(lambda g, n: g.random(n)), draws)


# ----------------------------------------------------------------------
# reported error bounds, against exact arithmetic


def _exact_residual(mdp, R, V, gamma):
    """max |R + γ max_a E V − V| in exact rational arithmetic from the float V."""
    T = mdp.transition_matrix.toarray()
    worst = Fraction(0)
    g = Fraction(gamma)
    for k in range(R.shape[0]):
        v = [Fraction(float(x)) for x in V[k]]
        for i in range(mdp.n_states):
            best = max(
                sum(Fraction(float(T[p, j])) * v[j] for j in range(mdp.n_states))
                for p in range(mdp.pair_offsets[i], mdp.pair_offsets[i + 1])
            )
            worst = max(worst, abs(Fraction(float(R[k, i])) + g * best - v[i]))
    return worst


STOCHASTIC = MDP(
    {
        "a": {"go": {"a": 1 / 3, "b": 2 / 3}, "stay": "a"},
        "b": {"go": {"c": 0.7, "a": 0.3}, "back": {"b": 0.2, "c": 0.8}},
        "c": {"x": {"a": 0.6, "c": 0.4}, "stay": "c"},
    }
)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_stochastic_policy_iteration_reports_its_residual(gamma):
    """Kills: stochastic policy iteration reporting a bound of 0. Its bound is the final
    values' Bellman residual; exactly, that residual is not 0 for non-dyadic dynamics, and
    the reported one agrees with it up to the rounding of its own computation."""
    from powerseek.solvers._solve import solve

    R = np.random.default_rng(0).random((64, STOCHASTIC.n_states))
    result = solve(STOCHASTIC, R, gamma, method="policy-iteration", kernel="numpy")
    exact = _exact_residual(STOCHASTIC, R, result.values, gamma)
    assert exact > 0
    assert Fraction(result.error_bound) >= exact / 4


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.999])
def test_a_policy_evaluation_bound_covers_an_error_spread_over_every_state(gamma):
    """Kills: the evaluation bound without its 1/(1−γ). An approximation off by the same
    0.01 at every state has residual (1−γ)·0.01; the bound must still be 0.01."""
    from powerseek.solvers._policy_evaluation import evaluate_policies, evaluation_bound

    rng = np.random.default_rng(1)
    pi = rng.random((STOCHASTIC.n_pairs, 5))
    for i in range(STOCHASTIC.n_states):  # each state's pairs sum to 1
        lo, hi = STOCHASTIC.pair_offsets[i], STOCHASTIC.pair_offsets[i + 1]
        pi[lo:hi] /= pi[lo:hi].sum(axis=0)
    R = rng.random((STOCHASTIC.n_states, 5))
    W, bound = evaluate_policies(STOCHASTIC, pi, R, gamma)
    assert bound < 1e-12
    shifted = evaluation_bound(STOCHASTIC, pi, W + 0.01, (1 - gamma) * R, gamma)
    assert shifted == pytest.approx(0.01, rel=1e-9)


# ----------------------------------------------------------------------
# visit-set optimality at the limits: decided past the first coefficient


@pytest.mark.parametrize(
    "gamma, reward, expected",
    [
        # γ → 0: both walks start at start (a tie); the next state decides
        (0.0, {"candy": 0.9, "wait": 0.1}, 1.0),
        (0.0, {"candy": 0.1, "wait": 0.9}, 0.0),
        # γ → 1: both end in reward 0.5 for ever (a tie in gain); the bias decides: the
        # walk through wait collects 0.9 once more
        (1.0, {"candy": 0.5, "chocolate": 0.5, "wait": 0.9}, 0.0),
        (1.0, {"candy": 0.5, "chocolate": 0.5, "wait": 0.1}, 1.0),
    ],
)
def test_visit_set_optimality_at_the_limits_looks_past_a_first_coefficient_tie(
    gamma, reward, expected
):
    """Kills: the lexicographic comparison stopping after its first coefficient (tests at
    γ = 0 and 1 never needed a second)."""
    from powerseek import FiniteSupport, load
    from powerseek.analysis._visit_optimality import visit_optimality
    from powerseek.visits._functions import visit_distributions

    mdp = load("candy-wait")  # start, wait, candy, chocolate, hug
    F = visit_distributions(mdp, "start")
    candy = [f for f in F if f.cycle == ("candy",)]
    vector = [reward.get(s, 0.0) for s in mdp.states]
    dist = FiniteSupport([vector])
    result = visit_optimality(mdp, "start", candy, gamma, functions=F, dist=dist, n_samples=4)
    assert result.value == expected
