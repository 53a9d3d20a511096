"""POWER in joint worlds with the other agent's policy fixed.

POWERplay's "fixed policy" experiments: agent A follows a policy (uniform
random, staying put, one read from a policy graph), which leaves agent H an
ordinary MDP (:func:`~powerseek.multiagent.induced_mdp`); POWER_H of every
joint state is then that MDP's POWER, estimated as for any single-agent world,
with standard errors and certified solver bounds. The same holds with the
roles swapped.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from ..analysis import PowerResult, PowerSweepResult, power_sweep
from ..exceptions import InvalidParameterError
from ._model import JointMDP
from ._policies import fixed_policy, induced_mdp, uniform_policy

__all__ = ["fixed_policy_power", "fixed_policy_power_sweep", "resolve_policy"]


def resolve_policy(joint: JointMDP, agent: str, policy: Any) -> Mapping[Hashable, Any]:
    """A policy of `agent` from a name, a file or a mapping.

    Parameters
    ----------
    joint : JointMDP
        The joint world of the two agents.
    agent : str
        The agent's name (one of ``joint.agents``).
    policy : str, path or mapping
        ``"uniform"``; ``"stay"`` (or any action name: always that action);
        the path of a POWERplay policy graph (``.gv``); or a mapping
        joint state -> {action: probability}.

    Returns
    -------
    mapping
    """
    if isinstance(policy, Mapping):
        return policy
    if isinstance(policy, os.PathLike) or (
        isinstance(policy, str) and Path(policy).suffix.lower() in (".gv", ".dot")
    ):
        from ..io import read_policy

        return read_policy(policy)
    if policy == "uniform":
        return uniform_policy(joint, agent)
    if isinstance(policy, str):
        return fixed_policy(joint, agent, policy)
    raise InvalidParameterError(
        f"a policy must be 'uniform', an action name such as 'stay', a policy graph file (.gv) "
        f"or a mapping; got {policy!r}."
    )


def fixed_policy_power_sweep(
    joint: JointMDP,
    gammas: Any,
    *,
    other_policy: Any = "uniform",
    agent: str | None = None,
    **options: Any,
) -> PowerSweepResult:
    """POWER of `agent` at every joint state over discounts, the other agent's policy fixed.

    Parameters
    ----------
    joint : JointMDP
        The joint world of the two agents.
    gammas : float or sequence of float
        The discount rates, one result per value.
    other_policy : str, path or mapping, default "uniform"
        The other agent's policy (:func:`resolve_policy`).
    agent : str, optional
        The acting agent (default the first, ``H``).
    **options
        As for :func:`powerseek.power_sweep` (``dist``, ``n_samples``, ``rng``, ...).

    Returns
    -------
    PowerSweepResult
        Over the joint states, in the world's order.

    See Also
    --------
    fixed_policy_power : At one discount.
    powerseek.power_sweep : POWER over discounts in a single-agent MDP.

    """
    agent = joint.agents[0] if agent is None else agent
    other = joint.other(agent)
    policy = resolve_policy(joint, other, other_policy)
    mdp = induced_mdp(joint, agent, policy)
    return power_sweep(mdp, gammas, **options)


def fixed_policy_power(
    joint: JointMDP,
    gamma: float,
    *,
    other_policy: Any = "uniform",
    agent: str | None = None,
    **options: Any,
) -> PowerResult:
    """POWER of `agent` at every joint state, the other agent's policy fixed.

    Parameters
    ----------
    joint : JointMDP
        The joint world of the two agents.
    gamma : float
        The discount rate γ.
    other_policy : str, path or mapping, default "uniform"
        The other agent's policy: ``"uniform"``, a policy file, or a mapping state -> {action:
        probability}.
    agent : str, optional
        The acting agent (default the first, ``H``).
    **options
        As for :func:`powerseek.power`.

    Returns
    -------
    PowerResult

    See Also
    --------
    fixed_policy_power_sweep : The same over several discounts.
    induced_mdp : The MDP the fixed policy leaves.
    correlation_sweep : Both agents' POWER under correlated rewards.

    Examples
    --------
    >>> from powerseek.multiagent import joint_gridworld
    >>> joint = joint_gridworld("...")            # a 1x3 corridor; A stays where it is
    >>> result = fixed_policy_power(joint, 0.6, other_policy="stay", n_samples=2000, rng=0)
    >>> round(result[((0, 1), (0, 0))] - result[((0, 2), (0, 0))], 2)   # the middle has more
    0.04
    """
    return fixed_policy_power_sweep(
        joint, gamma, other_policy=other_policy, agent=agent, **options
    ).at(0)
