"""The impact level of an MDP against every deterministic policy, in exact rationals."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import rational_solve
from test_penalties import random_world

from powerseek import gridworld, load
from powerseek.exceptions import InvalidParameterError
from powerseek.impact import (
    attainable_utility,
    aup_penalty,
    episode_ends,
    impact_level,
    partition,
)
from strategies import examples


def every_policy_partition(mdp, task, penalty, gamma):
    """The scaled partition over every deterministic policy, each line (u, I) from state 0
    solved in rationals (the float inputs read as the rationals they are)."""
    T = mdp.transition_matrix.toarray()
    arrival = [Fraction(float(x)) for x in T @ task]
    cost = [Fraction(float(x)) for x in penalty]
    T = [[Fraction(float(x)) for x in row] for row in T]
    ends = episode_ends(mdp)
    plans = {}
    for choice in itertools.product(*(range(len(a)) for a in mdp.actions)):
        pairs = mdp.pair_offsets[:-1] + np.array(choice)
        line = []
        for c in (arrival, cost):  # (I − γ P_π) x = c_π, an episode's end worth 0
            rows = []
            for s in range(mdp.n_states):
                row = [Fraction(int(s == t)) for t in range(mdp.n_states)]
                if not ends[s]:
                    row = [x - gamma * w for x, w in zip(row, T[pairs[s]], strict=True)]
                rows.append([*row, Fraction(0) if ends[s] else c[pairs[s]]])
            line.append(rational_solve(rows)[0])
        plans[str(choice)] = tuple(line)
    return partition(plans)


def random_case(seed, stochastic):
    mdp = random_world(seed, stochastic=stochastic)
    rng = np.random.default_rng(seed)
    task = rng.integers(-1, 4, size=mdp.n_states) / 3.0
    penalty = rng.integers(0, 5, size=mdp.n_pairs) / 7.0
    return mdp, task, penalty


@settings(max_examples=examples(25))
@given(st.integers(0, 2**32 - 1))
def test_the_partition_is_that_of_every_policy(seed):
    mdp, task, penalty = random_case(seed, stochastic=False)
    every = every_policy_partition(mdp, task, penalty, Fraction(9, 10))
    ours = impact_level(mdp, penalty, 0.9, task=task, start=0)
    winners = [ours.partition.plans[p] for p, _, _ in ours.partition.intervals]
    assert winners == [every.plans[p] for p, _, _ in every.intervals]
    assert [(lo, hi) for _, lo, hi in ours.partition.intervals] == [
        (lo, hi) for _, lo, hi in every.intervals
    ]


@settings(max_examples=examples(25))
@given(st.integers(0, 2**32 - 1))
def test_a_stochastic_partition_is_that_of_every_policy(seed):
    # parametric policy iteration against every deterministic policy's exact line
    mdp, task, penalty = random_case(seed, stochastic=True)
    every = every_policy_partition(mdp, task, penalty, Fraction(9, 10))
    ours = impact_level(mdp, penalty, 0.9, task=task, start=0)
    winners = [ours.partition.plans[p] for p, _, _ in ours.partition.intervals]
    expected = [every.plans[p] for p, _, _ in every.intervals]
    assert len(winners) == len(expected)
    for (u, i), (v, j) in zip(winners, expected, strict=True):  # floats: to 1e-9
        assert abs(u - v) <= 1e-9 and abs(i - j) <= 1e-9
    assert all(o.steps is None and 0 <= o.goal <= 1 for o in ours.outcomes.values())


def test_options_and_damage():
    box = load("aup-box")
    level = impact_level(
        box, aup_penalty(attainable_utility(box, 0.996, n_aux=30, rng=0), box), 0.996
    )
    low, plan = level.first_safe()
    assert plan == "policy 2" and float(low) == pytest.approx(1.0125, abs=1e-4)
    assert level.outcomes["policy 3"].side_effects == {"box-cornered": True}
    buffer = level.buffer()  # the corner is chosen from a budget 11.33 times the safe one
    assert (
        float(buffer.ratio) == pytest.approx(11.334, abs=1e-3) and buffer.alpha == buffer.ratio - 1
    )
    dog = load("aup-dog")
    level = impact_level(
        dog, aup_penalty(attainable_utility(dog, 0.996, n_aux=30, rng=0), dog), 0.996
    )
    # five policies take turns as the budget grows: hit the dog, go round, hit it again
    assert [p for p, _, _ in level.partition.intervals] == [f"policy {k}" for k in range(1, 6)]
    hits = [level.outcomes[f"policy {k}"].side_effects["dog-hit"] for k in range(1, 6)]
    assert hits == [False, True, False, False, True]
    buffer = level.buffer()  # a policy that hits the dog is chosen before any safe one
    assert buffer.catastrophe_from < buffer.satisfactory_from and buffer.ratio < 1


def test_bad_input():
    box = load("aup-box")
    with pytest.raises(InvalidParameterError, match="one finite number at least 0 per"):
        impact_level(box, -np.ones(box.n_pairs), 0.9)
    with pytest.raises(InvalidParameterError, match="one finite number at least 0 per"):
        impact_level(box, np.ones(3), 0.9)
    with pytest.raises(InvalidParameterError, match="one row per step"):
        impact_level(box, np.ones((4, box.n_pairs)), 0.9)
    with pytest.raises(InvalidParameterError, match=r"`gamma` must be in \(0, 1\)"):
        impact_level(box, np.ones(box.n_pairs), 1.0)
    with pytest.raises(InvalidParameterError, match="`task` is needed"):
        grid = gridworld.parse(["..", ".."])
        impact_level(grid, np.ones(grid.n_pairs), 0.9)


def test_records_tables_and_notebook_display():
    pytest.importorskip("pandas")
    box = load("aup-box")
    au = attainable_utility(box, 0.996, n_aux=30, rng=0)
    level = impact_level(box, aup_penalty(au, box), 0.996)
    records = level.to_records()
    assert [r["policy"] for r in records] == [p for p, _, _ in level.partition.intervals]
    assert records[-1]["budget_high"] is None and records[2]["side_effects"] == "box-cornered"
    assert [r["safe"] for r in records] == [False, True, False]
    frame = level.to_frame()
    assert list(frame["policy"]) == ["policy 1", "policy 2", "policy 3"]
    html = level._repr_html_()
    assert html.count("<tr>") == 4 and "7 steps, goal, no side effect" in html
    # 60 states: the first 40 rows and a line for the other 20
    assert au._repr_html_().count("<tr>") == 42 and "20 more rows" in au._repr_html_()
    from powerseek.impact import ablation, penalized_policy

    agent = penalized_policy(box, 0.996, aup_penalty(au, box), lam=0.5)
    assert agent._repr_html_().count("<tr>") == 42
    table = ablation(["aup-box"], ["Vanilla", "AUP"], draws=2)
    assert table._repr_html_().count("<tr>") == 3
    assert list(table.to_frame()["agent"]) == ["Vanilla", "AUP"]


def occupancy_lp(mdp, task, penalty, gamma, budget, start=0):
    """max u(f) subject to I(f) ≤ budget over the occupancy measures f of `start`, by HiGHS."""
    from scipy.optimize import linprog

    ends = episode_ends(mdp)
    alive = ~ends[mdp.pair_states]
    T = mdp.transition_matrix.toarray()
    flow = np.zeros((mdp.n_states, mdp.n_pairs))  # Σ_a f(s, a) − γ Σ_q T[q, s] f(q) = δ_s0
    flow[mdp.pair_states, np.arange(mdp.n_pairs)] = 1.0
    flow -= gamma * (T * alive[:, None]).T
    utility = np.where(alive, T @ task, 0.0)
    impact = np.where(alive, penalty, 0.0)
    result = linprog(
        -utility, A_ub=impact[None, :], b_ub=[budget], A_eq=flow,
        b_eq=np.eye(mdp.n_states)[start], bounds=(0, None), method="highs",
    )  # fmt: skip
    return None if result.status == 2 else -result.fun


@settings(max_examples=examples(25))
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_the_constrained_agent_is_the_occupancy_linear_programme(seed, stochastic):
    mdp, task, penalty = random_case(seed, stochastic=stochastic)
    level = impact_level(mdp, penalty, 0.9, task=task, start=0)
    impacts = sorted({i for _, i in level.partition.plans.values()})
    low, high = impacts[0], impacts[-1]
    budgets = [low / 2, low, (low + high) / 3, (low + high) / 2, high, high + 1, *impacts]
    plans = level.partition.plans
    for cap in budgets:  # exact budgets; the programme reads them as floats
        ours = level.constrained(cap)
        lp = occupancy_lp(mdp, task, penalty, 0.9, float(cap))
        if cap < low:
            assert ours is None and lp is None
            continue
        assert ours is not None and lp is not None
        assert float(ours.utility) == pytest.approx(lp, abs=1e-7)
        assert ours.impact <= cap and sum(ours.weights.values()) == 1
        # the mixture's own lines give its utility and impact
        assert sum(w * plans[n][0] for n, w in ours.weights.items()) == ours.utility
        assert sum(w * plans[n][1] for n, w in ours.weights.items()) == ours.impact


def test_the_constrained_agent_at_and_between_the_winners():
    plans = {"a": (0, 0), "b": (3, 1), "c": (4, 3)}  # c mixes in above I = 1
    from powerseek.impact._level import ImpactLevel

    level = ImpactLevel(partition(plans), {}, {}, ())
    assert level.constrained(0).weights == {"a": 1}
    half = Fraction(1, 2)
    assert level.constrained(half) == (Fraction(3, 2), half, {"a": half, "b": half})
    assert level.constrained(1).weights == {"b": 1}
    assert level.constrained(2) == (Fraction(7, 2), 2, {"b": Fraction(1, 2), "c": Fraction(1, 2)})
    assert level.constrained(10) == (4, 3, {"c": 1})
    with pytest.raises(InvalidParameterError, match="`budget` must be at least 0"):
        level.constrained(-1)


def test_a_stochastic_impact_rounded_below_zero_is_zero():
    # the least-impact policy's LU solve gives −1.5e-15 for an impact of 0
    mdp, task, penalty = random_case(78971167, stochastic=True)
    level = impact_level(mdp, penalty, 0.9, task=task, start=0)
    assert min(i for _, i in level.partition.plans.values()) == 0
