"""The other agent's behaviour, and the single-agent MDP it leaves.

A policy of one agent maps each joint state to a distribution over that
agent's actions, ``{joint_state: {action: probability}}``: uniform over its
actions (:func:`uniform_policy`), one fixed action where it has it
(:func:`fixed_policy`, e.g. ``"stay"``), any mapping (:func:`check_policy`),
or a POWERplay policy graph (``powerseek.io.read_policy``).

Fixing agent B's policy π_B gives agent A an ordinary MDP over the joint
states (:func:`induced_mdp`):

    T_A(s, a_A, s') = Σ_{a_B} π_B(a_B | s) T(s, (a_A, a_B), s'),

so every single-agent analysis (POWER, optimality, sweeps, exact results)
applies to it unchanged. Where some joint actions are missing (forbidden, or
removed so that the agents never share a cell), a_A is available when it
combines with at least one action that π_B plays in s, and π_B's
probabilities are renormalised over the actions it combines with.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import scipy.sparse as sp

from .._validation import quote
from ..exceptions import InvalidMDPError, InvalidParameterError, InvalidTypeError
from ..mdp import MDP
from ._model import JointMDP

__all__ = ["check_policy", "fixed_policy", "induced_mdp", "uniform_policy"]

#: How far a policy's probabilities in one state may sum from 1.
POLICY_TOLERANCE = 1e-9

Policy = dict[Hashable, dict[Hashable, float]]


def uniform_policy(joint: JointMDP, agent: str) -> Policy:
    """`agent` plays each of its actions with equal probability in every joint state.

    Parameters
    ----------
    joint : JointMDP
        The joint world of the two agents.
    agent : str
        The agent's name (one of ``joint.agents``).

    Returns
    -------
    dict
        joint state -> {action: probability}.

    Examples
    --------
    >>> from powerseek.multiagent import joint_gridworld
    >>> uniform_policy(joint_gridworld(".."), "A")[((0, 0), (0, 0))]
    {'right': 0.5, 'stay': 0.5}
    """
    policy = {}
    for state in joint.states:
        actions = joint.actions_of(state, agent)
        policy[state] = {a: 1.0 / len(actions) for a in actions}
    return policy


def fixed_policy(joint: JointMDP, agent: str, action: Hashable = "stay") -> Policy:
    """`agent` always plays `action` (``"stay"`` by default).

    Parameters
    ----------
    joint : JointMDP
        The joint world.
    agent : str
        The agent whose policy this is (one of ``joint.agents``).
    action : hashable, default "stay"
        The action `agent` plays in every joint state.

    Returns
    -------
    dict

    Raises
    ------
    InvalidParameterError
        A joint state where `agent` does not have `action`.
    """
    for state in joint.states:
        if action not in joint.actions_of(state, agent):
            raise InvalidParameterError(
                f"{agent} has no action {quote(action)} in joint state {quote(state)}; its "
                f"actions there are {', '.join(map(quote, joint.actions_of(state, agent)))}."
            )
    return {state: {action: 1.0} for state in joint.states}


def check_policy(joint: JointMDP, agent: str, policy: Mapping[Hashable, Any]) -> Policy:
    """Validate `policy` for `agent`: every joint state, its actions, distributions.

    Parameters
    ----------
    joint : JointMDP
        The joint world of the two agents.
    agent : str
        The agent's name (one of ``joint.agents``).
    policy : mapping
        joint state -> {action: probability} (a POWERplay policy graph reads into one).

    Returns
    -------
    dict
        The policy with float probabilities, zero ones left out.

    Raises
    ------
    InvalidParameterError
        A joint state missing or unknown, an action `agent` does not have
        there, a probability outside [0, 1], or probabilities not summing to 1.
    """
    if not isinstance(policy, Mapping):
        raise InvalidTypeError(
            f"the policy must map joint states to {{action: probability}}; got "
            f"{type(policy).__name__}."
        )
    unknown = [s for s in policy if s not in joint.mdp]
    if unknown:
        raise InvalidParameterError(
            f"the policy of {agent} names the joint state {quote(unknown[0])}, which is not a "
            "state of this world."
        )
    checked: Policy = {}
    for state in joint.states:
        if state not in policy:
            raise InvalidParameterError(
                f"the policy of {agent} has no entry for the joint state {quote(state)}."
            )
        entry = policy[state]
        if not isinstance(entry, Mapping):
            raise InvalidParameterError(
                f"the policy of {agent} at {quote(state)} must be {{action: probability}}; got "
                f"{type(entry).__name__}."
            )
        own = joint.actions_of(state, agent)
        out: dict[Hashable, float] = {}
        for action, p in entry.items():
            if action not in own:
                raise InvalidParameterError(
                    f"the policy of {agent} plays {quote(action)} in {quote(state)}, where its "
                    f"actions are {', '.join(map(quote, own))}."
                )
            try:
                p = float(p)
            except (TypeError, ValueError):
                raise InvalidParameterError(
                    f"the policy of {agent} gives {quote(action)} in {quote(state)} the "
                    f"probability {p!r}, which is not a number."
                ) from None
            if not (math.isfinite(p) and 0.0 <= p <= 1.0):
                raise InvalidParameterError(
                    f"the policy of {agent} gives {quote(action)} in {quote(state)} the "
                    f"probability {p!r}; probabilities are in [0, 1]."
                )
            if p > 0:
                out[action] = p
        total = math.fsum(out.values())
        if abs(total - 1.0) > POLICY_TOLERANCE:
            raise InvalidParameterError(
                f"the policy of {agent} in {quote(state)} sums to {total!r}, not 1 (within "
                f"{POLICY_TOLERANCE:g})."
            )
        checked[state] = out
    return checked


def induced_mdp(joint: JointMDP, agent: str, other_policy: Mapping[Hashable, Any]) -> MDP:
    """`agent`'s MDP when the other agent follows `other_policy` (see the module notes).

    Parameters
    ----------
    joint : JointMDP
        The joint world of the two agents.
    agent : str
        The acting agent.
    other_policy : mapping
        joint state -> {other agent's action: probability}.

    Returns
    -------
    MDP
        Over the joint states, with `agent`'s actions; named as the world,
        with ``agent`` and the joint world's ``agents`` in its metadata.

    See Also
    --------
    fixed_policy_power : POWER in the induced MDP.
    uniform_policy : The default policy of the other agent.

    Examples
    --------
    >>> from powerseek.multiagent import joint_gridworld
    >>> joint = joint_gridworld("..")
    >>> mdp = induced_mdp(joint, "H", uniform_policy(joint, "A"))
    >>> mdp.transition(((0, 0), (0, 0)), "right")
    {((0, 1), (0, 0)): 0.5, ((0, 1), (0, 1)): 0.5}
    """
    me = joint.agent_index(agent)
    other = joint.other(agent)
    policy = check_policy(joint, other, other_policy)
    mdp = joint.mdp
    index = {state: i for i, state in enumerate(mdp.states)}
    T = mdp.transition_matrix
    actions: list[list[Hashable]] = []
    rows, cols, data = [], [], []
    pair = 0
    for i, state in enumerate(mdp.states):
        pi = policy[state]
        by_own: dict[Hashable, list[tuple[int, float]]] = {}
        for k in range(mdp.pair_offsets[i], mdp.pair_offsets[i + 1]):
            joint_action = mdp.actions[i][k - mdp.pair_offsets[i]]
            weight = pi.get(joint_action[1 - me], 0.0)
            if weight > 0:
                by_own.setdefault(joint_action[me], []).append((k, weight))
        if not by_own:
            raise InvalidMDPError(
                f"in joint state {quote(state)} no action of {agent} combines with the actions "
                f"{other}'s policy plays there ({', '.join(map(quote, pi))}).",
                state=state,
            )
        own = []
        for action, parts in by_own.items():
            total = math.fsum(w for _, w in parts)
            for k, w in parts:
                start, stop = T.indptr[k], T.indptr[k + 1]
                rows.extend([pair] * (stop - start))
                cols.extend(T.indices[start:stop].tolist())
                data.extend((T.data[start:stop] * (w / total)).tolist())
            own.append(action)
            pair += 1
        actions.append(own)
    matrix = sp.csr_array((data, (rows, cols)), shape=(pair, len(index)))
    matrix.sum_duplicates()
    metadata = {key: value for key, value in mdp.metadata.items() if key != "agents"}
    metadata.update(agent=agent, agents=joint.agents)
    return MDP.from_arrays(mdp.states, actions, matrix, name=mdp.name, metadata=metadata)
