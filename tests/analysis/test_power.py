"""POWER: exact oracles, published figures, identities, reproducibility."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import brute_force_values, simple_cycles_mean_gain
from scipy import stats

from powerseek import (
    IID,
    MDP,
    FiniteSupport,
    InvalidParameterError,
    PerState,
    PowerseekError,
    RewardSamples,
    from_graph,
    gridworld,
    load,
    power,
    power_samples,
    power_seeking,
    power_sweep,
)
from strategies import stochastic_multigraphs, successor_graphs

Z = 4.0  # margin in standard errors for Monte Carlo checks


def within(estimate, exact, index, extra=0.0):
    return abs(estimate.mean[index] - exact) <= Z * estimate.stderr[index] + extra


@pytest.mark.parametrize("gamma", [0.0, 0.25, 0.5, 0.9, 0.99, 1.0])
def test_k_way_choice_is_k_over_k_plus_one(gamma):
    mdp = load("k-way-choice")
    result = power(mdp, gamma, n_samples=4000, rng=11)
    assert within(result.estimate, 4 / 5, mdp.index("start"))
    # per sample it is exactly the best of the four terminal rewards
    R = np.random.default_rng(0).random((50, mdp.n_states))
    np.testing.assert_allclose(
        power_samples(mdp, R, gamma)[:, 0], R[:, 1:].max(axis=1), rtol=0, atol=1e-9
    )


@pytest.mark.parametrize("gamma", [0.0, 0.2, 0.5, 0.8, 0.95, 1.0])
def test_figure_3_closed_forms(gamma):
    """Turner et al. 2021, Figure 3 (theory.md C.1)."""
    mdp = load("turner-fig1")
    estimate = power(mdp, gamma, n_samples=20_000, rng=3).estimate
    assert within(estimate, 1 / 2, mdp.index("empty"))
    assert within(estimate, (2 / 3 + gamma / 2) / (1 + gamma), mdp.index("left_down"))
    assert within(estimate, 2 / 3, mdp.index("right_down"))
    if gamma == 0.0:
        assert within(estimate, 3 / 4, mdp.index("start"))


def test_terminal_state_power_is_its_reward():
    mdp = load("turner-fig1")
    R = np.random.default_rng(1).random((100, mdp.n_states))
    for gamma in (0.0, 0.3, 0.99, 1.0):
        np.testing.assert_allclose(power_samples(mdp, R, gamma)[:, 1], R[:, 1], atol=1e-9)
    result = power(mdp, 0.7, dist=IID(stats.beta(2, 5)), n_samples=4000, rng=2)
    assert within(result.estimate, 2 / 7, mdp.index("empty"))


def test_candy_wait_published_endpoints():
    mdp = load("candy-wait")
    sweep = power_sweep(mdp, [0.0, 1.0], n_samples=20_000, rng=4)
    assert within(sweep.estimates[0], 2 / 3, 0)
    assert within(sweep.estimates[1], 3 / 4, 0)


@given(successor_graphs(max_states=5), st.sampled_from([0.1, 0.6, 0.95]), st.integers(0, 10**6))
def test_power_matches_brute_force_and_identities(graph, gamma, seed):
    """Lemma E.36: (1−γ)·max_a E V*(s') = (1−γ)/γ·(V*(s) − R(s)), against brute force."""
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).uniform(-1, 1, size=(4, mdp.n_states))
    P = power_samples(mdp, R, gamma)
    V = brute_force_values(mdp, R, gamma)
    np.testing.assert_allclose(P, (1 - gamma) / gamma * (V - R), atol=1e-8)
    # POWER lies between the smallest and largest reward of each sample (B.2, Prop 5.4)
    assert np.all(R.min(axis=1, keepdims=True) - 1e-9 <= P)
    assert np.all(R.max(axis=1, keepdims=True) + 1e-9 >= P)


@given(
    stochastic_multigraphs(max_states=4), st.sampled_from([0.1, 0.6, 0.95]), st.integers(0, 10**6)
)
def test_stochastic_power_matches_brute_force(graph, gamma, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).uniform(-1, 1, size=(4, mdp.n_states))
    P = power_samples(mdp, R, gamma)
    V = brute_force_values(mdp, R, gamma)
    np.testing.assert_allclose(P, (1 - gamma) / gamma * (V - R), atol=1e-8)


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_gamma_one_is_the_best_reachable_cycle_mean(graph, seed):
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((3, mdp.n_states))
    np.testing.assert_allclose(
        power_samples(mdp, R, 1.0), simple_cycles_mean_gain(mdp, R), atol=1e-12
    )


@given(successor_graphs(max_states=5), st.integers(0, 10**6))
def test_limits_are_approached(graph, seed):
    """POWER is continuous in γ at 0 and 1 (Lemma 5.3), per sample."""
    mdp = from_graph(graph)
    R = np.random.default_rng(seed).random((3, mdp.n_states))
    np.testing.assert_allclose(power_samples(mdp, R, 1e-7), power_samples(mdp, R, 0.0), atol=1e-5)
    np.testing.assert_allclose(
        power_samples(mdp, R, 1 - 1e-7), power_samples(mdp, R, 1.0), atol=1e-4
    )


