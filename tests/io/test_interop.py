"""Other tools' objects: gymnasium's toy-text tables and QuantEcon's DiscreteDP."""

import sys
from types import SimpleNamespace

import catalog
import numpy as np
import pytest

from powerseek import (
    InvalidMDPError,
    InvalidParameterError,
    InvalidTypeError,
    from_gymnasium,
    from_quantecon,
    load,
    power,
    solve,
    to_quantecon,
)
from powerseek.cli import main
from powerseek.io._gymnasium import parse_spec

gym = pytest.importorskip("gymnasium")


def env_values(P, gamma, n_iter=5000):
    """The environment's own optimal values: reward on arrival, no value after termination."""
    n = len(P)
    U = np.zeros(n)
    for _ in range(n_iter):
        new = np.array(
            [
                max(
                    sum(p * (r + (0.0 if done else gamma * U[t])) for p, t, r, done in P[s][a])
                    for a in P[s]
                )
                for s in range(n)
            ]
        )
        if np.abs(new - U).max() < 1e-15:
            break
        U = new
    return U


def test_frozen_lake_4x4_deterministic_by_hand():
    mdp = load("gymnasium:FrozenLake-v1?is_slippery=false")
    assert mdp.n_states == 16 and mdp.is_deterministic
    assert mdp.actions_of((0, 0)) == ("left", "down", "right", "up")
    assert mdp.transition((0, 0), "right") == {(0, 1): 1.0}
    assert mdp.transition((0, 0), "left") == {(0, 0): 1.0}  # bumping stays
    holes_and_goal = {(1, 1), (1, 3), (2, 3), (3, 0), (3, 3)}
    assert set(mdp.terminal_states()) == holes_and_goal
    assert mdp.metadata["start"] == (0, 0)
    reward = np.array(mdp.metadata["task_reward"])
    assert reward[mdp.index((3, 3))] == 1.0 and reward.sum() == 1.0
    # the shortest safe path from S to G has 6 moves: V = γ^6 / (1 − γ)
    values = solve(mdp, reward, 0.9, tol=1e-12).values[0]
    assert values[mdp.index((0, 0))] == pytest.approx(0.9**6 / 0.1, rel=1e-12)
    assert values[mdp.index((3, 2))] == pytest.approx(0.9 / 0.1, rel=1e-12)


def test_frozen_lake_slippery_matches_the_environment_values():
    env = gym.make("FrozenLake-v1")
    mdp = from_gymnasium(env)
    left = mdp.transition((0, 0), "left")  # left and the slip up both bump: merged
    assert set(left) == {(0, 0), (1, 0)} and left[(0, 0)] == pytest.approx(2 / 3, abs=1e-15)
    gamma = 0.9
    U = env_values(env.unwrapped.P, gamma)
    V = solve(mdp, np.array(mdp.metadata["task_reward"]), gamma, tol=1e-13).values[0]
    terminal = set(mdp.terminal_states())
    for s, cell in enumerate(mdp.states):
        if cell not in terminal:  # arrival rewards one step later: V = γ/(1−γ)·U
            assert V[s] == pytest.approx(gamma / (1 - gamma) * U[s], abs=1e-10)


@pytest.mark.parametrize(
    "spec, n_states, n_terminal",
    [
        ("gymnasium:FrozenLake-v1?map_name=8x8", 64, 11),
        ("gymnasium:FrozenLake-v1?map_name=8x8&is_slippery=false", 64, 11),
        ("gymnasium:CliffWalking-v1", 48, 1),
        ("gymnasium:Taxi-v4", 504, 4),
    ],
)
def test_named_environments(spec, n_states, n_terminal):
    mdp = load(spec)
    assert mdp.n_states == n_states and len(mdp.terminal_states()) == n_terminal
    assert mdp.name == spec.removeprefix("gymnasium:")
    result = power(mdp, 0.9, n_samples=50, rng=0)
    assert np.all((result.power > 0) & (result.power < 1))


def test_taxi_terminations_lead_to_absorbing_copies():
    env = gym.make("Taxi-v4")
    mdp = from_gymnasium(env)
    copies = [s for s in mdp.states if isinstance(s, tuple)]
    assert sorted(copies) == [("terminated", s) for s in (0, 85, 410, 475)]
    assert "task_reward" not in mdp.metadata  # -1 per step, +20 or -10: not state-based
    P = env.unwrapped.P
    for s in range(500):
        for a, name in enumerate(("south", "north", "east", "west", "pickup", "dropoff")):
            ((p, target, _, done),) = P[s][a]
            expected = ("terminated", target) if done else target
            assert mdp.transition(s, name) == {expected: 1.0}
    assert mdp.actions_of(("terminated", 0)) == ("stay",)


