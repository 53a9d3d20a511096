"""POWER of two agents with correlated rewards (POWERplay's "with reward" experiments).

Agent H's reward R_H is drawn from an IID distribution D over joint states;
agent A's reward is correlated with it with correlation c in [−1, 1]: per
state, with probability |c| it is R_H(s) (c ≥ 0) or its reflection
lo + hi − R_H(s) about the middle of D's support (c < 0, symmetric D only), and
otherwise an independent draw from D. Per reward sample (theory.md D.7):

1. H's optimal policy against A's seed policy;
2. A's optimal policy against H's policy; POWER_A from A's optimal values,
   (1 − γ_A)·max_{a_A} E V*_A(s');
3. POWER_H from the exact evaluation of H's policy against A's response:
   (1 − γ_H)·E V_H(s') under the joint process.

Ties split uniformly over the tied optimal actions, as POWERplay does (a tie
is an action within ``tie_tol``·max|R|/(1 − γ) of the best; with continuous
rewards ties have probability 0). Every γ_A and γ_H solve is value iteration
to a certified bound (no relative stopping rule), batched over samples. All
correlations share the same samples: the same R_H, the same independent draws
and the same coin flips per state (common random numbers), so differences
between correlations are estimated without the noise of separate runs.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._display import compact_repr
from .._progress import progress_bar
from .._validation import check_gamma, label_text, make_rng
from ..exceptions import ConvergenceWarning, InvalidParameterError, InvalidTypeError
from ..frames import Tabular, attrs_of, data_frame
from ..mdp import MDP
from ..rewards import IID, Estimate
from ..solvers import expected_next, segment_max, solve
from ._model import JointMDP
from ._policies import induced_mdp
from ._power import resolve_policy

__all__ = ["CorrelationSweepResult", "correlated_rewards", "correlation_sweep"]

#: Bound on (1 − γ)·‖V − V*‖∞ of the batched value iterations.
TOLERANCE = 1e-10
#: Samples drawn from one random stream (so a seed gives the same rewards whatever
#: the pieces they are solved in, :func:`solve_rows`).
BATCH = 500
#: Joint-pair values per working array of a piece of a batch: the solves gather
#: along the pair axis of (n_pairs, rows) arrays, fastest while those stay near the
#: cache (measured on the 7x7 maze's 9,409 joint pairs: 2^16 to 2^21 numbers all
#: within 10% of each other, whole 500-sample batches 1.6x slower).
PIECE_NUMBERS = 2**20


def solve_rows(mdp) -> int:
    """Samples solved together: a piece of a batch whose (n_pairs, rows) arrays fit in cache.

    Parameters
    ----------
    mdp : MDP
        The joint world's MDP.

    Returns
    -------
    int
        Between 8 and :data:`BATCH`.

    Examples
    --------
    >>> from powerseek import load
    >>> solve_rows(load("powerplay-joint-3x3"))        # 81 joint states
    500
    >>> solve_rows(load("powerplay-joint-maze-7x7"))   # 961 joint states, 9,409 pairs
    111
    """
    return max(8, min(BATCH, PIECE_NUMBERS // max(1, mdp.n_pairs)))


#: Batches of samples whose means give the jackknife error of the POWER correlation.
JACKKNIFE_GROUPS = 20


def _symmetric_support(dist: Any) -> tuple[float, float] | None:
    """(lo, hi) of a symmetric bounded scipy distribution, else None."""
    lo, hi = (float(x) for x in dist.support())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    q = np.array([0.05, 0.2, 0.35, 0.5])
    if np.allclose(dist.ppf(q) + dist.ppf(1 - q), lo + hi, rtol=0, atol=1e-12 * (hi - lo + 1)):
        return lo, hi
    return None


def correlated_rewards(R, independent, coins, c: float, support=None):
    """A's rewards: per entry R (c ≥ 0) or its reflection (c < 0) if coin < |c|, else independent.

    Parameters
    ----------
    R, independent, coins : numpy.ndarray, same shape
        H's rewards, independent draws from the same distribution, and
        uniforms on [0, 1).
    c : float in [−1, 1]
        The correlation in [−1, 1].
    support : (lo, hi), optional
        Needed for c < 0: the reflection is lo + hi − R.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> R = np.array([0.1, 0.2, 0.3]); other = np.array([0.9, 0.8, 0.7])
    >>> coins = np.array([0.1, 0.6, 0.9])
    >>> correlated_rewards(R, other, coins, 0.5).tolist()
    [0.1, 0.8, 0.7]
    >>> correlated_rewards(R, other, coins, -0.7, (0.0, 1.0)).tolist()
    [0.9, 0.8, 0.7]
    """
    if c >= 0:
        copied = R
    else:
        if support is None:
            raise InvalidParameterError("a negative correlation needs the support (lo, hi).")
        copied = support[0] + support[1] - R
    return np.where(coins < abs(c), copied, independent)


class _Structure:
    """The joint world's pairs grouped by each agent's action, for batched solves."""

    def __init__(self, joint: JointMDP, acting: int) -> None:
        mdp = joint.mdp
        self.n = mdp.n_states
        self.T = mdp.transition_matrix
        own_group, other_group = [], []
        self.own_keys: list[tuple[int, Hashable]] = []
        other_keys: dict[tuple[int, Hashable], int] = {}
        own_index: dict[tuple[int, Hashable], int] = {}
        group_state = []
        for i in range(mdp.n_states):
            for action in mdp.actions[i]:
                key = (i, action[acting])
                if key not in own_index:
                    own_index[key] = len(self.own_keys)
                    self.own_keys.append(key)
                own_group.append(own_index[key])
                okey = (i, action[1 - acting])
                if okey not in other_keys:
                    other_keys[okey] = len(other_keys)
                    group_state.append(i)
                other_group.append(other_keys[okey])
        self.own_index = own_index
        self.own_group = np.asarray(own_group)
        self.other_group = np.asarray(other_group)
        pairs = mdp.n_pairs
        # groups of the responding agent's actions, sorted by state (first appearance)
        self.G = sp.csr_array(
            (np.ones(pairs), (self.other_group, np.arange(pairs))), shape=(len(other_keys), pairs)
        )
        self.group_state = np.asarray(group_state)
        self.group_offsets = np.searchsorted(self.group_state, np.arange(self.n))
        self.pair_states = np.asarray(mdp.pair_states)
        self.S = sp.csr_array(
            (np.ones(pairs), (self.pair_states, np.arange(pairs))), shape=(self.n, pairs)
        )
        self.states = mdp.states

    def seed_pairs(self, first_mdp: MDP) -> np.ndarray:
        """For each (state, own action) group, its pair in `first_mdp` (−1 where absent)."""
        out = np.full(len(self.own_keys), -1)
        for g, (i, action) in enumerate(self.own_keys):
            state = self.states[i]
            if action in first_mdp.actions_of(state):
                out[g] = first_mdp.pair_index(state, action)
        return out


def _iterate(update, V, gamma, tol, what):
    """Value iteration V <- update(V) to γ‖ΔV‖ ≤ tol·max|R|/(1−γ) on the (1−γ)V scale."""
    for _ in range(100_000):
        new = update(V)
        change = float(np.abs(new - V).max()) if V.size else 0.0
        V = new
        if gamma * change <= tol:
            return V, gamma * change
    import warnings

    warnings.warn(f"{what} did not converge.", ConvergenceWarning, stacklevel=3)
    return V, gamma * change


@compact_repr
@dataclass(frozen=True)
class CorrelationSweepResult(Tabular):
    """POWER of both agents at every joint state, for each reward correlation.

    Attributes
    ----------
    states : tuple
    agents : tuple of two str
        The first is H (its reward R_H is drawn), the second A (correlated).
    correlations : tuple of float
    gamma, gamma_other : float
        γ_H and γ_A.
    power_first, power_second : tuple of Estimate
        POWER_H and POWER_A per correlation, one entry per joint state.
    power_correlation : numpy.ndarray, shape (n_correlations,)
        Pearson correlation across joint states between POWER_H and POWER_A.
    power_correlation_stderr : numpy.ndarray
        Its jackknife standard error over batches of samples.
    provenance : dict
    """

    states: tuple
    agents: tuple
    correlations: tuple
    gamma: float
    gamma_other: float
    power_first: tuple
    power_second: tuple
    power_correlation: np.ndarray
    power_correlation_stderr: np.ndarray
    provenance: dict

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``powerseek multiagent correlation`` (docs/cli.md)."""
        h, a = self.agents
        return {
            "environment": self.provenance["environment"],
            "gamma": self.gamma,
            "gamma_other": self.gamma_other,
            "n_samples": self.provenance["n_samples"],
            "seed": self.provenance["seed"],
            "distribution": self.provenance["distribution"],
            "states": [label_text(s) for s in self.states],
            "correlation": list(self.correlations),
            f"power_{h}": [e.mean.tolist() for e in self.power_first],
            f"stderr_{h}": [e.stderr.tolist() for e in self.power_first],
            f"power_{a}": [e.mean.tolist() for e in self.power_second],
            f"stderr_{a}": [e.stderr.tolist() for e in self.power_second],
            "power_correlation": self.power_correlation.tolist(),
            "power_correlation_stderr": self.power_correlation_stderr.tolist(),
        }

    def to_frame(self):
        """One row per correlation, agent and joint state (tidy; :mod:`powerseek.frames`).

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        rows = {"correlation": [], "agent": [], "state": [], "value": [], "stderr": []}
        rows.update(ci_low=[], ci_high=[])
        for c, first, second in zip(self.correlations, self.power_first, self.power_second):
            for agent, estimate in zip(self.agents, (first, second)):
                n = len(self.states)
                rows["correlation"] += [c] * n
                rows["agent"] += [agent] * n
                rows["state"] += [label_text(s) for s in self.states]
                rows["value"] += estimate.mean.tolist()
                rows["stderr"] += estimate.stderr.tolist()
                rows["ci_low"] += estimate.ci_low.tolist()
                rows["ci_high"] += estimate.ci_high.tolist()
        columns = {"quantity": "power", "gamma": self.gamma, **rows}
        return columns, attrs_of(self.provenance, gamma_other=self.gamma_other)


def correlation_sweep(
    joint: JointMDP,
    correlations: Sequence[float],
    gamma: float,
    *,
    gamma_other: float | None = None,
    seed_policy: Any = "uniform",
    dist: Any = None,
    n_samples: int = 10_000,
    rng: Any = None,
    tie_tol: float = 1e-9,
    progress: bool | None = False,
) -> CorrelationSweepResult:
    """POWER_H and POWER_A of every joint state for each reward correlation (module notes).

    This sweep runs its own sample loop rather than :func:`powerseek.analysis.engine.run`:
    A's reward is drawn from H's, sample by sample, for every correlation on the same
    draws; each sample needs two solves in sequence (H against A's seed policy, then A's
    best response), not one optimal-value solve per γ; and the standard error of the
    correlation between the agents' POWER is a jackknife over groups of samples, not a
    per-sample mean's.

    Parameters
    ----------
    joint : JointMDP
        Its first agent is H, the second A.
    correlations : sequence of float in [−1, 1]
        Reward correlations in [−1, 1], one result column each.
    gamma : float in (0, 1)
        γ_H.
    gamma_other : float in (0, 1), optional
        γ_A (default `gamma`).
    seed_policy : str, path or mapping, default "uniform"
        A's seed policy, against which H's policy is optimal.
    dist : IID, optional
        The distribution of each state's reward (default uniform on [0, 1]).
    n_samples : int, default 10000
        The number of reward functions drawn.
    rng : int or numpy Generator, optional
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    tie_tol : float, default 1e-9
        Relative tolerance within which two values count as tied.
    progress : bool or None, default False
        A progress bar over the samples (None: only on a terminal).

    Returns
    -------
    CorrelationSweepResult

    See Also
    --------
    fixed_policy_power : One agent's POWER, the other's policy fixed.
    correlated_rewards : How the rewards are correlated.

    Examples
    --------
    >>> from powerseek.multiagent import joint_gridworld
    >>> joint = joint_gridworld("...", overlap=False)
    >>> result = correlation_sweep(joint, [-1, 0, 1], 0.6, n_samples=500, rng=0)
    >>> bool(np.allclose(result.power_first[2].mean, result.power_second[2].mean))   # c = 1
    True
    """
    if not isinstance(joint, JointMDP):
        raise InvalidTypeError(f"`joint` must be a JointMDP; got {type(joint).__name__}.")
    gamma_h = check_gamma(gamma)
    gamma_a = gamma_h if gamma_other is None else check_gamma(gamma_other, "gamma_other")
    for g, name in ((gamma_h, "gamma"), (gamma_a, "gamma_other")):
        if not 0.0 < g < 1.0:
            raise InvalidParameterError(f"`{name}` must be in (0, 1) here; got {g!r}.")
    cs = tuple(float(c) for c in np.atleast_1d(np.asarray(correlations, dtype=float)))
    if not cs:
        raise InvalidParameterError("`correlations` is empty.")
    bad = [c for c in cs if not -1.0 <= c <= 1.0]
    if bad:
        raise InvalidParameterError(f"correlations must be in [-1, 1]; got {bad[0]!r}.")
    dist = IID() if dist is None else dist
    if not isinstance(dist, IID):
        raise InvalidTypeError(
            f"`dist` must be an IID distribution (each state's reward drawn alike); got "
            f"{type(dist).__name__}."
        )
    support = _symmetric_support(dist.dist)
    if any(c < 0 for c in cs) and support is None:
        raise InvalidParameterError(
            f"a negative correlation reflects rewards about the middle of a symmetric bounded "
            f"distribution; {dist.describe()} is not one."
        )
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise InvalidParameterError(f"`n_samples` must be an integer ≥ 2; got {n_samples!r}.")
    h, a = joint.agents
    # the seed recorded is the one that reproduces the run: the caller's integer, or a draw
    seed = int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None
    if seed is None:
        seed = int(make_rng(rng).integers(2**63))
    seeds = np.random.SeedSequence(seed)
    first_mdp = induced_mdp(joint, h, resolve_policy(joint, a, seed_policy))
    structure = _Structure(joint, acting=0)
    own_to_seed = structure.seed_pairs(first_mdp)
    n = joint.mdp.n_states
    sums = np.zeros((len(cs), 2, n))
    squares = np.zeros((len(cs), 2, n))
    group_sums = np.zeros((JACKKNIFE_GROUPS, len(cs), 2, n))
    group_counts = np.zeros(JACKKNIFE_GROUPS)
    rows = solve_rows(joint.mdp)
    done = 0
    with progress_bar(progress, total=n_samples, desc="correlation sweep") as bar:
        for child in seeds.spawn(math.ceil(n_samples / BATCH)):
            m = min(BATCH, n_samples - done)
            gen = np.random.default_rng(child)
            R = dist._draw(gen, m, joint.states)  # (m, n)
            independent = dist._draw(gen, m, joint.states)
            coins = gen.random((m, n))
            for lo in range(0, m, rows):  # cache-sized pieces of the batch
                hi = min(m, lo + rows)
                piece_h = R[lo:hi]
                policy_h = _first_policy(
                    first_mdp, structure, own_to_seed, piece_h, gamma_h, tie_tol
                )
                groups = (np.arange(done + lo, done + hi) * JACKKNIFE_GROUPS) // n_samples
                for k, c in enumerate(cs):
                    RA = correlated_rewards(piece_h, independent[lo:hi], coins[lo:hi], c, support)
                    power_h, power_a = _respond(
                        structure, policy_h, piece_h, RA, gamma_h, gamma_a, tie_tol
                    )
                    for j, values in enumerate((power_h, power_a)):
                        sums[k, j] += values.sum(axis=0)
                        squares[k, j] += (values**2).sum(axis=0)
                        np.add.at(group_sums[:, k, j], groups, values)
                group_counts += np.bincount(groups, minlength=JACKKNIFE_GROUPS)
            done += m
            bar.update(m)
    means = sums / done
    variances = np.maximum(squares / done - means**2, 0.0) * done / (done - 1)
    stderr = np.sqrt(variances / done)
    estimates = [
        [Estimate(means[k, j], stderr[k, j], done, "monte carlo") for j in range(2)]
        for k in range(len(cs))
    ]
    corr, corr_se = _jackknife_correlation(group_sums, group_counts)
    provenance = {
        "environment": joint.name,
        "n_samples": done,
        "seed": seed,
        "distribution": dist.describe(),
        "sampling": "monte carlo",
        "seed_policy": seed_policy if isinstance(seed_policy, str) else "given",
        "agents": list(joint.agents),
    }
    return CorrelationSweepResult(
        joint.states,
        joint.agents,
        cs,
        gamma_h,
        gamma_a,
        tuple(e[0] for e in estimates),
        tuple(e[1] for e in estimates),
        corr,
        corr_se,
        provenance,
    )


def _first_policy(first_mdp, structure, own_to_seed, R, gamma, tie_tol):
    """(own groups, m) weights: H's optimal policy against the seed, ties split evenly."""
    result = solve(first_mdp, R, gamma, tol=TOLERANCE)
    C = expected_next(first_mdp, result.values.T)  # (pairs of first_mdp, m)
    best = segment_max(C, first_mdp)
    scale = np.maximum(np.abs(R).max(axis=1), 1e-300) / (1 - gamma)
    optimal = (
        best[first_mdp.pair_states] - tie_tol * scale - 2 * result.error_bound / (1 - gamma) <= C
    )
    counts = np.add.reduceat(optimal.astype(float), first_mdp.pair_offsets[:-1], axis=0)
    weights = optimal / counts[first_mdp.pair_states]
    out = np.zeros((len(own_to_seed), R.shape[0]))
    present = own_to_seed >= 0
    out[present] = weights[own_to_seed[present]]
    return out


