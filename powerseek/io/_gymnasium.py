"""Gymnasium's tabular environments: FrozenLake, CliffWalking, Taxi and any ``P`` table.

Gymnasium's toy-text environments expose their dynamics as
``env.unwrapped.P[s][a] = [(prob, next_state, reward, terminated), ...]``.
:func:`from_gymnasium` builds the MDP of such a table:

- repeated ``next_state`` entries of one action are merged (their
  probabilities added);
- a transition with ``terminated=True`` ends the episode in its next state, so
  that state becomes absorbing: its actions loop on it (FrozenLake's holes and
  goal already do). Where the same state is also entered without terminating
  (Taxi's drop-off cells), the terminating transitions go to an absorbing copy
  labelled ``("terminated", s)`` instead, with the one action ``"stay"``;
- FrozenLake and CliffWalking states are the map's cells ``(row, col)`` (state
  id ``row·ncol + col``) and the MDP keeps the map, so the gridworld figures
  work; ``cells=False`` keeps the integer ids. Actions get gymnasium's names
  (FrozenLake ``left, down, right, up``; CliffWalking ``up, right, down,
  left``; Taxi ``south, north, east, west, pickup, dropoff``), other tables
  their integer ids;
- the task reward is dropped: powerseek's rewards come from a distribution.
  Where it is *state-based* (every transition into a state pays the same, as
  in FrozenLake), it is kept as the ``task_reward`` metadata, a tuple in state
  order: the reward of arriving in each state, which powerseek's R(s) pays for
  being there (absorbing states then pay it every step, which keeps the
  optimal policies of reach-the-goal tasks).

gymnasium itself is imported only by :func:`make`, which builds an environment
from a name such as ``FrozenLake-v1?map_name=8x8&is_slippery=false`` (what
``powerseek.load("gymnasium:...")`` and the command line accept).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import reward_matrix
from ..exceptions import InvalidMDPError, InvalidParameterError, InvalidTypeError, install_hint
from ..mdp import MDP
from ..mdp.gridworld import GridLayout

__all__ = ["ACTION_NAMES", "PREFIX", "from_gymnasium", "make", "parse_spec", "to_env"]

#: What names a gymnasium environment on the command line and in ``load``.
PREFIX = "gymnasium:"
#: Action names by environment class.
ACTION_NAMES = {
    "FrozenLakeEnv": ("left", "down", "right", "up"),
    "CliffWalkingEnv": ("up", "right", "down", "left"),
    "TaxiEnv": ("south", "north", "east", "west", "pickup", "dropoff"),
}
#: How far an action's probabilities may sum from 1.
PROBABILITY_TOLERANCE = 1e-9


def _table_of(env_or_P: Any) -> tuple[Mapping, Any]:
    """The P table and the unwrapped environment (None for a bare table)."""
    if isinstance(env_or_P, Mapping):
        return env_or_P, None
    env = getattr(env_or_P, "unwrapped", env_or_P)
    table = getattr(env, "P", None)
    if not isinstance(table, Mapping):
        raise InvalidTypeError(
            "`env_or_P` must be a gymnasium environment with a transition table "
            "(env.unwrapped.P, as the toy-text environments have) or such a table "
            f"{{state: {{action: [(prob, next_state, reward, terminated), ...]}}}}; got "
            f"{type(env_or_P).__name__}."
        )
    return table, env


def _outcomes(table: Mapping, n: int):
    """(state, action, {next: prob}, [(next, reward, terminated)]) per pair, checked."""
    for s in range(n):
        actions = table[s]
        if not isinstance(actions, Mapping) or not actions:
            raise InvalidMDPError(f"P[{s}] must map each action to its outcomes; it has none.")
        for a in sorted(actions):
            entries = actions[a]
            if not entries:
                raise InvalidMDPError(f"P[{s}][{a}] has no outcomes.")
            merged: dict[int, float] = {}
            details = []
            for k, entry in enumerate(entries):
                try:
                    p, target, reward, terminated = entry[:4]
                    p, reward = float(p), float(reward)
                    target = int(target)
                except (TypeError, ValueError):
                    raise InvalidMDPError(
                        f"P[{s}][{a}][{k}] must be (prob, next_state, reward, terminated); got "
                        f"{entry!r}."
                    ) from None
                if not (math.isfinite(p) and 0.0 <= p <= 1.0):
                    raise InvalidMDPError(
                        f"P[{s}][{a}][{k}] has the probability {p!r}; probabilities are in [0, 1]."
                    )
                if not 0 <= target < n:
                    raise InvalidMDPError(
                        f"P[{s}][{a}][{k}] leads to state {target}, out of range: the table has "
                        f"states 0..{n - 1}."
                    )
                if p > 0:
                    merged[target] = merged.get(target, 0.0) + p
                    details.append((target, reward, bool(terminated)))
            total = math.fsum(merged.values())
            if abs(total - 1.0) > PROBABILITY_TOLERANCE:
                raise InvalidMDPError(
                    f"the probabilities of P[{s}][{a}] sum to {total!r}, not 1 "
                    f"(within {PROBABILITY_TOLERANCE:g})."
                )
            yield s, a, merged, details


def _state_based_reward(pairs, n: int, absorbing: set[int]) -> tuple[float, ...] | None:
    """The reward of arriving in each state, if it does not depend on where from."""
    arrival: dict[int, float] = {}
    for s, _, _, details in pairs:
        if s in absorbing:
            continue  # after the episode ended: never paid
        for target, reward, _ in details:
            if arrival.setdefault(target, reward) != reward:
                return None
    return tuple(arrival.get(s, 0.0) for s in range(n))


def from_gymnasium(env_or_P: Any, *, cells: bool = True, name: str | None = None) -> MDP:
    """The MDP of a gymnasium environment's transition table (see the module notes).

    Parameters
    ----------
    env_or_P : gymnasium.Env or mapping
        An environment with ``env.unwrapped.P`` (FrozenLake, CliffWalking,
        Taxi, ...) or the table itself, ``{s: {a: [(p, s', r, terminated), ...]}}``
        with states 0..n−1.
    cells : bool, default True
        Label FrozenLake's and CliffWalking's states by their cells ``(row, col)``
        (and keep the map); False keeps the integer ids.
    name : str, optional
        Default: the environment's id (``FrozenLake-v1``), or None for a table.

    Returns
    -------
    MDP
        With ``task_reward`` metadata where the task reward is state-based.

    Raises
    ------
    InvalidMDPError
        Naming the state, action and entry of a bad table (negative or
        non-finite probabilities, next states out of range, sums other than 1).

    Examples
    --------
    >>> P = {0: {0: [(0.5, 0, 0.0, False), (0.5, 1, 1.0, True)]},
    ...      1: {0: [(1.0, 1, 0.0, True)]}}
    >>> mdp = from_gymnasium(P)
    >>> mdp.transition(0, 0), mdp.terminal_states(), mdp.metadata["task_reward"]
    ({0: 0.5, 1: 0.5}, (1,), (0.0, 1.0))
    """
    table, env = _table_of(env_or_P)
    n = len(table)
    if sorted(table) != list(range(n)):
        raise InvalidMDPError(
            f"the table's states must be 0..{n - 1}; got keys {sorted(table)[:5]}..."
        )
    pairs = list(_outcomes(table, n))
    ends = {t for _, _, _, details in pairs for t, _, done in details if done}
    entered = {t for s, _, _, details in pairs for t, _, done in details if not done}
    looping = set(range(n))  # states whose every action stays put
    for s, _, merged, _ in pairs:
        if set(merged) != {s}:
            looping.discard(s)
    absorbing = {t for t in ends if t not in entered or t in looping}
    copies = sorted(t for t in ends if t not in absorbing)
    kind = type(env).__name__ if env is not None else None
    names = ACTION_NAMES.get(kind)
    labels = _state_labels(env, n, cells)
    states = list(labels) + [("terminated", labels[t]) for t in copies]
    copy_index = {t: n + i for i, t in enumerate(copies)}
    actions: list[list[Hashable]] = [[] for _ in range(n)]
    rows, cols, data = [], [], []
    for row, (s, a, merged, details) in enumerate(pairs):  # pairs by state, then action
        actions[s].append(names[a] if names is not None and 0 <= a < len(names) else a)
        if s in absorbing:
            rows.append(row), cols.append(s), data.append(1.0)
            continue
        done = {t for t, _, d in details if d}
        for target, p in merged.items():
            column = copy_index[target] if target in done and target in copy_index else target
            rows.append(row), cols.append(column), data.append(p)
    for i, t in enumerate(copies):
        actions.append(["stay"])
        rows.append(len(pairs) + i), cols.append(copy_index[t]), data.append(1.0)
    matrix = sp.csr_array((data, (rows, cols)), shape=(len(pairs) + len(copies), len(states)))
    matrix.sum_duplicates()
    metadata = _metadata(env, labels, cells, absorbing)
    reward = _state_based_reward(pairs, n, absorbing)
    if reward is not None:
        metadata["task_reward"] = reward + tuple(reward[t] for t in copies)
    default = getattr(getattr(env, "spec", None), "id", None) if env is not None else None
    return MDP.from_arrays(states, actions, matrix, name=name or default, metadata=metadata)


def _grid_shape(env: Any) -> tuple[int, int] | None:
    desc = getattr(env, "desc", None)
    if desc is not None:
        return tuple(np.asarray(desc).shape)
    shape = getattr(env, "shape", None)
    if type(env).__name__ == "CliffWalkingEnv" and shape is not None:
        return tuple(shape)
    return None


def _state_labels(env: Any, n: int, cells: bool) -> list[Hashable]:
    shape = _grid_shape(env) if env is not None and cells else None
    if shape is None or shape[0] * shape[1] != n:
        return list(range(n))
    return [divmod(s, shape[1]) for s in range(n)]


def _metadata(env: Any, labels: list, cells: bool, absorbing: set[int]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"source": "gymnasium"}
    if env is None or not labels or not isinstance(labels[0], tuple):
        return metadata
    shape = _grid_shape(env)
    desc = getattr(env, "desc", None)
    marks = []
    names = ()
    if desc is not None:  # FrozenLake: S start, H holes, G goal
        letters = np.asarray(desc).astype(str)
        for r, c in np.ndindex(*letters.shape):
            if letters[r, c] in ("S", "H", "G"):
                marks.append(((r, c), letters[r, c]))
        names = (("G", "goal"), ("H", "hole"))
        start = [cell for cell, letter in marks if letter == "S"]
        if start:
            metadata["start"] = start[0]
    else:  # CliffWalking: start bottom left, goal bottom right
        rows, cols = shape
        metadata["start"] = (rows - 1, 0)
        marks = [((rows - 1, 0), "S"), ((rows - 1, cols - 1), "G")]
        names = (("G", "goal"),)
    metadata["grid"] = GridLayout(
        shape=shape, marks=tuple(sorted(marks)), names=names, stay=False, bump="stay"
    )
    return metadata


def _value(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """The environment id and keyword arguments of ``ID?key=value&key=value``.

    Values ``true``/``false``, ``none``, integers and floats are converted; the
    rest stay strings.

    Parameters
    ----------
    spec : str
        With or without the ``gymnasium:`` prefix.

    Returns
    -------
    tuple
        ``(env_id, kwargs)``.

    Examples
    --------
    >>> parse_spec("gymnasium:FrozenLake-v1?map_name=8x8&is_slippery=false")
    ('FrozenLake-v1', {'map_name': '8x8', 'is_slippery': False})
    """
    text = spec[len(PREFIX) :] if spec.startswith(PREFIX) else spec
    env_id, _, query = text.partition("?")
    if not env_id:
        raise InvalidParameterError(f"{spec!r} names no environment; e.g. gymnasium:FrozenLake-v1.")
    kwargs: dict[str, Any] = {}
    for part in filter(None, query.split("&")):
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise InvalidParameterError(
                f"{spec!r}: {part!r} is not key=value (arguments are ?key=value&key=value)."
            )
        kwargs[key] = _value(value)
    return env_id, kwargs


def make(spec: str) -> MDP:
    """Make a gymnasium environment by name and return its MDP (:func:`from_gymnasium`).

    Parameters
    ----------
    spec : str
        ``gymnasium:ID?key=value&...``, e.g. ``gymnasium:FrozenLake-v1?is_slippery=false``.

    Returns
    -------
    MDP
        Named after `spec` without the prefix.

    Raises
    ------
    ImportError
        gymnasium is not installed (``pip install ".[gymnasium]"``).
    InvalidParameterError
        Gymnasium does not know the environment or refuses the arguments.
    """
    env_id, kwargs = parse_spec(spec)
    try:
        import gymnasium
    except ImportError:
        raise ImportError(f"{spec} needs gymnasium: {install_hint('gymnasium')}.") from None
    try:
        env = gymnasium.make(env_id, **kwargs)
    except Exception as exc:  # gymnasium's own errors: unknown id, bad arguments
        reason = str(exc).rstrip(".")
        raise InvalidParameterError(f"gymnasium cannot make {spec!r}: {reason}.") from None
    try:
        return from_gymnasium(env, name=spec[len(PREFIX) :] if spec.startswith(PREFIX) else spec)
    finally:
        env.close()


def to_env(
    mdp: MDP, reward: Any = None, *, start: Hashable | None = None, max_steps: int | None = None
) -> Any:
    """A Gymnasium environment whose dynamics are `mdp`'s, to train agents on.

    The environment is the toy-text kind :func:`from_gymnasium` reads: observations
    are state indices (``Discrete(n_states)``), actions the indices of a state's
    actions (``Discrete`` of the most any state has), and ``env.unwrapped.P[s][a]``
    holds ``(probability, next_state, reward, terminated)`` for each outcome, so
    ``from_gymnasium(to_env(mdp, R))`` gives `mdp` back with ``task_reward`` R (0
    at a state no step enters, such as a start state, whose reward is never paid).

    Parameters
    ----------
    mdp : MDP
        The environment.
    reward : array_like or mapping, optional
        R(s) per state, in state order (or ``{state: reward}``); default 0. A step
        pays the reward of the state it arrives in, as gymnasium's toy-text
        environments do, so a return from s is (V(s) − R(s))/γ in powerseek's
        terms: the same optimal policies.
    start : hashable, optional
        The state ``reset`` starts in; default the MDP's ``start`` metadata, else
        its first state.
    max_steps : int, optional
        Truncate episodes after this many steps (``truncated=True``).

    Returns
    -------
    gymnasium.Env
        ``reset`` and ``step`` also give ``info["state"]`` (the state's label) and
        ``info["action_mask"]`` (which action indices the state has). An episode
        terminates on arriving in a terminal state (:meth:`MDP.terminal_states`).

    Raises
    ------
    MissingExtraError
        gymnasium is not installed (``pip install ".[gymnasium]"``).
    InvalidParameterError
        A reward of the wrong length or not finite, an unknown start state; in
        ``step``, an action index the current state does not have.

    See Also
    --------
    from_gymnasium : The reverse: an MDP from a gymnasium table.

    Examples
    --------
    >>> from powerseek import load
    >>> from powerseek.io import to_env
    >>> candy = load("candy-wait")                       # start, wait, candy, chocolate, hug
    >>> env = to_env(candy, [0, 0, 0.5, 1.0, 0])
    >>> observation, info = env.reset(seed=0)
    >>> info["state"], candy.actions_of("start")
    ('start', ('candy', 'wait'))
    >>> observation, paid, terminated, truncated, info = env.step(0)   # candy
    >>> info["state"], paid, terminated
    ('candy', 0.5, True)
    """
    try:
        import gymnasium
        from gymnasium import spaces
    except ImportError:
        from ..exceptions import MissingExtraError

        raise MissingExtraError(
            f"to_env builds a gymnasium environment: {install_hint('gymnasium')}."
        ) from None
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    rewards = _state_rewards(mdp, reward)
    first = start if start is not None else mdp.metadata.get("start", mdp.states[0])
    if first not in mdp:
        raise InvalidParameterError(f"`start` {first!r} is not a state of the MDP.")
    if max_steps is not None and (
        isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1
    ):
        raise InvalidParameterError(f"`max_steps` must be a positive integer; got {max_steps!r}.")
    terminal = {mdp.index(s) for s in mdp.terminal_states()}
    matrix = mdp.transition_matrix
    table: dict[int, dict[int, list]] = {}
    for i in range(mdp.n_states):
        table[i] = {}
        for a in range(len(mdp.actions[i])):
            k = int(mdp.pair_offsets[i]) + a
            row = slice(matrix.indptr[k], matrix.indptr[k + 1])
            table[i][a] = [
                (float(p), int(j), float(rewards[j]), int(j) in terminal)
                for j, p in zip(matrix.indices[row], matrix.data[row])
            ]

    class _MDPEnv(gymnasium.Env):
        """``mdp`` as a gymnasium environment (built by :func:`to_env`)."""

        metadata: dict = {"render_modes": []}

        def __init__(self) -> None:
            self.P = table
            self.observation_space = spaces.Discrete(mdp.n_states)
            self.action_space = spaces.Discrete(max(len(a) for a in mdp.actions))
            self.mdp = mdp
            self._start = mdp.index(first)
            self._state = self._start
            self._steps = 0

        def _info(self) -> dict:
            mask = np.zeros(self.action_space.n, dtype=np.int8)
            mask[: len(mdp.actions[self._state])] = 1
            return {"state": mdp.states[self._state], "action_mask": mask}

        def reset(self, *, seed: int | None = None, options: dict | None = None):
            super().reset(seed=seed)
            self._state, self._steps = self._start, 0
            return self._state, self._info()

        def step(self, action):
            outcomes = self.P[self._state].get(int(action))
            if outcomes is None:
                label = mdp.states[self._state]
                raise InvalidParameterError(
                    f"action {int(action)} is not an action of state {label!r}, which has "
                    f"{len(mdp.actions[self._state])} (info['action_mask'] marks them)."
                )
            probabilities = np.array([p for p, *_ in outcomes])
            pick = int(self.np_random.choice(len(outcomes), p=probabilities / probabilities.sum()))
            _, self._state, paid, terminated = outcomes[pick]
            self._steps += 1
            truncated = max_steps is not None and self._steps >= max_steps and not terminated
            return self._state, paid, terminated, truncated, self._info()

    return _MDPEnv()


def _state_rewards(mdp: MDP, reward: Any) -> np.ndarray:
    """R(s) in state order from an array, a mapping or None (zeros)."""
    if reward is None:
        return np.zeros(mdp.n_states)
    if isinstance(reward, Mapping):
        unknown = [s for s in reward if s not in mdp]
        if unknown:
            raise InvalidParameterError(f"`reward` names {unknown[0]!r}, not a state of the MDP.")
        reward = [reward.get(s, 0.0) for s in mdp.states]
    shape = np.shape(reward)
    values = reward_matrix(reward, "reward")  # one clear error for non-numbers
    if values.shape != (1, mdp.n_states) or not np.all(np.isfinite(values)):
        raise InvalidParameterError(
            f"`reward` must give {mdp.n_states} finite values, one per state; got shape {shape}."
        )
    return values[0]
