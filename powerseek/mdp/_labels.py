"""State and action labels as text: how the CLI prints them and reads them back.

Labels print as ``str(label)`` (strings as themselves), so a grid cell prints
as ``(2, 3)``. Reading a label back matches that text, ignoring spaces (so
``(2,3)`` works too), and also accepts the legend names of gridworld cells
(``start``, or a name from the map's ``[names]``) when they name one cell.
"""

from __future__ import annotations

from collections.abc import Hashable

from .._validation import did_you_mean, label_text, preview, quote
from ..exceptions import UnknownActionError, UnknownStateError
from ._model import MDP

__all__ = ["label_text", "parse_action", "parse_state"]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def parse_state(mdp: MDP, text: str) -> Hashable:
    """The state of `mdp` whose printed label is `text`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    text : str
        The state as ``powerseek show`` prints it (``start``, ``(2, 3)``, ``7``).

    Returns
    -------
    hashable
        The state label of `mdp` it names.

    Examples
    --------
    >>> from powerseek import gridworld
    >>> mdp = gridworld.parse("S.\\n.G", names={"G": "goal"})
    >>> parse_state(mdp, "(0,1)"), parse_state(mdp, "goal"), parse_state(mdp, "start")
    ((0, 1), (1, 1), (0, 0))
    """
    matches = [s for s in mdp.states if _squeeze(label_text(s)) == _squeeze(text)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UnknownStateError(
            f"{text!r} matches several states ({preview(matches)}) whose labels print alike; "
            "use the library API to pick one."
        )
    names = mdp.legend_names()
    cells = names.get(text.strip())
    if cells is not None:
        if len(cells) == 1:
            return cells[0]
        raise UnknownStateError(
            f"{text!r} names {len(cells)} cells ({preview(cells)}); give one as (row, col)."
        )
    raise UnknownStateError(
        f"{text!r} is not a state of {mdp.name or 'the environment'}."
        f"{did_you_mean(text, [*mdp.states, *names])} States: {preview(mdp.states)}."
    )


def parse_action(mdp: MDP, state: Hashable, text: str) -> Hashable:
    """The action of `state` whose printed label is `text`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        The state whose actions are meant.
    text : str
        The action as ``powerseek show`` prints it.

    Returns
    -------
    hashable
        The action label it names.

    Examples
    --------
    >>> from powerseek import load
    >>> parse_action(load("turner-fig1"), "start", "left")
    'left'
    """
    actions = mdp.actions_of(state)
    matches = [a for a in actions if _squeeze(label_text(a)) == _squeeze(text)]
    if len(matches) == 1:
        return matches[0]
    raise UnknownActionError(
        f"{text!r} is not an action of state {quote(state)}.{did_you_mean(text, actions)} "
        f"Its actions: {preview(actions)}."
    )
