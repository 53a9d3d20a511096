"""Shared input checks and the one wording used by every error message.

Public functions validate their arguments once, at the boundary, through the
helpers here, so that every message names the parameter (or state, action,
file and line), says what was expected and shows what was found.
"""

from __future__ import annotations

import difflib
import math
import numbers
import warnings
from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .exceptions import InvalidParameterError, InvalidTypeError

__all__ = [
    "MAX_SOLVER_TOL",
    "PROBABILITY_TOLERANCE",
    "as_float",
    "check_gamma",
    "check_gammas",
    "check_hashable",
    "check_rewards",
    "did_you_mean",
    "label_text",
    "make_rng",
    "position_of",
    "preview",
    "quote",
    "reward_matrix",
    "short_value",
    "stream_seed",
    "to_probability",
]

#: Transition probabilities out of a state-action pair must sum to 1 within
#: this absolute tolerance; rows inside it are renormalised exactly.
PROBABILITY_TOLERANCE = 1e-9

#: The largest solver tolerance (on the (1 − γ)·V scale of rewards and POWER)
#: that the command line and batch files accept: a looser one is no longer far
#: below the Monte Carlo error of any realistic sample count.
MAX_SOLVER_TOL = 1e-6


def label_text(label: Hashable) -> str:
    """The text form of a state or action label, as the CLI prints it.

    Parameters
    ----------
    label : hashable
        A state or action label.

    Returns
    -------
    str
        Strings as themselves, anything else as ``str(label)``.

    See Also
    --------
    powerseek.mdp.parse_state : The reverse: a label from its text.

    Examples
    --------
    >>> label_text("start"), label_text((2, 3))
    ('start', '(2, 3)')
    """
    return label if isinstance(label, str) else str(label)


def quote(label: Hashable) -> str:
    """A label as it appears inside an error message (strings quoted)."""
    return repr(label) if isinstance(label, str) else str(label)


def preview(items: Iterable[Any], limit: int = 12) -> str:
    """Comma-separated quoted items, shortened to `limit` with a count."""
    items = list(items)
    shown = ", ".join(quote(item) for item in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items)} in all)"
    return shown


def did_you_mean(word: Hashable, options: Iterable[Hashable]) -> str:
    """A " Did you mean ...?" suffix for the closest option, or ``""``."""
    texts = {label_text(option): option for option in options}
    matches = difflib.get_close_matches(label_text(word), list(texts), n=1)
    return f" Did you mean {quote(texts[matches[0]])}?" if matches else ""


def check_hashable(label: Any, what: str) -> Hashable:
    """Return `label` if it can be a dictionary key, else raise."""
    try:
        hash(label)
    except TypeError:
        raise InvalidTypeError(
            f"{what} must be hashable (a string, number or tuple); "
            f"got {type(label).__name__} {label!r}."
        ) from None
    return label


def to_probability(value: Any, what: str, error: type[Exception] = InvalidParameterError) -> float:
    """Read a probability given as a number or as a string like ``"1/3"``.

    Parameters
    ----------
    value : float, int, Fraction or str
        The probability.
    what : str
        What the value is, for the error message.
    error : exception class
        Raised for a value outside [0, 1] or an unreadable string.

    Returns
    -------
    float

    Examples
    --------
    >>> to_probability("1/4", "The probability of edge a -> b")
    0.25
    >>> to_probability(-0.5, "p")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: p must be in [0, 1]; got -0.5.
    """
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Real)):
        raise InvalidTypeError(
            f"{what} must be a number or a fraction string like '1/3'; "
            f"got {type(value).__name__} {value!r}."
        )
    if isinstance(value, str):
        try:
            number = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise error(
                f"{what} must be a number or a fraction like '1/3'; got the string {value!r}."
            ) from None
    else:
        number = as_float(value)
    # The same rule as for a row's sum: up to PROBABILITY_TOLERANCE above 1 is
    # rounding (the row is renormalised); anything further is an error.
    if not math.isfinite(number) or not 0.0 <= number <= 1.0 + PROBABILITY_TOLERANCE:
        raise error(f"{what} must be in [0, 1]; got {short_value(value)}.")
    return number


