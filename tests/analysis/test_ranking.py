"""Paired comparisons on common samples, against an independent oracle."""

import numpy as np
import pytest
from oracles import brute_force_optimal_actions, brute_force_values

import powerseek
from powerseek import InvalidParameterError, RewardSamples, gridworld, load
from powerseek.analysis import PairedComparison, compare_optimality, compare_power
from powerseek.rewards import Estimate


def _oracle_power(mdp, R, gamma):
    """Per-sample POWER from brute-force optimal values: (1 − γ) max_a E V*(s')."""
    V = brute_force_values(mdp, R, gamma)
    W = V @ mdp.transition_matrix.toarray().T
    return (1 - gamma) * np.maximum.reduceat(W, mdp.pair_offsets[:-1], axis=1)


@pytest.mark.parametrize("gamma", [0.3, 0.9, 0.999])
def test_differences_and_paired_errors_match_per_sample_oracle(gamma):
    """Mean and standard error of every per-sample difference, from explicit samples
    (non-dyadic rewards, γ near 1, and tied states)."""
    mdp = load("turner-fig1")
    rng = np.random.default_rng(5)
    R = rng.integers(0, 7, size=(300, mdp.n_states)) / 7.0  # ties are common
    result = compare_power(mdp, gamma, dist=RewardSamples(R), n_samples=None, tol=1e-12)
    X = _oracle_power(mdp, R, gamma)
    D = X[:, :, None] - X[:, None, :]
    np.testing.assert_allclose(result.values, X.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(result.differences, D.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(
        result.difference_stderr, D.std(axis=0, ddof=1) / np.sqrt(len(R)), atol=1e-9
    )
    assert result.labels == mdp.states


def test_pairing_shrinks_the_error_of_neighbours_and_matches_power():
    maze = load("powerplay-maze-7x7")
    result = compare_power(maze, 0.9, [(2, 3), (3, 3), (0, 6)], n_samples=3000, rng=4)
    alone = powerseek.power(maze, 0.9, n_samples=3000, rng=4)
    for s in result.labels:  # the same samples as power() with the same seed
        assert result.values[result.labels.index(s)] == pytest.approx(alone[s], abs=1e-12)
    _, paired = result.difference((2, 3), (3, 3))
    assert paired < 0.5 * result.independent_stderr((2, 3), (3, 3))
    # legend names and labels in any spelling
    with pytest.raises(powerseek.UnknownStateError, match="is not a state of this result"):
        result.difference((2, 3), (9, 9))


def test_holm_and_bonferroni_adjustments_by_hand():
    """Three labels, differences 3, 2 and 1 standard errors: raw two-sided p-values
    0.0027, 0.0455, 0.3173; Holm multiplies them by 3, 2, 1 (monotone), Bonferroni by 3."""
    d = np.array([[0.0, 3.0, 2.0], [-3.0, 0.0, -1.0], [-2.0, 1.0, 0.0]])
    se = np.ones((3, 3)) - np.eye(3)
    cmp = PairedComparison(
        quantity="power", labels=("a", "b", "c"), state=None, gamma=0.5,
        estimate=Estimate(np.array([3.0, 0.0, 1.0]), np.ones(3), 100, "monte carlo"),
        difference_estimate=Estimate(d, se, 100, "monte carlo"),
        provenance={"n_samples": 100}, solver={},
    )  # fmt: skip
    raw = {("a", "b"): 0.0026998, ("a", "c"): 0.0455003, ("b", "c"): 0.3173105}
    p = cmp.p_values("none")
    for (x, y), value in raw.items():
        i, j = cmp.labels.index(x), cmp.labels.index(y)
        assert p[i, j] == pytest.approx(value, rel=1e-5) and p[j, i] == p[i, j]
    holm, bonferroni = cmp.p_values("holm"), cmp.p_values("bonferroni")
    assert holm[0, 1] == pytest.approx(3 * raw[("a", "b")], rel=1e-5)
    assert holm[0, 2] == pytest.approx(2 * raw[("a", "c")], rel=1e-5)
    assert holm[1, 2] == pytest.approx(raw[("b", "c")], rel=1e-5)
    assert bonferroni[1, 2] == pytest.approx(min(1, 3 * raw[("b", "c")]), rel=1e-5)
    # at 95% with Holm, a over c (p 0.091 adjusted) is not resolved, a over b is;
    # uncorrected, a leads alone and c over b stays unresolved
    assert cmp.ranking(0.95) == (("a", "c"), ("b",))
    assert cmp.ranking(0.95, correction="none") == (("a",), ("c", "b"))
    assert cmp.ranking(0.999) == (("a", "c", "b"),)
    assert cmp.lead_text("b", "a", digits=1) == "a leads b by 3.0 ± 1.0"
    with pytest.raises(InvalidParameterError, match="`correction` must be one of"):
        cmp.p_values("sidak")
    with pytest.raises(InvalidParameterError, match=r"`confidence` must be in \(0, 1\)"):
        cmp.ranking(1.5)


def test_states_tied_by_symmetry_stay_in_one_group():
    """The 3x3 grid's edges (and its corners) are equal by symmetry: never resolved."""
    grid = load("powerplay-3x3")
    for seed in range(3):
        ranking = compare_power(grid, 0.6, n_samples=3000, rng=seed).ranking()
        assert [sorted(g) for g in ranking] == [
            [(1, 1)],
            [(0, 1), (1, 0), (1, 2), (2, 1)],
            [(0, 0), (0, 2), (2, 0), (2, 2)],
        ]


def test_top_compares_the_leaders_on_the_same_samples():
    face = load("powerplay-robot-face")
    top = compare_power(face, 0.9, top=3, n_samples=400, rng=7)
    alone = powerseek.power(face, 0.9, n_samples=400, rng=7)
    best = np.argsort(-alone.power)[:3]
    assert {face.states[i] for i in best} <= set(top.labels)
    # every compared state's interval reaches the third's, or it is one of the three
    third = alone.power[best[2]] - (alone.ci_high - alone.power)[best[2]]
    for s in top.labels:
        assert alone.ci_high[face.index(s)] >= third - 1e-12 or s in {face.states[i] for i in best}
    np.testing.assert_allclose(top.values, [alone[s] for s in top.labels], atol=1e-12)


def test_bad_arguments_are_refused_with_their_names():
    grid = load("powerplay-3x3")
    with pytest.raises(InvalidParameterError, match="give `states` or `top`"):
        compare_power(grid, 0.6, [(0, 0), (1, 1)], top=2)
    with pytest.raises(InvalidParameterError, match="`top` must be an integer of at least 2"):
        compare_power(grid, 0.6, top=1)
    with pytest.raises(InvalidParameterError, match="`states` names one state twice"):
        compare_power(grid, 0.6, [(0, 0), (0, 0)])
    with pytest.raises(InvalidParameterError, match="`states` must hold 2 to 200"):
        compare_power(grid, 0.6, [(0, 0)])
    face = load("powerplay-robot-face")
    with pytest.raises(InvalidParameterError, match="220 states; compare at most 200"):
        compare_power(face, 0.6)
    with pytest.raises(InvalidParameterError, match="has one action"):
        compare_optimality(gridworld.parse("A"), (0, 0), 0.5)


def test_optimality_differences_match_brute_force_indicators():
    mdp = load("turner-fig1")
    rng = np.random.default_rng(2)
    R = rng.integers(0, 5, size=(400, mdp.n_states)) / 5.0  # many ties: several optimal
    result = compare_optimality(mdp, "start", 0.9, dist=RewardSamples(R), n_samples=None)
    i = mdp.index("start")
    rows = slice(mdp.pair_offsets[i], mdp.pair_offsets[i + 1])
    chosen = brute_force_optimal_actions(mdp, R, 0.9)[:, rows].astype(float)
    D = chosen[:, :, None] - chosen[:, None, :]
    np.testing.assert_allclose(result.values, chosen.mean(axis=0))
    np.testing.assert_allclose(result.differences, D.mean(axis=0))
    np.testing.assert_allclose(result.difference_stderr, D.std(axis=0, ddof=1) / np.sqrt(400))
    assert result.labels == mdp.actions_of("start") and result.state == "start"


def test_holm_adjusted_p_values_are_monotone_in_the_raw_order():
    """Raw p 0.010 and 0.011 become 0.030 and max(0.022, 0.030) = 0.030 (step-down)."""
    from scipy import stats

    za, zc = stats.norm.isf(0.005), stats.norm.isf(0.0055)
    values = np.array([za, 0.0, za - zc])
    d = values[:, None] - values[None, :]
    cmp = PairedComparison(
        quantity="power", labels=("a", "b", "c"), state=None, gamma=0.5,
        estimate=Estimate(values, np.ones(3), 100, "monte carlo"),
        difference_estimate=Estimate(d, np.ones((3, 3)) - np.eye(3), 100, "monte carlo"),
        provenance={"n_samples": 100}, solver={},
    )  # fmt: skip
    holm = cmp.p_values("holm")
    assert holm[0, 1] == pytest.approx(0.030, rel=1e-6)
    assert holm[0, 2] == pytest.approx(0.030, rel=1e-6)  # not 2 x 0.011 = 0.022
