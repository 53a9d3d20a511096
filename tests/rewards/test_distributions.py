"""Reward distributions and the sample plan."""

import numpy as np
import pytest
from scipy import stats

from powerseek import (
    IID,
    CallableRewards,
    FiniteSupport,
    InvalidParameterError,
    InvalidTypeError,
    PerState,
    RewardSamples,
    UnknownStateError,
    load,
)
from powerseek.rewards._distributions import SamplePlan, sample

STATES = ("a", "b", "c")


def test_iid_uniform_by_default():
    R = sample(IID(), STATES, 1000, rng=0)
    assert R.shape == (1000, 3)
    assert R.min() >= 0 and R.max() <= 1
    assert abs(R.mean() - 0.5) < 0.03


def test_same_seed_same_numbers_different_seed_different():
    a = sample(IID(), STATES, 50, rng=1)
    np.testing.assert_array_equal(a, sample(IID(), STATES, 50, rng=1))
    np.testing.assert_array_equal(a, sample(IID(), STATES, 50, rng=np.random.default_rng(1)))
    assert not np.array_equal(a, sample(IID(), STATES, 50, rng=2))


@pytest.mark.parametrize("qmc", [False, True])
@pytest.mark.parametrize("rows", [1, 7, 5000, 100_000])
def test_numbers_do_not_depend_on_chunking(qmc, rows):
    mdp = load("powerplay-robot-face")  # 220 states: blocks of 297 rows
    whole = SamplePlan(IID(), mdp, 3000, rng=3, qmc=qmc)
    reference = whole.draw(whole.blocks)
    plan = SamplePlan(IID(), mdp, 3000, rng=3, qmc=qmc)
    chunks = list(plan.chunks(rows))
    assert sum(len(c) for c in chunks) == len(plan.blocks)
    np.testing.assert_array_equal(np.concatenate([plan.draw(c) for c in chunks]), reference)


def test_blocks_cover_the_samples_and_respect_replicates():
    plan = SamplePlan(IID(), STATES, 1000, rng=0, qmc=True, n_replicates=3)
    assert plan.replicate_ranges() == [(0, 334), (334, 667), (667, 1000)]
    assert sum(b.size for b in plan.blocks) == 1000
    for block in plan.blocks:
        lo, hi = plan.replicate_ranges()[block.replicate]
        assert lo <= block.start < block.stop <= hi
    assert plan.method == "randomised qmc (3 replicates)"


def test_qmc_points_are_stratified():
    R = sample(IID(), ["x"], 64, rng=0, qmc=True, n_replicates=2)
    # each replicate of 32 scrambled Sobol' points has one point in each 1/32 interval
    for part in (R[:32, 0], R[32:, 0]):
        assert sorted(np.floor(part * 32).astype(int)) == list(range(32))


def test_qmc_is_mapped_through_each_inverse_cdf():
    dist = PerState({"b": stats.bernoulli(0.5)}, default=stats.uniform(2, 1))
    R = sample(dist, STATES, 256, rng=0, qmc=True)
    assert set(np.unique(R[:, 1])) == {0.0, 1.0}
    assert R[:, 0].min() >= 2 and R[:, 2].max() <= 3


def test_per_state_distributions():
    dist = PerState({"b": stats.bernoulli(0.3)})
    R = sample(dist, STATES, 2000, rng=4)
    assert set(np.unique(R[:, 1])) <= {0.0, 1.0}
    assert abs(R[:, 1].mean() - 0.3) < 0.04
    assert R[:, 0].min() > 0 and R[:, 0].max() < 1
    assert dist.describe() == "uniform(0, 1); 'b': bernoulli(0.3)"


def test_finite_support_frequencies():
    dist = FiniteSupport([[0, 0, 1], [5, 5, 5]], weights=[0.2, 0.8])
    R = sample(dist, STATES, 5000, rng=5)
    assert abs((R[:, 0] == 5).mean() - 0.8) < 0.02
    assert dist.describe() == "finite support (2 vectors)"
    point = FiniteSupport([1, 2, 3])
    np.testing.assert_array_equal(sample(point, STATES, 4, rng=0), [[1, 2, 3]] * 4)


