"""Block-wise accumulation of estimates."""

import numpy as np
import pytest

from powerseek.rewards._distributions import IID, SamplePlan
from powerseek.rewards._estimates import Accumulator, Estimate, block_moments


def accumulate(plan, values):
    acc = Accumulator(plan, values.shape[1:])
    for block in plan.blocks:
        acc.add(block, values[block.start : block.stop])
    return acc.estimate()


def test_monte_carlo_matches_numpy():
    plan = SamplePlan(IID(), [0] * 100, 10_000, rng=0)  # 100 states -> many blocks
    assert len(plan.blocks) > 10
    values = np.random.default_rng(1).normal(3.0, 2.0, size=(10_000, 2))
    estimate = accumulate(plan, values)
    np.testing.assert_allclose(estimate.mean, values.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(
        estimate.stderr, values.std(axis=0, ddof=1) / np.sqrt(10_000), rtol=1e-10
    )
    assert estimate.method == "monte carlo" and estimate.n_samples == 10_000


@pytest.mark.parametrize("p", [0.0, 0.013, 0.5, 1.0])
def test_indicator_moments_match_float_moments(p):
    # indicators are counted, not converted: same mean, same squared deviations
    flags = np.random.default_rng(2).random((777, 3)) < p
    n, mean, m2 = block_moments(flags)
    as_float = flags.astype(float)
    assert n == 777
    np.testing.assert_array_equal(mean, as_float.mean(axis=0))
    np.testing.assert_allclose(
        m2, ((as_float - as_float.mean(axis=0)) ** 2).sum(axis=0), rtol=1e-12
    )
    plan = SamplePlan(IID(), [0] * 100, 777, rng=0)
    np.testing.assert_allclose(
        accumulate(plan, flags).stderr, as_float.std(axis=0, ddof=1) / np.sqrt(777), rtol=1e-12
    )


def test_replicate_standard_error():
    plan = SamplePlan(IID(), ["x"], 1000, rng=0, qmc=True, n_replicates=4)
    values = np.random.default_rng(2).random((1000, 1))
    estimate = accumulate(plan, values)
    means = [values[a:b, 0].mean() for a, b in plan.replicate_ranges()]
    assert estimate.mean[0] == pytest.approx(values.mean())
    assert estimate.stderr[0] == pytest.approx(np.std(means, ddof=1) / 2)


def test_confidence_interval():
    estimate = Estimate(np.array([1.0]), np.array([0.1]), 100, "monte carlo", 0.95)
    assert estimate.ci_low[0] == pytest.approx(1 - 1.959964 * 0.1)
    assert estimate.ci_high[0] == pytest.approx(1 + 1.959964 * 0.1)
    with pytest.raises(ValueError):
        estimate.mean[0] = 2.0


def test_blocks_must_come_in_order():
    plan = SamplePlan(IID(), [0] * 100, 1000, rng=0)
    acc = Accumulator(plan, (1,))
    with pytest.raises(AssertionError, match="out of order"):
        acc.add(plan.blocks[1], np.zeros((plan.blocks[1].size, 1)))
