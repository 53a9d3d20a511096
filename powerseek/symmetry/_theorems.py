"""Which power-seeking theorems apply to a pair of states or actions, and checks.

For a state pair (s, s') or an action pair (a, a') at s, a report lists each
theorem of Turner et al. whose hypotheses powerseek can decide, whether they
hold (with the witness permutation), what the theorem then predicts, and a
numerical verification of the prediction:

* **Prop 6.6** (s has more options than s'): POWER(s) ≥_most POWER(s') at every
  γ; strict under IID continuous rewards when F_nd(s) ∖ φ·F_nd(s') ≠ ∅.
  Verified by the per-sample transport inequality
  POWER_r(s') ≤ POWER_{φ·r}(s) (Lemma E.21) on random r, by exact orbit counts
  of point masses, and by the IID difference with its margin in standard
  errors.
* **Prop 6.12** (γ -> 1): if RSD(s) contains a copy of RSD_nd(s'), then
  POWER(s, 1) ≥_most POWER(s', 1); verified by transport at γ = 1, orbit counts
  and the IID margin.
* **Prop 6.9** (a keeps more options open than a'): (1) if s ∉ Reach(s, a'), the
  expected POWER after a ≥_most after a'; (2) under the bottleneck condition,
  P(s, a, γ) ≥_most P(s, a', γ). Verified by transport: if a' is optimal for r
  then a is optimal for φ·r (Lemma E.27), by orbit counts and by the IID margin.
* **RDSP Thm D.11 / Cor D.12** (n copies of 1-cycles, γ -> 1): when every
  recurrent distribution after a' and after a is a distinct 1-cycle and a's
  hold n copies of a''s, at least n/(n+1) of every orbit prefers a. Verified
  by orbit counts.

A failed verification means a bug or a false hypothesis; it is reported with
the reward vector that shows it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gammas, label_text, make_rng
from ..agents import as_rule, rule_policy
from ..analysis import optimal_actions, power_samples
from ..budget import Budget
from ..exceptions import InvalidTypeError
from ..frames import Tabular, attrs_of, data_frame
from ..mdp import MDP
from ..rewards import FiniteSupport
from ..visits import one_cycle_options
from ._environmental import (
    CopyResult,
    Permutation,
    find_action_copy,
    find_rsd_copy,
    find_state_copy,
)
from ._orbits import action_optimality, compare_over_orbit, power_of, rule_choice, successor_power

__all__ = ["Check", "TheoremReport", "Verification", "check_actions", "check_states"]

#: Margin, in standard errors, for the strict IID predictions.
IID_MARGIN = 5.0

#: Choice probabilities closer than this count as equal in the retargeting check.
RULE_TOL = 1e-9

#: Draws of a randomised rule averaged per reward vector in the retargeting check.
RULE_REPEATS = 256

#: Orbit elements sampled per point mass for a randomised rule.
RULE_ORBIT_DRAWS = 200


@dataclass(frozen=True)
class Verification:
    """One numerical check of a prediction.

    ``passed`` is True, False (a counterexample was found) or None (not run).

    Attributes
    ----------
    name : str
        What was checked.
    passed : bool or None
        True, False (a counterexample was found) or None (not run).
    detail : str
        The numbers behind the verdict.
    counterexample : array_like or None
        A reward function that refutes the prediction, if one was found.

    """

    name: str
    passed: bool | None
    detail: str
    counterexample: Any = None

    def to_dict(self) -> dict[str, Any]:
        """The verification as JSON-ready data."""
        return {
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
            "counterexample": (
                None
                if self.counterexample is None
                else np.asarray(self.counterexample, dtype=float).tolist()
            ),
        }


@dataclass(frozen=True)
class Check:
    """One theorem: its hypotheses, what it predicts, and the verifications.

    Attributes
    ----------
    theorem : str
        The theorem's name and number.
    statement : str
        What the theorem says.
    hypotheses : dict
        Each hypothesis and whether it holds.
    applies : bool
        Whether every hypothesis holds.
    witness : Permutation or None
        The permutation that makes the hypotheses hold.
    prediction : str
        What the theorem predicts here.
    verifications : tuple of Verification
        The numerical checks of the prediction.
    reason : str
        Why the theorem does not apply, when it does not.

    """

    theorem: str
    statement: str
    hypotheses: dict
    applies: bool
    witness: Permutation | None
    prediction: str
    verifications: tuple = ()
    reason: str = ""

    @property
    def failed(self) -> bool:
        """Whether any of its verifications failed."""
        return any(v.passed is False for v in self.verifications)

    def to_dict(self) -> dict[str, Any]:
        """The check as JSON-ready data."""
        return {
            "theorem": self.theorem,
            "statement": self.statement,
            "hypotheses": self.hypotheses,
            "applies": self.applies,
            "witness": (
                [[label_text(s) for s in cycle] for cycle in self.witness.cycles()]
                if self.witness is not None
                else None
            ),
            "prediction": self.prediction,
            "reason": self.reason,
            "verifications": [v.to_dict() for v in self.verifications],
            "failed": self.failed,
        }


@compact_repr
@dataclass(frozen=True)
class TheoremReport(Tabular):
    """The checks for one state pair or action pair.

    Attributes
    ----------
    environment : str or None
        The environment's name.
    subject : str
        The state pair or action pair compared.
    gammas : tuple of float
        The discount rates checked.
    checks : tuple of Check
        One check per theorem.

    """

    environment: str | None
    subject: str
    gammas: tuple
    checks: tuple = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        """True if any verification found a counterexample."""
        return any(check.failed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "environment": self.environment,
            "subject": self.subject,
            "gammas": list(self.gammas),
            "failed": self.failed,
            "checks": [check.to_dict() for check in self.checks],
        }

    def to_frame(self):
        """One row per verification of each check (one row for a check without any).

        Columns ``subject``, ``theorem``, ``applies``, ``prediction``,
        ``verification``, ``passed`` (True, False or None) and ``detail``;
        ``environment`` and ``gammas`` are in ``attrs``.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        rows = []
        for check in self.checks:
            for v in check.verifications or (None,):
                rows.append(
                    (
                        check.theorem,
                        check.applies,
                        check.prediction,
                        None if v is None else v.name,
                        None if v is None else v.passed,
                        check.reason if v is None else v.detail,
                    )
                )
        names = ("theorem", "applies", "prediction", "verification", "passed", "detail")
        columns = {"subject": [self.subject] * len(rows)}
        columns.update({name: [row[i] for row in rows] for i, name in enumerate(names)})
        return columns, attrs_of({"environment": self.environment}, gammas=list(self.gammas))

    def describe(self) -> str:
        """The report as readable text, one check per paragraph."""
        lines = [f"{self.environment or 'environment'}: {self.subject}"]
        for check in self.checks:
            status = "applies" if check.applies else "does not apply"
            lines += ["", f"{check.theorem} {status}: {check.statement}"]
            for name, value in check.hypotheses.items():
                shown = ("yes" if value else "no") if isinstance(value, bool) else value
                lines.append(f"  hypothesis {name}: {shown}")
            if check.witness is not None:
                lines.append(f"  witness: {check.witness!r}")
            if check.reason:
                lines.append(f"  {check.reason}")
            if check.applies:
                lines.append(f"  prediction: {check.prediction}")
            for v in check.verifications:
                mark = {True: "ok", False: "FAILED", None: "not run"}[v.passed]
                lines.append(f"  [{mark}] {v.name}: {v.detail}")
                if v.counterexample is not None:
                    vector = np.round(v.counterexample, 6).tolist()
                    lines.append(f"      counterexample reward vector: {vector}")
        if self.failed:
            lines += ["", "A VERIFICATION FAILED: this is a bug or a false hypothesis."]
        return "\n".join(lines) + "\n"


