"""Solves whose results stay on a torch device, for analyses that finish there.

:func:`powerseek.solve` with ``device=`` brings the values back as numpy
arrays. On a GPU that transfer, and the numpy work after it, costs more than
the solve: a 10^6-state world moves 8 MB per sample and per array. The
analyses therefore solve with :func:`solve_on_device`, whose
:class:`DeviceSolveResult` keeps rewards, values and policy on the device,
compute POWER there (:meth:`DeviceSolveResult.power`) and send back only each
run of samples' moments (:func:`powerseek.solvers.device_block_moments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._display import compact_repr
from .._validation import check_rewards, non_finite_reward
from ..exceptions import InvalidParameterError
from ..mdp import MDP
from ._solve import (
    SolverDiagnostics,
    SolveResult,
    _as_policy,
    certifiable_tol,
    check_torch_method,
    checked_settings,
    warn_unconverged,
)
from ._torch_backend import _torch, check_device, power_on_device, torch_solve, upload

__all__ = ["DeviceSolveResult", "solve_on_device"]


@compact_repr
@dataclass(frozen=True, eq=False)
class DeviceSolveResult:
    """Optimal values of a batch of reward samples, kept on a torch device.

    Attributes
    ----------
    mdp : MDP
        The environment solved.
    rewards : torch.Tensor, shape (n_samples, n_states)
        The rewards on the device, float64; pass them to another
        :func:`solve_on_device` call (another γ) to solve with no new transfer.
    values : torch.Tensor, shape (n_samples, n_states)
        V*_R for each sample, float64.
    gamma : float
    method : str
        The method that ran (resolved from "auto").
    tol : float
        The bound on (1−γ)·‖V − V*‖∞ aimed for, raised to what the precision
        can certify (as in :class:`~powerseek.solvers.SolveResult`).
    error_bound : float
        Certified bound on (1−γ)·‖V − V*‖∞, the largest over the samples.
    iterations : int
        The most iterations any sample took.
    converged : bool
        Whether every sample met `tol` within the iteration limit.
    policy : torch.Tensor or None, shape (n_samples, n_states)
        For policy iteration, each state's final greedy pair index.

    See Also
    --------
    solve_on_device : What returns one.
    powerseek.solvers.SolveResult : The same on numpy arrays (:meth:`to_numpy`).
    """

    mdp: MDP
    rewards: Any
    values: Any
    gamma: float
    method: str
    tol: float
    error_bound: float
    iterations: int
    converged: bool
    policy: Any = None

    @property
    def diagnostics(self) -> SolverDiagnostics:
        """The settings and diagnostics of this solve (:class:`SolverDiagnostics`)."""
        return SolverDiagnostics(
            self.method, self.tol, self.error_bound, self.iterations, self.converged
        )

    def power(self) -> Any:
        """POWER of every state and sample, on the device: shape (n_samples, n_states).

        (1−γ)·max_a E_{T(s,a)} V*, the formula of
        :func:`powerseek.solvers.optimal_power`.
        """
        if self.gamma == 0.0:
            raise InvalidParameterError(
                "POWER at gamma=0 is max_a E R(s'); compute it with powerseek.power, not from "
                "values solved at gamma=0."
            )
        return power_on_device(self.mdp, self.values.T, self.gamma).T

    def to_numpy(self) -> SolveResult:
        """The same result on numpy arrays (one transfer per array)."""
        policy = None if self.policy is None else self.policy.cpu().numpy()
        return SolveResult(
            self.values.cpu().numpy(),
            self.gamma,
            self.method,
            self.tol,
            self.error_bound,
            self.iterations,
            self.converged,
            policy,
        )


def solve_on_device(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    *,
    device: Any = None,
    method: str = "auto",
    tol: float = 1e-9,
    max_iter: int | None = None,
    initial_policy: Any = None,
    precision: str = "float64",
) -> DeviceSolveResult:
    """Optimal values on a torch device, left there.

    :func:`powerseek.solve` with ``device=``, the same solvers and the same
    certified bound, without the transfer back: the result's arrays are
    tensors on the device.

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like or torch.Tensor, shape (n_samples, n_states)
        Reward functions, one per row; a tensor (such as a previous result's
        :attr:`~DeviceSolveResult.rewards`) is used where it is.
    gamma : float in [0, 1)
        The discount rate.
    device : str or torch.device, optional
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; default the device of a tensor
        `rewards`, else ``"cpu"``.
    method : {"auto", "policy-iteration", "extrapolated-value-iteration", "value-iteration"}
        As in :func:`powerseek.solve` on a device: policy iteration for
        deterministic MDPs, extrapolated value iteration otherwise.
    tol : float
        Bound on (1−γ)·‖V − V*‖∞ to reach.
    max_iter : int, optional
        Iteration limit; reaching it warns with :class:`ConvergenceWarning`.
    initial_policy : array_like or torch.Tensor, shape (n_samples, n_states), optional
        Warm start for policy iteration (such as a previous result's policy).
    precision : {"float64", "float32"}
        Working precision, as in :func:`powerseek.solve`.

    Returns
    -------
    DeviceSolveResult

    See Also
    --------
    powerseek.solve : The same solve, its values returned as numpy arrays.
    powerseek.solvers.device_block_moments : Moments of per-sample tensors.

    Examples
    --------
    >>> from powerseek import load
    >>> from powerseek.solvers import solve_on_device
    >>> result = solve_on_device(load("candy-wait"), [[0, 0, 0.5, 1, 0]], 0.5)  # doctest: +SKIP
    >>> result.values.tolist(), result.power().tolist()  # doctest: +SKIP
    ([[0.5, 1.0, 1.0, 2.0, 0.0]], [[0.5, 1.0, 0.5, 1.0, 0.0]])
    """
    on = "cpu" if device is None else device  # a device: stochastic MDPs get value iteration
    gamma, method, tol, max_iter = checked_settings(mdp, gamma, method, tol, max_iter, on)
    check_torch_method(method, mdp)
    R64 = _on_device(rewards, mdp, device, precision)
    m = R64.shape[1]
    scale = float(R64.abs().max()) if R64.numel() else 0.0
    if gamma == 0.0 or m == 0:
        policy = None
        return DeviceSolveResult(mdp, R64.T, R64.T, gamma, method, tol, 0.0, 0, True, policy)
    tol = certifiable_tol(tol, scale, gamma)
    start = None if initial_policy is None else _start_policy(initial_policy, mdp, m)
    solution, tol = torch_solve(mdp, R64, gamma, tol, max_iter, method, precision, start)
    converged = solution.stable and solution.bound <= tol
    if not converged:
        warn_unconverged(method, f"on {R64.device} ended with", solution.bound, tol, stacklevel=3)
    policy = None if solution.policy is None else solution.policy.T
    return DeviceSolveResult(
        mdp,
        R64.T,
        solution.values.T,
        gamma,
        method,
        tol,
        solution.bound,
        solution.iterations,
        converged,
        policy,
    )


def _on_device(rewards: Any, mdp: MDP, device: Any, precision: str) -> Any:
    """State-major float64 rewards on the device, checked: (n_states, m)."""
    if _torch().is_tensor(rewards):  # used in place
        resolved = check_device(rewards.device if device is None else device, precision)
        if rewards.dim() != 2 or rewards.shape[1] != mdp.n_states:
            raise InvalidParameterError(
                f"`rewards` must have shape (n_samples, n_states) with n_states = "
                f"{mdp.n_states}; got {tuple(rewards.shape)}."
            )
        R64 = rewards.to(device=resolved, dtype=_torch().float64)
        finite = R64.isfinite()
        if not bool(finite.all()):
            row, column = (int(i) for i in (~finite).nonzero()[0])
            raise non_finite_reward(float(R64[row, column]), row, mdp.states[column])
        return R64.T.contiguous()  # no copy for a previous result's rewards
    resolved = check_device("cpu" if device is None else device, precision)
    return upload(check_rewards(rewards, mdp), resolved)


def _start_policy(policy: Any, mdp: MDP, m: int) -> Any:
    """A warm start, state-major, checked.

    An array is checked as :func:`powerseek.solve` checks it; a tensor (a
    previous result's policy, left on its device) for its shape.
    """
    if not _torch().is_tensor(policy):  # (numpy arrays have a `device` too)
        return _as_policy(policy, mdp, m).T
    if tuple(policy.shape) != (m, mdp.n_states):
        raise InvalidParameterError(
            f"`initial_policy` must have shape {(m, mdp.n_states)}; got {tuple(policy.shape)}."
        )
    return policy.T
