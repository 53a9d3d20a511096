"""theory.md §B.3: symmetry theorems (Turner et al. 2021, §6, App. E.1.2, E.4; RDSP App. D)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import assert_verified
from scipy import stats

from powerseek import (
    IID,
    FiniteSupport,
    from_graph,
    load,
    optimal_actions,
    optimality,
    power_samples,
    power_seeking,
)
from powerseek.exact._results import exact_optimality, exact_power
from powerseek.explore.strategies import many_one_cycles, planted_copies
from powerseek.symmetry._environmental import Permutation, find_action_copy, find_state_copy
from powerseek.symmetry._orbits import Functional, compare_over_orbit, power_of
from powerseek.symmetry._theorems import check_actions, check_states
from powerseek.visits._functions import recurrent_distributions
from strategies import examples

FIG1 = load("turner-fig1")
SWAP = Permutation(FIG1, [("left", "right"), ("left_up", "right_up"), ("left_down", "right_down")])
Z = 5.0


def copied_sets(rng, d=6):
    """A ⊆ R^d on the first half of the coordinates, an involution φ swapping the
    halves, and B = φ·A plus extra vectors; ND(A) ⊆ A' := A."""
    half = d // 2
    k = int(rng.integers(1, 5))
    A = np.zeros((k, d))
    A[:, :half] = rng.random((k, half))
    image = np.r_[np.arange(half, d), np.arange(0, half)]
    phi = image  # an involution swapping the halves
    PA = np.empty_like(A)
    PA[:, phi] = A
    extra = rng.random((int(rng.integers(0, 3)), d))
    B = np.vstack([PA, extra])
    return A, B, phi


def apply(phi, r):
    out = np.empty_like(r)
    out[..., phi] = r
    return out


def test_lemma_e16_one_permutation_maps_every_loser_to_a_winner():
    """Lemma E.16: if one fixed φ maps every D with f1(D) < f2(D) to φ·D with
    f1(φ·D) > f2(φ·D), then f1 ≥_most f2. On Figure 1's orbit of a point mass, the swap
    maps every arrangement where left beats right to one where right beats left."""
    r = np.array([0.11, 0.93, 0.27, 0.58, 0.35, 0.81, 0.46, 0.69])
    k_right, k_left = FIG1.pair_index("start", "right"), FIG1.pair_index("start", "left")
    arrangements = np.array(list(itertools.permutations(r)))
    mask = optimal_actions(FIG1, arrangements, 0.9)
    mapped = optimal_actions(FIG1, SWAP.apply(arrangements), 0.9)
    losers = mask[:, k_left] & ~mask[:, k_right]
    assert losers.any()
    assert np.all(mapped[losers, k_right] & ~mapped[losers, k_left])
    winners = mask[:, k_right] & ~mask[:, k_left]
    assert winners.sum() >= losers.sum()


@given(st.integers(0, 10**6))
def test_lemma_e21_transport_for_expectations(seed):
    """Lemma E.21: if B contains a copy B' of A' ⊇ ND(A) via φ, then per sample
    max_A aᵀr ≤ max_B bᵀ(P_φ r), with equality when ND(B) ⊆ B'."""
    rng = np.random.default_rng(seed)
    A, B, phi = copied_sets(rng)
    r = rng.uniform(-1, 1, size=(200, A.shape[1]))
    lhs = (A @ r.T).max(axis=0)
    rhs = (B @ apply(phi, r).T).max(axis=0)
    assert np.all(lhs <= rhs + 1e-12)
    exact_copy = B[: len(A)]  # ND(B') = B' when B holds nothing else
    np.testing.assert_allclose((exact_copy @ apply(phi, r).T).max(axis=0), lhs, atol=1e-12)


@settings(max_examples=20)
@given(st.integers(0, 10**6))
def test_lemma_e24_expectation_superiority_strict_under_iid(seed):
    """Lemma E.24: E_D[g(max_A)] ≤_most E_D[g(max_B)] when B contains a copy of ND(A); strict
    for IID continuous D and strictly increasing g when ND(B) ∖ φ·ND(A) ≠ ∅ (Monte Carlo,
    common samples, margin 5 SE)."""
    rng = np.random.default_rng(seed)
    A, B, phi = copied_sets(rng)
    B = np.vstack([B, np.eye(A.shape[1])[[0]] * 3])  # an extra vertex: ND(B) ∖ φ·ND(A) ≠ ∅
    r = rng.random((4000, A.shape[1]))
    for g in (lambda x: x, np.exp):
        difference = g((B @ r.T).max(axis=0)) - g((A @ r.T).max(axis=0))
        assert difference.mean() > Z * difference.std() / np.sqrt(len(r))


