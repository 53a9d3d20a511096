"""The conjecture explorer: families, hypothesis search, sweeps, counterexample files."""

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import strategies as st

from powerseek import MDP, FiniteSupport, InvalidParameterError, InvalidTypeError, load
from powerseek.exact._results import exact_power
from powerseek.exceptions import PredicateError
from powerseek.explore._conjectures import conjecture, load_predicate
from powerseek.explore._families import count_successor_graphs, deterministic_mdps, terminal_choice
from powerseek.explore._search import (
    Case,
    Conjecture,
    Verdict,
    exhaustive_cases,
    exhaustive_search,
    explore,
    search_cases,
)
from powerseek.io._files import read
from powerseek.rewards._distributions import IID
from powerseek.rewards._spec import parse_distribution
from powerseek.visits._functions import one_cycle_options

# ----------------------------------------------------------------------
# families


def _isomorphism_classes(n):
    """Brute force: successor graphs on n states up to isomorphism, with networkx."""
    classes = []
    for graph in itertools.product(range(1, 1 << n), repeat=n):
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from((i, j) for i, mask in enumerate(graph) for j in range(n) if mask >> j & 1)
        if not any(nx.is_isomorphic(g, h) for h in classes):
            classes.append(g)
    return classes


@pytest.mark.parametrize("n", [1, 2, 3])
def test_deterministic_mdps_are_one_per_isomorphism_class(n):
    family = list(deterministic_mdps(n))
    assert len(family) == len(_isomorphism_classes(n))
    graphs = []
    for mdp in family:
        assert mdp.is_deterministic and mdp.n_states == n
        g = nx.DiGraph()
        g.add_nodes_from(mdp.states)
        g.add_edges_from((s, t) for s in mdp.states for t in mdp.successors(s))
        assert not any(nx.is_isomorphic(g, h) for h in graphs)
        graphs.append(g)


def test_deterministic_mdps_counts_and_limits():
    assert [count_successor_graphs(n) for n in (1, 2, 3, 4)] == [1, 9, 343, 50625]
    # functional graphs (one action per state) on 3 nodes: 7 classes
    assert sum(1 for _ in deterministic_mdps(3, max_actions=1)) == 7
    assert all(
        len(m.actions_of(s)) <= 2 for m in deterministic_mdps(3, max_actions=2) for s in m.states
    )
    with pytest.raises(InvalidParameterError, match="28,629,151 successor graphs on 5 states"):
        next(deterministic_mdps(5))
    with pytest.raises(InvalidTypeError, match="n_states"):
        next(deterministic_mdps(2.5))


def test_terminal_choice_structure():
    mdp = terminal_choice(3, 2, shared=1)
    assert mdp.states == ("start", "live", "die", "b1", "b2", "b3", "a1", "a2", "c1")
    assert one_cycle_options(mdp, "start", "live") == ("b1", "b2", "b3", "c1")
    assert one_cycle_options(mdp, "start", "die") == ("a1", "a2", "c1")
    assert mdp.metadata["start"] == "start"
    with pytest.raises(InvalidParameterError, match="`m` must be at least 1"):
        terminal_choice(2, 0)


# ----------------------------------------------------------------------
# search


def at_most_half(mdp, dist, gamma):
    """Every state's POWER is at most 1/2 (false)."""
    return max(exact_power(mdp, gamma).power) <= 0.5


def test_search_finds_and_shrinks_a_counterexample():
    result = explore(at_most_half, max_examples=50, seed=1)
    assert not result.holds and result.violations == 1
    case = result.counterexample
    # shrunk to the smallest refuting shape: two states, one of which can choose
    assert case.mdp.n_states == 2
    assert max(exact_power(case.mdp, case.gamma).power) > 0.5
    assert result.tried >= 1 and result.shrink_steps >= 0
    assert "COUNTEREXAMPLE" in result.summary()


