"""Games as explorer cases: best-case POWER, pure equilibria, and the identical-rewards conjecture.

The oracles here are written from the definitions (theory.md A.4, P-MULTI) with
floats and plain loops, independent of `interim_utilities` and the enumeration
in `pure_equilibria`.
"""

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerseek.cli import main
from powerseek.exceptions import InvalidParameterError, InvalidTypeError, SearchLimitError
from powerseek.explore import GameCase, exhaustive_search, explore
from powerseek.explore._conjectures import conjecture
from powerseek.explore._games import (
    common_payoff_family,
    common_payoff_games,
    identical_rewards_power,
)
from powerseek.multiagent import (
    BayesianGame,
    best_case_power,
    game_power,
    identical_rewards,
    pure_equilibria,
)


def _interim(game, player, own_actions, other_actions):
    """f_i(t_i, a_i, s_{-i}) for a pure s_{-i}, straight from the definition, in floats."""
    prior = np.asarray(game.prior, dtype=float)
    if player == 1:
        prior = prior.T
    r = np.asarray(game.rewards[player], dtype=float)
    f = np.zeros((prior.shape[0], own_actions))
    for t in range(prior.shape[0]):
        mass = prior[t].sum()
        for a in range(own_actions):
            total = 0.0
            for u in range(prior.shape[1]):
                b = other_actions[u]
                total += prior[t, u] * (r[t, a, b] if player == 0 else r[t, b, a])
            f[t, a] = total / mass if mass else 0.0
    return f, prior.sum(axis=1)


def _oracle_equilibria(game):
    """Every pure profile where no type of positive probability gains by deviating.

    Types of probability zero play action 0 (the first best reply of a type that
    is indifferent), as `pure_equilibria` lists them.
    """
    (n0, n1), (m0, m1) = game.n_types, game.n_actions
    found = []
    for s0 in itertools.product(range(m0), repeat=n0):
        for s1 in itertools.product(range(m1), repeat=n1):
            ok = True
            for player, own, other, m in ((0, s0, s1, m0), (1, s1, s0, m1)):
                f, mass = _interim(game, player, m, other)
                for t, a in enumerate(own):
                    if mass[t] == 0:
                        ok &= a == 0
                    else:
                        ok &= f[t, a] >= f[t].max() - 1e-12
            if ok:
                found.append((list(s0), list(s1)))
    return sorted(found)


@st.composite
def small_games(draw):
    """Two-player Bayesian games of any rewards, priors with non-dyadic weights and zeros."""
    m0, m1, n0, n1 = (draw(st.integers(1, 3)) for _ in range(4))
    cell = st.integers(-2, 3)
    rewards = tuple(
        [[[draw(cell) for _ in range(m1)] for _ in range(m0)] for _ in range(n)] for n in (n0, n1)
    )
    weights = [[draw(st.integers(0, 3)) for _ in range(n1)] for _ in range(n0)]
    if not any(map(any, weights)):
        weights[0][0] = 1
    total = sum(map(sum, weights))
    prior = [[Fraction(w, total) for w in row] for row in weights]
    return BayesianGame(rewards, prior)


@settings(max_examples=60)
@given(small_games())
def test_pure_equilibria_match_the_definition(game):
    listed = [
        (s0.argmax(axis=1).tolist(), s1.argmax(axis=1).tolist()) for s0, s1 in pure_equilibria(game)
    ]
    assert listed == _oracle_equilibria(game)


@settings(max_examples=40)
@given(small_games())
def test_best_case_power_bounds_power_and_is_the_max_over_profiles(game):
    prior = np.asarray(game.prior, dtype=float)
    for player in (0, 1):
        r = np.asarray(game.rewards[player], dtype=float)
        marginal = prior.sum(axis=1 - player)
        expected = sum(p * r[t].max() for t, p in enumerate(marginal))
        assert float(best_case_power(game, player)) == pytest.approx(expected, abs=1e-12)
        other = 1 - player
        rng = np.random.default_rng(len(r.ravel()))
        for _ in range(3):  # any strategy of the other player, mixed, non-dyadic
            sigma = rng.dirichlet(np.ones(game.n_actions[other]), size=game.n_types[other])
            assert float(game_power(game, player, sigma)) <= expected + 1e-12


