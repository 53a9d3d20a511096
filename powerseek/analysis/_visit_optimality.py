"""Optimality probabilities of sets of visit distributions and of vector sets.

* P_D(F, γ) (theory.md Def 4.3): the probability that some visit distribution
  in F ⊆ F(s) is optimal at s, i.e. max_{f∈F} f(γ)ᵀr = max_{f∈F(s)} f(γ)ᵀr (Lemma
  E.35). At γ = 0 and γ = 1 (Prop E.34) the comparison is lexicographic, on the
  Taylor coefficients of f at γ = 0 and on the Laurent coefficients at γ = 1
  (Blackwell optimality), computed exactly from the rational functions.
* p_D(A ≥ B) (Def E.19): P(max_{a∈A} aᵀr ≥ max_{b∈B} bᵀr) for finite vector sets.

Both are Monte Carlo estimates with standard errors, drawn like every other
analysis: the same seed gives the same reward samples as :func:`powerseek.power`
and :func:`powerseek.optimality`, so P_D(s, a, γ) = P_D(F(s | π(s) = a), γ)
(Lemma E.48) holds sample by sample. Ties count as optimal, within ``tie_tol``
times the sample's largest |reward|.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gamma
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..frames import Tabular, attrs_of, data_frame, estimate_columns
from ..mdp import MDP
from ..rewards import IID, Accumulator, Estimate, RewardDistribution, SamplePlan
from ..visits import VisitDistribution, visit_distributions
from . import engine
from ._options import EngineOptions, ExecutionOptions, SamplingOptions

__all__ = ["SetOptimalityResult", "linear_optimality", "visit_optimality"]


@compact_repr
@dataclass(frozen=True)
class SetOptimalityResult(Tabular):
    """An estimated optimality probability of a set.

    Attributes
    ----------
    probability : float
        The estimated probability (also ``value``).
    stderr : float
        Its standard error.
    estimate : Estimate
        The same number as an :class:`~powerseek.Estimate` of one entry, with its
        confidence interval.
    gamma : float or None
        The discount rate (None for :func:`linear_optimality`, which has none).
    provenance : dict
        Where the result came from (read-only).
    """

    estimate: Estimate
    gamma: float | None
    provenance: dict

    @property
    def probability(self) -> float:
        """The estimated probability."""
        return float(self.estimate.mean[0])

    @property
    def value(self) -> float:
        """The estimated probability (as ``probability``)."""
        return self.probability

    @property
    def stderr(self) -> float:
        """Its standard error."""
        return float(self.estimate.stderr[0])

    def to_frame(self):
        """One row: ``quantity`` ("set_optimality"), ``gamma``, ``value``, ``stderr``, ...

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        columns = {
            "quantity": "set_optimality",
            "gamma": self.gamma,
            **estimate_columns(self.estimate),
        }
        return columns, attrs_of(self.provenance, confidence=self.estimate.confidence)


def coefficient_stack(functions: Sequence[VisitDistribution], gamma: float) -> np.ndarray:
    """Rows that f(γ)ᵀr is compared on, most significant first.

    At 0 < γ < 1 one order, (1−γ)·f(γ); at γ = 0 or 1 the Taylor or Laurent
    coefficients that decide the limit comparison lexicographically.

    Parameters
    ----------
    functions : sequence of VisitDistribution
        The k visit distribution functions compared.
    gamma : float
        Discount rate in [0, 1].

    Returns
    -------
    numpy.ndarray
        Shape (orders, k, n): for each order, one coefficient row per function.

    See Also
    --------
    lexicographic_best : Which rows win, reward sample by reward sample.

    Examples
    --------
    >>> from powerseek import load
    >>> from powerseek.visits import visit_distributions
    >>> mdp = load("turner-fig1")
    >>> functions = visit_distributions(mdp, "start")
    >>> len(functions), mdp.n_states, coefficient_stack(functions, 0.5).shape
    (11, 8, (1, 11, 8))
    """
    if 0.0 < gamma < 1.0:
        return np.array([[(1.0 - gamma) * f.at(gamma) for f in functions]])
    depth = 2 * len({i for f in functions for i, x in enumerate(f.exact("1/2")) if x}) + 1
    if gamma == 0.0:
        stacks = [f.taylor(depth) for f in functions]
    else:
        stacks = [f.laurent(depth) for f in functions]
    return np.array(stacks, dtype=float).transpose(1, 0, 2)