def _rewards(mdp: MDP, n: int, rng) -> np.ndarray:
    # signed rewards: the transport inequalities hold for every reward function
    return rng.uniform(-1.0, 1.0, size=(n, mdp.n_states))


def _orbit_points(mdp: MDP, count: int, rng) -> list[FiniteSupport]:
    return [FiniteSupport([rng.random(mdp.n_states)]) for _ in range(count)]


def _share(result) -> str:
    """The share of the orbit with f1 ≥ f2, with its interval when sampled."""
    if not result.sampled:
        return f"{result.fraction:.3f}"
    low, high = result.fraction_interval
    return f"{result.fraction:.3f} (sampled, 95% {low:.3f}-{high:.3f})"


def _iid_margin(difference: np.ndarray, strict: bool, label: str) -> Verification:
    """The IID prediction and its check in standard errors.

    The IID prediction: difference ≥ 0, and > 0 when strict. A difference more
    than IID_MARGIN standard errors below 0 contradicts it; a strict one not yet
    IID_MARGIN above 0 is inconclusive at this sample size.
    """
    mean = float(difference.mean())
    se = float(difference.std(ddof=1) / np.sqrt(len(difference)))
    ratio = mean / se if se else (np.inf if mean > 0 else -np.inf if mean < 0 else 0.0)
    summary = f"{label}: difference {mean:.4g} ± {se:.2g} (uniform rewards, common samples)"
    if ratio < -IID_MARGIN:
        return Verification("IID uniform", False, f"{summary}: {-ratio:.1f} SE below 0")
    if not strict:
        return Verification("IID uniform", True, f"{summary}: not below 0")
    if ratio > IID_MARGIN:
        return Verification(
            "IID uniform",
            True,
            f"{summary}: strictly positive by {ratio:.1f} SE (> {IID_MARGIN:g})",
        )
    return Verification(
        "IID uniform",
        None,
        f"{summary}: {ratio:.1f} SE above 0, short of the {IID_MARGIN:g} SE the "
        "strict prediction needs; inconclusive at this sample size",
    )