@pytest.mark.slow
def test_search_is_reproducible_from_its_seed():
    runs = [explore(at_most_half, max_examples=50, seed=seed) for seed in (5, 5, 6)]
    first, second, other = (r.to_dict() for r in runs)
    for run in (first, second, other):
        run.pop("elapsed_s")
    assert first == second
    assert other["seed"] == 6


@pytest.mark.slow
def test_search_ignores_literals_of_the_callers_modules():
    from hypothesis.internal.conjecture import providers

    before = providers._get_local_constants
    explore(at_most_half, max_examples=5, seed=0)
    assert providers._get_local_constants is before


def test_a_true_conjecture_holds_on_every_case_tried():
    def bounded(mdp, dist, gamma):
        power = exact_power(mdp, gamma).power
        return Verdict(all(0 <= p <= 1 for p in power), margin=float(1 - max(power)))

    result = explore(bounded, max_examples=30, seed=0)
    assert result.holds and result.tried == result.applicable == 30
    assert result.counterexample is None and result.closest is not None
    assert "no counterexample found" in result.summary()


def test_inapplicable_cases_are_counted_apart():
    def only_two_states(mdp, dist, gamma):
        return None if mdp.n_states != 2 else True

    result = explore(only_two_states, max_examples=20, seed=0)
    assert result.holds and 0 < result.applicable < result.tried

    nothing = explore(lambda mdp, dist, gamma: None, max_examples=10, seed=0)
    assert nothing.holds and nothing.applicable == 0


def test_custom_cases_and_findings():
    cases = search_cases(st.sampled_from([load("candy-wait"), load("turner-fig1")]), gammas=[0.5])

    def grouped(mdp, dist, gamma):
        return Verdict(True, group=f"states={mdp.n_states}", value=float(mdp.n_states))

    result = explore(grouped, cases=cases, max_examples=10, seed=0)
    assert set(result.findings) <= {"states=5", "states=8"}
    for group, finding in result.findings.items():
        assert finding.minimum == finding.maximum == float(group.split("=")[1])


def test_a_predicate_that_raises_reports_the_smallest_case():
    def broken(mdp, dist, gamma):
        if mdp.n_states >= 2:
            raise ZeroDivisionError("boom")
        return True

    with pytest.raises(PredicateError, match="raised ZeroDivisionError: boom") as info:
        explore(broken, max_examples=50, seed=0)
    assert info.value.case.mdp.n_states == 2

    with pytest.raises(PredicateError, match="must return True, False, None or a Verdict"):
        explore(lambda mdp, dist, gamma: 3, max_examples=5, seed=0)


def test_explore_rejects_bad_arguments():
    with pytest.raises(InvalidParameterError, match="`max_examples` must be a positive integer"):
        explore(at_most_half, max_examples=0)
    with pytest.raises(InvalidTypeError, match="seed must be an integer"):
        explore(at_most_half, seed="1")
    with pytest.raises(InvalidTypeError, match="cases must be a hypothesis strategy"):
        explore(at_most_half, cases=[1, 2])
    with pytest.raises(InvalidParameterError, match="not a built-in conjecture"):
        conjecture("no-such-conjecture")
    with pytest.raises(InvalidTypeError, match=r"explore.conjecture\(name\)"):
        explore("fractional-copies")
    with pytest.raises(InvalidTypeError, match="conjecture must be"):
        conjecture(42)


# ----------------------------------------------------------------------
# exhaustive searches


def test_exhaustive_search_counts_every_violation():
    cases = list(exhaustive_cases(2, gammas=[0, 1]))
    assert len(cases) == 2 * (1 + 6)
    result = exhaustive_search(at_most_half, cases)
    expected = sum(not at_most_half(c.mdp, c.dist, c.gamma) for c in cases)
    assert result.violations == expected > 0
    assert result.tried == len(cases)
    # the first violating case in family order is reported
    first = next(c for c in cases if not at_most_half(c.mdp, c.dist, c.gamma))
    assert result.counterexample is first


