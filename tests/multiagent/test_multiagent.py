"""Joint worlds, the other agent's policy, induced MDPs and fixed-policy POWER."""

import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek import InvalidMDPError, InvalidParameterError, gridworld, load
from powerseek.analysis.power import power_samples
from powerseek.cli import main
from powerseek.exact.results import exact_power
from powerseek.io import graphviz
from powerseek.multiagent import (
    JointMDP,
    check_policy,
    fixed_policy,
    fixed_policy_power,
    induced_mdp,
    joint_gridworld,
    product,
    uniform_policy,
)


def test_joint_gridworld_structure():
    joint = joint_gridworld("...")
    assert joint.mdp.n_states == 9 and joint.agents == ("H", "A")
    state = ((0, 0), (0, 2))
    assert joint.mdp.actions_of(state) == (
        ("right", "left"), ("right", "stay"), ("stay", "left"), ("stay", "stay")
    )  # fmt: skip
    assert joint.mdp.transition(state, ("right", "left")) == {((0, 1), (0, 1)): 1.0}
    apart = joint_gridworld("...", overlap=False)
    assert apart.mdp.n_states == 6
    assert ("right", "left") not in apart.mdp.actions_of(state)  # both would reach (0, 1)


def test_noise_is_per_agent_and_independent():
    joint = joint_gridworld("..", noise=(0.5, 0.0))
    # H slips with 0.5 over the targets of its actions (right, stay); A moves as told
    assert joint.mdp.transition(((0, 0), (0, 0)), ("right", "stay")) == {
        ((0, 0), (0, 0)): 0.25,
        ((0, 1), (0, 0)): 0.75,
    }
    with pytest.raises(InvalidParameterError, match="overlap=False needs deterministic"):
        joint_gridworld("..", noise=0.1, overlap=False)


def test_forbidden_joint_actions():
    def h_may_not_stay_when_a_is_far_right(state, action):
        return state[1] == (0, 2) and action[0] == "stay"

    joint = joint_gridworld("...", forbid=h_may_not_stay_when_a_is_far_right)
    assert joint.actions_of(((0, 0), (0, 2)), "H") == ("right",)
    assert joint.actions_of(((0, 0), (0, 1)), "H") == ("right", "stay")


def brute_force_induced(joint, agent, policy):
    """T_agent(s, a) from the joint transitions, one joint action at a time."""
    me = joint.agent_index(agent)
    out = {}
    for s in joint.states:
        by_own = {}
        for action in joint.mdp.actions_of(s):
            w = policy[s].get(action[1 - me], 0.0)
            if w > 0:
                by_own.setdefault(action[me], []).append((w, joint.mdp.transition(s, action)))
        for own, parts in by_own.items():
            total = sum(w for w, _ in parts)
            dist = {}
            for w, t in parts:
                for target, p in t.items():
                    dist[target] = dist.get(target, 0.0) + w / total * p
            out[s, own] = dist
    return out


@given(
    seed=st.integers(0, 10**6),
    noise=st.sampled_from([0.0, 0.3]),
    agent=st.sampled_from(["H", "A"]),
)
def test_induced_mdp_is_the_marginalisation(seed, noise, agent):
    rng = np.random.default_rng(seed)
    forbidden = rng.random(200) < 0.2

    def forbid(state, action):  # a fixed random set of forbidden joint actions (never stay-stay)
        key = zlib.crc32(repr((state, action)).encode())  # not hash(): salted per process
        return action != ("stay", "stay") and forbidden[key % 200]

    joint = joint_gridworld(".#\n..", noise=noise, forbid=forbid)
    other = joint.other(agent)
    policy = {}
    for s in joint.states:
        actions = joint.actions_of(s, other)
        weights = rng.integers(0, 4, len(actions)).astype(float)
        weights[-1] += 1  # some probability somewhere; zeros elsewhere
        policy[s] = dict(zip(actions, weights / weights.sum()))
    mdp = induced_mdp(joint, agent, policy)
    expected = brute_force_induced(joint, agent, policy)
    assert {(s, a) for s in mdp.states for a in mdp.actions_of(s)} == set(expected)
    for (s, a), dist in expected.items():
        got = mdp.transition(s, a)
        assert set(got) == {t for t, p in dist.items() if p > 0}
        for target, p in got.items():
            assert p == pytest.approx(dist[target], abs=1e-12)


