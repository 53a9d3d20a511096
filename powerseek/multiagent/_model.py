"""Joint worlds of two agents: joint states, joint actions, and how they are built.

A :class:`JointMDP` is an MDP whose states are pairs ``(s_1, s_2)`` (one
component per agent, e.g. the cells of agents H and A) and whose actions are
pairs ``(a_1, a_2)`` of simultaneous moves, with the agents named (``H`` and
``A`` by default, as in POWERplay). Its :attr:`~JointMDP.mdp` is an ordinary
:class:`~powerseek.MDP`, and fixing one agent's policy gives the other agent's
ordinary MDP (:func:`powerseek.multiagent.induced_mdp`).

Built from two single-agent MDPs moving independently (:func:`product`), from a
gridworld map and two agents (:func:`joint_gridworld`), or from any MDP with
pair labels, such as a POWERplay joint ``.gv`` file or a networkx MultiDiGraph
whose ``action`` attributes are pairs (:meth:`JointMDP.from_mdp`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._validation import did_you_mean, quote
from ..exceptions import InvalidMDPError, InvalidParameterError, InvalidTypeError
from ..mdp import DEFAULT_AGENTS, MDP, gridworld, two_agent_product

__all__ = ["DEFAULT_AGENTS", "JointMDP", "joint_gridworld", "product"]

#: How to make a joint world of a single-agent one, for the errors of a world that is not.
_HINT = (
    " For two agents in a single-agent world, use powerseek.multiagent.joint_world(mdp) "
    "(load('joint:NAME'), or joint:ENV on the command line)."
)


@dataclass(frozen=True)
class JointMDP:
    """A world of two agents acting simultaneously.

    Attributes
    ----------
    mdp : MDP
        States ``(s_1, s_2)``, actions ``(a_1, a_2)``; its ``agents`` metadata
        names the agents.
    agents : tuple of two str

    Examples
    --------
    >>> joint = joint_gridworld("..")          # a 1x2 corridor, two agents
    >>> joint.agents, joint.mdp.n_states
    (('H', 'A'), 4)
    >>> joint.actions_of(((0, 0), (0, 1)), "A")
    ('left', 'stay')
    """

    mdp: MDP
    agents: tuple[str, str] = DEFAULT_AGENTS

    def __post_init__(self) -> None:
        if not isinstance(self.mdp, MDP):
            raise InvalidTypeError(f"`mdp` must be an MDP; got {type(self.mdp).__name__}.")
        agents = tuple(self.agents)
        if len(agents) != 2 or not all(isinstance(a, str) and a for a in agents):
            raise InvalidParameterError(f"`agents` must be two names; got {self.agents!r}.")
        if agents[0] == agents[1]:
            raise InvalidParameterError(f"the two agents need different names; got {agents!r}.")
        object.__setattr__(self, "agents", agents)
        for state in self.mdp.states:
            if not (isinstance(state, tuple) and len(state) == 2):
                raise InvalidMDPError(
                    f"joint state {quote(state)} is not a pair (one component per agent).{_HINT}"
                )
            for action in self.mdp.actions_of(state):
                if not (isinstance(action, tuple) and len(action) == 2):
                    raise InvalidMDPError(
                        f"joint action {quote(action)} of state {quote(state)} is not a pair "
                        f"(one action per agent).{_HINT}"
                    )

    @classmethod
    def from_mdp(cls, mdp: MDP, agents: Sequence[str] | None = None) -> JointMDP:
        """A joint world from an MDP with pair labels (a joint ``.gv`` file, a graph).

        Parameters
        ----------
        mdp : MDP
            The environment.
        agents : sequence of two str, optional
            Default: the MDP's ``agents`` metadata, else ``("H", "A")``.

        Returns
        -------
        JointMDP
        """
        if agents is None:
            agents = mdp.metadata.get("agents", DEFAULT_AGENTS)
        return cls(mdp, tuple(agents))

    @property
    def states(self) -> tuple:
        """The joint states."""
        return self.mdp.states

    @property
    def name(self) -> str | None:
        """The world's name."""
        return self.mdp.name

    def agent_index(self, agent: str) -> int:
        """0 or 1: the position of `agent` in joint states and actions.

        Parameters
        ----------
        agent : str
            One of :attr:`agents`.

        Returns
        -------
        int
        """
        if agent not in self.agents:
            raise InvalidParameterError(
                f"{agent!r} is not an agent of this world; its agents are "
                f"{', '.join(self.agents)}.{did_you_mean(agent, self.agents)}"
            )
        return self.agents.index(agent)

    def other(self, agent: str) -> str:
        """The other agent's name.

        Parameters
        ----------
        agent : str
            One of :attr:`agents`.

        Returns
        -------
        str
        """
        return self.agents[1 - self.agent_index(agent)]

    def actions_of(self, state: Hashable, agent: str) -> tuple:
        """The actions `agent` has in `state` (those of its joint actions), in order.

        Parameters
        ----------
        state : hashable
            A joint state.
        agent : str
            One of :attr:`agents`.

        Returns
        -------
        tuple
        """
        i = self.agent_index(agent)
        return tuple(dict.fromkeys(action[i] for action in self.mdp.actions_of(state)))