def as_float(value: numbers.Real) -> float:
    """`value` as a float; integers too large for one become infinite (then refused)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def short_value(value: Any, limit: int = 40) -> str:
    """A value for an error message, shortened (a 400-digit integer stays readable)."""
    text = str(value)
    if len(text) > limit and isinstance(value, numbers.Integral):
        return f"an integer of {len(text.lstrip('-'))} digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_gamma(gamma: Any, name: str = "gamma") -> float:
    """Validate one discount factor in [0, 1].

    Examples
    --------
    >>> check_gamma(0.9)
    0.9
    >>> check_gamma(1.5)
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: `gamma` must be in [0, 1]; got 1.5.
    """
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise InvalidTypeError(
            f"`{name}` must be a number in [0, 1]; got {type(gamma).__name__} {gamma!r}."
        )
    value = as_float(gamma)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InvalidParameterError(f"`{name}` must be in [0, 1]; got {short_value(gamma)}.")
    return value


def check_gammas(gammas: Any, name: str = "gamma") -> tuple[float, ...]:
    """Validate one discount factor or a sequence (or 1-D array) of them; return a tuple.

    Examples
    --------
    >>> import numpy as np
    >>> check_gammas(np.linspace(0, 1, 3)), check_gammas(0.5)
    ((0.0, 0.5, 1.0), (0.5,))
    """
    if isinstance(gammas, np.ndarray):
        if gammas.ndim > 1:
            raise InvalidParameterError(
                f"`{name}` must be one discount or a 1-D list of them; got shape {gammas.shape}."
            )
        gammas = gammas.tolist() if gammas.ndim == 1 else gammas.item()
    if isinstance(gammas, (str, bytes)) or not isinstance(gammas, Sequence):
        return (check_gamma(gammas, name),)
    if len(gammas) == 0:
        raise InvalidParameterError(f"`{name}` must hold at least one value; got an empty list.")
    return tuple(check_gamma(g, name) for g in gammas)


def make_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """``numpy.random.default_rng(rng)``, with a clear error for a bad seed.

    Examples
    --------
    >>> bool(make_rng(7).integers(10) == np.random.default_rng(7).integers(10))
    True
    >>> make_rng(-1)
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: `rng` must be None, a non-negative ...; got -1.
    """
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng < 0:
        raise InvalidParameterError(
            f"`{name}` must be None, a non-negative integer seed or a numpy Generator; got {rng}."
        )
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(
            f"`{name}` must be None, a non-negative integer seed or a numpy Generator; "
            f"got {type(rng).__name__} {short_value(rng)} ({exc})."
        ) from None


def position_of(labels: Sequence[Hashable], label: Hashable, what: str = "state") -> int:
    """The index of `label` in a result's `labels`, or a one-line error with a suggestion.

    Results look their states and actions up by label; ``tuple.index`` would say
    ``ValueError: tuple.index(x): x not in tuple``.

    Examples
    --------
    >>> position_of(("start", "wait"), "wait")
    1
    >>> position_of(("start", "wait"), "wiat")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.UnknownStateError: 'wiat' is not a state of this result. Did you mean \
'wait'? Its states: 'start', 'wait'.
    """
    from .exceptions import UnknownActionError, UnknownStateError

    try:
        return labels.index(label)
    except ValueError:
        error = UnknownActionError if what == "action" else UnknownStateError
        raise error(
            f"{quote(label)} is not a{'n' if what[0] in 'aeiou' else ''} {what} of this result."
            f"{did_you_mean(label, labels)} Its {what}s: {preview(labels)}."
        ) from None


def stream_seed(rng: Any, seed: Any = None, caller: str = "this function") -> int:
    """The integer seeding a function's random streams, from `rng` or the old `seed=`.

    These functions took ``seed=`` where the rest of powerseek takes ``rng=``; the old
    keyword works for one more release, with a FutureWarning. A Generator gives a seed
    drawn from it.

    Examples
    --------
    >>> stream_seed(7), stream_seed(None)
    (7, 0)
    """
    if seed is not None:
        if rng is not None:
            raise InvalidParameterError(
                f"{caller} takes `rng` (`seed` is its old name, going in the next release); "
                "give one of them."
            )
        warnings.warn(
            f"`seed` of {caller} is now `rng`, as everywhere in powerseek; `seed` goes in the "
            "next release.",
            FutureWarning,
            stacklevel=3,
        )
        rng = seed
    if rng is None:
        return 0
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63))
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise InvalidParameterError(
            f"`rng` of {caller} must be a non-negative integer seed or a numpy Generator; got "
            f"{short_value(rng)}."
        )
    return int(rng)


def reward_matrix(values: Any, name: str = "rewards") -> np.ndarray:
    """`values` as a new 2-d float array, or a one-line error naming `name`.

    Examples
    --------
    >>> reward_matrix([0, 1]).tolist()
    [[0.0, 1.0]]
    >>> reward_matrix([[10**400]])
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: `rewards` holds an integer too large for ...
    """
    try:
        return np.array(values, dtype=float, ndmin=2)
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(f"`{name}` must be a numeric array; {exc}.") from None
    except OverflowError:  # a Python integer too large for a float
        raise InvalidParameterError(
            f"`{name}` holds an integer too large for a floating-point number; rewards must be "
            "finite numbers."
        ) from None


def all_finite(array: np.ndarray) -> bool:
    """Whether every entry of a float array is finite, in one pass when it is.

    A sum with a NaN or infinite term is not finite, so a finite sum proves every
    entry finite without the elementwise test's temporary; a sum that overflows
    (or holds a non-finite entry) falls back to that test.

    Examples
    --------
    >>> all_finite(np.array([1e308, 1e308])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(array, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(array).all())


def check_rewards(rewards: Any, mdp: Any) -> np.ndarray:
    """`rewards` as a finite float array of shape (n_samples, mdp.n_states)."""
    R = reward_matrix(rewards)
    if R.ndim != 2 or R.shape[1] != mdp.n_states:
        raise InvalidParameterError(
            f"`rewards` must have shape (n_samples, n_states) with n_states = {mdp.n_states}; "
            f"got {R.shape}."
        )
    if not all_finite(R):
        row, column = (int(i) for i in np.argwhere(~np.isfinite(R))[0])
        raise non_finite_reward(R[row, column], row, mdp.states[column])
    return R


def non_finite_reward(value: float, row: int, state: Any) -> InvalidParameterError:
    """The error for a non-finite reward of sample `row` at `state`."""
    return InvalidParameterError(
        f"`rewards` holds a non-finite value ({value}) in sample {row} at state {state!r}; "
        "rewards must be finite."
    )
