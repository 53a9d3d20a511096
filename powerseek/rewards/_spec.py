"""Reward distributions written as text, for the command line (``--dist``).

A spec is a default distribution, optionally followed by per-state overrides,
separated by semicolons::

    uniform                      IID uniform on [0, 1] (the default)
    uniform(-1, 1)               IID uniform on [-1, 1]
    bernoulli(0.3)               IID Bernoulli(0.3)
    beta(2, 1)                   IID Beta(2, 1), i.e. CDF x^2 on [0, 1]
    uniform; empty=uniform(-1,1) uniform(0, 1), except state `empty`
    uniform; (0, 1)=bernoulli(0.5)

Names: ``uniform(a, b)`` takes the interval's end points (not scipy's loc and
scale); ``normal(mu, sigma)`` is ``scipy.stats.norm``; any other scipy.stats
distribution is given by its scipy name and scipy's own shape parameters, then
optional ``loc`` and ``scale`` (``triang(0.5)``, ``gamma(2, 0, 0.5)``).
States are written as ``powerseek show`` prints them.

A spec may also be the path of a TOML file::

    default = "uniform(0, 1)"          # optional
    [states]
    empty = "uniform(-1, 1)"
    "(0, 1)" = "bernoulli(0.5)"

or, for a finite-support distribution (one reward vector per line, in the
state order of ``powerseek show``, equally likely unless ``weights`` is
given)::

    vectors = [[0, 1, 0.5], [1, 0, 0.5]]
    weights = [0.25, 0.75]
"""

from __future__ import annotations

import ast
import math
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import as_float, short_value
from ..exceptions import InvalidParameterError, InvalidTypeError, ParseError, PowerseekError
from ..mdp import MDP, label_text, parse_state
from ._distributions import IID, FiniteSupport, PerState, RewardDistribution, describe_scipy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["format_distribution", "parse_distribution", "parse_scipy"]

_ALIASES = {"normal": "norm", "gaussian": "norm"}
_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_scipy(text: str) -> Any:
    """One distribution, e.g. ``"beta(2, 5)"``, as a frozen scipy.stats object.

    Parameters
    ----------
    text : str
        A scipy.stats distribution name and its arguments.

    Returns
    -------
    scipy.stats frozen distribution

    Examples
    --------
    >>> [float(end) for end in parse_scipy("uniform(-1, 1)").support()]
    [-1.0, 1.0]
    >>> float(parse_scipy("bernoulli(0.5)").mean())
    0.5
    """
    from scipy import stats

    name, args = _call(text)
    if name == "uniform":
        low, high = _uniform_ends(args, text)
        return stats.uniform(low, high - low)
    scipy_name = _ALIASES.get(name, name)
    family = getattr(stats, scipy_name, None)
    if not isinstance(family, (stats.rv_continuous, stats.rv_discrete)):
        raise InvalidParameterError(
            f"unknown distribution {name!r} in {text.strip()!r}; use uniform, bernoulli, beta, "
            "normal or any scipy.stats distribution name."
        )
    try:
        frozen = family(*args)
        low, high = frozen.support()
    except (TypeError, ValueError) as exc:
        low = high = float("nan")
        reason = f" ({exc})"
    else:
        reason = ""
    if math.isnan(low) or math.isnan(high):
        shapes = family.shapes or "no shape parameters"
        raise InvalidParameterError(
            f"bad parameters for {scipy_name} in {text.strip()!r}{reason}; scipy.stats."
            f"{scipy_name} takes {shapes}, then loc and scale."
        )
    return frozen


def _call(text: str) -> tuple[str, list[float]]:
    """A distribution's name, lower case, and its arguments."""
    match = _CALL.match(text)
    if not match:
        raise InvalidParameterError(
            f"cannot read the distribution {text.strip()!r}; write a name with optional "
            "arguments, e.g. uniform(0, 1), bernoulli(0.3), beta(2, 5)."
        )
    name, arguments = match.group(1).lower(), match.group(2)
    return name, _numbers(arguments, text) if arguments and arguments.strip() else []


def _uniform_ends(args: list[float], text: str) -> tuple[float, float]:
    """The end points of ``uniform(a, b)`` (default 0 and 1), checked."""
    if len(args) not in (0, 2):
        raise InvalidParameterError(
            f"uniform takes the interval's two end points, uniform(a, b); got {text.strip()!r}."
        )
    low, high = args if args else (0.0, 1.0)
    if not high > low:
        raise InvalidParameterError(f"uniform(a, b) needs a < b; got {text.strip()!r}.")
    return low, high


def _numbers(arguments: str, text: str) -> list[float]:
    try:
        values = ast.literal_eval(f"({arguments},)")
    except (SyntaxError, ValueError):
        values = None
    if not values or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        raise InvalidParameterError(
            f"the arguments of {text.strip()!r} must be numbers separated by commas."
        )
    numbers = [as_float(v) for v in values]  # an integer too large for a float: infinite
    infinite = [v for v, x in zip(values, numbers) if not math.isfinite(x)]
    if infinite:
        raise InvalidParameterError(
            f"the arguments of {short_value(text.strip(), 60)!r} must be finite numbers; got "
            f"{short_value(infinite[0])}."
        )
    return numbers


