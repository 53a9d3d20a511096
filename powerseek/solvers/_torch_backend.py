"""Array backends for the batched solvers: numpy (default) and PyTorch (CPU or CUDA).

``solve(..., device="cuda")`` (and ``device=`` on every analysis, ``--device``
on the CLI) runs the optimal-value solvers of :mod:`powerseek.solve` in
PyTorch on that device: policy iteration with pointer-doubling evaluation for
deterministic MDPs, extrapolated value iteration with the same sup-norm
bound for stochastic ones. Rewards are drawn by numpy exactly as before, so
the same seed gives the same samples on every device, and the statistics
are computed from the returned values as usual; results agree with numpy to
floating-point tolerance. PyTorch is an optional extra
(``pip install ".[torch]"``); nothing else changes without it.

``precision="float32"`` halves memory and speeds up GPUs. Policy iteration
then searches for the optimal policy in float32 but evaluates the final
policy and its Bellman residual in float64, so values carry float64 accuracy
unless two actions are within float32 noise of each other (where either is
optimal up to that noise); value iteration runs in float32 throughout with
its bound raised to the float32 noise floor.

Examples
--------
>>> import numpy as np
>>> from powerseek import load, solve
>>> maze = load("powerplay-3x3")
>>> R = np.random.default_rng(0).random((100, maze.n_states))
>>> on_torch = solve(maze, R, 0.9, device="cpu")       # doctest: +SKIP
>>> bool(np.allclose(on_torch.values, solve(maze, R, 0.9).values))  # doctest: +SKIP
True
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..exceptions import InvalidParameterError, PowerseekError, install_hint
from ..mdp import MDP
from ._kernels import FLOOR_ULPS, BackendSolution, doublings_for, padded_pairs

__all__ = ["PRECISIONS", "TorchUnavailableError", "check_device", "torch_solve"]

PRECISIONS = ("float64", "float32")


class TorchUnavailableError(PowerseekError, ImportError):
    """A torch device was asked for but PyTorch (or that device) is not available."""


def _torch():
    try:
        import torch
    except ImportError:
        raise TorchUnavailableError(
            f"`device` needs PyTorch: {install_hint('torch')} (or leave `device` unset for numpy)."
        ) from None
    return torch


def check_device(device: Any, precision: str = "float64") -> Any:
    """The torch device for `device` (None: numpy), checked; clear errors otherwise.

    Parameters
    ----------
    device : str, torch.device or None
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; None for numpy.
    precision : {"float64", "float32"}

    Returns
    -------
    torch.device or None

    Examples
    --------
    >>> check_device(None) is None   # numpy; torch is not imported
    True
    """
    if precision not in PRECISIONS:
        raise InvalidParameterError(
            f"`precision` must be one of {', '.join(PRECISIONS)}; got {precision!r}."
        )
    if device is None or device == "numpy":
        if precision != "float64":
            raise InvalidParameterError(
                "precision='float32' is for the torch backend; give device='cpu' or 'cuda'."
            )
        return None
    torch = _torch()
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidParameterError(
            f"`device` must be None (numpy), 'cpu', 'cuda' or 'cuda:N'; got {device!r}."
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise TorchUnavailableError(
            f"device {device!r} was asked for, but PyTorch sees no CUDA GPU here."
        )
    if resolved.type not in ("cpu", "cuda"):
        raise InvalidParameterError(f"`device` must be 'cpu' or 'cuda[:N]'; got {device!r}.")
    return resolved


class _Layout:
    """The MDP's index arrays on one device."""

    def __init__(self, torch, mdp: MDP, device) -> None:
        self.pad = torch.tensor(padded_pairs(mdp), device=device)  # (n_states, width)
        successors = mdp.successor_indices
        self.successors = None if successors is None else torch.tensor(successors, device=device)
        if successors is None:
            T = mdp.transition_matrix.tocsr()
            with warnings.catch_warnings():  # "sparse CSR support is in beta"
                warnings.simplefilter("ignore", UserWarning)
                self.T = {
                    dtype: torch.sparse_csr_tensor(
                        torch.tensor(T.indptr, dtype=torch.int64),
                        torch.tensor(T.indices, dtype=torch.int64),
                        torch.tensor(T.data, dtype=dtype),
                        size=T.shape,
                        check_invariants=True,
                    ).to(device)
                    for dtype in (torch.float64, torch.float32)
                }

    def padded(self, W):
        """(n_pairs, m) -> (n_states, width, m)."""
        return W[self.pad]


def _first_within(torch, layout: _Layout, Wp, floor):
    """Per state, the first pair whose value is at least `floor`: (n_states, m)."""
    hit = (Wp >= floor[:, None, :]).to(torch.uint8)
    j = torch.argmax(hit, dim=1)  # the first maximum: the first pair that qualifies
    return torch.gather(layout.pad, 1, j)


def _evaluate(torch, R, nxt, gamma: float, doublings: int):
    S = R.clone()
    P = nxt
    g = gamma
    for _ in range(doublings + 1):
        S = S + g * torch.gather(S, 0, P)
        P = torch.gather(P, 0, P)
        g *= g
    return S


