"""Compiled (numba) kernels for policy iteration on deterministic MDPs.

The algorithm of :func:`powerseek.solvers._numpy_backend.policy_iteration`
compiled: its policy iteration step for step, in the same floating-point
operations; its value sweeps Gauss–Seidel (in place, forward then backward)
where numpy's are Jacobi, with the same certificate, so the two kernels'
values agree within their bounds (exactly, where the sweeps reach V*). One
sample at a time in contiguous scratch arrays, the samples split over threads
(the kernels release the GIL). numba is optional
(``pip install ".[fast]"``): without it :func:`available` is False and the
solvers use the numpy kernels.

Why numba: it compiles the loops as written, in numpy's own dtypes, with no
build step, is what QuantEcon uses, and is a wheel on every platform numpy
supports. A one-core loop over the pairs avoids the temporaries and ``take``
dispatches that bound the numpy kernel.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import NamedTuple

import numpy as np

from ..exceptions import InvalidParameterError, PowerseekError, install_hint

__all__ = [
    "KERNELS",
    "ComponentPlan",
    "NumbaUnavailableError",
    "available",
    "block_moments",
    "choose_kernel",
    "component_plan",
    "optimal_power",
    "policy_iteration",
    "split_over_threads",
    "stochastic_sweeps",
    "thread_count",
]

KERNELS = ("auto", "compiled", "numpy")
#: State-sample doubling steps above which loading the compiled kernel pays: about
#: where numpy's time equals the kernels' loading in a fresh process (0.4-0.5 s from
#: numba's disk cache). At 10^7, numpy took 0.15-0.23 s and the compiled kernel with
#: its loading 0.43-0.53 s (robot face, 100x100 grid); at this, 0.37-0.56 s and 0.46-0.67 s.
COMPILE_WORK = 25_000_000
#: Multiply-adds of a stochastic sweep that cost about one deterministic doubling step.
STOCHASTIC_WORK_PER_STEP = 50
#: States from which a deterministic world whose strongly connected components are
#: small (none over half the states) is solved component by component. Smaller
#: worlds are solved whole, which is fast there.
COMPONENT_STATES = 50_000


class NumbaUnavailableError(PowerseekError, ImportError):
    """The compiled kernel was asked for but numba is not installed."""


@cache
def available() -> bool:
    """Whether numba is installed, so that the compiled kernels can run.

    Looks for the package without importing it (importing numba takes about
    0.3 s, which a small run should not pay).

    Returns
    -------
    bool
    """
    return importlib.util.find_spec("numba") is not None


@cache
def _loadable() -> bool:
    """Whether the compiled kernels load here (numba imports and can compile them)."""
    try:
        _kernel()
        _settle_kernel()
        _stochastic_kernel()
    except Exception:  # a broken numba install, an unsupported platform: use numpy
        return False
    return True


def choose_kernel(kernel, mdp, n_samples: int, gammas) -> str:
    """The kernel a policy iteration of this size runs on.

    ``"auto"`` is the compiled kernel when numba is installed and the work is
    large enough to repay loading it, else numpy (whether this process has
    loaded it already does not count, so that a call's numbers do not depend
    on what ran before it):
    for a deterministic MDP the whole iteration, for a stochastic one its
    value sweeps (:func:`stochastic_sweeps`; the evaluations are sparse LU).

    Parameters
    ----------
    kernel : {"auto", "compiled", "numpy"}
    mdp : MDP
        The environment.
    n_samples : int
        Samples to be solved in all (over every chunk).
    gammas : sequence of float
        The discounts they are solved at.

    Returns
    -------
    {"compiled", "numpy"}

    Examples
    --------
    >>> from powerseek import load
    >>> choose_kernel("numpy", load("candy-wait"), 10**6, [0.9])
    'numpy'
    >>> choose_kernel("auto", load("turner-fig1"), 10, [0.0])   # γ = 0 needs no solve
    'numpy'
    """
    from ._kernels import doublings_for

    if kernel not in KERNELS:
        raise InvalidParameterError(
            f"`kernel` must be one of {', '.join(map(repr, KERNELS))}; got {kernel!r}."
        )
    if kernel == "compiled" and not available():
        raise NumbaUnavailableError(
            f"`kernel`='compiled' needs numba: {install_hint('fast')} (or leave "
            "`kernel` at 'auto', which falls back to numpy)."
        )
    if kernel != "auto":
        return kernel
    if not available():
        return "numpy"
    if mdp.successor_indices is not None:
        work = sum(
            mdp.n_states * n_samples * (doublings_for(g) + 1) for g in gammas if 0.0 < g < 1.0
        )
    else:  # the value sweeps of stochastic policy iteration, about 3/(1−γ) of them
        nnz = mdp.transition_matrix.nnz
        work = sum(nnz * n_samples * min(300, 3 / (1 - g)) for g in gammas if 0.0 < g < 1.0)
        work = work // STOCHASTIC_WORK_PER_STEP
    # By the work alone, never by whether this process has loaded the kernels: the
    # two kernels' sweeps differ in the last bits, and the same call must give the
    # same numbers in any process (a worker's, a fresh one, after other runs).
    return "compiled" if work >= COMPILE_WORK and _loadable() else "numpy"


def thread_count() -> int:
    """Threads a compiled solve splits its samples over.

    The cores this process may use, or ``POWERSEEK_THREADS`` when set; 1 when
    called from a worker thread (an executor already runs units side by side).

    Returns
    -------
    int
    """
    setting = os.environ.get("POWERSEEK_THREADS")
    if setting is not None:
        try:
            return max(1, int(setting))
        except ValueError:
            return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@cache
def _kernel():
    """The compiled per-sample loop (imports numba; compiled once, cached on disk)."""
    from ._numba_kernels import policy_iteration_samples

    return policy_iteration_samples


@cache
def _stochastic_kernel():
    from ._numba_kernels import stochastic_sweep_samples

    return stochastic_sweep_samples


def stochastic_sweeps(mdp, RT, X, gamma, sweeps, *, threads=None):
    """`sweeps` value sweeps of a stochastic MDP, compiled, the samples split over threads.

    ``X ← R + γ max_a Σ_t T(s, a, t) X(t)``, in place, with the same
    floating-point operations in the same order as the numpy sweep
    ``RT + γ·segment_max(T @ X)``, so the values are identical.

    Parameters
    ----------
    mdp : MDP
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards.
    X : numpy.ndarray, shape (n_states, m), C-contiguous float64
        The values swept, overwritten.
    gamma : float
    sweeps : int
    threads : int, optional
        Threads to split the samples over (default :func:`thread_count`).

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import gridworld
    >>> from powerseek.solvers._kernels import segment_max
    >>> mdp = gridworld.parse(["...", ".#."], noise=0.1)
    >>> RT = np.random.default_rng(0).random((mdp.n_states, 3))
    >>> X = RT.copy()
    >>> stochastic_sweeps(mdp, RT, X, 0.9, 2)
    >>> Y = RT.copy()
    >>> for _ in range(2):
    ...     Y = RT + 0.9 * segment_max(np.asarray(mdp.transition_matrix @ Y), mdp)
    >>> bool((X == Y).all())
    True
    """
    columns, weights = _padded_rows(mdp)
    args = (
        np.ascontiguousarray(RT, dtype=float),
        X,
        columns,
        weights,
        np.ascontiguousarray(mdp.pair_offsets, dtype=np.int64),
        float(gamma),
        int(sweeps),
    )
    _split(_stochastic_kernel(), args, (), RT.shape[1], threads)


#: Rows the compiled sweeps read per pass over a block (x0..x4 in _numba_kernels).
ROWS_PER_PASS = 5


def _passes_width(width: int) -> int:
    """`width` rounded up to whole passes of ROWS_PER_PASS rows."""
    return -(-width // ROWS_PER_PASS) * ROWS_PER_PASS


def _padded_rows(mdp):
    """Each pair's row of T as (columns, weights), zero weights padding it to a multiple of five.

    Storage order is kept, so that each sum runs as scipy's sparse product runs it;
    a padding entry repeats the row's first column.
    """

    def build():
        T = mdp.transition_matrix
        lengths = np.diff(T.indptr)
        width = _passes_width(int(lengths.max()))
        slot = np.arange(width)
        inside = slot[None, :] < lengths[:, None]
        take = np.where(inside, T.indptr[:-1, None] + slot[None, :], T.indptr[:-1, None])
        columns = np.ascontiguousarray(T.indices[take], dtype=np.int64)
        weights = np.ascontiguousarray(np.where(inside, T.data[take], 0.0), dtype=float)
        return columns, weights

    return mdp.cached("padded-rows", build)


@cache
def _component_kernel():
    from ._numba_kernels import component_policy_iteration_samples

    return component_policy_iteration_samples


@cache
def _power_kernel():
    from ._numba_kernels import power_samples

    return power_samples


@cache
def _moments_kernel():
    from ._numba_kernels import block_moments_rows

    return block_moments_rows


@cache
def _settle_kernel():
    from ._numba_kernels import settle_samples

    return settle_samples


@cache
def _mask_kernel():
    from ._numba_kernels import blackwell_mask_samples

    return blackwell_mask_samples


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < threads:
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="powerseek")
            _pool_size = threads
        return _pool


def split_over_threads(work, m: int, *, threads: int | None = None) -> None:
    """Run ``work(range(lo, hi))`` over ranges of `m` items, one range per thread.

    For work that releases the GIL (the compiled kernels, SuperLU); one
    thread runs it inline.

    Parameters
    ----------
    work : callable
        Takes a ``range`` of item indices.
    m : int
    threads : int, optional
        Default :func:`thread_count`.

    Examples
    --------
    >>> seen = []
    >>> split_over_threads(lambda items: seen.extend(items), 5, threads=2)
    >>> sorted(seen)
    [0, 1, 2, 3, 4]
    """
    _split(lambda lo, hi: work(range(lo, hi)), (), (), m, threads)


def _split(kernel, args, tail, m, threads):
    """Run ``kernel(*args, lo, hi, *tail)`` over sample ranges, one per thread."""
    threads = min(thread_count() if threads is None else max(1, int(threads)), max(m, 1))
    if threads <= 1:
        kernel(*args, 0, m, *tail)
        return
    edges = np.linspace(0, m, threads + 1).astype(int)
    pool = _executor(threads)
    futures = [
        pool.submit(kernel, *args, int(lo), int(hi), *tail) for lo, hi in zip(edges[:-1], edges[1:])
    ]
    for future in futures:
        future.result()


def blackwell_masks(mdp, near, nearer, gammas, tie_tol, noise, *, threads=None):
    """Optimal actions at the nearer of two discounts, and where the two disagree (compiled).

    The test of :func:`powerseek.solvers.blackwell_optimal`: pair p of
    state s is kept at γ when max_a V(succ) − tolerance ≤ V(succ(p)), with
    tolerance max(tie_tol·scale·(1−γ), noise·scale) and scale = max|V| of the
    sample; a state is unresolved when the test differs between the discounts
    for one of its pairs.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    near, nearer : numpy.ndarray, shape (n_states, m)
        State-major values at ``gammas[0]`` and ``gammas[1]``.
    gammas : tuple of two floats
    tie_tol, noise : float
    threads : int, optional

    Returns
    -------
    mask : numpy.ndarray of bool, shape (n_pairs, m)
        The test at ``gammas[1]``.
    unresolved : numpy.ndarray of bool, shape (n_states, m)

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")      # start, wait, candy, chocolate, hug
    >>> V = np.array([[1.0], [2.0], [1.0], [2.0], [0.0]])
    >>> W = np.array([[1.0], [2.0], [1.0], [0.0], [1.0]])   # hug beats chocolate
    >>> mask, unresolved = blackwell_masks(mdp, V, W, (0.5, 0.6), 1e-9, 1e-12)
    >>> mask.ravel().tolist()
    [False, True, False, True, True, True, True]
    >>> unresolved.ravel().tolist()   # only wait's choice changed
    [False, True, False, False, False]
    """
    near = np.ascontiguousarray(near, dtype=float)
    nearer = np.ascontiguousarray(nearer, dtype=float)
    m = near.shape[1]
    mask = np.empty((mdp.n_pairs, m), dtype=np.bool_)
    unresolved = np.empty((mdp.n_states, m), dtype=np.bool_)
    args = (
        near,
        nearer,
        np.ascontiguousarray(mdp.successor_indices, dtype=np.int32),
        np.ascontiguousarray(mdp.pair_offsets, dtype=np.int64),
        float(gammas[0]),
        float(gammas[1]),
        float(tie_tol),
        float(noise),
    )
    _split(_mask_kernel(), args, (mask, unresolved), m, threads)
    return mask, unresolved


def _padded_successors(mdp) -> tuple[np.ndarray, np.ndarray]:
    """Each state's pairs and their successor states, the last repeated to a multiple of five.

    The layout the compiled value sweeps read five successor rows at a time
    from; repeats leave each maximum and each first pair within a margin alone.

    Returns
    -------
    pairs, successors : numpy.ndarray of int64, shape (n_states, 5k)
    """
    from ._kernels import padded_pairs

    def build():
        pad = padded_pairs(mdp)
        width = _passes_width(pad.shape[1])
        pad = np.concatenate([pad, np.repeat(pad[:, -1:], width - pad.shape[1], axis=1)], axis=1)
        pairs = np.ascontiguousarray(pad, dtype=np.int64)
        return pairs, np.ascontiguousarray(mdp.successor_indices[pad], dtype=np.int64)

    return mdp.cached("padded-successors", build)


class ComponentPlan(NamedTuple):
    """A deterministic MDP's strongly connected components, in the order they are solved.

    The states are renumbered component by component, so that each component's
    arrays are contiguous.

    Attributes
    ----------
    order : numpy.ndarray of int32, shape (n_states,)
        The states, component by component: new state i is ``order[i]``.
    starts : numpy.ndarray of int64, shape (n_components + 1,)
        Component c is new states ``starts[c]`` to ``starts[c + 1] − 1``.
    successors : numpy.ndarray of int32, shape (n_pairs,)
        Each pair's successor, pairs and states renumbered (each state's pairs
        in their order).
    offsets : numpy.ndarray of int64, shape (n_states + 1,)
        The renumbered states' first pairs.
    largest : int
        The most states in one component.
    """

    order: np.ndarray
    starts: np.ndarray
    successors: np.ndarray
    offsets: np.ndarray
    largest: int


def component_plan(mdp) -> ComponentPlan | None:
    """The strongly connected components of a deterministic MDP, successors first.

    Every action leads to a state of its own component or of an earlier one, so
    that solving the components in this order finds each one's successors solved.
    Cached on the MDP.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.

    Returns
    -------
    ComponentPlan or None
        None where scipy's labels are not in that order (Pearce's algorithm,
        which scipy runs, numbers a component after every component it
        reaches; the order is checked rather than assumed).

    Examples
    --------
    >>> from powerseek import load
    >>> plan = component_plan(load("candy-wait"))  # start, wait, candy, chocolate, hug
    >>> plan.starts.tolist(), plan.largest       # every state its own component
    ([0, 1, 2, 3, 4, 5], 1)
    >>> plan.order[-2:].tolist()                 # wait, then start, last
    [1, 0]
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    def build():
        n = mdp.n_states
        offsets = np.asarray(mdp.pair_offsets, dtype=np.int64)
        succ = np.asarray(mdp.successor_indices)
        graph = csr_matrix((np.ones(succ.size, dtype=np.int8), succ, offsets), shape=(n, n))
        count, labels = connected_components(graph, directed=True, connection="strong")
        lengths = np.diff(offsets)
        if (labels[succ] > np.repeat(labels, lengths)).any():
            return None
        sizes = np.bincount(labels, minlength=count)
        starts = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        order = np.argsort(labels, kind="stable").astype(np.int32)
        position = np.empty(n, dtype=np.int32)
        position[order] = np.arange(n, dtype=np.int32)
        new_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths[order], out=new_offsets[1:])
        # new pair k of new state i is old pair offsets[order[i]] + (k − new_offsets[i])
        shift = np.repeat(offsets[order] - new_offsets[:-1], lengths[order])
        old_pairs = shift + np.arange(succ.size, dtype=np.int64)
        successors = position[succ[old_pairs]]
        largest = int(sizes.max(initial=0))
        return ComponentPlan(order, starts, successors, new_offsets, largest)

    return mdp.cached("component-plan", build)


