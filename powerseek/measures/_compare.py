"""POWER against empowerment: both measures on every state, and how their orders agree.

POWER (Turner et al.) averages over reward functions how well an agent can do from a
state at discount γ; empowerment (Klyubin et al.) is the channel capacity of its next n
actions. Both claim to measure how many options a state keeps. This module puts them
side by side: the Spearman rank correlation of the two over the states, with a basic
bootstrap interval over the reward samples behind POWER (empowerment is exact, or certified within
its bound), the states whose ranks differ most, and how the correlation moves with γ
and n. Every γ uses the same reward samples (common random numbers).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from ..exceptions import InvalidParameterError
from ..frames import Tabular, data_frame
from ..mdp import MDP
from ._empowerment import Empowerment, empowerment

__all__ = ["MeasureComparison", "compare_measures"]


@compact_repr
@dataclass(frozen=True)
class MeasureComparison(Tabular):
    """POWER and empowerment of every state, and the rank agreement of the two.

    Attributes
    ----------
    states : tuple
        The MDP's states.
    gammas : tuple of float
        The discounts of POWER.
    steps : tuple of int
        The sequence lengths of empowerment.
    power : numpy.ndarray, shape (len(gammas), n_states)
        POWER at each γ, the mean over the reward samples.
    power_stderr : numpy.ndarray, shape (len(gammas), n_states)
        Its standard error.
    empowerment : tuple of Empowerment
        One result per n.
    correlations : tuple of dict
        One record per (γ, n): ``gamma``, ``steps``, ``spearman``, ``ci_low``,
        ``ci_high`` (a basic bootstrap interval over the reward samples) and
        ``power_resolved``, the fraction of state pairs whose POWER order the
        samples resolve. Sampling noise in POWER pulls ρ towards 0; the interval
        corrects this to first order, which holds when most orders are resolved.
        Where they are not (``power_resolved`` well below 1, as at small γ, where
        states' POWER differ little), draw more samples.
    n_samples : int
        Reward samples behind POWER.
    confidence : float
        Level of the intervals.
    """

    states: tuple
    gammas: tuple
    steps: tuple
    power: np.ndarray
    power_stderr: np.ndarray
    empowerment: tuple
    correlations: tuple
    n_samples: int
    confidence: float

    def disagreements(self, gamma: float | None = None, steps: int | None = None, k: int = 5):
        """The `k` states whose POWER and empowerment ranks differ most.

        Parameters
        ----------
        gamma : float, optional
            One of :attr:`gammas` (default the first).
        steps : int, optional
            One of :attr:`steps` (default the first).
        k : int, default 5
            How many states.

        Returns
        -------
        list of dict
            ``state``, ``power_rank`` and ``empowerment_rank`` (1 = the most, ties
            averaged), ``power``, ``empowerment``, largest rank gap first.
        """
        from scipy.stats import rankdata

        g = self.gammas.index(self.gammas[0] if gamma is None else gamma)
        n = self.steps.index(self.steps[0] if steps is None else steps)
        power = self.power[g]
        emp = self.empowerment[n].values
        power_rank, emp_rank = rankdata(-power), rankdata(-emp)
        order = np.argsort(-np.abs(power_rank - emp_rank), kind="stable")[:k]
        return [
            {
                "state": self.states[i],
                "power_rank": float(power_rank[i]),
                "empowerment_rank": float(emp_rank[i]),
                "power": float(power[i]),
                "empowerment": float(emp[i]),
            }
            for i in order
        ]

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:
        rows = self.correlations
        return {key: [r[key] for r in rows] for key in rows[0]}, {
            "n_samples": self.n_samples,
            "confidence": self.confidence,
        }

    def to_frame(self):
        """One row per (γ, n): the rank correlation and its interval.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _repr_html_(self) -> str:
        from .._display import table_html

        rows = [
            [r["gamma"], r["steps"], r["spearman"], r["ci_low"], r["ci_high"]]
            for r in self.correlations
        ]
        return table_html(
            ["γ", "n", "Spearman ρ", "low", "high"],
            rows,
            caption=f"rank correlation of POWER and empowerment over {len(self.states)} states "
            f"({self.confidence:.0%} bootstrap intervals, {self.n_samples} reward samples)",
        )


def compare_measures(
    mdp: MDP,
    gammas: Any = 0.9,
    steps: Any = 3,
    *,
    dist: Any = None,
    n_samples: int = 2000,
    rng: Any = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
) -> MeasureComparison:
    """POWER and empowerment of every state, and the rank correlation of the two.

    Parameters
    ----------
    mdp : MDP
        The environment (at least three states).
    gammas : float or sequence of float, default 0.9
        Discounts of POWER, each in [0, 1].
    steps : int or sequence of int, default 3
        Sequence lengths of empowerment.
    dist : RewardDistribution, optional
        The reward distribution of POWER; default IID uniform on [0, 1].
    n_samples : int, default 2000
        Reward samples, common to every γ.
    rng : None, int or numpy.random.Generator
        Seed of the reward samples and the bootstrap.
    n_boot : int, default 1000
        Bootstrap resamples of the reward samples.
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    MeasureComparison

    See Also
    --------
    empowerment : The channel capacity of the next n actions.
    powerseek.power : POWER.

    Examples
    --------
    In Klyubin's maze the two measures order the cells much alike.

    >>> from powerseek import load
    >>> result = compare_measures(load("klyubin-maze"), 0.9, 5, n_samples=300, rng=0)
    >>> record = result.correlations[0]
    >>> record["spearman"] > 0.8, record["ci_low"] <= record["spearman"] <= record["ci_high"]
    (True, True)
    """
    from scipy.stats import rankdata

    from ..analysis import power_samples
    from ..rewards import IID, RewardDistribution, sample

    gammas = _floats(gammas, "gammas")
    if any(not 0 <= g <= 1 for g in gammas):
        raise InvalidParameterError(f"`gammas` must lie in [0, 1]; got {list(gammas)}.")
    steps = _ints(steps, "steps")
    for name, value in (("n_samples", n_samples), ("n_boot", n_boot)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 2:
            raise InvalidParameterError(f"`{name}` must be an integer at least 2; got {value!r}.")
    if not 0 < confidence < 1:
        raise InvalidParameterError(f"`confidence` must be in (0, 1); got {confidence!r}.")
    if mdp.n_states < 3:
        raise InvalidParameterError(
            f"a rank correlation needs at least 3 states; this MDP has {mdp.n_states}."
        )
    if dist is None:
        dist = IID()
    elif not isinstance(dist, RewardDistribution):
        raise InvalidParameterError(
            f"`dist` must be a reward distribution; got {type(dist).__name__}."
        )
    generator = np.random.default_rng(rng)
    rewards = np.asarray(sample(dist, mdp, int(n_samples), rng=generator), dtype=float)
    per_sample = np.stack([power_samples(mdp, rewards, g) for g in gammas])
    power = per_sample.mean(axis=1)
    stderr = per_sample.std(axis=1, ddof=1) / np.sqrt(n_samples)
    results: tuple[Empowerment, ...] = tuple(empowerment(mdp, n) for n in steps)
    # the bootstrap resamples the reward samples: POWER's only randomness
    # (as multinomial weights: each resample's POWER is one matrix product)
    picks = generator.integers(0, n_samples, size=(int(n_boot), int(n_samples)))
    weights = np.zeros((int(n_boot), int(n_samples)))
    np.add.at(weights, (np.arange(int(n_boot))[:, None], picks), 1.0)
    weights /= n_samples
    tail = (1 - confidence) / 2
    pairs = _state_pairs(mdp.n_states, generator)
    correlations = []
    for g, gamma in enumerate(gammas):
        resolved = _resolved(per_sample[g], pairs, confidence)
        boot_power = weights @ per_sample[g]
        for n, result in zip(steps, results, strict=True):
            rho = _spearman(power[g][None, :], result.values, rankdata)[0]
            boot = _spearman(boot_power, result.values, rankdata)
            # the basic (reverse-percentile) interval: POWER's sampling noise pulls a
            # correlation towards 0, and a resample adds that noise once more, so the
            # resamples' spread about ρ̂ mirrors ρ̂'s about the noiseless correlation
            q_low, q_high = np.nanquantile(boot, [tail, 1 - tail])
            low, high = max(2 * rho - q_high, -1.0), min(2 * rho - q_low, 1.0)
            correlations.append(
                {"gamma": gamma, "steps": n, "spearman": float(rho),
                 "ci_low": float(low), "ci_high": float(high), "power_resolved": resolved}
            )  # fmt: skip
    return MeasureComparison(
        tuple(mdp.states), gammas, steps, power, stderr, results, tuple(correlations),
        int(n_samples), float(confidence),
    )  # fmt: skip


#: Most state pairs whose POWER order is checked (a random subset above it).
MAX_PAIRS = 20_000


def _state_pairs(n: int, generator: np.random.Generator) -> np.ndarray:
    """Pairs of distinct states, all of them or a random MAX_PAIRS, shape (k, 2)."""
    if n * (n - 1) // 2 <= MAX_PAIRS:
        return np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
    i = generator.integers(0, n, size=MAX_PAIRS)
    j = (i + generator.integers(1, n, size=MAX_PAIRS)) % n
    return np.column_stack([i, j])


def _resolved(per_sample: np.ndarray, pairs: np.ndarray, confidence: float) -> float:
    """The fraction of state pairs whose POWER order the samples resolve.

    A pair is resolved when its paired difference on the common samples is more than
    z standard errors from 0 (a two-sided test at `confidence`, no correction).
    """
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    resolved = 0
    for block in range(0, len(pairs), 1000):  # bounded memory: samples x 1000 at a time
        part = pairs[block : block + 1000]
        diff = per_sample[:, part[:, 0]] - per_sample[:, part[:, 1]]
        error = diff.std(axis=0, ddof=1) / np.sqrt(per_sample.shape[0])
        resolved += int(np.count_nonzero(np.abs(diff.mean(axis=0)) > z * error))
    return resolved / len(pairs)


def _spearman(rows: np.ndarray, other: np.ndarray, rankdata) -> np.ndarray:
    """Spearman's ρ of each row of `rows` with `other` (NaN where one is constant)."""
    a = rankdata(rows, axis=1)
    b = rankdata(other)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean()
    scale = np.sqrt((a * a).sum(axis=1) * (b * b).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, (a @ b) / np.where(scale > 0, scale, 1.0), np.nan)


def _floats(value: Any, name: str) -> tuple[float, ...]:
    values = [value] if isinstance(value, numbers.Real) else list(value)
    if not values or any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values):
        raise InvalidParameterError(f"`{name}` must be numbers; got {value!r}.")
    return tuple(float(v) for v in values)


def _ints(value: Any, name: str) -> tuple[int, ...]:
    values = [value] if isinstance(value, numbers.Integral) else list(value)
    if not values or any(
        isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in values
    ):
        raise InvalidParameterError(f"`{name}` must be positive integers; got {value!r}.")
    return tuple(int(v) for v in values)
