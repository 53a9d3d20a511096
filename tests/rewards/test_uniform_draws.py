"""Uniform rewards drawn with numpy: scipy's numbers, without importing scipy.stats."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats

from powerseek import load, power
from powerseek.exceptions import InvalidParameterError
from powerseek.rewards import IID, SamplePlan, parse_distribution
from powerseek.rewards._estimates import _NORMAL_QUANTILES, normal_quantile


@pytest.mark.parametrize(
    ("ours", "scipys"),
    [
        (IID(), stats.uniform(0, 1)),
        (IID.uniform(-1, 1), stats.uniform(-1, 2)),
        (IID.uniform(0.1, 0.7), stats.uniform(0.1, 0.6)),  # non-dyadic ends
        (IID(stats.uniform(2, 3)), stats.uniform(2, 3)),
        (IID(stats.uniform(loc=-0.3, scale=0.9)), stats.uniform(-0.3, 0.9)),
    ],
)
def test_uniform_draws_are_scipys_bit_for_bit(ours, scipys):
    plan = SamplePlan(ours, range(7), 50, rng=4)
    reference = SamplePlan(IID(scipys), range(7), 50, rng=4)
    assert ours.describe() == IID(scipys).describe()
    for block in plan.blocks:
        drawn = plan.draw([block])
        rng = np.random.default_rng(
            np.random.SeedSequence(plan.entropy, spawn_key=(0, block.index))
        )
        expected = scipys.rvs(size=(block.size, 7), random_state=rng)
        assert np.array_equal(drawn, expected)
        assert np.array_equal(drawn, reference.draw([block]))


def test_the_default_builds_its_scipy_distribution_only_when_asked():
    dist = IID()
    assert dist._dist is None
    assert pickle.loads(pickle.dumps(dist)) == dist
    frozen = dist.dist
    assert isinstance(frozen, stats.distributions.rv_frozen)
    assert [float(x) for x in frozen.support()] == [0.0, 1.0]
    assert IID.uniform(-2, 3).dist.support() == (-2.0, 3.0)
    assert IID() == IID(stats.uniform(0, 1)) and IID.uniform(0, 2) != IID()


@pytest.mark.parametrize(("low", "high"), [(1, 1), (2, 1), (0, float("inf")), (float("nan"), 1)])
def test_bad_uniform_ends_are_refused(low, high):
    with pytest.raises(InvalidParameterError, match="`low` and `high`"):
        IID.uniform(low, high)


def test_a_uniform_spec_is_drawn_with_numpy():
    mdp = load("turner-fig1")
    dist = parse_distribution("uniform(-1, 1)", mdp)
    assert dist._dist is None and dist.describe() == "iid uniform(-1, 1)"
    assert parse_distribution("beta(2, 5)", mdp).describe() == "iid beta(2, 5)"
    with pytest.raises(InvalidParameterError, match="a < b"):
        parse_distribution("uniform(1, 0)", mdp)
    a = power(mdp, 0.9, dist=dist, n_samples=200, rng=1)
    b = power(mdp, 0.9, dist=IID(stats.uniform(-1, 2)), n_samples=200, rng=1)
    assert np.array_equal(a.power, b.power) and np.array_equal(a.stderr, b.stderr)


def test_the_usual_normal_quantiles_are_ndtris():
    for p, z in _NORMAL_QUANTILES.items():
        assert z == float(special.ndtri(p)) == float(stats.norm.ppf(p))
    assert normal_quantile(0.8) == float(stats.norm.ppf(0.8))
    assert set(_NORMAL_QUANTILES) == {0.5 + c / 2 for c in (0.9, 0.95, 0.99)}


def test_a_power_command_does_not_import_scipy_stats():
    code = (
        "import sys\n"
        "from powerseek.cli import main\n"
        "main(['power', 'turner-fig1', '--gamma', '0.9', '--samples', '100', '--seed', '0'])\n"
        "print('scipy.stats' in sys.modules, 'scipy.optimize' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "False False"