def lexicographic_best(stack: np.ndarray, R: np.ndarray, tie_tol: float) -> np.ndarray:
    """Which of k coefficient rows are lexicographically maximal for each reward.

    Parameters
    ----------
    stack : numpy.ndarray
        Shape (orders, k, n), as :func:`coefficient_stack` returns.
    R : numpy.ndarray
        Shape (n, m): m reward functions as columns.
    tie_tol : float
        Relative tolerance within which two values count as tied (both maximal).

    Returns
    -------
    numpy.ndarray
        Shape (k, m) booleans.

    See Also
    --------
    coefficient_stack : The rows compared.

    Examples
    --------
    >>> import numpy as np
    >>> stack = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> lexicographic_best(stack, np.array([[1.0, 0.0], [0.0, 1.0]]), 1e-9).tolist()
    [[True, False], [False, True]]
    """
    scale = np.maximum(np.abs(R).max(axis=0), 1e-300)
    alive = np.ones((stack.shape[1], R.shape[1]), dtype=bool)
    for coefficients in stack:
        values = coefficients @ R
        best = np.where(alive, values, -np.inf).max(axis=0)
        alive &= values >= best - tie_tol * scale * max(1.0, np.abs(coefficients).max())
        if (alive.sum(axis=0) == 1).all():
            break
    return alive