def product(
    first: MDP,
    second: MDP,
    *,
    agents: Sequence[str] = DEFAULT_AGENTS,
    overlap: bool = True,
    forbid: Callable[[tuple, tuple], bool] | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> JointMDP:
    """Two agents moving simultaneously and independently, one in each MDP.

    The joint state ``(s_1, s_2)`` has the joint actions ``(a_1, a_2)`` for every
    action a_1 of s_1 in `first` and a_2 of s_2 in `second`, and
    T((s_1, s_2), (a_1, a_2)) = T_1(s_1, a_1) ⊗ T_2(s_2, a_2).

    Parameters
    ----------
    first, second : MDP
        The agents' own worlds (often the same gridworld).
    agents : sequence of two str, default ("H", "A")
        The two agents' names.
    overlap : bool, default True
        False removes the joint states where both agents are in one state (the
        same label) and the joint actions that lead to one; only for
        deterministic worlds, where "lead to" is unambiguous.
    forbid : callable, optional
        ``forbid(joint_state, joint_action) -> bool``: True removes that joint
        action from that joint state (e.g. "H may not stay while A is in the
        far-right cell").
    name : str, optional
        The joint world's name; a default when None.
    metadata : mapping, optional
        Kept beside ``agents`` (a joint gridworld keeps its map as ``agent_grid``).

    Returns
    -------
    JointMDP

    Raises
    ------
    InvalidParameterError
        ``overlap=False`` with a stochastic world.
    InvalidMDPError
        A joint state left with no joint action.

    Examples
    --------
    >>> corridor = gridworld.parse("..")
    >>> joint = product(corridor, corridor, overlap=False)
    >>> joint.states
    (((0, 0), (0, 1)), ((0, 1), (0, 0)))
    >>> joint.mdp.actions_of(((0, 0), (0, 1)))      # swapping places is allowed
    (('right', 'left'), ('stay', 'stay'))
    """
    return JointMDP(
        two_agent_product(
            first,
            second,
            agents=agents,
            overlap=overlap,
            forbid=forbid,
            name=name,
            metadata=metadata,
        ),
        tuple(agents),
    )


def joint_gridworld(
    text: str,
    *,
    agents: Sequence[str] = DEFAULT_AGENTS,
    overlap: bool = True,
    noise: float | Sequence[float] = 0.0,
    stay: bool = True,
    bump: str = "absent",
    forbid: Callable[[tuple, tuple], bool] | None = None,
    name: str | None = None,
) -> JointMDP:
    """Two agents on one gridworld map, each moving as in :func:`powerseek.gridworld.parse`.

    Parameters
    ----------
    text : str
        The map (legend in :mod:`powerseek.gridworld`).
    agents : sequence of two str, default ("H", "A")
        The two agents' names.
    overlap : bool, default True
        Whether both agents may be in one cell (see :func:`product`).
    noise : float or pair of floats, default 0
        Slip noise, the same for both agents or one per agent.
    stay, bump
        As in :func:`powerseek.gridworld.parse`.
    forbid : callable, optional
        ``forbid(joint_state, joint_action) -> bool`` removes joint actions.
    name : str, optional
        The joint world's name; a default when None.

    Returns
    -------
    JointMDP
        States ``(cell_1, cell_2)`` in row-major order of the first agent's cell.

    Examples
    --------
    >>> joint = joint_gridworld("...", overlap=False)     # POWERplay's 1x3 world
    >>> joint.mdp.n_states, joint.actions_of(((0, 0), (0, 2)), "H")
    (6, ('right', 'stay'))
    """
    noises = tuple(noise) if isinstance(noise, (tuple, list)) else (noise, noise)
    if len(noises) != 2:
        raise InvalidParameterError(f"`noise` must be one number or one per agent; got {noise!r}.")
    worlds = [gridworld.parse(text, stay=stay, bump=bump, noise=n) for n in noises]
    return product(
        worlds[0],
        worlds[1],
        agents=agents,
        overlap=overlap,
        forbid=forbid,
        name=name,
        metadata={"agent_grid": worlds[0].metadata["grid"]},
    )