def test_prop_6_6_more_options_more_power():
    """Prop 6.6: if F(s) contains a copy of F_nd(s') via an involution φ, then
    POWER(s, γ) ≥_most POWER(s', γ) at every γ, strictly under IID continuous rewards when
    F_nd(s) ∖ φ·F_nd(s') ≠ ∅: transport, orbit counts and the IID margin on Figure 1."""
    report = check_states(FIG1, "right_down", "left_down", n_samples=2000, n_orbits=2, rng=0)
    assert report.checks[0].applies and not report.failed
    assert [v.passed for v in report.checks[0].verifications] == [True, True, True]


@settings(max_examples=examples(25), deadline=None)
@given(planted_copies(max_size=2))
def test_prop_6_6_on_planted_copies(graph_and_copy):
    """Prop 6.6 on generator G2: the copy's entry r0 has more options than l0."""
    graph, _ = graph_and_copy
    mdp = from_graph(graph)
    copy = find_state_copy(mdp, "r0", "l0")
    assert copy.found and copy.permutation("l0") == "r0"
    R = np.random.default_rng(1).uniform(-1, 1, size=(200, mdp.n_states))
    for gamma in (0.0, 0.5, 0.95, 1.0):
        before = power_samples(mdp, R, gamma)[:, mdp.index("l0")]
        after = power_samples(mdp, copy.permutation.apply(R), gamma)[:, mdp.index("r0")]
        assert np.all(before <= after + 1e-9)


@given(st.integers(0, 10**6))
def test_lemma_e26_inclusion(seed):
    """Lemma E.26: for Y' ⊆ Y, p(X ≥ Y) ≤ p(X ≥ Y') ≤ p(X ∪ (Y∖Y') ≥ Y); per sample the
    indicators are ordered."""
    rng = np.random.default_rng(seed)
    X, Y = rng.random((3, 5)), rng.random((6, 5))
    keep = rng.random(6) < 0.5
    keep[0] = True
    Yp, rest = Y[keep], Y[~keep]
    r = rng.uniform(-1, 1, size=(300, 5))
    best = lambda S: (S @ r.T).max(axis=0)  # noqa: E731
    first = best(X) >= best(Y)
    second = best(X) >= best(Yp)
    third = best(np.vstack([X, rest])) >= best(Y)
    assert np.all(first <= second) and np.all(second <= third)


@given(st.integers(0, 10**6))
def test_lemma_e27_e28_optimality_probability_transport(seed):
    """Lemma E.27/E.28: with ND(A) similar to B' ⊆ B via φ and φ fixing the rest of C
    setwise, per sample 1[A optimal under r] ≤ 1[B optimal under P_φ r]."""
    rng = np.random.default_rng(seed)
    d = 6
    C = np.eye(d)
    A = C[[0, 1]]
    phi = np.array([2, 3, 0, 1, 4, 5])  # swaps {0,1} with {2,3}; fixes 4, 5
    B = C[[2, 3, 4]] if rng.random() < 0.5 else C[[2, 3]]
    r = rng.uniform(-1, 1, size=(500, d))
    optimal = lambda S, x: (S @ x.T).max(axis=0) >= (C @ x.T).max(axis=0)  # noqa: E731
    assert np.all(optimal(A, r) <= optimal(B, apply(phi, r)))


@settings(max_examples=examples(25), deadline=None)
@given(planted_copies(max_size=2), st.integers(0, 10**6))
def test_lemma_e29_transport_at_the_limits(graph_and_copy, seed):
    """Lemma E.29: the transport of optimality also holds for the limits γ -> 0 and γ -> 1
    (via Lemma E.48, on actions of generator G2)."""
    graph, _ = graph_and_copy
    mdp = from_graph(graph)
    phi = find_action_copy(mdp, "s", "a", "a_prime").permutation
    R = np.random.default_rng(seed).random((100, mdp.n_states))
    k_a, k_b = mdp.pair_index("s", "a"), mdp.pair_index("s", "a_prime")
    for gamma in (0.0, 1.0):
        before = optimal_actions(mdp, R, gamma)[:, k_b]
        after = optimal_actions(mdp, phi.apply(R), gamma)[:, k_a]
        assert np.all(before <= after)


