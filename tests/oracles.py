"""Slow but obviously correct reference computations for the tests."""

from __future__ import annotations

import itertools

import numpy as np

from powerseek import MDP


def rational_solve(rows: list[list]) -> list:
    """x with A x = b for the augmented rows [A | b] (Fractions), by Gauss–Jordan; A invertible."""
    rows = [list(row) for row in rows]
    n = len(rows)
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [x / rows[col][col] for x in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                rows[r] = [x - rows[r][col] * y for x, y in zip(rows[r], rows[col], strict=True)]
    return [row[-1] for row in rows]


def policies(mdp: MDP):
    """Every deterministic stationary policy, as a pair index per state."""
    ranges = [
        range(int(mdp.pair_offsets[i]), int(mdp.pair_offsets[i + 1])) for i in range(mdp.n_states)
    ]
    return [np.array(choice) for choice in itertools.product(*ranges)]


def policy_values(mdp: MDP, policy: np.ndarray, R: np.ndarray, gamma: float) -> np.ndarray:
    """V^π for reward rows R (n_samples, n_states) by a dense linear solve."""
    T = mdp.transition_matrix.toarray()[policy]
    return np.linalg.solve(np.eye(mdp.n_states) - gamma * T, R.T).T


def brute_force_values(mdp: MDP, R: np.ndarray, gamma: float) -> np.ndarray:
    """V* as the state-wise maximum over all deterministic policies (Lemma E.1)."""
    R = np.atleast_2d(np.asarray(R, dtype=float))
    return np.max([policy_values(mdp, p, R, gamma) for p in policies(mdp)], axis=0)


def brute_force_optimal_actions(mdp: MDP, R: np.ndarray, gamma: float, tol: float = 1e-9):
    """(n_samples, n_pairs) mask of actions whose Q-value is within tol of the best."""
    V = brute_force_values(mdp, R, gamma)
    T = mdp.transition_matrix.toarray()
    W = V @ T.T  # (n_samples, n_pairs): E V(s')
    best = np.maximum.reduceat(W, mdp.pair_offsets[:-1], axis=1)
    scale = np.maximum(np.abs(R).max(axis=1, keepdims=True), 1e-300)
    return best[:, mdp.pair_states] - tol * scale / max(1e-300, 1 - gamma) <= W


def simple_cycles_mean_gain(mdp: MDP, R: np.ndarray) -> np.ndarray:
    """For deterministic MDPs: best mean over simple cycles reachable from each state
    (networkx enumeration; exponential, for small graphs only)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(mdp.n_states))
    for k, j in enumerate(mdp.successor_indices):
        graph.add_edge(int(mdp.pair_states[k]), int(j))
    cycles = list(nx.simple_cycles(graph))
    R = np.atleast_2d(np.asarray(R, dtype=float))
    out = np.full(R.shape, -np.inf)
    for i in range(mdp.n_states):
        reach = nx.descendants(graph, i) | {i}
        for cycle in cycles:
            if cycle[0] in reach:
                out[:, i] = np.maximum(out[:, i], R[:, cycle].mean(axis=1))
    return out


def hull_vertices(X: np.ndarray, tol: float = 1e-9) -> list[int]:
    """Rows of `X` outside the convex hull of the other rows, by one full LP each.

    The direct form of Def E.9 (every constraint at once), without the
    constraint generation of :func:`powerseek.visits.nondominated_vectors`.
    """
    from scipy.optimize import linprog

    X = np.asarray(X, dtype=float)
    k, d = X.shape
    scale = max(float(np.abs(X).max()), 1e-300)
    keep = []
    for i in range(k):
        others = np.delete(X, i, axis=0)
        if len(others) == 0:
            return [0]
        A = np.hstack([others - X[i], np.ones((k - 1, 1))])
        c = np.zeros(d + 1)
        c[-1] = -1.0
        bounds = [(-1.0, 1.0)] * d + [(None, 2.0 * scale)]
        result = linprog(c, A_ub=A, b_ub=np.zeros(k - 1), bounds=bounds, method="highs")
        if -result.fun > tol * scale:
            keep.append(i)
    return keep


def policy_gains(mdp: MDP, policy: np.ndarray, R: np.ndarray) -> np.ndarray:
    """The average reward g^π = P* r of a stationary policy, rows of R (n_samples, n_states).

    P* = lim_{γ→1} (1 − γ)(I − γP)^{-1} = A(γ) − (1 − γ)H + O((1 − γ)²); Richardson
    extrapolation from γ = 1 − 1e-6 and 1 − 2e-6 removes the first-order term, leaving an
    error near 1e-10 (dense solves, no shared code with the library's limits).
    """
    P = mdp.transition_matrix.toarray()[policy]
    n = mdp.n_states

    def scaled_resolvent(eps):
        return eps * np.linalg.inv(np.eye(n) - (1 - eps) * P)

    P_star = 2 * scaled_resolvent(1e-6) - scaled_resolvent(2e-6)
    return np.atleast_2d(R) @ P_star.T


def brute_force_power_at_one(mdp: MDP, R: np.ndarray) -> np.ndarray:
    """POWER(s, γ → 1) = max_a E_{s' ~ T(s, a)} g*(s'), with g* the state-wise best gain
    over every deterministic stationary policy (n_samples, n_states)."""
    R = np.atleast_2d(np.asarray(R, dtype=float))
    g_star = np.max([policy_gains(mdp, p, R) for p in policies(mdp)], axis=0)
    W = g_star @ mdp.transition_matrix.toarray().T  # (n_samples, n_pairs)
    return np.maximum.reduceat(W, mdp.pair_offsets[:-1], axis=1)


def gridworld_by_cells(mdp: MDP):
    """A gridworld's actions and transition matrix rebuilt cell by cell from its layout
    (the straightforward loop; compared against the vectorised compiler)."""
    import scipy.sparse as sp

    layout = mdp.metadata["grid"]
    cells = list(mdp.states)
    index = {cell: i for i, cell in enumerate(cells)}
    marks = dict(layout.marks)
    moves = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
    back = {"up": "down", "down": "up", "left": "right", "right": "left"}
    blocked = set()  # a thin wall stops the move across it both ways
    for (r, c), d in layout.walls:
        blocked |= {((r, c), d), ((r + moves[d][0], c + moves[d][1]), back[d])}
    actions, rows, cols, vals, pair = [], [], [], [], 0
    for i, (r, c) in enumerate(cells):
        if marks.get((r, c), ".").isupper() and marks[(r, c)] != "S":
            labels, targets = ("stay",), [i]
        else:
            labels, targets = [], []
            for action in ("up", "down", "left", "right"):
                target = index.get((r + moves[action][0], c + moves[action][1]))
                if ((r, c), action) in blocked:
                    target = None
                if target is not None:
                    labels.append(action)
                    targets.append(target)
                elif layout.bump == "stay":
                    labels.append(action)
                    targets.append(i)
            if layout.stay:
                labels.append("stay")
                targets.append(i)
        actions.append(tuple(labels))
        k = len(targets)
        for target in targets:
            if layout.noise > 0.0 and k > 1:
                rows.extend([pair] * k)
                cols.extend(targets)
                vals.extend([layout.noise / k] * k)
            rows.append(pair)
            cols.append(target)
            vals.append(1.0 - layout.noise if layout.noise > 0.0 and k > 1 else 1.0)
            pair += 1
    matrix = sp.coo_array(
        (np.asarray(vals), (np.asarray(rows), np.asarray(cols))), shape=(pair, len(cells))
    )
    return tuple(actions), matrix.tocsr()


def assert_verified(check, may_be_inconclusive=("IID uniform",)):
    """Every verification of an applicable theorem check ran and passed.

    ``not report.failed`` also holds when a verification was not run or came out
    inconclusive (``passed is None``), so a verifier weakened to decide nothing would
    pass it. Only the IID margin, a sample-size question, may be inconclusive.
    """
    assert check.applies, check.theorem
    assert check.verifications, f"{check.theorem}: nothing was verified"
    for verification in check.verifications:
        if verification.name in may_be_inconclusive:
            assert verification.passed in (True, None), (check.theorem, verification.detail)
        else:
            assert verification.passed is True, (check.theorem, verification.name,
                                                  verification.detail)  # fmt: skip