def test_stochastic_limits_are_approached():
    mdp = load("powerplay-stochastic-4")
    R = np.random.default_rng(5).random((20, 4))
    np.testing.assert_allclose(power_samples(mdp, R, 1e-7), power_samples(mdp, R, 0.0), atol=1e-5)
    np.testing.assert_allclose(
        power_samples(mdp, R, 1 - 1e-6, tol=1e-12), power_samples(mdp, R, 1.0), atol=1e-4
    )


def test_relabelling_states_permutes_results():
    mdp = load("turner-fig1")
    order = [7, 3, 0, 5, 1, 6, 2, 4]
    states = [mdp.states[i] for i in order]
    shuffled = MDP(mdp.to_dict(), states=states)
    R = np.random.default_rng(6).random((500, mdp.n_states))
    a = power(mdp, 0.8, dist=RewardSamples(R), n_samples=None)
    b = power(shuffled, 0.8, dist=RewardSamples(R[:, order]), n_samples=None)
    np.testing.assert_allclose(b.power, a.power[order], rtol=0, atol=1e-12)
    renamed = mdp.relabel(lambda s: s.upper())
    c = power(renamed, 0.8, dist=RewardSamples(R), n_samples=None)
    np.testing.assert_array_equal(c.power, a.power)


@pytest.mark.parametrize("qmc", [False, True])
def test_same_seed_same_result_whatever_the_chunk_size(qmc):
    mdp = load("powerplay-maze-7x7")
    results = [
        power_sweep(mdp, [0.3, 0.9], n_samples=5000, rng=7, chunk_size=size, qmc=qmc)
        for size in (None, 1, 2500, 100_000)
    ]
    for other in results[1:]:
        np.testing.assert_array_equal(other.power, results[0].power)
        np.testing.assert_array_equal(other.stderr, results[0].stderr)
    different = power_sweep(mdp, [0.3, 0.9], n_samples=5000, rng=8, qmc=qmc)
    assert not np.array_equal(different.power, results[0].power)


def test_powerplay_3x3_published_figure():
    """POWERplay's 3x3 grid at γ = 0.6, 50,000 samples (values read to 3 decimals)."""
    published = np.array([[0.805, 0.835, 0.805], [0.835, 0.862, 0.836], [0.807, 0.837, 0.806]])
    result = power(load("powerplay-3x3"), 0.6, n_samples=50_000, rng=9)
    assert np.all(np.abs(result.power - published.ravel()) <= Z * result.stderr + 0.0005)


def test_powerplay_maze_published_figure():
    """POWERplay's 7x7 maze at γ = 0.01: dead ends ≈ 0.667, corridors ≈ 0.75,
    junctions ≈ 0.80 (k/(k+1) with k successors, stay included)."""
    mdp = load("powerplay-maze-7x7")
    result = power(mdp, 0.01, n_samples=20_000, rng=10)
    for i, state in enumerate(mdp.states):
        k = len(mdp.actions_of(state))
        published = {2: 0.667, 3: 0.75, 4: 0.80}[k]
        assert abs(result.power[i] - published) <= Z * result.stderr[i] + 0.005, state


def test_power_seeking_comparison_uses_common_random_numbers():
    mdp = load("turner-fig1")
    result = power_seeking(mdp, "start", 0.5, n_samples=4000, rng=12)
    assert result.actions == ("empty", "left", "right")
    i_left, i_right = 1, 2
    assert result.seeks_more_power("right", "left") is True
    assert result.seeks_more_power("left", "right") is False
    assert result.seeks_more_power("left", "left") is None
    # expected POWER of a deterministic successor is that state's POWER
    single = power(mdp, 0.5, n_samples=4000, rng=12)
    assert result.expected[i_right] == pytest.approx(single["right"], abs=1e-12)
    # the difference's standard error (common samples) is below the independent one
    independent = np.hypot(result.stderr[i_right], result.stderr[i_left])
    assert result.difference_stderr[i_right, i_left] < independent
    document = result.to_dict()
    assert [a["action"] for a in document["actions"]] == ["empty", "left", "right"]


def test_qmc_beats_monte_carlo_on_a_smooth_problem():
    mdp = load("k-way-choice")
    mc = power(mdp, 0.5, n_samples=4096, rng=13)
    qmc = power(mdp, 0.5, n_samples=4096, rng=13, qmc=True)
    assert qmc.provenance["sampling"] == "randomised qmc (16 replicates)"
    assert qmc.stderr[0] < mc.stderr[0] / 3
    assert abs(qmc.power[0] - 0.8) < Z * qmc.stderr[0]


