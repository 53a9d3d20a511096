"""Array backends for the batched solvers: numpy (default) and PyTorch (CPU or CUDA).

``solve(..., device="cuda")`` (and ``device=`` on every analysis, ``--device``
on the CLI) runs the optimal-value solvers of :mod:`powerseek.solve` in
PyTorch on that device: policy iteration with pointer-doubling evaluation for
deterministic MDPs, extrapolated value iteration with the same sup-norm
bound for stochastic ones. Rewards are drawn by numpy exactly as before, so
the same seed gives the same samples on every device; results agree with
numpy to floating-point tolerance. The analyses keep the work on the device
(:func:`powerseek.solvers.solve_on_device`): chunks sized to its memory
(:func:`device_chunk_rows`), POWER (:func:`power_on_device`) and the
moments of a run of samples (:func:`device_block_moments`) computed there.
PyTorch is an optional extra (``pip install ".[torch]"``); nothing else
changes without it.

``precision="float32"`` halves memory and speeds up GPUs. Policy iteration
(and the value sweeps it starts with) then searches for the optimal policy in
float32, and the final policy is evaluated, improved until stable and
certified in float64, so values carry float64 accuracy; value iteration runs
in float32 throughout with its bound raised to the float32 noise floor.

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
from ._kernels import FLOOR_ULPS, BackendSolution, doublings_for, padded_pairs, sweep_budget

__all__ = [
    "PRECISIONS",
    "TorchUnavailableError",
    "check_device",
    "device_block_moments",
    "device_chunk_rows",
    "power_on_device",
    "torch_solve",
    "upload",
]

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
        # (width, n_states): each state's j-th pair (padded), column by column, so that
        # maxima and first hits over a state's actions are `width` (n_states, m)
        # gathers with no (n_states, width, m) temporary
        self.columns = torch.tensor(padded_pairs(mdp).T.copy(), device=device)
        successors = mdp.successor_indices
        self.successors = None if successors is None else torch.tensor(successors, device=device)
        # (width, n_states): each state's successor under its j-th action
        self.next_states = None if successors is None else self.successors[self.columns]
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


def _best(torch, X, rows):
    """Per state, the largest of ``X[rows[j]]`` over its actions j: (n_states, m).

    `rows` is a layout's `next_states` (X holds state values) or `columns`
    (X holds pair values).
    """
    best = X[rows[0]]
    for row in rows[1:]:
        torch.maximum(best, X[row], out=best)
    return best


def _first_within(torch, layout: _Layout, V, floor):
    """Per state, the first pair whose successor's value in V is at least `floor`: (n_states, m)."""
    columns, successors = layout.columns, layout.next_states
    first = columns[-1][:, None].expand_as(floor)
    for j in range(len(columns) - 2, -1, -1):  # earlier pairs win
        first = torch.where(V[successors[j]] >= floor, columns[j][:, None], first)
    return first.contiguous()


def _evaluate(torch, R, nxt, gamma: float, doublings: int):
    """The policy's values by pointer doubling: S ← S + g·S∘P, P ← P∘P, g ← g², K+1 times."""
    S, P, g = R, nxt, gamma
    for k in range(doublings + 1):
        S = torch.add(S, torch.gather(S, 0, P), alpha=g)  # one pass, no g·S∘P temporary
        if k < doublings:  # the last pointer is never read
            P = torch.gather(P, 0, P)
        g *= g
    return S


def upload(rewards: np.ndarray, device: Any) -> Any:
    """Sample-major rewards (m, n_states) onto `device`, state-major: one transfer.

    The transpose is made on the device, where it is cheap; the result is the
    contiguous (n_states, m) float64 tensor the solvers gather along.
    """
    torch = _torch()
    return torch.as_tensor(rewards, dtype=torch.float64).to(device).T.contiguous()