def test_cliff_walking_cells_and_goal():
    mdp = load("gymnasium:CliffWalking-v1")
    assert mdp.states[0] == (0, 0) and mdp.states[-1] == (3, 11)
    assert mdp.terminal_states() == ((3, 11),)
    assert mdp.transition((2, 11), "down") == {(3, 11): 1.0}
    assert mdp.transition((3, 0), "right") == {(3, 0): 1.0}  # the cliff sends you back
    ints = from_gymnasium(gym.make("CliffWalking-v1"), cells=False)
    assert ints.states == tuple(range(48))


def test_plain_tables_and_bad_tables():
    P = {0: {0: [(0.25, 1, 0, False), (0.75, 1, 0, False)]}, 1: {0: [(1.0, 1, 0, True)]}}
    assert from_gymnasium(P).transition(0, 0) == {1: 1.0}  # repeated next states merged
    bad = {
        "negative": ({0: {0: [(-0.5, 0, 0, False), (1.5, 0, 0, False)]}}, r"P\[0\]\[0\]\[0\]"),
        "out of range": ({0: {0: [(1.0, 3, 0, False)]}}, r"leads to state 3, out of range"),
        "sum": ({0: {0: [(0.5, 0, 0, False)]}}, r"P\[0\]\[0\] sum to 0.5"),
        "shape": ({0: {0: [(1.0, 0)]}}, r"must be \(prob, next_state, reward, terminated\)"),
        "keys": ({1: {0: [(1.0, 1, 0, False)]}}, r"states must be 0..0"),
        "no outcomes": ({0: {0: []}}, r"P\[0\]\[0\] has no outcomes"),
    }
    for table, message in bad.values():
        with pytest.raises(InvalidMDPError, match=message):
            from_gymnasium(table)


def test_specs_and_missing_gymnasium(monkeypatch, capsys):
    assert parse_spec("gymnasium:FrozenLake-v1?map_name=8x8&is_slippery=false&x=1.5") == (
        "FrozenLake-v1",
        {"map_name": "8x8", "is_slippery": False, "x": 1.5},
    )
    with pytest.raises(InvalidParameterError, match="is not key=value"):
        parse_spec("gymnasium:FrozenLake-v1?slippery")
    assert main(["show", "gymnasium:NoSuchEnv-v0"]) == 1
    assert "gymnasium cannot make 'gymnasium:NoSuchEnv-v0'" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "[^"]*\[gymnasium\]"'):
        load("gymnasium:FrozenLake-v1")