def test_distributions_of_every_kind():
    mdp = load("candy-wait")  # start, wait, candy, chocolate, hug
    point = power(mdp, 0.5, dist=FiniteSupport([[0, 0, 0.2, 1.0, 0.4]]), n_samples=10, rng=0)
    # (1−γ)·max(V(candy), V(wait)) = 0.5·max(0.2/0.5, 0 + 0.5·1.0/0.5) = 0.5
    assert point["start"] == pytest.approx(0.5)
    np.testing.assert_array_equal(point.stderr, 0.0)
    skewed = PerState({"candy": stats.uniform(0, 10)})
    assert power(mdp, 0.0, dist=skewed, n_samples=2000, rng=1)["start"] > 4.0
    bernoulli = power(mdp, 0.0, dist=IID(stats.bernoulli(0.5)), n_samples=4000, rng=2)
    assert abs(bernoulli["start"] - 0.75) < Z * bernoulli.stderr[0]


def test_result_documents():
    result = power(load("powerplay-3x3"), 0.6, n_samples=100, rng=1)
    document = result.to_dict()
    for key in (
        "environment",
        "gamma",
        "n_samples",
        "seed",
        "distribution",
        "states",
        "power",
        "stderr",
    ):
        assert key in document
    assert document["states"][4] == "(1, 1)" and document["seed"] == 1
    assert document["solver"]["converged"] is True
    assert np.all(result.estimate.ci_low < result.power)
    sweep = power_sweep(load("candy-wait"), [0.1, 0.9], n_samples=100, rng=1).to_dict()
    assert sweep["gamma"] == [0.1, 0.9] and len(sweep["power"]) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gamma": 1.5}, r"`gamma` must be in \[0, 1\]; got 1.5"),
        ({"n_samples": 0}, "`n_samples` must be a positive integer; got 0"),
        ({"n_samples": 1}, "at least 2"),
        ({"n_samples": 2.5}, "`n_samples` must be a positive integer"),
        ({"dist": PerState({"nowhere": stats.uniform()})}, "names 'nowhere', which is not a state"),
        ({"dist": FiniteSupport([[0, 1]])}, "have 2 entries; the MDP has 5 states"),
        ({"dist": FiniteSupport([[0, 0, 0, 0, 0]]), "qmc": True}, "inverse CDF"),
        ({"n_samples": 10, "qmc": True, "n_replicates": 20}, "between 2 and n_samples"),
        ({"confidence": 1.0}, r"`confidence` must be in \(0, 1\)"),
        ({"chunk_size": 0}, "`chunk_size` must be a positive integer"),
    ],
)
def test_bad_input(kwargs, message):
    arguments = {"gamma": 0.5, "n_samples": 100, **kwargs}
    with pytest.raises(PowerseekError, match=message):
        power(load("candy-wait"), arguments.pop("gamma"), **arguments)


def test_bad_distributions_are_refused_when_made():
    with pytest.raises(InvalidParameterError, match="cauchy\\(\\) has no finite mean"):
        IID(stats.cauchy())
    with pytest.raises(
        InvalidParameterError, match=r"non-finite reward \(inf\) at row 0, column 2"
    ):
        RewardSamples([[0, 1, np.inf, 0, 0]])


def test_gridworld_with_bump_and_noise():
    mdp = gridworld.parse("...\n...", bump="stay", noise=0.1)
    result = power(mdp, 0.9, n_samples=2000, rng=3)
    assert result.solver["method"] == "extrapolated-value-iteration"
    assert result.solver["error_bound"] <= 1e-9


def test_progress_bar_only_when_asked(capsys):
    mdp = load("powerplay-3x3")
    power(mdp, 0.6, n_samples=3000, rng=0, progress=True, chunk_size=500)
    shown = capsys.readouterr().err
    assert "POWER" in shown and "sample" in shown
    power(mdp, 0.6, n_samples=3000, rng=0)
    power(mdp, 0.6, n_samples=3000, rng=0, progress=None)  # auto: stderr is not a terminal here
    assert capsys.readouterr().err == ""


def test_looking_up_an_unknown_label_says_so_with_a_suggestion():
    """result["no-such-state"] once raised ValueError: tuple.index(x): x not in tuple."""
    import powerseek
    from powerseek import UnknownActionError, UnknownStateError
    from powerseek.exact._results import exact_optimality, exact_power

    candy = powerseek.load("candy-wait")
    lookups = [
        lambda: powerseek.power(candy, 0.5, n_samples=20, rng=0)["wiat"],
        lambda: powerseek.optimality(candy, 0.5, n_samples=20, rng=0).of("strat", "wait"),
        lambda: exact_power(candy, "1/2")["wiat"],
        lambda: exact_optimality(candy, "1/2").of("strat", "wait"),
    ]
    for lookup in lookups:
        with pytest.raises(UnknownStateError, match="is not a state of this result. Did you mean"):
            lookup()
    with pytest.raises(UnknownActionError, match="'wiat' is not an action .* Did you mean 'wait'"):
        powerseek.optimality(candy, 0.5, n_samples=20, rng=0).of("start", "wiat")
