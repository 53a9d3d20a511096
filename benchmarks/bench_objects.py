"""Object levels: compiling the side-effects Sokoban levels, against a plain enumeration.

For each level, in a fresh process (so that its peak resident memory is its own):

- ``ObjectLevel.compile`` (packed codes, one numpy step per frontier and action): CPU
  seconds, peak memory, bytes per state;
- the plain enumeration of the test suite (tests/mdp/test_objects.py): one Python
  tuple per state, a dict of seen states, one step at a time; the same states.

The ratio of the two CPU times is printed side by side. ``--power`` also times POWER
of every state of level 1 at γ = 0.99 (``--samples``, default 200; CPU and wall
seconds, on every core), and then, on one thread and the same ``--compare`` reward
samples (default 4), policy iteration component by component (what ``power`` runs
on this level) against the whole-world compiled solve, with the ratio of CPU times
and the largest difference between their values.

    python benchmarks/bench_objects.py                 # levels 2 and 1
    python benchmarks/bench_objects.py --quick         # level 2 only
    python benchmarks/bench_objects.py --all           # and level 3 (over 4 GiB)
    python benchmarks/bench_objects.py --power         # and POWER on level 1
"""

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, "tests")
from powerseek.io import catalog_path, parse_level
from powerseek.mdp import Ended

name, how = sys.argv[1], sys.argv[2]
path = catalog_path() / f"{name}.level"
level = parse_level(path.read_text(), str(path), name)
start = time.process_time()
if how == "packed":
    mdp = level.compile(memory=8 * 2**30)
    states = len({(s.agent, s.boxes, s.coins) for s in mdp.states if not isinstance(s, Ended)})
    n = mdp.n_states
elif how == "plain":
    from mdp.test_objects import _plain_enumeration
    seen, ends = _plain_enumeration(level)
    states, n = len(seen), len(seen) + len(ends)
cpu = time.process_time() - start
out = {"cpu": cpu, "states": states, "n": n,
       "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
if how == "packed" and len(sys.argv) > 3:
    import powerseek
    import numpy as np
    from powerseek.solvers._compiled import policy_iteration
    samples, compare = int(sys.argv[3]), int(sys.argv[4])
    t, wall = time.process_time(), time.perf_counter()
    result = powerseek.power(mdp, 0.99, n_samples=samples, rng=0)
    out["power_cpu"] = time.process_time() - t
    out["power_wall"] = time.perf_counter() - wall
    out["power_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["solver"] = str(result.solver)
    RT = np.random.default_rng(1).random((mdp.n_states, compare))
    solved = {}
    for parts in (True, False):
        t = time.process_time()
        solved[parts] = policy_iteration(mdp, RT, 0.99, 0.0, 1000, None, threads=1,
                                         components=parts)
        out[f"solve_cpu_{parts}"] = time.process_time() - t
    out["solve_gap"] = float(np.abs(solved[True].values - solved[False].values).max())
    out["solve_bound"] = max(s.bound for s in solved.values()) / (1 - 0.99)
print(json.dumps(out))
"""


def run(*argv):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, argv)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="level 2 only")
    parser.add_argument("--all", action="store_true", help="also level 3")
    parser.add_argument("--power", action="store_true", help="also POWER on level 1")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--compare", type=int, default=4, help="samples of the side-by-side solve")
    args = parser.parse_args()
    levels = ["side-effects-sokoban-2"] + ([] if args.quick else ["side-effects-sokoban-1"])
    levels += ["side-effects-sokoban-3"] if args.all else []
    print(f"{'level':<24} {'states':>10} {'packed CPU s':>12} {'GiB':>6} {'B/state':>8} "
          f"{'plain CPU s':>11} {'GiB':>6} {'CPU ratio':>9}")  # fmt: skip
    for name in levels:
        packed = run(
            name,
            "packed",
            *([args.samples, args.compare] if args.power and name.endswith("-1") else []),
        )
        plain = run(name, "plain")
        assert packed["states"] == plain["states"], (packed, plain)
        print(
            f"{name:<24} {packed['n']:>10,} {packed['cpu']:>12.1f} {packed['peak'] / 2**30:>6.2f} "
            f"{packed['peak'] / packed['n']:>8.0f} {plain['cpu']:>11.1f} "
            f"{plain['peak'] / 2**30:>6.2f} {plain['cpu'] / packed['cpu']:>9.2f}"
        )
        if "power_cpu" in packed:
            print(
                f"  POWER at gamma 0.99, {args.samples} samples: {packed['power_cpu']:.0f} s CPU, "
                f"{packed['power_wall']:.0f} s wall, peak {packed['power_peak'] / 2**30:.2f} GiB "
                f"({packed['solver']})"
            )
            parts, whole = packed["solve_cpu_True"], packed["solve_cpu_False"]
            print(
                f"  {args.compare} samples on one thread: by components {parts:.1f} s CPU, "
                f"whole world {whole:.1f} s CPU, ratio {whole / parts:.1f}; values differ by "
                f"{packed['solve_gap']:.1e} (bound {packed['solve_bound']:.1e})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
