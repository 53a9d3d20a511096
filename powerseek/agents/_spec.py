"""Decision rules written as text: ``NAME``, ``NAME:VALUE`` or ``NAME:key=value,...``.

The ``--rule`` option of the command line reads rules this way, and
:meth:`~powerseek.agents.DecisionRule.describe` writes them back.

Examples
--------
>>> parse_rule("boltzmann:0.1")
Boltzmann(temperature=0.1)
>>> parse_rule("q-learning:episodes=200,epsilon=0.1")
QLearning(episodes=200, epsilon=0.1, alpha=1.0, init=0.0, horizon=None)
>>> str(parse_rule("epsilon-greedy:0.05"))
'epsilon-greedy:0.05'
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from .._validation import did_you_mean
from ..exceptions import InvalidParameterError, InvalidTypeError
from ._rules import (
    BestOfK,
    Boltzmann,
    DecisionRule,
    EpsilonGreedy,
    Optimal,
    QLearning,
    Quantilizer,
    Satisficer,
    SoftOptimal,
    TruncatedValueIteration,
)

__all__ = ["RULES", "as_rule", "parse_rule"]

#: The built-in rules by their ``--rule`` names.
RULES: dict[str, type[DecisionRule]] = {
    rule.name: rule
    for rule in (
        Optimal,
        Boltzmann,
        SoftOptimal,
        EpsilonGreedy,
        Satisficer,
        BestOfK,
        Quantilizer,
        TruncatedValueIteration,
        QLearning,
    )
}


def _value(text: str) -> Any:
    """A parameter's value: an int, a float or the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_rule(text: str) -> DecisionRule:
    """The decision rule a ``--rule`` argument names.

    Parameters
    ----------
    text : str
        ``NAME`` (a rule without parameters), ``NAME:VALUE`` (its one required
        parameter) or ``NAME:key=value,...``; names as in :data:`RULES`, keys
        as the rule's fields (``-`` or ``_``).

    Returns
    -------
    DecisionRule

    Examples
    --------
    >>> parse_rule("truncated-vi:t=3,init=random")
    TruncatedValueIteration(t=3, init='random')
    >>> parse_rule("optimal")
    Optimal()
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidParameterError(f"`rule` must be text such as 'boltzmann:0.1'; got {text!r}.")
    name, _, arguments = text.strip().partition(":")
    name = name.strip().lower().replace("_", "-")
    if name not in RULES:
        raise InvalidParameterError(
            f"`rule`: unknown decision rule {name!r}.{did_you_mean(name, RULES)} "
            f"Known rules: {', '.join(RULES)}."
        )
    rule = RULES[name]
    known = [f.name for f in fields(rule)]
    keywords: dict[str, Any] = {}
    arguments = arguments.strip()
    if arguments and "=" not in arguments:
        if not known:
            raise InvalidParameterError(
                f"`rule`: the {name} rule takes no parameters; got {text!r}."
            )
        keywords[known[0]] = _value(arguments)
    elif arguments:
        for item in arguments.split(","):
            key, sep, value = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not value.strip():
                raise InvalidParameterError(
                    f"`rule`: expected key=value in {text!r}; got {item.strip()!r}."
                )
            if key not in known:
                raise InvalidParameterError(
                    f"`rule`: the {name} rule has no parameter {key!r}; its parameters are "
                    f"{', '.join(known) or 'none'}."
                )
            keywords[key] = _value(value.strip())
    try:
        return rule(**keywords)
    except TypeError as error:  # a required parameter is missing
        raise InvalidParameterError(
            f"`rule`: {text!r} lacks a parameter of the {name} rule ({', '.join(known)}): {error}."
        ) from None


def as_rule(rule: Any) -> DecisionRule:
    """A :class:`DecisionRule` from a rule, its text, or None (the optimal rule).

    Parameters
    ----------
    rule : DecisionRule, str or None
        A DecisionRule, its text (``boltzmann:0.1``), or None.

    Returns
    -------
    DecisionRule
    """
    if rule is None:
        return Optimal()
    if isinstance(rule, DecisionRule):
        return rule
    if isinstance(rule, str):
        return parse_rule(rule)
    raise InvalidTypeError(
        f"`rule` must be a DecisionRule or its text ('boltzmann:0.1'); got {type(rule).__name__}."
    )
