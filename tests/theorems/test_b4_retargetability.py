"""theory.md §B.4: retargetability (Turner & Tadepalli 2022, "RDSP"), items 37-45.

Orbits of utilities are enumerated exactly (d ≤ 7 outcomes); decision rules are
the exact closed forms of powerseek.agents.lotteries, so every n-fold count below
is exact and a single orbit element on the wrong side fails the test.
"""

import itertools
import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek.agents.lotteries import (
    anti_optimal,
    best_of_k,
    boltzmann,
    frac_optimal,
    is_optimal,
    quantilize,
    satisfice,
)
from powerseek.explore.strategies import lottery_copies
from powerseek.symmetry._retarget import (
    _as_set,
    all_involutions,
    check_retargetable,
    compare_on_orbit,
    contains_copies,
    outcome_orbit,
    outcome_permutation,
    permute_outcomes,
    rule_tendency,
)

# The rules of Prop A.11 that hold over 𝔇_any (every distribution over utilities).
RULES_ANY = {
    "is_optimal": is_optimal,
    "frac_optimal": frac_optimal,
    "anti_optimal": anti_optimal,
    "boltzmann_T=0.7": partial(boltzmann, temperature=0.7),
    "boltzmann_T=3": partial(boltzmann, temperature=3.0),
    "best_of_1": partial(best_of_k, k=1),
    "best_of_3": partial(best_of_k, k=3),
    "satisfice_t=0.5": partial(satisfice, threshold=0.5),
    "satisfice_t=2": partial(satisfice, threshold=2.0),
}
QUANTILIZERS = {f"quantilize_q={q}": partial(quantilize, q=q) for q in (0.2, 0.5, 1.0)}
utilities = st.integers(0, 3)


def utility_vectors(d):
    return st.lists(utilities, min_size=d, max_size=d)


@st.composite
def instances(draw, superset=False, atoms=1):
    copies = draw(lottery_copies(superset=superset))
    d = copies.C.shape[1]
    rows = [draw(utility_vectors(d)) for _ in range(atoms)]
    theta = np.array(rows[0] if atoms == 1 else rows, dtype=float)
    return copies, theta


def orbit_values(f, theta):
    """f over the orbit of θ, with the orbit's index of each element."""
    elements = outcome_orbit(theta)
    return elements, np.asarray(f(elements), dtype=float)


def index_map(elements, image):
    """position of φ·θ for each orbit element θ."""
    keys = {e.tobytes(): i for i, e in enumerate(elements + 0.0)}
    moved = np.empty_like(elements)
    moved[..., image] = elements
    return np.array([keys[(m + 0.0).tobytes()] for m in moved])


# ---------------------------------------------------------------- item 37


@st.composite
def retargetable_tables(draw):
    """Values f(A|θ), f(B|θ) on the orbit of θ made (A →^n B)-retargetable by
    repair: every A-preferring θ gets B-preferring images φ_i·θ, and A-preferring
    parameters whose images collide (or land on A-preferring ones) are evened out."""
    d = draw(st.integers(3, 5))
    theta = np.array(draw(st.permutations(range(d))), dtype=float)
    candidates = [p for p in all_involutions(d) if not np.array_equal(p, np.arange(d))]
    chosen = draw(
        st.lists(st.sampled_from(range(len(candidates))), min_size=1, max_size=3, unique=True)
    )
    images = [candidates[c] for c in chosen]
    elements = outcome_orbit(theta)
    size = len(elements)
    f_a = np.array(draw(st.lists(st.integers(0, 3), min_size=size, max_size=size)), float)
    f_b = np.array(draw(st.lists(st.integers(0, 3), min_size=size, max_size=size)), float)
    moves = [index_map(elements, image) for image in images]
    changed = True
    while changed:
        changed = False
        claimed = {}
        for t in np.flatnonzero(f_a > f_b):
            targets = [m[t] for m in moves]
            clash = any(f_a[j] > f_b[j] for j in targets) or any(
                claimed.get(j, i) != i for i, j in enumerate(targets)
            )
            if clash:
                f_a[t] = f_b[t]
                changed = True
                break
            for i, j in enumerate(targets):
                claimed[j] = i
                f_b[j] = max(f_b[j], f_a[j] + 1)
    return elements, f_a, f_b, images


