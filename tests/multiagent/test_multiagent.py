"""Joint worlds, the other agent's policy, induced MDPs and fixed-policy POWER."""

import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerseek import InvalidMDPError, InvalidParameterError, gridworld, load, solve
from powerseek.analysis._power import power_samples
from powerseek.cli import main
from powerseek.exact._results import exact_power
from powerseek.io import _graphviz as graphviz
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


# ----------------------------------------------------------------------
# correlated rewards


def test_correlated_rewards_by_construction():
    from powerseek.multiagent import correlated_rewards

    rng = np.random.default_rng(0)
    R, other, coins = rng.random((3, 20_000))
    same = correlated_rewards(R, other, coins, 1.0)
    assert np.array_equal(same, R)
    independent = correlated_rewards(R, other, coins, 0.0)
    assert np.array_equal(independent, other) and abs(np.corrcoef(R, independent)[0, 1]) < 0.03
    half = correlated_rewards(R, other, coins, 0.5)
    assert np.corrcoef(R, half)[0, 1] == pytest.approx(0.5, abs=0.03)
    reflected = correlated_rewards(R, other, coins, -1.0, (0.0, 1.0))
    np.testing.assert_allclose(reflected, 1 - R)
    assert np.corrcoef(R, correlated_rewards(R, other, coins, -0.4, (0.0, 1.0)))[0, 1] == (
        pytest.approx(-0.4, abs=0.03)
    )


@pytest.mark.parametrize("lo, hi", [(2.0, 3.0), (-1.5, 0.5)])
def test_the_reflection_is_about_the_supports_centre(lo, hi):
    """Rewards from 0 hid a reflection written hi − R: it must be lo + hi − R."""
    from scipy import stats

    from powerseek import IID
    from powerseek.multiagent import correlated_rewards, correlation_sweep

    rng = np.random.default_rng(1)
    R, other = lo + (hi - lo) * rng.random((2, 1000))
    coins = rng.random(1000)
    np.testing.assert_allclose(correlated_rewards(R, other, coins, -1.0, (lo, hi)), lo + hi - R)
    # c = -1: R_A = lo + hi − R_H, a constant-sum world; POWER sums to lo + hi at every state
    joint = joint_gridworld("..\n..", overlap=False)
    dist = IID(stats.uniform(lo, hi - lo))
    result = correlation_sweep(joint, [-1], 0.6, dist=dist, n_samples=400, rng=4)
    total = result.power_first[0].mean + result.power_second[0].mean
    np.testing.assert_allclose(total, lo + hi, atol=1e-9)


def test_correlation_sweep_identities():
    from powerseek.multiagent import correlation_sweep

    joint = joint_gridworld("..\n..", overlap=False)
    result = correlation_sweep(joint, [-1, 0, 1], 0.6, n_samples=1200, rng=4)
    assert result.provenance["seed"] == 4 and result.correlations == (-1.0, 0.0, 1.0)
    # c = 1: both agents value the same joint process under the same reward
    np.testing.assert_allclose(result.power_first[2].mean, result.power_second[2].mean, atol=1e-9)
    assert result.power_correlation[2] == pytest.approx(1.0)
    # c = -1 with uniform rewards: R_A = 1 - R_H, a constant-sum world; POWER sums to 1
    total = result.power_first[0].mean + result.power_second[0].mean
    np.testing.assert_allclose(total, 1.0, atol=1e-9)
    # common random numbers: the same R_H for every c, so H's POWER at c = 0 is reproducible
    again = correlation_sweep(joint, [0], 0.6, n_samples=1200, rng=4)
    np.testing.assert_array_equal(again.power_first[0].mean, result.power_first[1].mean)
    assert np.all(result.power_correlation_stderr[1] > 0)
    frame = result.to_frame()
    assert len(frame) == 3 * 2 * joint.mdp.n_states and set(frame.agent) == {"H", "A"}