def test_command_line_power_on_frozen_lake(capsys):
    argv = ["power", "gymnasium:FrozenLake-v1", "--gamma", "0.9", "--samples", "100"]
    assert main([*argv, "--seed", "1", "--quiet", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"(3, 3)"' in out


# ----------------------------------------------------------------------
# QuantEcon


def test_duck_typed_discrete_dp_in_both_forms():
    pairs = SimpleNamespace(
        R=np.array([0.0, 1.0, 5.0]),
        Q=np.array([[0.2, 0.8], [1.0, 0.0], [0.0, 1.0]]),
        s_indices=np.array([0, 0, 1]),
        a_indices=np.array([1, 0, 0]),
        beta=0.9,
    )
    mdp = from_quantecon(pairs, actions=["stay", "go"])
    assert mdp.actions_of(0) == ("go", "stay") and mdp.transition(0, "go") == {0: 0.2, 1: 0.8}
    product = SimpleNamespace(
        R=np.array([[1.0, 0.0], [5.0, -np.inf]]),  # -inf: state 1 has no action 1
        Q=np.array([[[1.0, 0.0], [0.2, 0.8]], [[0.0, 1.0], [0.5, 0.5]]]),
        beta=0.9,
    )
    mdp2 = from_quantecon(product, actions=["stay", "go"])
    assert mdp2.actions == (("stay", "go"), ("stay",))
    assert mdp2.transition(0, "go") == {0: 0.2, 1: 0.8}
    with pytest.raises(InvalidParameterError, match="needs s_indices and a_indices"):
        from_quantecon(SimpleNamespace(R=np.zeros(2), Q=np.eye(2)))


@pytest.mark.parametrize("name", catalog.names(levels=False))
def test_quantecon_solves_what_powerseek_solves(name):
    pytest.importorskip("quantecon")
    from quantecon.markov import DiscreteDP

    mdp = catalog.load(name)
    R = np.random.default_rng(3).random(mdp.n_states)
    mine = solve(mdp, R, 0.95, tol=1e-13).values[0]
    ddp = to_quantecon(mdp, R, 0.95)
    theirs = ddp.solve(method="policy_iteration").v
    np.testing.assert_allclose(theirs, mine, atol=1e-9 / (1 - 0.95))
    back = from_quantecon(ddp, states=mdp.states, actions=mdp.to_sa_pairs().actions)
    assert back.same_dynamics(mdp) or name == "turner-fig1"  # fig1's actions have no common order
    P, available, labels = mdp.to_product("sas")
    product = DiscreteDP(np.where(available, R[:, None], -np.inf), P, 0.95)
    np.testing.assert_allclose(product.solve(method="policy_iteration").v, mine, atol=1e-8)
    again = from_quantecon(product, states=mdp.states, actions=labels)
    for s in mdp.states:
        assert set(again.actions_of(s)) == set(mdp.actions_of(s))
        for a in mdp.actions_of(s):
            assert again.transition(s, a) == mdp.transition(s, a)


def test_to_quantecon_checks_its_input():
    pytest.importorskip("quantecon")
    mdp = load("candy-wait")
    with pytest.raises(InvalidParameterError, match="must be below 1"):
        to_quantecon(mdp, np.zeros(5), 1.0)
    with pytest.raises(InvalidParameterError, match="one reward vector"):
        to_quantecon(mdp, np.zeros((2, 5)), 0.9)


# ---------------------------------------------------------------------------
# to_env: any MDP as a gymnasium environment


@pytest.mark.parametrize("name", ["candy-wait", "powerplay-stochastic-4", "powerplay-3x3"])
def test_to_env_round_trips_through_from_gymnasium(name):
    """The environment's table is the MDP: read back, it has the same transitions
    (state by state, action by action) and the reward as its task reward."""
    pytest.importorskip("gymnasium")
    from powerseek.io import from_gymnasium, to_env

    mdp = catalog.load(name)
    reward = np.random.default_rng(0).random(mdp.n_states).round(3)
    back = from_gymnasium(to_env(mdp, reward), cells=False)
    assert back.n_states == mdp.n_states
    assert [len(a) for a in back.actions] == [len(a) for a in mdp.actions]
    assert (back.transition_matrix != mdp.transition_matrix).nnz == 0
    # a reward is paid on arrival: a state no step enters (candy-wait's start) reads 0
    entered = np.asarray(mdp.transition_matrix.sum(axis=0)).ravel() > 0
    assert back.metadata["task_reward"] == tuple(np.where(entered, reward, 0.0).tolist())


def test_to_env_steps_sample_the_transitions_and_pay_on_arrival():
    pytest.importorskip("gymnasium")
    from powerseek.io import to_env

    mdp = load("powerplay-stochastic-4")
    state = mdp.states[0]
    action = mdp.actions_of(state)[0]
    expected = mdp.transition(state, action)
    reward = np.arange(mdp.n_states, dtype=float)
    env = to_env(mdp, reward, start=state)
    counts: dict = {}
    n = 4000
    env.reset(seed=1)
    for _ in range(n):
        env.reset()
        observation, paid, _, _, info = env.step(0)
        assert paid == reward[observation] and info["state"] == mdp.states[observation]
        counts[info["state"]] = counts.get(info["state"], 0) + 1
    assert counts.keys() == expected.keys()
    for successor, p in expected.items():
        assert abs(counts[successor] / n - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-12


def test_to_env_ends_episodes_in_terminal_states_and_checks_its_input():
    pytest.importorskip("gymnasium")
    from powerseek.io import to_env

    candy = load("candy-wait")  # start, wait, candy, chocolate, hug; the last three terminal
    env = to_env(candy, {"chocolate": 1.0}, max_steps=2)
    _, info = env.reset(seed=0)
    assert info["state"] == "start" and info["action_mask"].tolist() == [1, 1]
    observation, paid, terminated, truncated, info = env.step(1)  # wait
    assert (info["state"], paid, terminated, truncated) == ("wait", 0.0, False, False)
    assert info["action_mask"].tolist() == [1, 1]
    with pytest.raises(InvalidParameterError, match="action 5 is not an action of state 'wait'"):
        env.step(5)
    observation, paid, terminated, truncated, info = env.step(
        candy.actions_of("wait").index("chocolate")
    )
    assert (info["state"], paid, terminated) == ("chocolate", 1.0, True)
    env.reset()
    env.step(1)
    assert env.step(candy.actions_of("wait").index("hug"))[2:4] == (True, False)
    with pytest.raises(InvalidParameterError, match="`reward` must give 5 finite values"):
        to_env(candy, [1, 2])
    with pytest.raises(
        InvalidParameterError, match=r"5 finite values, one per state; got shape \(2, 5\)"
    ):
        to_env(candy, [[0.0] * 5] * 2)
    with pytest.raises(InvalidTypeError, match="`reward` must be a numeric array"):
        to_env(candy, {"candy": "lots"})
    with pytest.raises(InvalidParameterError, match="`reward` names 'nowhere'"):
        to_env(candy, {"nowhere": 1.0})
    with pytest.raises(InvalidParameterError, match="`start` 'nowhere' is not a state"):
        to_env(candy, start="nowhere")
