"""The impact level of an MDP: which policy the penalised agent follows at each λ.

For a task reward r and a penalty p on state-action pairs, each deterministic
policy f from the start earns a discounted utility u(f) and a discounted impact
I(f), and the penalised agent at weight λ follows the policy maximising u − λ·I.
V*(λ) = max_f (u(f) − λ I(f)) is convex and piecewise linear, so its breakpoints
are found by Eisner and Severance's parametric search: between
two policies optimal at λ_a < λ_b, solve at the λ where their lines cross; a policy
strictly above both there is a new vertex, else the two are neighbours. Each
policy's (u, I) is computed exactly, in rationals, from its path (a prefix and a
cycle, or an episode's end) in a deterministic world, and by sparse LU solves in a
stochastic one (parametric policy iteration: the same search, floating-point lines
compared to a relative 1e-9); the solves that find the policies are floating-point,
so a policy better than another by less than their noise is not told apart.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from .._display import compact_repr
from .._frozen import FrozenDict
from .._rational import as_fraction
from ..exceptions import InvalidParameterError, SearchLimitError
from ..frames import data_frame
from ..mdp import MDP, ObjectLevel
from ._attainable import episode_ends
from ._partition import Buffer, Partition, partition
from ._penalties import (
    Outcome,
    _task_reward,
    follow,
    penalized_policy,
    stochastic_outcome,
    trajectory_outcome,
)

__all__ = ["MAX_POLICIES", "ImpactLevel", "Mixture", "impact_level"]

#: Most distinct policies the parametric search collects before refusing.
MAX_POLICIES = 200


class Mixture(NamedTuple):
    """The impact-constrained agent's choice at one budget: a mixture of policies.

    Attributes
    ----------
    utility : Fraction
        Its discounted utility from the start.
    impact : Fraction
        Its discounted impact from the start (at most the budget).
    weights : mapping
        Policy name -> the probability of following it, drawn once at the start.
    """

    utility: Fraction
    impact: Fraction
    weights: Mapping[Hashable, Fraction]


@compact_repr
@dataclass(frozen=True)
class ImpactLevel:
    """The partition of the impact budget R = 1/λ among the penalised agent's policies.

    Attributes
    ----------
    partition : Partition
        The scaled partition over the policies found (named ``"policy 1"``,
        ``"policy 2"``, ... in increasing impact); R = 1/λ.
    policies : mapping
        Name -> the policy (pair index per state).
    outcomes : mapping
        Name -> its :class:`Outcome` from the start.
    safe : tuple
        The policies that do the task with no side effect: reach a goal if the
        level has one, and cause none of the level's side effects.
    """

    partition: Partition
    policies: Any
    outcomes: Any
    safe: tuple

    def first_safe(self) -> tuple[Fraction | None, Any]:
        """The smallest budget from which a safe policy is chosen, and that policy.

        Returns
        -------
        (Fraction or None, name or None)
            The low end R of the first interval won by a safe policy (chosen for
            every budget just above it; λ = 1/R), or (None, None).
        """
        for plan, low, _ in self.partition.intervals:
            if plan in self.safe:
                return low, plan
        return None, None

    def constrained(self, budget: Any) -> Mixture | None:
        """The best agent whose impact is at most `budget`, over randomised policies.

        The constrained problem, max u(f) subject to I(f) ≤ R, is a linear programme
        over the discounted occupancy measures f of the start. Their (impact,
        utility) pairs form a polygon whose upper-left edge runs through the
        policies of the scaled partition, in increasing impact; the polygon's
        vertices are deterministic policies. So the optimum at R is the winner
        whose impact is R, or a mixture of the two neighbouring winners, weighted to
        spend exactly R: a coin flipped once at the start (equivalently a
        stationary policy that randomises in one state). Past the last winner's
        impact the plain maximiser is optimal.

        Parameters
        ----------
        budget : int, Fraction, str or float
            R ≥ 0, the most impact allowed (not λ).

        Returns
        -------
        Mixture or None
            None when R is below every policy's impact (nothing is feasible).

        See Also
        --------
        partition : The constrained partition of explicit, deterministic plans.

        Examples
        --------
        On the budget R = 1/2 the box level's agent goes round the box half the
        time and stays put otherwise.

        >>> from powerseek import load
        >>> from powerseek.impact import attainable_utility, aup_penalty, impact_level
        >>> box = load("aup-box")
        >>> penalty = aup_penalty(attainable_utility(box, 0.996, n_aux=30, rng=0), box)
        >>> choice = impact_level(box, penalty, 0.996).constrained("1/2")
        >>> {name: round(float(w), 4) for name, w in choice.weights.items()}
        {'policy 1': 0.4942, 'policy 2': 0.5058}
        >>> float(choice.impact), round(float(choice.utility), 4)
        (0.5, 0.4938)
        """
        cap = as_fraction(budget)
        if cap < 0:
            raise InvalidParameterError(f"`budget` must be at least 0; got {cap}.")
        plans = self.partition.plans
        hull = [(plans[p][1], plans[p][0], p) for p, _, _ in self.partition.intervals]
        if cap < hull[0][0]:
            return None
        for (i0, u0, a), (i1, u1, b) in zip(hull, hull[1:]):
            if cap < i1:
                w = (cap - i0) / (i1 - i0)
                weights = {a: 1 - w, b: w} if w else {a: Fraction(1)}
                return Mixture(u0 + w * (u1 - u0), cap, FrozenDict(weights))
        impact, utility, last = hull[-1]
        return Mixture(utility, impact, FrozenDict({last: Fraction(1)}))

    def buffer(self) -> Buffer:
        """The buffer between the first safe policy and the first one with a side effect.

        Returns
        -------
        Buffer
        """
        harmful = [n for n, o in self.outcomes.items() if any(o.side_effects.values())]
        if not harmful or not self.safe:
            bad = self.partition.first_budget(harmful) if harmful else None
            good = self.partition.first_budget(self.safe) if self.safe else None
            return Buffer(good, bad, None, None)
        return self.partition.buffer(harmful, list(self.safe))

    def to_records(self) -> list[dict[str, Any]]:
        """One record per interval: policy, budgets, utility, impact and outcome.

        The outcome's fields are ``steps``, ``goal``, ``side_effects`` (joined by
        commas), ``performance`` (:class:`Outcome`) and ``safe``.

        Returns
        -------
        list of dict
        """
        records = []
        for plan, low, high in self.partition.intervals:
            u, impact = self.partition.plans[plan]
            outcome = self.outcomes[plan]
            records.append(
                {
                    "policy": plan,
                    "budget_low": float(low),
                    "budget_high": None if high is None else float(high),
                    "utility": float(u),
                    "impact": float(impact),
                    "steps": outcome.steps,
                    "goal": outcome.goal,
                    "side_effects": ",".join(k for k, v in outcome.side_effects.items() if v),
                    "performance": outcome.performance,
                    "safe": plan in self.safe,
                }
            )
        return records

    def to_frame(self):
        """The records of :meth:`to_records` as a table.

        Returns
        -------
        pandas.DataFrame
        """
        records = self.to_records()
        return data_frame({k: [r[k] for r in records] for k in records[0]})

    def _repr_html_(self) -> str:
        from .._display import table_html

        rows = [
            [r["policy"], r["budget_low"], "∞" if r["budget_high"] is None else r["budget_high"],
             r["utility"], r["impact"], _describe(self.outcomes[r["policy"]])]
            for r in self.to_records()
        ]  # fmt: skip
        return table_html(
            ["policy", "R from", "R to", "utility", "impact", "outcome"],
            rows,
            caption="the penalised agent's policy at each impact budget R = 1/λ",
        )

    def __str__(self) -> str:
        lines = ["the penalised agent's policy at each impact budget R = 1/λ:"]
        for plan, low, high in self.partition.intervals:
            u, impact = self.partition.plans[plan]
            span = f"({float(low):.6g}, {'∞)' if high is None else f'{float(high):.6g}]'}"
            lines.append(
                f"  R in {span:<22} {plan}: utility {float(u):.6g}, impact {float(impact):.6g}; "
                + _describe(self.outcomes[plan])
            )
        if self.partition.dominated:
            lines.append(f"  never chosen: {', '.join(self.partition.dominated)}")
        low, plan = self.first_safe()
        lines.append(
            "  no policy does the task without a side effect"
            if plan is None
            else f"  first safe: {plan}, for R > {float(low):.6g} (λ < {float(1 / low):.6g})"
        )
        return "\n".join(lines)


def _describe(outcome: Outcome) -> str:
    """An outcome in a few words: steps, goal, side effects (probabilities if stochastic)."""
    if outcome.steps is None:
        effects = [f"{k} {v:.4g}" for k, v in outcome.side_effects.items() if v > 0]
        return f"goal with probability {outcome.goal:.4g}, " + (
            ", ".join(effects) if effects else "no side effect"
        )
    effects = [k for k, v in outcome.side_effects.items() if v]
    return (
        f"{outcome.steps} steps, {'goal' if outcome.goal else 'no goal'}, "
        f"{', '.join(effects) if effects else 'no side effect'}"
    )


def _exact_line(mdp, policy, start, task, penalty, gamma, ends):
    """(u, I) of a deterministic policy from `start`, exactly: its path is a lasso."""
    succ = mdp.successor_indices
    seen: dict[int, int] = {}
    pairs = []
    s = start
    while s not in seen and not ends[s]:
        seen[s] = len(pairs)
        pairs.append(int(policy[s]))
        s = int(succ[policy[s]])
    u_terms = [task[succ[p]] for p in pairs]
    i_terms = [penalty[p] for p in pairs]
    cycle = seen.get(s) if not ends[s] else None

    def total(terms):
        value, g = Fraction(0), Fraction(1)
        for t in terms[: len(terms) if cycle is None else cycle]:
            value += g * t
            g *= gamma
        if cycle is not None:
            loop, h = Fraction(0), Fraction(1)
            for t in terms[cycle:]:
                loop += h * t
                h *= gamma
            value += g * loop / (1 - h)
        return value

    return total(u_terms), total(i_terms)


def _float_line(mdp, policy, start, task, penalty, gamma, ends):
    """(u, I) of a policy from `start` by sparse LU solves, read as the rationals they are."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve

    T = mdp.transition_matrix
    alive = ~ends
    P = sp.csr_array(T[policy].multiply(alive[:, None]))
    A = sp.csc_array(sp.identity(mdp.n_states, format="csc") - gamma * P)
    rewards = np.column_stack([np.asarray(T[policy] @ task), penalty[policy]])
    rewards[ends] = 0.0
    values = np.atleast_2d(spsolve(A, rewards))
    # a penalty is at least 0, so a negative impact is the solve's rounding of 0
    return Fraction(float(values[start, 0])), Fraction(max(float(values[start, 1]), 0.0))