def test_correlation_sweep_against_brute_force_per_sample():
    """One reward sample, followed step by step with dense linear algebra."""
    from powerseek.multiagent._correlation import _first_policy, _respond, _Structure

    joint = joint_gridworld("...", overlap=False)
    seed_mdp = induced_mdp(joint, "H", uniform_policy(joint, "A"))
    structure = _Structure(joint, acting=0)
    own_to_seed = structure.seed_pairs(seed_mdp)
    rng = np.random.default_rng(9)
    R, RA = rng.random((2, 1, joint.mdp.n_states))
    policy_h = _first_policy(seed_mdp, structure, own_to_seed, R, 0.6, 1e-9)
    power_h, power_a = _respond(structure, policy_h, R, RA, 0.6, 0.6, 1e-9)
    # by hand: H's greedy policy against the uniform seed, from an exact solve
    n = joint.mdp.n_states
    V = solve(seed_mdp, R, 0.6, tol=1e-13).values[0]
    h_choice = {}
    for s in joint.states:
        q = {a: sum(p * V[seed_mdp.index(t)] for t, p in seed_mdp.transition(s, a).items())
             for a in seed_mdp.actions_of(s)}  # fmt: skip
        h_choice[s] = max(q, key=q.get)
    # A's MDP against that deterministic H: the joint actions with H's choice
    A_mdp_transitions = {
        s: {act[1]: joint.mdp.transition(s, act) for act in joint.mdp.actions_of(s)
            if act[0] == h_choice[s]}
        for s in joint.states
    }  # fmt: skip
    from powerseek import MDP

    A_mdp = MDP(A_mdp_transitions, states=joint.states)
    VA = solve(A_mdp, RA, 0.6, tol=1e-13).values[0]
    a_choice, expected_a = {}, []
    for s in joint.states:
        q = {a: sum(p * VA[A_mdp.index(t)] for t, p in A_mdp.transition(s, a).items())
             for a in A_mdp.actions_of(s)}  # fmt: skip
        a_choice[s] = max(q, key=q.get)
        expected_a.append(0.4 * q[a_choice[s]])
    np.testing.assert_allclose(power_a[0], expected_a, atol=1e-9)
    P = np.zeros((n, n))
    for i, s in enumerate(joint.states):
        for t, p in joint.mdp.transition(s, (h_choice[s], a_choice[s])).items():
            P[i, joint.mdp.index(t)] += p
    VH = np.linalg.solve(np.eye(n) - 0.6 * P, R[0])
    np.testing.assert_allclose(power_h[0], 0.4 * P @ VH, atol=1e-9)


def test_correlation_sweep_bad_input():
    from scipy import stats

    from powerseek import IID
    from powerseek.multiagent import correlation_sweep

    joint = joint_gridworld("..")
    with pytest.raises(InvalidParameterError, match=r"correlations must be in \[-1, 1\]; got 1.5"):
        correlation_sweep(joint, [1.5], 0.6, n_samples=10)
    with pytest.raises(InvalidParameterError, match="beta.* is not one"):
        correlation_sweep(joint, [-0.5], 0.6, dist=IID(stats.beta(2, 1)), n_samples=10)
    with pytest.raises(InvalidParameterError, match=r"`gamma_other` must be in \(0, 1\)"):
        correlation_sweep(joint, [0], 0.6, gamma_other=1.0, n_samples=10)


