"""Compiling a simulator: a 5-million-state world in one process, CPU time and peak memory.

The world is one-box Sokoban in an open square room: the agent moves up, down,
left or right or waits, and pushes the box when it walks into it and the cell
beyond is in the room. A state is (agent cell, box cell), packed as one integer;
in a 48 x 48 room that is 2,304 x 2,303 = 5,306,112 reachable states, stepped a
whole frontier at a time.
Each size runs in a fresh process so that its peak resident memory is its own.
The per-state cost is compared with the same compiler on Python states
(``vectorized=False``) on a smaller world, and with building the MDP alone
(``MDP.from_arrays``) from the finished arrays.

    python benchmarks/bench_simulator.py            # 5.3M states
    python benchmarks/bench_simulator.py --quick    # a 16 x 16 room
"""

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import numpy as np
from powerseek.mdp import from_simulator

side, vectorized = int(sys.argv[1]), sys.argv[2] == "1"
cells = side * side
MOVES = np.array([(-1, 0), (1, 0), (0, -1), (0, 1), (0, 0)])

def step(codes, action):
    agent, box = np.divmod(codes, cells)
    (ar, ac), (br, bc) = np.divmod(agent, side), np.divmod(box, side)
    dr, dc = MOVES[action]
    tr, tc = ar + dr, ac + dc
    inside = (tr >= 0) & (tr < side) & (tc >= 0) & (tc < side)
    pushes = inside & (tr == br) & (tc == bc) & (action < 4)
    pr, pc = br + dr, bc + dc
    can_push = pushes & (pr >= 0) & (pr < side) & (pc >= 0) & (pc < side)
    moves = inside & (~pushes | can_push)
    agent = np.where(moves, tr * side + tc, agent)
    box = np.where(can_push, pr * side + pc, box)
    return agent * cells + box

def label(code):
    agent, box = divmod(code, cells)
    return (divmod(agent, side), divmod(box, side))

def scalar(state, action):
    code = (state[0][0] * side + state[0][1]) * cells + state[1][0] * side + state[1][1]
    return label(int(step(np.array([code]), action)[0]))

actions = list(range(5))
first = (side // 2) * cells + (side // 2) * side + side // 2 + 1  # agent mid-room, box beside
start = time.process_time()
if vectorized:
    mdp = from_simulator(first, actions, step, vectorized=True, label=label)
else:
    mdp = from_simulator(label(first), actions, scalar)
cpu = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"states": mdp.n_states, "pairs": mdp.n_pairs, "cpu": cpu, "peak": peak}))
"""


def run(side: int, vectorized: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(side), "1" if vectorized else "0"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def main() -> None:
    quick = "--quick" in sys.argv
    big = run(16 if quick else 48, True)
    small_packed = run(10, True)
    small_python = run(10, False)
    print(f"packed codes, {big['states']:,} states, {big['pairs']:,} pairs:")
    print(
        f"  CPU {big['cpu']:.1f} s ({1e6 * big['cpu'] / big['states']:.1f} µs per state), "
        f"peak {big['peak'] / 2**30:.2f} GiB ({big['peak'] / big['states']:.0f} bytes per state)"
    )
    ratio = (small_python["cpu"] / small_python["states"]) / (
        small_packed["cpu"] / small_packed["states"]
    )
    print(
        f"{small_packed['states']:,} states: packed {small_packed['cpu']:.2f} s, "
        f"Python states {small_python['cpu']:.2f} s CPU ({ratio:.1f}x the packed cost per state)"
    )


if __name__ == "__main__":
    main()
