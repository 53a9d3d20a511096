"""Object levels: compiling the side-effects Sokoban levels, against a plain enumeration.

For each level, in a fresh process (so that its peak resident memory is its own):

- ``ObjectLevel.compile`` (packed codes, one numpy step per frontier and action): CPU
  seconds, peak memory, bytes per state;
- the plain enumeration of the test suite (tests/mdp/test_objects.py): one Python
  tuple per state, a dict of seen states, one step at a time; the same states.

The ratio of the two CPU times is printed side by side. ``--power`` also times POWER
of every state of level 1 at γ = 0.99 (``--samples``, default 200).

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
    samples = int(sys.argv[3])
    t = time.process_time()
    result = powerseek.power(mdp, 0.99, n_samples=samples, rng=0)
    out["power_cpu"] = time.process_time() - t
    out["power_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["solver"] = str(result.solver)
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
    args = parser.parse_args()
    levels = ["side-effects-sokoban-2"] + ([] if args.quick else ["side-effects-sokoban-1"])
    levels += ["side-effects-sokoban-3"] if args.all else []
    print(f"{'level':<24} {'states':>10} {'packed CPU s':>12} {'GiB':>6} {'B/state':>8} "
          f"{'plain CPU s':>11} {'GiB':>6} {'CPU ratio':>9}")  # fmt: skip
    for name in levels:
        packed = run(
            name, "packed", *([args.samples] if args.power and name.endswith("-1") else [])
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
                f"peak {packed['power_peak'] / 2**30:.2f} GiB ({packed['solver']})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
