"""Built-in conjectures of theory.md §E: E.9 refuted, E.1 and E.3 explored."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from powerseek import FiniteSupport, load
from powerseek.analysis._optimality import optimal_actions
from powerseek.analysis._power import power_samples
from powerseek.explore import (
    Case,
    Conjecture,
    GameCase,
    Verdict,
    conjecture,
    exhaustive_search,
    explore,
)
from powerseek.explore._conjectures import (
    CONJECTURES,
    copies_fraction,
    fractional_copies,
    power_seeking_implies_optimal,
)
from powerseek.explore._families import terminal_choice
from powerseek.rewards._distributions import IID, sample


def monte_carlo_refutes(case, z=4.0, n=20_000):
    """Independent check of an E.9 counterexample: some action has more expected
    POWER after it yet a lower optimality probability, both beyond z standard
    errors, on common reward samples."""
    mdp, gamma = case.mdp, float(case.gamma)
    R = sample(case.dist, mdp, n, rng=12345)
    power = power_samples(mdp, R, gamma)
    optimal = optimal_actions(mdp, R, gamma).astype(float)
    for s in mdp.states:
        for a, b in itertools.permutations(mdp.actions_of(s), 2):
            ka, kb = mdp.pair_index(s, a), mdp.pair_index(s, b)
            rows = mdp.transition_matrix[[ka, kb]].toarray()
            seek = power @ rows[0] - power @ rows[1]
            if seek.mean() <= z * seek.std(ddof=1) / np.sqrt(n):
                continue
            diff = optimal[:, ka] - optimal[:, kb]
            if diff.mean() < -z * diff.std(ddof=1) / np.sqrt(n):
                return True
    return False


# ----------------------------------------------------------------------
# E.9


def test_e9_figure_10_is_refuted_exactly_with_the_paper_numbers():
    verdict = power_seeking_implies_optimal(load("turner-fig10-reconstruction"), IID(), 1)
    assert verdict.holds is False
    assert verdict.detail == (
        "at s1, N seeks more POWER than NE (3/4 > 2/3) but P(N) = 1/3 < 2/3 = P(NE)"
    )
    assert verdict.margin == pytest.approx(-1 / 3)


def test_e9_monte_carlo_path_agrees_on_figure_10():
    # Beta(1, 1) is uniform, but not recognised as such: the Monte Carlo path runs.
    mdp = load("turner-fig10-reconstruction")
    verdict = power_seeking_implies_optimal(mdp, IID(stats.beta(1, 1)), 1, n_samples=4000)
    assert verdict.holds is False
    assert verdict.margin == pytest.approx(-1 / 3, abs=0.05)
    assert "4000 common samples" in verdict.detail


@pytest.mark.slow
def test_e9_search_finds_a_counterexample_that_monte_carlo_confirms():
    conjecture = CONJECTURES["power-seeking-implies-optimal"]
    from powerseek.explore import strategies
    from powerseek.explore._search import search_cases

    cases = search_cases(strategies.mdps(max_states=4, stochastic=False), gammas=[Fraction(1)])
    result = explore(conjecture, cases=cases, max_examples=100, seed=0)
    assert not result.holds
    case = result.counterexample
    assert case.mdp.n_states <= 4 and case.gamma == 1
    assert monte_carlo_refutes(case)


@pytest.mark.slow
def test_e9_exhaustive_sweep_of_three_state_mdps():
    result = exhaustive_search(conjecture("power-seeking-implies-optimal"), size=3)
    assert result.tried == 4 * (1 + 6 + 70)
    assert result.violations == 29
    # finding: no counterexample at gamma = 0, some at every gamma > 0
    assert result.findings["gamma=0"].violations == 0
    for g in ("1/2", "9/10", "1"):
        assert result.findings[f"gamma={g}"].violations > 0
    assert result.counterexample.mdp.n_states == 3
    assert monte_carlo_refutes(result.counterexample)


@pytest.mark.slow
def test_e9_figure_1_is_itself_a_counterexample_at_one_half():
    """A finding: in Fig. 1 at gamma = 1/2, left seeks more POWER than the terminal
    empty, yet is less likely optimal (Prop 6.9 speaks of right vs left only)."""
    case = Case(load("turner-fig1"), IID(), Fraction(1, 2))
    verdict = power_seeking_implies_optimal(case.mdp, case.dist, case.gamma)
    assert verdict.holds is False
    assert "left seeks more POWER than empty (11/18 > 1/2)" in verdict.detail
    assert "P(left) = 187459/612360 < 99247/306180 = P(empty)" in verdict.detail
    assert monte_carlo_refutes(case, n=200_000)


def test_e9_holds_on_candy_wait():
    verdict = power_seeking_implies_optimal(load("candy-wait"), IID(), Fraction(1, 2))
    assert verdict.holds is True
    assert verdict.detail.endswith("P(wait) = 7/12 ≥ 5/12 = P(candy)")


# ----------------------------------------------------------------------
# E.1 and E.3


def brute_force_counts(mdp, dist):
    """Orbit counts of P(live optimal) vs P(die optimal) at gamma = 1, by hand:
    every permutation of the terminal rewards, distinct permuted distributions once."""
    terminals = [i for i, s in enumerate(mdp.states) if mdp.is_terminal(s)]
    live = [mdp.index(s) for s in mdp.successors("live")]
    die = [mdp.index(s) for s in mdp.successors("die")]
    seen, greater, less = set(), 0, 0
    for perm in itertools.permutations(terminals):
        V = dist.vectors.copy()
        V[:, terminals] = dist.vectors[:, list(perm)]
        key = tuple(sorted(zip(map(tuple, V), dist.weights)))
        if key in seen:
            continue
        seen.add(key)
        best = V[:, live + die].max(axis=1)
        p_live = dist.weights @ (V[:, live].max(axis=1) >= best)
        p_die = dist.weights @ (V[:, die].max(axis=1) >= best)
        greater += p_live > p_die + 1e-12
        less += p_die > p_live + 1e-12
    return greater, less


@pytest.mark.parametrize(
    "n, m, shared, vectors, weights",
    [
        (3, 2, 0, [[2, 0, 1, 3, 1], [0, 2, 2, 1, 3]], [0.25, 0.75]),
        (2, 2, 0, [[1, 1, 0, 2], [3, 0, 0, 1]], [0.5, 0.5]),
        (3, 1, 1, [[1, 2, 0, 0, 3], [0, 0, 1, 2, 3], [2, 2, 2, 0, 1]], [0.2, 0.3, 0.5]),
    ],
)
def test_orbit_counts_match_brute_force(n, m, shared, vectors, weights):
    mdp = terminal_choice(n, m, shared=shared)
    dist = FiniteSupport([[0, 0, 0, *v] for v in vectors], weights)
    verdict = copies_fraction(mdp, dist, 1)
    greater, less = brute_force_counts(mdp, dist)
    assert f"> P(die optimal) on {greater} and < on {less}" in verdict.detail


def test_e1_sweep_attains_but_never_beats_the_bound():
    result = exhaustive_search(conjecture("fractional-copies"), size=4)
    assert result.holds and result.applicable == result.tried == 530
    finding = result.findings["n=2, m=2"]
    assert finding.minimum == pytest.approx(1 / 2)  # the bound n/(n+m), attained
    assert finding.mean > 1 / 2


def test_e1_search_finds_no_counterexample():
    result = explore(conjecture("fractional-copies"), max_examples=100, seed=0)
    assert result.holds and result.applicable == 100
    for group, finding in result.findings.items():
        n, m = (int(part.split("=")[1]) for part in group.split(", "))
        assert finding.minimum >= n / (n + m) - 1e-12


def test_e1_search_refutes_a_bound_that_is_too_strong():
    """Negative control: claim 1/100 more than n/(n+m); point masses with distinct
    values sit exactly on the bound, so the explorer must refute it."""

    def too_strong(mdp, dist, gamma):
        v = fractional_copies(mdp, dist, gamma)
        return v if v.holds is None else Verdict(v.margin >= 0.01, v.detail, v.margin - 0.01)

    conjecture = Conjecture(
        "too-strong",
        "share >= n/(n+m) + 0.01",
        too_strong,
        cases=CONJECTURES["fractional-copies"].cases,
        general=False,
    )
    result = explore(conjecture, max_examples=100, seed=0)
    assert not result.holds


def test_e1_applies_only_where_stated():
    mdp = terminal_choice(3, 2)
    point = FiniteSupport([[0, 0, 0, 5, 4, 3, 2, 1]])
    assert fractional_copies(mdp, point, Fraction(1, 2)).holds is None
    assert fractional_copies(mdp, IID(), 1).holds is None
    assert (
        fractional_copies(terminal_choice(3, 2, shared=1), FiniteSupport([[0] * 9]), 1).holds
        is None
    )
    assert fractional_copies(load("turner-fig1"), FiniteSupport([[0] * 8]), 1).holds is None
    verdict = fractional_copies(mdp, point, 1)
    assert verdict.holds and verdict.value == pytest.approx(3 / 5) and verdict.group == "n=3, m=2"


@pytest.mark.slow
def test_e3_worst_share_is_n_over_n_plus_1_and_the_mean_grows():
    result = exhaustive_search(conjecture("copies-fraction"), size=4)
    assert result.holds
    plain = {int(g.split("=")[1]): f for g, f in result.findings.items() if "shared" not in g}
    for copies, finding in plain.items():
        assert finding.minimum == pytest.approx(copies / (copies + 1))
    means = [plain[c].mean for c in sorted(plain)]
    assert means == sorted(means) and len(means) >= 3


def test_builtins_are_registered_with_their_sources():
    assert list(CONJECTURES) == [
        "power-seeking-implies-optimal",
        "simplicity-bound",
        "fractional-copies",
        "copies-fraction",
        "finite-time-tendency",
        "identical-rewards-power",
    ]
    for builtin in CONJECTURES.values():
        assert builtin.source.startswith(("theory.md §E.", "impact.md §"))
        kind = GameCase if builtin.subject == "game" else Case
        assert isinstance(next(iter(builtin.family(3 if builtin.general else 4))), kind)
        assert builtin.general or builtin.cases_text


def test_the_simplicity_bound_on_every_small_mdp():
    from powerseek import MDP
    from powerseek.explore import simplicity_bound

    # every deterministic MDP on up to 3 states: no violation; the closest case is the
    # 3-state clique, where the two symmetric moves tie under most short rewards
    result = exhaustive_search(CONJECTURES["simplicity-bound"], size=3)
    assert result.holds and result.applicable == 12
    assert result.closest_verdict.margin == pytest.approx(0.97646, abs=1e-5)
    assert "P(1 strictly optimal) = 19/364, P(2 optimal) = 309/364" in result.closest_verdict.detail
    coin = MDP({"s": {"a": {"s": 0.5, "t": 0.5}, "b": "t"}, "t": ["t"]})
    assert simplicity_bound(coin, None, 0.5).holds is None
    line = MDP({"s": ["t"], "t": ["t"]})
    assert simplicity_bound(line, None, 0.5).holds is None