def torch_solve(
    mdp: MDP,
    R64: Any,
    gamma: float,
    tol: float,
    max_iter: int,
    method: str,
    precision: str,
    initial_policy: Any = None,
) -> tuple[BackendSolution, float]:
    """Solve with PyTorch on the device of `R64`; the results stay there.

    Parameters
    ----------
    mdp : MDP
    R64 : torch.Tensor, shape (n_states, m)
        State-major float64 rewards on the device (:func:`upload`).
    gamma : float in (0, 1)
    tol : float
        The bound on (1−γ)·‖V − V*‖∞ to reach.
    max_iter : int
    method : str
        A resolved method of :func:`powerseek.solve` (not "auto").
    precision : {"float64", "float32"}
    initial_policy : torch.Tensor or numpy.ndarray of int, shape (n_states, m), optional
        Warm start for policy iteration.

    Returns
    -------
    solution : BackendSolution
        Values (float64) and policy as tensors on the device, state-major; its
        `stable` is true when every sample converged.
    tol : float
        `tol`, raised in float32 to twice that precision's noise floor, the
        most its bound can certify.
    """
    torch = _torch()
    device = R64.device
    dtype = torch.float32 if precision == "float32" else torch.float64
    layout = mdp.cached(f"torch-layout-{device}", lambda: _Layout(torch, mdp, device))
    R = R64.to(dtype)
    eps = float(torch.finfo(dtype).eps)
    scale = torch.clamp(R64.abs().amax(dim=0), min=1e-300)
    if method == "policy-iteration":
        solution = _policy_iteration(
            torch, layout, R, R64, gamma, max_iter, eps, scale, initial_policy, device,
            sweeps=sweep_budget(mdp, gamma),
        )  # fmt: skip
    else:
        solution = _value_iteration(
            torch,
            layout,
            R,
            gamma,
            tol,
            max_iter,
            eps,
            scale.to(dtype),
            extrapolate=method != "value-iteration",
        )
    if precision == "float32" and scale.numel():  # certify only above float32's noise floor
        floor = FLOOR_ULPS * float(torch.finfo(torch.float32).eps) * float(scale.max())
        tol = max(tol, 2 * floor / (1.0 - gamma))
    return solution, tol


def _policy_iteration(torch, layout, R, R64, gamma, max_iter, eps, scale, policy, device, sweeps):
    """Policy iteration in R's precision; the final evaluation and residual in float64.

    Without a starting policy it starts as the host's does: up to `sweeps`
    value sweeps from R/(1−γ) (:func:`~powerseek.solvers._kernels.sweep_budget`),
    then the greedy policy of the last. Where every sample's sweeps settle
    within the noise floor in float64, that is the answer, certified by
    γ·‖V_{k+1} − V_k‖∞; otherwise policy iteration goes on from there. The
    sweeps cost a fifth of an evaluation each and replace most rounds: on a
    100x100 open grid at γ = 0.9, 8 rounds from the greedy policy of R, 1
    after 16 sweeps.
    """
    succ, successors = layout.successors, layout.next_states
    margin = (FLOOR_ULPS * eps * scale / (1.0 - gamma)).to(R.dtype)
    doublings = doublings_for(gamma, eps)
    swept = 0
    if policy is None:
        X = R / (1.0 - gamma)
        settled = False
        for _ in range(sweeps):
            swept += 1
            new = torch.add(R, _best(torch, X, successors), alpha=gamma)
            change = (new - X).abs().amax(dim=0)
            X = new
            settled = bool((change <= margin).all())
            if settled:
                break
        pol = _first_within(torch, layout, X, _best(torch, X, successors) - margin)
        if settled and R.dtype == torch.float64:  # V* to the floor: γ‖ΔV‖ certifies it
            bound = gamma * float(change.max()) if change.numel() else 0.0
            return BackendSolution(X, pol, bound, swept, True)
    else:
        pol = torch.as_tensor(policy, dtype=torch.int64).to(device).contiguous()
    iterations, stable = 0, False
    for _ in range(max_iter):
        iterations += 1
        nxt = succ[pol]
        V = _evaluate(torch, R, nxt, gamma, doublings)
        best = _best(torch, V, successors)
        improve = best > torch.gather(V, 0, nxt) + margin
        if not bool(improve.any()):
            stable = True
            break
        pol = torch.where(improve, _first_within(torch, layout, V, best - margin), pol)
    # The final policy's value and Bellman residual in float64: (1-γ)‖V−V*‖ ≤ ‖BV − V‖.
    # A stable float64 search has evaluated its final policy already. After a
    # float32 search the policy is improved in float64 until stable, within the
    # iteration limit, each new policy evaluated: float32 cannot see gains below
    # its noise floor, which the sweeps' greedy policy may leave (usually no
    # round is needed).
    final = R.dtype == torch.float64 and stable
    eps64 = float(torch.finfo(torch.float64).eps)
    f64, margin64 = doublings_for(gamma, eps64), FLOOR_ULPS * eps64 * scale / (1.0 - gamma)
    while not final:
        nxt = succ[pol]
        V = _evaluate(torch, R64, nxt, gamma, f64)
        best = _best(torch, V, successors)
        if R.dtype == torch.float64:
            break
        improve = best > torch.gather(V, 0, nxt) + margin64
        if not bool(improve.any()):
            break
        if iterations >= max_iter:  # at the limit; the residual bounds the error left
            break
        iterations += 1
        pol = torch.where(improve, _first_within(torch, layout, V, best - margin64), pol)
    residual = (R64 + gamma * best - V).abs().amax(dim=0)
    bound = float(residual.max()) if residual.numel() else 0.0
    return BackendSolution(V, pol, bound, swept + iterations, stable)


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
        new = R + gamma * _best(torch, torch.sparse.mm(T, V), layout.columns)
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
    bound = float(bounds.max()) + noise if bounds.numel() else 0.0
    return BackendSolution(out.to(torch.float64), None, bound, iterations, converged)


