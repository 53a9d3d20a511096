"""POWER of every state, γ sweeps, and POWER-seeking comparisons of actions.

POWER (theory.md Def 5.2, Lemma E.36) is the normalised average optimal value
of what comes after a state:

    POWER_D(s, γ) = E_{R~D}[ (1−γ)/γ · (V*_R(s, γ) − R(s)) ]
                  = E_{R~D}[ (1−γ) · max_a E_{s'~T(s,a)} V*_R(s', γ) ],

computed per sample in the second form (no cancellation, no 1/γ blow-up). Its
limits (Lemma 5.3) are POWER(s, 0) = E[max_a E_{T(s,a)} R] (theory.md B.15) and
POWER(s, 1) = E[best average reward reachable from s] (B.16).

An action *seeks more POWER* than another at s (Def 5.6) when the expected
POWER of its successor is at least as large; :func:`power_seeking` estimates
E_{s'~T(s,a)} POWER(s', γ) for every action of s with the standard errors of
all pairwise differences, from common random numbers.

All estimates carry standard errors and normal confidence intervals; the
solver's error bound (on the same scale as POWER) is recorded beside them and
is kept far below the standard error by the default ``tol=1e-9``.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr, curves_svg, grid_shape, heatmap_html, table_html
from .._validation import check_gamma, label_text, position_of
from ..frames import Tabular, attrs_of, cell_columns, data_frame, estimate_columns, xarray_dataset
from ..mdp import MDP
from ..rewards import Estimate, RewardDistribution
from . import engine
from ._options import EngineOptions, ExecutionOptions, SamplingOptions, SolverOptions

__all__ = [
    "PowerResult",
    "PowerSeekingResult",
    "PowerSweepResult",
    "compare_successors",
    "power",
    "power_samples",
    "power_seeking",
    "power_sweep",
]


@dataclass(frozen=True)
class PowerResult(Tabular):
    """POWER of every state at one discount.

    Attributes
    ----------
    states : tuple
        State labels, in ``mdp.states`` order.
    gamma : float
    estimate : Estimate
        ``estimate.mean`` is POWER per state; ``stderr``, ``ci_low`` and
        ``ci_high`` go with it.
    provenance : dict
        environment, n_samples, seed, distribution, sampling method.
    solver : dict
        Solver method, tolerance, error bound, iterations, convergence.
    """

    states: tuple
    gamma: float
    estimate: Estimate
    provenance: dict
    solver: dict

    @property
    def power(self) -> np.ndarray:
        """POWER per state."""
        return self.estimate.mean

    @property
    def stderr(self) -> np.ndarray:
        """Standard error per state."""
        return self.estimate.stderr

    @property
    def ci_low(self) -> np.ndarray:
        """Lower ends of the confidence intervals, per state."""
        return self.estimate.ci_low

    @property
    def ci_high(self) -> np.ndarray:
        """Upper ends of the confidence intervals, per state."""
        return self.estimate.ci_high

    def __getitem__(self, state: Hashable) -> float:
        return float(self.power[position_of(self.states, state)])

    def __repr__(self) -> str:
        rule = f", rule={self.provenance['rule']!r}" if "rule" in self.provenance else ""
        return (
            f"PowerResult(environment={self.provenance['environment']!r}, gamma={self.gamma:g}, "
            f"n_states={len(self.states)}, n_samples={self.provenance['n_samples']}{rule})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: a heatmap for grid cells, else a table, with the provenance.

        Examples
        --------
        >>> from powerseek import load, power
        >>> "POWER" in power(load("candy-wait"), 0.9, n_samples=100, rng=0)._repr_html_()
        True
        """
        head = _html_head(self.provenance, f"POWER at γ = {self.gamma:g}")
        if grid_shape(self.states) is not None:
            return head + heatmap_html(self.states, self.power, stderr=self.stderr)
        rows = [
            [label_text(s), m, e, f"[{lo:.4f}, {hi:.4f}]"]
            for s, m, e, lo, hi in zip(
                self.states, self.power, self.stderr, self.estimate.ci_low, self.estimate.ci_high
            )
        ]
        return head + table_html(["state", "POWER", "stderr", "interval"], rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``powerseek power`` (see docs/cli.md).

        With a decision rule other than the optimal one (:mod:`powerseek.agents`)
        it adds a ``rule`` field.
        """
        return _with_rule(
            self.provenance,
            {
                "environment": self.provenance["environment"],
                "gamma": self.gamma,
                "n_samples": self.provenance["n_samples"],
                "seed": self.provenance["seed"],
                "distribution": self.provenance["distribution"],
                "sampling": self.provenance["sampling"],
                "states": [label_text(s) for s in self.states],
                "power": self.power.tolist(),
                "stderr": self.stderr.tolist(),
                "ci_low": self.estimate.ci_low.tolist(),
                "ci_high": self.estimate.ci_high.tolist(),
                "confidence": self.estimate.confidence,
                "solver": self.solver,
            },
        )

    def to_frame(self):
        """One row per state, as a tidy pandas DataFrame (:mod:`powerseek.frames`).

        Columns ``quantity`` ("power"), ``gamma``, ``state`` (``row``, ``col``
        for grid cells), ``value``, ``stderr``, ``ci_low``, ``ci_high``; the
        provenance and solver diagnostics are in ``attrs``.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from powerseek import load, power
        >>> frame = power(load("powerplay-3x3"), 0.6, n_samples=100, rng=0).to_frame()
        >>> list(frame.columns)
        ['quantity', 'gamma', 'state', 'row', 'col', 'value', 'stderr', 'ci_low', 'ci_high']
        >>> frame.attrs["n_samples"], len(frame)
        (100, 9)
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        columns = {
            "quantity": "power",
            "gamma": self.gamma,
            **cell_columns(self.states),
            **estimate_columns(self.estimate),
        }
        return columns, _attrs(self.provenance, self.estimate, self.solver)


def _html_head(provenance: dict, title: str) -> str:
    """The title line of a result's notebook view, with where it came from."""
    rule = f", agent {provenance['rule']}" if "rule" in provenance else ""
    return (
        f"<p><b>{html.escape(title)}</b>: {html.escape(str(provenance['environment']))}, "
        f"{provenance['n_samples']} samples, seed {provenance['seed']}, "
        f"{html.escape(str(provenance['distribution']))}{html.escape(rule)}</p>"
    )


def _with_rule(provenance: dict, document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the ``rule`` field of a bounded agent's result, if any."""
    if "rule" in provenance:
        document["rule"] = provenance["rule"]
    return document


def _attrs(provenance: dict, estimate: Estimate, solver: Any) -> dict[str, Any]:
    return attrs_of(provenance, confidence=estimate.confidence, solver=solver)


@dataclass(frozen=True)
class PowerSweepResult(Tabular, Sequence):
    """POWER of every state over a grid of discounts, on the same samples.

    A sequence of :class:`PowerResult`, one per γ in order (``len``, indexing and
    iteration work as on a list), with the values stacked, as
    :class:`~powerseek.analysis.OptimalitySweepResult` is.

    Attributes
    ----------
    states : tuple
    gammas : tuple of float
    estimates : tuple of Estimate
        One per γ.
    provenance : dict
    solver : tuple of dict
        One per γ.
    """

    states: tuple
    gammas: tuple
    estimates: tuple
    provenance: dict
    solver: tuple

    def __len__(self) -> int:
        return len(self.gammas)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self.at(i) for i in range(len(self)))[index]
        return self.at(index)

    @property
    def power(self) -> np.ndarray:
        """POWER, shape (n_gammas, n_states)."""
        return np.array([e.mean for e in self.estimates])

    @property
    def stderr(self) -> np.ndarray:
        """Standard errors, shape (n_gammas, n_states)."""
        return np.array([e.stderr for e in self.estimates])

    @property
    def ci_low(self) -> np.ndarray:
        """Lower ends of the confidence intervals, shape (n_gammas, n_states)."""
        return np.array([e.ci_low for e in self.estimates])

    @property
    def ci_high(self) -> np.ndarray:
        """Upper ends of the confidence intervals, shape (n_gammas, n_states)."""
        return np.array([e.ci_high for e in self.estimates])

    def __repr__(self) -> str:
        gammas = ", ".join(f"{g:g}" for g in self.gammas)
        return (
            f"PowerSweepResult(environment={self.provenance['environment']!r}, "
            f"gammas=[{gammas}], n_states={len(self.states)}, "
            f"n_samples={self.provenance['n_samples']})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: POWER against γ for the most powerful states, with bands.

        Examples
        --------
        >>> from powerseek import load, power_sweep
        >>> sweep = power_sweep(load("candy-wait"), [0.1, 0.9], n_samples=100, rng=0)
        >>> "<svg" in sweep._repr_html_()
        True
        """
        top = np.argsort(-self.power[-1])[:6]
        series = {
            label_text(self.states[i]): (
                self.power[:, i],
                np.array([e.ci_low[i] for e in self.estimates]),
                np.array([e.ci_high[i] for e in self.estimates]),
            )
            for i in top
        }
        head = _html_head(self.provenance, "POWER against γ (the most powerful states)")
        return head + curves_svg(self.gammas, series)

    def at(self, index: int) -> PowerResult:
        """The result at ``gammas[index]`` alone.

        Parameters
        ----------
        index : int
            Position in :attr:`gammas`.

        """
        return PowerResult(
            self.states,
            self.gammas[index],
            self.estimates[index],
            self.provenance,
            self.solver[index],
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON document: like :meth:`PowerResult.to_dict` with one row per γ."""
        return _with_rule(
            self.provenance,
            {
                "environment": self.provenance["environment"],
                "gamma": list(self.gammas),
                "n_samples": self.provenance["n_samples"],
                "seed": self.provenance["seed"],
                "distribution": self.provenance["distribution"],
                "sampling": self.provenance["sampling"],
                "states": [label_text(s) for s in self.states],
                "power": self.power.tolist(),
                "stderr": self.stderr.tolist(),
                "ci_low": [e.ci_low.tolist() for e in self.estimates],
                "ci_high": [e.ci_high.tolist() for e in self.estimates],
                "confidence": self.estimates[0].confidence,
                "solver": list(self.solver),
            },
        )

    def to_frame(self):
        """One row per γ and state, as a tidy pandas DataFrame.

        The columns of :meth:`PowerResult.to_frame`, γ by γ.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from powerseek import load, power_sweep
        >>> sweep = power_sweep(load("candy-wait"), [0.5, 0.9], n_samples=100, rng=0)
        >>> frame = sweep.to_frame()
        >>> frame.shape, frame.groupby("gamma").size().tolist()
        ((10, 7), [5, 5])
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        n = len(self.states)
        cells = cell_columns(self.states)
        columns = {
            "quantity": "power",
            "gamma": np.repeat(np.asarray(self.gammas, dtype=float), n),
            **{key: list(values) * len(self.gammas) for key, values in cells.items()},
            "value": self.power.ravel(),
            "stderr": self.stderr.ravel(),
            "ci_low": np.concatenate([e.ci_low for e in self.estimates]),
            "ci_high": np.concatenate([e.ci_high for e in self.estimates]),
        }
        return columns, _attrs(self.provenance, self.estimates[0], list(self.solver))

    def to_xarray(self):
        """POWER as an xarray Dataset with dims (gamma, state).

        Variables ``power``, ``stderr``, ``ci_low``, ``ci_high``; coordinates
        ``gamma``, ``state`` (labels as text) and, for grid cells, ``row`` and
        ``col`` along ``state``; the provenance in ``attrs``.

        Returns
        -------
        xarray.Dataset

        Examples
        --------
        >>> from powerseek import load, power_sweep
        >>> sweep = power_sweep(load("candy-wait"), [0.5, 0.9], n_samples=100, rng=0)
        >>> ds = sweep.to_xarray()
        >>> dict(ds.sizes), float(ds.power.sel(gamma=0.9, state="wait")) == sweep.at(1)["wait"]
        ({'gamma': 2, 'state': 5}, True)
        """
        variables = {
            "power": self.power,
            "stderr": self.stderr,
            "ci_low": np.array([e.ci_low for e in self.estimates]),
            "ci_high": np.array([e.ci_high for e in self.estimates]),
        }
        attrs = _attrs(self.provenance, self.estimates[0], list(self.solver))
        return xarray_dataset(self.gammas, self.states, variables, attrs)


def power_samples(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    *,
    method: str = "auto",
    tol: float = 1e-9,
) -> np.ndarray:
    """Per-sample POWER for given reward vectors, shape (n_samples, n_states).

    The value whose expectation :func:`power` estimates:
    (1−γ)·max_a E_{s'~T(s,a)} V*_R(s', γ), or its limits at γ = 0 and γ = 1.
    Useful for checking inequalities sample by sample.

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (n_samples, n_states) or (n_states,)
        Explicit reward vectors (no sampling).
    gamma : float in [0, 1]
        0 and 1 give the limits.
    method : str, default "auto"
        Solver (see :func:`powerseek.solve`).
    tol : float, default 1e-9
        Solver error bound on the POWER scale.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_states)
        Each sample's POWER of every state.

    See Also
    --------
    power : POWER estimated over a reward distribution.
    powerseek.agents.rule_power_samples : per-sample POWER of a bounded decision-maker.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")  # start, wait, candy, chocolate, hug
    >>> power_samples(mdp, [[0, 0, 0.2, 0.9, 0.4]], 1).round(3).tolist()
    [[0.9, 0.9, 0.2, 0.9, 0.4]]
    """
    return engine.context_for(mdp, rewards, gamma, method=method, tol=tol).power.T.copy()


def _power_quantity(mdp: MDP) -> engine.Quantity:
    return (mdp.n_states,), engine.ContextArray("power")


def power_sweep(
    mdp: MDP,
    gammas: Any,
    *,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> PowerSweepResult:
    """POWER of every state at each discount in `gammas`, on common samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gammas : sequence of float in [0, 1]
        Each γ is warm-started from the previous one.
    dist, n_samples, rng, progress
        As in :func:`powerseek.power`.
    solver, sampling, execution, **settings
        The engine's settings (the option objects of :mod:`powerseek.analysis`), as in
        :func:`powerseek.power`.

    Returns
    -------
    PowerSweepResult

    See Also
    --------
    power : POWER at one discount.
    powerseek.agents.rule_power_sweep : the same sweep for a bounded decision-maker.
    powerseek.analysis.optimality_sweep : optimality probabilities on a sweep.

    Examples
    --------
    >>> from powerseek import load
    >>> sweep = power_sweep(load("k-way-choice"), [0, 0.5, 1], n_samples=2000, rng=0)
    >>> sweep.power[:, 0].round(2).tolist()   # k/(k+1) = 4/5 at every γ
    [0.8, 0.8, 0.8]
    """
    out = engine.run(
        mdp,
        gammas,
        {"power": _power_quantity(mdp)},
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        progress=progress,
        options=EngineOptions.gather(solver, sampling, execution, settings, caller="power_sweep()"),
        label="POWER",
    )
    return PowerSweepResult(
        states=mdp.states,
        gammas=out.run.gammas,
        estimates=out.per_gamma("power"),
        provenance=out.run.provenance(mdp),
        solver=out.solver,
    )


def power(
    mdp: MDP,
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
) -> PowerResult:
    """POWER_D(s, γ) of every state, with standard errors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in [0, 1]
        0 and 1 give the limits (B.15, B.16).
    dist : RewardDistribution, optional
        Default: IID uniform on [0, 1].
    n_samples : int, default 10,000
        Reward samples (``None`` for a :class:`~powerseek.rewards.RewardSamples`
        distribution: all of its samples).
    rng : None, int or numpy.random.Generator
        Seed; the same seed gives the same result whatever `chunk_size`.
    progress : bool or None, default False
        Show a progress bar (None: only on a terminal).
    solver : SolverOptions, optional
        ``method`` and ``tol`` of the solver (:class:`~powerseek.analysis.SolverOptions`).
    sampling : SamplingOptions, optional
        ``qmc``, ``n_replicates`` and ``confidence``.
    execution : ExecutionOptions, optional
        ``chunk_size``, ``memory``, ``executor``, ``device`` and ``precision``;
        none of them changes a number beyond floating-point tolerance.
    **settings
        Any field of those three groups as a keyword (``tol=1e-12``,
        ``executor=pool``), when its group is not given as an object.

    Returns
    -------
    PowerResult

    See Also
    --------
    power_sweep : POWER at several discounts on the same samples.
    powerseek.exact.exact_power : POWER exactly, as a rational function of γ or a fraction.
    powerseek.agents.rule_power : POWER of a bounded decision-maker instead of the optimal agent.
    power_seeking : which action at a state leads to more POWER.

    Examples
    --------
    A terminal state's POWER is E[R] = 1/2 under uniform rewards; Figure 1's
    ``right_down`` has POWER 2/3 at every γ (Turner et al. 2021, Figure 3):

    >>> from powerseek import load
    >>> result = power(load("turner-fig1"), 0.5, n_samples=4000, rng=1)
    >>> se = result.stderr.max()
    >>> bool(abs(result["empty"] - 1/2) < 4 * se), bool(abs(result["right_down"] - 2/3) < 4 * se)
    (True, True)
    >>> bool(se < 0.01)
    True
    """
    sweep = power_sweep(
        mdp,
        [check_gamma(gamma)],
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        progress=progress,
        solver=solver,
        sampling=sampling,
        execution=execution,
        **settings,
    )
    return sweep.at(0)


@compact_repr
@dataclass(frozen=True)
class PowerSeekingResult(Tabular):
    """Expected POWER after each action of a state (Def 5.6), with differences.

    Attributes
    ----------
    state : hashable
    actions : tuple
    gamma : float
    expected : numpy.ndarray
        E_{s'~T(s,a)} POWER(s', γ) per action.
    stderr, ci_low, ci_high : numpy.ndarray
        Its standard errors and confidence intervals, per action.
    differences : numpy.ndarray
        ``differences[i, j]`` estimates expected[i] − expected[j].
    difference_stderr : numpy.ndarray
        Their standard errors, from common random numbers: far below the two
        actions' standard errors combined.
    estimate, difference_estimate : Estimate
        The same numbers as :class:`~powerseek.Estimate` objects.
    provenance, solver : dict
    """

    state: Hashable
    actions: tuple
    gamma: float
    estimate: Estimate
    difference_estimate: Estimate
    provenance: dict
    solver: dict

    @property
    def expected(self) -> np.ndarray:
        """Expected POWER after each action."""
        return self.estimate.mean

    @property
    def stderr(self) -> np.ndarray:
        """Standard error of the expected POWER, per action."""
        return self.estimate.stderr

    @property
    def ci_low(self) -> np.ndarray:
        """Lower ends of the confidence intervals, per action."""
        return self.estimate.ci_low

    @property
    def ci_high(self) -> np.ndarray:
        """Upper ends of the confidence intervals, per action."""
        return self.estimate.ci_high

    @property
    def differences(self) -> np.ndarray:
        """``differences[i, j]``: expected[i] − expected[j]."""
        return self.difference_estimate.mean

    @property
    def difference_stderr(self) -> np.ndarray:
        """Standard errors of the differences, from common random numbers."""
        return self.difference_estimate.stderr

    def seeks_more_power(self, a: Hashable, b: Hashable, *, z: float = 3.0) -> bool | None:
        """Whether `a` seeks more POWER than `b` (Def 5.6, weak).

        Whether `a` seeks more POWER than `b` (Def 5.6, weak): True when the
        difference is more than `z` standard errors above 0, False when more
        than `z` below, None when the samples cannot tell.

        Parameters
        ----------
        a : hashable
            An action of the state.
        b : hashable
            Another action of the state.
        z : float, default 3.0
            How many standard errors the difference must exceed to count.

        """
        i, j = self.actions.index(a), self.actions.index(b)
        mean = self.differences[i, j]
        se = self.difference_stderr[i, j]
        if mean > z * se:
            return True
        if mean < -z * se:
            return False
        return None

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data (with a ``rule`` field for a bounded agent)."""
        return _with_rule(
            self.provenance,
            {
                "environment": self.provenance["environment"],
                "gamma": self.gamma,
                "state": label_text(self.state),
                "n_samples": self.provenance["n_samples"],
                "seed": self.provenance["seed"],
                "distribution": self.provenance["distribution"],
                "actions": [
                    {
                        "action": label_text(a),
                        "expected_power": float(self.expected[i]),
                        "stderr": float(self.stderr[i]),
                    }
                    for i, a in enumerate(self.actions)
                ],
                "differences": self.differences.tolist(),
                "differences_stderr": self.difference_stderr.tolist(),
                "solver": self.solver,
            },
        )

    def to_frame(self):
        """One row per action: expected POWER after it, as a tidy pandas DataFrame.

        Columns ``quantity`` ("expected_power"), ``gamma``, ``state``,
        ``action``, ``value``, ``stderr``, ``ci_low``, ``ci_high``. The pairwise
        differences are in :meth:`to_dict` and :attr:`differences`.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from powerseek import load, power_seeking
        >>> result = power_seeking(load("candy-wait"), "start", 0.9, n_samples=100, rng=0)
        >>> result.to_frame()[["action", "value"]].round(3).values.tolist()
        [['candy', 0.481], ['wait', 0.621]]
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        columns = {
            "quantity": "expected_power",
            "gamma": self.gamma,
            "state": label_text(self.state),
            "action": [label_text(a) for a in self.actions],
            **estimate_columns(self.estimate),
        }
        return columns, _attrs(self.provenance, self.estimate, self.solver)


def power_seeking(
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
) -> PowerSeekingResult:
    """Compare the actions of `state` by the POWER they lead to (Def 5.6).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        The state whose actions are compared.
    gamma : float in [0, 1]
        The discount rate γ.
    dist, n_samples, rng, progress
        As in :func:`power`.
    solver, sampling, execution, **settings
        The engine's settings (the option objects of :mod:`powerseek.analysis`),
        as in :func:`power`.

    Returns
    -------
    PowerSeekingResult
        E_{s'~T(s,a)} POWER(s', γ) of each action and their pairwise differences,
        with standard errors on common samples.

    See Also
    --------
    power : POWER of every state.
    powerseek.agents.rule_power_seeking : the same comparison for a bounded decision-maker.

    Examples
    --------
    In Figure 1, going right seeks more POWER than going left:

    >>> from powerseek import load
    >>> result = power_seeking(load("turner-fig1"), "start", 0.9, n_samples=4000, rng=2)
    >>> result.seeks_more_power("right", "left"), result.seeks_more_power("right", "empty")
    (True, True)
    """
    return compare_successors(
        mdp,
        state,
        gamma,
        lambda run: engine.ContextArray("power", transpose=False),
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        progress=progress,
        options=EngineOptions.gather(
            solver, sampling, execution, settings, caller="power_seeking()"
        ),
    )


@dataclass(frozen=True, eq=False)
class _ExpectedPower:
    """(m, k): E_{s'~T(state, a)} of a per-sample POWER, for each of the state's k actions."""

    rows: Any  # the state's rows of the transition matrix
    power_of: Any  # ctx -> (n_states, m)

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        # both quantities use it: computed once per chunk
        return ctx.memo(
            ("expected power", self), lambda: np.asarray(self.rows @ self.power_of(ctx)).T
        )


def compare_successors(
    mdp: MDP,
    state: Hashable,
    gamma: float,
    power_of: Any,
    *,
    provenance: Any = None,
    **engine_args: Any,
) -> PowerSeekingResult:
    """E_{s'~T(state, a)} of a per-sample POWER for each action, and their differences.

    The engine run behind :func:`power_seeking`, for any per-sample POWER
    (a bounded agent's, :func:`powerseek.agents.rule_power_seeking`).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    gamma : float in [0, 1]
        The discount rate γ.
    power_of : callable
        ``power_of(run)``, given the validated :class:`~powerseek.analysis.engine.Run`,
        returns the picklable function ``f(ctx)`` of the per-sample POWER of every state,
        shape (n_states, m).
    provenance : callable, optional
        ``provenance(run)``, the result's provenance; default ``run.provenance(mdp)``.
    **engine_args
        ``dist``, ``n_samples``, ``rng``, ``progress``, ``options``, ``tie_tol`` of
        :func:`powerseek.analysis.engine.run`.

    Returns
    -------
    PowerSeekingResult
    """
    i = mdp.index(state)
    lo, hi = int(mdp.pair_offsets[i]), int(mdp.pair_offsets[i + 1])
    k = hi - lo

    def quantities(run: engine.Run) -> dict[str, engine.Quantity]:
        expected = _ExpectedPower(mdp.transition_matrix[lo:hi], power_of(run))
        return {
            "expected": ((k,), expected),
            "differences": ((k, k), engine.PairwiseDifferences(expected)),
        }

    out = engine.run(mdp, [gamma], quantities, label="POWER-seeking", **engine_args)
    run = out.run
    return PowerSeekingResult(
        state=mdp.states[i],
        actions=mdp.actions[i],
        gamma=run.gammas[0],
        estimate=out.estimates[(0, "expected")],
        difference_estimate=out.estimates[(0, "differences")],
        provenance=run.provenance(mdp) if provenance is None else provenance(run),
        solver=out.solver[0],
    )