def visit_optimality(
    mdp: MDP,
    state: Hashable,
    subset: Sequence[VisitDistribution],
    gamma: float,
    *,
    functions: Sequence[VisitDistribution] | None = None,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    progress: bool | None = False,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> SetOptimalityResult:
    """P_D(F, γ): the probability that some f in `subset` is optimal at `state`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    subset : sequence of VisitDistribution
        F ⊆ F(state), e.g. from :func:`powerseek.visits.restrict`.
    gamma : float in [0, 1]
        The discount rate γ.
    functions : sequence of VisitDistribution, optional
        F(state), if already enumerated.
    dist, n_samples, rng, progress
        As in :func:`powerseek.power`.
    tie_tol : float
        Ties within this tolerance (relative to the largest reward) count as
        optimal for both.
    sampling : SamplingOptions, optional
        ``qmc``, ``n_replicates`` and ``confidence`` (:class:`SamplingOptions`).
    execution : ExecutionOptions, optional
        Only ``chunk_size`` and ``executor`` are used: nothing is solved.
    **settings
        ``qmc``, ``n_replicates``, ``confidence``, ``chunk_size`` or ``executor`` as
        keywords.

    Returns
    -------
    SetOptimalityResult
        The estimate of p_D(A ≥ B) with its standard error.

    See Also
    --------
    powerseek.exact.exact_visit_optimality : the same probability exactly.
    powerseek.analysis.optimality : optimality probabilities of actions.

    Examples
    --------
    >>> from powerseek import load
    >>> from powerseek.visits._functions import restrict, visit_distributions
    >>> mdp = load("candy-wait")
    >>> F = visit_distributions(mdp, "start")
    >>> waiting = restrict(F, "start", "wait")
    >>> result = visit_optimality(mdp, "start", waiting, 1.0, functions=F, n_samples=4000, rng=0)
    >>> bool(abs(result.value - 2 / 3) < 4 * result.stderr)
    True
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    gamma = check_gamma(gamma)
    F = tuple(visit_distributions(mdp, state) if functions is None else functions)
    subset = tuple(subset)
    start = mdp.index(state)
    for f in F + subset:
        if not isinstance(f, VisitDistribution) or f._start != start:
            raise InvalidParameterError(
                f"every visit distribution must be one of F({state!r}); got {f!r}."
            )
    position = {f: i for i, f in enumerate(F)}
    missing = [f for f in subset if f not in position]
    if missing:
        raise InvalidParameterError(f"{missing[0]!r} is not in `functions` (F({state!r})).")
    chosen = np.zeros(len(F), dtype=bool)
    chosen[[position[f] for f in subset]] = True
    stack = coefficient_stack(F, gamma)

    indicator = _SetOptimal(stack, chosen)
    out = engine.run(
        mdp,
        [gamma],
        {"p": ((1,), indicator)},
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        tie_tol=tie_tol,
        progress=progress,
        label="P(F optimal)",
        options=EngineOptions.gather(
            None,
            sampling,
            execution,
            settings,
            caller="visit_optimality()",
            accepts=("qmc", "n_replicates", "confidence", "chunk_size", "executor"),
        ),
    )
    return SetOptimalityResult(out.estimates[(0, "p")], gamma, out.run.provenance(mdp))


@dataclass(frozen=True, eq=False)
class _SetOptimal:
    """A picklable quantity: per sample, whether a chosen visit distribution is optimal."""

    stack: np.ndarray  # from coefficient_stack
    chosen: np.ndarray  # bool, one per visit distribution

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        alive = lexicographic_best(self.stack, ctx.rewards, ctx.tie_tol)
        return alive[self.chosen].any(axis=0)[:, None]


def linear_optimality(
    A: Any,
    B: Any,
    *,
    dist: RewardDistribution | None = None,
    n_samples: int = 10_000,
    rng: Any = None,
    qmc: bool = False,
    n_replicates: int | None = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    confidence: float = 0.95,
) -> SetOptimalityResult:
    """p_D(A ≥ B) = P(max_{a∈A} aᵀr ≥ max_{b∈B} bᵀr) for finite vector sets (Def E.19).

    Parameters
    ----------
    A, B : array_like, shape (k_A, d) and (k_B, d)
        The first vector set, one vector per row.
    dist : RewardDistribution, optional
        Over r ∈ ℝ^d (default IID uniform on [0, 1]).
    n_samples, rng, qmc, n_replicates, confidence
        As in :func:`powerseek.power`.
    tie_tol : float, default 1e-9
        Ties within this tolerance (relative to the largest reward) count for A.

    Returns
    -------
    SetOptimalityResult
        The estimate of p_D(A ≥ B) with its standard error.

    Examples
    --------
    >>> import numpy as np
    >>> e = np.eye(3)
    >>> result = linear_optimality(e[:2], e, n_samples=8000, rng=0)   # best of 2 of 3 coordinates
    >>> bool(abs(result.value - 2 / 3) < 4 * result.stderr)
    True
    """
    A = np.atleast_2d(np.asarray(A, dtype=float))
    B = np.atleast_2d(np.asarray(B, dtype=float))
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1] or 0 in A.shape or 0 in B.shape:
        raise InvalidParameterError(
            f"`A` and `B` must be non-empty (k, d) arrays with the same d; got {A.shape} "
            f"and {B.shape}."
        )
    if not (np.isfinite(A).all() and np.isfinite(B).all()):
        raise InvalidParameterError("`A` and `B` must hold finite numbers.")
    plan = SamplePlan(
        IID() if dist is None else dist,
        list(range(A.shape[1])),
        n_samples,
        rng=rng,
        qmc=qmc,
        n_replicates=n_replicates,
    )
    accumulator = Accumulator(plan, (1,))
    for block in plan.blocks:
        R = plan.draw([block])
        scale = np.maximum(np.abs(R).max(axis=1), 1e-300) * max(1.0, np.abs(B).max())
        best_A = (R @ A.T).max(axis=1)
        best_B = (R @ B.T).max(axis=1)
        accumulator.add(block, (best_A >= best_B - tie_tol * scale)[:, None])
    provenance = {
        "n_samples": plan.n_samples,
        "seed": plan.seed,
        "distribution": plan.dist.describe(),
        "sampling": plan.method,
    }
    return SetOptimalityResult(accumulator.estimate(confidence), None, provenance)
