"""Paired comparisons on common samples: which state has more POWER, and is it real?

Two states' POWER estimates come from the same reward samples, so their errors
are strongly correlated: the standard error of POWER(s1) − POWER(s2) computed
from the per-sample differences is far below sqrt(se1² + se2²), the error one
would quote for independent estimates. :func:`compare_power` estimates every
pairwise difference among chosen states (or the actions of one state, for
optimality probabilities: :func:`compare_optimality`) on one set of samples;
:meth:`PairedComparison.ranking` groups the states whose order is not resolved
at a family-wise confidence (Holm–Bonferroni over all pairs by default).

A difference is *resolved* when its two-sided normal p-value, adjusted for the
number of pairs compared, is below 1 − confidence. The ranking walks the
states from the highest estimate down; each group starts at the highest state
not yet placed (its leader) and takes every following state whose deficit to
that leader is not resolved. So every state is resolved below the leader of
each earlier group it was tested against, and no state's deficit to its own
group's leader is resolved.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gamma, label_text, position_of, short_value, stream_seed
from ..exceptions import InvalidParameterError
from ..frames import Tabular, attrs_of
from ..mdp import MDP
from ..rewards import Estimate, RewardDistribution
from . import engine
from ._options import EngineOptions, ExecutionOptions, SamplingOptions, SolverOptions

__all__ = [
    "CORRECTIONS",
    "MAX_COMPARED",
    "PairedComparison",
    "compare_optimality",
    "compare_power",
]

#: The most states compared pairwise in one run (their k² differences are kept per sample).
MAX_COMPARED = 200
#: The multiple-comparison corrections :meth:`PairedComparison.resolved` offers.
CORRECTIONS = ("holm", "bonferroni", "none")


def _normal_tail(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-values of z-scores (erfc; no scipy.stats import)."""
    return np.vectorize(lambda v: math.erfc(abs(v) / math.sqrt(2.0)), otypes=[float])(z)


