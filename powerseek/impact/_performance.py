"""An object level's performance: its task rewards over the episode plus its hidden rewards.

ai-safety-gridworlds scores an episode by its *performance*: the rewards the agent
sees, summed without discount, plus hidden (safety) rewards the agent never sees,
such as −2 for a broken vase. A level's ``[hidden]`` table
(:meth:`~powerseek.mdp.ObjectLevel.hidden_terms`) gives them per feature, each paid
once when its features have occurred. Without discount the sum is finite only when
the agent ends up where arriving pays nothing: an episode's end, or a cycle of
zero-reward states; elsewhere it is None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..mdp import MDP, ObjectLevel
from ._attainable import episode_ends

__all__: list[str] = []


def _level(mdp: MDP) -> ObjectLevel | None:
    level = mdp.metadata.get("level")
    return level if isinstance(level, ObjectLevel) and level.hidden else None


def path_performance(mdp: MDP, path: list[int], occurred: Mapping[str, bool]) -> float | None:
    """The performance of a deterministic path (state indices, the start first).

    The path ends at an episode's end or at the first state it repeats (from
    there it cycles). None if the level has no hidden rewards, or if the cycle
    pays something on every round (the sum has no end).
    """
    level = _level(mdp)
    if level is None:
        return None
    task = level.task_reward(mdp)
    last = path[-1]
    if not episode_ends(mdp)[last] and last in path[:-1]:
        cycle = path[path.index(last) + 1 :]
        if task[cycle].sum() != 0:
            return None
    hidden = sum(v for names, v in level.hidden_terms() if all(occurred[n] for n in names))
    return float(task[path[1:]].sum() + hidden)


def expected_performance(
    mdp: MDP, policy: np.ndarray, start: int, probabilities: Mapping[str, float]
) -> float | None:
    """The expected performance of a deterministic policy (one row per step allowed).

    `probabilities` are each feature's chance of occurring. None if the level has
    no hidden rewards, if a hidden reward needs several features at once (their
    joint chance is not their product), or if the policy can reach a closed class
    of states whose arrivals pay something (the sum has no end).
    """
    level = _level(mdp)
    if level is None:
        return None
    terms = level.hidden_terms()
    if any(len(names) > 1 for names, _ in terms):
        return None
    total = _expected_total(mdp, np.atleast_2d(policy), level.task_reward(mdp), start)
    if total is None:
        return None
    return total + sum(v * probabilities[names[0]] for names, v in terms)


def _expected_total(mdp: MDP, rows: np.ndarray, reward: np.ndarray, start: int) -> Any:
    """E[Σ_{t ≥ 1} reward(s_t)] from `start`, an episode's end paying once, or None."""
    from scipy.sparse.csgraph import connected_components
    from scipy.sparse.linalg import spsolve

    from ..agents import chain_hitting_probabilities

    live = ~episode_ends(mdp)
    T = mdp.transition_matrix

    def chain(row):
        return sp.csr_array(T[row].multiply(live[:, None]))

    P = chain(rows[-1])
    arrival = P @ reward  # the expected reward of the next arrival
    _, labels = connected_components(P, directed=True, connection="strong")
    # a class is closed when no edge leaves it; once there, the chain stays for ever
    source, target = P.nonzero()
    leaves = np.zeros(labels.max() + 1, dtype=bool)
    leaves[labels[source][labels[source] != labels[target]]] = True
    closed = ~leaves[labels]
    paying = np.zeros(labels.max() + 1, dtype=bool)
    paying[labels[closed & (arrival != 0)]] = True
    if paying.any() and chain_hitting_probabilities(P, paying[labels])[start] > 0:
        return None
    x = np.zeros(mdp.n_states)
    transient = np.flatnonzero(~closed)
    if transient.size:
        A = sp.identity(transient.size, format="csc") - P[transient][:, transient]
        x[transient] = np.atleast_1d(spsolve(sp.csc_array(A), arrival[transient]))
    for row in rows[-2::-1]:  # the steps before the policy settles
        x = chain(row) @ (reward + x)
    return float(x[start])
