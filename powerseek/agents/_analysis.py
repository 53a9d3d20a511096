"""The engine's analyses for any decision rule: choice probabilities and POWER.

For a rule d (:mod:`.rules`) and rewards R ~ D:

- the *choice probability* P_d(s, a, γ) = E_R[π_d(a | s)] (for the optimal rule,
  the optimality probability of Def 4.4, ties counted as chosen);
- the *POWER of a d-agent*, POWER_d(s, γ) = E_R[Σ_a π_d(a|s) E_{s'~T(s,a)}
  (1−γ)V^{π_d}_R(s')], with POWER's conventions: it is POWER for the optimal
  rule and at most POWER for every rule, sample by sample;
- the POWER-seeking comparison of a state's actions for the d-agent.

Each runs on the chunked engine (:mod:`powerseek.analysis.engine`) with its
chunks, executors, quasi-Monte Carlo and sweeps over γ; several rules given
together are analysed on the same reward samples and the same rule streams.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_gamma, stream_seed
from ..analysis import (
    EngineOptions,
    ExecutionOptions,
    OptimalityResult,
    OptimalitySweepResult,
    PowerResult,
    PowerSeekingResult,
    PowerSweepResult,
    SamplingOptions,
    SolverOptions,
    StateCounter,
    compare_successors,
    engine,
    state_pairs,
)
from ..exceptions import InvalidParameterError
from ..mdp import MDP
from ..rewards import RewardDistribution
from ._rules import DecisionRule, Optimal
from ._spec import as_rule

__all__ = [
    "choice_probability",
    "choice_probability_sweep",
    "rule_policy",
    "rule_power",
    "rule_power_samples",
    "rule_power_seeking",
    "rule_power_sweep",
]


def _rules(rule: Any) -> tuple[list[DecisionRule], bool]:
    """The rules asked for, and whether one rule (not a sequence) was given."""
    if rule is None or isinstance(rule, (DecisionRule, str)):
        return [as_rule(rule)], True
    rules = [as_rule(r) for r in rule]
    if not rules:
        raise InvalidParameterError("`rule` is an empty sequence; give at least one rule.")
    return rules, False


def _check(rules: list[DecisionRule], gammas: Sequence[float], *, values: bool = False) -> None:
    """Refuse a discount a rule is not defined at (for `values`: any γ = 1 but the optimal)."""
    for rule in rules:
        for gamma in gammas:
            rule.check_gamma(gamma)
            if values and gamma == 1.0 and not isinstance(rule, Optimal):
                raise InvalidParameterError(
                    f"the POWER of a {rule} agent is computed for gamma in [0, 1); got gamma = 1 "
                    "(the values of its policy have no gamma -> 1 limit here; use e.g. 0.999)."
                )


def _certified(bound: float, tol: float, rule: DecisionRule) -> None:
    """Refuse values whose evaluation error is not far below the solver tolerance."""
    if not bound <= max(tol, 1e-9):
        raise InvalidParameterError(
            f"evaluating the {rule} agent's policy left an error bound of {bound:.3g} on the "
            f"(1-gamma)V scale, above `tol` = {tol:g}; the system is ill-conditioned at this "
            "gamma (use a smaller gamma)."
        )


def _provenance(run: engine.Run, mdp: MDP, rule: DecisionRule) -> dict[str, Any]:
    provenance = run.provenance(mdp)
    provenance["rule"] = rule.describe()
    return provenance


def _options(solver, sampling, execution, settings, caller: str) -> EngineOptions:
    return EngineOptions.gather(solver, sampling, execution, settings, caller=caller)


def rule_policy(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    rule: Any,
    *,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    method: str = "auto",
    tol: float = 1e-9,
    seed: Any = None,
) -> np.ndarray:
    """The policy π_d(a | s) of a rule for explicit reward vectors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (n_samples, n_states) or (n_states,)
        Reward functions, one per row (a single vector is one sample).
    gamma : float in [0, 1]
        The discount rate γ.
    rule : DecisionRule or str
        E.g. ``Boltzmann(0.1)`` or ``"boltzmann:0.1"``.
    rng : int or numpy.random.Generator, optional
        Seeds the rule's randomness (best-of-k, Q-learning, random inits); default 0.
    tie_tol, method, tol
        As in :func:`powerseek.optimal_actions`.
    seed : int, optional
        The old name of `rng` (a FutureWarning; it goes in the next release).

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_pairs)
        Column ``k`` is the pair ``k`` (a row of ``mdp.transition_matrix``).

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")      # start: candy, wait
    >>> rule_policy(mdp, [0, 0, 0.5, 0.9, 0.1], 0.9, "epsilon-greedy:0.1")[0, :2].tolist()
    [0.1, 0.9]
    """
    rule = as_rule(rule)
    rng = stream_seed(rng, seed, "rule_policy()")
    ctx = engine.context_for(mdp, rewards, gamma, method=method, tol=tol, tie_tol=tie_tol, rng=rng)
    rule.check_gamma(ctx.gamma)
    return rule.policy(ctx).T.copy()


def rule_power_samples(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    rule: Any,
    *,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    method: str = "auto",
    tol: float = 1e-9,
    seed: Any = None,
) -> np.ndarray:
    """Per-sample POWER of a d-agent for explicit reward vectors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (n_samples, n_states) or (n_states,)
        Reward functions, one per row (a single vector is one sample).
    gamma : float in [0, 1) (or 1 for the optimal rule)
        The discount rate γ.
    rule : DecisionRule or str
        The decision rule: a DecisionRule, its text as :func:`parse_rule` reads it
        (``boltzmann:0.1``), or None for the optimal rule.
    rng, tie_tol, method, tol, seed
        As in :func:`rule_policy`.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_states)

    Examples
    --------
    A uniformly random agent (a Boltzmann agent at a huge temperature) at Candy/Wait's
    start: (0.5 + 0.5·(0.9 + 0.1)/2) / 2 = 0.375 at γ = 0.5:

    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> R = [0, 0, 0.5, 0.9, 0.1]
    >>> float(rule_power_samples(mdp, R, 0.5, "boltzmann:1e9")[0, 0].round(4))
    0.375
    """
    rule = as_rule(rule)
    rng = stream_seed(rng, seed, "rule_power_samples()")
    ctx = engine.context_for(mdp, rewards, gamma, method=method, tol=tol, tie_tol=tie_tol, rng=rng)
    _check([rule], [ctx.gamma], values=True)
    values, bound = rule.power(ctx)
    _certified(bound, tol, rule)
    return values.T.copy()


@dataclass(frozen=True, eq=False)
class _Choice:
    """(n_pairs, m): a rule's choice probabilities, computed once per chunk and γ."""

    rule: Any

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        return ctx.memo(("choice", self.rule), lambda: np.asarray(self.rule.choice(ctx)))


