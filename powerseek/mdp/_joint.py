"""Two agents in one world, as a plain MDP: the joint states and simultaneous moves.

The states of a two-agent world are pairs ``(s_1, s_2)`` and its actions pairs
``(a_1, a_2)`` of simultaneous moves (:func:`two_agent_product`, the product of two
single-agent worlds; :func:`two_agent_world`, one world with itself). Forbidden
joint actions are a function or rules written as data (:func:`forbid_rules`), so
that files and the command line can state them. :mod:`powerseek.multiagent` wraps
these MDPs in its :class:`~powerseek.multiagent.JointMDP`; the file readers build
them here, below the analyses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import scipy.sparse as sp

from .._validation import quote
from ..exceptions import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidTypeError,
    UnknownStateError,
)
from ._model import MDP
from .gridworld import GridLayout, render
from .gridworld import parse as parse_map

__all__ = ["ANY", "DEFAULT_AGENTS", "forbid_rules", "two_agent_product", "two_agent_world"]

#: The agents' names when none are given: POWERplay's human H and AI A.
DEFAULT_AGENTS = ("H", "A")
#: The wildcard of a forbidden-action rule: any state, or any action.
ANY = "*"


def two_agent_product(
    first: MDP,
    second: MDP,
    *,
    agents: Sequence[str] = DEFAULT_AGENTS,
    overlap: bool = True,
    forbid: Callable[[tuple, tuple], bool] | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MDP:
    """The states and moves of :func:`powerseek.multiagent.product`, as a plain MDP.

    Parameters
    ----------
    first, second : MDP
        The agents' own worlds.
    agents, overlap, forbid, name, metadata
        As in :func:`powerseek.multiagent.product`.

    Returns
    -------
    MDP

    Examples
    --------
    >>> from powerseek.mdp import gridworld
    >>> corridor = gridworld.parse("..")
    >>> two_agent_product(corridor, corridor, overlap=False).metadata["agents"]
    ('H', 'A')
    """
    if not isinstance(first, MDP) or not isinstance(second, MDP):
        raise InvalidTypeError("`first` and `second` must be MDPs.")
    if not overlap and not (first.is_deterministic and second.is_deterministic):
        raise InvalidParameterError(
            "overlap=False needs deterministic worlds: with slip noise a joint action may or may "
            "not bring both agents to one cell."
        )
    if forbid is not None and not callable(forbid):
        raise InvalidTypeError("`forbid` must be a function (joint_state, joint_action) -> bool.")
    states = [(s1, s2) for s1 in first.states for s2 in second.states if overlap or s1 != s2]
    index = {state: i for i, state in enumerate(states)}
    outcomes1, outcomes2 = _outcomes(first), _outcomes(second)
    actions: list[list[tuple]] = []
    rows, cols, data = [], [], []
    pair = 0
    for state in states:
        s1, s2 = state
        i1, i2 = first.index(s1), second.index(s2)
        own: list[tuple] = []
        for a1, row1 in zip(first.actions[i1], outcomes1[i1]):
            for a2, row2 in zip(second.actions[i2], outcomes2[i2]):
                targets = [((t1, t2), p1 * p2) for t1, p1 in row1 for t2, p2 in row2]
                if any(target not in index for target, _ in targets):
                    continue  # it would put both agents in one state
                if forbid is not None and forbid(state, (a1, a2)):
                    continue
                own.append((a1, a2))
                for target, p in targets:
                    rows.append(pair), cols.append(index[target]), data.append(p)
                pair += 1
        if not own:
            raise InvalidMDPError(
                f"joint state {quote(state)} has no joint action left (all were forbidden or "
                "would bring both agents to one cell).",
                state=state,
            )
        actions.append(own)
    matrix = sp.csr_array((data, (rows, cols)), shape=(pair, len(states)))
    merged = {**(metadata or {}), "agents": tuple(agents)}
    return MDP.from_arrays(states, actions, matrix, name=name, metadata=merged)


def _outcomes(mdp: MDP) -> list[list[list[tuple[Hashable, float]]]]:
    """Per state, per action: the (successor, probability) pairs."""
    T = mdp.transition_matrix
    rows = [
        list(zip((mdp.states[j] for j in T.indices[T.indptr[k] : T.indptr[k + 1]]),
                 T.data[T.indptr[k] : T.indptr[k + 1]].tolist()))
        for k in range(mdp.n_pairs)
    ]  # fmt: skip
    offsets = mdp.pair_offsets
    return [rows[offsets[i] : offsets[i + 1]] for i in range(mdp.n_states)]


def two_agent_world(
    world: MDP,
    *,
    agents: Sequence[str] = DEFAULT_AGENTS,
    overlap: bool = True,
    noise: float | Sequence[float] | None = None,
    forbid: Callable[[tuple, tuple], bool] | Sequence[Mapping[str, Any]] | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MDP:
    """The states and moves of :func:`powerseek.multiagent.joint_world`, as a plain MDP.

    Parameters
    ----------
    world : MDP
        The single-agent world.
    agents, overlap, noise, forbid, name
        As in :func:`powerseek.multiagent.joint_world`.
    metadata : mapping, optional
        Metadata of the joint world (a file's title, say), over the source, discounts
        and "Two agents in: ..." title carried over from `world`.

    Returns
    -------
    MDP
        States ``(s_1, s_2)``, actions ``(a_1, a_2)``, the agents' names in its
        ``agents`` metadata.

    Examples
    --------
    >>> from powerseek.mdp import gridworld
    >>> two_agent_world(gridworld.parse("..", name="corridor")).states
    (((0, 0), (0, 0)), ((0, 0), (0, 1)), ((0, 1), (0, 0)), ((0, 1), (0, 1)))
    """
    if not isinstance(world, MDP):
        raise InvalidTypeError(f"`world` must be an MDP; got {type(world).__name__}.")
    if "agents" in world.metadata:
        raise InvalidParameterError(
            f"{world.name or 'this world'} is already a joint world of "
            f"{' and '.join(world.metadata['agents'])}; give a single-agent world."
        )
    worlds = [world, world]
    # where the world came from, and its suggested discounts, carry over; its map and
    # start are one agent's cells and do not
    joint: dict[str, Any] = {
        key: world.metadata[key] for key in ("source", "gamma") if key in world.metadata
    }
    if world.metadata.get("title"):
        joint["title"] = f"Two agents in: {world.metadata['title']}"
    joint.update(metadata or {})
    layout = world.metadata.get("grid")
    if isinstance(layout, GridLayout):
        joint["agent_grid"] = layout
    if noise is not None:
        if not isinstance(layout, GridLayout):
            raise InvalidParameterError(
                f"`noise` applies to a gridworld's moves; {world.name or 'this world'} has no "
                "map (give its stochastic transitions in the world itself)."
            )
        noises = tuple(noise) if isinstance(noise, (tuple, list)) else (noise, noise)
        if len(noises) != 2:
            raise InvalidParameterError(
                f"`noise` must be one number or one per agent; got {noise!r}."
            )
        worlds = [_with_noise(world, layout, n) for n in noises]
    rule = forbid if forbid is None or callable(forbid) else forbid_rules(world, forbid, agents)
    return two_agent_product(
        worlds[0],
        worlds[1],
        agents=agents,
        overlap=overlap,
        forbid=rule,
        name=name if name is not None else f"joint:{world.name or 'world'}",
        metadata=joint,
    )


def _with_noise(world: MDP, layout: GridLayout, noise: float) -> MDP:
    """The gridworld `world` again, with slip noise `noise`."""
    return parse_map(
        render(world),
        stay=layout.stay,
        bump=layout.bump,
        noise=noise,
        names=dict(layout.names) or None,
        walls=[[r, c, d] for (r, c), d in layout.walls] or None,
        name=world.name,
    )


def forbid_rules(
    world: MDP, rules: Sequence[Mapping[str, Any]], agents: Sequence[str] = DEFAULT_AGENTS
) -> Callable[[tuple, tuple], bool]:
    """Forbidden joint actions, written as data, as a ``forbid`` function.

    Each rule is a mapping with ``state = [S_1, S_2]`` and ``action = [A_1, A_2]``
    (one entry per agent, in the order of `agents`); an entry is a state or
    action as ``powerseek show`` prints it (or a legend name), or ``"*"`` for
    any. A joint action is forbidden in a joint state when some rule matches
    both. POWERplay's "H may not stay while A is in the far-right cell" is
    ``{"state": ["*", "(0, 2)"], "action": ["stay", "*"]}``.

    Parameters
    ----------
    world : MDP
        The single-agent world whose labels the rules use.
    rules : sequence of mappings
        The rules.
    agents : sequence of two str, default ("H", "A")
        The agents' names, for error messages.

    Returns
    -------
    callable
        ``forbid(joint_state, joint_action) -> bool``.

    Raises
    ------
    InvalidParameterError
        A rule that is not two states and two actions, or a label that is no
        state or action of `world`, named with the rule's position.

    Examples
    --------
    >>> from powerseek import load
    >>> forbid = forbid_rules(load("powerplay-3x3"), [{"state": ["*", "(0,2)"],
    ...                                                "action": ["stay", "*"]}])
    >>> forbid(((1, 1), (0, 2)), ("stay", "left")), forbid(((1, 1), (0, 1)), ("stay", "left"))
    (True, False)
    """
    from ._labels import parse_state

    if isinstance(rules, Mapping) or not isinstance(rules, Sequence):
        raise InvalidTypeError(
            "`forbid` must be a function or a list of rules {state = [S1, S2], action = "
            f"[A1, A2]}}; got {type(rules).__name__}."
        )
    actions = {a for state in world.states for a in world.actions_of(state)}
    compiled = []
    for k, rule in enumerate(rules, 1):
        where = f"forbid rule {k}"
        if not isinstance(rule, Mapping) or set(rule) != {"state", "action"}:
            raise InvalidParameterError(
                f"{where} must have exactly the keys `state` and `action`, each a pair "
                f'(one per agent, "*" for any); got {rule!r}.'
            )
        pair_states, pair_actions = [], []
        for key, out in (("state", pair_states), ("action", pair_actions)):
            value = rule[key]
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise InvalidParameterError(
                    f"{where}: `{key}` must be a pair, one entry per agent ({', '.join(agents)}); "
                    f"got {value!r}."
                )
            for agent, entry in zip(agents, value):
                if entry == ANY:
                    out.append(None)
                elif key == "state":
                    out.append(_state(world, entry, where, agent, parse_state))
                else:
                    out.append(_action(actions, entry, where, agent))
        compiled.append((tuple(pair_states), tuple(pair_actions)))

    def forbid(state: tuple, action: tuple) -> bool:
        return any(
            all(p is None or p == x for p, x in zip(states, state))
            and all(p is None or p == x for p, x in zip(acts, action))
            for states, acts in compiled
        )

    return forbid


def _state(world: MDP, entry: Any, where: str, agent: str, parse_state) -> Hashable:
    if isinstance(entry, str):
        try:
            return parse_state(world, entry)
        except UnknownStateError as exc:  # its message lists the states
            reason = str(exc).rstrip(".")
            raise InvalidParameterError(f"{where}, state of {agent}: {reason}.") from None
    if entry in world:
        return entry
    raise InvalidParameterError(
        f"{where}, state of {agent}: {quote(entry)} is not a state of {world.name or 'the world'}."
    )


def _action(actions: set, entry: Any, where: str, agent: str) -> Hashable:
    if entry in actions:
        return entry
    raise InvalidParameterError(
        f"{where}, action of {agent}: {quote(entry)} is no action of the world; its actions: "
        f"{', '.join(sorted(map(str, actions)))}."
    )
