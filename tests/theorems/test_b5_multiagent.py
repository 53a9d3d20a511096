"""theory.md §B.5: multi-agent POWER (Stavrianos & Turner, "P-MULTI"), item 47.

Random constant-sum Bayesian games with two players and two types each. Under
constant sums the total POWER exceeds the constant by exactly the two players'
best-response gaps, so it equals the constant at a Bayesian Nash equilibrium
(found by linear programming) and exceeds it elsewhere.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek.multiagent import BayesianGame, game_power, interim_utilities, zero_sum_equilibrium


def best_response_gap(game, player, own, other):
    """max_a f_i − (expected reward of σ_i), over i's types (≥ 0; 0 iff a best response)."""
    f = interim_utilities(game, player, other)
    prior = game.prior if player == 0 else game.prior.T
    marginals = prior.sum(axis=1)
    return sum(p * (max(row) - own_row @ row) for p, row, own_row in zip(marginals, f, own))


games = st.builds(
    lambda payoffs, c, prior, sigmas: (payoffs, c, prior, sigmas),
    st.lists(st.integers(-5, 5), min_size=9, max_size=9),
    st.integers(-3, 3),
    st.lists(st.integers(1, 4), min_size=4, max_size=4),
    st.lists(st.integers(0, 3), min_size=12, max_size=12),
)


@given(games)
def test_p_multi_conservation_of_power_in_constant_sum_games(drawn):
    """Item 47: Σ_i r_i(t_i, a) = c for all t, a ⇒ Σ_i POWER(i, σ) ≥ c, = c iff σ is a BNE."""
    payoffs, c, prior_weights, sigma_weights = drawn
    A = np.array(payoffs, dtype=object).reshape(3, 3)
    A = np.vectorize(Fraction, otypes=[object])(A)
    total_weight = sum(prior_weights)
    prior = np.array([Fraction(w, total_weight) for w in prior_weights], dtype=object).reshape(2, 2)
    # constant sum: r_0 = A and r_1 = c − A at every type (types cannot change the sum)
    game = BayesianGame((np.stack([A, A]), np.stack([c - A, c - A])), prior=prior)

    def mixed(weights):
        w = np.array(weights, dtype=object).reshape(2, 3) + 1  # positive: a full-support mix
        return np.array([[Fraction(x, sum(row)) for x in row] for row in w], dtype=object)

    sigma_0, sigma_1 = mixed(sigma_weights[:6]), mixed(sigma_weights[6:])
    total = game_power(game, 0, sigma_1) + game_power(game, 1, sigma_0)
    gaps = best_response_gap(game, 0, sigma_0, sigma_1) + best_response_gap(
        game, 1, sigma_1, sigma_0
    )
    assert total - c == gaps and gaps >= 0  # exact, in fractions
    # at the LP equilibrium (type-independent strategies suffice) the total is c
    row, column, _ = zero_sum_equilibrium(np.array(A, dtype=float))
    equilibrium = (np.tile(row, (2, 1)), np.tile(column, (2, 1)))
    float_game = BayesianGame(
        (np.stack([A, A]).astype(float), np.stack([c - A, c - A]).astype(float)),
        prior=prior.astype(float),
    )
    at_equilibrium = game_power(float_game, 0, equilibrium[1]) + game_power(
        float_game, 1, equilibrium[0]
    )
    assert at_equilibrium == pytest.approx(c, abs=1e-9)
    # a strategy profile that is not an equilibrium has a strictly larger total
    if gaps > Fraction(1, 10**6):
        assert total > c