@given(retargetable_tables())
def test_thm_3_6_retargetable_implies_n_fold(case):
    """Prop 3.4 / Thm 3.6: if f is (Θ, A →^n B)-retargetable (Def 3.5), then
    f(B|θ) ≥^n_most f(A|θ): |{B > A}| ≥ n·|{A > B}| on every orbit. Checked on
    arbitrary value tables made retargetable by construction; n = 1 is Prop 3.4."""
    elements, f_a, f_b, images = case
    lookup = {e.tobytes(): i for i, e in enumerate(elements + 0.0)}

    def table(values):
        return lambda xs: values[[lookup[(x + 0.0).tobytes()] for x in xs]]

    check = check_retargetable(table(f_a), table(f_b), elements[0], images)
    assert check.holds, check.reason
    result = compare_on_orbit(table(f_b), table(f_a), elements[0])
    assert result.greater >= len(images) * result.less


@given(instances())
def test_thm_3_6_decision_rules_are_retargetable(case):
    """Def 3.5 for IsOptimal with B containing n copies of A: the copy
    involutions themselves retarget every A-preferring utility (so Thm 3.6 applies)."""
    copies, theta = case
    f_a = lambda u: is_optimal(copies.A, copies.C, u)  # noqa: E731
    f_b = lambda u: is_optimal(copies.B, copies.C, u)  # noqa: E731
    check = check_retargetable(f_a, f_b, theta, copies.involutions)
    assert check.holds, check.reason


def test_p_stubborn_is_not_retargetable():
    """Negative control (item 43): p_stubborn(X|θ) := 1[X = A] prefers A on the whole
    orbit, so no involution retargets it and B ≥_most A fails."""
    stubborn_a = lambda u: np.ones(len(u))  # noqa: E731
    stubborn_b = lambda u: np.zeros(len(u))  # noqa: E731
    theta = [3.0, 1.0, 2.0, 0.0]
    for image in all_involutions(4):
        assert not check_retargetable(stubborn_a, stubborn_b, theta, [image]).holds
    result = compare_on_orbit(stubborn_b, stubborn_a, theta)
    assert result.less == result.orbit_size == 24 and not result.most


def test_p_numerical_is_retargetable():
    """C.6: p_numerical with θ ∈ {1..6} (a one-hot θ over 6 outcomes) and A chosen iff
    θ = 1 is retargetable via φ_k = (1 k): 5-fold, exactly 5 of 6 prefer B."""
    theta = np.eye(6)[0]
    f_a = lambda u: (u[:, 0] == 1).astype(float)  # noqa: E731
    f_b = lambda u: (u[:, 0] != 1).astype(float)  # noqa: E731
    involutions = [[(0, k)] for k in range(1, 6)]
    assert check_retargetable(f_a, f_b, theta, involutions).holds
    result = compare_on_orbit(f_b, f_a, theta)
    assert (result.greater, result.less) == (5, 1)
    assert not check_retargetable(f_a, f_b, theta, involutions + [[(0, 1)]]).holds


# ---------------------------------------------------------------- item 38


@st.composite
def orbit_functions(draw):
    """Four value tables on one orbit with f0 ≥ f1 and f2 ≥ f3 pointwise."""
    d = draw(st.integers(3, 5))
    theta = np.array(draw(st.permutations(range(d))), dtype=float)
    size = math.factorial(d)
    table = st.lists(st.integers(0, 4), min_size=size, max_size=size)
    f1, f2, up, down = (np.array(draw(table), dtype=float) for _ in range(4))
    return theta, f1 + up, f1, f2, f2 - down


@given(orbit_functions())
def test_lemma_b_1_limited_transitivity(case):
    """Lemma B.1: if f0 ≥ f1 pointwise, f1 ≥^n_most f2, and f2 ≥ f3 pointwise, then
    f0 ≥^n_most f3. Taken with n the largest n-fold ratio f1 has over f2."""
    theta, f0, f1, f2, f3 = case

    def table(values):
        return lambda xs: values

    inner = compare_on_orbit(table(f1), table(f2), theta)
    outer = compare_on_orbit(table(f0), table(f3), theta)
    assert (
        outer.greater >= inner.n_fold() * outer.less - 1e-9 or inner.less == 0 and outer.less == 0
    )