def _respond(structure, policy_h, RH, RA, gamma_h, gamma_a, tie_tol):
    """POWER_H and POWER_A per sample, (m, n) each, for one correlation."""
    T, G, S = structure.T, structure.G, structure.S
    w = policy_h[structure.own_group]  # (pairs, m): H's probability of each joint pair's a_H
    norm = G @ w  # (groups of A, m)
    available = norm > 0
    safe = np.where(available, norm, 1.0)
    RA_T, RH_T = np.ascontiguousarray(RA.T), np.ascontiguousarray(RH.T)
    starts = structure.group_offsets

    def a_values(V):
        Q = (G @ (w * (T @ V))) / safe
        return np.where(available, Q, -np.inf)

    def a_update(V):
        return RA_T + gamma_a * np.maximum.reduceat(a_values(V), starts, axis=0)

    VA, _ = _iterate(a_update, RA_T / (1 - gamma_a), gamma_a, TOLERANCE, "A's value iteration")
    QA = a_values(VA)
    bestA = np.maximum.reduceat(QA, starts, axis=0)
    scale = np.maximum(np.abs(RA_T).max(axis=0), 1e-300) / (1 - gamma_a)
    optimal = available & (bestA[structure.group_state] - tie_tol * scale <= QA)
    countsA = np.add.reduceat(optimal.astype(float), starts, axis=0)
    piA = optimal / countsA[structure.group_state]  # (groups, m)
    weight = piA[structure.other_group] * w / safe[structure.other_group]  # joint pairs

    def h_update(V):
        return RH_T + gamma_h * (S @ (weight * (T @ V)))

    VH, _ = _iterate(h_update, RH_T / (1 - gamma_h), gamma_h, TOLERANCE, "H's evaluation")
    power_h = (1 - gamma_h) * (S @ (weight * (T @ VH)))
    power_a = (1 - gamma_a) * bestA
    return power_h.T, power_a.T


def _jackknife_correlation(group_sums, group_counts):
    """Correlation across states of the mean POWERs, and its jackknife error over groups."""
    from scipy import stats

    used = group_counts > 0
    sums, counts = group_sums[used], group_counts[used]
    total = sums.sum(axis=0) / counts.sum()  # (c, 2, n)

    def corr(means):
        x, y = means[:, 0], means[:, 1]
        out = np.empty(len(x))
        for k in range(len(x)):
            if np.std(x[k]) == 0 or np.std(y[k]) == 0:
                out[k] = np.nan
            else:
                out[k] = stats.pearsonr(x[k], y[k]).statistic
        return out

    full = corr(total)
    g = len(counts)
    if g < 2:
        return full, np.full_like(full, np.nan)
    leave = np.array(
        [corr((sums.sum(axis=0) - sums[i]) / (counts.sum() - counts[i])) for i in range(g)]
    )
    se = np.sqrt((g - 1) / g * ((leave - leave.mean(axis=0)) ** 2).sum(axis=0))
    return full, se
