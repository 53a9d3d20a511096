"""Exact evaluation of stochastic policies, one policy per reward sample.

A decision rule other than "optimal" gives a policy π_R per reward sample
(:mod:`powerseek.agents`). Its values solve the linear system

    (I − γ P_π) W = (1 − γ) R,    P_π(s, s') = Σ_a π(a | s) T(s, a, s'),

on the (1−γ)V scale of POWER. Small MDPs (up to :data:`DENSE_STATES` states)
are solved as batched dense systems, a few hundred samples at a time; larger
ones by a sparse LU factorisation per sample. Either way the result comes
with a certified bound on ‖W − W_π‖∞ from the residual:
‖W − W_π‖∞ ≤ ‖(I − γP_π)W − (1−γ)R‖∞ / (1 − γ).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..exceptions import InvalidParameterError
from ..mdp import MDP

__all__ = ["DENSE_STATES", "evaluate_policies", "evaluation_bound", "state_sums"]

#: The most states solved as dense systems; larger MDPs use a sparse LU per sample.
DENSE_STATES = 256

#: Numbers in one dense batch of transition matrices (about 32 MiB of float64).
_BATCH_NUMBERS = 1 << 22


def state_sums(W: np.ndarray, mdp: MDP) -> np.ndarray:
    """Per-state sums over each state's pairs: (n_pairs, m) -> (n_states, m).

    Parameters
    ----------
    W : numpy.ndarray, shape (n_pairs, m)
        Values per state-action pair, shape (n_pairs, m), in the order of `mdp`'s pairs.
    mdp : MDP
        The environment.

    Returns
    -------
    numpy.ndarray, shape (n_states, m)

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")      # start and wait have two actions each
    >>> state_sums(np.ones((mdp.n_pairs, 1)), mdp).ravel().tolist()
    [2.0, 2.0, 1.0, 1.0, 1.0]
    """
    return np.add.reduceat(W, mdp.pair_offsets[:-1], axis=0)


def evaluate_policies(
    mdp: MDP,
    policy: np.ndarray,
    rewards: np.ndarray,
    gamma: float,
    *,
    bonus: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """(1−γ)·V^π for one stochastic policy per sample, exactly.

    Parameters
    ----------
    mdp : MDP
        The environment.
    policy : numpy.ndarray, shape (n_pairs, m)
        π(a | s) per pair and sample; each state's pairs sum to 1.
    rewards : numpy.ndarray, shape (n_states, m)
        Reward functions, one per row (a single vector is one sample).
    gamma : float in [0, 1)
        The discount rate γ.
    bonus : numpy.ndarray, shape (n_states, m), optional
        Added to (1−γ)R on the right-hand side, on the same scale (the
        entropy term of a soft-optimal policy's values).

    Returns
    -------
    values : numpy.ndarray, shape (n_states, m)
        W = (1−γ)V^π.
    error_bound : float
        A bound on ‖W − (1−γ)V^π‖∞ over all samples, from the residual.

    Examples
    --------
    Candy/Wait, always waiting at start: start's value is γ·(wait's value).

    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> pi = np.array([[0.0], [1.0], [0.5], [0.5], [1.0], [1.0], [1.0]])
    >>> R = np.array([[0.0], [0.0], [1.0], [0.0], [0.5]])
    >>> W, bound = evaluate_policies(mdp, pi, R, 0.5)
    >>> W.ravel().round(6).tolist(), bound < 1e-12
    ([0.0625, 0.125, 1.0, 0.0, 0.5], True)
    """
    from scipy.sparse.linalg import splu

    if not 0.0 <= gamma < 1.0:
        raise InvalidParameterError(
            f"a policy's values are evaluated for gamma in [0, 1); got gamma = {gamma}."
        )
    source = (1.0 - gamma) * np.asarray(rewards, dtype=float)
    if bonus is not None:
        source = source + bonus
    if gamma == 0.0:
        return source, 0.0
    pi = np.asarray(policy, dtype=float)
    n, m = mdp.n_states, source.shape[1]
    T = mdp.transition_matrix
    W = np.empty((n, m))
    if n <= DENSE_STATES:
        dense = T.toarray()
        offsets = mdp.pair_offsets[:-1]
        batch = max(1, _BATCH_NUMBERS // (mdp.n_pairs * n))
        eye = np.eye(n)
        for lo in range(0, m, batch):
            hi = min(lo + batch, m)
            weighted = pi[:, lo:hi, None] * dense[:, None, :]  # (pairs, b, n)
            P = np.add.reduceat(weighted, offsets, axis=0).transpose(1, 0, 2)  # (b, n, n)
            A = eye - gamma * P
            W[:, lo:hi] = np.linalg.solve(A, source[:, lo:hi].T[:, :, None])[..., 0].T
    else:
        owner = sp.csr_array(
            (np.ones(mdp.n_pairs), (mdp.pair_states, np.arange(mdp.n_pairs))),
            shape=(n, mdp.n_pairs),
        )
        eye = sp.identity(n, format="csc")
        for k in range(m):
            P = owner @ sp.diags_array(pi[:, k]) @ T
            W[:, k] = splu(sp.csc_array(eye - gamma * P)).solve(source[:, k])
    return W, evaluation_bound(mdp, pi, W, source, gamma)


def evaluation_bound(
    mdp: MDP, policy: np.ndarray, values: np.ndarray, source: np.ndarray, gamma: float
) -> float:
    """A bound on ‖W − W_π‖∞ for any W, from its residual against W = γ P_π W + source.

    W − W_π = (I − γP_π)⁻¹ r for the residual r, and ‖(I − γP_π)⁻¹‖∞ = 1/(1−γ) for a
    stochastic P_π, so ‖r‖∞/(1−γ) bounds the error; it is attained when the error is
    the same at every state.

    Parameters
    ----------
    mdp : MDP
    policy : numpy.ndarray, shape (n_pairs, m)
        π(a | s) per pair and sample.
    values : numpy.ndarray, shape (n_states, m)
        W, any approximation of (1−γ)V^π.
    source : numpy.ndarray, shape (n_states, m)
        The right-hand side, (1−γ)R (plus any bonus).
    gamma : float in [0, 1)

    Returns
    -------
    float
        The largest bound over the samples.

    Examples
    --------
    Off by 0.01 everywhere, the bound is 0.01 at any γ:

    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> pi = np.array([[0.0], [1.0], [0.5], [0.5], [1.0], [1.0], [1.0]])
    >>> R = np.array([[0.0], [0.0], [1.0], [0.0], [0.5]])
    >>> W, _ = evaluate_policies(mdp, pi, R, 0.9)
    >>> round(evaluation_bound(mdp, pi, W + 0.01, 0.1 * R, 0.9), 12)
    0.01
    """
    residual = values - gamma * state_sums(policy * np.asarray(mdp.transition_matrix @ values), mdp)
    residual -= source
    return float(np.abs(residual).max(initial=0.0)) / (1.0 - gamma)
