"""Action optimality probabilities P_D(s, a, γ) (theory.md Def 4.4).

P_D(s, a, γ) = P_{R~D}(some optimal policy for R at γ takes a in s). Optimality
is *weak*: when actions tie, each counts as optimal, so the probabilities of a
state's actions can sum to more than 1; the excess is reported as the *tie
mass*, P(more than one action of s is optimal). Numerically, an action is
optimal when its expected continuation is within a tolerance of the best:
``tie_tol`` times the sample's largest |reward|, plus twice the solver's error
bound, both on the (1−γ)·V scale.

At γ = 0 and γ = 1 the optimal policy sets are the limits of Def 4.1: the
lexicographic refinement at γ -> 0 and Blackwell optimality at γ -> 1 (not
average optimality: in Figure 10, N is always average-optimal yet
P(s1, N, 1) = 1/3). See :mod:`powerseek.solvers._limits`.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._display import compact_repr, table_html
from .._validation import check_gamma, label_text, position_of
from ..frames import Tabular, attrs_of, cell_columns, data_frame, estimate_columns, require
from ..mdp import MDP
from ..rewards import Estimate, RewardDistribution
from . import engine
from ._options import EngineOptions, ExecutionOptions, SamplingOptions, SolverOptions
from ._power import _html_head

__all__ = [
    "OptimalityResult",
    "OptimalitySweepResult",
    "StateCounter",
    "optimal_actions",
    "optimality",
    "optimality_sweep",
    "state_pairs",
]


def optimal_actions(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    *,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    method: str = "auto",
    tol: float = 1e-9,
) -> np.ndarray:
    """Which actions are optimal for given reward vectors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (n_samples, n_states) or (n_states,)
        Explicit reward vectors (no sampling).
    gamma : float in [0, 1]
        0 and 1 are the lexicographic and Blackwell limits.
    tie_tol : float, default 1e-9
        Relative tolerance for ties (Def 4.4 counts ties as optimal).
    method : str, default "auto"
        Solver (see :func:`powerseek.solve`).
    tol : float, default 1e-9
        Solver error bound on the (1−γ)·V scale.

    Returns
    -------
    numpy.ndarray of bool, shape (n_samples, n_pairs)
        Column ``k`` is the pair ``k`` (a row of ``mdp.transition_matrix``);
        True when that action is optimal (weakly, Def 4.4) in its state.

    See Also
    --------
    optimality : how often each action is optimal over a reward distribution.
    powerseek.agents.rule_policy : a bounded decision-maker's policy for given reward vectors.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")  # start: candy, wait
    >>> optimal_actions(mdp, [[0, 0, 0.5, 0.9, 0.1]], 0.9)[0, :2].tolist()
    [False, True]
    """
    ctx = engine.context_for(mdp, rewards, gamma, method=method, tol=tol, tie_tol=tie_tol)
    return ctx.optimal.T.copy()


@dataclass(frozen=True)
class OptimalityResult(Tabular):
    """Optimality probabilities of the actions of one state (or of every state).

    Attributes
    ----------
    states : tuple
        The states analysed (one, or all of ``mdp.states``).
    actions : tuple of tuple
        The actions of each analysed state.
    successors : tuple of tuple of dict
        T(s, a) of each action, as ``{successor: probability}``.
    gamma : float
    probability : numpy.ndarray
        P(s, a, γ), one entry per (state, action) in order.
    stderr, ci_low, ci_high : numpy.ndarray
        Its standard errors and confidence intervals, entry by entry.
    estimate : Estimate
        The same numbers as an :class:`~powerseek.Estimate` (with its
        ``confidence`` and ``n_samples``).
    tie_mass : Estimate
        P(more than one optimal action), one entry per analysed state.
    unresolved : Estimate or None
        At γ = 1: the share of samples whose Blackwell-optimal set at each state
        differed between the two discounts used to decide it.
    provenance, solver : dict
    """

    states: tuple
    actions: tuple
    successors: tuple
    gamma: float
    estimate: Estimate
    tie_mass: Estimate
    unresolved: Estimate | None
    provenance: dict
    solver: dict

    @property
    def probability(self) -> np.ndarray:
        """P(s, a, γ) per (state, action), in order."""
        return self.estimate.mean

    @property
    def stderr(self) -> np.ndarray:
        """Standard error per (state, action)."""
        return self.estimate.stderr

    @property
    def ci_low(self) -> np.ndarray:
        """Lower ends of the confidence intervals."""
        return self.estimate.ci_low

    @property
    def ci_high(self) -> np.ndarray:
        """Upper ends of the confidence intervals."""
        return self.estimate.ci_high

    def _offsets(self) -> list[int]:
        return list(np.cumsum([0] + [len(a) for a in self.actions]))

    def __repr__(self) -> str:
        rule = f", rule={self.provenance['rule']!r}" if "rule" in self.provenance else ""
        return (
            f"OptimalityResult(environment={self.provenance['environment']!r}, "
            f"gamma={self.gamma:g}, n_states={len(self.states)}, "
            f"n_samples={self.provenance['n_samples']}{rule})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: each state's actions with their probabilities.

        Examples
        --------
        >>> from powerseek import load, optimality
        >>> result = optimality(load("candy-wait"), 0.9, state="start", n_samples=100, rng=0)
        >>> result._repr_html_().count("<tr>")
        3
        """
        offsets = self._offsets()
        rows = [
            [
                label_text(s),
                label_text(a),
                self.estimate.mean[offsets[i] + j],
                self.estimate.stderr[offsets[i] + j],
            ]
            for i, s in enumerate(self.states)
            for j, a in enumerate(self.actions[i])
        ]
        what = "P(chosen)" if "rule" in self.provenance else "P(optimal)"
        head = _html_head(self.provenance, f"{what} at γ = {self.gamma:g}")
        return head + table_html(["state", "action", what, "stderr"], rows)

    def of(self, state: Hashable, action: Hashable) -> float:
        """P(state, action, γ).

        Parameters
        ----------
        state : hashable
            A state label.
        action : hashable
            An action available in `state`.

        """
        i = position_of(self.states, state)
        k = self._offsets()[i] + position_of(self.actions[i], action, "action")
        return float(self.estimate.mean[k])

    def stderr_of(self, state: Hashable, action: Hashable) -> float:
        """Standard error of P(state, action, γ).

        Parameters
        ----------
        state : hashable
            A state label.
        action : hashable
            An action available in `state`.

        """
        i = position_of(self.states, state)
        k = self._offsets()[i] + position_of(self.actions[i], action, "action")
        return float(self.estimate.stderr[k])

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``powerseek optimality``.

        The JSON document of ``powerseek optimality`` for one state, or a
        list of per-state entries when every state was analysed.
        """
        offsets = self._offsets()
        entries = []
        for i, state in enumerate(self.states):
            entry = {
                "state": label_text(state),
                "actions": [
                    {
                        "action": label_text(action),
                        "successors": {label_text(s): p for s, p in self.successors[i][j].items()},
                        "probability": float(self.estimate.mean[offsets[i] + j]),
                        "stderr": float(self.estimate.stderr[offsets[i] + j]),
                    }
                    for j, action in enumerate(self.actions[i])
                ],
                "tie_mass": float(self.tie_mass.mean[i]),
            }
            if self.unresolved is not None:
                entry["unresolved_mass"] = float(self.unresolved.mean[i])
            entries.append(entry)
        head = {
            "environment": self.provenance["environment"],
            "gamma": self.gamma,
            "n_samples": self.provenance["n_samples"],
            "seed": self.provenance["seed"],
            "distribution": self.provenance["distribution"],
            "sampling": self.provenance["sampling"],
        }
        tail = {"confidence": self.estimate.confidence, "solver": self.solver}
        if "rule" in self.provenance:  # a bounded agent's choice probabilities
            tail["rule"] = self.provenance["rule"]
        if len(entries) == 1:
            return {**head, **entries[0], **tail}
        return {**head, "states": entries, **tail}

    def to_frame(self):
        """One row per state and action, as a tidy pandas DataFrame.

        Columns ``quantity`` ("optimality"), ``gamma``, ``state`` (``row``,
        ``col`` for grid cells), ``action``, ``value`` (P(s, a, γ)),
        ``stderr``, ``ci_low``, ``ci_high``, ``tie_mass`` (of the state) and, at
        γ = 1, ``unresolved_mass``; the provenance is in ``attrs``.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from powerseek import load, optimality
        >>> result = optimality(load("candy-wait"), 0.9, n_samples=200, rng=0)
        >>> frame = result.to_frame()
        >>> frame[frame.state == "start"][["action", "value"]].values.tolist()
        [['candy', 0.355], ['wait', 0.645]]
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        counts = [len(actions) for actions in self.actions]
        per_state = np.repeat(np.arange(len(self.states)), counts)
        cells = cell_columns(self.states)
        columns = {
            "quantity": "optimality",
            "gamma": self.gamma,
            **{key: [values[i] for i in per_state] for key, values in cells.items()},
            "action": [label_text(a) for actions in self.actions for a in actions],
            **estimate_columns(self.estimate),
            "tie_mass": np.asarray(self.tie_mass.mean)[per_state],
        }
        if self.unresolved is not None:
            columns["unresolved_mass"] = np.asarray(self.unresolved.mean)[per_state]
        attrs = attrs_of(self.provenance, confidence=self.estimate.confidence, solver=self.solver)
        return columns, attrs