@settings(max_examples=examples(25), deadline=None)
@given(planted_copies(max_size=2), st.integers(0, 10**6))
def test_lemma_e47_bottleneck(graph_and_copy, seed):
    """Lemma E.47: when s' is a bottleneck (the region after a' and a is entered only through
    s'), optimality probability transports from F_nd(s | π(s') = a') to F(s | π(s') = a) for a
    state s upstream of s': checked per sample on G2 with a lead-in state q -> s."""
    graph, _ = graph_and_copy
    graph = graph.copy()
    graph.add_edge("q", "s", action="enter", p=1.0)
    graph.add_edge("q", "home", action="leave", p=1.0)
    graph.add_edge("home", "home", action="stay", p=1.0)
    mdp = from_graph(graph)
    phi = find_action_copy(mdp, "s", "a", "a_prime").permutation
    R = np.random.default_rng(seed).random((100, mdp.n_states))
    k_a, k_b = mdp.pair_index("s", "a"), mdp.pair_index("s", "a_prime")
    k_enter = mdp.pair_index("q", "enter")
    for gamma in (0.3, 0.9):
        mask = optimal_actions(mdp, R, gamma)
        mapped = optimal_actions(mdp, phi.apply(R), gamma)
        # from q, "enter then a'" optimal under r => "enter then a" optimal under φ·r
        before = mask[:, k_enter] & mask[:, k_b]
        after = mapped[:, k_enter] & mapped[:, k_a]
        assert np.all(before <= after)


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None)
@given(planted_copies(max_size=2))
def test_prop_6_9_keeping_options_open(graph_and_copy):
    """Prop 6.9: if F(s | π(s)=a) contains a copy of F(s | π(s)=a') via φ (φ(s) = s), then
    (1) if s ∉ Reach(s, a'), E POWER after a ≥_most after a'; (2) under the bottleneck
    condition, P(s, a, γ) ≥_most P(s, a', γ); strict with an extra non-dominated option.
    Checked on generator G2: transport, orbit counts, IID margin."""
    graph, _ = graph_and_copy
    report = check_actions(
        from_graph(graph), "s", "a", "a_prime", gammas=(0.3, 0.9), n_samples=400, n_orbits=1, rng=2
    )
    assert report.checks[0].applies and not report.failed
    assert_verified(report.checks[0])


def test_prop_6_12_rsds_control_power_at_one():
    """Prop 6.12: if RSD(s) contains a copy of RSD_nd(s') via φ then
    POWER(s, 1) ≥_most POWER(s', 1), strictly under IID continuous rewards."""
    report = check_states(FIG1, "right_down", "left_down", n_samples=2000, n_orbits=2, rng=3)
    at_one = report.checks[1]
    assert at_one.theorem == "Prop 6.12" and at_one.applies and not at_one.failed
    assert_verified(at_one)
    assert exact_power(FIG1, 1)["right_down"] > exact_power(FIG1, 1)["left_down"]


def average_optimal(mdp, state, members):
    """P(D, average) for D = the RSDs (cycles) in `members`: the best average reward
    reachable is attained inside D."""
    rsd = recurrent_distributions(mdp, state)
    vectors = np.array([[float(x) for x in d.vector] for d in rsd])
    chosen = np.array([d.cycle in members for d in rsd])
    relevant = frozenset(range(mdp.n_states))

    def per_sample(R):
        values = vectors @ R.T
        return (values[chosen].max(axis=0) >= values.max(axis=0) - 1e-12).astype(float)

    return Functional(f"P(D, average) at {state}", relevant, per_sample)


def test_thm_6_13_average_optimal_policies_prefer_larger_rsd_sets():
    """Thm 6.13: if D ⊆ RSD(s) contains a copy of D' ⊆ RSD(s) via φ and D ∪ D' is orthogonal
    to the rest of RSD_nd(s), then P(D, average) ≥_most P(D', average). Figure 1: the RSDs
    after right contain a copy of those after left."""
    right = {("right_up",), ("right_down",), ("right_up", "right_down")}
    left = {("left_down",), ("left_up", "left_down")}
    rng = np.random.default_rng(4)
    for _ in range(2):
        point = FiniteSupport([rng.random(8)])
        result = compare_over_orbit(
            FIG1, point, average_optimal(FIG1, "start", right), average_optimal(FIG1, "start", left)
        )
        assert result.orbit_size == 40320 and result.most


def test_cor_6_14_avoiding_a_terminal_state():
    """Cor 6.14: if e_{s_x} and e_{s'} are distinct elements of RSD(s), then
    P(RSD(s) ∖ {e_{s_x}}, average) ≥_most P({e_{s_x}}, average); with a third 1-cycle the
    converse fails (strictly more > than <)."""
    everything = {d.cycle for d in recurrent_distributions(FIG1, "start")}
    rng = np.random.default_rng(5)
    point = FiniteSupport([rng.random(8)])
    result = compare_over_orbit(
        FIG1,
        point,
        average_optimal(FIG1, "start", everything - {("empty",)}),
        average_optimal(FIG1, "start", {("empty",)}),
    )
    assert result.most and result.greater > result.less