def test_best_case_power_single_agent_identity():
    # the other player has one action: best-case POWER = POWER = E max_a r(a)
    half = Fraction(1, 2)
    game = BayesianGame(([[[3], [1]], [[0], [2]]], [[[0], [0]]]), prior=[[half], [half]])
    assert best_case_power(game, 0) == game_power(game, 0, [1]) == Fraction(5, 2)
    with pytest.raises(InvalidParameterError, match="`player` must be 0 or 1"):
        best_case_power(game, 2)


def test_identical_rewards_only_where_the_prior_allows():
    same = [[1, 0], [0, 2]]
    assert identical_rewards(BayesianGame.complete(same, same))
    assert not identical_rewards(BayesianGame.complete(same, [[1, 0], [0, 3]]))
    # player 1's second type differs but never meets player 0's type
    game = BayesianGame(([same], [same, [[9, 9], [9, 9]]]), prior=[[1, 0]])
    assert identical_rewards(game)
    game = BayesianGame(
        ([same], [same, [[9, 9], [9, 9]]]), prior=[[Fraction(1, 3), Fraction(2, 3)]]
    )
    assert not identical_rewards(game)
    floats = BayesianGame.complete(np.array(same) / 3, np.array(same) / 3 + 1e-15)
    assert identical_rewards(floats)


@settings(max_examples=60)
@given(common_payoff_games())
def test_the_best_pure_equilibrium_attains_the_best_case(case):
    """Proven fact the conjecture's finding rests on: with identical rewards, the team's
    best profile in each class of types is an equilibrium where Σ POWER = Σ best-case."""
    game = case.game
    assert identical_rewards(game)
    best = best_case_power(game, 0) + best_case_power(game, 1)
    totals = [game_power(game, 0, s1) + game_power(game, 1, s0) for s0, s1 in pure_equilibria(game)]
    assert max(totals) == best and all(t <= best for t in totals)
    verdict = identical_rewards_power(game)
    assert verdict.holds == all(t == best for t in totals)
    assert verdict.value == pytest.approx(sum(t == best for t in totals) / len(totals))


def test_verdicts_by_hand():
    coordination = BayesianGame.complete([[2, 0], [0, 1]], [[2, 0], [0, 1]])
    verdict = identical_rewards_power(coordination)
    assert verdict.holds is False and verdict.margin == -2.0 and verdict.value == 0.5
    assert "worst: (1 | 1) gives 2" in verdict.detail
    # a dominant team optimum: the only equilibrium attains the best case
    dominant = BayesianGame.complete([[3, 2], [2, 0]], [[3, 2], [2, 0]])
    verdict = identical_rewards_power(dominant)
    assert (
        verdict.holds is True and verdict.value == 1.0 and verdict.group == "actions=2x2, types=1x1"
    )
    # two observed worlds with prior 1/3, 2/3: the bad equilibrium in the likelier world
    worlds = BayesianGame(
        ([[[1, 0], [0, 0]], [[1, 0], [0, 1]]], [[[1, 0], [0, 0]], [[1, 0], [0, 1]]]),
        prior=[[Fraction(1, 3), 0], [0, Fraction(2, 3)]],
    )
    verdict = identical_rewards_power(worlds)
    assert verdict.holds is False
    # best case 1 per player (both worlds have a 1); both worlds have equilibria (0 | 0)
    # and (1 | 1), and (1 | 1) in the first world gets 0 there: 2/3 per player, 4/3 in all
    assert verdict.margin == pytest.approx(-2 / 3)
    assert verdict.detail.startswith("sum of best-case POWER 2; at the 4 pure equilibria")
    assert identical_rewards_power(BayesianGame.complete([[1, 0]], [[0, 1]])).holds is None