def test_staying_other_agent_leaves_the_single_agent_world():
    text = "...\n.#."
    single = gridworld.parse(text)
    joint = joint_gridworld(text)
    mdp = induced_mdp(joint, "H", fixed_policy(joint, "A", "stay"))
    rng = np.random.default_rng(1)
    R_cells = rng.random((200, single.n_states))
    cell = {c: i for i, c in enumerate(single.states)}
    R_joint = R_cells[:, [cell[h] for h, _ in mdp.states]]  # rewards that ignore A's cell
    joint_power = power_samples(mdp, R_joint, 0.9)
    single_power = power_samples(single, R_cells, 0.9)
    for k, (h, _) in enumerate(mdp.states):
        np.testing.assert_allclose(joint_power[:, k], single_power[:, cell[h]], atol=1e-9)


def test_exact_power_on_a_1x2_world_by_hand():
    # A stays: H chooses between its two cells, so POWER = E max(U1, U2) = 2/3 at any γ
    joint = joint_gridworld("..")
    mdp = induced_mdp(joint, "H", fixed_policy(joint, "A"))
    result = exact_power(mdp, "3/5")
    assert [str(p) for p in result.power] == ["2/3"] * 4
    mc = fixed_policy_power(joint, 0.6, other_policy="stay", n_samples=20_000, rng=3)
    assert np.all(np.abs(mc.power - 2 / 3) < 5 * mc.stderr)


def test_uniform_policy_and_checks():
    joint = joint_gridworld("...")
    policy = uniform_policy(joint, "A")
    assert policy[((0, 0), (0, 1))] == {"left": 1 / 3, "right": 1 / 3, "stay": 1 / 3}
    assert check_policy(joint, "A", policy) == policy
    state = ((0, 0), (0, 0))
    bad = [
        ({**policy, state: {"right": 0.5}}, r"sums to 0.5, not 1"),
        ({**policy, state: {"jump": 1.0}}, r"plays 'jump' in \(\(0, 0\), \(0, 0\)\), where"),
        ({**policy, state: {"right": 1.5, "stay": -0.5}}, r"probability 1.5; probabilities"),
        ({**policy, ((9, 9), (0, 0)): {"stay": 1.0}}, r"names the joint state \(\(9, 9\)"),
        ({s: p for s, p in policy.items() if s != state}, r"has no entry for the joint state"),
        ({**policy, state: {"right": "half"}}, r"'half', which is not a number"),
    ]
    for candidate, message in bad:
        with pytest.raises(InvalidParameterError, match=message):
            induced_mdp(joint, "H", candidate)
    with pytest.raises(InvalidParameterError, match="'B' is not an agent of this world"):
        induced_mdp(joint, "B", policy)
    with pytest.raises(InvalidParameterError, match="A has no action 'stay' in joint state"):
        fixed_policy(joint_gridworld("..", stay=False), "A", "stay")


def test_joint_worlds_from_other_sources(tmp_path):
    joint = joint_gridworld("..")
    back = JointMDP.from_mdp(graphviz.parse(graphviz.dump(joint.mdp), "<gv>", None))
    assert back.mdp.same_dynamics(joint.mdp) and back.agents == ("H", "A")
    with pytest.raises(InvalidMDPError, match="joint state 'start' is not a pair"):
        JointMDP.from_mdp(load("candy-wait"))
    # two different single-agent worlds, named agents
    chain = gridworld.parse("..")
    point = gridworld.parse(".")
    both = product(chain, point, agents=("robot", "human"))
    assert both.agents == ("robot", "human") and both.mdp.n_states == 2
    assert both.actions_of(((0, 0), (0, 0)), "human") == ("stay",)
    with pytest.raises(InvalidParameterError, match="different names"):
        product(chain, point, agents=("x", "x"))


def test_command_line(tmp_path, capsys):
    joint = joint_gridworld("...", overlap=False)
    path = tmp_path / "joint.gv"
    path.write_text(graphviz.dump(joint.mdp.with_metadata(name="joint-1x3")), encoding="utf-8")
    argv = ["multiagent", "power", str(path), "--gamma", "0.6", "--samples", "300", "--seed", "2"]
    assert main([*argv, "--other-policy", "stay", "--format", "json", "--quiet"]) == 0
    import json

    document = json.loads(capsys.readouterr().out)
    assert document["environment"] == "joint-1x3" and len(document["states"]) == 6
    assert document["states"][0] == "((0, 0), (0, 1))"
    expected = fixed_policy_power(joint, 0.6, other_policy="stay", n_samples=300, rng=2)
    np.testing.assert_allclose(document["power"], expected.power, rtol=1e-12)
    assert main([*argv, "--agent", "B", "--quiet"]) == 1
    assert "'B' is not an agent of this world" in capsys.readouterr().err
    policy = tmp_path / "a.gv"
    policy.write_text(graphviz.dump_policy(uniform_policy(joint, "A"), agents=("H", "A")))
    assert main([*argv, "--other-policy", str(policy), "--quiet"]) == 0