def check_states(
    mdp: MDP,
    state: Hashable,
    other: Hashable,
    *,
    gammas: Sequence[float] = (0.1, 0.5, 0.9),
    n_samples: int = 2000,
    n_orbits: int = 3,
    rng: Any = None,
    time_limit: float | None = None,
    progress: bool | None = False,
    cpu_limit: float | None = None,
) -> TheoremReport:
    """Check Prop 6.6 for `state` against `other`: does `state` seek more POWER?

    The search for the witness permutation grows exponentially with the MDP:
    `time_limit` (wall-clock seconds; None for none) or `cpu_limit` (CPU seconds of
    this process, the same on a loaded machine) bounds it, and past it a
    :class:`~powerseek.exceptions.SearchLimitError` says what was being done and how
    far it got; `progress` shows a bar (None: when stderr is a terminal).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    other : hashable
        The state compared with `state`.
    gammas : sequence of float, default (0.1, 0.5, 0.9)
        Discounts of the transport checks.
    n_samples : int, default 2000
        Reward samples for the transport and IID checks.
    n_orbits : int, default 3
        Random point masses whose orbits are counted.
    rng : None, int or numpy.random.Generator
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    time_limit : float, optional
        Wall-clock seconds for the copy searches; default none.
    progress : bool or None, default False
        Progress bars for the long searches.
    cpu_limit : float, optional
        CPU seconds of this process for the copy searches; default none.

    Returns
    -------
    TheoremReport

    See Also
    --------
    check_actions : The same for two actions of a state.
    find_state_copy : The copy search the check starts from.
    powerseek.power_seeking : The numerical comparison alone.

    Examples
    --------
    >>> from powerseek import load
    >>> report = check_states(load("turner-fig1"), "right_down", "left_down", n_samples=500,
    ...                       n_orbits=1, rng=0)
    >>> check = report.checks[0]
    >>> check.applies, report.failed, [v.passed for v in check.verifications]
    (True, False, [True, True, True])
    """
    subject = f"states {label_text(state)} vs {label_text(other)}"

    def checks(gammas, generator, budget):
        first = _prop_6_6(mdp, state, other, gammas, n_samples, n_orbits, generator, budget)
        yield first
        if first.applies:  # Prop 6.12 (γ = 1) is checked where the copy exists
            yield _prop_6_12(mdp, state, other, n_samples, n_orbits, generator, budget)

    return _report(mdp, subject, gammas, rng, time_limit, progress, cpu_limit, checks)