@dataclass(frozen=True, eq=False)
class _ChoiceAt:
    """A picklable quantity: a rule's choice probabilities of the pairs `rows`."""

    choice: _Choice
    rows: np.ndarray

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        return self.choice(ctx)[self.rows].T


@dataclass(frozen=True, eq=False)
class _Mixed:
    """A picklable quantity: the local states where a rule gives several pairs weight."""

    choice: _Choice
    counter: StateCounter

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        return self.counter.several(self.choice(ctx) > 0)


@dataclass(frozen=True, eq=False)
class _RulePower:
    """A picklable quantity: a rule's per-sample POWER, its bound certified against `tol`."""

    rule: Any
    tol: float
    transpose: bool = True

    def __call__(self, ctx: engine.Context) -> np.ndarray:
        values, bound = self.rule.power(ctx)
        _certified(bound, self.tol, self.rule)
        return values.T if self.transpose else values


def _choice_quantities(mdp, rules, rows, owner, n_local):
    counter = StateCounter(rows, owner, n_local)
    quantities = {}
    for i, rule in enumerate(rules):
        choice = _Choice(rule)
        quantities[f"{i}:p"] = ((rows.size,), _ChoiceAt(choice, rows))
        quantities[f"{i}:mixed"] = ((n_local,), _Mixed(choice, counter))
    return quantities