def test_lemma_b_1_full_transitivity_fails():
    """Only *limited* transitivity holds: with f_i(θ) = V[i]·θ for one-hot θ and
    V = [[1,2,3],[3,1,2],[2,3,1]], f1 ≥²_most f2 ≥²_most f3 ≥²_most f1 is a cycle."""
    V = np.array([[1, 2, 3], [3, 1, 2], [2, 3, 1]], dtype=float)
    functions = [lambda u, row=row: u @ row for row in V]
    theta = [1.0, 0.0, 0.0]
    for i in range(3):
        result = compare_on_orbit(functions[i], functions[(i + 1) % 3], theta)
        assert (result.greater, result.less) == (2, 1)
        assert result.n_fold() >= 2
    back = compare_on_orbit(functions[1], functions[0], theta)
    assert back.n_fold() < 2


@given(orbit_functions())
def test_lemma_b_2_order_inversion(case):
    """Lemma B.2: f1 ≥^n_most f2 implies -f2 ≥^n_most -f1 (the counts swap roles exactly)."""
    theta, _, f1, f2, _ = case
    forward = compare_on_orbit(lambda xs: f1, lambda xs: f2, theta)
    inverted = compare_on_orbit(lambda xs: -f2, lambda xs: -f1, theta)
    assert (forward.greater, forward.less) == (inverted.greater, inverted.less)


# ---------------------------------------------------------------- item 39


@given(instances(atoms=3), st.sampled_from(sorted(RULES_ANY)), st.data())
def test_lemma_b_5_expectation_preserves_invariance(case, name, data):
    """Lemma B.5: if f(X, C | u) is invariant under joint permutation, so is its
    expectation over any distribution: f(X, C | D) = f(φ·X, φ·C | φ·D) for a
    finite-support D (three atoms, random weights) and any φ."""
    copies, atoms = case
    rule = RULES_ANY[name]
    d = atoms.shape[1]
    phi = outcome_permutation(data.draw(st.permutations(range(d))), d)
    weights = np.array(data.draw(st.lists(st.integers(1, 5), min_size=3, max_size=3)), float)
    weights /= weights.sum()
    for X in (copies.A, copies.B):
        before = np.atleast_1d(rule(X, copies.C, atoms)) @ weights
        after = (
            np.atleast_1d(
                rule(
                    permute_outcomes(X, phi),
                    permute_outcomes(copies.C, phi),
                    permute_outcomes(atoms, phi),
                )
            )
            @ weights
        )
        assert after == pytest.approx(before, abs=1e-12)


@given(instances(), st.floats(0.0, 1.0), st.sampled_from(["mixture", "product", "max"]))
def test_lemma_b_6_increasing_combinations_keep_n_fold(case, alpha, combine):
    """Lemma B.6: a coordinatewise-increasing g of decision rules that each satisfy the
    orbit lemma's conditions does too; so mixtures, products and maxima of IsOptimal,
    Boltzmann and Satisfice are n-fold retargetable ("you cannot combine EU-based
    decision-making functions so that orbit-level instrumental convergence doesn't apply")."""
    copies, theta = case
    parts = (is_optimal, partial(boltzmann, temperature=1.0), partial(satisfice, threshold=1.5))

    def combined(X, C, u):
        values = [np.atleast_1d(rule(X, C, u)) for rule in parts]
        if combine == "mixture":
            return alpha * values[0] + (1 - alpha) / 2 * (values[1] + values[2])
        if combine == "product":
            return (values[0] + alpha) * values[1] * (1 + values[2])
        return np.maximum(values[0] * alpha, np.maximum(values[1], values[2]))

    result = rule_tendency(combined, copies.B, copies.A, copies.C, theta)
    assert result.greater >= copies.n * result.less


# ---------------------------------------------------------------- item 40

SETS = ("A", "B1", "B2", "B")