def test_exhaustive_search_rejects_bad_arguments():
    with pytest.raises(InvalidParameterError, match="size must be a positive integer"):
        exhaustive_search(at_most_half, size=0)
    with pytest.raises(
        InvalidTypeError, match="exhaustive_search cases must be Case or GameCase objects"
    ):
        exhaustive_search(at_most_half, [1])


# ----------------------------------------------------------------------
# counterexample files


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_counterexample_file_round_trip(tmp_path, suffix):
    result = explore(at_most_half, max_examples=50, seed=1)
    env, dist_file = result.save_counterexample(tmp_path / f"ce{suffix}")
    assert dist_file.name == "ce.dist.toml"
    mdp = read(env)
    case = result.counterexample
    assert mdp.same_dynamics(case.mdp)
    assert mdp.metadata["gamma"] == (float(case.gamma),)
    assert "at_most_half" in mdp.metadata["description"]
    dist = parse_distribution(str(dist_file), mdp)
    assert dist.describe() == case.dist.describe()
    assert not at_most_half(mdp, dist, case.gamma)


def test_counterexamples_with_integer_labels_save_as_toml(tmp_path):
    # exhaustive families label states 0..n-1, which TOML keys cannot hold as integers
    result = exhaustive_search(at_most_half, exhaustive_cases(2, gammas=[0]))
    env, _ = result.save_counterexample(tmp_path / "ce.toml")
    mdp = read(env)
    assert mdp.states == tuple(str(s) for s in result.counterexample.mdp.states)
    assert mdp.actions == tuple(
        tuple(str(a) for a in acts) for acts in result.counterexample.mdp.actions
    )
    assert not at_most_half(mdp, IID(), 0)


def test_finite_support_rewards_are_written_exactly(tmp_path):
    mdp = MDP({"a": ["a", "b"], "b": ["b"]})
    dist = FiniteSupport([[0.1, 1 / 3], [0.7, 0.2]], [0.25, 0.75])
    conjecture = Conjecture("never", "nothing holds", lambda m, d, g: False)
    result = exhaustive_search(conjecture, [Case(mdp, dist, 0.5)])
    _, dist_file = result.save_counterexample(tmp_path / "x.toml")
    back = parse_distribution(str(dist_file), mdp)
    np.testing.assert_array_equal(back.vectors, dist.vectors)
    np.testing.assert_array_equal(back.weights, dist.weights)


def test_saving_without_a_counterexample_is_an_error(tmp_path):
    result = exhaustive_search(lambda m, d, g: True, [Case(load("candy-wait"), IID(), 0.5)])
    with pytest.raises(InvalidParameterError, match="no counterexample to save"):
        result.save_counterexample(tmp_path / "x.toml")


def test_load_predicate(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("def holds(mdp, dist, gamma):\n    return True\nvalue = 3\n")
    assert load_predicate(f"{path}:holds")(None, None, None) is True
    with pytest.raises(InvalidParameterError, match="has no function 'nope'"):
        load_predicate(f"{path}:nope")
    with pytest.raises(InvalidParameterError, match=r"\(value is a int\)"):
        load_predicate(f"{path}:value")
    with pytest.raises(InvalidParameterError, match="does not exist"):
        load_predicate(f"{tmp_path / 'missing.py'}:f")
    with pytest.raises(InvalidParameterError, match="FILE.py:FUNCTION"):
        load_predicate("no-colon")
    with pytest.raises(InvalidParameterError, match="cannot import"):
        load_predicate("powerseek_no_such_module:f")
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('at import')\n")
    with pytest.raises(InvalidParameterError, match="RuntimeError: at import"):
        load_predicate(f"{bad}:f")


def test_verdict_statistics_ignore_missing_values():
    result = exhaustive_search(
        lambda m, d, g: Verdict(True, group="all", value=math.nan),
        [Case(load("candy-wait"), IID(), 0.5)],
    )
    finding = result.findings["all"]
    assert finding.cases == 1 and finding.counted == 0 and math.isnan(finding.mean)
    assert result.to_dict()["findings"]["all"]["min"] is None