def test_correlation_command(tmp_path, capsys):
    import json

    joint = joint_gridworld("..", overlap=False)
    path = tmp_path / "j.gv"
    path.write_text(graphviz.dump(joint.mdp.with_metadata(name="pair")), encoding="utf-8")
    argv = ["multiagent", "correlation", str(path), "--correlation=-1,0.5", "--gamma", "0.6"]
    assert main([*argv, "--samples", "300", "--seed", "3", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["correlation"] == [-1.0, 0.5] and document["seed"] == 3
    assert len(document["power_H"]) == 2 and len(document["power_A"][0]) == 2
    assert main([*argv, "--samples", "300", "--seed", "3"]) == 0
    assert "corr(POWER_H, POWER_A)" in capsys.readouterr().out


def test_tied_first_agent_and_different_discounts():
    """H indifferent (constant reward): H plays uniformly, so A faces the uniform-H world."""
    from powerseek.multiagent._correlation import _first_policy, _respond, _Structure

    joint = joint_gridworld("...", overlap=False)
    seed_mdp = induced_mdp(joint, "H", uniform_policy(joint, "A"))
    structure = _Structure(joint, acting=0)
    own_to_seed = structure.seed_pairs(seed_mdp)
    n = joint.mdp.n_states
    R = np.full((1, n), 0.5)
    RA = np.random.default_rng(2).random((1, n))
    gamma_h, gamma_a = 0.5, 0.8
    policy_h = _first_policy(seed_mdp, structure, own_to_seed, R, gamma_h, 1e-9)
    power_h, power_a = _respond(structure, policy_h, R, RA, gamma_h, gamma_a, 1e-9)
    A_mdp = induced_mdp(joint, "A", uniform_policy(joint, "H"))
    expected = power_samples(A_mdp, RA, gamma_a)[0]
    np.testing.assert_allclose(power_a[0], expected, atol=1e-9)
    # H's reward is constant: its POWER is (1 − γ_H)·0.5/(1 − γ_H) = 0.5 whatever happens
    np.testing.assert_allclose(power_h[0], 0.5, atol=1e-9)


def test_jackknife_of_the_power_correlation():
    from powerseek.multiagent._correlation import _jackknife_correlation

    rng = np.random.default_rng(0)
    g, n = 10, 7
    counts = np.full(g, 50.0)
    sums = rng.random((g, 1, 2, n)) * 50
    full, se = _jackknife_correlation(sums, counts)
    means = sums.sum(axis=0)[0] / counts.sum()
    assert full[0] == pytest.approx(np.corrcoef(means[0], means[1])[0, 1])
    leave = []
    for i in range(g):
        m = (sums.sum(axis=0)[0] - sums[i, 0]) / (counts.sum() - counts[i])
        leave.append(np.corrcoef(m[0], m[1])[0, 1])
    leave = np.array(leave)
    textbook = np.sqrt((g - 1) / g * ((leave - leave.mean()) ** 2).sum())
    assert se[0] == pytest.approx(textbook)


# ----------------------------------------------------------------------
# figures


def test_figures(tmp_path):
    pytest.importorskip("matplotlib")
    from powerseek.multiagent import correlation_sweep
    from powerseek.viz import joint_power_grid, power_correlation_plot, power_vs_correlation

    joint = joint_gridworld(".#\n..", overlap=False)
    result = fixed_policy_power(joint, 0.6, other_policy="uniform", n_samples=200, rng=0)
    fig, axes = joint_power_grid(joint, result, path=tmp_path / "grid.png")
    assert axes.shape == (2, 2) and (tmp_path / "grid.png").stat().st_size > 1000
    assert not axes[0, 1].axison  # a wall: no panel
    panel = axes[1, 0]  # A at (1, 0): H's values at its two other cells
    texts = [t.get_text() for t in panel.texts if t.get_gid() != "mark"]
    expected = [f"{result[(h, (1, 0))]:.2f}" for h in ((0, 0), (1, 1))]
    assert sorted(texts) == sorted(expected)
    assert np.isnan(panel.images[0].get_array().filled(np.nan)[1, 0])  # A's own cell is empty
    sweep = correlation_sweep(joint, [-1, 0, 1], 0.6, n_samples=200, rng=1)
    state = joint.states[0]
    fig, ax = power_vs_correlation(sweep, state, path=tmp_path / "c.svg")
    lines = ax.get_lines()
    assert len(lines) == 2 and list(lines[0].get_xdata()) == [-1.0, 0.0, 1.0]
    np.testing.assert_allclose(lines[1].get_ydata(), [e.mean[0] for e in sweep.power_second])
    fig, ax = power_correlation_plot(sweep)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), sweep.power_correlation)
    with pytest.raises(InvalidParameterError, match="is not a joint state of the result"):
        power_vs_correlation(sweep, ((5, 5), (0, 0)))
    with pytest.raises(InvalidParameterError, match="has no map of the agents' cells"):
        joint_power_grid(JointMDP.from_mdp(graphviz.parse(graphviz.dump(joint.mdp), "x", "x")),
                         result)  # fmt: skip


# ----------------------------------------------------------------------
# Bayesian games


def test_single_agent_identity():
    from fractions import Fraction

    from powerseek.multiagent import BayesianGame, game_power

    # one player's types are three equally likely reward vectors over its 3 actions;
    # the other player has one action: POWER = E[max_a r(a)]
    vectors = [[1, 5, 2], [4, 0, 0], [2, 2, 3]]
    third = Fraction(1, 3)
    game = BayesianGame(
        ([[[x] for x in v] for v in vectors], [[[0] for _ in range(3)]]),
        prior=[[third], [third], [third]],
    )
    assert game_power(game, 0, [1]) == Fraction(5 + 4 + 3, 3)


def test_hand_computed_2x2_bayesian_game():
    from fractions import Fraction

    from powerseek.multiagent import BayesianGame, game_power, interim_utilities

    half, third = Fraction(1, 2), Fraction(1, 3)
    low = [[2, 0], [0, 1]]
    high = [[0, 1], [3, 0]]
    game = BayesianGame(([low, high], [[[0, 0], [0, 0]]]), prior=[[half], [half]])
    sigma_1 = [third, 2 * third]
    # type low: a=0 gives 2/3, a=1 gives 2/3; type high: 2/3 and 1 -> POWER (2/3 + 1)/2
    assert interim_utilities(game, 0, sigma_1).tolist() == [
        [Fraction(2, 3), Fraction(2, 3)],
        [Fraction(2, 3), Fraction(1)],
    ]
    assert game_power(game, 0, sigma_1) == Fraction(5, 6)


