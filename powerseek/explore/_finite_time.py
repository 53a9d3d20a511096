"""Finite-time decision procedures and orbit tendencies (theory.md §E.8, RDSP §6.2).

If p_t → p pointwise and p has ≥_most tendencies, conjecture E.8 says p_t has
them for every t past some T: e.g. value iteration truncated after t sweeps
from a random initialisation. :func:`finite_time_curve` measures the orbit
share of a point mass with P_{d_t}(s, a) ≥ P_{d_t}(s, b) as a function of t,
for truncated value iteration (t sweeps) or Q-learning (t episodes), where a
keeps more options open than b (φ·F(s | b) ⊆ F(s | a), which gives the
limit p = optimal its tendency, Prop 6.9 / RDSP Thm 3.6).
:func:`finite_time_tendency` is the built-in conjecture's predicate.

Examples
--------
>>> from powerseek import load
>>> from powerseek.rewards import FiniteSupport
>>> point = FiniteSupport([[0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4]])
>>> curve = finite_time_curve(load("turner-fig1"), "start", "right", "left", 0.9, point,
...                           steps=(0, 1, 4), n_draws=200, rng=0)
>>> curve.steps, [bool(h) for h in curve.holds]
((0, 1, 4), [True, True, True])
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .._display import compact_repr
from .._validation import check_gamma, label_text, make_rng
from ..agents import Optimal, QLearning, TruncatedValueIteration
from ..exceptions import InvalidParameterError
from ..io import load
from ..mdp import MDP
from ..rewards import FiniteSupport, RewardDistribution
from ..symmetry import compare_over_orbit, find_action_copy, rule_choice
from ._search import Case, Verdict

__all__ = [
    "EPISODES",
    "PROCEDURES",
    "STEPS",
    "FiniteTimeCurve",
    "finite_time_curve",
    "finite_time_family",
    "finite_time_tendency",
    "symmetric_start_cases",
]

#: The finite-time procedures, by name: t sweeps or t episodes.
PROCEDURES = ("truncated-vi", "q-learning")

#: The default values of t: sweeps of truncated value iteration, episodes of Q-learning.
STEPS = (0, 1, 2, 3, 5, 8, 13, 21)
EPISODES = (0, 5, 10, 20, 50, 100, 200)

#: Catalog environments and the action pair at their start state with a strict copy.
SYMMETRIC_EXAMPLES = (("turner-fig1", "start", "right", "left"),)


def _procedure(name: str, t: int, epsilon: float):
    if name == "truncated-vi":
        return TruncatedValueIteration(t, init="random")
    if name == "q-learning":
        return QLearning(episodes=t, epsilon=epsilon)
    raise InvalidParameterError(
        f"`procedure` must be one of {', '.join(PROCEDURES)}; got {name!r}."
    )


@compact_repr
@dataclass(frozen=True)
class FiniteTimeCurve:
    """The orbit tendency of a finite-time procedure as a function of t.

    Attributes
    ----------
    procedure : str
    steps : tuple of int
    greater, less : tuple of float
        Orbit weight with P_{d_t}(s, a) > P_{d_t}(s, b), and with <, per t.
    shares : tuple of float
        Orbit share with P_{d_t}(s, a) ≥ P_{d_t}(s, b), per t.
    holds : tuple of bool
        Whether |{>}| ≥ |{<}| (the ≥_most tendency), per t.
    limit_share : float
        The same share for the optimal rule (the procedure's limit).
    sampled : bool
        Whether the orbit was sampled rather than enumerated.
    """

    procedure: str
    steps: tuple
    greater: tuple
    less: tuple
    shares: tuple
    holds: tuple
    limit_share: float
    sampled: bool

    def eventual_step(self) -> int | None:
        """The least t in :attr:`steps` past which the tendency holds at every t (None if not).

        Returns
        -------
        int or None
        """
        found = None
        for t, holds in zip(reversed(self.steps), reversed(self.holds)):
            if not holds:
                break
            found = t
        return found

    def resolved_step(self) -> int | None:
        """The least t past which more of the orbit prefers a than b at every t, resolved.

        Resolved: by 3 standard errors of a sign test when the orbit was sampled.

        Returns
        -------
        int or None
        """
        found = None
        for t, g, m in zip(reversed(self.steps), reversed(self.greater), reversed(self.less)):
            slack = 3.0 * math.sqrt(g + m) if self.sampled else 0.0
            if not g - m > slack:
                break
            found = t
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data.

        Returns
        -------
        dict
        """
        return {
            "procedure": self.procedure,
            "steps": list(self.steps),
            "share": list(self.shares),
            "greater": list(self.greater),
            "less": list(self.less),
            "holds": list(self.holds),
            "limit_share": self.limit_share,
            "sampled": self.sampled,
            "eventual_step": self.eventual_step(),
            "resolved_step": self.resolved_step(),
        }


def finite_time_curve(
    mdp: MDP,
    state: Hashable,
    action: Hashable,
    other: Hashable,
    gamma: float,
    point: RewardDistribution,
    *,
    procedure: str = "truncated-vi",
    steps: Sequence[int] | None = None,
    epsilon: float = 0.1,
    repeats: int = 64,
    n_draws: int = 500,
    rng: Any = None,
) -> FiniteTimeCurve:
    """Orbit share with P_{d_t}(s, a) ≥ P_{d_t}(s, b) for t in `steps`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state, action, other : hashable
        The state and the two actions compared (`action` the one with more options).
    gamma : float in [0, 1)
        The discount rate γ.
    point : FiniteSupport
        The point mass (or finite support) whose orbit is counted.
    procedure : {"truncated-vi", "q-learning"}, default "truncated-vi"
        t sweeps of value iteration from a random initialisation, or t episodes
        of Q-learning (ε-greedy, α = 1, U_0 = 0).
    steps : sequence of int, optional
        Default :data:`STEPS` sweeps or :data:`EPISODES` episodes.
    epsilon : float, default 0.1
        Q-learning's exploration.
    repeats : int, default 64
        Draws of the procedure's randomness averaged per orbit element.
    n_draws : int, default 500
        Orbit elements sampled for a randomised procedure (every t uses the same
        elements and the same rule streams). Its averages are noisy, so the
        tendency fails only when significantly more elements (3 standard errors
        of a sign test) prefer b than prefer a.
    rng : seed
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.

    Returns
    -------
    FiniteTimeCurve
    """
    gamma = check_gamma(gamma)
    if gamma == 1.0:
        raise InvalidParameterError("`gamma` must be below 1 for finite-time procedures; got 1.")
    if steps is None:
        steps = EPISODES if procedure == "q-learning" else STEPS
    steps = tuple(int(t) for t in steps)
    if not steps or min(steps) < 0:
        raise InvalidParameterError(f"`steps` must be non-negative integers; got {steps!r}.")
    generator = make_rng(rng)
    seed = int(generator.integers(2**31))

    def compare(rule, tie):
        f1 = rule_choice(mdp, state, action, gamma, rule, repeats=repeats)
        f2 = rule_choice(mdp, state, other, gamma, rule, repeats=repeats)
        sizes = {"max_elements": 0} if rule.randomised else {}
        return compare_over_orbit(
            mdp,
            point,
            f1,
            f2,
            tie_tol=tie,
            n_draws=n_draws,
            rng=np.random.default_rng(seed),  # the same orbit elements at every t
            **sizes,
        )

    greater, less, shares, holds = [], [], [], []
    sampled = False
    for t in steps:
        # a randomised procedure's averages are noisy: where the true difference is 0 the
        # signs split evenly, so the sign test below, not a tolerance, decides
        result = compare(_procedure(procedure, t, epsilon), 1e-9)
        greater.append(float(result.greater))
        less.append(float(result.less))
        shares.append(float(result.fraction))
        # sampled elements: only significantly more preferring b (3 SE of a sign test) refutes
        slack = 3.0 * math.sqrt(result.greater + result.less) if result.sampled else 0.0
        holds.append(bool(result.greater + slack >= result.less))
        sampled = sampled or result.sampled
    limit = compare(Optimal(), 1e-9)
    return FiniteTimeCurve(
        procedure,
        steps,
        tuple(greater),
        tuple(less),
        tuple(shares),
        tuple(holds),
        float(limit.fraction),
        sampled,
    )


def _compared_actions(mdp: MDP) -> tuple | None:
    """The start state's action pair (a, b) with φ·F(s | b) ⊆ F(s | a), strict ones first."""
    for name, state, a, b in SYMMETRIC_EXAMPLES:
        if mdp.name == name:
            return state, a, b
    start = mdp.metadata.get("start", mdp.states[0])
    actions = mdp.actions_of(start)
    found = None
    for a in actions:
        for b in actions:
            if a == b:
                continue
            copy = find_action_copy(mdp, start, a, b)
            if copy.found and copy.strict:
                return start, a, b
            if copy.found and found is None:
                found = (start, a, b)
    return found


def finite_time_tendency(
    mdp: MDP, dist: RewardDistribution, gamma: Any, *, procedure: str = "truncated-vi"
) -> Verdict:
    """E.8: once t is large enough, the finite-time procedure keeps the ≥_most tendency.

    Applies where the start state has actions a, b with a copy (so the optimal
    limit has the tendency) and `dist` is a point mass or finite support. Holds
    when the tendency holds at the largest t tried and at every t after the
    first at which it holds; the value tabulated is the t from which it is
    resolved (significantly more of the orbit prefers a) at every later t.

    Parameters
    ----------
    mdp : MDP
        The environment.
    dist : RewardDistribution
        The distribution D of reward functions.
    gamma : float in (0, 1)
        The discount rate γ.
    procedure : {"truncated-vi", "q-learning"}

    Returns
    -------
    Verdict

    Examples
    --------
    >>> from powerseek import load
    >>> point = FiniteSupport([[0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4]])
    >>> verdict = finite_time_tendency(load("turner-fig1"), point, 0.9)
    >>> verdict.holds, verdict.group
    (True, 'truncated-vi')
    """
    if not isinstance(dist, FiniteSupport):
        return Verdict(None, "needs a point mass or finite-support distribution (exact orbits)")
    gamma = float(gamma)
    if not 0.0 < gamma < 1.0:
        return Verdict(None, "posed for gamma in (0, 1), where t sweeps or episodes are finite")
    pair = _compared_actions(mdp)
    if pair is None:
        return Verdict(None, "no action pair at the start state with a copy of options")
    state, a, b = pair
    curve = finite_time_curve(
        mdp, state, a, b, gamma, dist, procedure=procedure, n_draws=300, rng=0
    )
    eventual = curve.eventual_step()
    first = next((t for t, h in zip(curve.steps, curve.holds) if h), None)
    holds = eventual is not None and eventual == first
    detail = (
        f"{label_text(a)} vs {label_text(b)} at {label_text(state)}: orbit share with "
        f"P_t({label_text(a)}) >= P_t({label_text(b)}) at t = "
        + ", ".join(f"{t}: {s:.3f}" for t, s in zip(curve.steps, curve.shares))
        + f" (optimal: {curve.limit_share:.3f}); the tendency holds from t = {first}"
        + ("" if holds else f" but not at every later t (eventually from {eventual})")
    )
    slack = (lambda g, m: 3.0 * math.sqrt(g + m)) if curve.sampled else (lambda g, m: 0.0)
    later = [
        g - m + slack(g, m)
        for t, g, m in zip(curve.steps, curve.greater, curve.less)
        if first is None or t >= first
    ]
    margin = min(later)  # negative where a later t loses the tendency
    resolved = curve.resolved_step()
    detail += f"; significantly from t = {resolved}" if resolved is not None else ""
    value = float(resolved) if resolved is not None else math.nan
    return Verdict(holds, detail, margin, procedure, value)


def _point(values: Sequence[float]) -> FiniteSupport:
    return FiniteSupport([list(values)])


def symmetric_start_cases() -> st.SearchStrategy:
    """Random point masses on the catalog's E.8 example (Figure 1), at γ in {0.5, 0.9}.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Case
    """

    @st.composite
    def cases(draw):
        name = draw(st.sampled_from([example[0] for example in SYMMETRIC_EXAMPLES]))
        mdp = load(name)
        values = draw(st.lists(st.integers(0, 9), min_size=mdp.n_states, max_size=mdp.n_states))
        gamma = draw(st.sampled_from([0.5, 0.9]))
        return Case(mdp, _point([v / 9 for v in values]), gamma)

    return cases()


def finite_time_family(size: int) -> Iterator[Case]:
    """`size` seeded point masses on each E.8 example, at γ = 0.5 and 0.9.

    Parameters
    ----------
    size : int
        Seeded point masses per example.

    Returns
    -------
    iterator of Case
    """
    generator = np.random.default_rng(0)
    for name, *_ in SYMMETRIC_EXAMPLES:
        mdp = load(name)
        for _ in range(size):
            values = generator.random(mdp.n_states).round(3)
            for gamma in (0.5, 0.9):
                yield Case(mdp, _point(values), gamma)
