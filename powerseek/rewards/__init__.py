"""Reward distributions, sampling plans and Monte Carlo estimates.

:mod:`.distributions` holds the distributions D over reward functions and the
:class:`SamplePlan` that draws them reproducibly; :mod:`.estimates` the
:class:`Estimate` with its standard error; :mod:`.spec` the text notation
(``uniform``, ``beta(2,5)``, ``s1=bernoulli(0.3)``) used by the command line and batch files.
"""

from __future__ import annotations

from .distributions import (
    IID,
    CallableRewards,
    FiniteSupport,
    PerState,
    RewardDistribution,
    RewardSamples,
    SamplePlan,
    sample,
)
from .estimates import Estimate
from .spec import format_distribution, parse_distribution, parse_scipy

__all__ = [
    "IID",
    "CallableRewards",
    "Estimate",
    "FiniteSupport",
    "PerState",
    "RewardDistribution",
    "RewardSamples",
    "SamplePlan",
    "format_distribution",
    "parse_distribution",
    "parse_scipy",
    "sample",
]
