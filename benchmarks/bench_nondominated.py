"""Non-domination (F_nd, Def 3.6): constraint generation vs one full LP per row.

`powerseek check` on a two-room gridworld spends nearly all its time deciding which of
thousands of visit distributions are non-dominated. The naive test solves, for every
row, the vertex LP over all the other rows; powerseek's (`visits.nondominated_vectors`)
proves most rows vertices or interior without an LP (random directions, a convex
combination by non-negative least squares) and solves the rest over a few generated
constraints. Both run side by side here on the same rows, and must agree exactly.

    python benchmarks/bench_nondominated.py [--naive-rows N]

The naive method is timed on the first N rows (default 400) and scaled to all of them;
it costs the same per row whatever the order.
"""

import argparse
import time

import machine
import numpy as np

from powerseek import gridworld
from powerseek.visits._functions import ND_GAMMA, nondominated_vectors, visit_distributions

ROOMS = {
    "two rooms, 21 cells": "#######\n#...#.#\n#..#..#\n#.....#\n#..#..#\n#..#..#\n#######\n",
    "two rooms, 23 cells": "#######\n#.....#\n#..#..#\n#.....#\n#..#..#\n#.....#\n#######\n",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-rows", type=int, default=400)
    args = parser.parse_args()
    print(machine.describe())
    for name, text in ROOMS.items():
        mdp = gridworld.parse(text)
        functions = visit_distributions(mdp, (5, 4))
        X = np.array([f.at(ND_GAMMA) for f in functions])
        start = time.perf_counter()
        ours = nondominated_vectors(X)
        fast = time.perf_counter() - start
        rows = min(args.naive_rows, len(X))
        start = time.perf_counter()
        naive_part = _naive_rows(X, rows)
        naive = (time.perf_counter() - start) * len(X) / rows
        agree = [i for i in ours.tolist() if i < rows] == naive_part
        print(
            f"{name}: F((5, 4)) has {len(X)} functions, {len(ours)} non-dominated; "
            f"powerseek {fast:.1f} s, one LP per row {naive:.0f} s (from {rows} rows): "
            f"{naive / fast:.0f}x; same rows: {agree}"
        )


def _naive_rows(X: np.ndarray, rows: int) -> list[int]:
    """The naive test of the first `rows` rows: each one LP against all the others."""
    from scipy.optimize import linprog

    k, d = X.shape
    scale = max(float(np.abs(X).max()), 1e-300)
    keep = []
    for i in range(rows):
        others = np.delete(X, i, axis=0)
        A = np.hstack([others - X[i], np.ones((k - 1, 1))])
        c = np.zeros(d + 1)
        c[-1] = -1.0
        bounds = [(-1.0, 1.0)] * d + [(None, 2.0 * scale)]
        result = linprog(c, A_ub=A, b_ub=np.zeros(k - 1), bounds=bounds, method="highs")
        if -result.fun > 1e-9 * scale:
            keep.append(i)
    return keep


if __name__ == "__main__":
    main()