def parse_distribution(spec: str, mdp: MDP) -> RewardDistribution:
    """A reward distribution from a ``--dist`` spec or a TOML file path.

    Parameters
    ----------
    spec : str
        A spec (``uniform``, ``beta(2, 5)``, ``uniform; s1=bernoulli(0.3)``) or
        the path of a ``.toml`` file of reward vectors.
    mdp : MDP
        The states that per-state entries name.

    Returns
    -------
    RewardDistribution

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("turner-fig1")
    >>> parse_distribution("uniform", mdp).describe()
    'iid uniform(0, 1)'
    >>> parse_distribution("uniform; empty=uniform(-1, 1)", mdp).describe()
    "uniform(0, 1); 'empty': uniform(-1, 1)"
    """
    if not isinstance(spec, str):
        raise InvalidTypeError(f"A distribution spec must be a string; got {type(spec).__name__}.")
    if spec.strip().lower().endswith(".toml"):
        return _from_file(Path(spec.strip()), mdp)
    parts = [part.strip() for part in spec.split(";")]
    if not parts[0]:
        raise InvalidParameterError(
            f"the distribution spec {spec!r} starts with no default distribution; e.g. "
            "'uniform; empty=uniform(-1, 1)'."
        )
    if not any(parts[1:]):
        name, args = _call(parts[0])
        if name == "uniform":  # drawn with numpy, without importing scipy.stats
            return IID.uniform(*_uniform_ends(args, parts[0]))
    default = parse_scipy(parts[0])
    overrides = {}
    written = {}  # each state as the spec wrote it
    for part in parts[1:]:
        if not part:
            continue
        if "=" not in part:
            raise InvalidParameterError(
                f"per-state entries are written STATE=DIST; got {part!r} in {spec!r}."
            )
        state_text, dist_text = part.rsplit("=", 1) if part.count("=") > 1 else part.split("=")
        state = parse_state(mdp, state_text.strip())
        if state in overrides:
            first, second = written[state], state_text.strip()
            same = f" ({first!r} and {second!r} name it)" if first != second else ""
            raise InvalidParameterError(
                f"the state {label_text(state)} has two per-state entries in {spec!r}{same}; "
                "give each state at most one."
            )
        overrides[state] = parse_scipy(dist_text)
        written[state] = state_text.strip()
    if not overrides:
        return IID(default)
    return PerState(overrides, default)


def _from_file(path: Path, mdp: MDP) -> RewardDistribution:
    from ..io import parse_document, read_text

    doc = parse_document(read_text(path, "a distribution file"), str(path))
    allowed = {"default", "states", "vectors", "weights"}
    unknown = set(doc) - allowed
    if unknown:
        raise ParseError(
            f"unknown key(s) {', '.join(sorted(map(repr, unknown)))}; a distribution file holds "
            "default, [states], or vectors and weights.",
            source=str(path),
        )
    try:
        return _parse_document(doc, mdp)
    except PowerseekError as exc:
        raise ParseError(str(exc), source=str(path)) from None


def _parse_document(doc: dict, mdp: MDP) -> RewardDistribution:
    if "vectors" in doc:
        if "default" in doc or "states" in doc:
            raise InvalidParameterError(
                "give either vectors (finite support) or default/[states], not both."
            )
        return FiniteSupport(doc["vectors"], doc.get("weights"))
    default = parse_scipy(str(doc.get("default", "uniform")))
    states = doc.get("states", {})
    if not isinstance(states, dict):
        raise InvalidParameterError('[states] must be a table of STATE = "DIST".')
    overrides = {parse_state(mdp, key): parse_scipy(str(value)) for key, value in states.items()}
    return PerState(overrides, default) if overrides else IID(default)


def format_distribution(dist: RewardDistribution, mdp: MDP) -> str | None:
    """The TOML distribution file (see above) that reads back as `dist`, or None.

    IID, per-state and finite-support distributions can be written; the text
    is parsed back and compared before it is returned, so a distribution that
    would not survive the trip (a scipy distribution given by keyword shapes
    the spec syntax cannot express, a custom sampler) gives None.

    Parameters
    ----------
    dist : RewardDistribution
        The distribution D of reward functions.
    mdp : MDP
        The states of per-state entries.

    Returns
    -------
    str or None
        The file's text, or None when the distribution would not survive the trip.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> print(format_distribution(FiniteSupport([[0, 1, 0, 0.5, 1]]), mdp))
    vectors = [[0.0, 1.0, 0.0, 0.5, 1.0]]
    weights = [1.0]
    <BLANKLINE>
    """
    if isinstance(dist, FiniteSupport):
        rows = ", ".join("[" + ", ".join(repr(float(x)) for x in row) + "]" for row in dist.vectors)
        weights = ", ".join(repr(float(w)) for w in dist.weights)
        text = f"vectors = [{rows}]\nweights = [{weights}]\n"
    elif isinstance(dist, (IID, PerState)):
        default = dist.dist if isinstance(dist, IID) else dist.default
        text = f"default = {_toml_string(describe_scipy(default))}\n"
        if isinstance(dist, PerState) and dist.dists:
            text += "\n[states]\n" + "".join(
                f"{_toml_string(label_text(state))} = {_toml_string(describe_scipy(d))}\n"
                for state, d in dist.dists.items()
            )
    else:
        return None
    try:
        back = _parse_document(tomllib.loads(text), mdp)
    except PowerseekError:
        return None
    return text if _same(back, dist, mdp.states) else None


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _same(a: RewardDistribution, b: RewardDistribution, states: tuple) -> bool:
    """Same draws from the same generator (descriptions round numbers)."""
    if isinstance(a, FiniteSupport) and isinstance(b, FiniteSupport):
        return bool(np.array_equal(a.vectors, b.vectors) and np.array_equal(a.weights, b.weights))
    draws = [d._draw(np.random.default_rng(0), 8, states) for d in (a, b)]
    return bool(np.array_equal(*draws))