def _report(mdp, subject, gammas, rng, time_limit, progress, cpu_limit, checks) -> TheoremReport:
    """The body :func:`check_states` and :func:`check_actions` share.

    Validates the MDP and the discounts, seeds one generator and starts one
    budget, then collects the checks that ``checks(gammas, generator, budget)``
    yields, in order: each draws from the generator after the one before it.
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    gammas = check_gammas(list(gammas))
    generator = make_rng(rng)
    budget = Budget(time_limit, progress, cpu_limit=cpu_limit)
    return TheoremReport(mdp.name, subject, gammas, tuple(checks(gammas, generator, budget)))


def _prop_6_6(mdp, state, other, gammas, n_samples, n_orbits, generator, budget) -> Check:
    copy = find_state_copy(mdp, state, other, budget=budget)
    statement = (
        f"{label_text(state)} has more options than {label_text(other)}: F("
        f"{label_text(state)}) contains a copy of F_nd({label_text(other)}) via an "
        "involution φ"
    )
    hypotheses = {
        "copy of F_nd": copy.found,
        "extra non-dominated option (strict)": bool(copy.strict),
    }
    prediction = (
        f"POWER({label_text(state)}, γ) ≥_most POWER({label_text(other)}, γ) at every γ"
        + ("; strictly larger under IID continuous rewards" if copy.strict else "")
    )
    if not copy.found:
        return Check("Prop 6.6", statement, hypotheses, False, None, prediction, (), copy.reason)
    phi = copy.permutation
    i, j = mdp.index(state), mdp.index(other)
    verifications = []
    R = _rewards(mdp, n_samples, generator)
    worst = None
    for gamma in gammas:
        lhs = power_samples(mdp, R, gamma)[:, j]
        rhs = power_samples(mdp, phi.apply(R), gamma)[:, i]
        bad = np.flatnonzero(lhs > rhs + 1e-9 * np.maximum(1, np.abs(rhs)))
        if bad.size and worst is None:
            worst = R[bad[0]]
    verifications.append(
        Verification(
            "transport (Lemma E.21)",
            worst is None,
            f"POWER_r({label_text(other)}) ≤ POWER_φr({label_text(state)}) for {n_samples} reward "
            f"vectors in [-1, 1] at γ = {', '.join(f'{g:g}' for g in gammas)}",
            worst,
        )
    )
    orbit_ok, fractions, example = True, [], None
    for point in _orbit_points(mdp, n_orbits, generator):
        budget.check("counting orbits")
        result = compare_over_orbit(
            mdp,
            point,
            power_of(mdp, state, gammas[-1]),
            power_of(mdp, other, gammas[-1]),
            rng=generator,
        )
        fractions.append(_share(result))
        if result.contradicts_most():
            orbit_ok, example = False, result.counterexample
    verifications.append(
        Verification(
            "orbit counts (Def 6.5)",
            orbit_ok,
            f"|{{>}}| ≥ |{{<}}| on the orbits of {n_orbits} random point masses at γ = "
            f"{gammas[-1]:g}; share with POWER({label_text(state)}) ≥ POWER({label_text(other)}): "
            + ", ".join(fractions),
            example,
        )
    )
    U = generator.random((n_samples, mdp.n_states))
    difference = power_samples(mdp, U, gammas[-1])[:, i] - power_samples(mdp, U, gammas[-1])[:, j]
    verifications.append(_iid_margin(difference, bool(copy.strict), f"γ = {gammas[-1]:g}"))
    return Check(
        "Prop 6.6", statement, hypotheses, True, phi, prediction, tuple(verifications), copy.reason
    )


def check_actions(
    mdp: MDP,
    state: Hashable,
    action: Hashable,
    other: Hashable,
    *,
    gammas: Sequence[float] = (0.1, 0.5, 0.9),
    n_samples: int = 2000,
    n_orbits: int = 3,
    rng: Any = None,
    time_limit: float | None = None,
    progress: bool | None = False,
    cpu_limit: float | None = None,
    rule: Any = None,
) -> TheoremReport:
    """Check Prop 6.9 and RDSP Thm D.11 for `action` against `other` at `state`.

    `time_limit`, `cpu_limit` and `progress` bound and show the search as in
    :func:`check_states`.
    With a decision `rule` (:mod:`powerseek.agents`) the report adds RDSP's
    retargetability check for that rule's choice probabilities (Def 3.5, Thm 3.6).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable
        An action available at `state`, by its label.
    other : hashable
        The action compared with `action`, at the same state.
    gammas : sequence of float, default (0.1, 0.5, 0.9)
        Discounts of the transport checks.
    n_samples : int, default 2000
        Reward samples for the transport and IID checks.
    n_orbits : int, default 3
        Random point masses whose orbits are counted.
    rng : None, int or numpy.random.Generator
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    time_limit : float, optional
        Wall-clock seconds for the copy searches; default none.
    progress : bool or None, default False
        Progress bars for the long searches.
    cpu_limit : float, optional
        CPU seconds of this process for the copy searches; default none.
    rule : DecisionRule or str, optional
        A bounded decision-maker whose tendency to choose `action` is checked too.

    Returns
    -------
    TheoremReport

    See Also
    --------
    check_states : The same for two states.
    find_action_copy : The copy search the check starts from.
    check_retargetable : RDSP's retargetability of a decision rule.

    Examples
    --------
    >>> from powerseek import load
    >>> report = check_actions(load("candy-wait"), "start", "wait", "candy", n_samples=500,
    ...                        n_orbits=2, rng=0)
    >>> [(c.theorem, c.applies) for c in report.checks]
    [('Prop 6.9', False), ('RDSP Thm D.11', True)]
    >>> report.failed
    False
    """
    subject = f"actions {label_text(action)} vs {label_text(other)} at {label_text(state)}"

    def checks(gammas, generator, budget):
        yield _prop_6_9(mdp, state, action, other, gammas, n_samples, n_orbits, generator, budget)
        yield _rdsp_d11(mdp, state, action, other, n_orbits, generator, budget)
        if rule is not None:
            yield _rdsp_rule(
                mdp,
                state,
                action,
                other,
                as_rule(rule),
                gammas,
                n_samples,
                n_orbits,
                generator,
                budget,
            )

    return _report(mdp, subject, gammas, rng, time_limit, progress, cpu_limit, checks)


def _prop_6_9(mdp, state, action, other, gammas, n_samples, n_orbits, generator, budget) -> Check:
    copy: CopyResult = find_action_copy(mdp, state, action, other, budget=budget)
    s, a, b = label_text(state), label_text(action), label_text(other)
    statement = (
        f"F({s} | π({s}) = {a}) contains a copy of F({s} | π({s}) = {b}) via an "
        f"involution φ fixing {s}"
    )
    no_return = not copy.details.get("revisits_state_after_other", True)
    bottleneck = bool(copy.details.get("bottleneck", False))
    hypotheses = {
        "copy": copy.found,
        f"{s} not in Reach({s}, {b}) (part 1)": no_return,
        "bottleneck (part 2)": bottleneck,
        "extra non-dominated option (strict)": bool(copy.strict),
    }
    parts = []
    if no_return:
        parts.append(f"E POWER after {a} ≥_most E POWER after {b}")
    if bottleneck:
        parts.append(f"P({s}, {a}, γ) ≥_most P({s}, {b}, γ)")
    prediction = (
        "; ".join(parts) + (" (strict under IID continuous rewards)" if copy.strict else "")
        if parts
        else "nothing (neither part's condition holds)"
    )
    if not copy.found or not parts:
        return Check(
            "Prop 6.9", statement, hypotheses, False, copy.permutation, prediction, (), copy.reason
        )
    phi = copy.permutation
    verifications = []
    k_a, k_b = mdp.pair_index(state, action), mdp.pair_index(state, other)
    R = _rewards(mdp, n_samples, generator)
    if bottleneck:
        worst = None
        for gamma in gammas:
            original = optimal_actions(mdp, R, gamma)[:, k_b]
            mapped = optimal_actions(mdp, phi.apply(R), gamma)[:, k_a]
            bad = np.flatnonzero(original & ~mapped)
            if bad.size and worst is None:
                worst = R[bad[0]]
        verifications.append(
            Verification(
                "transport (Lemma E.27)",
                worst is None,
                f"whenever {b} is optimal for r, {a} is optimal for φ·r: {n_samples} reward "
                f"vectors at γ = {', '.join(f'{g:g}' for g in gammas)}",
                worst,
            )
        )
    f1 = (
        action_optimality(mdp, state, action, gammas[-1])
        if bottleneck
        else successor_power(mdp, state, action, gammas[-1])
    )
    f2 = (
        action_optimality(mdp, state, other, gammas[-1])
        if bottleneck
        else successor_power(mdp, state, other, gammas[-1])
    )
    orbit_ok, fractions, example = True, [], None
    for point in _orbit_points(mdp, n_orbits, generator):
        budget.check("counting orbits")
        result = compare_over_orbit(mdp, point, f1, f2, rng=generator)
        fractions.append(_share(result))
        if result.contradicts_most():
            orbit_ok, example = False, result.counterexample
    verifications.append(
        Verification(
            "orbit counts (Def 6.5)",
            orbit_ok,
            f"|{{>}}| ≥ |{{<}}| for {f1.name} vs {f2.name} on the orbits of {n_orbits} random "
            f"point masses; share with ≥: " + ", ".join(fractions),
            example,
        )
    )
    U = generator.random((n_samples, mdp.n_states))
    difference = f1.per_sample(U) - f2.per_sample(U)
    verifications.append(_iid_margin(difference, bool(copy.strict), f"{f1.name} − {f2.name}"))
    return Check(
        "Prop 6.9", statement, hypotheses, True, phi, prediction, tuple(verifications), copy.reason
    )


def _rdsp_d11(mdp, state, action, other, n_orbits, generator, budget) -> Check:
    s, a, b = label_text(state), label_text(action), label_text(other)
    statement = (
        f"the recurrent distributions after {a} hold n copies of those after {b}, all "
        "distinct 1-cycles"
    )
    hypotheses: dict[str, Any] = {}
    reason = ""
    applies = False
    n = 0
    if mdp.is_deterministic:
        after_a = one_cycle_options(mdp, state, action)
        after_b = one_cycle_options(mdp, state, other)
        units = after_a is not None and after_b is not None
        hypotheses["every RSD a 1-cycle"] = units
        if units:
            disjoint = not (set(after_a) & set(after_b))
            hypotheses["disjoint"] = disjoint
            n = len(after_a) // len(after_b) if disjoint and after_b else 0
            hypotheses["n copies"] = n
            applies = disjoint and n >= 1
            if not applies:
                reason = "the 1-cycles after the two actions overlap or are too few for a copy"
        else:
            reason = "some recurrent distribution after one of the actions is not a 1-cycle"
    else:
        hypotheses["deterministic"] = False
        reason = "decided for deterministic MDPs (via their cycles)"
    prediction = (
        f"P({s}, {a}, 1) ≥^{n}_most P({s}, {b}, 1): at least {n}/{n + 1} of every orbit "
        f"prefers {a} as γ -> 1"
    )
    if not applies:
        return Check("RDSP Thm D.11", statement, hypotheses, False, None, prediction, (), reason)
    f1 = action_optimality(mdp, state, action, 1.0)
    f2 = action_optimality(mdp, state, other, 1.0)
    ok, fractions, example = True, [], None
    for point in _orbit_points(mdp, n_orbits, generator):
        budget.check("counting orbits")
        result = compare_over_orbit(mdp, point, f1, f2, rng=generator)
        fractions.append(_share(result))
        if result.contradicts_share(n / (n + 1)):
            ok, example = False, result.counterexample
    verification = Verification(
        "orbit fraction (Lemma B.2/B.3)",
        ok,
        f"share of the orbit with P({s}, {a}, 1) ≥ P({s}, {b}, 1) on {n_orbits} random point "
        f"masses: " + ", ".join(fractions) + f" (bound {n}/{n + 1})",
        example,
    )
    return Check("RDSP Thm D.11", statement, hypotheses, True, None, prediction, (verification,))


def _rdsp_rule(
    mdp, state, action, other, rule, gammas, n_samples, n_orbits, generator, budget
) -> Check:
    """RDSP Def 3.5 / Thm 3.6 for a decision rule's choice between two actions.

    When φ·F(s | π(s) = b) ⊆ F(s | π(s) = a) for an involution φ fixing s,
    Q*_{φ·r}(s, a) ≥ Q*_r(s, b) and Q*_{φ·r}(s, b) ≤ Q*_r(s, a) for every r, so a
    rule that ranks a state's actions by Q* (optimal, Boltzmann, satisficer) is
    retargetable from b to a: whenever it prefers b under r it prefers a under
    φ·r. That transport, checked per sample, gives the orbit tendency
    P_d(s, a) ≥_most P_d(s, b); rules that ignore rewards (a stubborn one) fail it.
    """
    s, a, b = label_text(state), label_text(action), label_text(other)
    statement = (
        f"{rule} is (Θ, {b} → {a})-retargetable at {s}: F({s} | π({s}) = {a}) contains a "
        f"copy of F({s} | π({s}) = {b}) via an involution φ fixing {s}"
    )
    prediction = f"P_{rule}({s}, {a}, γ) ≥_most P_{rule}({s}, {b}, γ)"
    copy: CopyResult = find_action_copy(mdp, state, action, other, budget=budget)
    hypotheses = {"copy": copy.found}
    if not copy.found:
        return Check(
            "RDSP Thm 3.6 (rule)", statement, hypotheses, False, None, prediction, (), copy.reason
        )
    for gamma in gammas:
        rule.check_gamma(gamma)
    phi = copy.permutation
    R = _rewards(mdp, n_samples, generator)
    # a randomised rule's choice is an average of RULE_REPEATS draws: differences within
    # 4 standard errors of it (at most 0.5/sqrt(repeats) each) are noise, not a preference
    tol = 4 * np.sqrt(2) * 0.5 / np.sqrt(RULE_REPEATS) if rule.randomised else RULE_TOL
    worst, tested, broken = None, 0, 0
    k_a, k_b = mdp.pair_index(state, action), mdp.pair_index(state, other)
    copies = RULE_REPEATS if rule.randomised else 1
    mapped = phi.apply(R)
    for gamma in gammas:
        budget.check("checking retargetability")
        choices = []
        for rewards in (R, mapped):
            pi = rule_policy(mdp, np.repeat(rewards, copies, axis=0), gamma, rule, rng=1)
            choices.append(pi[:, [k_a, k_b]].reshape(len(R), copies, 2).mean(axis=1))
        (before_a, before_b), (after_a, after_b) = choices[0].T, choices[1].T
        prefers_b = before_b > before_a + tol
        bad = prefers_b & (after_a < after_b - tol)
        tested += int(prefers_b.sum())
        broken += int(bad.sum())
        if bad.any() and worst is None:
            worst = R[np.flatnonzero(bad)[0]]
    transport = Verification(
        "retargeting (Def 3.5)",
        worst is None,
        f"whenever {rule} prefers {b} for r it does not prefer {b} for φ·r: {broken} of "
        f"{tested} reward vectors preferring {b} break it (of {n_samples} at γ = "
        f"{', '.join(f'{g:g}' for g in gammas)})",
        worst,
    )
    f1 = rule_choice(mdp, state, action, gammas[-1], rule, repeats=RULE_REPEATS)
    f2 = rule_choice(mdp, state, other, gammas[-1], rule, repeats=RULE_REPEATS)
    # a randomised rule costs RULE_REPEATS runs per element: sample its orbits
    sizes = {"max_elements": 0, "n_draws": RULE_ORBIT_DRAWS} if rule.randomised else {}
    orbit_ok, fractions, example = True, [], None
    for point in _orbit_points(mdp, n_orbits, generator):
        budget.check("counting orbits")
        result = compare_over_orbit(
            mdp, point, f1, f2, rng=generator, tie_tol=max(tol, 1e-9), **sizes
        )
        fractions.append(_share(result))
        if result.contradicts_most():
            orbit_ok, example = False, result.counterexample
    orbit = Verification(
        "orbit counts (Thm 3.6)",
        orbit_ok,
        f"|{{>}}| ≥ |{{<}}| for {f1.name} vs {f2.name} on the orbits of {n_orbits} random "
        f"point masses; share with ≥: " + ", ".join(fractions),
        example,
    )
    return Check(
        "RDSP Thm 3.6 (rule)", statement, hypotheses, True, phi, prediction, (transport, orbit)
    )


def _prop_6_12(mdp, state, other, n_samples, n_orbits, generator, budget) -> Check:
    s, o = label_text(state), label_text(other)
    statement = f"RSD({s}) contains a copy of RSD_nd({o}) via an involution φ"
    prediction = f"POWER({s}, 1) ≥_most POWER({o}, 1)"
    if not mdp.is_deterministic:
        return Check(
            "Prop 6.12",
            statement,
            {"deterministic": False},
            False,
            None,
            prediction,
            (),
            "RSD copies are searched for deterministic MDPs",
        )
    copy = find_rsd_copy(mdp, state, other, budget=budget)
    hypotheses = {
        "copy of RSD_nd": copy.found,
        "extra non-dominated RSD (strict)": bool(copy.strict),
    }
    if copy.strict:
        prediction += "; strictly larger under IID continuous rewards"
    if not copy.found:
        return Check("Prop 6.12", statement, hypotheses, False, None, prediction, (), copy.reason)
    phi = copy.permutation
    i, j = mdp.index(state), mdp.index(other)
    R = _rewards(mdp, n_samples, generator)
    lhs = power_samples(mdp, R, 1.0)[:, j]
    rhs = power_samples(mdp, phi.apply(R), 1.0)[:, i]
    bad = np.flatnonzero(lhs > rhs + 1e-9 * np.maximum(1, np.abs(rhs)))
    verifications = [
        Verification(
            "transport (γ = 1)",
            not bad.size,
            f"POWER_r({o}, 1) ≤ POWER_φr({s}, 1) for {n_samples} reward vectors in [-1, 1]",
            R[bad[0]] if bad.size else None,
        )
    ]
    orbit_ok, fractions, example = True, [], None
    for point in _orbit_points(mdp, n_orbits, generator):
        budget.check("counting orbits")
        result = compare_over_orbit(
            mdp, point, power_of(mdp, state, 1.0), power_of(mdp, other, 1.0), rng=generator
        )
        fractions.append(_share(result))
        if result.contradicts_most():
            orbit_ok, example = False, result.counterexample
    verifications.append(
        Verification(
            "orbit counts (Def 6.5)",
            orbit_ok,
            f"|{{>}}| ≥ |{{<}}| on the orbits of {n_orbits} random point masses at γ = 1; share "
            "with ≥: " + ", ".join(fractions),
            example,
        )
    )
    U = generator.random((n_samples, mdp.n_states))
    difference = power_samples(mdp, U, 1.0)[:, i] - power_samples(mdp, U, 1.0)[:, j]
    verifications.append(_iid_margin(difference, bool(copy.strict), "γ = 1"))
    return Check(
        "Prop 6.12", statement, hypotheses, True, phi, prediction, tuple(verifications), copy.reason
    )