@compact_repr
@dataclass(frozen=True)
class OptimalitySweepResult(Sequence):
    """Optimality probabilities over a grid of discounts, on the same samples.

    A sequence of :class:`OptimalityResult`, one per γ in order (``len``,
    indexing and iteration work as on a list), with the probabilities stacked.

    Attributes
    ----------
    gammas : tuple of float
    results : tuple of OptimalityResult
        One per γ.
    """

    gammas: tuple
    results: tuple

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index):
        return self.results[index]

    @property
    def states(self) -> tuple:
        """The states analysed (the same at every γ)."""
        return self.results[0].states

    @property
    def probability(self) -> np.ndarray:
        """P(s, a, γ), shape (n_gammas, n_pairs analysed)."""
        return np.array([r.probability for r in self.results])

    @property
    def stderr(self) -> np.ndarray:
        """Standard errors of :attr:`probability`, shape (n_gammas, n_pairs analysed)."""
        return np.array([r.stderr for r in self.results])

    @property
    def ci_low(self) -> np.ndarray:
        """Lower ends of the confidence intervals, shape (n_gammas, n_pairs analysed)."""
        return np.array([r.ci_low for r in self.results])

    @property
    def ci_high(self) -> np.ndarray:
        """Upper ends of the confidence intervals, shape (n_gammas, n_pairs analysed)."""
        return np.array([r.ci_high for r in self.results])

    def at(self, index: int) -> OptimalityResult:
        """The result at ``gammas[index]`` alone.

        Parameters
        ----------
        index : int
            Position in :attr:`gammas`.

        """
        return self.results[index]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"gammas": [...], "results": [one dict per γ]}``."""
        return {"gammas": list(self.gammas), "results": [r.to_dict() for r in self.results]}

    def to_frame(self):
        """One row per γ, state and action: the frames of :meth:`OptimalityResult.to_frame`.

        Returns
        -------
        pandas.DataFrame
        """
        pd = require("pandas")
        frames = [result.to_frame() for result in self.results]
        if any("unresolved_mass" in f.columns for f in frames):  # γ = 1 among others
            for f in frames:
                if "unresolved_mass" not in f.columns:
                    f["unresolved_mass"] = np.nan
        frame = pd.concat(frames, ignore_index=True)
        frame.attrs.update(frames[0].attrs)
        frame.attrs["solver"] = json.dumps([r.solver for r in self.results], default=str)
        return frame

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as dicts of plain values, without pandas.

        Returns
        -------
        list of dict
        """
        rows = [row for result in self.results for row in result.to_records()]
        if any("unresolved_mass" in row for row in rows):
            for row in rows:
                row.setdefault("unresolved_mass", None)
        return rows

    def to_xarray(self):
        """The probabilities as an xarray Dataset.

        ``probability``, ``stderr``, ``ci_low`` and ``ci_high`` have dims
        (gamma, pair), with the coordinates ``pair_state`` and ``action`` along
        ``pair`` (the states have different actions, so the pairs are one
        dimension); ``tie_mass`` has dims (gamma, state).

        Returns
        -------
        xarray.Dataset

        Examples
        --------
        >>> from powerseek import load, optimality_sweep
        >>> ds = optimality_sweep(load("candy-wait"), [0.5, 0.9], n_samples=100, rng=0).to_xarray()
        >>> dict(ds.sizes)
        {'gamma': 2, 'pair': 7, 'state': 5}
        """
        xr = require("xarray")
        first = self.results[0]
        counts = [len(actions) for actions in first.actions]
        pair_states = [label_text(first.states[i]) for i in np.repeat(range(len(counts)), counts)]
        stacked = {
            name: (
                ("gamma", "pair"),
                np.array([getattr(r.estimate, field) for r in self.results]),
            )
            for name, field in (
                ("probability", "mean"),
                ("stderr", "stderr"),
                ("ci_low", "ci_low"),
                ("ci_high", "ci_high"),
            )
        }
        stacked["tie_mass"] = (
            ("gamma", "state"),
            np.array([r.tie_mass.mean for r in self.results]),
        )
        coords = {
            "gamma": np.asarray(self.gammas, dtype=float),
            "state": [label_text(s) for s in first.states],
            "pair_state": ("pair", pair_states),
            "action": ("pair", [label_text(a) for actions in first.actions for a in actions]),
        }
        attrs = attrs_of(
            first.provenance,
            confidence=first.estimate.confidence,
            solver=[r.solver for r in self.results],
        )
        return xr.Dataset(stacked, coords=coords, attrs=attrs)


