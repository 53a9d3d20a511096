"""Compiling simulators into MDPs (powerseek.mdp.from_simulator).

Oracles: the gridworld parser (an independent construction of the same world),
and a plain breadth-first enumeration over Python dicts written here.
"""

from collections import deque

import numpy as np
import pytest

from powerseek import SearchLimitError, gridworld
from powerseek.exceptions import InvalidParameterError, InvalidTypeError
from powerseek.mdp import Ended, from_simulator, simulator_bytes_per_state

MAP = """\
#######
#A..#.#
#.#...#
#...#G#
#######
"""
MOVES = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1), "stay": (0, 0)}


def _walls(text):
    return {(r, c) for r, line in enumerate(text.splitlines()) for c, ch in enumerate(line)
            if ch == "#"}  # fmt: skip


def test_a_gridworld_simulator_compiles_to_the_parsed_gridworld():
    """The same world two ways: every state and every transition agree."""
    walls = _walls(MAP)

    def step(cell, action):
        dr, dc = MOVES[action]
        target = (cell[0] + dr, cell[1] + dc)
        return cell if target in walls else target

    ours = from_simulator((1, 1), gridworld.ACTIONS, step)
    # letters name terminal cells in the map format; here they are open cells
    parsed = gridworld.parse(MAP.replace("G", ".").replace("A", "."), bump="stay")
    assert set(parsed.states) == set(ours.states) and ours.n_states == 12
    for state in ours.states:
        assert parsed.actions_of(state) == gridworld.ACTIONS  # bump="stay": every move
        for action in gridworld.ACTIONS:
            assert ours.transition(state, action) == parsed.transition(state, action)
    assert ours.states[0] == (1, 1) and ours.metadata["start"] == (1, 1)


def _slip_step(n, slip):
    """A ring of n cells: "go" moves one ahead, or two with probability `slip`; cell 0
    ends the episode when left by "exit"."""

    def scalar(cell, action):
        if action == "exit":
            return cell, cell == 0
        return {(cell + 1) % n: 1 - slip, (cell + 2) % n: slip}

    def packed(codes, action):
        if action == 1:  # exit
            return codes[:, None], np.ones((codes.size, 1)), (codes == 0)
        nxt = np.stack([(codes + 1) % n, (codes + 2) % n], axis=1)
        prob = np.broadcast_to([1 - slip, slip], nxt.shape)
        return nxt, prob, np.zeros(codes.size, dtype=bool)

    return scalar, packed


def _plain_enumeration(start, actions, scalar):
    """The oracle: breadth-first over dicts, terminal copies as ("end", state)."""
    seen, queue, edges = {start}, deque([start]), {}
    while queue:
        state = queue.popleft()
        for action in actions:
            out = scalar(state, action)
            done = False
            if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], bool):
                out, done = out
            out = out if isinstance(out, dict) else {out: 1.0}
            targets = {}
            for successor, p in out.items():
                key = ("end", successor) if done else successor
                targets[key] = targets.get(key, 0.0) + p
                if key not in seen:
                    seen.add(key)
                    if not done:
                        queue.append(key)
            edges[state, action] = targets
    return seen, edges


@pytest.mark.parametrize("vectorized", [False, True])
def test_a_stochastic_world_matches_a_plain_enumeration(vectorized):
    n, slip = 7, 0.3
    scalar, packed = _slip_step(n, slip)
    actions = ("go", "exit")
    mdp = from_simulator(0, actions, packed if vectorized else scalar, vectorized=vectorized)
    seen, edges = _plain_enumeration(0, actions, scalar)

    def key(label):
        return ("end", label.state) if isinstance(label, Ended) else label

    assert {key(s) for s in mdp.states} == seen and mdp.n_states == n + 1
    for (state, action), targets in edges.items():
        got = {key(s): p for s, p in mdp.transition(state, action).items()}
        assert got.keys() == targets.keys()
        assert all(got[s] == pytest.approx(p, abs=1e-15) for s, p in targets.items())
    assert mdp.terminal_states() == (Ended(0),)
    assert mdp.actions_of(Ended(0)) == ("stay",)


def test_a_state_reached_with_and_without_ending_is_two_states():
    def step(cell, action):
        if action == "finish":
            return cell, True
        return min(cell + 1, 2)

    mdp = from_simulator(0, ["walk", "finish"], step)
    assert mdp.states[0] == 0
    assert set(mdp.states) == {0, 1, 2, Ended(0), Ended(1), Ended(2)}
    assert mdp.transition(2, "walk") == {2: 1.0}
    assert mdp.transition(1, "finish") == {Ended(1): 1.0}
    assert set(mdp.terminal_states()) == {Ended(0), Ended(1), Ended(2)}


def test_duplicate_outcomes_are_summed_and_zero_probabilities_dropped():
    def step(codes, action):
        nxt = np.stack([codes, codes, codes + 1], axis=1) % 3
        return nxt, np.broadcast_to([0.25, 0.25, 0.5], nxt.shape), None

    mdp = from_simulator(0, ["go"], step, vectorized=True)
    assert mdp.transition(0, "go") == {0: 0.5, 1: 0.5}

    def sparse(codes, action):
        nxt = np.stack([codes + 1, codes + 5], axis=1) % 4
        return nxt, np.broadcast_to([1.0, 0.0], nxt.shape), None

    assert from_simulator(0, ["go"], sparse, vectorized=True).n_states == 4


def test_packed_labels_come_from_label():
    def step(codes, action):
        return np.minimum(codes + 1, 3)

    mdp = from_simulator(0, ["go"], step, vectorized=True, label=lambda c: f"cell{c}")
    assert mdp.states == ("cell0", "cell1", "cell2", "cell3")


