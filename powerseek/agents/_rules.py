"""Decision rules in MDPs: from (MDP, reward sample, γ) to a policy.

A decision rule says how an agent with reward R acts in an MDP at discount γ.
Turner et al.'s theorems are about the :class:`Optimal` rule; RDSP (theory.md
§A.3, B.4) proves the same tendencies for Boltzmann-rational agents,
satisficers, best-of-k and some learners, and conjecture E.8 asks about
finite-time procedures. Every rule here acts on the scale of rewards, so that
a temperature or a threshold means the same at every γ: with
C(s, a) = E_{s'~T(s,a)} (1−γ)V*(s'),

    (1−γ)·Q*(s, a) = (1−γ)·R(s) + γ·C(s, a).

Writing a rule
--------------
A rule is a frozen dataclass deriving from :class:`DecisionRule` whose
:meth:`~DecisionRule.policy` maps an engine :class:`~powerseek.analysis.engine.Context`
(the MDP, γ, one chunk of reward samples, their optimal continuations
``ctx.continuation`` and optimal-action mask ``ctx.optimal``) to π(a | s), an
``(n_pairs, m)`` array whose rows of each state sum to 1. Randomness comes
from ``ctx.per_block`` only, so results do not depend on chunking or workers.
:meth:`~DecisionRule.check_gamma` says which discounts the rule is defined at.

Examples
--------
>>> import numpy as np
>>> from powerseek import load
>>> from powerseek.agents import Boltzmann, rule_policy
>>> mdp = load("candy-wait")     # start: candy, wait
>>> R = [[0, 0, 0.5, 0.9, 0.1]]   # C(start, ·) = (0.5, 0.9·0.9): π ∝ exp(0.9·C/0.1)
>>> rule_policy(mdp, R, 0.9, Boltzmann(0.1))[0, :2].round(3).tolist()
[0.058, 0.942]
>>> Boltzmann(0.1)
Boltzmann(temperature=0.1)
>>> str(Boltzmann(0.1))
'boltzmann:0.1'
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from .._docstrings import fill
from .._validation import short_value
from ..exceptions import ConvergenceWarning, InvalidParameterError, InvalidTypeError
from ..mdp import MDP
from ..solvers import evaluate_policies, expected_next, padded_pairs, segment_max, state_sums

__all__ = [
    "BestOfK",
    "Boltzmann",
    "DecisionRule",
    "EpsilonGreedy",
    "Optimal",
    "QLearning",
    "Quantilizer",
    "Satisficer",
    "SoftOptimal",
    "TruncatedValueIteration",
    "uniform_over",
]


def uniform_over(mask: np.ndarray, mdp: MDP) -> np.ndarray:
    """π uniform over the pairs of each state where `mask` holds.

    Parameters
    ----------
    mask : numpy.ndarray of bool, shape (n_pairs, m)
        At least one pair of every state must be true.
    mdp : MDP
        The environment.

    Returns
    -------
    numpy.ndarray, shape (n_pairs, m)

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> uniform_over(np.ones((7, 1), dtype=bool), mdp).ravel().tolist()
    [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0]
    """
    weights = mask.astype(float)
    return weights / state_sums(weights, mdp)[mdp.pair_states]


def _softmax(logits: np.ndarray, mdp: MDP) -> np.ndarray:
    """Per state, exp(logits) normalised over the state's pairs (stable)."""
    weights = np.exp(logits - segment_max(logits, mdp)[mdp.pair_states])
    return weights / state_sums(weights, mdp)[mdp.pair_states]


def _log_sum_exp(logits: np.ndarray, mdp: MDP) -> np.ndarray:
    top = segment_max(logits, mdp)
    return top + np.log(state_sums(np.exp(logits - top[mdp.pair_states]), mdp))


def _near_best(values: np.ndarray, ctx: Any) -> np.ndarray:
    """Pairs whose value is within the tie tolerance of their state's best."""
    best = segment_max(values, ctx.mdp)[ctx.mdp.pair_states]
    return values >= best - ctx.tie_margin


