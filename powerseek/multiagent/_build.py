"""A joint world of two agents from one single-agent world, with rules as data.

:func:`joint_world` puts two agents into any single-agent world (a catalog
name, a file, an MDP): each moves as one agent does there, with its own slip
noise on a gridworld, shared cells allowed or not, and forbidden joint actions
given as rules (:func:`powerseek.mdp.forbid_rules`) that a ``.grid`` file's
``[joint]`` table and the command line's ``joint:ENV`` can write down, as well
as a Python function. The joint states and moves are built in
:mod:`powerseek.mdp` (``two_agent_world``), where the file readers build them too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..mdp import DEFAULT_AGENTS, MDP, two_agent_world
from ._model import JointMDP

__all__ = ["joint_world"]


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
        :func:`powerseek.mdp.forbid_rules` reads them.
    name : str, optional
        Default ``"joint:" + world.name``.

    Returns
    -------
    JointMDP

    See Also
    --------
    joint_gridworld : The same from a map's text.
    product : Two different worlds, one per agent.
    powerseek.mdp.forbid_rules : The rules, as a function.

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
    mdp = two_agent_world(
        world, agents=agents, overlap=overlap, noise=noise, forbid=forbid, name=name
    )
    return JointMDP(mdp, tuple(agents))
