"""Search for counterexamples to conjectures about power-seeking.

A conjecture is a predicate over a :class:`Case`: an MDP, a reward
distribution and a discount γ. It returns True where the conjecture holds,
False where the case refutes it, None where the conjecture says nothing (its
hypotheses fail), or a :class:`Verdict` that adds an explanation, a margin
(how far from failing) and a finding to tabulate. Built from powerseek's own
quantities (POWER, optimality probabilities, orbit counts, exact rationals),
the predicate is then

* **searched** by :func:`explore`: hypothesis draws cases (from
  :mod:`powerseek.explore.strategies` by default), steers toward small margins and, on
  a failure, shrinks the case to a small readable counterexample. A seed makes
  the search reproducible; or
* **swept** by :func:`sweep` over a finite family, e.g. every deterministic MDP
  on up to 3 states (:func:`exhaustive_cases`), counting every violation.

Both return an :class:`Exploration`: cases tried, violations, the
counterexample (which :meth:`Exploration.save_counterexample` writes as an
environment file plus a distribution file, ready for ``powerseek power``),
the case closest to failing, and per-group findings. The built-in conjectures
of theory.md §E live in :mod:`powerseek.explore._conjectures`; name one instead of
passing a predicate.

Examples
--------
A false conjecture: every state's POWER is at most 1/2 under IID uniform
rewards on [0, 1].

>>> from powerseek.exact import exact_power
>>> def at_most_half(mdp, dist, gamma):
...     return max(exact_power(mdp, gamma).power) <= 0.5
>>> result = explore(at_most_half, max_examples=50, seed=1)
>>> result.holds
False
>>> print(result.counterexample.describe())
MDP (2 states: s0 -> s0; s1 -> s0, s1); rewards iid uniform(0, 1); gamma 0
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, assume, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from .._display import compact_repr
from .._progress import progress_bar
from .._validation import label_text
from ..exceptions import InvalidParameterError, InvalidTypeError, PredicateError
from ..frames import Tabular, attrs_of, data_frame
from ..mdp import MDP
from ..rewards import IID, RewardDistribution
from . import strategies
from ._families import deterministic_mdps

__all__ = [
    "DEFAULT_GAMMAS",
    "Case",
    "Conjecture",
    "Exploration",
    "Finding",
    "GameCase",
    "Verdict",
    "exhaustive_cases",
    "exhaustive_search",
    "explore",
    "search_cases",
]

#: The discounts a search draws from by default: both limits and two in between,
#: rational so that exact computations apply.
DEFAULT_GAMMAS = (Fraction(0), Fraction(1, 2), Fraction(9, 10), Fraction(1))


@dataclass(frozen=True)
class Case:
    """One instance a conjecture speaks about.

    Attributes
    ----------
    mdp : MDP
        The environment.
    dist : RewardDistribution
        The distribution of reward functions.
    gamma : Fraction or float
        The discount rate.

    """

    mdp: MDP
    dist: RewardDistribution
    gamma: Any

    def arguments(self) -> tuple:
        """What the predicate is called with: ``(mdp, dist, gamma)``."""
        return self.mdp, self.dist, self.gamma

    def describe(self) -> str:
        """One line: the MDP's size and structure, the rewards and γ."""
        moves = "; ".join(
            f"{label_text(s)} -> {', '.join(label_text(t) for t in self.mdp.successors(s))}"
            for s in self.mdp.states
        )
        return (
            f"{self.mdp.name or 'MDP'} ({self.mdp.n_states} states: {moves}); "
            f"rewards {self.dist.describe()}; gamma {self.gamma}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the MDP's states and successors, the rewards and γ."""
        return {
            "mdp": self.mdp.name,
            "states": [label_text(s) for s in self.mdp.states],
            "successors": {
                label_text(s): [label_text(t) for t in self.mdp.successors(s)]
                for s in self.mdp.states
            },
            "rewards": self.dist.describe(),
            "gamma": str(self.gamma),
        }


@dataclass(frozen=True, eq=False)
class GameCase:
    """One finite two-player game a conjecture about games speaks about.

    Attributes
    ----------
    game : powerseek.multiagent.BayesianGame
    """

    game: Any

    def arguments(self) -> tuple:
        """What the predicate is called with: ``(game,)``."""
        return (self.game,)

    def describe(self) -> str:
        """One line: the actions, types, prior and both players' rewards."""
        data = self.game.to_dict()
        (n0, n1), (m0, m1) = self.game.n_types, self.game.n_actions
        return (
            f"game ({m0}x{m1} actions, {n0}x{n1} types; prior {_compact(data['prior'])}; "
            f"rewards of player 0 {_compact(data['rewards'][0])}, of player 1 "
            f"{_compact(data['rewards'][1])})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the game as :meth:`BayesianGame.to_dict` writes it."""
        return {"game": self.game.to_dict()}


def _compact(nested: Any) -> str:
    """Nested lists printed without quotes: [[1, 1/2], [0, 2]]."""
    if isinstance(nested, list):
        return "[" + ", ".join(_compact(x) for x in nested) + "]"
    return str(nested)


@dataclass(frozen=True)
class Verdict:
    """What a predicate says about one case.

    Attributes
    ----------
    holds : bool or None
        None when the conjecture does not apply to the case.
    detail : str
        Why, in numbers (shown with a counterexample).
    margin : float
        How far the case is from refuting the conjecture (negative when it
        does); the search steers toward small margins.
    group, value :
        A finding to tabulate: cases are grouped by `group` (e.g. ``"n=3,
        m=2"`` or ``"gamma=1/2"``) and the minimum, mean and maximum of `value`
        reported per group.
    """

    holds: bool | None
    detail: str = ""
    margin: float = math.nan
    group: str | None = None
    value: float = math.nan


def _verdict(result: Any) -> Verdict:
    if isinstance(result, Verdict):
        return result
    if result is None:
        return Verdict(None)
    if isinstance(result, (bool, np.bool_)):
        return Verdict(bool(result))
    raise InvalidTypeError(
        f"A conjecture's predicate must return True, False, None or a Verdict; got {result!r}."
    )


@dataclass(frozen=True)
class Conjecture:
    """A named predicate, with where to search and what to sweep by default.

    Attributes
    ----------
    name : str
    statement : str
        The conjecture in words.
    predicate : callable
        ``predicate(mdp, dist, gamma)`` (``predicate(game)`` for conjectures
        whose cases are :class:`GameCase`) returning a bool, None or a
        :class:`Verdict`.
    source : str
        Where it comes from (e.g. ``theory.md §E.9``).
    cases : callable, optional
        ``cases()`` returns the hypothesis strategy of :class:`Case` searched by
        default (:func:`search_cases` when None).
    family : callable, optional
        ``family(size)`` yields the cases of an exhaustive sweep
        (:func:`exhaustive_cases` on up to `size` states when None).
    default_size : int
        The `size` of a sweep when none is given.
    group_label : str
        What the groups of the findings are, for the table header.
    general : bool
        Whether it speaks about any (MDP, distribution, γ), so that a search
        or sweep over user-chosen MDPs, rewards and discounts makes sense (the
        CLI's ``--dist``, ``--gamma``, ``--max-states``); False for conjectures
        with their own structured cases.
    cases_text : str
        For conjectures that are not general: what their cases are, in words.
    subject : {"mdp", "game"}
        What a case is: an MDP with rewards and γ (:class:`Case`), or a finite
        game (:class:`GameCase`).
    """

    name: str
    statement: str
    predicate: Callable[..., Any]
    source: str = ""
    cases: Callable[[], st.SearchStrategy] | None = None
    family: Callable[[int], Iterable[Case]] | None = None
    default_size: int = 3
    group_label: str = "group"
    general: bool = True
    cases_text: str = ""
    subject: str = "mdp"

    def judge(self, case: Case | GameCase) -> Verdict:
        """The predicate's verdict on `case`.

        Parameters
        ----------
        case : Case or GameCase
            The instance to judge.

        """
        return _verdict(self.predicate(*case.arguments()))

    @classmethod
    def from_predicate(cls, predicate: Callable[..., Any]) -> Conjecture:
        """A conjecture named after `predicate`, described by its docstring's first line.

        Parameters
        ----------
        predicate : callable
            Called with a case's arguments; returns a Verdict, a bool or a number.

        Examples
        --------
        >>> def at_most_half(mdp, dist, gamma):
        ...     "POWER is at most 1/2."
        ...     return True
        >>> Conjecture.from_predicate(at_most_half).statement
        'POWER is at most 1/2.'
        """
        doc = (getattr(predicate, "__doc__", None) or "").strip()
        name = getattr(predicate, "__name__", "predicate")
        return cls(name, doc.splitlines()[0] if doc else name, predicate)


def _as_conjecture(conjecture: Any) -> Conjecture:
    """A :class:`Conjecture` itself, or one wrapping a predicate ``f(mdp, dist, gamma)``."""
    if isinstance(conjecture, Conjecture):
        return conjecture
    if isinstance(conjecture, str):
        raise InvalidTypeError(
            f"conjecture must be a Conjecture or a predicate f(mdp, dist, gamma); got the "
            f"string {conjecture!r} (look a built-in up by name with "
            "powerseek.explore.conjecture(name))."
        )
    if callable(conjecture):
        return Conjecture.from_predicate(conjecture)
    raise InvalidTypeError(
        "conjecture must be a Conjecture or a predicate f(mdp, dist, gamma); got "
        f"{type(conjecture).__name__}."
    )


@st.composite
def _cases(draw, mdps, dists, gammas) -> Case:
    mdp = draw(mdps)
    dist = draw(dists(mdp)) if callable(dists) else draw(dists)
    return Case(mdp, dist, draw(gammas))


def search_cases(
    mdps: st.SearchStrategy | None = None,
    *,
    dists: Any = None,
    gammas: Any = None,
) -> st.SearchStrategy:
    """The hypothesis strategy of :class:`Case` a search draws from.

    Parameters
    ----------
    mdps : strategy, optional
        Default: deterministic MDPs on up to 4 states
        (:func:`powerseek.explore.strategies.mdps`), which shrink to small ones.
    dists : strategy, distribution, or callable, optional
        A strategy of distributions, one fixed distribution, or a function of
        the drawn MDP returning a strategy (e.g.
        ``lambda mdp: strategies.reward_distributions(mdp.n_states)``).
        Default: IID uniform on [0, 1].
    gammas : strategy or sequence, optional
        Default: :data:`DEFAULT_GAMMAS`.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Case
    """
    if mdps is None:
        mdps = strategies.mdps(max_states=4, stochastic=False)
    if dists is None:
        dists = st.just(IID())
    elif isinstance(dists, RewardDistribution):
        dists = st.just(dists)
    if gammas is None:
        gammas = st.sampled_from(DEFAULT_GAMMAS)
    elif not isinstance(gammas, st.SearchStrategy):
        gammas = st.sampled_from(list(gammas))
    return _cases(mdps, dists, gammas)


def exhaustive_cases(
    max_states: int,
    *,
    gammas: Iterable[Any] = DEFAULT_GAMMAS,
    dist: RewardDistribution | None = None,
    max_actions: int | None = None,
) -> Iterator[Case]:
    """Every deterministic MDP on 1..`max_states` states (up to relabelling) x every γ.

    Parameters
    ----------
    max_states : int
        The most states an MDP has.
    gammas : iterable of float or Fraction, default DEFAULT_GAMMAS
        The discounts every MDP is paired with.
    dist : RewardDistribution, optional
        Default IID uniform on [0, 1].
    max_actions : int, optional
        The most actions a state may have; default any number.

    Returns
    -------
    Iterator of Case

    Examples
    --------
    >>> sum(1 for _ in exhaustive_cases(2, gammas=[0, 1]))
    14
    """
    dist = IID() if dist is None else dist
    gammas = list(gammas)
    for n in range(1, max_states + 1):
        for mdp in deterministic_mdps(n, max_actions=max_actions):
            for gamma in gammas:
                yield Case(mdp, dist, gamma)


@dataclass
class Finding:
    """Per-group summary of the values a conjecture reported.

    Attributes
    ----------
    cases : int
        Cases judged.
    violations : int
        Cases that refuted the conjecture.
    minimum : float
        The smallest value reported.
    maximum : float
        The largest value reported.
    total : float
        The sum of the values reported.
    counted : int
        How many cases reported a value.

    """

    cases: int = 0
    violations: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf
    total: float = 0.0
    counted: int = 0

    @property
    def mean(self) -> float:
        """The mean of the verdict values counted (nan when none)."""
        return self.total / self.counted if self.counted else math.nan

    def add(self, verdict: Verdict) -> None:
        """Count one more case and its verdict.

        Parameters
        ----------
        verdict : Verdict
            The case's verdict.

        """
        self.cases += 1
        self.violations += verdict.holds is False
        if math.isfinite(verdict.value):
            self.counted += 1
            self.total += verdict.value
            self.minimum = min(self.minimum, verdict.value)
            self.maximum = max(self.maximum, verdict.value)


@compact_repr
@dataclass
class Exploration(Tabular):
    """The outcome of :func:`explore` or :func:`sweep`.

    Attributes
    ----------
    conjecture : Conjecture
    mode : str
        ``"search"`` (hypothesis) or ``"exhaustive"``.
    seed : int or None
        The search's seed; rerunning with it gives the same result.
    tried : int
        Cases evaluated: in a search, up to and including the first violation
        (the shrinking that follows is counted in `shrink_steps`).
    applicable : int
        Of those, cases the conjecture speaks about.
    violations : int
        Cases refuting it (a search stops at the first).
    counterexample : Case or None
        The shrunk (search) or first (sweep) refuting case, with `verdict`.
    closest : Case or None
        The applicable case with the smallest margin that did not refute the
        conjecture, with `closest_verdict`.
    findings : dict
        group -> :class:`Finding`.
    """

    conjecture: Conjecture
    mode: str
    seed: int | None = None
    tried: int = 0
    applicable: int = 0
    violations: int = 0
    shrink_steps: int = 0
    counterexample: Case | None = None
    verdict: Verdict | None = None
    closest: Case | None = None
    closest_verdict: Verdict | None = None
    findings: dict[str, Finding] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def holds(self) -> bool:
        """No case tried refutes the conjecture."""
        return self.violations == 0

    def _record(self, case: Case, verdict: Verdict) -> None:
        self.tried += 1
        if verdict.holds is None:
            return
        self.applicable += 1
        if verdict.group is not None:
            self.findings.setdefault(verdict.group, Finding()).add(verdict)
        if not verdict.holds:
            self.violations += 1
            if self.counterexample is None:
                self.counterexample, self.verdict = case, verdict
        elif math.isfinite(verdict.margin) and (
            self.closest_verdict is None or verdict.margin < self.closest_verdict.margin
        ):
            self.closest, self.closest_verdict = case, verdict

    def summary(self) -> str:
        """A readable report: what was tried, what was found."""
        c = self.conjecture
        how = (
            f"hypothesis search, seed {self.seed}" if self.mode == "search" else "exhaustive sweep"
        )
        lines = [f"conjecture {c.name}: {c.statement}"]
        if c.source:
            lines.append(f"source: {c.source}")
        lines.append(
            f"{how}: {self.tried} cases tried, {self.applicable} applicable, "
            f"{self.violations} violating ({self.elapsed:.1f} s)"
        )
        if self.findings:
            lines.append("")
            width = max(len(c.group_label), *(len(g) for g in self.findings))
            lines.append(
                f"  {c.group_label:<{width}}  {'cases':>6}  {'violating':>9}  "
                f"{'min':>8}  {'mean':>8}  {'max':>8}"
            )
            for group, f in sorted(self.findings.items(), key=lambda item: _natural(item[0])):
                values = (
                    f"{f.minimum:8.4f}  {f.mean:8.4f}  {f.maximum:8.4f}"
                    if f.counted
                    else f"{'-':>8}  {'-':>8}  {'-':>8}"
                )
                lines.append(f"  {group:<{width}}  {f.cases:6d}  {f.violations:9d}  {values}")
        lines.append("")
        if self.counterexample is not None:
            shrunk = f" (shrunk in {self.shrink_steps} steps)" if self.mode == "search" else ""
            lines.append(f"COUNTEREXAMPLE{shrunk}: {self.counterexample.describe()}")
            if self.verdict.detail:
                lines.append(f"  {self.verdict.detail}")
        else:
            lines.append("no counterexample found")
            if self.closest is not None:
                lines.append(
                    f"closest case (margin {self.closest_verdict.margin:.4g}): "
                    f"{self.closest.describe()}"
                )
                if self.closest_verdict.detail:
                    lines.append(f"  {self.closest_verdict.detail}")
        return "\n".join(lines)

    def to_frame(self):
        """One row per group of findings: ``group``, ``cases``, ``violations``, ``min``, ...

        Columns ``group``, ``cases``, ``violations``, ``min``, ``mean`` and
        ``max`` of the values the conjecture reported (NaN where none were);
        the conjecture's name, the mode, the seed and the totals are in ``attrs``.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        groups = sorted(self.findings, key=_natural)
        found = [self.findings[g] for g in groups]
        columns = {
            "group": groups,
            "cases": [f.cases for f in found],
            "violations": [f.violations for f in found],
            "min": [f.minimum if f.counted else math.nan for f in found],
            "mean": [f.mean for f in found],
            "max": [f.maximum if f.counted else math.nan for f in found],
        }
        attrs = attrs_of(
            {"conjecture": self.conjecture.name, "mode": self.mode, "seed": self.seed},
            tried=self.tried,
            applicable=self.applicable,
            violations=self.violations,
        )
        return columns, attrs

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results."""

        def case(c: Case | GameCase | None, v: Verdict | None):
            if c is None:
                return None
            return {
                **c.to_dict(),
                "detail": v.detail,
                "margin": v.margin if math.isfinite(v.margin) else None,
            }

        return {
            "conjecture": self.conjecture.name,
            "statement": self.conjecture.statement,
            "source": self.conjecture.source,
            "mode": self.mode,
            "seed": self.seed,
            "tried": self.tried,
            "applicable": self.applicable,
            "violations": self.violations,
            "shrink_steps": self.shrink_steps,
            "holds": self.holds,
            "counterexample": case(self.counterexample, self.verdict),
            "closest": case(self.closest, self.closest_verdict),
            "findings": {
                g: {
                    "cases": f.cases,
                    "violations": f.violations,
                    "min": f.minimum if f.counted else None,
                    "mean": f.mean if f.counted else None,
                    "max": f.maximum if f.counted else None,
                }
                for g, f in self.findings.items()
            },
            "elapsed_s": self.elapsed,
        }

    def _command(self) -> str:
        """The ``powerseek explore`` command that finds this result's counterexample."""
        how = f" --seed {self.seed}" if self.mode == "search" else " --exhaustive"
        return f"powerseek explore {self.conjecture.name}{how}"

    def counterexample_mdp(self, name: str = "counterexample", source: str | None = None) -> MDP:
        """The counterexample's MDP, ready to save: labels as text, the story in metadata.

        Labels that are not strings (integers, grid cells) are replaced by their
        printed form (``2``, ``(0, 1)``), which is how the CLI and the verdict
        name them, so every environment format can hold the result. The
        metadata names the conjecture, the verdict, the rewards, γ and
        `source` (default: the ``powerseek explore`` command that finds it).

        Parameters
        ----------
        name : str, default "counterexample"
            The MDP's name.
        source : str or None
            What to record as the search that found it.

        """
        if self.counterexample is None:
            raise InvalidParameterError("there is no counterexample to save: the conjecture held.")
        case = self.counterexample
        if not isinstance(case, Case):
            raise InvalidTypeError(
                f"the counterexample to {self.conjecture.name!r} is a game, not an MDP; write "
                "it with save_counterexample (a .json game file)."
            )
        if source is None:
            source = self._command()
        described = (
            f"A counterexample to the conjecture {self.conjecture.name!r}: "
            f"{self.conjecture.statement}\n{self.verdict.detail}\n"
            f"Rewards: {case.dist.describe()}. Discount: {case.gamma}."
        )
        return _as_text_labels(case.mdp).with_metadata(
            name=name,
            title=f"Counterexample to {self.conjecture.name}",
            source=source,
            description=described,
            gamma=[float(case.gamma)],
        )

    def save_counterexample(self, path: str | Path, *, source: str | None = None) -> list[Path]:
        """Write the counterexample's MDP as an environment file, and its rewards.

        The environment file (format from the suffix: ``.toml``, ``.json``)
        holds :meth:`counterexample_mdp`. When the distribution can be written
        (IID, per-state, finite support), it goes to ``<stem>.dist.toml``
        beside it, for ``--dist``. Returns the paths.

        Parameters
        ----------
        path : str or pathlib.Path
            The environment file to write; its suffix gives the format.
        source : str or None
            What to record as the search that found it.

        """
        from ..io import write, write_text_atomic
        from ..rewards import format_distribution

        path = Path(path)
        case = self.counterexample
        if isinstance(case, GameCase):
            return [self._save_game(path, source)]
        written = [write(self.counterexample_mdp(path.stem, source), path)]
        text = format_distribution(case.dist, case.mdp)
        if text is not None:
            written.append(write_text_atomic(path.with_name(path.stem + ".dist.toml"), text))
        return written

    def counterexample_text(self, source: str | None = None) -> str:
        """The counterexample as the file :meth:`save_counterexample` writes, in TOML or JSON.

        Parameters
        ----------
        source : str or None
            What to record as the search that found it.

        """
        from ..exceptions import PowerseekError
        from ..io import dumps

        if isinstance(self.counterexample, GameCase):
            return _json_lines(self._game_record(source))
        mdp = self.counterexample_mdp(source=source)
        try:
            return dumps(mdp, "toml").rstrip()
        except PowerseekError:  # labels TOML cannot hold
            return dumps(mdp, "json").rstrip()

    def _game_record(self, source: str | None) -> dict[str, Any]:
        if source is None:
            source = self._command()
        return {
            "description": f"A counterexample to the conjecture {self.conjecture.name!r}: "
            f"{self.conjecture.statement}",
            "detail": self.verdict.detail,
            "source": source,
            **self.counterexample.to_dict(),
        }

    def _save_game(self, path: Path, source: str | None) -> Path:
        from ..io import write_text_atomic

        if path.suffix.lower() != ".json":
            raise InvalidParameterError(
                f"{path}: the counterexample to {self.conjecture.name!r} is a game; write it "
                "as a .json file."
            )
        return write_text_atomic(path, _json_lines(self._game_record(source)) + "\n")


def _json_lines(record: dict[str, Any]) -> str:
    """A JSON object with one key per line and each value on its own line, however nested."""
    import json

    items = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in record.items()]
    return "{\n" + ",\n".join(items) + "\n}"


def _as_text_labels(mdp: MDP) -> MDP:
    """`mdp` with every state and action label replaced by its printed text."""
    states = tuple(label_text(s) for s in mdp.states)
    actions = tuple(tuple(label_text(a) for a in acts) for acts in mdp.actions)
    if len(set(states)) < len(states) or any(len(set(a)) < len(a) for a in actions):
        return mdp  # labels that print alike: keep them (JSON holds any label)
    metadata = {k: v for k, v in mdp.metadata.items() if k != "grid"}
    if "start" in metadata:
        metadata["start"] = label_text(metadata["start"])
    return MDP.from_arrays(states, actions, mdp.transition_matrix, name=mdp.name, metadata=metadata)


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Stop hypothesis from mixing literals of the caller's own modules into the draws.

    Hypothesis seeds generation with constants read from the source of every
    non-installed module loaded, so the same seed would draw different cases
    from different scripts (or from an editable install). Searches must depend
    on the seed alone; where this hypothesis version has no such feature, there
    is nothing to turn off.
    """
    try:
        from hypothesis.internal.conjecture import providers

        original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE.cache
        empty = providers.Constants()
    except (ImportError, AttributeError):  # pragma: no cover - other hypothesis versions
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


class _Raised(Exception):
    """The predicate raised: carried out of hypothesis with the (shrunk) case."""


def _natural(group: str) -> tuple:
    """Sort key: `k=v` parts compared as numbers where they are (gamma=1/2 < gamma=1)."""
    key = []
    for part in group.split(","):
        name, _, value = part.strip().partition("=")
        try:
            key.append((name, 0, Fraction(value), ""))
        except (ValueError, ZeroDivisionError):
            key.append((name, 1, Fraction(0), value))
    return tuple(key)


def explore(
    conjecture: Any,
    *,
    cases: st.SearchStrategy | None = None,
    max_examples: int = 200,
    seed: int = 0,
    progress: bool | None = False,
) -> Exploration:
    """Search for a counterexample with hypothesis.

    Parameters
    ----------
    conjecture : Conjecture or callable
        A :class:`Conjecture` (the built-ins are looked up by name with
        :func:`powerseek.explore.conjecture`) or a predicate ``f(mdp, dist, gamma)``.
    cases : strategy, optional
        The :class:`Case` strategy to draw from (default: the conjecture's own,
        else :func:`search_cases`).
    max_examples : int
        Cases to generate before giving up (shrinking comes on top).
    seed : int
        Same seed, same cases, same result.
    progress : bool or None
        A progress bar on stderr (None: when stderr is a terminal).

    Returns
    -------
    Exploration
    """
    conjecture = _as_conjecture(conjecture)
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise InvalidParameterError(
            f"`max_examples` must be a positive integer; got {max_examples!r}."
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidTypeError(f"seed must be an integer; got {seed!r}.")
    if cases is None:
        cases = conjecture.cases() if conjecture.cases is not None else search_cases()
    if not isinstance(cases, st.SearchStrategy):
        raise InvalidTypeError(
            f"cases must be a hypothesis strategy of Case; got {type(cases).__name__}."
        )
    result = Exploration(conjecture, "search", seed=seed)
    calls = 0

    class Violation(Exception):
        pass

    started = time.perf_counter()
    with progress_bar(progress, total=max_examples, desc=conjecture.name, unit="case") as bar:

        @settings(
            max_examples=max_examples,
            database=None,
            deadline=None,
            derandomize=False,
            phases=(Phase.generate, Phase.target, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @hypothesis_seed(seed)
        @given(cases)
        def run(case: Case) -> None:
            nonlocal calls
            calls += 1
            try:
                verdict = conjecture.judge(case)
            except Exception as error:
                raise _Raised(case, error) from error
            if result.violations == 0:
                result._record(case, verdict)
                bar.update(1)
            assume(verdict.holds is not None)
            if math.isfinite(verdict.margin):
                target(-verdict.margin, label="closeness to a counterexample")
            if not verdict.holds:
                raise Violation(case, verdict)

        try:
            with _without_local_constants():
                run()
        except Violation as failure:
            result.counterexample, result.verdict = failure.args
            result.shrink_steps = calls - result.tried
        except Unsatisfiable:
            pass
        except _Raised as raised:
            case, error = raised.args
            raise PredicateError(
                f"the predicate of {conjecture.name!r} raised {type(error).__name__}: {error} "
                f"(seed {seed}; smallest case: {case.describe()}).",
                case,
            ) from error
    result.elapsed = time.perf_counter() - started
    return result


def exhaustive_search(
    conjecture: Any,
    cases: Iterable[Case] | None = None,
    *,
    size: int | None = None,
    progress: bool | None = False,
) -> Exploration:
    """Evaluate the conjecture on every case of a finite family.

    Parameters
    ----------
    conjecture : Conjecture or callable
        As for :func:`explore`.
    cases : iterable of Case, optional
        Default: the conjecture's family at `size`, else
        :func:`exhaustive_cases` on up to `size` states (default 3).
    size : int, optional
        The family's size parameter (default: the conjecture's).
    progress : bool or None, default False
        A progress bar on stderr (None: when stderr is a terminal).

    Returns
    -------
    Exploration
        With every violation counted and the first one as the counterexample.
    """
    conjecture = _as_conjecture(conjecture)
    if size is None:
        size = conjecture.default_size
    elif isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidParameterError(f"size must be a positive integer; got {size!r}.")
    if cases is None:
        family = conjecture.family or exhaustive_cases
        cases = family(size)
    cases = list(cases)
    for case in cases:
        if not isinstance(case, (Case, GameCase)):
            raise InvalidTypeError(
                "exhaustive_search cases must be Case or GameCase objects; got "
                f"{type(case).__name__}."
            )
    result = Exploration(conjecture, "exhaustive")
    started = time.perf_counter()
    with progress_bar(progress, total=len(cases), desc=conjecture.name, unit="case") as bar:
        for case in cases:
            try:
                verdict = conjecture.judge(case)
            except Exception as error:
                raise PredicateError(
                    f"the predicate of {conjecture.name!r} raised {type(error).__name__}: "
                    f"{error} (case: {case.describe()}).",
                    case,
                ) from error
            result._record(case, verdict)
            bar.update(1)
    result.elapsed = time.perf_counter() - started
    return result
