"""Exact evaluation of stochastic policies against a dense solve written here."""

import numpy as np
import pytest

from powerseek import gridworld
from powerseek.solvers import _policy_evaluation as policy_evaluation
from powerseek.solvers._policy_evaluation import evaluate_policies, state_sums


def random_policy(mdp, m, rng):
    weights = rng.random((mdp.n_pairs, m))
    return weights / state_sums(weights, mdp)[mdp.pair_states]


def dense_values(mdp, pi, r, gamma, bonus=None):
    T = mdp.transition_matrix.toarray()
    P = np.zeros((mdp.n_states, mdp.n_states))
    np.add.at(P, mdp.pair_states, pi[:, None] * T)
    source = (1 - gamma) * r + (0 if bonus is None else bonus)
    return np.linalg.solve(np.eye(mdp.n_states) - gamma * P, source)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.999])
@pytest.mark.parametrize("dense_limit", [256, 0])  # the batched dense path and sparse LU
def test_values_match_a_dense_solve(monkeypatch, gamma, dense_limit):
    monkeypatch.setattr(policy_evaluation, "DENSE_STATES", dense_limit)
    mdp = gridworld.parse(["...", ".#.", "..."], noise=0.1)
    rng = np.random.default_rng(0)
    pi = random_policy(mdp, 5, rng)
    R = rng.random((mdp.n_states, 5))
    bonus = rng.random((mdp.n_states, 5)) * 0.01
    W, bound = evaluate_policies(mdp, pi, R, gamma, bonus=bonus)
    for j in range(5):
        np.testing.assert_allclose(
            W[:, j], dense_values(mdp, pi[:, j], R[:, j], gamma, bonus[:, j]), atol=1e-11
        )
    assert bound <= 1e-10


def test_gamma_one_is_refused():
    mdp = gridworld.parse([".."])
    with pytest.raises(ValueError, match="gamma in \\[0, 1\\)"):
        evaluate_policies(mdp, np.full((mdp.n_pairs, 1), 0.5), np.ones((2, 1)), 1.0)