def _outcome(mdp, policy, start, utility):
    """What `policy` does from `start`: its path, or (stochastic) its probabilities."""
    if mdp.is_deterministic:
        return trajectory_outcome(mdp, follow(mdp, policy, start), utility)
    return stochastic_outcome(mdp, policy, start, **{"return": utility})


def impact_level(
    mdp: MDP,
    penalty: Any,
    gamma: float,
    *,
    task: Any = None,
    start: Any = None,
    max_policies: int = MAX_POLICIES,
) -> ImpactLevel:
    """The λ at which the penalised-optimal policy changes, and what each policy does.

    Parameters
    ----------
    mdp : MDP
        The environment.
    penalty : array_like, shape (n_pairs,)
        The penalty of each state-action pair (:func:`aup_penalty`, ...).
    gamma : float in (0, 1)
        The agent's discount; read exactly as the simplest fraction with its value
        in a deterministic world.
    task : array_like, shape (n_states,), optional
        The task reward on arrival; default the object level's.
    start : state, optional
        Default ``mdp.metadata["start"]``, else the first state.
    max_policies : int, default 200
        Refuse to collect more policies than this.

    Returns
    -------
    ImpactLevel

    See Also
    --------
    partition : The same for plans given with their utility and impact.

    Examples
    --------
    Options (aup-box): with little budget the agent stays put; from R = 1.0125 it goes
    round the box to the goal; from R = 11.4759 it pushes the box into the corner on
    the short way.

    >>> from powerseek import load
    >>> from powerseek.impact import attainable_utility, aup_penalty
    >>> box = load("aup-box")
    >>> penalty = aup_penalty(attainable_utility(box, 0.996, n_aux=30, rng=0), box)
    >>> print(impact_level(box, penalty, 0.996))  # doctest: +NORMALIZE_WHITESPACE
    the penalised agent's policy at each impact budget R = 1/λ:
      R in (0, 1.0125]  policy 1: utility 0, impact 0; 1 steps, no goal, no side effect
      R in (1.0125, 11.4759]  policy 2: utility 0.976239, impact 0.988438; 7 steps,
        goal, no side effect
      R in (11.4759, ∞)  policy 3: utility 0.984096, impact 1.0786; 5 steps, goal,
        box-cornered
      never chosen: policy 4
      first safe: policy 2, for R > 1.0125 (λ < 0.987658)
    """
    if isinstance(max_policies, bool) or not isinstance(max_policies, numbers.Integral):
        raise InvalidParameterError(f"`max_policies` must be an integer; got {max_policies!r}.")
    p = np.asarray(penalty, dtype=float)
    if p.ndim == 2 and p.shape[1:] == (mdp.n_pairs,):
        raise InvalidParameterError(
            "`penalty` has one row per step (a moving baseline such as inaction); the impact "
            "level is for a penalty the same at every step (stepwise or starting-state)."
        )
    if p.shape != (mdp.n_pairs,) or not np.isfinite(p).all() or (p < 0).any():
        raise InvalidParameterError(
            f"`penalty` must be one finite number at least 0 per state-action pair "
            f"({mdp.n_pairs}); got shape {p.shape}."
        )
    r = _task_reward(mdp, task)
    exact_gamma = as_fraction(gamma)
    if not 0 < exact_gamma < 1:
        raise InvalidParameterError(f"`gamma` must be in (0, 1); got {gamma!r}.")
    s0 = mdp.index(mdp.metadata.get("start", mdp.states[0]) if start is None else start)
    ends = episode_ends(mdp)
    task_exact = [Fraction(float(x)) for x in r]
    penalty_exact = [Fraction(float(x)) for x in p]
    found: dict[tuple, tuple] = {}  # the policy's path from the start -> (u, I, policy)

    exact = mdp.is_deterministic

    def line(policy):
        if exact:
            return _exact_line(mdp, policy, s0, task_exact, penalty_exact, exact_gamma, ends)
        return _float_line(mdp, policy, s0, r, p, float(gamma), ends)

    def solve_at(lam: Fraction):
        agent = penalized_policy(mdp, float(gamma), p, lam=float(lam), task=r)
        u, i = line(agent.policy)
        key = (u, i)
        if key not in found:
            if len(found) >= max_policies:
                raise SearchLimitError(
                    f"the impact level has more than `max_policies` = {max_policies} policies "
                    "from the start; raise `max_policies`."
                )
            found[key] = agent.policy.copy()
        return u, i

    # the least impact: the policy optimal for −penalty alone (task ignored), then the
    # search between it and the task-optimal policy finds every vertex in between
    top = solve_at(Fraction(0))
    bottom_agent = penalized_policy(mdp, float(gamma), p, lam=1.0, task=np.zeros(mdp.n_states))
    u, i = line(bottom_agent.policy)
    found.setdefault((u, i), bottom_agent.policy.copy())
    bottom = (u, i)
    stack = [(top, bottom)]
    while stack:
        a, b = stack.pop()  # a: more impact; b: less
        if a[1] <= b[1]:
            continue
        lam = (a[0] - b[0]) / (a[1] - b[1])
        if lam <= 0:
            continue
        c = solve_at(lam)
        gain = c[0] - lam * c[1] - (a[0] - lam * a[1])
        # exact lines compare exactly; floating-point ones above their noise
        noise = 0 if exact else Fraction(1e-9) * (1 + abs(a[0]) + lam * abs(a[1]))
        if gain > noise:  # strictly above both lines
            stack += [(a, c), (c, b)]
    names = {}
    for k, (u, i) in enumerate(sorted(found, key=lambda x: (x[1], -x[0]))):
        names[(u, i)] = f"policy {k + 1}"
    plans = {names[key]: key for key in names}
    level_partition = partition(plans)
    policies = {names[key]: found[key] for key in names}
    outcomes = {
        name: _outcome(mdp, policy, s0, float(plans[name][0])) for name, policy in policies.items()
    }
    level = mdp.metadata.get("level")
    has_goal = isinstance(level, ObjectLevel) and bool(level.goal_cells)
    safe = tuple(
        n for n, o in outcomes.items()
        if (o.goal >= 1 - 1e-9 or not has_goal) and max(o.side_effects.values(), default=0) <= 1e-12
    )  # fmt: skip
    return ImpactLevel(level_partition, FrozenDict(policies), FrozenDict(outcomes), safe)