def choice_probability_sweep(
    mdp: MDP,
    gammas: Any,
    rule: Any = None,
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
) -> OptimalitySweepResult | tuple[OptimalitySweepResult, ...]:
    """Choice probabilities P_d(s, a, γ) at each discount, on common samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gammas : sequence of float in [0, 1]
        The discount rates, one result per value.
    rule : DecisionRule, str or sequence of them, default the optimal rule
        A sequence analyses every rule on the same samples (a sweep over a
        rule's parameter, say) and returns one result per rule.
    state : hashable, optional
        The state whose actions to analyse; all states by default.
    dist, n_samples, rng, tie_tol, progress, solver, sampling, execution, **settings
        As in :func:`powerseek.optimality_sweep`.

    Returns
    -------
    OptimalitySweepResult, or a tuple of them (one per rule)
        ``probability`` holds P_d; ``tie_mass`` is the probability that the
        rule's policy puts weight on more than one action of the state (for
        the optimal rule: Def 4.4's ties). ``provenance["rule"]`` names the rule.

    See Also
    --------
    choice_probability : a rule's choices at one discount.
    powerseek.analysis.optimality_sweep : optimality probabilities on a sweep.

    Examples
    --------
    Candy/Wait: a Boltzmann agent waits less often than an optimal one as the
    temperature grows, on the same samples:

    >>> from powerseek import load
    >>> rules = ["optimal", "boltzmann:0.01", "boltzmann:1"]
    >>> sweeps = choice_probability_sweep(load("candy-wait"), [0.9], rules, state="start",
    ...                                   n_samples=2000, rng=0)
    >>> [round(s[0].of("start", "wait"), 2) for s in sweeps]
    [0.65, 0.65, 0.53]
    """
    rules, single = _rules(rule)
    states, rows, owner = state_pairs(mdp, state)

    def quantities(run: engine.Run) -> dict[str, engine.Quantity]:
        _check(rules, run.gammas)
        return _choice_quantities(mdp, rules, rows, owner, len(states))

    out = engine.run(
        mdp,
        gammas,
        quantities,
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        tie_tol=tie_tol,
        progress=progress,
        options=_options(solver, sampling, execution, settings, "choice_probability_sweep()"),
        label="choice probability",
    )
    run, estimates, solver_reports = out.run, out.estimates, out.solver
    actions = tuple(mdp.actions_of(s) for s in states)
    successors = tuple(
        tuple(mdp.transition(s, a) for a in acts) for s, acts in zip(states, actions)
    )
    results = tuple(
        OptimalitySweepResult(
            tuple(run.gammas),
            tuple(
                OptimalityResult(
                    states=states,
                    actions=actions,
                    successors=successors,
                    gamma=gamma,
                    estimate=estimates[(g, f"{r}:p")],
                    tie_mass=estimates[(g, f"{r}:mixed")],
                    unresolved=None,
                    provenance=_provenance(run, mdp, rule_),
                    solver=solver_reports[g],
                )
                for g, gamma in enumerate(run.gammas)
            ),
        )
        for r, rule_ in enumerate(rules)
    )
    return results[0] if single else results


def choice_probability(
    mdp: MDP,
    gamma: float,
    rule: Any = None,
    *,
    state: Hashable | None = None,
    **kwargs: Any,
) -> OptimalityResult | tuple[OptimalityResult, ...]:
    """Choice probabilities P_d(s, a, γ) = E_R[π_d(a | s)] of a rule at one discount.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in [0, 1]
        The discount rate γ.
    rule : DecisionRule, str or sequence of them, default the optimal rule
        The decision rule, or several analysed on the same samples.
    state : hashable, optional
        The state whose actions to analyse; all states by default.
    **kwargs
        As in :func:`choice_probability_sweep`.

    Returns
    -------
    OptimalityResult, or a tuple of them (one per rule)

    See Also
    --------
    choice_probability_sweep : a rule's choices at several discounts on the same samples.
    powerseek.analysis.optimality : how often each action is optimal.

    Examples
    --------
    >>> from powerseek import load
    >>> result = choice_probability(load("candy-wait"), 0.9, "epsilon-greedy:0.2",
    ...                             state="start", n_samples=2000, rng=0)
    >>> result.provenance["rule"], round(result.of("start", "wait"), 2)
    ('epsilon-greedy:0.2', 0.59)
    """
    out = choice_probability_sweep(mdp, [check_gamma(gamma)], rule, state=state, **kwargs)
    if isinstance(out, tuple):
        return tuple(sweep[0] for sweep in out)
    return out[0]


def _power_quantities(rules, tol, n_states):
    return {f"{i}:power": ((n_states,), _RulePower(rule, tol)) for i, rule in enumerate(rules)}


