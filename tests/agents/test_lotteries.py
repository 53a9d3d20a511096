"""Decision rules over outcome lotteries: closed forms against brute force, and input errors."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek import InvalidParameterError, InvalidTypeError
from powerseek.agents.lotteries import (
    RULES,
    anti_optimal,
    best_of_k,
    boltzmann,
    frac_optimal,
    is_optimal,
    make_rule,
    quantilize,
    satisfice,
)


@st.composite
def menus(draw, max_d=4, max_c=5):
    """C (distinct integer rows), a mask choosing X ⊆ C, and a utility u, with ties likely."""
    d = draw(st.integers(1, max_d))
    rows = draw(
        st.lists(
            st.lists(st.integers(0, 2), min_size=d, max_size=d).map(tuple),
            min_size=1,
            max_size=max_c,
            unique=True,
        )
    )
    C = np.array(rows, dtype=float)
    mask = np.array(draw(st.lists(st.booleans(), min_size=len(C), max_size=len(C))))
    if not mask.any():
        mask[0] = True
    u = np.array(draw(st.lists(st.integers(-2, 2), min_size=d, max_size=d)), dtype=float)
    return C, mask, u


@given(menus(), st.integers(1, 3))
def test_best_of_k_matches_enumeration_of_draws(menu, k):
    """E over all |C|^k draw sequences of FracOptimal(X ∩ S | S) with S the set drawn."""
    C, mask, u = menu
    total = 0.0
    for draw in itertools.product(range(len(C)), repeat=k):
        drawn = sorted(set(draw))
        chosen = [i for i in drawn if mask[i]]
        if chosen:
            total += frac_optimal(C[chosen], C[drawn], u)
    assert best_of_k(C[mask], C, u, k=k) == pytest.approx(total / len(C) ** k, abs=1e-12)


@given(menus(), st.sampled_from([0.1, 0.25, 0.5, 0.8, 1.0]), st.booleans())
def test_quantilizer_is_the_top_q_slice_of_the_base(menu, q, uniform):
    """Q_{q,P} picks uniformly from the top q of P's mass ranked by utility, ties split
    in proportion to P: each lottery's share is |its slice ∩ [0, q]| / q, summing to 1."""
    C, mask, u = menu
    n = len(C)
    P = np.full(n, 1 / n) if uniform else np.arange(1, n + 1) / (n * (n + 1) / 2)
    values = C @ u
    expected = np.zeros(n)
    start = 0.0
    for level in sorted(set(values), reverse=True):
        tied = values == level
        mass = P[tied].sum()
        taken = min(max(q - start, 0.0), mass)
        expected[tied] = P[tied] / mass * taken / q
        start += mass
    assert quantilize(C[mask], C, u, q=q, base=P) == pytest.approx(expected[mask].sum(), abs=1e-12)
    assert quantilize(C, C, u, q=q, base=P) == pytest.approx(1.0)


@given(menus())
def test_probability_rules_sum_to_one_over_singletons(menu):
    """Boltzmann, FracOptimal, best-of-k and Satisfice (when something satisfices) are
    distributions over C: their values on the singletons add up to 1."""
    C, _, u = menu
    for rule in (
        lambda X: boltzmann(X, C, u, temperature=0.5),
        lambda X: frac_optimal(X, C, u),
        lambda X: best_of_k(X, C, u, k=2),
    ):
        assert sum(rule(C[i : i + 1]) for i in range(len(C))) == pytest.approx(1.0)
    threshold = float((C @ u).min())
    assert sum(satisfice(C[i : i + 1], C, u, threshold=threshold) for i in range(len(C))) == (
        pytest.approx(1.0)
    )


@given(menus())
def test_optimal_and_anti_optimal_are_mirror_images(menu):
    C, mask, u = menu
    assert anti_optimal(C[mask], C, u) == is_optimal(C[mask], C, -u)
    assert is_optimal(C, C, u) == 1.0 and frac_optimal(C, C, u) == 1.0


def test_vectorised_over_utilities():
    C = np.eye(3)
    u = np.array([[3, 2, 1], [1, 2, 3]], dtype=float)
    for name, (rule, keyword) in RULES.items():
        kwargs = {} if keyword is None else {keyword: {"k": 2, "q": 0.5}.get(keyword, 1.0)}
        batch = rule(C[:1], C, u, **kwargs)
        assert batch.shape == (2,), name
        assert batch[1] == rule(C[:1], C, u[1], **kwargs), name


def test_ties_within_rounding_count_as_ties():
    """0.1 + 0.2 and 0.3 are the same utility: both lotteries are optimal."""
    C = np.array([[0.1, 0.2, 0.0], [0.0, 0.0, 0.3]])
    u = np.array([1.0, 1.0, 1.0])
    assert frac_optimal(C[:1], C, u) == 0.5


@pytest.mark.parametrize("gap", [1e-6, 1e-4, 1e-2])
def test_utilities_apart_by_more_than_rounding_do_not_tie(gap):
    """A tie tolerance of 1e-3 (not 1e-9) passed every test with ties; lotteries whose
    utilities differ by a small but real amount must not tie."""
    C = np.array([[1.0, 0.0], [0.0, 1.0]])
    u = np.array([1.0, 1.0 - gap])
    assert frac_optimal(C[:1], C, u) == 1.0 and frac_optimal(C[1:], C, u) == 0.0
    assert is_optimal(C[:1], C, u) and not is_optimal(C[1:], C, u)


def test_make_rule():
    rule = make_rule("boltzmann", 2)
    assert rule.__name__ == "boltzmann(temperature=2.0)"
    assert make_rule("is_optimal") is is_optimal
    with pytest.raises(InvalidParameterError, match="rule must be one of"):
        make_rule("optimal")
    with pytest.raises(InvalidParameterError, match="needs its threshold"):
        make_rule("satisfice")
    with pytest.raises(InvalidParameterError, match="takes no parameter"):
        make_rule("is_optimal", 3)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: is_optimal([[1, 0]], np.eye(3), [1, 2, 3]),
            InvalidParameterError,
            "X must have 3",
        ),
        (lambda: is_optimal([[0.5, 0.5]], np.eye(2), [1, 2]), InvalidParameterError, "subset of C"),
        (lambda: is_optimal([[1, 0]], np.eye(2), [1, 2, 3]), InvalidParameterError, "u must have"),
        (lambda: is_optimal([[1, 0]], [], [1, 2]), InvalidParameterError, "C must be a non-empty"),
        (lambda: is_optimal("ab", np.eye(2), [1, 2]), InvalidTypeError, "X must be a 2-D"),
        (
            lambda: boltzmann([[1, 0]], np.eye(2), [1, 2], temperature=0),
            InvalidParameterError,
            "temperature must be positive",
        ),
        (lambda: best_of_k([[1, 0]], np.eye(2), [1, 2], k=0), InvalidParameterError, "k must"),
        (lambda: quantilize([[1, 0]], np.eye(2), [1, 2], q=1.5), InvalidParameterError, "q must"),
        (
            lambda: quantilize([[1, 0]], np.eye(2), [1, 2], q=0.5, base=[0.2, 0.2]),
            InvalidParameterError,
            "base must be 2",
        ),
        (
            lambda: satisfice([[1, 0]], np.eye(2), [1, 2], threshold=float("nan")),
            InvalidParameterError,
            "threshold must be finite",
        ),
    ],
)
def test_errors_name_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call()