@compact_repr
@dataclass(frozen=True)
class PairedComparison(Tabular):
    """Pairwise differences of POWER (or of optimality probabilities) on common samples.

    Attributes
    ----------
    quantity : str
        ``"power"`` (states compared) or ``"optimality"`` (actions of `state`).
    labels : tuple
        The states (or actions) compared, in the order given.
    state : hashable or None
        The state whose actions are compared, for optimality.
    gamma : float
    estimate : Estimate
        Each label's POWER (or optimality probability).
    difference_estimate : Estimate
        ``mean[i, j]`` estimates value[i] − value[j], with the standard error of
        the per-sample differences.
    provenance, solver : dict

    Examples
    --------
    >>> from powerseek import load
    >>> cmp = compare_power(load("turner-fig1"), 0.9, ["left", "left_up"], n_samples=2000, rng=0)
    >>> diff, se = cmp.difference("left", "left_up")      # neighbours share most of their rewards
    >>> bool(diff > 5 * se), bool(se < cmp.independent_stderr("left", "left_up") / 10)
    (True, True)
    """

    quantity: str
    labels: tuple
    state: Hashable
    gamma: float
    estimate: Estimate
    difference_estimate: Estimate
    provenance: dict
    solver: dict

    @property
    def values(self) -> np.ndarray:
        """Each label's estimate."""
        return self.estimate.mean

    @property
    def stderr(self) -> np.ndarray:
        """Each label's standard error (alone)."""
        return self.estimate.stderr

    @property
    def differences(self) -> np.ndarray:
        """(k, k): value[i] − value[j]."""
        return self.difference_estimate.mean

    @property
    def difference_stderr(self) -> np.ndarray:
        """(k, k): the paired standard errors of the differences."""
        return self.difference_estimate.stderr

    def _pair(self, first: Hashable, second: Hashable) -> tuple[int, int]:
        what = "action" if self.quantity == "optimality" else "state"
        return position_of(self.labels, first, what), position_of(self.labels, second, what)

    def difference(self, first: Hashable, second: Hashable) -> tuple[float, float]:
        """``(value(first) − value(second), its paired standard error)``.

        Parameters
        ----------
        first, second : hashable
            Two of the compared labels.

        Returns
        -------
        (float, float)
        """
        i, j = self._pair(first, second)
        return float(self.differences[i, j]), float(self.difference_stderr[i, j])

    def independent_stderr(self, first: Hashable, second: Hashable) -> float:
        """sqrt(se1² + se2²): the difference's error were the two estimates independent.

        Parameters
        ----------
        first, second : hashable
            Two of the compared labels.

        Returns
        -------
        float
        """
        i, j = self._pair(first, second)
        return float(math.hypot(self.stderr[i], self.stderr[j]))

    def p_values(self, correction: str = "holm") -> np.ndarray:
        """(k, k) two-sided p-values of the differences, adjusted for the pairs compared.

        Parameters
        ----------
        correction : {"holm", "bonferroni", "none"}, default "holm"
            Holm–Bonferroni step-down, Bonferroni, or none, over the k(k − 1)/2
            pairs.

        Returns
        -------
        numpy.ndarray
            Symmetric, with ones on the diagonal. A zero difference with zero
            error (two states equal on every sample) has p-value 1.
        """
        if correction not in CORRECTIONS:
            raise InvalidParameterError(
                f"`correction` must be one of {', '.join(CORRECTIONS)}; got {correction!r}."
            )
        k = len(self.labels)
        d, se = self.differences, self.difference_stderr
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, d / np.where(se > 0, se, 1.0), np.where(d != 0, np.inf, 0.0))
        raw = _normal_tail(z)
        upper = np.triu_indices(k, 1)
        p = raw[upper]
        m = p.size
        if correction == "bonferroni":
            p = np.minimum(1.0, p * m)
        elif correction == "holm" and m:
            order = np.argsort(p, kind="stable")
            stepped = np.maximum.accumulate(p[order] * (m - np.arange(m)))
            p = np.empty_like(p)
            p[order] = np.minimum(1.0, stepped)
        out = np.ones((k, k))
        out[upper] = p
        out.T[upper] = p
        return out

    def resolved(self, confidence: float | None = None, correction: str = "holm") -> np.ndarray:
        """(k, k) bool: ``[i, j]`` when value[i] > value[j] is resolved.

        Parameters
        ----------
        confidence : float, optional
            Family-wise confidence (default the estimate's, 0.95).
        correction : {"holm", "bonferroni", "none"}, default "holm"
            As in :meth:`p_values`.

        Returns
        -------
        numpy.ndarray of bool
        """
        level = self._confidence(confidence)
        return (self.p_values(correction) < 1.0 - level) & (self.differences > 0)

    def _confidence(self, confidence: float | None) -> float:
        level = self.estimate.confidence if confidence is None else confidence
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise InvalidParameterError(
                f"`confidence` must be in (0, 1); got {short_value(confidence)}."
            )
        return float(level)

    def ranking(
        self, confidence: float | None = None, correction: str = "holm"
    ) -> tuple[tuple[Hashable, ...], ...]:
        """The labels from highest to lowest, grouped where the order is not resolved.

        Each group starts at the highest label not yet placed and takes every
        following label whose deficit to that leader is not resolved
        (:meth:`resolved`, family-wise over all pairs).

        Parameters
        ----------
        confidence : float, optional
            Family-wise confidence (default the estimate's, 0.95).
        correction : {"holm", "bonferroni", "none"}, default "holm"
            As in :meth:`p_values`.

        Returns
        -------
        tuple of tuples
            The groups, best first; within a group, by estimate.
        """
        beats = self.resolved(confidence, correction)
        order = np.argsort(-self.values, kind="stable")
        groups: list[list[int]] = []
        for i in order:
            if groups and not beats[groups[-1][0], i]:
                groups[-1].append(int(i))
            else:
                groups.append([int(i)])
        return tuple(tuple(self.labels[i] for i in group) for group in groups)

    def lead_text(self, first: Hashable, second: Hashable, digits: int = 4) -> str:
        """``"(2, 5) leads (2, 4) by 0.0021 ± 0.0003"`` (± one paired standard error).

        Parameters
        ----------
        first, second : hashable
            Two of the compared labels.
        digits : int, default 4
            Decimals.

        Returns
        -------
        str
        """
        d, se = self.difference(first, second)
        if d < 0:
            first, second, d = second, first, -d
        return f"{label_text(first)} leads {label_text(second)} by {d:.{digits}f} ± {se:.{digits}f}"

    def summary(self, confidence: float | None = None, correction: str = "holm") -> str:
        """The ranking as text: groups, and each leader's lead over the next group.

        Parameters
        ----------
        confidence : float, optional
            Family-wise confidence (default the estimate's).
        correction : {"holm", "bonferroni", "none"}, default "holm"
            As in :meth:`p_values`.

        Returns
        -------
        str
        """
        level = self._confidence(confidence)
        groups = self.ranking(level, correction)
        k = len(self.labels)
        what = "POWER" if self.quantity == "power" else f"P(optimal) at {label_text(self.state)}"
        lines = [
            f"{what} at gamma {self.gamma:g}, {self.provenance['n_samples']} common samples; "
            f"order resolved at {level:.0%} family-wise ({correction} over {k * (k - 1) // 2} "
            "pairs)"
        ]
        for rank, group in enumerate(groups, 1):
            members = ", ".join(
                f"{label_text(s)} {self.values[self.labels.index(s)]:.4f}" for s in group
            )
            tied = " (order within not resolved)" if len(group) > 1 else ""
            lines.append(f"  {rank}. {members}{tied}")
        for above, below in zip(groups, groups[1:]):
            lines.append("  " + self.lead_text(above[0], below[0]))
        return "\n".join(lines)

    def _columns(self):
        """One row per ordered pair (first, second) with first ≠ second."""
        k = len(self.labels)
        pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
        p = self.p_values("holm")
        columns = {
            "quantity": f"{self.quantity} difference",
            "gamma": self.gamma,
            "first": [label_text(self.labels[i]) for i, _ in pairs],
            "second": [label_text(self.labels[j]) for _, j in pairs],
            "difference": [float(self.differences[i, j]) for i, j in pairs],
            "stderr": [float(self.difference_stderr[i, j]) for i, j in pairs],
            "independent_stderr": [
                float(math.hypot(self.stderr[i], self.stderr[j])) for i, j in pairs
            ],
            "p_holm": [float(p[i, j]) for i, j in pairs],
        }
        attrs = attrs_of(self.provenance, solver=self.solver, confidence=self.estimate.confidence)
        return columns, attrs

    def to_frame(self):
        """One row per ordered pair, as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
        """
        from ..frames import data_frame

        return data_frame(*self._columns())