def test_rdsp_thm_d11_cor_d12_n_copies():
    """RDSP Thm D.11 / Cor D.12 on Figure 1 (n = 3): over all 8! permutations of a random
    r ∈ [0, 1]^8, #{avoiding ∅ strictly average-optimal} ≥ 3·#{∅ strictly average-optimal}
    (about 3.3 for uniform draws)."""
    rng = np.random.default_rng(6)
    rsd = recurrent_distributions(FIG1, "start")
    vectors = np.array([[float(x) for x in d.vector] for d in rsd])
    is_empty = np.array([d.cycle == ("empty",) for d in rsd])
    for _ in range(2):
        arrangements = np.array(list(itertools.permutations(rng.random(8))))
        values = vectors @ arrangements.T
        empty_best = values[is_empty].max(axis=0)
        other_best = values[~is_empty].max(axis=0)
        ratio = (other_best > empty_best).sum() / (empty_best > other_best).sum()
        assert ratio >= 3


@settings(max_examples=examples(25), deadline=None)
@given(st.integers(1, 4), st.integers(0, 10**6))
def test_rdsp_lemma_d3_d5_n_copies_of_nd(n, seed):
    """RDSP Lemma D.3/D.5: if B contains n copies of ND(A), E[g(max_B)] ≥^n_most E[g(max_A)]:
    orbit counts over permutations of a point mass, for A = {e_0}, B = {e_1, ..., e_n}."""
    rng = np.random.default_rng(seed)
    d = n + 2
    r = rng.random(d)
    arrangements = np.array(list(itertools.permutations(r)))
    max_a = arrangements[:, 0]
    max_b = arrangements[:, 1 : n + 1].max(axis=1)
    for g in (lambda x: x, np.exp):
        greater = (g(max_b) > g(max_a)).sum()
        less = (g(max_b) < g(max_a)).sum()
        assert greater >= n * less


def test_lemma_b2_b3_orbit_fractions():
    """Lemma B.2 (OPT) / B.3 (RDSP): f1 ≥^n_most f2 implies at least n/(n+1) of every orbit has
    f1 ≥ f2 weakly; Lemma B.3 (OPT): for a one-element orbit (IID), ≥_most means f1(D) ≥ f2(D)."""
    rng = np.random.default_rng(7)
    for _ in range(3):
        result = compare_over_orbit(
            FIG1,
            FiniteSupport([rng.random(8)]),
            power_of(FIG1, "right", 0.7),
            power_of(FIG1, "left", 0.7),
        )
        n = result.n_fold()
        if np.isfinite(n) and n > 0:
            assert result.fraction >= n / (n + 1) - 1e-12
    iid = compare_over_orbit(
        FIG1,
        IID(),
        power_of(FIG1, "right", 0.7),
        power_of(FIG1, "left", 0.7),
        n_samples=4000,
        rng=8,
    )
    assert iid.orbit_size == 1 and iid.most and iid.greater == 1


def test_b36_negative_results():
    """B.36: OPT Prop B.1 / B.4 — seeking more POWER does not imply being more likely optimal:
    Figure 10 (POWER(s2, 1) = 3/4 > 2/3 = POWER(s3, 1) but P(s1, N, 1) = 1/3 < 2/3), exactly;
    and the skewed-reward example of P-REV (C.9) at γ = 0.12 with CDF x²."""
    fig10 = load("turner-fig10-reconstruction")
    assert exact_power(fig10, 1)["s2"] > exact_power(fig10, 1)["s3"]
    assert exact_optimality(fig10, 1, state="s1").of("s1", "N") < exact_optimality(
        fig10, 1, state="s1"
    ).of("s1", "NE")
    b3 = load("turner-b3-counterexample")
    skewed = IID(stats.beta(2, 1))
    assert power_seeking(b3, "s1", 0.12, dist=skewed, n_samples=200_000, rng=9).seeks_more_power(
        "right", "up", z=Z
    )
    result = optimality(b3, 0.12, state="s1", dist=skewed, n_samples=200_000, rng=9)
    assert result.of("s1", "up") - result.of("s1", "right") > Z * 2 * result.stderr_of("s1", "up")


@pytest.mark.slow
@settings(max_examples=examples(25), deadline=None)
@given(many_one_cycles())
def test_g3_generator_rdsp_d11(graph_and_n):
    """RDSP Thm D.11 on generator G3: at least n/(n+1) of every orbit stays alive."""
    graph, n = graph_and_n
    report = check_actions(from_graph(graph), "s", "live", "die", n_samples=100, n_orbits=1, rng=10)
    assert report.checks[1].applies and not report.failed
    assert_verified(report.checks[1])
