"""A joint world of two agents from one single-agent world, with rules as data.

:func:`joint_world` puts two agents into any single-agent world (a catalog
name, a file, an MDP): each moves as one agent does there, with its own slip
noise on a gridworld, shared cells allowed or not, and forbidden joint actions
given as rules (:func:`forbid_rules`) that a ``.grid`` file's ``[joint]`` table
and the command line's ``joint:ENV`` can write down, as well as a Python
function.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from .._validation import quote
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..mdp import MDP, gridworld
from ._model import DEFAULT_AGENTS, JointMDP, product

__all__ = ["ANY", "forbid_rules", "joint_world"]

#: The wildcard of a forbidden-action rule: any state, or any action.
ANY = "*"


def joint_world(
    world: MDP,
    *,
    agents: Sequence[str] = DEFAULT_AGENTS,
    overlap: bool = True,
    noise: float | Sequence[float] | None = None,
    forbid: Callable[[tuple, tuple], bool] | Sequence[Mapping[str, Any]] | None = None,
    name: str | None = None,
) -> JointMDP:
    """Two agents in one single-agent world, each moving as one agent does there.

    Parameters
    ----------
    world : MDP
        The single-agent world (a gridworld, a graph, a file's MDP).
    agents : sequence of two str, default ("H", "A")
        The agents' names.
    overlap : bool, default True
        Whether both agents may be in one state (:func:`product`).
    noise : float or pair of floats, optional
        Slip noise of a gridworld's moves, the same for both agents or one per
        agent (default: the world's own). Only for gridworlds.
    forbid : callable or sequence of rules, optional
        ``forbid(joint_state, joint_action) -> bool``, or rules as
        :func:`forbid_rules` reads them.
    name : str, optional
        Default ``"joint:" + world.name``.

    Returns
    -------
    JointMDP

    See Also
    --------
    joint_gridworld : The same from a map's text.
    product : Two different worlds, one per agent.

    Examples
    --------
    >>> from powerseek import load
    >>> joint = joint_world(load("powerplay-3x3"), overlap=False)
    >>> joint.name, joint.mdp.n_states                     # 9 x 9 cells, 9 shared left out
    ('joint:powerplay-3x3', 72)
    >>> rules = [{"state": ["*", "(0, 2)"], "action": ["stay", "*"]}]
    >>> joint = joint_world(load("powerplay-3x3"), forbid=rules)
    >>> "stay" in joint.actions_of(((1, 1), (0, 2)), "H")  # H may not stay while A is at (0, 2)
    False
    """
    if not isinstance(world, MDP):
        raise InvalidTypeError(f"`world` must be an MDP; got {type(world).__name__}.")
    if "agents" in world.metadata:
        raise InvalidParameterError(
            f"{world.name or 'this world'} is already a joint world of "
            f"{' and '.join(world.metadata['agents'])}; give a single-agent world."
        )
    worlds = [world, world]
    metadata: dict[str, Any] = {}
    layout = world.metadata.get("grid")
    if isinstance(layout, gridworld.GridLayout):
        metadata["agent_grid"] = layout
    if noise is not None:
        if not isinstance(layout, gridworld.GridLayout):
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
    return product(
        worlds[0],
        worlds[1],
        agents=agents,
        overlap=overlap,
        forbid=rule,
        name=name if name is not None else f"joint:{world.name or 'world'}",
        metadata=metadata,
    )


def _with_noise(world: MDP, layout: gridworld.GridLayout, noise: float) -> MDP:
    """The gridworld `world` again, with slip noise `noise`."""
    return gridworld.parse(
        gridworld.render(world),
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
    from ..mdp import parse_state

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
        except Exception as exc:  # an UnknownStateError with the states listed
            raise InvalidParameterError(f"{where}, state of {agent}: {exc}") from None
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
