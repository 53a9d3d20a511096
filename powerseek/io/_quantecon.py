"""QuantEcon's ``DiscreteDP``: its dynamics in, an equivalent ``DiscreteDP`` out.

A ``DiscreteDP(R, Q, beta, s_indices, a_indices)`` holds a reward R(s, a) per
state-action pair, the transitions Q and the discount β, in one of two forms:
state-action pairs (``Q`` of shape (L, n), dense or sparse, with
``s_indices`` and ``a_indices``) or products (``Q`` of shape (n, m, n) and
``R`` of shape (n, m), ``R = -inf`` marking the actions a state does not have).

Only the transitions carry over to powerseek, whose rewards come from a
distribution over state rewards R(s); going the other way a state reward
vector maps to R(s, a) = R(s) for every action a of s, which gives the same
optimal values: V(s) = R(s) + β·max_a E V(s'). :func:`from_quantecon` reads the
object's attributes without importing quantecon; :func:`to_quantecon` imports
it to build one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from .._validation import check_gamma, check_rewards
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..mdp import MDP

__all__ = ["from_quantecon", "to_quantecon"]


def from_quantecon(
    ddp: Any,
    *,
    states: Sequence[Hashable] | None = None,
    actions: Sequence[Hashable] | None = None,
    name: str | None = None,
) -> MDP:
    """The MDP of a QuantEcon ``DiscreteDP`` (its transitions; R and β are dropped).

    Parameters
    ----------
    ddp : quantecon.markov.DiscreteDP
        Or any object with its attributes: ``Q`` and ``R``, and in the
        state-action-pair form ``s_indices`` and ``a_indices``.
    states, actions : sequence, optional
        Labels of the state and action indices (default the indices).
    name : str, optional
        The MDP's name; a default when None.

    Returns
    -------
    MDP
        In the product form, the actions of a state are those with a finite
        ``R[s, a]``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import numpy as np
    >>> ddp = SimpleNamespace(R=np.array([0.0, 1.0, 0.0]), Q=np.array([[0, 1], [1, 0], [0, 1]]),
    ...                       s_indices=np.array([0, 0, 1]), a_indices=np.array([0, 1, 0]))
    >>> from_quantecon(ddp, actions=["right", "stay"]).actions_of(0)
    ('right', 'stay')
    """
    Q = getattr(ddp, "Q", None)
    R = getattr(ddp, "R", None)
    if Q is None or R is None:
        raise InvalidTypeError(
            f"`ddp` must be a quantecon DiscreteDP (with attributes Q and R); got "
            f"{type(ddp).__name__}."
        )
    s_indices = getattr(ddp, "s_indices", None)
    a_indices = getattr(ddp, "a_indices", None)
    if np.ndim(R) == 1:  # state-action pairs
        if s_indices is None or a_indices is None:
            raise InvalidParameterError(
                "a DiscreteDP with a 1-dimensional R is in state-action-pair form and needs "
                "s_indices and a_indices."
            )
        return MDP.from_sa_pairs(Q, s_indices, a_indices, states=states, actions=actions, name=name)
    R = np.asarray(R, dtype=float)
    if R.ndim != 2:
        raise InvalidParameterError(f"`ddp.R` must be 1- or 2-dimensional; got shape {R.shape}.")
    available = -np.inf < R
    Q = np.asarray(Q, dtype=float)
    Q = np.where(available[..., None], Q, 0.0)  # rows of absent actions are ignored
    return MDP.from_product(
        Q, layout="sas", available=available, states=states, actions=actions, name=name
    )


def to_quantecon(mdp: MDP, rewards: Any, gamma: float):
    """A QuantEcon ``DiscreteDP`` with `mdp`'s dynamics and R(s, a) = rewards[s].

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (n_states,)
        One state reward vector.
    gamma : float in [0, 1)
        QuantEcon's β.

    Returns
    -------
    quantecon.markov.DiscreteDP
        In state-action-pair form with sparse Q; its action indices are those of
        ``mdp.to_sa_pairs()``.

    Raises
    ------
    ImportError
        quantecon is not installed.
    """
    try:
        from quantecon.markov import DiscreteDP
    except ImportError:
        raise ImportError("to_quantecon needs quantecon: pip install quantecon.") from None
    gamma = check_gamma(gamma)
    if gamma == 1.0:
        raise InvalidParameterError("`gamma` must be below 1 for a DiscreteDP; got 1.")
    R = check_rewards(rewards, mdp)
    if R.shape[0] != 1:
        raise InvalidParameterError(
            f"`rewards` must be one reward vector of {mdp.n_states} states; got {R.shape[0]}."
        )
    pairs = mdp.to_sa_pairs()
    return DiscreteDP(R[0][pairs.s_indices], pairs.Q, gamma, pairs.s_indices, pairs.a_indices)