def rule_power_sweep(
    mdp: MDP,
    gammas: Any,
    rule: Any = None,
    *,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> PowerSweepResult | tuple[PowerSweepResult, ...]:
    """POWER of a d-agent at every state and discount, on common samples.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gammas : sequence of float in [0, 1) (γ = 1 only for the optimal rule)
        The discount rates, one result per value.
    rule : DecisionRule, str or sequence of them, default the optimal rule
        The decision rule (a DecisionRule, its text, or None for the optimal rule), or a
        sequence of rules analysed on the same samples.
    dist, n_samples, rng, tie_tol, progress, solver, sampling, execution, **settings
        As in :func:`powerseek.power_sweep`.

    Returns
    -------
    PowerSweepResult, or a tuple of them (one per rule)
        ``provenance["rule"]`` names the rule; ``to_dict`` adds a ``rule`` field.

    See Also
    --------
    rule_power : a rule's POWER at one discount.
    powerseek.analysis.power_sweep : the optimal agent's POWER on a sweep.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> optimal, random_agent = rule_power_sweep(mdp, [0.9], ["optimal", "boltzmann:1e9"],
    ...                                          n_samples=2000, rng=0)
    >>> round(float(optimal.power[0, 0]), 2), round(float(random_agent.power[0, 0]), 2)
    (0.74, 0.5)
    """
    rules, single = _rules(rule)

    def quantities(run: engine.Run) -> dict[str, engine.Quantity]:
        _check(rules, run.gammas, values=True)
        return _power_quantities(rules, run.tol, mdp.n_states)

    out = engine.run(
        mdp,
        gammas,
        quantities,
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        tie_tol=tie_tol,
        progress=progress,
        options=_options(solver, sampling, execution, settings, "rule_power_sweep()"),
        label="POWER",
    )
    results = tuple(
        PowerSweepResult(
            states=mdp.states,
            gammas=out.run.gammas,
            estimates=out.per_gamma(f"{r}:power"),
            provenance=_provenance(out.run, mdp, rule_),
            solver=out.solver,
        )
        for r, rule_ in enumerate(rules)
    )
    return results[0] if single else results


def rule_power(
    mdp: MDP, gamma: float, rule: Any = None, **kwargs: Any
) -> PowerResult | tuple[PowerResult, ...]:
    """POWER_d(s, γ) of every state for a d-agent, with standard errors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float in [0, 1) (γ = 1 only for the optimal rule)
        The discount rate γ.
    rule : DecisionRule, str or sequence of them, default the optimal rule
        The decision rule (a DecisionRule, its text, or None for the optimal rule), or a
        sequence of rules analysed on the same samples.
    **kwargs
        As in :func:`rule_power_sweep`.

    Returns
    -------
    PowerResult, or a tuple of them (one per rule)

    See Also
    --------
    rule_power_sweep : a rule's POWER at several discounts on the same samples.
    powerseek.analysis.power : POWER of the optimal agent.
    rule_power_seeking : which action leads to more of a rule's POWER.

    Examples
    --------
    >>> from powerseek import load
    >>> result = rule_power(load("candy-wait"), 0.9, "boltzmann:0.05", n_samples=2000, rng=0)
    >>> result.provenance["rule"], round(result["start"], 2)
    ('boltzmann:0.05', 0.73)
    """
    out = rule_power_sweep(mdp, [check_gamma(gamma)], rule, **kwargs)
    if isinstance(out, tuple):
        return tuple(sweep.at(0) for sweep in out)
    return out.at(0)


def rule_power_seeking(
    mdp: MDP,
    state: Hashable,
    gamma: float,
    rule: Any = None,
    *,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    tie_tol: float = engine.DEFAULT_TIE_TOL,
    progress: bool | None = False,
    solver: SolverOptions | None = None,
    sampling: SamplingOptions | None = None,
    execution: ExecutionOptions | None = None,
    **settings: Any,
) -> PowerSeekingResult:
    """Compare the actions of `state` by the d-agent's POWER they lead to.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    gamma : float in [0, 1) (γ = 1 only for the optimal rule)
        The discount rate γ.
    rule : DecisionRule or str, default the optimal rule
        The decision rule: a DecisionRule, its text as :func:`parse_rule` reads it
        (``boltzmann:0.1``), or None for the optimal rule.
    dist, n_samples, rng, tie_tol, progress, solver, sampling, execution, **settings
        As in :func:`powerseek.power_seeking`.

    Returns
    -------
    PowerSeekingResult
        E_{s'~T(s,a)} POWER_d(s', γ) per action and the pairwise differences,
        on common samples; ``provenance["rule"]`` names the rule.

    See Also
    --------
    powerseek.analysis.power_seeking : the same comparison for the optimal agent.
    rule_power : a rule's POWER of every state.

    Examples
    --------
    >>> from powerseek import load
    >>> result = rule_power_seeking(load("turner-fig1"), "start", 0.9, "boltzmann:0.1",
    ...                             n_samples=1000, rng=0)
    >>> result.seeks_more_power("right", "left")
    True
    """
    rule = as_rule(rule)

    def power_of(run: engine.Run) -> _RulePower:
        _check([rule], run.gammas, values=True)
        return _RulePower(rule, run.tol, transpose=False)

    return compare_successors(
        mdp,
        state,
        gamma,
        power_of,
        provenance=lambda run: _provenance(run, mdp, rule),
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        tie_tol=tie_tol,
        progress=progress,
        options=_options(solver, sampling, execution, settings, "rule_power_seeking()"),
    )
