"""Start-up cost of the command line, as a ratio against importing numpy and scipy.sparse.

A command that only parses its arguments (`powerseek --help`) or reads one catalog file
(`powerseek show turner-fig1`) should cost about what the libraries it stands on cost to
import. Each case runs as a fresh interpreter, the cases interleaved so that the machine's
noise hits them alike; the figure is the median CPU time (user + system) of the child
processes, and the ratio is against the baseline measured in the same run.

    python benchmarks/bench_startup.py [--repeats N] [--source DIR]

`--source DIR` measures the powerseek package found in DIR instead of the installed one
(for example a checkout of an earlier commit), so before and after compare side by side.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

import machine

CASES = {
    "baseline: import numpy, scipy.sparse": ["-c", "import numpy, scipy.sparse"],
    "import powerseek": ["-c", "import powerseek"],
    "powerseek --help": ["-m", "powerseek", "--help"],
    "powerseek show turner-fig1": ["-m", "powerseek", "show", "turner-fig1"],
    "powerseek power turner-fig1 --gamma 0.9": [
        "-m", "powerseek", "power", "turner-fig1", "--gamma", "0.9", "--samples", "100",
        "--seed", "0",
    ],
}  # fmt: skip


def cpu_seconds(arguments: list[str], env: dict[str, str], cwd: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, *arguments], env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--source", default=None, help="a folder holding the powerseek package")
    args = parser.parse_args()
    env = dict(os.environ)
    # `python -c` and `-m` put the working folder first on sys.path: run in the
    # source folder, or in an empty one for the installed package.
    cwd = os.path.abspath(args.source) if args.source else tempfile.mkdtemp()
    if args.source:
        env["PYTHONPATH"] = cwd
    for arguments in CASES.values():  # warm the file cache
        cpu_seconds(arguments, env, cwd)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.repeats):
        for name, arguments in CASES.items():
            times[name].append(cpu_seconds(arguments, env, cwd))
    print(machine.describe())
    print(f"powerseek from: {args.source or 'the installed package'}; {args.repeats} runs each")
    baseline = statistics.median(times["baseline: import numpy, scipy.sparse"])
    print(f"{'case':44s} {'CPU s (median)':>15s} {'x baseline':>11s}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:44s} {median:15.3f} {median / baseline:11.2f}")


if __name__ == "__main__":
    main()