def power_on_device(mdp: MDP, values: Any, gamma: float) -> Any:
    """POWER from optimal values on their device: (1−γ)·max_a E_{T(s,a)} V*.

    The same formula as :func:`powerseek.solvers.optimal_power`, with (1−γ)
    applied before the maximum, so on a deterministic MDP the numbers are
    those of the numpy kernels for the same values.

    Parameters
    ----------
    mdp : MDP
    values : torch.Tensor, shape (n_states, m)
        V*, state-major, float64.
    gamma : float in (0, 1)

    Returns
    -------
    torch.Tensor, shape (n_states, m)
    """
    torch = _torch()
    layout = mdp.cached(f"torch-layout-{values.device}", lambda: _Layout(torch, mdp, values.device))
    X = (1.0 - gamma) * values
    if layout.next_states is not None:
        return _best(torch, X, layout.next_states)
    return _best(torch, torch.sparse.mm(layout.T[X.dtype], X), layout.columns)


def device_block_moments(values: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """Count, mean and sum of squared deviations of samples on a device; one transfer back.

    The device's twin of :func:`powerseek.rewards.block_moments` for a whole
    run of samples (two passes, so no running update loses accuracy): a column
    of equal values has that value as its mean, and indicators are counted.

    Parameters
    ----------
    values : torch.Tensor, shape (m, ...)
        Per-sample values, sample axis first; float or bool.

    Returns
    -------
    tuple
        ``(m, mean, m2)``, numpy arrays of the values' trailing shape.
    """
    torch = _torch()
    n = int(values.shape[0])
    if values.dtype == torch.bool:  # k ones in n: m2 = k(n − k)/n exactly, as on the host
        ones = values.sum(dim=0).cpu().numpy()
        return n, ones / max(n, 1), ones * (n - ones) / max(n, 1)
    X = values.to(torch.float64)
    first = X[0]
    mean = torch.where((first == X).all(dim=0), first, X.sum(dim=0) / n)
    m2 = ((X - mean) ** 2).sum(dim=0)
    both = torch.stack([mean, m2]).cpu().numpy()  # the one transfer back
    return n, both[0], both[1]


def device_chunk_rows(
    mdp: MDP, device: Any, precision: str = "float64", memory: int = 2**28
) -> int:
    """Samples per chunk on a torch device: as many as its memory holds.

    A CUDA device gets half its free memory (the rest is left to PyTorch's
    caching allocator and other work); the CPU gets `memory` bytes. A sample
    takes about 8·(16·n_states + 2·n_pairs) bytes there: rewards, values and
    policy of the chunk and of the previous discount, the temporaries of
    policy evaluation by pointer doubling and of the maxima over actions, the
    pairs' expected values (stochastic MDPs), and POWER and its moments.

    Parameters
    ----------
    mdp : MDP
        The environment.
    device : str or torch.device
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    precision : {"float64", "float32"}
    memory : int, default 256 MiB
        The budget on the CPU.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    InvalidParameterError
        On a CUDA device whose free memory does not hold one sample, before
        anything is allocated there.
    """
    torch = _torch()
    resolved = check_device(device, precision)
    per_sample = 8 * (16 * mdp.n_states + 2 * mdp.n_pairs)
    if resolved.type == "cuda":
        free, _ = torch.cuda.mem_get_info(resolved)
        budget = free // 2
        if budget < per_sample:
            raise InvalidParameterError(
                f"`device` {device!r}: one sample of this {mdp.n_states:,}-state world needs "
                f"about {per_sample / 2**30:.1f} GiB there, and half its free memory is "
                f"{budget / 2**30:.1f} GiB; leave `device` unset to solve on the CPU."
            )
    else:
        budget = int(memory)
    return max(1, budget // max(per_sample, 1))
