"""The fixed merge tree: its nodes are the same wherever they are computed."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import powerseek
from powerseek.rewards import (
    IID,
    Accumulator,
    SamplePlan,
    TreeFold,
    block_moments,
    merge_moments,
)
from powerseek.rewards._distributions import FAN_OUT


def blocks_of(values, sizes):
    out, start = [], 0
    for size in sizes:
        out.append(block_moments(values[start : start + size]))
        start += size
    return out


@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=300),
    st.integers(0, 2**16),
    st.sampled_from([1, 2]),
)
def test_folds_of_aligned_runs_are_the_whole_trees_nodes(sizes, seed, level):
    values = np.random.default_rng(seed).standard_normal((sum(sizes), 3)) / 7.0
    stats = blocks_of(values, sizes)
    whole = TreeFold()
    for node in stats:
        whole.push(node)
    parts = TreeFold()
    run = FAN_OUT**level
    for lo in range(0, len(stats), run):
        part = TreeFold()
        for node in stats[lo : lo + run]:
            part.push(node)
        parts.push(part.result(), level)
    a, b = whole.result(), parts.result()
    assert a[0] == b[0] == len(values)
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])
    # and the moments are right: an independent two-pass computation
    np.testing.assert_allclose(a[1], values.mean(axis=0), rtol=1e-12, atol=1e-15)
    deviations = ((values - values.mean(axis=0)) ** 2).sum(axis=0)
    np.testing.assert_allclose(a[2], deviations, rtol=1e-10, atol=1e-14)


def test_the_tree_groups_fan_out_nodes_at_a_time():
    # FAN_OUT + 1 blocks: the root merges the first FAN_OUT's node with the last block
    values = np.arange(FAN_OUT + 1.0) / 3.0
    stats = blocks_of(values, [1] * (FAN_OUT + 1))
    tree = TreeFold()
    for node in stats:
        tree.push(node)
    first = stats[0]
    for node in stats[1:FAN_OUT]:
        first = merge_moments(first, node)
    expected = merge_moments(first, stats[FAN_OUT])
    root = tree.result()
    assert root[0] == FAN_OUT + 1 and root[1] == expected[1] and root[2] == expected[2]
    assert TreeFold().result() is None


def test_runs_are_aligned_and_stay_within_a_replicate():
    plan = SamplePlan(IID(), range(2**14), 200, rng=0, qmc=True, n_replicates=3)  # 4 rows a block
    for level in (0, 1, 2, 3):
        runs = plan.runs(level)
        assert [b for run in runs for b in run] == plan.blocks
        for run in runs:
            assert len({b.replicate for b in run}) == 1
            first = [b for b in plan.blocks if b.replicate == run[0].replicate][0]
            assert (run[0].index - first.index) % FAN_OUT**level == 0
            assert len(run) <= FAN_OUT**level


def test_accumulator_takes_runs_or_blocks_with_the_same_numbers():
    plan = SamplePlan(IID(), range(2**14), 150, rng=1, qmc=True, n_replicates=2)
    by_block, by_run = Accumulator(plan, (2,)), Accumulator(plan, (2,))
    values = {b.index: plan.draw([b])[:, :2] for b in plan.blocks}
    for block in plan.blocks:
        by_block.add(block, values[block.index])
    for run in plan.runs(1):
        fold = TreeFold()
        for block in run:
            fold.push(block_moments(values[block.index]))
        by_run.merge_run(run, fold.result(), 1)
    a, b = by_block.estimate(), by_run.estimate()
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.stderr, b.stderr)
    with pytest.raises(AssertionError, match="out of order"):
        Accumulator(plan, (2,)).merge_run(plan.runs(1)[1], fold.result(), 1)


class TwoWorkers(ThreadPoolExecutor):
    """A thread pool that says how many workers it has, as a Dask executor does."""

    workers = 1


@pytest.mark.parametrize("qmc", [False, True])
def test_units_of_folded_runs_give_the_in_process_numbers(qmc):
    # 4,096 states: 16 rows a block; 1,000 samples are 63 blocks, four runs of 16 at level 2
    room = powerseek.gridworld.parse("\n".join(["." * 64] * 64))
    options = {"n_samples": 1000, "rng": 3, "qmc": qmc}
    reference = powerseek.power(room, 0.5, **options)
    with TwoWorkers(2) as pool:
        from powerseek.analysis.engine import _unit_level

        plan = SamplePlan(IID(), room, 1000, rng=3, qmc=qmc)
        assert _unit_level(plan, pool) >= 1  # units of several blocks
        result = powerseek.power(room, 0.5, executor=pool, **options)
    assert np.array_equal(result.power, reference.power)
    assert np.array_equal(result.stderr, reference.stderr)
