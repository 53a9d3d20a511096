"""Reward distributions, sampling plans and Monte Carlo estimates.

``_distributions`` holds the distributions D over reward functions and the
:class:`SamplePlan` that draws them reproducibly; ``_estimates`` the
:class:`Estimate` with its standard error; ``_spec`` the text notation
(``uniform``, ``beta(2,5)``, ``s1=bernoulli(0.3)``) used by the command line and batch files.
"""

from __future__ import annotations

from ._distributions import (
    IID,
    Block,
    CallableRewards,
    FiniteSupport,
    PerState,
    RewardDistribution,
    RewardSamples,
    SamplePlan,
    describe_scipy,
    sample,
)
from ._estimates import Accumulator, Estimate, TreeFold, block_moments, merge_moments
from ._spec import format_distribution, parse_distribution, parse_scipy

__all__ = [
    "IID",
    "Accumulator",
    "Block",
    "CallableRewards",
    "Estimate",
    "FiniteSupport",
    "PerState",
    "RewardDistribution",
    "RewardSamples",
    "SamplePlan",
    "TreeFold",
    "block_moments",
    "describe_scipy",
    "format_distribution",
    "merge_moments",
    "parse_distribution",
    "parse_scipy",
    "sample",
]