class StateCounter:
    """Counts per local state of the chosen pairs among `rows`, as one sparse integer product.

    Parameters
    ----------
    rows : numpy.ndarray of int, shape (k,)
        Pair indices (rows of ``mdp.transition_matrix``).
    owner : numpy.ndarray of int, shape (k,)
        The local state (0..n_states-1) each pair belongs to.
    n_states : int
        The number of states counted over.

    Examples
    --------
    >>> import numpy as np
    >>> counter = StateCounter(np.array([0, 1, 2]), np.array([0, 0, 1]), 2)
    >>> chosen = np.array([[True, False], [True, True], [True, True]])   # (pairs, samples)
    >>> counter.several(chosen).tolist()   # per sample: which states chose two or more
    [[True, False], [False, False]]
    """

    def __init__(self, rows: np.ndarray, owner: np.ndarray, n_states: int) -> None:
        self.rows = rows
        k = rows.size
        self.membership = sp.csr_array(
            (np.ones(k, dtype=np.int32), (owner, np.arange(k))), shape=(n_states, k)
        )

    def several(self, chosen: np.ndarray) -> np.ndarray:
        """(m, n_states): where more than one of a state's pairs is chosen.

        Parameters
        ----------
        chosen : numpy.ndarray of bool, shape (n_pairs, m)
            Chosen pairs per sample, every pair of the MDP (only `rows` are read).

        Returns
        -------
        numpy.ndarray of bool
        """
        counts = self.membership @ chosen[self.rows].view(np.int8)
        return (counts > 1).T