def _solves_by_components(mdp, components) -> ComponentPlan | None:
    """The plan policy_iteration solves by, or None to solve the world whole."""
    if components is False or mdp.n_states == 0:
        return None
    if components is None and mdp.n_states < COMPONENT_STATES:
        return None
    plan = component_plan(mdp)
    if plan is None or (components is None and 2 * plan.largest > mdp.n_states):
        return None
    return plan


def policy_iteration(mdp, RT, gamma, tol, max_iter, policy, *, threads=None, components=None):
    """Policy iteration on a deterministic MDP, compiled, the samples split over threads.

    Returns a :class:`~powerseek.solvers.BackendSolution` as
    :func:`powerseek.solvers._numpy_backend.policy_iteration` does, its values
    within the two bounds of that kernel's (its value sweeps are Gauss–Seidel,
    numpy's Jacobi), and identical where the sweeps reach V* itself, as below.

    A world of at least :data:`COMPONENT_STATES` states none of whose strongly
    connected components holds half of them (an object level, where coins are
    taken and boxes cornered for good) is solved component by component instead,
    successors first (:func:`component_plan`): each component's policy iteration
    sees its successors' final values, and a policy is evaluated exactly on its
    functional graph, V(s) = R(s) + γ V(next) from each path's end and
    V = Σ_i γ^i R(y_i) / (1 − γ^L) on a cycle of L states, in one pass over the
    component. The policies are optimal and the bound is the same Bellman
    residual; the values agree with the whole-world solve to within it, not bit for bit.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    RT : numpy.ndarray, shape (n_states, m)
        State-major rewards; the kernels work sample-major, so ``R.T`` of a
        C-contiguous R is taken without a copy, and the values and policies
        returned are transposed views of sample-major arrays.
    gamma : float in (0, 1)
    tol : float
        Unused (the iteration stops when the policy is stable), as in the numpy kernel.
    max_iter : int
    policy : numpy.ndarray of int, shape (n_states, m), optional
        A starting policy as pair indices (default greedy on R).
    threads : int, optional
        Threads to split the samples over (default :func:`thread_count`).
    components : bool, optional
        Solve component by component (True), the world whole (False), or
        choose by the rule above (None, the default).

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> from powerseek.solvers import _numpy_backend as numpy_backend
    >>> mdp = load("powerplay-maze-7x7")
    >>> RT = np.random.default_rng(0).random((mdp.n_states, 50))
    >>> ours = policy_iteration(mdp, RT, 0.99, 1e-9, 100, None)
    >>> theirs = numpy_backend.policy_iteration(mdp, RT, 0.99, 1e-9, 100, None)
    >>> bool((ours.values == theirs.values).all() and (ours.policy == theirs.policy).all())
    True
    >>> by_parts = policy_iteration(mdp, RT, 0.99, 1e-9, 100, None, components=True)
    >>> bool(abs(by_parts.values - theirs.values).max() <= by_parts.bound / (1 - 0.99))
    True
    """
    from ._kernels import BackendSolution, doublings_for, noise_floor, sweep_budget

    n, m = RT.shape
    RS = np.ascontiguousarray(RT.T, dtype=float)  # sample-major: no copy for a view R.T
    successors = np.ascontiguousarray(mdp.successor_indices, dtype=np.int32)
    offsets = np.ascontiguousarray(mdp.pair_offsets, dtype=np.int64)
    floor = noise_floor(RT, gamma)
    start = policy is not None
    PS = np.array(np.asarray(policy).T, dtype=np.int64, order="C") if start else None
    VS = np.empty((m, n))
    out = np.zeros((m, 3))
    plan = _solves_by_components(mdp, components)
    if plan is not None:
        if PS is None:
            PS = np.empty((m, n), dtype=np.int64)
        args = (RS, plan.successors, plan.offsets, plan.starts, plan.order, offsets, start, PS)
        args += (float(gamma), floor, int(max_iter))
        _split(_component_kernel(), args, (VS, out), m, threads)
        rest = np.arange(0)
    elif start:
        rest = np.arange(m)
    else:  # value sweeps first; policy iteration for the samples they do not settle
        PS = np.empty((m, n), dtype=np.int64)
        settled = np.zeros(m, dtype=np.bool_)
        pairs, padded = _padded_successors(mdp)
        args = (RS, padded, pairs, float(gamma), floor)
        tail = (VS, PS, out, settled)
        _split(_settle_kernel(), (*args, sweep_budget(mdp, gamma)), tail, m, threads)
        rest = np.flatnonzero(~settled)
    if rest.size:
        whole = rest.size == m
        R_rest, policy_rest = (RS, PS) if whole else (RS[rest], PS[rest])
        V_rest = VS if whole else np.empty_like(R_rest)
        out_rest = np.zeros((rest.size, 3))
        args = (
            R_rest,
            successors,
            offsets,
            policy_rest,
            float(gamma),
            doublings_for(gamma),
            floor[rest],
            int(max_iter),
        )
        _split(_kernel(), args, (V_rest, out_rest), rest.size, threads)
        if not whole:
            VS[rest] = V_rest
            PS[rest] = policy_rest
        out_rest[:, 1] += out[rest, 1]  # the sweeps before
        out[rest] = out_rest
    bound = float(out[:, 0].max()) if m else 0.0
    iterations = int(out[:, 1].max()) if m else 0
    V, policy = VS.T, PS.T  # state-major views
    return BackendSolution(V, policy, bound, iterations, bool(out[:, 2].all()))


