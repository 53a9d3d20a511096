"""The impact level: partitions of the budget against direct scoring, and the post's results."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek.exceptions import InvalidParameterError, InvalidTypeError
from powerseek.impact import partition

LAWN = {"nothing": (0, 0), "mow": (20, 1), "newspaper": (45, 4), "garden": (15, 1)}

numbers = st.builds(Fraction, st.integers(-6, 30), st.integers(1, 7))
impacts = st.builds(Fraction, st.integers(0, 12), st.integers(1, 5))
plan_sets = st.dictionaries(
    st.sampled_from("abcdefgh"), st.tuples(numbers, impacts), min_size=1, max_size=8
)


def scaled_best(plans, R):
    """Every plan maximising u − I/R, by direct scoring."""
    scores = {name: u - impact / R for name, (u, impact) in plans.items()}
    top = max(scores.values())
    return {name for name, score in scores.items() if score == top}


def constrained_best(plans, R):
    """Every plan of most utility with I ≤ R, least impact among those."""
    feasible = {name: p for name, p in plans.items() if p[1] <= R}
    if not feasible:
        return set()
    top = max(u for u, _ in feasible.values())
    least = min(i for u, i in feasible.values() if u == top)
    return {n for n, (u, i) in feasible.items() if u == top and i == least}


def probes(result):
    """Budgets inside every interval and at every breakpoint."""
    out = []
    for _, low, high in result.intervals:
        if high is None:
            out += [low + 1, low * 2 + 7]
        else:
            out += [(low + high) / 2, high]
        if low > 0:
            out.append(low)
    return [R for R in out if R > 0]


def test_the_lawn_example_exactly():
    lawn = partition(LAWN)
    assert lawn.intervals == (
        ("nothing", 0, Fraction(1, 20)),
        ("mow", Fraction(1, 20), Fraction(3, 25)),
        ("newspaper", Fraction(3, 25), None),
    )
    assert lawn.dominated == ("garden",)
    assert [lawn.winner(R) for R in ("1/20", "1/19", "3/25", "0.121", 10**6)] == [
        "nothing",
        "mow",
        "mow",
        "newspaper",
        "newspaper",
    ]
    # the catastrophe (newspaper) first wins 12/5 times as far out as mowing does
    buffer = lawn.buffer(["newspaper"], ["mow"])
    assert buffer == (Fraction(1, 20), Fraction(3, 25), Fraction(12, 5), Fraction(7, 5))
    assert lawn.buffer("garden", "mow").ratio is None  # garden never wins
    assert lawn.buffer("newspaper", "nothing").ratio is None  # nothing wins from R = 0
    constrained = partition(LAWN, kind="constrained")
    assert constrained.intervals == (("nothing", 0, 1), ("mow", 1, 4), ("newspaper", 4, None))
    assert constrained.winner(Fraction(399, 100)) == "mow"


@given(plan_sets)
def test_scaled_partition_matches_direct_scoring(plans):
    result = partition(plans)
    exact = dict(result.plans)
    for R in probes(result):
        plan = result.winner(R)
        best = scaled_best(exact, R)
        assert plan in best
        inside = not any(high == R for _, _, high in result.intervals)
        if inside:  # a unique winner inside an interval, up to identical plans
            assert best == {plan, *result.ties.get(plan, ())}
    winners = [plan for plan, _, _ in result.intervals]
    tied = {t for group in result.ties.values() for t in group}
    assert set(result.dominated) == set(exact) - set(winners) - tied


@given(plan_sets)
def test_constrained_partition_matches_direct_scoring(plans):
    result = partition(plans, kind="constrained")
    exact = dict(result.plans)
    budgets = {i for _, i in exact.values()} | {i + Fraction(1, 3) for _, i in exact.values()}
    for R in sorted(b for b in budgets if b > 0):
        best = constrained_best(exact, R)
        plan = result.winner(R)
        assert (plan is None) == (not best)
        if plan is not None:
            assert best == {plan, *result.ties.get(plan, ())}


@given(plan_sets)
def test_lemma_5_corollary_7_and_theorem_8(plans):
    result = partition(plans)
    exact = dict(result.plans)
    least = min(i for _, i in exact.values())
    first, last = result.intervals[0][0], result.intervals[-1][0]
    # Lemma 5: the first interval is the best plan of least impact
    assert exact[first] == max((p for p in exact.values() if p[1] == least), key=lambda p: p[0])
    # Corollary 7: the last is the plain maximiser (least impact among them)
    most = max(u for u, _ in exact.values())
    assert exact[last] == (most, min(i for u, i in exact.values() if u == most))
    # Theorem 8: each deal buys less utility per unit of impact than the one before
    winners = [exact[plan] for plan, _, _ in result.intervals]
    rates = [(b[0] - a[0]) / (b[1] - a[1]) for a, b in zip(winners, winners[1:])]
    assert all(x > y for x, y in zip(rates, rates[1:]))
    highs = [high for _, _, high in result.intervals]
    assert all(high == 1 / rate for high, rate in zip(highs, rates))


@given(st.tuples(numbers, impacts), st.tuples(numbers, impacts))
def test_theorem_4_a_better_plan_wins_above_the_ratio(a, b):
    # a′ of more utility and more impact beats a exactly when R > ΔI/Δu
    if not (b[0] > a[0] and b[1] > a[1]):
        a, b = b, a
    if not (b[0] > a[0] and b[1] > a[1]):
        return
    ratio = (b[1] - a[1]) / (b[0] - a[0])
    result = partition({"a": a, "b": b})
    if a[1] == min(a[1], b[1]):
        assert result.intervals == (("a", 0, ratio), ("b", ratio, None))
    for R in (ratio / 2, ratio, ratio * 2):
        assert (b[0] - b[1] / R > a[0] - a[1] / R) == (ratio < R)


def test_collinear_plans_skip_the_middle_one():
    # all three score alike at R = 1/10; above it the most impactful wins at once,
    # so the middle plan wins no interval
    result = partition({"none": (0, 0), "half": (10, 1), "full": (20, 2)})
    assert result.intervals == (("none", 0, Fraction(1, 10)), ("full", Fraction(1, 10), None))
    assert result.dominated == ("half",)


def test_ties_and_floats():
    result = partition({"x": (1, 0.3), "y": (1, "3/10"), "z": (0, 0)})
    assert result.plans["x"] == (1, Fraction(3, 10))
    assert result.ties == {"x": ("y",)}
    assert result.dominated == ()
    assert result.winner(1) == "x"
    assert result.first_budget("y") == Fraction(3, 10)
    assert "(tied: y)" in str(result)
    same_impact = partition({"low": (1, 2), "high": (3, 2)})
    assert same_impact.intervals == (("high", 0, None),) and same_impact.dominated == ("low",)


def test_records_and_html():
    lawn = partition(LAWN)
    records = lawn.to_records()
    assert [r["plan"] for r in records] == ["nothing", "mow", "newspaper"]
    assert records[1]["high"] == Fraction(3, 25)
    assert "never chosen: garden" in lawn._repr_html_()


@pytest.mark.parametrize(
    ("plans", "kwargs", "error", "match"),
    [
        ([("a", 1, 0)], {}, InvalidTypeError, "must be a mapping"),
        ({}, {}, InvalidParameterError, "is empty"),
        ({"a": (1, -1)}, {}, InvalidParameterError, r"`plans`\['a'\] has impact -1"),
        ({"a": (1, 2, 3)}, {}, InvalidParameterError, r"`plans`\['a'\] must be a pair"),
        ({"a": "12"}, {}, InvalidParameterError, "must be a pair"),
        ({"a": (1, "lots")}, {}, InvalidParameterError, r"`plans`\['a'\] must hold two numbers"),
        ({"a": (1, 0)}, {"kind": "lagrangian"}, InvalidParameterError, "`kind` must be one of"),
    ],
)
def test_bad_input(plans, kwargs, error, match):
    with pytest.raises(error, match=match):
        partition(plans, **kwargs)


def test_bad_budgets_and_names():
    lawn = partition(LAWN)
    with pytest.raises(InvalidParameterError, match="`budget` must be positive; got 0"):
        lawn.winner(0)
    with pytest.raises(InvalidParameterError, match="names 'lawnmower', which is not a plan"):
        lawn.buffer(["lawnmower"], ["mow"])


roles = st.lists(st.sampled_from(["satisfactory", "catastrophe", "other"]), min_size=3, max_size=8)


@given(plan_sets, roles)
def test_theorem_11_a_sufficient_condition_for_buffering(plans, assigned):
    names = sorted(plans)
    role = dict(zip(names, assigned + ["other"] * len(names)))
    good = [n for n in names if role[n] == "satisfactory"]
    bad = [n for n in names if role[n] == "catastrophe"]
    others = [n for n in names if role[n] == "other"]
    if not (good and bad and others):
        return
    result = partition(plans)
    exact = result.plans
    hypotheses = max(exact[n][0] for n in others) < min(exact[n][0] for n in good) and min(
        exact[n][1] for n in bad
    ) > max(exact[n][1] for n in good)
    if not hypotheses:
        with pytest.raises(InvalidParameterError, match="Theorem 11 needs"):
            result.buffer_bound(bad, good)
        return
    bound = result.buffer_bound(bad, good)
    buffer = result.buffer(bad, good)
    if bound is None:  # unbounded: no catastrophe ever wins, or a satisfactory one from 0
        assert buffer.satisfactory_from is not None and buffer.ratio is None
    elif bound > 1:  # the theorem: a satisfactory plan wins first, by at least the bound
        assert buffer.satisfactory_from is not None
        assert buffer.ratio is None or buffer.ratio >= bound
        assert buffer.catastrophe_from is None or buffer.catastrophe_from > buffer.satisfactory_from


@given(
    st.tuples(st.builds(Fraction, st.integers(1, 9), st.integers(1, 4)), impacts.filter(bool)),
    st.builds(Fraction, st.integers(1, 9), st.integers(1, 3)),
    st.builds(Fraction, st.integers(1, 20), st.integers(1, 3)),
)
def test_theorem_11_is_attained_with_one_satisfactory_plan(sat, extra_u, extra_i):
    # doing nothing, one satisfactory plan and one catastrophe: when the bound exceeds 1
    # the satisfactory plan wins from I_s/u_s and the catastrophe from ΔI/Δu, so the
    # ratio is the bound; otherwise the satisfactory plan lies under the hull
    u, impact = sat
    plans = {"nothing": (0, 0), "sat": (u, impact), "cat": (u + extra_u, impact + extra_i)}
    result = partition(plans)
    bound = result.buffer_bound("cat", "sat")
    assert bound == (extra_i / extra_u) * u / impact
    buffer = result.buffer("cat", "sat")
    if bound > 1:
        assert buffer.ratio == bound
    else:
        assert buffer.satisfactory_from is None and "sat" in result.dominated


def test_the_refined_buffer_example():
    # satisfactory utilities 0.3 to 0.4, catastrophes ten times the impact and at most
    # utility 1: (10 − 1) · 0.3 / (1 − 0.4) = 4.5. By the post's definition (ratio ≥ 1 + α)
    # that is α = 3.5, where its text says "4.5-buffering"
    plans = {
        "nothing": (0, 0),
        "low": (Fraction(3, 10), 1),
        "high": (Fraction(2, 5), Fraction(1, 2)),
        "cat": (1, 10),
        "cat2": (Fraction(1, 2), 12),
    }
    result = partition(plans)
    bound = result.buffer_bound(["cat", "cat2"], ["low", "high"])
    assert bound == Fraction(9, 2) and bound - 1 == Fraction(7, 2)
    assert result.buffer(["cat", "cat2"], ["low", "high"]).ratio >= bound
    # a catastrophe no better than the best satisfactory plan never wins: unbounded
    level = partition({**plans, "cat": (Fraction(2, 5), 10), "cat2": (Fraction(1, 3), 12)})
    assert level.buffer_bound(["cat", "cat2"], ["low", "high"]) is None
    assert level.buffer(["cat", "cat2"], ["low", "high"]).catastrophe_from is None
    with pytest.raises(InvalidParameterError, match="both a catastrophe and satisfactory"):
        result.buffer_bound(["cat", "low"], ["low"])
    with pytest.raises(InvalidParameterError, match="neither satisfactory nor"):
        result.buffer_bound(["cat", "cat2"], ["low", "high", "nothing"])
    with pytest.raises(InvalidParameterError, match="scaled partition"):
        partition(plans, kind="constrained").buffer_bound("cat", "low")