def _number(value: Any, name: str, rule: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise InvalidParameterError(
            f"`{name}` of the {rule} rule must be a finite number; got {short_value(value)}."
        )
    return float(value)


def _count(value: Any, name: str, rule: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise InvalidParameterError(
            f"`{name}` of the {rule} rule must be an integer of at least {least}; "
            f"got {short_value(value)}."
        )
    return int(value)


def _probability(value: Any, name: str, rule: str) -> float:
    number = _number(value, name, rule)
    if not 0.0 <= number <= 1.0:
        raise InvalidParameterError(f"`{name}` of the {rule} rule must be in [0, 1]; got {value}.")
    return number


@dataclass(frozen=True)
class DecisionRule:
    """The interface of a decision rule (subclass it as a frozen dataclass).

    Attributes
    ----------
    name : str
        The rule's name on the command line (``--rule NAME:...``).
    """

    name: ClassVar[str] = "rule"
    #: Whether the rule is defined at γ = 1 (the Blackwell / average-reward limit).
    at_gamma_one: ClassVar[bool] = False

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample: shape (n_pairs, m), each state's rows summing to 1.

        Parameters
        ----------
        %(rule_context)s

        Returns
        -------
        numpy.ndarray, shape (n_pairs, m)
        """
        raise NotImplementedError(f"{type(self).__name__} does not define policy().")

    @fill
    def choice(self, ctx: Any) -> np.ndarray:
        """What :func:`~powerseek.agents.choice_probability` averages: π by default.

        Parameters
        ----------
        %(rule_context)s

        Returns
        -------
        numpy.ndarray, shape (n_pairs, m)
        """
        return self.policy(ctx)

    @fill
    def power(self, ctx: Any) -> tuple[np.ndarray, float]:
        """Per-sample POWER of the rule's agent, Σ_a π(a|s) E_{T(s,a)} (1−γ)V^π(s').

        Parameters
        ----------
        %(rule_context)s

        Returns
        -------
        power : numpy.ndarray, shape (n_states, m)
        error_bound : float
            Bound on the error of the values, on the (1−γ)V scale.
        """
        pi = self.policy(ctx)
        W, bound = evaluate_policies(ctx.mdp, pi, ctx.rewards, ctx.gamma)
        return state_sums(pi * expected_next(ctx.mdp, W), ctx.mdp), bound

    @property
    def randomised(self) -> bool:
        """Whether the policy depends on the rule's random streams as well as on R."""
        return False

    def check_gamma(self, gamma: float) -> None:
        """Refuse a discount the rule is not defined at.

        Parameters
        ----------
        gamma : float
            The discount rate γ.
        """
        if gamma == 1.0 and not self.at_gamma_one:
            raise InvalidParameterError(
                f"the {self} rule is defined for gamma in [0, 1); got gamma = 1 "
                "(use a gamma below 1, e.g. 0.999)."
            )

    def describe(self) -> str:
        """The rule as ``--rule`` writes it: ``NAME``, ``NAME:VALUE`` or ``NAME:key=value,...``.

        Returns
        -------
        str
        """
        values = [(f.name, getattr(self, f.name)) for f in fields(self)]
        if not values:
            return self.name
        if len(values) == 1:
            return f"{self.name}:{_text(values[0][1])}"
        return f"{self.name}:" + ",".join(f"{k.replace('_', '-')}={_text(v)}" for k, v in values)

    def __str__(self) -> str:
        return self.describe()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Optimal(DecisionRule):
    """The optimal agent of Turner et al.: uniform over optimal actions.

    Its choice probabilities count every tied optimal action as chosen (Def 4.4,
    weak optimality), so they are today's optimality probabilities exactly, and
    its POWER is POWER.
    """

    name: ClassVar[str] = "optimal"
    at_gamma_one: ClassVar[bool] = True

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        return uniform_over(ctx.optimal, ctx.mdp)

    @fill
    def choice(self, ctx: Any) -> np.ndarray:
        """Def 4.4's optimal-action indicators: ties count as chosen.

        Parameters
        ----------
        %(rule_context)s

        """
        return ctx.optimal

    @fill
    def power(self, ctx: Any) -> tuple[np.ndarray, float]:
        """Per-sample POWER of the agent (see :meth:`DecisionRule.power`).

        Parameters
        ----------
        %(rule_context)s

        """
        return ctx.power, ctx.error_bound

    def check_gamma(self, gamma: float) -> None:
        """Every γ in [0, 1] is allowed.

        Parameters
        ----------
        gamma : float
            The discount rate.

        """
        return None


@dataclass(frozen=True)
class Boltzmann(DecisionRule):
    """Boltzmann-rational over Q*: π(a | s) ∝ exp((1−γ)·Q*(s, a) / T).

    On the scale of rewards the R(s) term is common to a state's actions, so
    π ∝ exp(γ·C(s, a)/T); at γ = 0 every action is equally likely and at γ = 1
    C is the optimal gain. A k-way choice between terminal states with rewards
    u gives the lottery form exp(γ·u/T) (RDSP Def A.4 with temperature T/γ).

    Parameters
    ----------
    temperature : float > 0
        T > 0; high T approaches the uniform choice, low T the optimal one.
    """

    temperature: float
    name: ClassVar[str] = "boltzmann"
    at_gamma_one: ClassVar[bool] = True

    def __post_init__(self) -> None:
        value = _number(self.temperature, "temperature", self.name)
        if value <= 0:
            raise InvalidParameterError(
                f"`temperature` of the boltzmann rule must be positive; got {self.temperature}."
            )
        object.__setattr__(self, "temperature", value)

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        return _softmax(ctx.gamma * ctx.continuation / self.temperature, ctx.mdp)


@dataclass(frozen=True)
class SoftOptimal(DecisionRule):
    """The maximum-entropy (soft-optimal) policy at temperature T, on the reward scale.

    W(s) = (1−γ)R(s) + T·log Σ_a exp(γ·E_{T(s,a)} W / T) and π(a|s) ∝ exp(γ·E W / T):
    the optimal policy of reward plus T·(entropy of π(s)) per step. Solved by
    soft policy iteration (exact evaluation of each policy, entropy included),
    stopped when the soft Bellman residual certifies ‖W − W_soft‖∞ ≤ `tol`.
    As T → 0 it becomes optimal; at γ = 0 it is uniform.

    Parameters
    ----------
    temperature : float > 0
        T > 0, on the reward scale.
    tol : float, default 1e-9
        Certified bound on the soft values, on the (1−γ)V scale.
    """

    temperature: float
    tol: float = 1e-9
    name: ClassVar[str] = "soft-optimal"
    max_iterations: ClassVar[int] = 200

    def __post_init__(self) -> None:
        value = _number(self.temperature, "temperature", self.name)
        if value <= 0:
            raise InvalidParameterError(
                f"`temperature` of the soft-optimal rule must be positive; got {self.temperature}."
            )
        tol = _number(self.tol, "tol", self.name)
        if tol <= 0:
            raise InvalidParameterError(
                f"`tol` of the soft-optimal rule must be positive; got {self.tol}."
            )
        object.__setattr__(self, "temperature", value)
        object.__setattr__(self, "tol", tol)

    def describe(self) -> str:
        """The rule as ``--rule`` writes it."""
        if self.tol == 1e-9:
            return f"{self.name}:{_text(self.temperature)}"
        return super().describe()

    @fill
    def solve(self, ctx: Any) -> tuple[np.ndarray, np.ndarray, float]:
        """Soft values W, policy π and the certified bound on ‖W − W_soft‖∞.

        Parameters
        ----------
        %(rule_context)s

        Returns
        -------
        values : numpy.ndarray, shape (n_states, m)
        policy : numpy.ndarray, shape (n_pairs, m)
        error_bound : float
        """
        return ctx.memo(("soft-optimal", self), lambda: self._solve(ctx))

    def _solve(self, ctx: Any) -> tuple[np.ndarray, np.ndarray, float]:
        mdp, gamma, T, R = ctx.mdp, ctx.gamma, self.temperature, ctx.rewards
        if gamma == 0.0:
            return R.copy(), uniform_over(np.ones((mdp.n_pairs, R.shape[1]), bool), mdp), 0.0
        pi = _softmax(gamma * ctx.continuation / T, mdp)  # Boltzmann on Q*: a close start
        bound = np.inf
        for _ in range(self.max_iterations):
            entropy = -state_sums(pi * np.log(np.where(pi > 0, pi, 1.0)), mdp)
            W, _ = evaluate_policies(mdp, pi, R, gamma, bonus=T * entropy)
            logits = gamma * expected_next(mdp, W) / T
            backed_up = (1.0 - gamma) * R + T * _log_sum_exp(logits, mdp)
            # the soft Bellman operator is a γ-contraction in the sup norm
            bound = float(np.abs(backed_up - W).max(initial=0.0)) / (1.0 - gamma)
            pi = _softmax(logits, mdp)
            if bound <= self.tol:
                break
        else:
            warnings.warn(
                f"soft policy iteration for the {self} rule stopped after "
                f"{self.max_iterations} iterations with error bound {bound:.3g} > tol = "
                f"{self.tol:g}; raise `tol` or the temperature.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return W, pi, bound

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        return self.solve(ctx)[1]


@dataclass(frozen=True)
class EpsilonGreedy(DecisionRule):
    """ε-greedy around the optimal policy.

    With probability 1−ε an optimal action (uniform over tied ones), with
    probability ε one of the other actions uniformly (RDSP's examples); where
    every action is optimal, uniform.

    Parameters
    ----------
    epsilon : float in [0, 1]
        The probability of a uniformly random action, in [0, 1].
    """

    epsilon: float
    name: ClassVar[str] = "epsilon-greedy"
    at_gamma_one: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "epsilon", _probability(self.epsilon, "epsilon", self.name))

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        mdp, optimal = ctx.mdp, ctx.optimal
        n_optimal = state_sums(optimal.astype(float), mdp)[mdp.pair_states]
        n_other = np.diff(mdp.pair_offsets)[mdp.pair_states][:, None] - n_optimal
        greedy = np.where(optimal, (1.0 - self.epsilon) / n_optimal, 0.0)
        explore = np.divide(
            np.where(optimal, 0.0, self.epsilon),
            n_other,
            out=np.zeros_like(greedy),
            where=n_other > 0,
        )
        pi = greedy + explore
        everything = n_other == 0
        return np.where(everything, 1.0 / n_optimal, pi)


@dataclass(frozen=True)
class Satisficer(DecisionRule):
    """Uniform over the actions whose (1−γ)·Q*(s, a) reaches the threshold.

    The threshold is on the scale of rewards (a reward level), so it means the
    same at every γ. Where no action of a state reaches it the agent acts
    optimally (uniform over optimal actions); a threshold that no action of any
    state reaches for any sample is refused (the rule would be the optimal one).

    Parameters
    ----------
    threshold : float
        The value a satisfactory action reaches, on the (1−γ)·Q* scale.
    """

    threshold: float
    name: ClassVar[str] = "satisficer"
    at_gamma_one: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", _number(self.threshold, "threshold", self.name))

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        mdp, gamma = ctx.mdp, ctx.gamma
        value = gamma * ctx.continuation
        if gamma < 1.0:
            value = value + (1.0 - gamma) * ctx.rewards[mdp.pair_states]
        good = value >= self.threshold - ctx.tie_margin
        if not good.any():
            best = float(value.max(initial=-np.inf))
            raise InvalidParameterError(
                f"`threshold` = {self.threshold:g} of the satisficer rule is reached by no action "
                f"of any state (the best (1-gamma)Q* is {best:.6g}); lower it."
            )
        reached = state_sums(good.astype(float), mdp)[mdp.pair_states] > 0
        return uniform_over(np.where(reached, good, ctx.optimal), mdp)


def _draw_policies(ctx: Any, k: int) -> np.ndarray:
    """Draw k uniformly random deterministic policies per sample: pair indices (k, n_states, m)."""
    mdp = ctx.mdp
    counts = np.diff(mdp.pair_offsets)

    def draw(generator: np.random.Generator, size: int) -> np.ndarray:
        uniforms = generator.random((k, mdp.n_states, size))
        return np.minimum((uniforms * counts[:, None]).astype(np.int64), counts[:, None] - 1)

    return mdp.pair_offsets[:-1][:, None] + ctx.per_block(draw)


@dataclass(frozen=True)
class BestOfK(DecisionRule):
    """The best of k deterministic policies drawn uniformly (RDSP Prop A.11).

    Per sample, k stationary deterministic policies are drawn (each state's
    action uniform and independent); at each state the agent follows the one
    with the highest value there, ties split uniformly. Its POWER at s is the
    value after the first step of the policy it commits to at s.

    Parameters
    ----------
    k : int ≥ 1
        How many deterministic policies are drawn.
    """

    k: int
    name: ClassVar[str] = "best-of-k"

    @property
    def randomised(self) -> bool:
        """The k policies are drawn at random."""
        return True

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", _count(self.k, "k", self.name, 1))

    def _plan(self, ctx: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """The drawn pairs (k, n, m), their values (k, n, m), weights (k, n, m), bound."""
        return ctx.memo(("best-of-k", self), lambda: self._draw(ctx))

    def _draw(self, ctx: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        mdp, m = ctx.mdp, ctx.rewards.shape[1]
        pairs = _draw_policies(ctx, self.k)
        values = np.empty(pairs.shape)
        bound = 0.0
        columns = np.arange(m)
        for i in range(self.k):
            pi = np.zeros((mdp.n_pairs, m))
            pi[pairs[i], columns[None, :]] = 1.0
            values[i], b = evaluate_policies(mdp, pi, ctx.rewards, ctx.gamma)
            bound = max(bound, b)
        best = values.max(axis=0)
        tied = values >= best - ctx.tie_margin - 2.0 * bound
        weights = tied / tied.sum(axis=0)
        return pairs, values, weights, bound

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        pairs, _, weights, _ = self._plan(ctx)
        m = ctx.rewards.shape[1]
        pi = np.zeros((ctx.mdp.n_pairs, m))
        columns = np.broadcast_to(np.arange(m), pairs.shape[1:])
        for i in range(self.k):
            np.add.at(pi, (pairs[i], columns), weights[i])
        return pi

    @fill
    def power(self, ctx: Any) -> tuple[np.ndarray, float]:
        """Per-sample POWER of the agent (see :meth:`DecisionRule.power`).

        Parameters
        ----------
        %(rule_context)s

        """
        pairs, values, weights, bound = self._plan(ctx)
        mdp = ctx.mdp
        out = np.zeros(values.shape[1:])
        columns = np.arange(values.shape[2])
        for i in range(self.k):
            after = expected_next(mdp, values[i])  # (n_pairs, m)
            out += weights[i] * after[pairs[i], columns[None, :]]
        return out, bound


def _visit_stack(mdp: MDP, state_index: int, gamma: float, limit: int):
    """(1−γ)f(γ) for f in F(s) and each f's first pair, cached on the MDP per (s, γ)."""

    def build():
        from ..visits import visit_distributions

        state = mdp.states[state_index]
        functions = visit_distributions(mdp, state, max_count=limit)
        stack = np.array([(1.0 - gamma) * f.at(gamma) for f in functions])
        first = np.array([mdp.pair_index(state, f.policy[state]) for f in functions])
        return stack, first

    return mdp.cached(("quantilizer-visits", state_index, float(gamma), limit), build)


@dataclass(frozen=True)
class Quantilizer(DecisionRule):
    """The quantilizer Q_{q,P} over visit distributions (RDSP Def B.12), base P uniform on F(s).

    At each state s the agent draws a visit distribution f ∈ F(s) from the top
    q-quantile of the uniform distribution on F(s) by value (1−γ)f(γ)ᵀR (the
    boundary level shared in proportion, as :func:`~powerseek.agents.lotteries.quantilize`)
    and follows a policy realising it; π(a | s) is the chosen f's first action.
    F(s) is enumerated (:func:`powerseek.visits.visit_distributions`), so this is
    for small MDPs; its POWER at s is the value after the first step of the f it
    commits to. Defined for 0 < γ < 1.

    Parameters
    ----------
    q : float in (0, 1]
        The quantile in (0, 1].
    max_functions : int, default 2000
        Refuse a state with more visit distributions than this.
    """

    q: float
    max_functions: int = 2000
    name: ClassVar[str] = "quantilizer"

    def __post_init__(self) -> None:
        q = _number(self.q, "q", self.name)
        if not 0.0 < q <= 1.0:
            raise InvalidParameterError(
                f"`q` of the quantilizer rule must be in (0, 1]; got {self.q}."
            )
        object.__setattr__(self, "q", q)
        object.__setattr__(
            self, "max_functions", _count(self.max_functions, "max_functions", self.name, 1)
        )

    def describe(self) -> str:
        """The rule as ``--rule`` writes it."""
        if self.max_functions == 2000:
            return f"{self.name}:{_text(self.q)}"
        return super().describe()

    def check_gamma(self, gamma: float) -> None:
        """Visit distributions are compared at 0 < γ < 1.

        Parameters
        ----------
        gamma : float
            The discount rate.

        """
        if not 0.0 < gamma < 1.0:
            raise InvalidParameterError(
                f"the {self} rule is defined for gamma in (0, 1); got gamma = {gamma:g}."
            )

    def _shares(self, ctx: Any) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per state: its visit stack (k, n), first pairs (k,), and P(choose f) (k, m)."""
        return ctx.memo(("quantilizer", self), lambda: self._share_each(ctx))

    def _share_each(self, ctx: Any) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        from .lotteries import quantilize

        self.check_gamma(ctx.gamma)
        out = []
        u = ctx.rewards.T  # (m, n)
        for i in range(ctx.mdp.n_states):
            stack, first = _visit_stack(ctx.mdp, i, ctx.gamma, self.max_functions)
            k = len(stack)
            # the share of each f, one lottery at a time, in sample batches of bounded size
            shares = np.empty((k, u.shape[0]))
            batch = max(1, (1 << 22) // (k * k))
            for lo in range(0, u.shape[0], batch):
                part = u[lo : lo + batch]
                for j in range(k):
                    shares[j, lo : lo + batch] = quantilize(stack[j : j + 1], stack, part, q=self.q)
            out.append((stack, first, shares))
        return out

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s): the share of the quantile whose visit distributions start with a.

        Parameters
        ----------
        %(rule_context)s

        """
        pi = np.zeros((ctx.mdp.n_pairs, ctx.rewards.shape[1]))
        for _, first, shares in self._shares(ctx):
            np.add.at(pi, first, shares)
        return pi

    @fill
    def power(self, ctx: Any) -> tuple[np.ndarray, float]:
        """Σ_f P(f) · (value of f after its first step), per state.

        Parameters
        ----------
        %(rule_context)s

        """
        gamma, R = ctx.gamma, ctx.rewards
        out = np.empty_like(R)
        for i, (stack, _, shares) in enumerate(self._shares(ctx)):
            values = stack @ R  # (k, m): (1−γ) f(γ)ᵀR
            out[i] = (shares * (values - (1.0 - gamma) * R[i])).sum(axis=0) / gamma
        return out, 0.0


@dataclass(frozen=True)
class TruncatedValueIteration(DecisionRule):
    """Greedy after t sweeps of value iteration (conjecture E.8's finite-time agent).

    On the (1−γ)V scale, W_0 = `init` and W_{j+1}(s) = (1−γ)R(s) + γ·max_a
    E_{T(s,a)} W_j; the agent is greedy with respect to E_{T(s,a)} W_t, ties
    (within the tie tolerance) split uniformly. As t → ∞ it becomes optimal.

    Parameters
    ----------
    t : int ≥ 0
        Sweeps.
    init : "zero", "random" or sequence of float
        W_0: zeros, independent uniform [0, 1) draws per state and sample, or
        one value per state (on the scale of rewards).
    """

    t: int
    init: Any = "zero"
    name: ClassVar[str] = "truncated-vi"

    @property
    def randomised(self) -> bool:
        """A random initialisation makes the policy random."""
        return self.init == "random"

    def __post_init__(self) -> None:
        object.__setattr__(self, "t", _count(self.t, "t", self.name, 0))
        init = self.init
        if isinstance(init, str):
            if init not in ("zero", "random"):
                raise InvalidParameterError(
                    f"`init` of the truncated-vi rule must be 'zero', 'random' or one value per "
                    f"state; got {init!r}."
                )
        else:
            try:
                values = tuple(float(x) for x in init)
            except (TypeError, ValueError):
                raise InvalidTypeError(
                    f"`init` of the truncated-vi rule must be 'zero', 'random' or one value per "
                    f"state; got {short_value(init)}."
                ) from None
            if not all(np.isfinite(values)):
                raise InvalidParameterError("`init` of the truncated-vi rule must be finite.")
            object.__setattr__(self, "init", values)

    def describe(self) -> str:
        """The rule as ``--rule`` writes it."""
        if self.init == "zero":
            return f"{self.name}:{self.t}"
        if self.init == "random":
            return f"{self.name}:t={self.t},init=random"
        return f"{self.name}:t={self.t},init=<{len(self.init)} values>"

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        mdp, gamma, R = ctx.mdp, ctx.gamma, ctx.rewards
        if self.init == "zero":
            W = np.zeros_like(R)
        elif self.init == "random":
            W = ctx.per_block(lambda g, size: g.random((mdp.n_states, size)))
        else:
            if len(self.init) != mdp.n_states:
                raise InvalidParameterError(
                    f"`init` of the truncated-vi rule has {len(self.init)} values; the MDP has "
                    f"{mdp.n_states} states."
                )
            W = np.repeat(np.asarray(self.init)[:, None], R.shape[1], axis=1)
        for _ in range(self.t):
            W = (1.0 - gamma) * R + gamma * segment_max(expected_next(mdp, W), mdp)
        return uniform_over(_near_best(expected_next(mdp, W), ctx), mdp)


@dataclass(frozen=True)
class QLearning(DecisionRule):
    """Tabular Q-learning with ε-greedy exploration, then greedy.

    The learner estimates U(s, a) = E_{s'~T(s,a)}[(1−γ)V*(s')] on the scale of
    rewards: each step from s with action a to s' updates
    U(s, a) ← (1−α)·U(s, a) + α·y with y = R(s') when s' is absorbing (every action
    stays there, so (1−γ)V(s') = R(s') exactly; the episode ends) and
    y = (1−γ)R(s') + γ·max_a' U(s', a') otherwise. Episodes start at the MDP's
    ``start`` state (metadata) or, without one, at a uniformly random state, and
    last at most `horizon` steps (default: the number of states). Exploration:
    with probability 1−ε the greedy action (ties broken uniformly), with
    probability ε one of the other actions uniformly. The learned agent is
    greedy in U, ties split uniformly. Randomness comes from the rule's streams
    (common across γ and chunking).

    Parameters
    ----------
    episodes : int ≥ 0
        The number of training episodes.
    epsilon : float in [0, 1], default 0.1
        Exploration rate of the ε-greedy behaviour during training.
    alpha : float in (0, 1], default 1.0
        The learning rate.
    init : float, default 0.0
        U_0 for every pair (P-SAT's example uses −100).
    horizon : int ≥ 1, optional
        Steps per episode; the number of states when None.
    """

    episodes: int
    epsilon: float = 0.1
    alpha: float = 1.0
    init: float = 0.0
    horizon: int | None = None
    name: ClassVar[str] = "q-learning"
    at_gamma_one: ClassVar[bool] = True

    @property
    def randomised(self) -> bool:
        """Exploration and start states are random (unless there is nothing to learn)."""
        return self.episodes > 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "episodes", _count(self.episodes, "episodes", self.name, 0))
        object.__setattr__(self, "epsilon", _probability(self.epsilon, "epsilon", self.name))
        alpha = _probability(self.alpha, "alpha", self.name)
        if alpha == 0:
            raise InvalidParameterError("`alpha` of the q-learning rule must be in (0, 1]; got 0.")
        object.__setattr__(self, "alpha", alpha)
        object.__setattr__(self, "init", _number(self.init, "init", self.name))
        if self.horizon is not None:
            object.__setattr__(self, "horizon", _count(self.horizon, "horizon", self.name, 1))

    def describe(self) -> str:
        """The rule as ``--rule`` writes it."""
        parts = [f"episodes={self.episodes}", f"epsilon={_text(self.epsilon)}"]
        parts += [f"alpha={_text(self.alpha)}", f"init={_text(self.init)}"]
        if self.horizon is not None:
            parts.append(f"horizon={self.horizon}")
        return f"{self.name}:" + ",".join(parts)

    @fill
    def policy(self, ctx: Any) -> np.ndarray:
        """π(a | s) per pair and sample (see :meth:`DecisionRule.policy`).

        Parameters
        ----------
        %(rule_context)s

        """
        mdp = ctx.mdp
        U = np.full((mdp.n_pairs, ctx.rewards.shape[1]), self.init)
        learner = _Learner(mdp, ctx.gamma, self)
        for columns, generator in ctx.streams():
            block = U[:, columns]  # a view: learnt in place
            learner.run(block, ctx.rewards[:, columns], generator)
        return uniform_over(_near_best(U, ctx), mdp)


class _Learner:
    """Vectorised Q-learning: every sample of a block learns in lockstep."""

    def __init__(self, mdp: MDP, gamma: float, rule: QLearning) -> None:
        self.mdp, self.gamma, self.rule = mdp, gamma, rule
        T = mdp.transition_matrix
        self.pad = padded_pairs(mdp)
        self.counts = np.diff(mdp.pair_offsets)
        self.valid = np.arange(self.pad.shape[1])[None, :] < self.counts[:, None]
        owner = mdp.pair_states
        stays = np.asarray(T[np.arange(mdp.n_pairs), owner]).ravel() >= 1.0 - 1e-12
        self.absorbing = state_sums(stays[:, None].astype(float), mdp)[:, 0] == self.counts
        self.indptr, self.indices = T.indptr, T.indices
        row_of_entry = np.repeat(np.arange(mdp.n_pairs), np.diff(T.indptr))
        within = np.cumsum(T.data) - np.repeat(
            np.concatenate([[0.0], np.cumsum(T.data)])[T.indptr[:-1]], np.diff(T.indptr)
        )
        self.keys = row_of_entry + within
        start = mdp.metadata.get("start")
        self.start = None if start is None else mdp.index(start)
        self.horizon = rule.horizon if rule.horizon is not None else mdp.n_states

    def _successors(self, pairs: np.ndarray, generator: np.random.Generator) -> np.ndarray:
        if self.mdp.is_deterministic:
            return self.indices[self.indptr[pairs]]
        u = generator.random(pairs.size)
        entry = np.searchsorted(self.keys, pairs + u, side="left")
        entry = np.clip(entry, self.indptr[pairs], self.indptr[pairs + 1] - 1)
        return self.indices[entry]

    def _greedy_slots(self, values: np.ndarray, valid: np.ndarray, generator) -> np.ndarray:
        """Per row, a uniformly chosen slot among the maxima of `values` over `valid` slots."""
        masked = np.where(valid, values, -np.inf)
        best = masked.max(axis=1, keepdims=True)
        tied = valid & (masked >= best - 1e-12 * np.maximum(np.abs(best), 1.0))
        noise = np.where(tied, generator.random(tied.shape), -1.0)
        return noise.argmax(axis=1)

    def run(self, U: np.ndarray, R: np.ndarray, generator: np.random.Generator) -> None:
        """Learn in place: U (n_pairs, m) for the rewards R (n_states, m)."""
        rule, gamma = self.rule, self.gamma
        m = U.shape[1]
        samples = np.arange(m)
        for _ in range(rule.episodes):
            if self.start is None:
                state = generator.integers(0, self.mdp.n_states, size=m)
            else:
                state = np.full(m, self.start)
            alive = ~self.absorbing[state]
            for _ in range(self.horizon):
                if not alive.any():
                    break
                pad = self.pad[state]  # (m, slots)
                valid = self.valid[state]
                greedy = self._greedy_slots(U[pad, samples[:, None]], valid, generator)
                explore = generator.random(m) < rule.epsilon
                counts = self.counts[state]
                # uniform over the other slots: shift the greedy slot by 1..counts-1
                shift = 1 + (generator.random(m) * np.maximum(counts - 1, 1)).astype(np.int64)
                shift = np.minimum(shift, np.maximum(counts - 1, 1))
                other = (greedy + shift) % counts
                slot = np.where(explore & (counts > 1), other, greedy)
                pair = pad[samples, slot]
                nxt = self._successors(pair, generator)
                reward = R[nxt, samples]
                ahead = U[self.pad[nxt], samples[:, None]]
                ahead = np.where(self.valid[nxt], ahead, -np.inf).max(axis=1)
                target = np.where(
                    self.absorbing[nxt], reward, (1.0 - gamma) * reward + gamma * ahead
                )
                live = samples[alive]
                U[pair[live], live] += rule.alpha * (target[live] - U[pair[live], live])
                alive = alive & ~self.absorbing[nxt]
                state = nxt