def orbit_lemma_conditions(f, elements, images):
    """Conditions of the quantitative general orbit lemma (Lemma B.7) for value
    tables f[X] over an orbit, with B_i = φ_i·A ⊆ B and φ_i·B_j = B_j (j ≠ i):
      1. f(B_i|θ) ≤ f(B|θ)                 (B dominates its copies)
      2. f(A|θ) ≤ f(φ_i·A|φ_i·θ)           (increasing under φ_i on A)
      3. f(B_i|θ) ≤ f(φ_i·B_i|φ_i·θ)       (... and on its copy)
      4. f(B_j|θ) ≤ f(φ_i·B_j|φ_i·θ), j ≠ i (increasing under alternate symmetries)"""
    moves = [index_map(elements, image) for image in images]
    copies = [f[f"B{i + 1}"] for i in range(len(images))]
    c1 = all(np.all(c <= f["B"]) for c in copies)
    c2 = all(np.all(f["A"] <= copies[i][m]) for i, m in enumerate(moves))
    c3 = all(np.all(copies[i] <= f["A"][m]) for i, m in enumerate(moves))
    c4 = all(
        np.all(copies[j] <= copies[j][m])
        for i, m in enumerate(moves)
        for j in range(len(images))
        if j != i
    )
    return c1, c2, c3, c4


@given(instances(), st.floats(-2, 2), st.floats(0.1, 5), st.sampled_from(["sum", "max"]))
def test_lemma_b_7_general_orbit_lemma(case, slope, wiggle, kind):
    """Lemma B.7: when conditions 1-4 hold, f(B|θ) ≥^n_most f(A|θ). Checked for
    random EU-determined, monotone f: f(X|u) = Σ_{x∈X} w(xᵀu) with w > 0, or
    h(max_{x∈X} xᵀu) with h increasing; the conditions are verified, not assumed."""
    copies, theta = case

    def w(v):
        return np.exp(slope * v) * (1.5 + np.sin(wiggle * v))

    def f(X, u):
        values = u @ X.T
        if kind == "sum":
            return w(values).sum(axis=1)
        best = values.max(axis=1)
        return np.arctan(slope * best) * np.sign(slope) + wiggle * best

    elements = outcome_orbit(theta)
    tables = {"A": f(copies.A, elements), "B": f(copies.B, elements)}
    for i, phi in enumerate(copies.involutions, start=1):
        tables[f"B{i}"] = f(permute_outcomes(copies.A, phi), elements)
    images = [outcome_permutation(phi, len(theta)) for phi in copies.involutions]
    assert all(orbit_lemma_conditions(tables, elements, images))
    greater = int(np.sum(tables["B"] > tables["A"] + 1e-9))
    less = int(np.sum(tables["A"] > tables["B"] + 1e-9))
    assert greater >= copies.n * less


def test_lemma_b_7_condition_4_is_needed():
    """The RDSP Table 3 phenomenon: a function satisfying conditions 1-3 but not 4
    (not increasing under alternate symmetries) need not be 2-fold. Outcomes 0, 1, 2;
    A = {e0}, B_i = {e_i} via φ_1 = (0 1), φ_2 = (0 2), B = B_1 ∪ B_2. f(A|θ) = 1 exactly
    on the two non-trivial even rearrangements of θ = (0, 1, 2), f(B_i|θ) = f(A|φ_i·θ),
    f(B) = max(f(B_1), f(B_2)): B wins on 3 elements and A on 2, so ≥² fails."""
    theta = [0.0, 1.0, 2.0]
    elements = outcome_orbit(theta)
    images = [outcome_permutation([(0, 1)], 3), outcome_permutation([(0, 2)], 3)]
    even = {(1.0, 2.0, 0.0), (2.0, 0.0, 1.0)}
    f = {"A": np.array([float(tuple(e) in even) for e in elements])}
    for i, image in enumerate(images, start=1):
        f[f"B{i}"] = f["A"][index_map(elements, image)]
    f["B"] = np.maximum(f["B1"], f["B2"])
    assert orbit_lemma_conditions(f, elements, images) == (True, True, True, False)
    greater, less = int(np.sum(f["B"] > f["A"])), int(np.sum(f["A"] > f["B"]))
    assert (greater, less) == (3, 2)
    assert greater < 2 * less


# ---------------------------------------------------------------- item 41


@given(instances(superset=True), st.sampled_from(["is_optimal", "frac_optimal", "boltzmann"]))
def test_lemma_b_9_superset_copies(case, name):
    """Lemma B.9: if B contains n superset-copies of A (φ_i·A ⊆ B_i* ⊆ B, φ_i·B_j* = B_j*),
    f is increasing under joint permutation by the φ_i and monotone in its first
    argument, then f(B|θ) ≥^n_most f(A|θ)."""
    copies, theta = case
    rule = {
        "is_optimal": is_optimal,
        "frac_optimal": frac_optimal,
        "boltzmann": partial(boltzmann, temperature=1.0),
    }[name]
    for phi in copies.involutions:
        assert _as_set(permute_outcomes(copies.A, phi)) <= _as_set(copies.B)
        assert _as_set(permute_outcomes(copies.C, phi)) == _as_set(copies.C)
    result = rule_tendency(rule, copies.B, copies.A, copies.C, theta)
    assert result.greater >= copies.n * result.less


