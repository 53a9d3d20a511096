"""Built-in conjectures of theory.md §E and their lookup by name.

* ``power-seeking-implies-optimal`` (§E.9; OPT App. B): if action a seeks more
  POWER than a' at s, then a is at least as likely optimal. False: OPT
  Props B.1/B.4 and Fig. 10 refute it; the explorer finds such MDPs.
* ``fractional-copies`` (§E.1; RDSP Conj D.13): with n options after one
  action and m after another (terminal choices at γ = 1), at least n/(n+m) of
  every orbit prefers the first: |{>}| ≥ (n/m)·|{<}|.
* ``copies-fraction`` (§E.3; P-ENV): with n copies of the smaller option set,
  the orbit share preferring the larger set is at least n/(n+1), so it tends
  to 1 as copies are added; findings tabulate the worst and mean share by n.
* ``finite-time-tendency`` (§E.8; RDSP §6.2): value iteration truncated after
  t sweeps from a random initialisation has the ≥_most tendency of its optimal
  limit for every t past some T (:mod:`powerseek.explore._finite_time`).
* ``identical-rewards-power`` (§E.10; P-MULTI): in two-player games with
  identical rewards, the sum of POWER at every pure Bayesian Nash equilibrium
  equals the sum of best-case POWER. Its cases are games
  (:mod:`powerseek.explore._games`); it fails at the worse equilibria of
  coordination games and holds at the best one.

Each is a :class:`~powerseek.explore.Conjecture` with a default search space
and an exhaustive family, ready for :func:`powerseek.explore.explore`;
:data:`CONJECTURES` maps names to them and :func:`conjecture` resolves a
name (or wraps a predicate).

Examples
--------
>>> from powerseek.explore import conjecture, exhaustive_search
>>> result = exhaustive_search(conjecture("copies-fraction"), size=3)
>>> result.holds, result.applicable
(True, 425)
>>> finding = result.findings["copies=2"]
>>> finding.minimum, round(finding.mean, 4)
(0.6666666666666666, 0.8541)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .._validation import label_text
from ..agents.lotteries import is_optimal
from ..analysis import optimal_actions, power_samples
from ..exact import as_fraction, exact_optimality, exact_power
from ..exceptions import InvalidParameterError, InvalidTypeError, PowerseekError
from ..mdp import MDP
from ..rewards import FiniteSupport, RewardDistribution, sample
from ..symmetry import MAX_OUTCOMES, rule_tendency
from ..visits import one_cycle_options
from . import strategies
from ._families import terminal_choice
from ._finite_time import finite_time_family, finite_time_tendency, symmetric_start_cases
from ._games import common_payoff_family, common_payoff_games, identical_rewards_power
from ._search import DEFAULT_GAMMAS, Case, Conjecture, Verdict, exhaustive_cases, search_cases

__all__ = [
    "CONJECTURES",
    "conjecture",
    "copies_fraction",
    "fractional_copies",
    "load_predicate",
    "power_seeking_implies_optimal",
    "simplicity_bound",
]


# ----------------------------------------------------------------------
# E.9: POWER-seeking vs optimality probability


def power_seeking_implies_optimal(
    mdp: MDP,
    dist: RewardDistribution,
    gamma: Any,
    *,
    n_samples: int = 4000,
    z: float = 4.0,
    rng: Any = 0,
) -> Verdict:
    """Whether, at every state, an action seeking more POWER is at least as likely optimal.

    For each state s and actions a, a' with E_{s'~T(s,a)} POWER(s', γ) >
    E_{s'~T(s,a')} POWER(s', γ) (Def 5.6), checks P(s, a, γ) ≥ P(s, a', γ)
    (Def 4.4). Exact rationals where :mod:`powerseek.exact` applies (IID
    uniform on small deterministic MDPs, finite support); otherwise Monte Carlo
    on common samples, where a pair counts only when both differences exceed
    `z` standard errors. The margin is the smallest P(s, a) − P(s, a') over
    the POWER-seeking pairs.

    Parameters
    ----------
    mdp : MDP
        The environment.
    dist : RewardDistribution
        The distribution D of reward functions.
    gamma : float, str or Fraction in [0, 1]
        The discount rate γ.
    n_samples : int, default 4000
        Reward samples where the exact computation does not apply.
    z : float, default 4.0
        A Monte Carlo difference counts only beyond `z` standard errors.
    rng : None, int or numpy.random.Generator, default 0
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> from powerseek import load
    >>> verdict = power_seeking_implies_optimal(load("turner-fig10-reconstruction"), None, 1)
    >>> verdict.holds
    False
    >>> print(verdict.detail)
    at s1, N seeks more POWER than NE (3/4 > 2/3) but P(N) = 1/3 < 2/3 = P(NE)
    """
    from ..rewards import IID

    dist = IID() if dist is None else dist
    try:
        pairs = _exact_pairs(mdp, dist, gamma)
    except PowerseekError:
        pairs = _monte_carlo_pairs(mdp, dist, gamma, n_samples, z, rng)
    group = f"gamma={gamma}"
    if not pairs:
        return Verdict(None, "no action seeks strictly more POWER than another", group=group)
    worst = min(pairs, key=lambda p: p[0])
    margin, text = worst
    if margin < 0:
        return Verdict(False, text, float(margin), group, float(margin))
    return Verdict(True, text, float(margin), group, float(margin))


def simplicity_bound(mdp: MDP, dist: RewardDistribution, gamma: Any) -> Verdict:
    """Turner's simplicity-prior bound on a finite reward language, at the start state.

    For each pair of actions a, a' at the start where an involution φ maps
    F(s | a') into F(s | a) (Prop 6.9), checks P(a strictly optimal) ≥
    2^−bits(φ) · P(a' optimal) over the finite simplicity prior of
    :func:`powerseek.measures.simplicity_prior` (sums of up to two state indicators
    weighted ±1, each reward weighted by 2^−its description length); `dist` is not
    used, the prior takes its place. The margin and the value are the smallest
    log2 of P(a strictly optimal) / P(a' optimal) plus bits(φ).

    Parameters
    ----------
    mdp : MDP
        A deterministic environment.
    dist : RewardDistribution
        Not used: the finite simplicity prior is the distribution.
    gamma : float, str or Fraction in [0, 1]
        The discount rate γ.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> from powerseek import load
    >>> verdict = simplicity_bound(load("turner-fig1"), None, "9/10")
    >>> verdict.holds, round(verdict.margin, 3)
    (True, 17.565)
    """
    from ..measures import simplicity_prior
    from ..symmetry import find_action_copy

    del dist  # the prior is the language's
    group = f"gamma={gamma}"
    if not mdp.is_deterministic:
        return Verdict(None, "stated here for deterministic MDPs", group=group)
    start = _start(mdp)
    actions = mdp.actions_of(start)
    worst = None
    for a, other in itertools.permutations(actions, 2):
        copy = find_action_copy(mdp, start, a, other)
        if not copy.found or copy.permutation.is_identity:
            continue
        prior = simplicity_prior(mdp, start, a, other, gamma, symmetry=copy.permutation)
        if prior.p_other_optimal == 0:
            continue
        if prior.p_action_strict == 0:
            margin = -math.inf
        else:
            margin = math.log2(prior.ratio) + prior.symmetry_bits
        text = (
            f"at {label_text(start)}, {a} keeps a copy of {other}'s options (φ of "
            f"{prior.symmetry_bits} bits): P({a} strictly optimal) = {prior.p_action_strict}, "
            f"P({other} optimal) = {prior.p_other_optimal}"
        )
        if worst is None or margin < worst[0]:
            worst = (margin, text, bool(prior.holds))
    if worst is None:
        return Verdict(
            None, "no action at the start keeps a copy of another's options", group=group
        )
    margin, text, holds = worst
    return Verdict(holds, text, float(margin), group, float(margin))


def _exact_pairs(mdp: MDP, dist: RewardDistribution, gamma: Any) -> list[tuple]:
    g = as_fraction(gamma)
    power = exact_power(mdp, g, dist=dist)
    value = dict(zip(power.states, power.power))
    pairs = []
    for s in mdp.states:
        actions = mdp.actions_of(s)
        if len(actions) < 2:
            continue
        after = {
            a: sum(as_fraction(p) * value[t] for t, p in mdp.transition(s, a).items())
            for a in actions
        }
        seeking = [(a, b) for a in actions for b in actions if after[a] > after[b]]
        if not seeking:
            continue
        optimality = exact_optimality(mdp, g, state=s, dist=dist)
        for a, b in seeking:
            pa, pb = optimality.of(s, a), optimality.of(s, b)
            x, y = label_text(a), label_text(b)
            text = f"at {label_text(s)}, {x} seeks more POWER than {y} ({after[a]} > {after[b]}) "
            text += (
                f"but P({x}) = {pa} < {pb} = P({y})"
                if pa < pb
                else f"and P({x}) = {pa} ≥ {pb} = P({y})"
            )
            pairs.append((pa - pb, text))
    return pairs


def _monte_carlo_pairs(mdp, dist, gamma, n_samples, z, rng) -> list[tuple]:
    gamma = float(gamma)
    R = sample(dist, mdp, n_samples, rng=rng)
    power = power_samples(mdp, R, gamma)
    after = (mdp.transition_matrix @ power.T).T  # [sample, pair]
    optimal = optimal_actions(mdp, R, gamma).astype(float)
    pairs = []

    def significant(x: np.ndarray) -> tuple[float, float]:
        return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x)))

    for i, s in enumerate(mdp.states):
        offsets = range(mdp.pair_offsets[i], mdp.pair_offsets[i + 1])
        for ka, kb in itertools.permutations(offsets, 2):
            seek, seek_se = significant(after[:, ka] - after[:, kb])
            if seek <= z * seek_se or seek <= 0:
                continue
            d, d_se = significant(optimal[:, ka] - optimal[:, kb])
            a, b = mdp.actions[i][ka - offsets.start], mdp.actions[i][kb - offsets.start]
            violated = d < -z * d_se
            pairs.append(
                (
                    d if violated else max(d, 0.0),
                    f"at {label_text(s)}, {label_text(a)} seeks more POWER than {label_text(b)} "
                    f"(by {seek:.4f} ± {seek_se:.4f}) and P({label_text(a)}) - "
                    f"P({label_text(b)}) = {d:.4f} ± {d_se:.4f} ({n_samples} common samples)",
                )
            )
    return pairs


# ----------------------------------------------------------------------
# E.1 and E.3: orbit shares of terminal choices


def _start(mdp: MDP) -> Hashable:
    return mdp.metadata.get("start", mdp.states[0])


def _option_orbit(mdp: MDP, dist: RewardDistribution, gamma: Any):
    """Orbit counts of P(larger option set optimal) vs the smaller, or a Verdict(None)."""
    if as_fraction(gamma) != 1:
        return Verdict(None, "posed at gamma = 1, where the options are the terminal choices")
    if not isinstance(dist, FiniteSupport):
        return Verdict(None, "needs a point mass or finite-support distribution (exact orbits)")
    start = _start(mdp)
    actions = mdp.actions_of(start)
    if len(actions) != 2 or not mdp.is_deterministic:
        return Verdict(None, "needs a deterministic MDP whose start state has two actions")
    options = [one_cycle_options(mdp, start, a) for a in actions]
    if None in options:
        return Verdict(None, "each action must lead to a choice among 1-cycles")
    (one, other), (x, y) = options, actions
    if len(set(one) - set(other)) < len(set(other) - set(one)):
        (one, other), (x, y) = (other, one), (y, x)
    b_only, a_only = set(one) - set(other), set(other) - set(one)
    if not a_only:
        shared_only = f"every option after {label_text(y)} is also one after {label_text(x)}"
        return Verdict(None, shared_only)
    outcomes = sorted(set(one) | set(other), key=mdp.index)
    if len(outcomes) > MAX_OUTCOMES:
        return Verdict(None, f"more than {MAX_OUTCOMES} options to permute")
    column = {s: j for j, s in enumerate(outcomes)}
    C = np.eye(len(outcomes))
    B = C[[column[s] for s in one]]
    A = C[[column[s] for s in other]]
    atoms = dist.vectors[:, [mdp.index(s) for s in outcomes]]
    counts = rule_tendency(is_optimal, B, A, C, atoms, weights=dist.weights)
    return counts, len(b_only), len(a_only), len(outcomes) - len(b_only) - len(a_only), (x, y)


def _share(counts) -> float:
    strict = counts.greater + counts.less
    return counts.greater / strict if strict else 1.0


def _orbit_text(counts, names) -> str:
    x, y = (label_text(a) for a in names)
    return (
        f"over the {counts.orbit_size} orbit elements, P({x} optimal) > P({y} optimal) on "
        f"{counts.greater} and < on {counts.less}"
    )


def fractional_copies(mdp: MDP, dist: RewardDistribution, gamma: Any) -> Verdict:
    """RDSP Conj D.13 on a terminal choice: |{>}| ≥ (n/m)·|{<}| over the orbit.

    n and m count the options only the larger and only the smaller action
    reaches (options both reach are fixed by the involutions). The value
    tabulated is the share |{>}| / (|{>}| + |{<}|), to compare with n/(n+m).

    Parameters
    ----------
    mdp : MDP
        The environment.
    dist : RewardDistribution
        The distribution D of reward functions.
    gamma : float, str or Fraction in [0, 1]
        The discount rate γ.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> from powerseek.explore._families import terminal_choice
    >>> mdp = terminal_choice(3, 2)
    >>> point = FiniteSupport([[0, 0, 0, 5, 4, 3, 2, 1]])
    >>> verdict = fractional_copies(mdp, point, 1)
    >>> verdict.holds, verdict.value
    (True, 0.6)
    """
    found = _option_orbit(mdp, dist, gamma)
    if isinstance(found, Verdict):
        return found
    counts, n, m, shared, names = found
    if shared:
        return Verdict(None, "stated for disjoint option sets (the involutions fix the other A_j)")
    share, bound = _share(counts), n / (n + m)
    holds = counts.greater * m >= n * counts.less
    detail = f"{_orbit_text(counts, names)}; share {share:.4f} vs n/(n+m) = {n}/{n + m}"
    return Verdict(holds, detail, share - bound, f"n={n}, m={m}", share)


def copies_fraction(mdp: MDP, dist: RewardDistribution, gamma: Any) -> Verdict:
    """With n = ⌊|B∖A| / |A∖B|⌋ copies, the orbit share preferring B is ≥ n/(n+1).

    Parameters
    ----------
    mdp : MDP
        The environment.
    dist : RewardDistribution
        The distribution D of reward functions.
    gamma : float, str or Fraction in [0, 1]
        The discount rate γ.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> from powerseek.explore._families import terminal_choice
    >>> point = FiniteSupport([[0, 0, 0, 1, 2, 3, 4, 0]])
    >>> copies_fraction(terminal_choice(4, 1), point, 1).value
    0.8
    """
    found = _option_orbit(mdp, dist, gamma)
    if isinstance(found, Verdict):
        return found
    counts, n_only, m_only, shared, names = found
    copies = n_only // m_only
    share, bound = _share(counts), copies / (copies + 1)
    detail = f"{_orbit_text(counts, names)}; share {share:.4f} vs {copies}/{copies + 1}"
    group = f"copies={copies}" + (f", shared={shared}" if shared else "")
    return Verdict(share >= bound - 1e-12, detail, share - bound, group, share)


# ----------------------------------------------------------------------
# cases


def _weights(k: int) -> list[float]:
    return [1.0 / k] * k


@st.composite
def _terminal_choice_cases(draw, m_range: tuple, max_outcomes: int, max_shared: int) -> Case:
    """N ≥ m exclusive options (m in `m_range`), some shared, and 1-3 reward atoms on {0..3}."""
    m = draw(st.integers(*m_range))
    shared = draw(st.integers(0, max_shared))
    n = draw(st.integers(m, max(m, max_outcomes - m - shared)))
    mdp = terminal_choice(n, m, shared=shared)
    d = mdp.n_states - 3
    k = draw(st.integers(1, 3))
    rows = draw(
        st.lists(st.lists(st.integers(0, 3), min_size=d, max_size=d), min_size=k, max_size=k)
    )
    raw = draw(st.lists(st.integers(1, 4), min_size=k, max_size=k))
    weights = [w / sum(raw) for w in raw]
    return Case(mdp, FiniteSupport([[0, 0, 0, *row] for row in rows], weights), Fraction(1))


def _orbit_representatives(d: int, values: range, atoms: int) -> Iterator[np.ndarray]:
    """One θ per orbit: multisets of columns, each column `atoms` values."""
    columns = list(itertools.product(values, repeat=atoms))
    for multiset in itertools.combinations_with_replacement(columns, d):
        yield np.array(multiset, dtype=float).T  # [atoms, d]


def _terminal_choice_family(shapes, size: int) -> Iterator[Case]:
    """Point masses on {0,1,2,3} and equal mixtures of two on {0,1,2}, one per orbit."""
    for n, m, shared in shapes:
        mdp = terminal_choice(n, m, shared=shared)
        d = n + m + shared
        for atoms, values in ((1, range(4)), (2, range(3))):
            for theta in _orbit_representatives(d, values, atoms):
                vectors = np.hstack([np.zeros((atoms, 3)), theta])
                yield Case(mdp, FiniteSupport(vectors, _weights(atoms)), Fraction(1))


def _fractional_shapes(size: int):
    return [(n, m, 0) for m in range(2, size) for n in range(m, size - m + 1)]


def _copies_shapes(size: int):
    shapes = []
    for k in (1, 2):
        for shared in (0, 1):
            for copies in range(1, size):
                if k * (copies + 1) + shared <= size:
                    shapes.append((k * copies, k, shared))
    return shapes


CONJECTURES: dict[str, Conjecture] = {
    c.name: c
    for c in (
        Conjecture(
            "power-seeking-implies-optimal",
            "an action that seeks more POWER is at least as likely to be optimal",
            power_seeking_implies_optimal,
            source="theory.md §E.9 (OPT App. B, Props B.1/B.4; P-REV)",
            cases=lambda: search_cases(
                strategies.mdps(max_states=4, stochastic=False), gammas=DEFAULT_GAMMAS
            ),
            family=lambda size: exhaustive_cases(size),
            default_size=3,
            group_label="gamma",
        ),
        Conjecture(
            "simplicity-bound",
            "under a finite simplicity prior over rewards, an action keeping a copy of "
            "another's options is strictly optimal at least 2^-bits(phi) times as often as "
            "the other is optimal",
            simplicity_bound,
            source="impact.md §5 (Turner's simplicity-prior argument)",
            cases=lambda: search_cases(
                strategies.mdps(max_states=4, stochastic=False), gammas=DEFAULT_GAMMAS
            ),
            family=lambda size: exhaustive_cases(size),
            default_size=3,
            group_label="gamma",
        ),
        Conjecture(
            "fractional-copies",
            "with n options against m, at least n/(n+m) of every orbit prefers the n "
            "(|{>}| >= (n/m)|{<}|)",
            fractional_copies,
            source="theory.md §E.1 (RDSP Conj D.13)",
            cases=lambda: _terminal_choice_cases((2, 3), 7, 0),
            family=lambda size: _terminal_choice_family(_fractional_shapes(size), size),
            default_size=5,
            group_label="options",
            general=False,
            cases_text="terminal choices with finite-support rewards at gamma = 1",
        ),
        Conjecture(
            "copies-fraction",
            "with n copies of the smaller option set, at least n/(n+1) of every orbit "
            "prefers the larger, a share that tends to 1 as copies are added",
            copies_fraction,
            source="theory.md §E.3 (P-ENV; RDSP Thm D.11)",
            cases=lambda: _terminal_choice_cases((1, 2), 8, 1),
            family=lambda size: _terminal_choice_family(_copies_shapes(size), size),
            default_size=5,
            group_label="copies",
            general=False,
            cases_text="terminal choices with finite-support rewards at gamma = 1",
        ),
        Conjecture(
            "finite-time-tendency",
            "for every t past some T, value iteration truncated after t sweeps from a random "
            "initialisation keeps the optimal agent's >=_most tendency to keep options open",
            finite_time_tendency,
            source="theory.md §E.8 (RDSP §6.2)",
            cases=symmetric_start_cases,
            family=finite_time_family,
            default_size=3,
            group_label="procedure",
            general=False,
            cases_text="point masses on Figure 1 (right vs left at start)",
        ),
        Conjecture(
            "identical-rewards-power",
            "with identical rewards, the sum of POWER at every pure Bayesian Nash "
            "equilibrium equals the sum of best-case POWER",
            identical_rewards_power,
            source="theory.md §E.10 (P-MULTI final notes)",
            cases=lambda: common_payoff_games(),
            family=common_payoff_family,
            default_size=2,
            group_label="game",
            general=False,
            cases_text="small two-player games with identical rewards",
            subject="game",
        ),
    )
}


def conjecture(conjecture: Any) -> Conjecture:
    """A :class:`Conjecture` from a built-in's name, a Conjecture, or a predicate.

    Parameters
    ----------
    conjecture : str, Conjecture or callable
        A built-in conjecture's name, a Conjecture, or a predicate.

    Returns
    -------
    Conjecture

    Examples
    --------
    >>> conjecture("fractional-copies").source
    'theory.md §E.1 (RDSP Conj D.13)'
    """
    if isinstance(conjecture, Conjecture):
        return conjecture
    if isinstance(conjecture, str):
        if conjecture not in CONJECTURES:
            raise InvalidParameterError(
                f"{conjecture!r} is not a built-in conjecture; the built-ins are "
                f"{', '.join(CONJECTURES)}."
            )
        return CONJECTURES[conjecture]
    if callable(conjecture):
        return Conjecture.from_predicate(conjecture)
    raise InvalidTypeError(
        "conjecture must be a built-in's name, a Conjecture, or a predicate "
        f"f(mdp, dist, gamma); got {type(conjecture).__name__}."
    )


def load_predicate(spec: str) -> Callable[..., Any]:
    """The predicate named by ``FILE.py:NAME`` or ``package.module:NAME``.

    Parameters
    ----------
    spec : str
        ``FILE.py:NAME`` or ``package.module:NAME``.

    Returns
    -------
    callable
        The function ``NAME`` of the file or module.

    Examples
    --------
    >>> load_predicate("powerseek.explore:fractional_copies").__name__
    'fractional_copies'
    """
    import importlib
    import importlib.util

    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name.isidentifier():
        raise InvalidParameterError(
            f"a predicate is named FILE.py:FUNCTION or package.module:FUNCTION; got {spec!r}."
        )
    if where.endswith(".py"):
        from ..io import is_file

        path = Path(where)
        if not is_file(path):
            raise InvalidParameterError(f"the predicate file {where!r} does not exist.")
        module_spec = importlib.util.spec_from_file_location(f"_powerseek_user_{path.stem}", path)
        module = importlib.util.module_from_spec(module_spec)
        try:
            module_spec.loader.exec_module(module)
        except Exception as error:
            raise InvalidParameterError(
                f"importing {where!r} failed: {type(error).__name__}: {str(error).rstrip('.')}."
            ) from error
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as error:
            raise InvalidParameterError(
                f"cannot import {where!r}: {str(error).rstrip('.')}."
            ) from None
    predicate = getattr(module, name, None)
    if not callable(predicate):
        raise InvalidParameterError(
            f"{where!r} has no function {name!r}"
            + ("" if predicate is None else f" ({name} is a {type(predicate).__name__})")
            + "."
        )
    return predicate
