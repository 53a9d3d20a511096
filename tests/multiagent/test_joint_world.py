"""Joint worlds from one single-agent world: Python, files, the catalog and the CLI."""

import json

import pytest

from powerseek import InvalidParameterError, ParseError, gridworld, load
from powerseek.cli import main
from powerseek.multiagent import JointMDP, forbid_rules, joint_gridworld, joint_world, product

MAZE = ".......\n.##.###\n....###\n.##....\n.##.##.\n.##....\n....##."


def _forbid_stay_at_far_right(state, action):
    """POWERplay's example, written by hand: H may not stay while A is at (0, 2)."""
    return state[1] == (0, 2) and action[0] == "stay"


@pytest.mark.parametrize("overlap", [True, False])
def test_joint_world_is_the_product_of_the_world_with_itself(overlap):
    world = load("powerplay-3x3")
    joint = joint_world(world, overlap=overlap)
    reference = joint_gridworld("...\n...\n...", overlap=overlap)
    assert joint.mdp.same_dynamics(reference.mdp)
    assert joint.agents == ("H", "A") and joint.name == "joint:powerplay-3x3"
    # any world, not only maps: Figure 1 with itself
    fig1 = load("turner-fig1")
    assert joint_world(fig1).mdp.same_dynamics(product(fig1, fig1).mdp)


def test_per_agent_noise_and_forbidden_actions_as_data():
    world = load("powerplay-3x3")
    noisy = joint_world(world, noise=(0.2, 0.0))
    assert noisy.mdp.same_dynamics(joint_gridworld("...\n...\n...", noise=(0.2, 0.0)).mdp)
    rules = [{"state": ["*", "(0, 2)"], "action": ["stay", "*"]}]
    by_rule = joint_world(world, forbid=rules)
    by_hand = joint_gridworld("...\n...\n...", forbid=_forbid_stay_at_far_right)
    assert by_rule.mdp.same_dynamics(by_hand.mdp)
    assert by_rule.mdp.n_pairs < joint_world(world).mdp.n_pairs
    # legend names work in rules, as everywhere a state is named
    named = gridworld.parse("S..", names=None)
    forbid = forbid_rules(named, [{"state": ["start", "*"], "action": ["*", "stay"]}])
    assert forbid(((0, 0), (0, 1)), ("right", "stay"))
    assert not forbid(((0, 1), (0, 1)), ("left", "stay"))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"state": ["*"], "action": ["*", "*"]}], r"forbid rule 1: `state` must be a pair"),
        ([{"state": ["*", "*"]}], r"forbid rule 1 must have exactly the keys"),
        ([{"state": ["*", "(9, 9)"], "action": ["*", "*"]}], r"forbid rule 1, state of A"),
        ([{"state": ["*", "*"], "action": ["jump", "*"]}], r"action of H: 'jump' is no action"),
    ],
)
def test_bad_forbid_rules_name_the_rule_and_agent(rules, message):
    with pytest.raises(InvalidParameterError, match=message):
        joint_world(load("powerplay-3x3"), forbid=rules)


def test_noise_needs_a_map_and_a_joint_world_is_not_joined_again():
    with pytest.raises(InvalidParameterError, match="`noise` applies to a gridworld"):
        joint_world(load("turner-fig1"), noise=0.1)
    with pytest.raises(InvalidParameterError, match="already a joint world of H and A"):
        joint_world(load("powerplay-joint-3x3"))
    with pytest.raises(InvalidParameterError, match="overlap=False needs deterministic"):
        joint_world(load("powerplay-3x3"), overlap=False, noise=0.1)


def test_catalog_joint_worlds_are_powerplays():
    """POWERplay's construct_multiagent_gridworld_mdp: both agents may share a cell."""
    small = JointMDP.from_mdp(load("powerplay-joint-3x3"))
    assert small.mdp.n_states == 81 and small.agents == ("H", "A")
    assert small.mdp.same_dynamics(joint_gridworld("...\n...\n...").mdp)
    maze = load("powerplay-joint-maze-7x7")
    assert maze.n_states == 31 * 31 and maze.same_dynamics(joint_gridworld(MAZE).mdp)
    assert load("joint:powerplay-3x3").same_dynamics(small.mdp)


def test_a_grid_files_joint_table(tmp_path):
    path = tmp_path / "room.grid"
    path.write_text(
        'name = "room"\n[joint]\nagents = ["R", "B"]\noverlap = false\n'
        '[[joint.forbid]]\nstate = ["*", "(0, 2)"]\naction = ["stay", "*"]\n---\n...\n...\n...\n'
    )
    joint = JointMDP.from_mdp(load(path))
    expected = joint_gridworld(
        "...\n...\n...", agents=("R", "B"), overlap=False, forbid=_forbid_stay_at_far_right
    )
    assert joint.agents == ("R", "B") and joint.mdp.same_dynamics(expected.mdp)
    assert "grid" not in joint.mdp.metadata  # the map is one agent's, kept as agent_grid
    path.write_text("[joint]\noverlap = false\nspeed = 2\n---\n...\n")
    with pytest.raises(ParseError, match=r"unknown key 'speed' in the \[joint\] table"):
        load(path)
    path.write_text('[joint]\nforbid = [{state = ["*"], action = ["*", "*"]}]\n---\n...\n')
    with pytest.raises(ParseError, match=r"room.grid.*line 1.*\[joint\]: forbid rule 1"):
        load(path)


def test_the_cli_builds_joint_worlds_and_says_how(tmp_path, capsys):
    base = ["--gamma", "0.6", "--samples", "200", "--seed", "3", "--format", "json"]
    assert main(["multiagent", "power", "joint:powerplay-3x3", "--no-overlap", *base]) == 0
    built = json.loads(capsys.readouterr().out)
    assert len(built["states"]) == 72
    rules = tmp_path / "rules.toml"
    rules.write_text('[[forbid]]\nstate = ["*", "(0, 2)"]\naction = ["stay", "*"]\n')
    argv = ["multiagent", "correlation", "joint:powerplay-3x3", "--correlation=-1,1",
            "--forbid", str(rules), "--agents", "R,B", "--quiet", *base]  # fmt: skip
    assert main(argv) == 0
    sweep = json.loads(capsys.readouterr().out)
    assert sweep["environment"] == "joint:powerplay-3x3" and "power_B" in sweep
    assert capsys.readouterr().err == ""
    # a single-agent world: the error says how to make it joint
    assert main(["multiagent", "power", "powerplay-3x3", *base]) == 1
    err = capsys.readouterr().err
    assert "not a joint world" in err and "joint:powerplay-3x3" in err and err.count("\n") == 1
    assert main(["multiagent", "power", "powerplay-joint-3x3", "--noise", "0.1", *base]) == 1
    assert "write ENV as joint:powerplay-joint-3x3" in capsys.readouterr().err
    assert main(["multiagent", "power", "joint:powerplay-3x3", "--noise", "a", *base]) == 1
    assert "--noise must be one probability or two" in capsys.readouterr().err


def test_a_joint_world_keeps_where_its_world_came_from():
    world = load("aima-4x3")
    joint = load("joint:aima-4x3")
    assert joint.metadata["title"] == f"Two agents in: {world.metadata['title']}"
    assert joint.metadata["source"] == world.metadata["source"]
    assert joint.metadata["gamma"] == world.metadata["gamma"]
    assert "grid" not in joint.metadata and "start" not in joint.metadata  # one agent's cells
    # a file's own title is kept
    assert load("powerplay-joint-3x3").metadata["title"].startswith("POWERplay joint 3x3")