def _quantities(mdp: MDP, rows: np.ndarray, owner: np.ndarray, n_states: int, gamma_one: bool):
    """Indicator quantities restricted to the pairs `rows` (owned by local states)."""
    quantities = {
        "optimal": ((rows.size,), engine.ContextArray("optimal", rows)),
        "ties": ((n_states,), _SeveralChosen(StateCounter(rows, owner, n_states), "optimal")),
    }
    if gamma_one:
        states = np.unique(mdp.pair_states[rows])
        quantities["unresolved"] = ((n_states,), engine.ContextArray("unresolved", states))
    return quantities


def state_pairs(mdp: MDP, state: Hashable | None = None) -> tuple[tuple, np.ndarray, np.ndarray]:
    """The states an action analysis covers, their pairs, and each pair's local state.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable, optional
        One state; default every state.

    Returns
    -------
    states : tuple
    rows : numpy.ndarray of int
        The pairs' rows of ``mdp.transition_matrix``, state by state.
    owner : numpy.ndarray of int
        Each pair's index in `states` (a :class:`StateCounter`'s owner).

    Examples
    --------
    >>> from powerseek import load
    >>> states, rows, owner = state_pairs(load("candy-wait"), "wait")
    >>> states, rows.tolist(), owner.tolist()
    (('wait',), [2, 3], [0, 0])
    """
    if state is None:
        return mdp.states, np.arange(mdp.n_pairs), mdp.pair_states
    i = mdp.index(state)
    rows = np.arange(mdp.pair_offsets[i], mdp.pair_offsets[i + 1])
    return (mdp.states[i],), rows, np.zeros(rows.size, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class _SeveralChosen:
    """A picklable quantity: per sample, the local states where several pairs are chosen.

    Parameters
    ----------
    counter : StateCounter
    name : str
        The Context's (n_pairs, m) array of chosen pairs (``"optimal"``).
    """

    counter: StateCounter
    name: str

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        return self.counter.several(getattr(ctx, self.name))


def optimality_sweep(
    mdp: MDP,
    gammas: Any,
    *,
    state: Hashable | None = None,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> OptimalitySweepResult:
    """:func:`optimality` at each discount in `gammas`, on common samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gammas : sequence of float in [0, 1]
        Each γ is warm-started from the previous one.
    state : hashable, optional
        The state whose actions to analyse; all states by default.
    tie_tol : float, default 1e-9
        Relative tolerance for ties.
    dist, n_samples, rng, progress
        As in :func:`powerseek.power`.
    solver, sampling, execution, **settings
        The engine's settings (the option objects of :mod:`powerseek.analysis`), as in
        :func:`powerseek.power`.

    Returns
    -------
    OptimalitySweepResult
        One :class:`OptimalityResult` per γ, in order.

    See Also
    --------
    optimality : optimality probabilities at one discount.
    powerseek.agents.choice_probability_sweep : the same sweep for a bounded decision-maker.
    powerseek.analysis.power_sweep : POWER on a sweep.

    Examples
    --------
    Waiting at Candy/Wait's start is optimal half the time as γ → 0, two thirds as γ → 1:

    >>> from powerseek import load
    >>> sweep = optimality_sweep(load("candy-wait"), [0, 1], state="start", n_samples=4000, rng=0)
    >>> len(sweep), round(sweep[0].of("start", "wait"), 1), round(sweep[1].of("start", "wait"), 1)
    (2, 0.5, 0.7)
    """
    states, rows, owner = state_pairs(mdp, state)
    out = engine.run(
        mdp,
        gammas,
        # γ = 1 adds the unresolved Blackwell samples
        lambda run: _quantities(mdp, rows, owner, len(states), 1.0 in run.gammas),
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        tie_tol=tie_tol,
        progress=progress,
        options=EngineOptions.gather(
            solver, sampling, execution, settings, caller="optimality_sweep()"
        ),
        label="optimality",
    )
    run, estimates = out.run, out.estimates
    provenance = run.provenance(mdp)
    actions = tuple(mdp.actions_of(s) for s in states)
    successors = tuple(
        tuple(mdp.transition(s, a) for a in acts) for s, acts in zip(states, actions)
    )
    results = tuple(
        OptimalityResult(
            states=states,
            actions=actions,
            successors=successors,
            gamma=gamma,
            estimate=estimates[(g, "optimal")],
            tie_mass=estimates[(g, "ties")],
            unresolved=estimates[(g, "unresolved")] if gamma == 1.0 else None,
            provenance=provenance,
            solver=out.solver[g],
        )
        for g, gamma in enumerate(run.gammas)
    )
    return OptimalitySweepResult(tuple(run.gammas), results)


def optimality(
    mdp: MDP,
    gamma: float,
    *,
    state: Hashable | None = None,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> OptimalityResult:
    """Optimality probability of each action of `state` (or of every state).

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in [0, 1]
        0 and 1 are the lexicographic and Blackwell limits.
    state : hashable, optional
        The state whose actions to analyse; all states by default.
    tie_tol : float, default 1e-9
        Relative tolerance for ties (Def 4.4 counts ties as optimal).

    dist, n_samples, rng, progress
        As in :func:`powerseek.power`.
    solver, sampling, execution, **settings
        The engine's settings (the option objects of :mod:`powerseek.analysis`), as in
        :func:`powerseek.power`.

    Returns
    -------
    OptimalityResult

    See Also
    --------
    optimality_sweep : optimality probabilities at several discounts on the same samples.
    powerseek.exact.exact_optimality : optimality probabilities exactly.
    powerseek.agents.choice_probability : how often a bounded decision-maker chooses each action.
    optimal_actions : the optimal actions of given reward vectors.

    Examples
    --------
    Candy/Wait at γ -> 0: waiting is optimal when the better of chocolate and
    hug beats the candy... one step later, so only half the time:

    >>> from powerseek import load
    >>> result = optimality(load("candy-wait"), 0, state="start", n_samples=4000, rng=0)
    >>> round(result.of("start", "wait"), 1), round(result.of("start", "candy"), 1)
    (0.5, 0.5)
    """
    return optimality_sweep(
        mdp,
        [check_gamma(gamma)],
        state=state,
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        tie_tol=tie_tol,
        progress=progress,
        solver=solver,
        sampling=sampling,
        execution=execution,
        **settings,
    )[0]
