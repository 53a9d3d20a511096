"""Minigrid levels as MDPs, enumerated through Minigrid's own ``step``.

``minigrid:ID?key=value&...`` (or :func:`from_minigrid` on an environment)
enumerates every state reachable from the level's start with
:func:`powerseek.mdp.from_simulator`. A state is the full state of the level:
the agent's cell and direction, the **carried object** (which Minigrid's own
``hash()`` leaves out), and the cell and status of every object that can change
(doors open, closed or locked; keys, balls and boxes where they lie). Walls,
goals and lava never change and are not in the state.

Minigrid's step counter is dropped: it is reset before every step, so episodes
are never truncated and the goal's reward does not shrink with time; the task
reward (:func:`minigrid_task_reward`) is 1 on reaching a goal. ``time=True`` keeps
the counter in the state instead, up to the level's ``max_steps``, where episodes
end. A step that terminates (a goal, lava) leads to an absorbing ``ended(...)`` state.

Speed: the environment is never copied. Its fields are set to each state before
a step (the objects moved back into their cells, the doors' flags, the carried
object, the agent), and its observation is not rendered during the enumeration.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..exceptions import InvalidParameterError, install_hint
from ..mdp import MDP, Ended, from_simulator
from ._gymnasium import parse_spec

__all__ = ["PREFIX", "MinigridState", "from_minigrid", "make", "minigrid_task_reward"]

PREFIX = "minigrid:"
#: Minigrid's directions, by ``agent_dir``.
DIRECTIONS = ("east", "south", "west", "north")
#: Object types that can move or change, and are therefore part of the state.
_MUTABLE = ("door", "key", "ball", "box")


class MinigridState(NamedTuple):
    """A state of a Minigrid level.

    Attributes
    ----------
    agent : tuple of int
        The agent's cell ``(x, y)``, Minigrid's column and row.
    direction : str
        ``"east"``, ``"south"``, ``"west"`` or ``"north"``.
    carrying : str or None
        The carried object (``"key-yellow"``), or None.
    objects : tuple
        ``(object, cell, status)`` for each object that can change: its name,
        its cell (None while carried or inside a box) and, for doors,
        ``"open"``, ``"closed"`` or ``"locked"``.
    time : int or None
        Steps taken, when the level keeps time (``time=True``).

    Examples
    --------
    >>> str(MinigridState((1, 2), "east", "key-yellow", (("door-yellow", (4, 2), "locked"),)))
    '(1,2) east carrying key-yellow door-yellow(4,2) locked'
    """

    agent: tuple
    direction: str
    carrying: str | None
    objects: tuple
    time: int | None = None

    #: :class:`~powerseek.mdp.Ended` prints this label by its ``str``.
    compact_label = True

    def __str__(self) -> str:
        parts = [f"({self.agent[0]},{self.agent[1]}) {self.direction}"]
        if self.carrying:
            parts.append(f"carrying {self.carrying}")
        for name, cell, status in self.objects:
            if cell is not None:
                parts.append(f"{name}({cell[0]},{cell[1]})" + (f" {status}" if status else ""))
        if self.time is not None:
            parts.append(f"t{self.time}")
        return " ".join(parts)


class _Runner:
    """Sets a Minigrid environment to a state, steps it, and reads the state back."""

    def __init__(self, env: Any, time: bool) -> None:
        self.env = env
        self.time = time
        self.goals: set = set()  # the states a rewarded terminating step reached
        self.actions = [a.name for a in env.actions]
        grid = env.grid
        self.objects: list = []
        for j in range(grid.height):
            for i in range(grid.width):
                obj = grid.get(i, j)
                if obj is not None and obj.type in _MUTABLE:
                    self.objects.append(obj)
                    inner = getattr(obj, "contains", None)
                    if inner is not None:
                        self.objects.append(inner)
        if env.carrying is not None:
            self.objects.append(env.carrying)
        names = [f"{o.type}-{o.color}" for o in self.objects]
        # two objects of one type and colour get numbered, so labels stay distinct
        self.names = [
            n if names.count(n) == 1 else f"{n}{names[:i].count(n) + 1}"
            for i, n in enumerate(names)
        ]
        self.index = {id(o): k for k, o in enumerate(self.objects)}
        self.placed: dict[int, tuple] = {}
        self._locate_all()
        # no observations are needed while enumerating: skip rendering them (until `close`)
        env.gen_obs = lambda: None

    def close(self) -> None:
        """Give the environment its own observations back."""
        self.env.__dict__.pop("gen_obs", None)

    def _locate_all(self) -> None:
        grid = self.env.grid
        self.placed = {}
        for j in range(grid.height):
            for i in range(grid.width):
                obj = grid.get(i, j)
                if obj is not None and id(obj) in self.index:
                    self.placed[self.index[id(obj)]] = (i, j)

    def read(self) -> MinigridState:
        env = self.env
        self._locate_all()
        carried = self.index.get(id(env.carrying)) if env.carrying is not None else None
        objects = []
        for k, obj in enumerate(self.objects):
            status = ""
            if obj.type == "door":
                status = "locked" if obj.is_locked else "open" if obj.is_open else "closed"
            objects.append((self.names[k], self.placed.get(k), status))
        return MinigridState(
            agent=(int(env.agent_pos[0]), int(env.agent_pos[1])),
            direction=DIRECTIONS[int(env.agent_dir)],
            carrying=None if carried is None else self.names[carried],
            objects=tuple(objects),
            time=int(env.step_count) if self.time else None,
        )

    def set(self, state: MinigridState) -> None:
        env = self.env
        grid = env.grid
        for cell in self.placed.values():
            grid.set(cell[0], cell[1], None)
        self.placed = {}
        env.carrying = None
        for k, (name, cell, status) in enumerate(state.objects):
            obj = self.objects[k]
            if obj.type == "door":
                obj.is_locked = status == "locked"
                obj.is_open = status == "open"
            if cell is not None:
                grid.set(cell[0], cell[1], obj)
                obj.cur_pos = np.array(cell)
                self.placed[k] = cell
            elif state.carrying == name:
                env.carrying = obj
                obj.cur_pos = np.array([-1, -1])
        env.agent_pos = state.agent
        env.agent_dir = DIRECTIONS.index(state.direction)
        env.step_count = state.time if self.time else 0

    def step(self, state: MinigridState, action: str):
        self.set(state)
        _, reward, terminated, truncated, _ = self.env.step(self.env.actions[action])
        nxt = self.read()
        if terminated and reward > 0:
            self.goals.add(nxt)
        return nxt, bool(terminated or (self.time and truncated))


def from_minigrid(
    env: Any,
    *,
    time: bool = False,
    name: str | None = None,
    max_states: int | None = None,
    progress: bool | None = False,
) -> MDP:
    """The MDP of a Minigrid environment, from its current state (after ``reset``).

    Parameters
    ----------
    env : minigrid.minigrid_env.MiniGridEnv or a wrapper of one
        The level, reset; the enumeration starts from its current state and
        changes the environment (reset it before using it again).
    time : bool, default False
        Keep Minigrid's step counter in the state (episodes end at ``max_steps``);
        by default it is dropped.
    name : str, optional
        The MDP's name (default the environment's id).
    max_states : int, optional
        Refuse levels with more reachable states.
    progress : bool or None, default False
        Show the states found.

    Returns
    -------
    MDP
        States are :class:`MinigridState` (and ``ended(...)`` copies); actions
        Minigrid's names (``left``, ``right``, ``forward``, ``pickup``, ``drop``,
        ``toggle``, ``done``). ``metadata["goal_states"]`` lists the terminal
        states that paid a reward.
    """
    inner = getattr(env, "unwrapped", env)
    if not hasattr(inner, "grid") or not hasattr(inner, "agent_dir"):
        raise InvalidParameterError(
            f"from_minigrid needs a Minigrid environment; got {type(inner).__name__}."
        )
    if inner.grid is None:
        raise InvalidParameterError("reset the Minigrid environment before enumerating it.")
    runner = _Runner(inner, time)
    start = runner.read()
    spec = getattr(getattr(env, "spec", None), "id", None)
    try:
        mdp = _enumerate(runner, start, spec, inner, time, name, max_states, progress)
    finally:
        runner.close()
    goals = tuple(s for s in mdp.states if isinstance(s, Ended) and s.state in runner.goals)
    return mdp.with_metadata(goal_states=goals)


def _enumerate(runner, start, spec, inner, time, name, max_states, progress) -> MDP:
    return from_simulator(
        start,
        runner.actions,
        runner.step,
        name=name or spec or type(inner).__name__,
        metadata={
            "source": "Minigrid (Farama Foundation), enumerated through its step",
            "description": (
                "Every state reachable from the start: agent cell (x, y) and direction, the "
                "carried object, doors and objects. The step counter is "
                + ("kept in the state." if time else "dropped (no truncation).")
            ),
        },
        max_states=max_states,
        progress=progress,
    )


def minigrid_task_reward(mdp: MDP, gamma: float | None = None) -> np.ndarray:
    """The task reward of a Minigrid MDP: 1 on reaching a goal, 0 elsewhere.

    Minigrid pays ``1 - 0.9 * step_count / max_steps`` at the goal; with the step
    counter dropped, the reward is the undiscounted success, 1. With `gamma` the
    terminal state's reward is scaled by ``1 - gamma``, so that its absorbing loop
    pays it once (as :meth:`powerseek.mdp.ObjectLevel.task_reward` does).

    Parameters
    ----------
    mdp : MDP
        From :func:`from_minigrid` or ``load("minigrid:...")``.
    gamma : float, optional
        The discount the reward is for.

    Returns
    -------
    numpy.ndarray, shape (n_states,)
    """
    goals = set(mdp.metadata.get("goal_states", ()))
    scale = 1.0 if gamma is None else 1.0 - gamma
    return np.array([scale if s in goals else 0.0 for s in mdp.states])


def make(spec: str) -> MDP:
    """Make a Minigrid level by name and return its MDP (:func:`from_minigrid`).

    Parameters
    ----------
    spec : str
        ``minigrid:ID?key=value&...``, e.g. ``minigrid:MiniGrid-DoorKey-6x6-v0``;
        keyword arguments go to ``gymnasium.make`` except ``seed`` (the layout of
        randomly generated levels, default 0) and ``time`` (keep the step counter).

    Returns
    -------
    MDP

    Raises
    ------
    ImportError
        minigrid is not installed (``pip install ".[minigrid]"``).
    InvalidParameterError
        Minigrid does not know the level or refuses the arguments.
    """
    env_id, kwargs = parse_spec(spec[len(PREFIX) :] if spec.startswith(PREFIX) else spec)
    seed = kwargs.pop("seed", 0)
    keep_time = bool(kwargs.pop("time", False))
    try:
        import gymnasium
        import minigrid  # noqa: F401  (registers the MiniGrid-* ids)
    except ImportError:
        raise ImportError(f"{spec} needs minigrid: {install_hint('minigrid')}.") from None
    try:
        env = gymnasium.make(env_id, **kwargs)
        env.reset(seed=seed)
    except Exception as exc:  # gymnasium's and minigrid's own errors
        reason = str(exc).rstrip(".")
        raise InvalidParameterError(f"minigrid cannot make {spec!r}: {reason}.") from None
    try:
        return from_minigrid(env, time=keep_time, name=spec[len(PREFIX) :])
    finally:
        env.close()