# ---------------------------------------------------------------- item 42


@given(instances(), st.sampled_from(sorted(RULES_ANY) + sorted(QUANTILIZERS)), st.data())
def test_lemma_b_11_eu_determined_rules_are_invariant(case, name, data):
    """Lemma B.11: EU-determined functions are invariant under joint permutation,
    f(X, C | u) = f(φ·X, φ·C | φ·u), per sample, for every rule and every φ."""
    copies, theta = case
    rule = {**RULES_ANY, **QUANTILIZERS}[name]
    d = len(theta)
    phi = outcome_permutation(data.draw(st.permutations(range(d))), d)
    for X in (copies.A, copies.B, copies.C):
        moved = rule(
            permute_outcomes(X, phi), permute_outcomes(copies.C, phi), permute_outcomes(theta, phi)
        )
        assert moved == pytest.approx(rule(X, copies.C, theta), abs=1e-12)


@given(instances(), st.sampled_from(sorted(RULES_ANY)))
def test_thm_a_13_eu_determined_probabilities(case, name):
    """Thm A.13: if B contains n copies of A via φ_i with φ_i·C = C and p(X|u) = h(X, C|u)
    is EU-determined, then p(B|u) ≥^n_{most: R^d} p(A|u), on the orbit of every u."""
    copies, theta = case
    assert contains_copies(copies.A, copies.B, copies.C, copies.involutions)
    result = rule_tendency(RULES_ANY[name], copies.B, copies.A, copies.C, theta)
    assert result.greater >= copies.n * result.less


# ---------------------------------------------------------------- item 43


@given(instances(atoms=2), st.sampled_from(sorted(RULES_ANY)), st.integers(1, 4))
def test_prop_a_11_decision_rules_over_any_distribution(case, name, weight):
    """Prop A.11: with B containing n copies of A via φ_i (φ_i·C = C), ≥^n_{most: 𝔇_any}
    holds for IsOptimal, FracOptimal, AntiOpt, Boltzmann_T, best-of-k and Satisfice_t.
    D is a two-atom distribution over utilities; its orbit permutes both atoms jointly."""
    copies, atoms = case
    weights = np.array([weight, 5 - weight], dtype=float) / 5
    result = rule_tendency(RULES_ANY[name], copies.B, copies.A, copies.C, atoms, weights=weights)
    assert result.greater >= copies.n * result.less


@given(instances(), st.sampled_from(sorted(QUANTILIZERS)))
def test_prop_a_11_quantilizer_uniform_base(case, name):
    """Prop A.11 for Q_{q,P} with P uniform over C, over point utilities u ∈ R^d."""
    copies, theta = case
    result = rule_tendency(QUANTILIZERS[name], copies.B, copies.A, copies.C, theta)
    assert result.greater >= copies.n * result.less


def test_c6_retargetability_tables():
    """C.6, RDSP Tables 1 and 2: outcomes (ghost, apple, cherry) with u = (10, 5, 0)."""
    C = np.eye(3)
    columns = np.array([[10, 5, 0], [10, 0, 5], [5, 10, 0], [5, 0, 10], [0, 10, 5], [0, 5, 10]])
    X1, X2 = C[:2], C[2:]
    np.testing.assert_array_equal(is_optimal(X1, C, columns), [1, 1, 1, 0, 1, 0])
    np.testing.assert_array_equal(is_optimal(X2, C, columns), [0, 0, 0, 1, 0, 1])
    np.testing.assert_array_equal(anti_optimal(X1, C, columns), [0, 1, 0, 1, 1, 1])
    np.testing.assert_array_equal(anti_optimal(X2, C, columns), [1, 0, 1, 0, 0, 0])
    np.testing.assert_allclose(
        boltzmann(X1, C, columns, temperature=1.0),
        [1, 0.993, 1, 0.007, 0.993, 0.007],
        atol=5e-4,
    )
    assert boltzmann(X1, C, columns[1], temperature=1.0) == pytest.approx(
        (math.exp(10) + 1) / (math.exp(10) + 1 + math.exp(5))
    )
    np.testing.assert_allclose(satisfice(X1, C, columns, threshold=3), [1, 0.5, 1, 0.5, 0.5, 0.5])
    np.testing.assert_allclose(satisfice(X2, C, columns, threshold=3), [0, 0.5, 0, 0.5, 0.5, 0.5])
    # Table 1: {apple, cherry} is optimal for 2/3 of the orbit of (10, 5, 0).
    result = rule_tendency(is_optimal, C[1:], C[:1], C, [10, 5, 0])
    assert (result.greater, result.less, result.orbit_size) == (4, 2, 6)


