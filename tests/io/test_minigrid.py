"""Minigrid levels: enumerated through Minigrid's step, checked against a fresh environment."""

from __future__ import annotations

import numpy as np
import pytest

import powerseek
from powerseek.exceptions import InvalidParameterError
from powerseek.io._minigrid import from_minigrid, minigrid_task_reward
from powerseek.mdp import Ended
from tests.extras import require


@pytest.fixture(scope="module")
def gym():
    require("minigrid", "minigrid")
    import gymnasium

    return gymnasium


def test_empty_5x5_has_32_states_before_the_goal(gym):
    mdp = powerseek.load("minigrid:MiniGrid-Empty-5x5-v0")
    inner = [s for s in mdp.states if not isinstance(s, Ended)]
    # 9 open cells x 4 directions, less the goal's 4 (arriving there ends the episode)
    assert len(inner) == 32
    assert {s.agent for s in inner} == {(x, y) for x in (1, 2, 3) for y in (1, 2, 3)} - {(3, 3)}
    assert all(isinstance(s, Ended) for s in mdp.terminal_states())
    assert mdp.actions_of(mdp.states[0]) == (
        "left",
        "right",
        "forward",
        "pickup",
        "drop",
        "toggle",
        "done",
    )
    R = minigrid_task_reward(mdp)
    assert R.sum() == len(mdp.metadata["goal_states"]) == 2


def _replay(gym, env_id, actions):
    """The state a fresh environment reaches by `actions` from reset(seed=0)."""
    env = gym.make(env_id)
    env.reset(seed=0)
    u = env.unwrapped
    done = False
    for a in actions:
        _, _, terminated, _, _ = env.step(u.actions[a])
        done = done or terminated
    carrying = None if u.carrying is None else f"{u.carrying.type}-{u.carrying.color}"
    door = next(
        (u.grid.get(i, j) for i in range(u.width) for j in range(u.height)
         if u.grid.get(i, j) is not None and u.grid.get(i, j).type == "door"),
        None,
    )  # fmt: skip
    status = (
        None
        if door is None
        else ("locked" if door.is_locked else "open" if door.is_open else "closed")
    )
    return (int(u.agent_pos[0]), int(u.agent_pos[1])), int(u.agent_dir), carrying, status, done


def test_doorkey_transitions_match_env_step(gym):
    """Random walks in the MDP land where the same actions take a fresh environment."""
    env_id = "MiniGrid-DoorKey-5x5-v0"
    mdp = powerseek.load(f"minigrid:{env_id}")
    rng = np.random.default_rng(0)
    directions = ("east", "south", "west", "north")
    checked = 0
    for _ in range(40):
        state, path = mdp.metadata["start"], []
        for _ in range(int(rng.integers(1, 25))):
            if isinstance(state, Ended):
                break
            action = mdp.actions_of(state)[int(rng.integers(7))]
            path.append(action)
            (state,) = mdp.transition(state, action)
        pos, direction, carrying, door, done = _replay(gym, env_id, path)
        inner = state.state if isinstance(state, Ended) else state
        assert (inner.agent, directions.index(inner.direction), inner.carrying) == (
            pos,
            direction,
            carrying,
        )
        doors = [status for name, _, status in inner.objects if name.startswith("door")]
        assert doors == [door]
        assert isinstance(state, Ended) == done
        checked += len(path)
    assert checked > 200


def test_doorkey_needs_the_key_to_reach_the_goal(gym):
    mdp = powerseek.load("minigrid:MiniGrid-DoorKey-5x5-v0")
    for goal in mdp.metadata["goal_states"]:
        door = [status for name, _, status in goal.state.objects if name.startswith("door")]
        assert door in (["open"], ["closed"]), "the door was unlocked (and may be closed again)"
    # the optimal agent of the task reward reaches the goal; its value is γ^(steps - 1)
    gamma = 0.9
    V = powerseek.solve(mdp, minigrid_task_reward(mdp, gamma), gamma, tol=1e-12).values[0]
    steps = np.log(V[mdp.index(mdp.metadata["start"])]) / np.log(gamma)
    assert abs(steps - round(steps)) < 1e-9 and 5 < round(steps) < 20


def test_time_in_the_state_is_an_option(gym):
    env = gym.make("MiniGrid-Empty-5x5-v0", max_steps=3)
    env.reset(seed=0)
    mdp = from_minigrid(env, time=True)
    assert {s.time for s in mdp.states if not isinstance(s, Ended)} == {0, 1, 2}
    obs, _ = env.reset(seed=0)  # the environment renders its observations again
    assert obs is not None and obs["image"].shape == (7, 7, 3)
    assert all(s.state.time in (1, 2, 3) for s in mdp.states if isinstance(s, Ended))


def test_unknown_id_and_bad_input(gym):
    with pytest.raises(InvalidParameterError, match="MiniGrid-Nope-v0"):
        powerseek.load("minigrid:MiniGrid-Nope-v0")
    with pytest.raises(InvalidParameterError, match="Minigrid environment"):
        from_minigrid(gym.make("FrozenLake-v1"))


def test_missing_extra_names_it(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_minigrid(name, *args, **kwargs):
        if name == "minigrid":
            raise ImportError("No module named 'minigrid'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_minigrid)
    with pytest.raises(ImportError, match=r'pip install "[^"]*\[minigrid\]"'):
        powerseek.load("minigrid:MiniGrid-Empty-5x5-v0")