def test_exhaustive_family_counts_against_a_brute_force_oracle():
    def bad(r):
        r = np.reshape(r, (2, 2))
        return any(
            r[i, j] >= r[:, j].max() and r[i, j] >= r[i, :].max() and r[i, j] < r.max()
            for i in range(2)
            for j in range(2)
        )

    complete = sum(bad(e) for e in itertools.product(range(3), repeat=4))
    worlds = [bad(e) for e in itertools.product(range(2), repeat=4)]
    observed = sum(a or b for a in worlds for b in worlds)
    result = exhaustive_search(conjecture("identical-rewards-power"), size=2)
    assert result.tried == result.applicable == 81 + 256
    assert result.violations == complete + observed == 136
    assert result.findings["actions=2x2, types=1x1"].violations == complete
    assert sum(1 for _ in common_payoff_family(3)) == 81 + 64 + 512 + 256


def test_search_finds_and_shrinks_the_coordination_counterexample(tmp_path):
    result = explore(conjecture("identical-rewards-power"), seed=3, max_examples=50)
    assert not result.holds
    game = result.counterexample.game
    assert game.n_actions == (2, 2) and game.n_types == (1, 1)
    assert "worst:" in result.verdict.detail
    again = explore(conjecture("identical-rewards-power"), seed=3, max_examples=50)
    assert again.counterexample.game == game
    path = result.save_counterexample(tmp_path / "game.json")[0]
    record = json.loads(path.read_text())
    assert BayesianGame.from_dict(record["game"]) == game
    assert record["source"] == "powerseek explore identical-rewards-power --seed 3"
    assert result.to_dict()["counterexample"]["game"] == game.to_dict()
    with pytest.raises(InvalidParameterError, match=r"write it as a \.json file"):
        result.save_counterexample(tmp_path / "game.toml")
    with pytest.raises(InvalidTypeError, match="is a game, not an MDP"):
        result.counterexample_mdp()


def test_game_records_and_limits():
    game = BayesianGame.complete([[1, Fraction(1, 3)], [0, 2]], [[1, Fraction(1, 3)], [0, 2]])
    assert game.to_dict()["rewards"][0] == [[["1", "1/3"], ["0", "2"]]]
    assert BayesianGame.from_dict(game.to_dict()) == game
    assert GameCase(game).describe().startswith("game (2x2 actions, 1x1 types; prior [[1]]")
    with pytest.raises(InvalidParameterError, match="numbers or fractions like '1/3'; got 'x'"):
        BayesianGame.from_dict({"rewards": [[[["x"]]], [[[1]]]]})
    with pytest.raises(InvalidParameterError, match="mapping with `rewards`"):
        BayesianGame.from_dict([1, 2])
    big = BayesianGame((np.zeros((8, 6, 6), int).tolist(), np.zeros((8, 6, 6), int).tolist()))
    with pytest.raises(SearchLimitError, match="pure strategy profiles"):
        pure_equilibria(big)


def test_cli(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status = main(["explore", "identical-rewards-power", "--quiet", "-o", "g.json"])
    out = capsys.readouterr().out
    assert status == 3
    assert "COUNTEREXAMPLE (shrunk in" in out and "the counterexample as a game file:" in out
    assert BayesianGame.from_dict(json.loads((tmp_path / "g.json").read_text())["game"])
    status = main(["explore", "identical-rewards-power", "--exhaustive", "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == 3 and payload["violations"] == 136 and "game" in payload["counterexample"]
    for argv, message in (
        (["--gamma", "1"], "small two-player games with identical rewards"),
        (["-o", "g.toml"], "are games; write them as .json"),
    ):
        assert main(["explore", "identical-rewards-power", *argv]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