def torch_solve(
    mdp: MDP,
    RT: np.ndarray,
    gamma: float,
    tol: float,
    max_iter: int,
    method: str,
    device,
    precision: str,
    initial_policy: np.ndarray | None = None,
):
    """Solve with PyTorch on `device`; results come back as numpy arrays.

    Returns a :class:`~powerseek.solvers.BackendSolution` of numpy arrays, values
    and policy state-major (n_states, m) like the numpy solvers'; its `stable` is
    true when every sample converged.

    Parameters
    ----------
    mdp : MDP
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    gamma : float in (0, 1)
    tol : float
        The bound on (1−γ)·‖V − V*‖∞ to reach.
    max_iter : int
    method : str
        A resolved method of :func:`powerseek.solve` (not "auto").
    device : torch.device
        From :func:`check_device`.
    precision : {"float64", "float32"}
    initial_policy : numpy.ndarray of int, shape (n_states, m), optional
        Warm start for policy iteration.
    """
    torch = _torch()
    dtype = torch.float32 if precision == "float32" else torch.float64
    layout = mdp.cached(f"torch-layout-{device}", lambda: _Layout(torch, mdp, device))
    R64 = torch.tensor(RT, dtype=torch.float64, device=device)
    R = R64.to(dtype)
    eps = float(torch.finfo(dtype).eps)
    scale = torch.clamp(R64.abs().amax(dim=0), min=1e-300)
    if method == "policy-iteration":
        return _policy_iteration(
            torch, layout, R, R64, gamma, max_iter, eps, scale, initial_policy, device
        )
    return _value_iteration(
        torch, layout, R, gamma, tol, max_iter, eps, scale.to(dtype), method != "value-iteration"
    )


def _policy_iteration(torch, layout, R, R64, gamma, max_iter, eps, scale, policy, device):
    """Policy iteration in R's precision; the final evaluation and residual in float64."""
    succ = layout.successors
    margin = (FLOOR_ULPS * eps * scale / (1.0 - gamma)).to(R.dtype)
    doublings = doublings_for(gamma, eps)
    if policy is None:
        Wp = layout.padded(R[succ])
        pol = _first_within(torch, layout, Wp, Wp.amax(dim=1))
    else:
        pol = torch.tensor(policy, dtype=torch.int64, device=device)
    iterations, stable = 0, False
    for _ in range(max_iter):
        iterations += 1
        V = _evaluate(torch, R, succ[pol], gamma, doublings)
        W = V[succ]
        Wp = layout.padded(W)
        best = Wp.amax(dim=1)
        improve = best > torch.gather(W, 0, pol) + margin
        if not bool(improve.any()):
            stable = True
            break
        pol = torch.where(improve, _first_within(torch, layout, Wp, best - margin), pol)
    # The final policy's value and Bellman residual in float64: (1-γ)‖V−V*‖ ≤ ‖BV − V‖.
    f64 = doublings_for(gamma, float(torch.finfo(torch.float64).eps))
    V = _evaluate(torch, R64, succ[pol], gamma, f64)
    best = layout.padded(V[succ]).amax(dim=1)
    residual = (R64 + gamma * best - V).abs().amax(dim=0)
    bound = float(residual.max()) if residual.numel() else 0.0
    return BackendSolution(V.cpu().numpy(), pol.cpu().numpy(), bound, iterations, stable)


def _value_iteration(torch, layout, R, gamma, tol, max_iter, eps, scale, extrapolate):
    T = layout.T[R.dtype]
    # Rounding in R's precision adds up to this much to the iteration's own bound.
    noise = float((FLOOR_ULPS * eps * scale / (1.0 - gamma)).max()) if eps > 1e-12 else 0.0
    tol = max(tol - noise, noise)
    V = R.clone()
    out = torch.empty_like(R)
    bounds = torch.full((R.shape[1],), math.inf, dtype=R.dtype, device=R.device)
    done = torch.zeros(R.shape[1], dtype=torch.bool, device=R.device)
    c = gamma / (1.0 - gamma)
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        new = R + gamma * layout.padded(torch.sparse.mm(T, V)).amax(dim=1)
        d = new - V
        lo, hi = d.amin(dim=0), d.amax(dim=0)
        if extrapolate:
            bound = gamma * (hi - lo) / 2
            estimate = new + c * (hi + lo) / 2
        else:
            bound = gamma * torch.maximum(lo.abs(), hi.abs())
            estimate = new
        fresh = ~done
        out[:, fresh] = estimate[:, fresh]
        bounds[fresh] = bound[fresh]
        done = done | (bound <= tol)
        V = new
        if bool(done.all()):
            break
    converged = bool(done.all())
    out64 = out.to(torch.float64).cpu().numpy()
    bound = float(bounds.max()) + noise if bounds.numel() else 0.0
    return BackendSolution(out64, None, bound, iterations, converged)