def optimal_power(mdp, values, gamma, *, kernel="numpy", threads=None):
    """Per-sample POWER from optimal values: (1−γ)·max_a E_{T(s,a)} V*(s').

    On the compiled kernel (deterministic MDPs) one pass over each sample's
    values, with the same numbers as the numpy route: rounding is monotone, so
    (1−γ)·max equals the largest of the products (1−γ)·V(s') that
    ``segment_max(expected_next(mdp, (1−γ)V))`` takes.

    Parameters
    ----------
    mdp : MDP
        The environment.
    values : numpy.ndarray, shape (m, n_states)
        Sample-major optimal values V* at `gamma`.
    gamma : float in (0, 1)
        The discount rate γ.
    kernel : {"numpy", "compiled"}, default "numpy"
        "compiled" needs numba and a deterministic MDP; otherwise numpy runs.
    threads : int, optional
        Threads to split the samples over (default :func:`thread_count`).

    Returns
    -------
    numpy.ndarray, shape (m, n_states)

    Examples
    --------
    >>> import numpy as np
    >>> from powerseek import load
    >>> mdp = load("candy-wait")   # start, wait, candy, chocolate, hug
    >>> V = np.array([[1.0, 2.0, 0.5, 4.0, 2.0]])
    >>> optimal_power(mdp, V, 0.5).tolist()
    [[1.0, 2.0, 0.25, 2.0, 1.0]]
    """
    from ._kernels import best_next

    values = np.asarray(values, dtype=float)
    if kernel != "compiled" or mdp.successor_indices is None or not available():
        return best_next(mdp, (1.0 - gamma) * values.T).T
    VS = np.ascontiguousarray(values)
    m = VS.shape[0]
    PW = np.empty_like(VS)
    _split(_power_kernel(), (VS, _padded_successors(mdp)[1], float(gamma)), (PW,), m, threads)
    return PW


