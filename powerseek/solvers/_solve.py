"""Batched optimal values V*_R for many reward samples at once.

For state rewards R (theory.md Def 3.5), V*(s) = R(s) + γ max_a E_{s'~T(s,a)} V*(s').
Every method solves ``n_samples`` reward vectors together, vectorised over the
sample axis, and each sample stops on its own criterion, so a sample's result
does not depend on the other samples in its batch.

Methods
-------
``"policy-iteration"`` (the default for deterministic MDPs, and for stochastic MDPs near γ = 1)
    Howard's policy iteration. On a deterministic MDP a policy is evaluated exactly by
    pointer doubling, V^π = Σ_t γ^t R(π^t(s)) in ⌈log2 H⌉ vectorised steps,
    H chosen so the truncated tail is below floating-point resolution: the
    number of doublings grows like log 1/(1−γ), not the cost like 1/(1−γ).
    A policy changes only where an action is better by more than
    floating-point noise, so iteration ends in a greedy policy; the
    certified bound comes from its Bellman residual. Without a warm start,
    value sweeps from V = R/(1−γ) come first, for a bounded number of sweeps
    (:func:`~powerseek.solvers._kernels.sweep_budget`): where every cell can
    stay they are exact after as many sweeps as the longest optimal path, and
    a sample they settle is certified by γ‖V_{k+1} − V_k‖∞. The loops run
    compiled with numba where it is installed
    (:mod:`powerseek.solvers._compiled`; identical values), and a large world of small
    strongly connected components is solved there component by component,
    successors first (values within the bound of the whole-world solve's). On a
    stochastic MDP each policy is evaluated by a sparse LU of I − γP_π
    (:mod:`powerseek.solvers._stochastic`), starting from the greedy policy of
    a short run of value sweeps: the number of improvement steps grows far
    more slowly than value iteration's 1/(1−γ) sweeps.
``"extrapolated-value-iteration"`` (the default for stochastic MDPs at smaller γ)
    Value iteration with sparse transitions and MacQueen's bounds: after
    V_{k+1} = L V_k, with d = V_{k+1} − V_k,
    V_{k+1} + γ/(1−γ)·min d ≤ V* ≤ V_{k+1} + γ/(1−γ)·max d componentwise
    (Puterman 1994, Thm 6.6.6). The midpoint is returned, with the proven
    sup-norm bound γ/(1−γ)·(max d − min d)/2.
``"value-iteration"`` (the reference)
    Plain value iteration, stopped when γ/(1−γ)·‖V_{k+1} − V_k‖∞ meets the
    tolerance, which bounds ‖V_{k+1} − V*‖∞.

Tolerances and bounds are stated on the *normalised* scale (1−γ)·V, the scale
of rewards and of POWER, so that ``tol=1e-9`` means the same at every γ: the
result satisfies (1−γ)·‖V − V*‖∞ ≤ ``error_bound`` ≤ ``tol`` for every sample
when ``converged``. Memory is the caller's to bound: pass samples in chunks
(the analyses in :mod:`powerseek.power` do).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gamma, check_rewards, label_text
from ..exceptions import ConvergenceWarning, InvalidParameterError, InvalidTypeError
from ..frames import attrs_of, cell_columns, data_frame
from ..mdp import MDP
from . import _compiled as compiled
from . import _stochastic as stochastic
from ._compiled import choose_kernel
from ._kernels import CACHE_NUMBERS, FLOOR_ULPS, BackendSolution
from ._numpy_backend import policy_iteration, value_iteration

__all__ = ["METHODS", "SolveResult", "SolverDiagnostics", "solve"]

METHODS = ("auto", "policy-iteration", "extrapolated-value-iteration", "value-iteration")
_DEFAULT_MAX_ITER = {
    "policy-iteration": 1_000,
    "value-iteration": 1_000_000,
    "extrapolated-value-iteration": 1_000_000,
}


@dataclass(frozen=True)
class SolverDiagnostics:
    """How a batch of solves went: settings, certified error and convergence.

    The one record of solver diagnostics: :attr:`SolveResult.diagnostics` gives
    it for one call, and the analyses merge one per chunk (:meth:`merge`) and
    report it, as :meth:`to_dict`, in their results' ``solver`` field.

    Attributes
    ----------
    method : str
    tol : float
        The bound on (1−γ)·‖V − V*‖∞ aimed for.
    error_bound : float
        The certified bound, the largest over the samples.
    iterations : int
        The most iterations any sample took.
    converged : bool
        Whether every sample met `tol`.

    Examples
    --------
    >>> a = SolverDiagnostics("policy-iteration", 1e-9, 2e-12, 3, True)
    >>> b = SolverDiagnostics("policy-iteration", 1e-9, 5e-12, 2, True)
    >>> a.merge(b).to_dict()["error_bound"], a.merge(b).iterations
    (5e-12, 3)
    """

    method: str
    tol: float
    error_bound: float
    iterations: int
    converged: bool

    def merge(self, other: SolverDiagnostics) -> SolverDiagnostics:
        """The diagnostics of both batches together (worst bound, most iterations).

        Parameters
        ----------
        other : SolverDiagnostics
            The diagnostics of another batch.

        """
        return SolverDiagnostics(
            other.method,
            float(other.tol),
            float(max(self.error_bound, other.error_bound)),
            int(max(self.iterations, other.iterations)),
            bool(self.converged and other.converged),
        )

    def to_dict(self) -> dict[str, Any]:
        """The diagnostics as plain data (for JSON)."""
        return {
            "method": self.method,
            "tol": float(self.tol),
            "error_bound": float(self.error_bound),
            "iterations": int(self.iterations),
            "converged": bool(self.converged),
        }


@compact_repr
@dataclass(frozen=True)
class SolveResult:
    """Optimal values of a batch of reward samples.

    Attributes
    ----------
    values : numpy.ndarray, shape (n_samples, n_states)
        V*_R for each sample.
    gamma : float
    method : str
    tol : float
        The bound on (1−γ)·‖V − V*‖∞ aimed for: the requested one, raised to
        64·eps·max|R|/(1−γ) when it is below what floating point can certify
        (which happens only for γ within about 1e-6 of 1).
    error_bound : float
        Certified bound on (1−γ)·‖V − V*‖∞, the largest over the samples.
    iterations : int
        The most iterations any sample took.
    converged : bool
        Whether every sample met `tol` within the iteration limit.
    policy : numpy.ndarray or None, shape (n_samples, n_states)
        For policy iteration, the pair index (row of ``mdp.transition_matrix``)
        of the final greedy action of each state.
    """

    values: np.ndarray
    gamma: float
    method: str
    tol: float
    error_bound: float
    iterations: int
    converged: bool
    policy: np.ndarray | None = None

    @property
    def diagnostics(self) -> SolverDiagnostics:
        """The settings and diagnostics of this solve (:class:`SolverDiagnostics`)."""
        return SolverDiagnostics(
            self.method, self.tol, self.error_bound, self.iterations, self.converged
        )

    def summary(self) -> dict[str, Any]:
        """:attr:`diagnostics` as plain data (for JSON)."""
        return self.diagnostics.to_dict()

    def to_frame(self, mdp: MDP | None = None):
        """One row per sample and state: ``sample``, ``state``, ``value`` (V*).

        Parameters
        ----------
        mdp : MDP, optional
            The MDP solved: its state labels name the states (as text, with
            ``row`` and ``col`` for grid cells) and, where policy iteration ran,
            ``action`` gives each state's greedy action. Without it states are
            numbered.

        Returns
        -------
        pandas.DataFrame
            The diagnostics (:meth:`summary`) and ``gamma`` are in ``attrs``.

        Examples
        --------
        >>> from powerseek import load
        >>> mdp = load("candy-wait")
        >>> frame = solve(mdp, [[0, 0, 1, 0, 0]], 0.5).to_frame(mdp)
        >>> frame[["state", "value", "action"]].values.tolist()[:2]
        [['start', 1.0, 'candy'], ['wait', 0.0, 'chocolate']]
        """
        return data_frame(*self._columns(mdp))

    def _columns(self, mdp):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        m, n = self.values.shape
        if mdp is not None and mdp.n_states != n:
            raise InvalidParameterError(
                f"`mdp` has {mdp.n_states} states; these values are of {n} states."
            )
        states = mdp.states if mdp is not None else tuple(range(n))
        cells = cell_columns(states) if mdp is not None else {"state": list(states)}
        columns = {
            "sample": np.repeat(np.arange(m), n),
            **{key: list(values) * m for key, values in cells.items()},
            "value": self.values.ravel(),
        }
        if mdp is not None and self.policy is not None:
            labels = [a for actions in mdp.actions for a in actions]
            columns["action"] = [label_text(labels[k]) for k in self.policy.ravel()]
        return columns, attrs_of(None, gamma=self.gamma, **self.summary())


def solve(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    *,
    method: str = "auto",
    tol: float = 1e-9,
    max_iter: int | None = None,
    initial_policy: np.ndarray | None = None,
    initial_values: np.ndarray | None = None,
    device: Any = None,
    precision: str = "float64",
    chunk_size: int | None = None,
    kernel: str = "auto",
) -> SolveResult:
    """Optimal values for a batch of state-reward vectors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (n_samples, n_states) or (n_states,)
        Reward functions over the states, one per row (a single vector is one sample).
    gamma : float in [0, 1)
        γ = 1 has no finite values; :func:`blackwell_optimal` gives the limit.
    method : {"auto", "policy-iteration", "extrapolated-value-iteration", "value-iteration"}
        ``"auto"`` is policy iteration for deterministic MDPs; for stochastic
        ones, policy iteration where it was measured faster (γ ≥ 0.99; γ ≥ 0.95
        with 200 or more state-action pairs; γ ≥ 0.9 with 1,000 or more) and
        extrapolated value iteration otherwise (and always on a torch device).
    tol : float
        Bound on (1−γ)·‖V − V*‖∞ to reach (raised to the floating-point floor
        64·eps·max|R|/(1−γ) when below it).
    max_iter : int, optional
        Iteration limit (default 1,000 for policy iteration, 10^6 for value
        iteration). Reaching it warns with :class:`ConvergenceWarning`.
    initial_policy : array_like, shape (n_samples, n_states), optional
        Warm start for policy iteration: a pair index per state.
    initial_values : array_like, shape (n_samples, n_states), optional
        Warm start for value iteration.
    device : str, optional
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` solves with PyTorch on that device
        (the `torch` extra); None (default) with numpy.
    precision : {"float64", "float32"}
        Working precision of the torch backend.
    chunk_size : int, optional
        Samples the numpy solvers work on together. By default a chunk's
        arrays hold about 2^16 numbers, which keeps them in cache; a large
        batch is solved chunk by chunk, with values identical to one call per
        sample (each sample stops on its own criterion). The torch backend
        takes the batch whole.
    kernel : {"auto", "compiled", "numpy"}
        Where deterministic policy iteration runs: compiled with numba (the
        ``fast`` extra; several times faster, the samples split over the cores,
        its value sweeps Gauss–Seidel, so its values agree with numpy's within
        both certified bounds, identical where the sweeps reach V*; a world of
        50,000 states or more whose strongly connected components are small is
        solved component by component, its values within the bound of the
        whole-world solve's) or on numpy arrays. ``"auto"`` compiles when numba
        is installed and the batch is large enough to repay loading the kernel,
        whatever this process has loaded (:func:`powerseek.solvers.choose_kernel`).

    Returns
    -------
    SolveResult

    Examples
    --------
    Candy/Wait with rewards candy = 0.5, chocolate = 1, hug = 0:

    >>> from powerseek import load
    >>> mdp = load("candy-wait")      # start, wait, candy, chocolate, hug
    >>> result = solve(mdp, [0.0, 0.0, 0.5, 1.0, 0.0], gamma=0.5)
    >>> result.values.round(6).tolist()
    [[0.5, 1.0, 1.0, 2.0, 0.0]]
    >>> result.method, result.converged
    ('policy-iteration', True)
    """
    problem = _validated(mdp, rewards, gamma, method, tol, max_iter, device, precision, kernel)
    R, gamma, method, tol = problem.R, problem.gamma, problem.method, problem.tol
    if gamma == 0.0:
        return SolveResult(R.copy(), 0.0, method, tol, 0.0, 0, True, None)
    if R.shape[0] == 0:  # nothing to solve, and no max|R| to set the floor from
        empty = np.zeros((0, mdp.n_states), dtype=np.int64)
        policy = empty if method == "policy-iteration" else None
        return SolveResult(R.copy(), gamma, method, tol, 0.0, 0, True, policy)
    # Bounds are computed from floating-point values of size |R|/(1−γ): below
    # this floor they cannot be certified, so the tolerance is raised to it.
    problem.tol = tol = certifiable_tol(tol, float(np.abs(R).max()), gamma)
    if problem.torch_device is not None:
        solution, reason = _on_torch(problem, initial_policy)
    elif method == "policy-iteration":
        solution, reason = _by_policy_iteration(problem, initial_policy, chunk_size)
    else:
        solution, reason = _by_value_iteration(problem, initial_values, chunk_size)
    converged = solution.stable and solution.bound <= problem.tol
    if not converged:
        warn_unconverged(method, reason, solution.bound, problem.tol, stacklevel=3)
    policy = None if solution.policy is None else np.ascontiguousarray(solution.policy.T)
    return SolveResult(
        np.ascontiguousarray(solution.values.T),
        gamma,
        method,
        problem.tol,
        solution.bound,
        solution.iterations,
        converged,
        policy,
    )


# ----------------------------------------------------------------------
# the back ends: each returns its BackendSolution and the words that say, in
# a ConvergenceWarning, why it stopped short ("... error bound 3e-7 > tol=...")


_EPS = float(np.finfo(float).eps)


@dataclass
class _Problem:
    """A validated call of :func:`solve`: what every back end needs."""

    mdp: MDP
    R: np.ndarray  # (n_samples, n_states)
    gamma: float
    method: str
    tol: float
    max_iter: int
    kernel: str
    torch_device: Any
    precision: str


def certifiable_tol(tol: float, scale: float, gamma: float) -> float:
    """`tol`, raised to 64·eps·max|R|/(1−γ) (`scale` = max|R|): no bound is certified below."""
    return max(tol, FLOOR_ULPS * _EPS * scale / (1.0 - gamma))


def warn_unconverged(method: str, reason: str, bound: float, tol: float, stacklevel: int) -> None:
    """The :class:`ConvergenceWarning` of a solve that stopped above its tolerance."""
    warnings.warn(
        f"{method} {reason} error bound {bound:.3g} > tol={tol:g} (on the "
        "(1-gamma)*V scale); raise `max_iter` or `tol`.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


def _validated(mdp, rewards, gamma, method, tol, max_iter, device, precision, kernel) -> _Problem:
    gamma, method, tol, max_iter = checked_settings(mdp, gamma, method, tol, max_iter, device)
    R = check_rewards(rewards, mdp)

    from ._torch_backend import check_device  # imports torch only when asked for

    kernel = choose_kernel(kernel, mdp, R.shape[0], [gamma])
    torch_device = check_device(device, precision)
    return _Problem(mdp, R, gamma, method, tol, max_iter, kernel, torch_device, precision)


def checked_settings(
    mdp: Any, gamma: Any, method: Any, tol: Any, max_iter: Any, device: Any
) -> tuple[float, str, float, int]:
    """A solve's discount, resolved method, tolerance and iteration limit, checked."""
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    gamma = check_gamma(gamma)
    if gamma >= 1.0:
        raise InvalidParameterError(
            "`gamma` must be below 1 for optimal values (they diverge at 1); the γ -> 1 limits "
            "of POWER and of optimality probabilities are computed by powerseek.power and "
            "powerseek.optimality with gamma=1."
        )
    tol = _check_tol(tol)
    method = _resolve_method(method, mdp, gamma, device)
    if max_iter is None:
        max_iter = _DEFAULT_MAX_ITER[method]
    elif isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise InvalidParameterError(f"`max_iter` must be a positive integer; got {max_iter!r}.")
    return gamma, method, tol, max_iter


def _on_torch(problem: _Problem, initial_policy: Any) -> tuple[BackendSolution, str]:
    """The whole batch on the torch device; `problem.tol` is raised to float32's floor there."""
    from ._torch_backend import torch_solve, upload

    mdp, R = problem.mdp, problem.R
    check_torch_method(problem.method, mdp)
    start = None if initial_policy is None else _as_policy(initial_policy, mdp, R.shape[0]).T
    solution, problem.tol = torch_solve(
        mdp,
        upload(R, problem.torch_device),
        problem.gamma,
        problem.tol,
        problem.max_iter,
        problem.method,
        problem.precision,
        start,
    )
    policy = None if solution.policy is None else solution.policy.cpu().numpy()
    solution = solution._replace(values=solution.values.cpu().numpy(), policy=policy)
    return solution, f"on {problem.torch_device} ended with"


def check_torch_method(method: str, mdp: MDP) -> None:
    """Policy iteration on a torch device is for deterministic MDPs only."""
    if method == "policy-iteration" and not mdp.is_deterministic:
        raise InvalidParameterError(
            "method='policy-iteration' on a torch device needs a deterministic MDP; use "
            "'extrapolated-value-iteration' for a stochastic one (or leave `device` unset)."
        )


def _by_policy_iteration(
    problem: _Problem, initial_policy: Any, chunk_size: Any
) -> tuple[BackendSolution, str]:
    """Policy iteration on numpy, compiled or (stochastic MDPs) sparse-LU kernels."""
    mdp, R = problem.mdp, problem.R
    if chunk_size is None and (problem.kernel == "compiled" or not mdp.is_deterministic):
        chunks = [slice(0, R.shape[0])]  # works sample by sample: no cache-sized chunks needed
    else:
        chunks = _chunks(R.shape[0], mdp.n_states, chunk_size)
    start = None if initial_policy is None else _as_policy(initial_policy, mdp, R.shape[0]).T
    if not mdp.is_deterministic:
        iterate = functools.partial(stochastic.policy_iteration, kernel=problem.kernel)
    elif problem.kernel == "compiled":
        iterate = compiled.policy_iteration
    else:
        iterate = policy_iteration
    # the compiled kernel works sample-major: it takes views of R and the start
    columns = (lambda a: a) if iterate is compiled.policy_iteration else np.ascontiguousarray
    RT = R.T
    parts = [
        iterate(
            mdp,
            columns(RT[:, rows]),
            problem.gamma,
            problem.tol,
            problem.max_iter,
            None if start is None else columns(start[:, rows]),
        )
        for rows in chunks
    ]
    solution = _merged(parts)
    if not solution.stable:
        return solution, f"stopped at its limit of {problem.max_iter} iterations:"
    return solution, "ended with a Bellman residual above the tolerance:"


def _by_value_iteration(
    problem: _Problem, initial_values: Any, chunk_size: Any
) -> tuple[BackendSolution, str]:
    """Value iteration (extrapolated or plain) on numpy, chunk by chunk."""
    mdp, R = problem.mdp, problem.R
    chunks = _chunks(R.shape[0], mdp.n_states, chunk_size)
    RT = R.T
    start = None if initial_values is None else check_rewards(initial_values, mdp).T
    if start is not None and start.shape != RT.shape:
        raise InvalidParameterError(
            f"`initial_values` must have shape {R.shape}; got {start.T.shape}."
        )
    parts = [
        value_iteration(
            mdp,
            np.ascontiguousarray(RT[:, rows]),
            problem.gamma,
            problem.tol,
            problem.max_iter,
            None if start is None else np.ascontiguousarray(start[:, rows]),
            extrapolate=problem.method != "value-iteration",
        )
        for rows in chunks
    ]
    return _merged(parts), f"stopped at its limit of {problem.max_iter} iterations:"


def _merged(parts: list[BackendSolution]) -> BackendSolution:
    """The chunks' solutions as one: columns side by side, the worst bound and count."""
    policies = [part.policy for part in parts]
    return BackendSolution(
        _joined([part.values for part in parts]),
        None if policies[0] is None else _joined(policies),
        max(part.bound for part in parts),
        max(part.iterations for part in parts),
        all(part.stable for part in parts),
    )


# ----------------------------------------------------------------------
# validation


def _joined(columns: list[np.ndarray]) -> np.ndarray:
    """The chunks' state-major arrays side by side (no copy for one chunk)."""
    return columns[0] if len(columns) == 1 else np.hstack(columns)


def _chunks(n_samples: int, n_states: int, chunk_size: Any) -> list[slice]:
    """The sample ranges solved together: cache-sized unless `chunk_size` says otherwise."""
    if chunk_size is None:
        rows = max(32, CACHE_NUMBERS // max(n_states, 1))
    elif (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, numbers.Integral)
        or chunk_size < 1
    ):
        raise InvalidParameterError(f"`chunk_size` must be a positive integer; got {chunk_size!r}.")
    else:
        rows = int(chunk_size)
    return [slice(i, min(i + rows, n_samples)) for i in range(0, n_samples, rows)] or [slice(0, 0)]


def _as_policy(policy: Any, mdp: MDP, n_samples: int) -> np.ndarray:
    array = np.array(policy, dtype=np.int64, ndmin=2)
    if array.shape != (n_samples, mdp.n_states):
        raise InvalidParameterError(
            f"`initial_policy` must have shape {(n_samples, mdp.n_states)}; got {array.shape}."
        )
    owner = mdp.pair_states
    if np.any((array < 0) | (array >= mdp.n_pairs)) or np.any(
        owner[np.clip(array, 0, mdp.n_pairs - 1)] != np.arange(mdp.n_states)
    ):
        raise InvalidParameterError(
            "`initial_policy` must give, for each state, the pair index of one of its own "
            "actions (a row of mdp.transition_matrix)."
        )
    return array


def _check_tol(tol: Any) -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (0 < tol < math.inf):
        raise InvalidParameterError(f"`tol` must be a positive number; got {tol!r}.")
    return float(tol)


def _resolve_method(method: Any, mdp: MDP, gamma: float, device: Any) -> str:
    if method not in METHODS:
        raise InvalidParameterError(
            f"`method` must be one of {', '.join(map(repr, METHODS))}; got {method!r}."
        )
    if method != "auto":
        return method
    if mdp.is_deterministic or (device is None and _sparse_lu_pays(mdp, gamma)):
        return "policy-iteration"
    return "extrapolated-value-iteration"


def _sparse_lu_pays(mdp: MDP, gamma: float) -> bool:
    """Where policy iteration with sparse LU evaluation was measured faster than EVI."""
    pairs = mdp.n_pairs
    return gamma >= 0.99 or (gamma >= 0.95 and pairs >= 200) or (gamma >= 0.9 and pairs >= 1000)