def test_correlated_types_use_the_conditional_prior():
    from fractions import Fraction

    from powerseek.multiagent import BayesianGame, game_power

    rng = np.random.default_rng(3)
    r0 = rng.integers(-3, 4, (2, 2, 2)).tolist()
    r1 = rng.integers(-3, 4, (2, 2, 2)).tolist()
    prior = [[Fraction(1, 2), Fraction(1, 8)], [Fraction(1, 8), Fraction(1, 4)]]
    sigma_1 = [[Fraction(1), Fraction(0)], [Fraction(1, 4), Fraction(3, 4)]]  # by type
    game = BayesianGame((r0, r1), prior=prior)
    # brute force: for each own type, the best action against the conditional mix
    expected = Fraction(0)
    for t0 in range(2):
        p_t0 = prior[t0][0] + prior[t0][1]
        best = max(
            sum(prior[t0][t1] / p_t0 * sigma_1[t1][b] * r0[t0][a][b] for t1 in range(2)
                for b in range(2))
            for a in range(2)
        )  # fmt: skip
        expected += p_t0 * best
    assert game_power(game, 0, sigma_1) == expected


def test_sampled_game_power_and_bad_games():
    from powerseek.multiagent import BayesianGame, game_power, sampled_game_power

    # 3 actions, uniform rewards, against a fixed mix of the other's 2 actions: E max of 3
    # variables each the mix of two uniforms; compare with a large-sample reference
    q = [0.25, 0.75]
    est = sampled_game_power(lambda g, n: g.random((n, 3, 2)), q, n_samples=20_000, rng=1)
    reference = (np.random.default_rng(99).random((400_000, 3, 2)) @ q).max(axis=1).mean()
    assert abs(est.mean[0] - reference) < 4 * est.stderr[0]
    with pytest.raises(InvalidParameterError, match="must be a distribution over the other"):
        sampled_game_power(lambda g, n: g.random((n, 3, 2)), [0.5, 0.6], n_samples=10)
    with pytest.raises(InvalidParameterError, match="must return shape"):
        sampled_game_power(lambda g, n: g.random((n, 3)), [1.0], n_samples=10)
    with pytest.raises(InvalidParameterError, match="disagree on the actions"):
        BayesianGame(([[[1, 2]]], [[[1], [2]]]))
    with pytest.raises(InvalidParameterError, match="`prior` must be a distribution"):
        BayesianGame(([[[1]]], [[[1]]]), prior=[[0.5]])
    game = BayesianGame.complete([[1, 0], [0, 1]], [[0, 1], [1, 0]])
    with pytest.raises(InvalidParameterError, match="strategy at type 0 is not a distribution"):
        game_power(game, 0, [0.5, 0.6])


def test_joint_world_from_a_networkx_multigraph():
    import networkx as nx

    from powerseek import from_graph

    G = nx.MultiDiGraph()
    a, b = ("x", "y"), ("y", "x")  # joint states: where H and A are
    G.add_edge(a, b, action=("go", "go"))
    G.add_edge(a, a, action=("stay", "stay"))
    G.add_edge(a, b, action=("go", "stay"), p=0.5)
    G.add_edge(a, a, action=("go", "stay"), p=0.5)
    G.add_edge(b, b, action=("stay", "stay"))
    joint = JointMDP.from_mdp(from_graph(G))
    assert joint.actions_of(a, "H") == ("go", "stay") and joint.actions_of(a, "A") == ("go", "stay")
    mdp = induced_mdp(joint, "H", uniform_policy(joint, "A"))
    # H goes: A goes (1/2) -> b surely, A stays (1/2) -> b or a with 1/2 each
    assert mdp.transition(a, "go") == {a: 0.25, b: 0.75}


def test_correlation_sweep_solves_batches_in_pieces_with_the_same_numbers(monkeypatch):
    # a batch's samples share one random stream, whatever the pieces they are solved
    # in; the pieces' value iterations each stop at the certified tolerance
    import powerseek.multiagent._correlation as correlation
    from powerseek.multiagent import correlation_sweep

    joint = joint_gridworld("....\n.#..", overlap=False)
    whole = correlation_sweep(joint, [-0.5, 1.0], 0.6, n_samples=90, rng=4)
    monkeypatch.setattr(correlation, "PIECE_NUMBERS", 8 * joint.mdp.n_pairs)
    assert correlation.solve_rows(joint.mdp) == 8
    pieces = correlation_sweep(joint, [-0.5, 1.0], 0.6, n_samples=90, rng=4)
    for a, b in zip(
        whole.power_first + whole.power_second, pieces.power_first + pieces.power_second
    ):
        np.testing.assert_allclose(a.mean, b.mean, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.stderr, b.stderr, rtol=0, atol=1e-9)
    np.testing.assert_allclose(whole.power_correlation, pieces.power_correlation, atol=1e-8)
    np.testing.assert_allclose(
        whole.power_correlation_stderr, pieces.power_correlation_stderr, atol=1e-8
    )