def test_given_samples_are_used_as_given():
    given = np.arange(12.0).reshape(4, 3)
    plan = SamplePlan(RewardSamples(given), STATES, None)
    assert plan.n_samples == 4
    np.testing.assert_array_equal(plan.draw(plan.blocks), given)
    with pytest.raises(InvalidParameterError, match="holds exactly 4 samples"):
        SamplePlan(RewardSamples(given), STATES, 5)


def test_callable_sampler_gets_a_generator():
    def skewed(rng, size):
        return rng.random((size, 3)) ** 2

    dist = CallableRewards(skewed)
    a = sample(dist, STATES, 100, rng=6)
    np.testing.assert_array_equal(a, sample(dist, STATES, 100, rng=6))
    assert dist.describe() == "custom: skewed"
    with pytest.raises(InvalidParameterError, match=r"returned shape \(5, 2\)"):
        sample(CallableRewards(lambda rng, size: np.zeros((size, 2))), STATES, 5)
    with pytest.raises(InvalidParameterError, match="non-finite reward"):
        sample(CallableRewards(lambda rng, size: np.full((size, 3), np.nan)), STATES, 5)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: IID("uniform"), InvalidTypeError, "frozen scipy.stats distribution"),
        (lambda: IID(stats.cauchy()), InvalidParameterError, "no finite mean"),
        (lambda: IID(stats.t(2)), InvalidParameterError, "t\\(2\\) has infinite variance"),
        (
            lambda: PerState({"a": stats.norm(1e308, 1e308)}),
            InvalidParameterError,
            "infinite variance",
        ),
        (lambda: PerState(["a"]), InvalidTypeError, "`dists` must map states"),
        (lambda: FiniteSupport([]), InvalidParameterError, "shape \\(n_vectors, n_states\\)"),
        (lambda: FiniteSupport([[1, 2]], weights=[0.5]), InvalidParameterError, "sum to 1"),
        (
            lambda: FiniteSupport([[1, 2], [3, 4]], weights=[1.5, -0.5]),
            InvalidParameterError,
            "non-negative",
        ),
        (lambda: FiniteSupport([["x", 2]]), InvalidTypeError, "numeric array"),
        # found by fuzzing the distribution files: OverflowError before
        (lambda: FiniteSupport([[10**400, 2]]), InvalidParameterError, "integer too large"),
        (lambda: FiniteSupport([[1, 2]], weights=[10**400]), InvalidParameterError, "`weights`"),
        (lambda: FiniteSupport([[1, 2]], weights=["x"]), InvalidParameterError, "`weights`"),
        (
            lambda: RewardSamples([[1, np.nan]]),
            InvalidParameterError,
            r"non-finite reward \(nan\) at row 0, column 1",
        ),
        (lambda: CallableRewards(3), InvalidTypeError, "must be callable"),
    ],
)
def test_distribution_validation(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 0}, InvalidParameterError, "`n_samples` must be a positive integer; got 0"),
        ({"n_samples": -5}, InvalidParameterError, "got -5"),
        ({"n_samples": 10.0}, InvalidTypeError, "got the float 10.0 \\(write 10\\)"),
        ({"n_samples": True}, InvalidTypeError, "positive integer"),
        ({"dist": "uniform"}, InvalidTypeError, "powerseek reward distribution"),
        (
            {"dist": PerState({"z": stats.uniform()})},
            UnknownStateError,
            "names 'z', which is not a state. States: 'a', 'b', 'c'",
        ),
        ({"dist": FiniteSupport([[0, 0, 0]]), "qmc": True}, InvalidParameterError, "inverse CDF"),
        ({"n_replicates": 4}, InvalidParameterError, "only with qmc=True"),
        ({"qmc": True, "n_replicates": 1}, InvalidParameterError, "between 2 and"),
        ({"qmc": True, "n_replicates": 2.0}, InvalidTypeError, "`n_replicates` must be an integer"),
    ],
)
def test_plan_validation(kwargs, error, message):
    arguments = {"dist": IID(), "n_samples": 10, **kwargs}
    with pytest.raises(error, match=message):
        SamplePlan(arguments.pop("dist"), STATES, arguments.pop("n_samples"), **arguments)
