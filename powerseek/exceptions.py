"""Exceptions raised by powerseek.

Every error powerseek raises for a user mistake is a :class:`PowerseekError`.
Each subclass also derives from the built-in exception a numpy or scipy user
would expect (``ValueError`` or ``TypeError``), so ``except ValueError`` keeps
working in code that does not know about powerseek.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceWarning",
    "InvalidMDPError",
    "InvalidParameterError",
    "InvalidTypeError",
    "MissingExtraError",
    "ParseError",
    "PowerseekError",
    "PowerseekWarning",
    "PredicateError",
    "SearchLimitError",
    "UnknownActionError",
    "UnknownEnvironmentError",
    "UnknownStateError",
]


class PowerseekError(Exception):
    """Base class of all errors powerseek raises for bad input."""


class InvalidParameterError(PowerseekError, ValueError):
    """A parameter has the right type but a value outside what is allowed."""


class InvalidTypeError(PowerseekError, TypeError):
    """A parameter has the wrong type."""


class InvalidMDPError(PowerseekError, ValueError):
    """The description of an MDP is inconsistent.

    Raised, for instance, for a state with no action, transition probabilities
    that do not sum to 1, or an edge to a state that does not exist.

    Parameters
    ----------
    message : str
        What is wrong, naming the state.
    state : hashable, optional
        The state whose description is at fault, when there is one; file
        readers use it to point at the line that defines the state.
    """

    def __init__(self, message: str, *, state: object = None) -> None:
        super().__init__(message)
        self.state = state

    def __reduce__(self):
        return (_rebuild_invalid_mdp_error, (str(self), self.state))


class UnknownStateError(PowerseekError, ValueError):
    """A state label does not name a state of the MDP."""


class UnknownActionError(PowerseekError, ValueError):
    """An action label does not name an action of the given state."""


class UnknownEnvironmentError(PowerseekError, ValueError):
    """A name is neither a catalog environment nor an existing file."""


class ParseError(PowerseekError, ValueError):
    """An environment file or map cannot be read.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    source : str, optional
        The file (or ``"<map>"`` for a map given as a string).
    line, column : int, optional
        1-based position of the problem in `source`.

    Examples
    --------
    >>> str(ParseError("unknown character 'x'", source="maze.grid", line=3, column=5))
    "maze.grid, line 3, column 5: unknown character 'x'"
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source is not None:
            where.append(str(self.source))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if not where:
            return self.message
        return f"{', '.join(where)}: {self.message}"

    def __reduce__(self):  # keep keyword-only fields through pickling
        return (
            _rebuild_parse_error,
            (self.message, self.source, self.line, self.column),
        )


def _rebuild_invalid_mdp_error(message, state):
    return InvalidMDPError(message, state=state)


def _rebuild_parse_error(message, source, line, column):
    return ParseError(message, source=source, line=line, column=column)


def install_hint(extra: str) -> str:
    """The pip command that installs one of powerseek's extras where it came from.

    powerseek is installed from its source tree, so the command names the tree:
    ``pip install ".[plot]"`` run in the checkout (its path, when the
    installation records one that is not the working directory).

    Parameters
    ----------
    extra : str
        The extra's name (``"plot"``, ``"frames"``, ``"fast"``, ...).

    Returns
    -------
    str

    Examples
    --------
    >>> install_hint("frames").startswith("pip install ")
    True
    >>> install_hint("frames").endswith('[frames]"')
    True
    """
    import json
    import os
    from importlib import metadata
    from urllib.parse import unquote, urlparse

    where = "."
    try:
        text = metadata.distribution("powerseek").read_text("direct_url.json")
        url = json.loads(text)["url"] if text else ""
        if url.startswith("file://"):
            path = unquote(urlparse(url).path)
            if os.path.realpath(path) != os.path.realpath(os.getcwd()):
                where = path
    except (metadata.PackageNotFoundError, ValueError, KeyError, TypeError, OSError):
        pass
    return f'pip install "{where}[{extra}]"'


class MissingExtraError(PowerseekError, ImportError):
    """An optional dependency is not installed; the message names the extra to install.

    Examples
    --------
    >>> raise MissingExtraError('the explorer needs hypothesis: pip install ".[explore]"')
    Traceback (most recent call last):
    ...
    powerseek.exceptions.MissingExtraError: the explorer needs hypothesis: pip install ...
    """


class PredicateError(PowerseekError, RuntimeError):
    """A conjecture's predicate raised an exception while being explored.

    Attributes
    ----------
    case : powerseek.explore.Case
        The smallest case found that makes the predicate raise.
    """

    def __init__(self, message: str, case=None) -> None:
        super().__init__(message)
        self.case = case


class SearchLimitError(PowerseekError, RuntimeError):
    """A search or enumeration stopped at its time or size limit.

    A search or enumeration stopped at its limit (time or size) before it could
    answer; the message says what it was doing, how far it got and how to go on.
    """


class PowerseekWarning(UserWarning):
    """Base class of the warnings powerseek issues."""


class ConvergenceWarning(PowerseekWarning, RuntimeWarning):
    """A solver stopped at its iteration limit before reaching its tolerance.

    The result says so too (``converged=False``) and records the error bound
    it did reach.
    """