def test_bad_steps_are_refused_naming_the_state_and_action():
    with pytest.raises(InvalidParameterError, match=r"step\(0, 'go'\) returned probabilities"):
        from_simulator(0, ["go"], lambda s, a: {1: 0.5, 2: 0.4})
    with pytest.raises(InvalidParameterError, match=r"step\('x', 'go'\) returned probabilities"):
        from_simulator(
            0, ["go"], lambda c, a: (c + 1, np.full((c.size, 1), 0.7), None),
            vectorized=True, label=lambda c: "x",
        )  # fmt: skip
    with pytest.raises(InvalidParameterError, match=r"returned the code -1; codes must lie"):
        from_simulator(0, ["go"], lambda c, a: c - 1, vectorized=True)
    with pytest.raises(InvalidParameterError, match=r"shape \(1,\) or \(1, k\) for 1 states"):
        from_simulator(0, ["go"], lambda c, a: np.zeros((2, 1), int), vectorized=True)
    with pytest.raises(InvalidParameterError, match="must return integer codes; got float64"):
        from_simulator(0, ["go"], lambda c, a: c + 0.5, vectorized=True)
    with pytest.raises(InvalidTypeError, match="is not hashable"):
        from_simulator(0, ["go"], lambda s, a: [s])
    with pytest.raises(InvalidTypeError, match="`start` must be an int code"):
        from_simulator("a", ["go"], lambda c, a: c, vectorized=True)
    with pytest.raises(InvalidParameterError, match="`actions` repeats an action"):
        from_simulator(0, ["go", "go"], lambda s, a: s)
    with pytest.raises(InvalidParameterError, match="returned no successors"):
        from_simulator(0, ["go"], lambda s, a: {})
    with pytest.raises(InvalidParameterError, match="a pair is \\(next, done\\)"):
        from_simulator(0, ["go"], lambda c, a: (c[:, None] + 1, np.ones((c.size, 1))),
                       vectorized=True)  # fmt: skip


def test_worlds_over_the_limits_are_refused_before_the_mdp_is_built():
    def count(codes, action):
        return codes + 1  # an endless line

    with pytest.raises(SearchLimitError, match="more than `max_states` = 100 reachable states"):
        from_simulator(0, ["go"], count, vectorized=True, max_states=100)
    budget = 1000 * simulator_bytes_per_state(1)
    with pytest.raises(SearchLimitError, match=r"needs more than `memory`.*1001 states found"):
        from_simulator(0, ["go"], count, vectorized=True, memory=budget)


def test_a_deep_wide_lattice_keeps_every_index_right():
    """A 40 x 40 lattice: 79 layers, so the known codes live in several sorted runs
    that merge as they grow; every transition must still point at the right state."""
    side = 40

    def step(codes, action):
        row, col = np.divmod(codes, side)
        if action == 0:
            row = np.minimum(row + 1, side - 1)
        elif action == 1:
            col = np.minimum(col + 1, side - 1)
        else:
            row = np.maximum(row - 1, 0)
        return row * side + col

    mdp = from_simulator(0, ["down", "right", "up"], step, vectorized=True,
                         label=lambda c: divmod(c, side))  # fmt: skip
    assert mdp.n_states == side * side
    rng = np.random.default_rng(0)
    for k in rng.integers(0, side * side, 50):
        r, c = divmod(int(k), side)
        assert mdp.transition((r, c), "down") == {(min(r + 1, side - 1), c): 1.0}
        assert mdp.transition((r, c), "right") == {(r, min(c + 1, side - 1)): 1.0}
        assert mdp.transition((r, c), "up") == {(max(r - 1, 0), c): 1.0}


def test_a_compiled_world_saves_as_node_link_json(tmp_path):
    from powerseek.io import read, write

    def walk(cell, action):
        return (cell + 1, cell == 2) if action == "right" else max(cell - 1, 0)

    mdp = from_simulator(0, ["left", "right"], walk)
    write(mdp, tmp_path / "corridor.json")
    back = read(tmp_path / "corridor.json")
    # Ended(3) is read back as the tuple (3,), which it equals: the same world
    assert back.same_dynamics(mdp)
    assert back.terminal_states() == ((3,),) and not isinstance(back.states[-1], Ended)


def test_the_memory_budget_can_be_set_for_load_and_the_command_line(monkeypatch, capsys):
    from powerseek import load
    from powerseek.cli import main
    from powerseek.mdp import default_memory

    monkeypatch.delenv("POWERSEEK_MEMORY", raising=False)
    assert default_memory() == 4 * 2**30
    for text, value in (("8e9", 8e9), ("6GiB", 6 * 2**30), ("500 MB", 5e8), ("1024", 1024.0)):
        monkeypatch.setenv("POWERSEEK_MEMORY", text)
        assert default_memory() == value
    monkeypatch.setenv("POWERSEEK_MEMORY", "20000")  # too little for aup-box's 60 states
    with pytest.raises(SearchLimitError, match="POWERSEEK_MEMORY"):
        load("aup-box")
    assert main(["show", "aup-box"]) == 1
    assert "the environment variable POWERSEEK_MEMORY" in capsys.readouterr().err
    monkeypatch.setenv("POWERSEEK_MEMORY", "100000")
    assert load("aup-box").n_states == 60
    for bad in ("lots", "-1", "0", "8 TB", "nan"):
        monkeypatch.setenv("POWERSEEK_MEMORY", bad)
        with pytest.raises(InvalidParameterError, match="POWERSEEK_MEMORY must be a positive"):
            default_memory()