def _run(
    mdp: MDP,
    gamma: float,
    name: str,
    rows: np.ndarray,
    caller: str,
    *,
    dist,
    n_samples,
    rng,
    progress,
    options: EngineOptions,
    pairs: bool = True,
    **extra: Any,
):
    selected = engine.ContextArray(name, rows)
    k = rows.size
    quantities = {"values": ((k,), selected)}
    if pairs:
        quantities["differences"] = ((k, k), engine.PairwiseDifferences(selected))
    return engine.run(
        mdp,
        [check_gamma(gamma)],
        quantities,
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        progress=progress,
        options=options,
        label=caller,
        **extra,
    )


def compare_power(
    mdp: MDP,
    gamma: float,
    states: Sequence[Hashable] | None = None,
    *,
    top: int | None = None,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> PairedComparison:
    """POWER of chosen states and every pairwise difference, on common samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in [0, 1]
        The discount rate γ.
    states : sequence, optional
        The states to compare (at most :data:`MAX_COMPARED`). Default: every
        state when there are at most that many; otherwise give `top`.
    top : int, optional
        Compare the `top` states of highest POWER, and every state whose
        confidence interval reaches the `top`-th state's, found by a first run
        of :func:`~powerseek.power` on the same samples (so the compared
        values are that run's, and the work doubles).
    dist, n_samples, rng, progress
        As in :func:`~powerseek.power`; the same seed gives the same POWER.
    solver, sampling, execution, **settings
        The engine's settings, as in :func:`~powerseek.power`.

    Returns
    -------
    PairedComparison

    See Also
    --------
    compare_optimality : The same for the actions of one state.
    powerseek.power_seeking : Expected POWER after each action of a state.

    Examples
    --------
    The 3x3 grid's centre leads every edge cell, and the edges tie by symmetry:

    >>> from powerseek import load
    >>> cmp = compare_power(load("powerplay-3x3"), 0.6, n_samples=2000, rng=0)
    >>> cmp.ranking()[0]
    ((1, 1),)
    >>> sorted(cmp.ranking()[1])
    [(0, 1), (1, 0), (1, 2), (2, 1)]
    """
    options = EngineOptions.gather(solver, sampling, execution, settings, caller="compare_power()")
    common = {"dist": dist, "n_samples": n_samples, "progress": progress, "options": options}
    if states is not None and top is not None:
        raise InvalidParameterError("give `states` or `top`, not both.")
    if top is not None and (
        isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 2
    ):
        raise InvalidParameterError(f"`top` must be an integer of at least 2; got {top!r}.")
    if states is None and (top is not None or mdp.n_states > MAX_COMPARED):
        if top is None:
            raise InvalidParameterError(
                f"{mdp.name or 'this MDP'} has {mdp.n_states} states; compare at most "
                f"{MAX_COMPARED} at once: give `states`, or `top` to compare the leaders."
            )
        # one seed for both runs, so that the second replays the first's samples
        fresh = np.random.default_rng() if rng is None else rng  # None: a seed drawn afresh
        rng = stream_seed(fresh, caller="compare_power()")
        every = np.arange(mdp.n_states)
        pilot = _run(mdp, gamma, "power", every, "POWER", rng=rng, pairs=False, **common)
        first = pilot.estimates[(0, "values")]
        order = np.argsort(-first.mean, kind="stable")
        kth = order[min(top, mdp.n_states) - 1]
        reach = np.flatnonzero(first.ci_high >= first.ci_low[kth])
        keep = set(order[:top].tolist()) | set(reach.tolist())
        chosen = [i for i in order.tolist() if i in keep]
        if len(chosen) > MAX_COMPARED:
            raise InvalidParameterError(
                f"{len(chosen)} states are within noise of the top {top} (more than "
                f"{MAX_COMPARED}); raise `n_samples` or lower `top`."
            )
        indices = np.array(chosen, dtype=np.int64)
    elif states is None:
        indices = np.arange(mdp.n_states)
    else:
        states = list(states)
        if len(states) < 2 or len(states) > MAX_COMPARED:
            raise InvalidParameterError(
                f"`states` must hold 2 to {MAX_COMPARED} states; got {len(states)}."
            )
        indices = np.array([mdp.index(s) for s in states], dtype=np.int64)
        if np.unique(indices).size != indices.size:
            raise InvalidParameterError("`states` names one state twice.")
    out = _run(mdp, gamma, "power", indices, "POWER comparison", rng=rng, **common)
    run = out.run
    return PairedComparison(
        quantity="power",
        labels=tuple(mdp.states[i] for i in indices),
        state=None,
        gamma=run.gammas[0],
        estimate=out.estimates[(0, "values")],
        difference_estimate=out.estimates[(0, "differences")],
        provenance=run.provenance(mdp),
        solver=out.solver[0],
    )


def compare_optimality(
    mdp: MDP,
    state: Hashable,
    gamma: float,
    *,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> PairedComparison:
    """Optimality probabilities of a state's actions and their differences, on common samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        The state whose actions are compared.
    gamma : float in [0, 1]
        The discount rate γ.
    dist, n_samples, rng, progress
        As in :func:`~powerseek.optimality`; the same seed gives the same numbers.
    solver, sampling, execution, **settings
        The engine's settings, as in :func:`~powerseek.power`.

    Returns
    -------
    PairedComparison
        ``quantity="optimality"``, the actions as labels.

    See Also
    --------
    compare_power : The same for POWER of states.

    Examples
    --------
    In Figure 1, going right is optimal more often than going left at γ = 0.9:

    >>> from powerseek import load
    >>> cmp = compare_optimality(load("turner-fig1"), "start", 0.9, n_samples=3000, rng=1)
    >>> cmp.ranking()[0]
    ('right',)
    """
    i = mdp.index(state)
    rows = np.arange(mdp.pair_offsets[i], mdp.pair_offsets[i + 1])
    if rows.size < 2:
        raise InvalidParameterError(
            f"state {label_text(mdp.states[i])} has one action; nothing to compare."
        )
    options = EngineOptions.gather(
        solver, sampling, execution, settings, caller="compare_optimality()"
    )
    out = _run(
        mdp, gamma, "optimal", rows, "optimality comparison",
        dist=dist, n_samples=n_samples, rng=rng, progress=progress, options=options,
    )  # fmt: skip
    run = out.run
    return PairedComparison(
        quantity="optimality",
        labels=tuple(mdp.actions[i]),
        state=mdp.states[i],
        gamma=run.gammas[0],
        estimate=out.estimates[(0, "values")],
        difference_estimate=out.estimates[(0, "differences")],
        provenance=run.provenance(mdp),
        solver=out.solver[0],
    )