def block_moments(values, sizes):
    """Each block's count, mean and sum of squared deviations, compiled.

    The statistics of :func:`powerseek.rewards.block_moments`, the same
    numbers, for consecutive blocks of rows in one call: one pass for each
    block's shifted sum and one for its squared deviations, while its rows are
    in cache, where numpy makes several passes and temporaries per block.

    Parameters
    ----------
    values : numpy.ndarray, shape (m, ...)
        Per-sample values, sample axis first (not booleans).
    sizes : sequence of int
        The blocks' row counts, summing to m.

    Returns
    -------
    list of (int, numpy.ndarray, numpy.ndarray)
        One ``(n, mean, m2)`` per block, each of the values' trailing shape.

    Examples
    --------
    >>> import numpy as np
    >>> [(n, mean.tolist(), m2.tolist()) for n, mean, m2 in
    ...  block_moments(np.array([[1.0], [2.0], [3.0], [5.0]]), [3, 1])]
    [(3, [2.0], [2.0]), (1, [5.0], [0.0])]
    """
    values = np.asarray(values, dtype=float)
    shape = values.shape[1:]
    rows = np.ascontiguousarray(values.reshape(values.shape[0], -1))
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    means = np.empty((len(sizes), rows.shape[1]))
    m2 = np.empty_like(means)
    _moments_kernel()(rows, starts, means, m2)
    return [
        (int(n), mean.reshape(shape), sq.reshape(shape)) for n, mean, sq in zip(sizes, means, m2)
    ]
