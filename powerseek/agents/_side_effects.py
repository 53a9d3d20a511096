"""How likely an agent is to cause a side effect on an object level.

A side effect is a state feature of the level (:data:`powerseek.mdp.FEATURES`:
a box stuck, a vase broken, the off-switch disabled, ...). The probability that
an agent causes it is the probability that its trajectory from the start ever
enters a state with the feature: a hitting probability, solved exactly for each
policy as a sparse linear system on the states that can still reach the feature.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..exceptions import InvalidParameterError
from ..mdp import MDP, ObjectLevel
from ._analysis import rule_policy

__all__ = ["chain_hitting_probabilities", "hitting_probability", "side_effect_probabilities"]


def hitting_probability(mdp: MDP, policy: Any, target: Any, *, start: Any = None) -> np.ndarray:
    """The probability that a policy's trajectory from `start` ever enters `target`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    policy : array_like, shape (n_samples, n_pairs) or (n_pairs,)
        π(a | s) per state-action pair, one policy per row (as from
        :func:`rule_policy`).
    target : array_like of bool, shape (n_states,)
        The states to hit.
    start : state, optional
        Default ``mdp.metadata["start"]``, else the first state.

    Returns
    -------
    numpy.ndarray, shape (n_samples,)
        Exact up to the sparse solve's rounding (1 if `start` is in `target`).

    See Also
    --------
    chain_hitting_probabilities : From every state of a Markov chain.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> policy = np.full(mdp.n_pairs, 0.0)
    >>> policy[mdp.pair_index("start", "candy")] = 1.0
    >>> for s in mdp.states[1:]:
    ...     policy[mdp.pair_index(s, mdp.actions_of(s)[0])] = 1.0
    >>> hitting_probability(mdp, policy, [s == "candy" for s in mdp.states]).tolist()
    [1.0]
    """
    pi = np.array(policy, dtype=float, ndmin=2)
    if pi.ndim != 2 or pi.shape[1] != mdp.n_pairs:
        raise InvalidParameterError(
            f"`policy` must have shape (n_samples, n_pairs) with n_pairs = {mdp.n_pairs}; "
            f"got {pi.shape}."
        )
    hit = np.asarray(target, dtype=bool)
    if hit.shape != (mdp.n_states,):
        raise InvalidParameterError(
            f"`target` must be one bool per state ({mdp.n_states}); got shape {hit.shape}."
        )
    if start is None:
        start = mdp.metadata.get("start", mdp.states[0])
    s0 = mdp.index(start)
    if hit[s0]:
        return np.ones(pi.shape[0])
    Q = mdp.transition_matrix.tocsr()
    owner = mdp.pair_states
    out = np.empty(pi.shape[0])
    for i, row in enumerate(pi):
        # the state-to-state chain of this policy
        P = sp.csr_matrix((row, (owner, np.arange(mdp.n_pairs))), shape=(mdp.n_states, mdp.n_pairs))
        out[i] = chain_hitting_probabilities(P @ Q, hit)[s0]
    return out


def chain_hitting_probabilities(chain: Any, target: Any) -> np.ndarray:
    """Each state's probability of ever entering `target` on a Markov chain.

    Exact up to the sparse solve's rounding: the states that cannot reach `target`
    get 0 (found by a backward search on the chain's support), and the rest solve
    h = P h with h = 1 on `target`, the least solution.

    Parameters
    ----------
    chain : sparse matrix or array_like, shape (n, n)
        Row-stochastic transition probabilities P[x, y].
    target : array_like of bool, shape (n,)
        The states to hit.

    Returns
    -------
    numpy.ndarray, shape (n,)
        1 on `target`.

    See Also
    --------
    hitting_probability : The same for a policy of an MDP, from its start.

    Examples
    --------
    A walk on 0, 1, 2 that stops at either end, from 1 a third of the time to 2:

    >>> P = [[1, 0, 0], [2 / 3, 0, 1 / 3], [0, 0, 1]]
    >>> chain_hitting_probabilities(P, [False, False, True]).round(6).tolist()
    [0.0, 0.333333, 1.0]
    """
    import scipy.sparse.linalg as spla

    hit = np.asarray(target, dtype=bool)
    P = sp.csr_matrix(chain, dtype=float)
    if P.shape != (hit.size, hit.size):
        raise InvalidParameterError(
            f"`chain` must be square with one row per state of `target` ({hit.size}); got "
            f"shape {P.shape}."
        )
    P.eliminate_zeros()
    # states that can reach the target (backwards search on the chain's support)
    can = hit.copy()
    back = P.T.tocsr()
    frontier = np.flatnonzero(hit)
    while frontier.size:
        preds = back[frontier].indices
        preds = np.unique(preds[~can[preds]])
        can[preds] = True
        frontier = preds
    h = hit.astype(float)
    live = np.flatnonzero(can & ~hit)
    if live.size:
        A = sp.identity(live.size, format="csr") - P[live][:, live]
        b = np.asarray(P[live][:, hit].sum(axis=1)).ravel()
        h[live] = np.clip(np.atleast_1d(spla.spsolve(A.tocsc(), b)), 0.0, 1.0)
    return h


def side_effect_probabilities(
    mdp: MDP,
    gamma: float,
    *,
    rewards: Any = None,
    rule: Any = "optimal",
    side_effects: Any = None,
) -> dict[str, np.ndarray]:
    """The probability that an agent causes each side effect of an object level.

    Parameters
    ----------
    mdp : MDP
        An MDP compiled from an object level (``metadata["level"]``).
    gamma : float
        The agent's discount.
    rewards : array_like, shape (n_samples, n_states) or (n_states,), optional
        The rewards the agent pursues, one per row (a reward distribution's
        samples); default the level's task reward (:meth:`ObjectLevel.task_reward`).
    rule : DecisionRule or str, default "optimal"
        The agent: the optimal agent (uniform among optimal actions), or any rule
        of ``--rule`` (``"boltzmann:0.1"``, ...).
    side_effects : sequence of str, optional
        Feature names; default the level's side effects, else all its features.

    Returns
    -------
    dict of str to numpy.ndarray
        Per feature, one probability per reward row; over a reward distribution,
        their mean is the probability and their standard error its error.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("side-effects-sokoban-0")
    >>> side_effect_probabilities(mdp, 0.99)["box-stuck"].tolist()
    [1.0]
    """
    level = mdp.metadata.get("level")
    if not isinstance(level, ObjectLevel):
        raise InvalidParameterError(
            "side effects are features of an object level; this MDP was not compiled from one "
            "(load a .level file or a catalog level such as side-effects-sokoban-0)."
        )
    features = level.features(mdp)
    names = list(side_effects) if side_effects is not None else list(level.side_effects or features)
    for name in names:
        if name not in features:
            raise InvalidParameterError(
                f"unknown side effect {name!r} for level {level.name!r}; its features are "
                f"{', '.join(features) or 'none'}."
            )
    if rewards is None:
        rewards = level.task_reward(mdp, gamma)
    policy = rule_policy(mdp, rewards, gamma, rule)
    return {name: hitting_probability(mdp, policy, features[name]) for name in names}