def test_cor_c_6_featurized_montezuma():
    """Prop C.4 / Cor C.6 (item 45, abstract version): with reward over 4 item counts,
    leaving offers B_feat = {e2, e3, e4, 0} and staying A_feat = {e1, 0}; B contains 3
    copies of A via φ_i = (1 i+1), so p_max(B) ≥³_most p_max(A) over R^4_{>0}."""
    zero = np.zeros(4)
    e = np.eye(4)
    A = np.vstack([e[0], zero])
    B = np.vstack([e[1], e[2], e[3], zero])
    C = np.vstack([A, e[1:]])
    involutions = [[(0, 1)], [(0, 2)], [(0, 3)]]
    assert contains_copies(A, B, C, involutions)
    rng = np.random.default_rng(3)
    for _ in range(20):
        result = rule_tendency(is_optimal, B, A, C, rng.uniform(0.1, 1.0, size=4))
        assert result.greater >= 3 * result.less
    exact = rule_tendency(is_optimal, B, A, C, [4, 3, 2, 1])
    assert (exact.greater, exact.less) == (18, 6)


# --- item 44: the ε-greedy bandit (RDSP Prop C.2 / Cor C.3, Lemma C.1) ---------------


def _bandit():
    from powerseek import MDP

    arms = ("a1", "a2", "a3", "a4", "a5")
    return MDP({"start": list(arms), **{a: [a] for a in arms}}, metadata={"start": "start"})


@pytest.mark.slow
@pytest.mark.parametrize("epsilon", [0.04, 0.2])
def test_prop_c2_lemma_c1_epsilon_greedy_bandit(epsilon):
    """RDSP Prop C.2 / Cor C.3 and Lemma C.1, simulated: an ε-greedy Q-learner on 5 arms,
    T = 100 trials, α = 1, exploration uniform over the 4 non-greedy arms, learns a strictly
    best arm with probability 1 − (4/5)(1 − ε/4)^99 ≥ 1 − (1 − ε/4)^100 (Lemma C.1), and the
    learnt choice of B = {a2..a5} over A = {a1} is 4-retargetable: over each utility's orbit,
    at least 4/5 of the elements choose B more often than A."""
    from powerseek.agents import QLearning, rule_policy

    mdp = _bandit()
    rule = QLearning(episodes=100, epsilon=epsilon, alpha=1.0, init=-100.0)
    n = 20_000
    R = np.zeros((n, mdp.n_states))
    R[:, 1:] = np.random.default_rng(8).random((n, 5))
    pi = rule_policy(mdp, R, 0.9, rule, rng=9)[:, :5]
    learnt = pi[np.arange(n), R[:, 1:].argmax(axis=1)].mean()
    exact = 1 - (4 / 5) * (1 - epsilon / 4) ** 99
    se = math.sqrt(exact * (1 - exact) / n)
    assert abs(learnt - exact) <= 4.5 * se
    assert exact >= 1 - (1 - epsilon / 4) ** 100
    u = np.array([0.9, 0.1, 0.3, 0.5, 0.7])
    orbit = np.array(list(itertools.permutations(u)))
    Ro = np.zeros((len(orbit), mdp.n_states))
    Ro[:, 1:] = orbit
    reps = 300
    probs = rule_policy(mdp, np.repeat(Ro, reps, axis=0), 0.9, rule, rng=10)[:, :5]
    probs = probs.reshape(len(orbit), reps, 5).mean(axis=1)
    assert np.mean(probs[:, 1:].sum(axis=1) > probs[:, 0]) >= 4 / 5
