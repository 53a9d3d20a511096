"""The chunked Monte Carlo loop shared by every analysis.

For each chunk of sample blocks: draw the rewards once, and for every γ
(warm-started from the previous one) solve, then hand a :class:`Context` to
each requested quantity, whose per-sample values are accumulated block by
block. Every γ and every quantity sees the same reward samples (common
random numbers), so differences between states, actions or discounts have
small variance. On a torch device (``device=``) the chunks are as large as
the device holds, are solved there, and quantities that can finish there
(POWER, its differences) send back only their moments.

Analyses in other subpackages (the bounded agents of :mod:`powerseek.agents`)
define their quantities on the same :class:`Context` and run them through
:func:`prepare` and :func:`execute`.
"""

from __future__ import annotations

import numbers
import pickle
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from .._progress import progress_bar
from .._validation import check_gamma, check_gammas, check_rewards, stream_seed
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..mdp import MDP
from ..rewards import (
    IID,
    Accumulator,
    Block,
    Estimate,
    RewardDistribution,
    SamplePlan,
    TreeFold,
    block_moments,
)
from ..solvers import (
    CACHE_NUMBERS,
    SolverDiagnostics,
    SolveResult,
    blackwell_optimal,
    check_device,
    choose_kernel,
    compiled_block_moments,
    device_block_moments,
    device_chunk_rows,
    expected_next,
    lexicographic_optimal,
    optimal_gains,
    optimal_power,
    segment_max,
    solve,
    solve_on_device,
)
from ._options import EngineOptions

__all__ = [
    "DEFAULT_TIE_TOL", "Context", "ContextArray", "EngineOutput", "PairwiseDifferences", "Quantity",
    "Run", "context_for", "execute", "prepare", "run", "solver_report",
]  # fmt: skip

#: Default tie tolerance, relative to the largest |reward| of a sample.
DEFAULT_TIE_TOL = 1e-9
#: Samples per chunk, at least, on the compiled kernel of a deterministic world: its
#: sweeps keep 32 samples in cache whatever the chunk, and a chunk of several such
#: groups lets finished samples hand their columns on and splits over threads.
COMPILED_CHUNK_ROWS = 256
#: Numbers per array of a chunk on that kernel: its chunks are sized against the cost
#: of each call, not the cache (2^18: 1.3x less CPU than CACHE_NUMBERS's chunks on the
#: robot face).
COMPILED_CHUNK_NUMBERS = 2**18


@dataclass
class Context:
    """What the quantities of one chunk at one γ may use (arrays state-major).

    Attributes
    ----------
    mdp : MDP
        The environment.
    gamma : float
        The discount rate of this pass.
    rewards : numpy.ndarray
        The chunk's reward samples, shape (n_states, m).
    tie_tol : float
        Relative tolerance within which two values are tied.
    solver : callable or None
        Solves the chunk once, when optimal values are first needed.
    kernel : str
        The solver kernel of the γ → 1 limit's solves.
    entropy : tuple of int
        The sample plan's entropy, which seeds the per-block random streams.
    blocks : tuple of Block
        The sample blocks of the chunk, in order.
    solve_kernel : str
        The kernel the chunk's solves ran on; "compiled" computes POWER there too.
    device_solver : callable or None
        On a torch device: solves the chunk there, once, when first needed
        (:func:`~powerseek.solvers.solve_on_device`); quantities that can
        finish on the device read :meth:`device_array`.

    """

    mdp: MDP
    gamma: float
    rewards: np.ndarray  # (n_states, m)
    tie_tol: float
    solver: Callable[[], SolveResult] | None = None  # called once, when V* is first needed
    kernel: str = "auto"  # of the γ → 1 limit's solves
    entropy: tuple[int, ...] = (0,)  # of the sample plan: seeds the per-block streams
    blocks: tuple[Block, ...] = ()  # the sample blocks of the chunk, in order
    solve_kernel: str = "numpy"  # the kernel of the solves: POWER is computed there too
    device_solver: Callable[[], Any] | None = None  # on a torch device: the solve, kept there
    _cache: dict = field(default_factory=dict, init=False, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value stored under `key` for this chunk and γ, computed on first use.

        Quantities and decision rules that need the same intermediate array (a
        rule's policy for its choices and for its POWER, expected successor POWER
        for both its means and its differences) compute it once per chunk and γ.
        Keys should name their owner, e.g. ``("soft-optimal", rule)``.

        Parameters
        ----------
        key : hashable
            Names the value; include the owner, e.g. ``("soft-optimal", rule)``.
        compute : callable
            Computes the value; called on the first request only.

        Examples
        --------
        >>> from powerseek import load
        >>> ctx = context_for(load("candy-wait"), [[0, 0, 0.2, 0.9, 0.4]], 0.5)
        >>> calls = []
        >>> first = ctx.memo(("mine", 1), lambda: calls.append(1) or 42)
        >>> again = ctx.memo(("mine", 1), lambda: calls.append(1) or 43)
        >>> first, again, len(calls)
        (42, 42, 1)
        """
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def streams(self) -> list[tuple[slice, np.random.Generator]]:
        """Each sample block's columns and its own random stream.

        Streams are keyed by the block's index, so decision rules draw the same
        numbers at every γ (common random numbers) and whatever the chunk size
        or executor. Without blocks (explicit rewards) there is one stream.
        """
        m = self.rewards.shape[1]
        if not self.blocks:
            seed = np.random.SeedSequence(list(self.entropy), spawn_key=(2,))
            return [(slice(0, m), np.random.default_rng(seed))]
        out, offset = [], 0
        for block in self.blocks:
            seed = np.random.SeedSequence(list(self.entropy), spawn_key=(2, block.index))
            out.append((slice(offset, offset + block.size), np.random.default_rng(seed)))
            offset += block.size
        return out

    def per_block(self, draw: Callable[[np.random.Generator, int], np.ndarray]) -> np.ndarray:
        """Randomness drawn block by block: ``draw(generator, size)`` per stream.

        Each call returns an array whose last axis holds `size` samples; the
        blocks' arrays are joined along it (see :meth:`streams`).

        Parameters
        ----------
        draw : callable
            ``draw(generator, size)`` returns an array whose last axis holds `size` samples.

        """
        parts = [np.asarray(draw(g, s.stop - s.start)) for s, g in self.streams()]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)

    @property
    def result(self) -> SolveResult:
        """The solver's result for these rewards (0 < γ < 1), computed on first use."""
        if "result" not in self._cache:
            if self.device_solver is not None:  # brought back from the device
                self._cache["result"] = self.device_result.to_numpy()
            else:
                self._cache["result"] = self.solver()
        return self._cache["result"]

    @property
    def device_result(self) -> Any:
        """On a torch device, the solve left there (a DeviceSolveResult), on first use."""
        if "device_result" not in self._cache:
            self._cache["device_result"] = self.device_solver()
        return self._cache["device_result"]

    def device_array(self, name: str) -> Any:
        """A state-major tensor on the torch device (``"power"``, ``"values"``), or None.

        None where the chunk is not solved on a device, at γ = 0 and γ = 1
        (whose limits are computed on the host), and for other names.

        Parameters
        ----------
        name : str
            ``"power"`` or ``"values"``.

        """
        if self.device_solver is None or not 0.0 < self.gamma < 1.0:
            return None
        if name == "values":
            return self.device_result.values.T
        if name == "power":
            return self.memo(("device", "power"), lambda: self.device_result.power().T)
        return None

    @property
    def solved(self) -> bool:
        """Whether the optimal values were computed (a rule may need none)."""
        return "result" in self._cache or "device_result" in self._cache

    @property
    def diagnostics(self) -> SolverDiagnostics:
        """The solve's diagnostics, wherever it ran (see :attr:`solved`)."""
        if "device_result" in self._cache:
            return self.device_result.diagnostics
        return self.result.diagnostics

    @property
    def values(self) -> np.ndarray:
        """(n_states, m): V* (0 < γ < 1)."""
        return self.result.values.T

    @property
    def error_bound(self) -> float:
        """The solver's bound on (1−γ)‖V − V*‖ (0 if nothing was solved)."""
        return self.result.error_bound if self.solved else 0.0

    @property
    def tie_margin(self) -> np.ndarray:
        """(m,): values closer than this tie, ``tie_tol`` times each sample's largest |reward|."""
        if "tie_margin" not in self._cache:
            scale = np.maximum(np.abs(self.rewards).max(axis=0), 1e-300)
            self._cache["tie_margin"] = self.tie_tol * scale
        return self._cache["tie_margin"]

    @property
    def continuation(self) -> np.ndarray:
        """(n_pairs, m): E_{T(s,a)} X with X = (1−γ)V* (0<γ<1), R (γ=0) or g* (γ=1)."""
        if "continuation" not in self._cache:
            if self.gamma == 0.0:
                X = self.rewards
            elif self.gamma == 1.0:
                X = optimal_gains(self.mdp, self.rewards)
            else:
                X = (1.0 - self.gamma) * self.values
            self._cache["continuation"] = expected_next(self.mdp, X)
        return self._cache["continuation"]

    @property
    def power(self) -> np.ndarray:
        """(n_states, m): per-sample POWER, (1−γ)·max_a E V*(s') and its limits."""
        if "power" not in self._cache:
            on_device = self.device_array("power")
            if on_device is not None:  # the device's numbers, brought back
                self._cache["power"] = on_device.cpu().numpy()
            elif 0.0 < self.gamma < 1.0 and "continuation" not in self._cache:
                # from V* directly, on the solves' kernel: the same numbers
                values = self.result.values
                self._cache["power"] = optimal_power(
                    self.mdp, values, self.gamma, kernel=self.solve_kernel
                ).T
            else:
                self._cache["power"] = segment_max(self.continuation, self.mdp)
        return self._cache["power"]

    @property
    def optimal(self) -> np.ndarray:
        """(n_pairs, m) booleans: the action is optimal (weakly, Def 4.4)."""
        if "optimal" not in self._cache:
            unresolved = np.zeros((self.mdp.n_states, self.rewards.shape[1]), dtype=bool)
            if self.gamma == 0.0:
                mask = lexicographic_optimal(self.mdp, self.rewards, self.tie_tol)
            elif self.gamma == 1.0:
                mask, unresolved = blackwell_optimal(
                    self.mdp, self.rewards, self.tie_tol, kernel=self.kernel
                )
            else:
                C = self.continuation
                best = segment_max(C, self.mdp)
                # on the (1−γ)V scale: solver error moves each C by ≤ error_bound
                tolerance = self.tie_margin + 2.0 * self.error_bound
                mask = best[self.mdp.pair_states] - tolerance <= C
            self._cache["optimal"] = mask
            self._cache["unresolved"] = unresolved
        return self._cache["optimal"]

    @property
    def unresolved(self) -> np.ndarray:
        """(n_states, m) booleans: at γ = 1, Blackwell sets not settled by the two discounts."""
        self.optimal  # noqa: B018 - computes both
        return self._cache["unresolved"]


#: A quantity: the shape of its per-sample value and the function computing it from a
#: :class:`Context`. The function must pickle (a module-level function or a small object
#: such as :class:`ContextArray`, not a closure): work units run in other processes too.
Quantity = tuple[tuple[int, ...], Callable[[Context], np.ndarray]]


@dataclass(frozen=True, eq=False)
class ContextArray:
    """A picklable quantity function: one of the Context's arrays, some rows, transposed.

    Parameters
    ----------
    name : str
        The :class:`Context` attribute: ``"power"``, ``"optimal"``, ``"unresolved"``.
    rows : numpy.ndarray of int, optional
        Rows to keep (default all).
    transpose : bool, default True
        Samples first, as the engine accumulates them.

    Examples
    --------
    >>> import pickle
    >>> from powerseek import load
    >>> ctx = context_for(load("candy-wait"), [[0, 0, 0.2, 0.9, 0.4]], 0.5)
    >>> pickle.loads(pickle.dumps(ContextArray("power")))(ctx).round(3).tolist()
    [[0.45, 0.9, 0.2, 0.9, 0.4]]
    """

    name: str
    rows: np.ndarray | None = None
    transpose: bool = True

    def __call__(self, ctx: Context) -> np.ndarray:
        """The array's rows, samples first unless `transpose` is False."""
        return self._select(getattr(ctx, self.name))

    def on_device(self, ctx: Context) -> Any:
        """The same on the chunk's torch device, or None where it is not there.

        Parameters
        ----------
        ctx : Context
            The chunk at one γ.

        """
        values = ctx.device_array(self.name)
        return None if values is None else self._select(values)

    def _select(self, values: Any) -> Any:
        if self.rows is not None:
            values = values[self.rows]
        return values.T if self.transpose else values


@dataclass(frozen=True, eq=False)
class PairwiseDifferences:
    """A picklable quantity function: every pairwise difference of another quantity's values.

    Estimating ``values[i] − values[j]`` per sample on common samples gives each
    difference the standard error of the per-sample differences (common random
    numbers), not that of two independent estimates.

    Parameters
    ----------
    values : callable
        A quantity function returning shape (m, k) (booleans count as 0 and 1).

    Examples
    --------
    >>> from powerseek import load
    >>> ctx = context_for(load("candy-wait"), [[0, 0, 0.2, 0.9, 0.4]], 0.5)
    >>> PairwiseDifferences(ContextArray("power", [1, 2]))(ctx).round(3).tolist()
    [[[0.0, 0.7], [-0.7, 0.0]]]
    """

    values: Callable[[Context], np.ndarray]

    def __call__(self, ctx: Context) -> np.ndarray:
        """(m, k, k): ``values[:, i] − values[:, j]``."""
        x = np.asarray(self.values(ctx), dtype=float)
        return x[:, :, None] - x[:, None, :]

    def on_device(self, ctx: Context) -> Any:
        """The same on the chunk's torch device, or None where it is not there.

        Parameters
        ----------
        ctx : Context
            The chunk at one γ.

        """
        on_device = getattr(self.values, "on_device", None)
        x = None if on_device is None else on_device(ctx)
        return None if x is None else x[:, :, None] - x[:, None, :]


def context_for(
    mdp: MDP,
    rewards: Any,
    gamma: float,
    *,
    method: str = "auto",
    tol: float = 1e-9,
    tie_tol: float = DEFAULT_TIE_TOL,
    rng: Any = None,
    seed: Any = None,
) -> Context:
    """A solved :class:`Context` for explicit reward vectors (no sampling).

    Parameters
    ----------
    mdp : MDP
        The environment.
    rewards : array_like, shape (m, n_states)
        One reward vector per row.
    gamma : float in [0, 1]
        The discount rate γ.
    method, tol
        The solver and its error bound, as for :func:`powerseek.solve`.
    tie_tol : float, default DEFAULT_TIE_TOL
        Values this close (relative to a sample's largest reward) tie.
    rng : int or numpy.random.Generator, optional
        Seeds the randomness of decision rules (:meth:`Context.per_block`); default 0.
    seed : int, optional
        The old name of `rng` (a FutureWarning; it goes in the next release).

    Returns
    -------
    Context
        Solved on first use of its optimal values.
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    entropy = stream_seed(rng, seed, "context_for()")
    gamma = check_gamma(gamma)
    R = check_rewards(rewards, mdp)
    return Context(
        mdp,
        gamma,
        np.ascontiguousarray(R.T),
        float(tie_tol),
        solver=lambda: solve(mdp, R, gamma, method=method, tol=tol),
        entropy=(entropy,),
    )


def solver_report(diagnostics: SolverDiagnostics | None, gamma: float) -> dict[str, Any]:
    """The ``solver`` field of a result at `gamma`.

    Parameters
    ----------
    diagnostics : SolverDiagnostics or None
        Merged over the run's chunks; None where nothing was solved.
    gamma : float
        The discount rate γ.

    Returns
    -------
    dict
        The diagnostics as plain data, or what stood in for a solver (the γ → 0
        and γ → 1 limits need none).
    """
    if gamma == 0.0:
        return {"method": "closed form (gamma = 0: one-step lookahead)", "error_bound": 0.0}
    if gamma == 1.0:
        return {"method": "limit (gamma -> 1: best reachable average reward)"}
    if diagnostics is None:
        return {"method": "none (no optimal values were needed)"}
    return diagnostics.to_dict()


@dataclass(frozen=True)
class Run:
    """A validated run: the sample plan, the discounts and the engine's options.

    Built once by :func:`prepare` (which :func:`run` calls); the solver, sampling
    and execution settings are read from `options`.

    Attributes
    ----------
    plan : SamplePlan
        How the reward samples are drawn, in blocks.
    gammas : tuple of float
        The discount rates, validated.
    options : EngineOptions
        The solver, sampling and execution settings.
    tie_tol : float
        Relative tolerance within which two values are tied.
    chunk_rows : int
        Reward samples per chunk.
    kernel : str
        The solver kernel decided for the whole run.
    progress : bool or None
        Show a progress bar (None: only on a terminal).

    """

    plan: SamplePlan
    gammas: tuple[float, ...]
    options: EngineOptions
    tie_tol: float
    chunk_rows: int
    kernel: str = "numpy"  # the solver kernel decided for the whole run
    progress: bool | None = False

    @property
    def method(self) -> str:
        """The solver method asked for."""
        return self.options.solver.method

    @property
    def tol(self) -> float:
        """The solver's error bound on the POWER scale."""
        return self.options.solver.tol

    @property
    def kernel_option(self) -> str:
        """The kernel as asked for: the γ → 1 limit decides for its own solves."""
        return self.options.solver.kernel

    @property
    def confidence(self) -> float:
        """The confidence level of the intervals."""
        return float(self.options.sampling.confidence)

    @property
    def executor(self) -> Any:
        """Where work units run (None: here)."""
        return self.options.execution.executor

    @property
    def device(self) -> Any:
        """The torch device of the solves (None: numpy)."""
        return self.options.execution.device

    @property
    def precision(self) -> str:
        """The torch precision of the solves."""
        return self.options.execution.precision

    def local(self) -> Run:
        """The run as a work unit sees it: no executor (it is one) and no progress bar."""
        execution = replace(self.options.execution, executor=None)
        return replace(self, options=replace(self.options, execution=execution), progress=False)

    def provenance(self, mdp: MDP) -> dict[str, Any]:
        """Where a result came from: environment, samples, seed, distribution.

        Parameters
        ----------
        mdp : MDP
            The environment the run analyses.

        """
        return {
            "environment": mdp.name,
            "n_samples": self.plan.n_samples,
            "seed": self.plan.seed,
            "distribution": self.plan.dist.describe(),
            "sampling": self.plan.method,
            "device": "numpy" if self.device is None else f"torch {self.device} {self.precision}",
        }


def prepare(
    mdp: MDP,
    gammas: Any,
    *,
    dist: RewardDistribution | None,
    n_samples: int | None,
    rng: Any,
    progress: bool | None,
    options: EngineOptions,
    tie_tol: float = DEFAULT_TIE_TOL,
) -> Run:
    """Validate the common arguments once and build the sample plan.

    The first half of :func:`run`, for callers that need the validated run
    before they can build their quantities.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gammas : float or sequence of float
        The discount rates, one result per value.
    dist : RewardDistribution or None
        The distribution D of reward functions.
    n_samples : int or None
        The number of reward functions drawn.
    rng : None, int or numpy.random.Generator
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    progress : bool or None
        Show a progress bar (None: only on a terminal).
    options : EngineOptions
        The engine's settings, as :meth:`EngineOptions.gather` returns them.
    tie_tol : float, default DEFAULT_TIE_TOL
        Relative tolerance within which two values count as tied.

    Returns
    -------
    Run
    """
    qmc, n_replicates = options.sampling.qmc, options.sampling.n_replicates
    confidence = options.sampling.confidence
    chunk_size, memory = options.execution.chunk_size, options.execution.memory
    executor, device = options.execution.executor, options.execution.device
    precision = options.execution.precision
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    gamma_values = check_gammas(gammas)
    plan = SamplePlan(
        IID() if dist is None else dist,
        mdp,
        n_samples,
        rng=rng,
        qmc=qmc,
        n_replicates=n_replicates,
    )
    if plan.n_samples < 2:
        raise InvalidParameterError(
            f"`n_samples` must be at least 2 to give a standard error; got {plan.n_samples}."
        )
    if isinstance(tie_tol, bool) or not isinstance(tie_tol, numbers.Real) or not tie_tol >= 0:
        raise InvalidParameterError(f"`tie_tol` must be a non-negative number; got {tie_tol!r}.")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not (0 < confidence < 1)
    ):
        raise InvalidParameterError(f"`confidence` must be in (0, 1); got {confidence!r}.")
    # decided once for the whole run, so every chunk runs on the same kernel
    kernel = choose_kernel(options.solver.kernel, mdp, plan.n_samples, gamma_values)
    check_device(device, precision)  # fail now, not in a work unit
    if chunk_size is None and device is not None:
        # on a torch device, as many samples as its memory holds: a GPU is fed
        # large chunks, and each sends back only its moments
        chunk_rows = device_chunk_rows(mdp, device, precision, memory)
    elif chunk_size is None:
        # The solvers gather along the state axis of (n_states, rows) arrays, so
        # they run fastest when a chunk's arrays stay in cache (about 2^16
        # numbers each); the memory budget caps the size too. The compiled
        # kernel works sample by sample, with fewer temporaries.
        cache_rows = max(32, CACHE_NUMBERS // mdp.n_states)
        if kernel == "compiled" and mdp.is_deterministic:
            per_sample = 8 * (4 * mdp.n_states + 2 * mdp.n_pairs)
            cache_rows = max(COMPILED_CHUNK_NUMBERS // mdp.n_states, COMPILED_CHUNK_ROWS)
        else:
            per_sample = 8 * (12 * mdp.n_states + 4 * mdp.n_pairs)
        chunk_rows = max(1, min(cache_rows, int(memory) // per_sample))
    else:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral):
            raise InvalidTypeError(f"`chunk_size` must be a positive integer; got {chunk_size!r}.")
        if chunk_size <= 0:
            raise InvalidParameterError(
                f"`chunk_size` must be a positive integer; got {chunk_size}."
            )
        chunk_rows = int(chunk_size)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InvalidTypeError(
            "`executor` must be a concurrent.futures.Executor (or have its submit method, as "
            f"a dask.distributed Client does); got {type(executor).__name__}."
        )
    return Run(plan, gamma_values, options, float(tie_tol), chunk_rows, kernel, progress)


@dataclass(frozen=True)
class EngineOutput:
    """What :func:`run` returns: the validated run, the estimates and the solver reports.

    Attributes
    ----------
    run : Run
        The validated settings: discounts, sample plan, options.
    estimates : mapping
        ``(γ index, quantity name) -> Estimate``.
    solver : tuple of dict
        One report per γ (:func:`solver_report`).
    """

    run: Run
    estimates: Mapping[tuple[int, str], Estimate]
    solver: tuple[dict[str, Any], ...]

    def per_gamma(self, name: str) -> tuple[Estimate, ...]:
        """A quantity's estimates, one per γ in order.

        Parameters
        ----------
        name : str
            The quantity's name, as given to :func:`run`.

        """
        return tuple(self.estimates[(g, name)] for g in range(len(self.run.gammas)))


def run(
    mdp: MDP,
    gammas: Any,
    quantities: Mapping[str, Quantity] | Callable[[Run], Mapping[str, Quantity]],
    *,
    dist: RewardDistribution | None = None,
    n_samples: int | None = 10_000,
    rng: Any = None,
    options: EngineOptions | None = None,
    tie_tol: float = DEFAULT_TIE_TOL,
    progress: bool | None = False,
    label: str = "samples",
) -> EngineOutput:
    """Estimate quantities of optimal (or any) behaviour over reward samples, at every γ.

    The one entry point of the engine: every analysis (POWER, optimality, the
    bounded agents' choices and POWER, ...) validates its arguments here once,
    draws the rewards in blocks, solves each chunk at every γ on the same samples
    (common random numbers), hands each quantity a :class:`Context` and merges
    the per-sample values block by block into estimates with standard errors.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gammas : float or sequence of float
        Discounts in [0, 1], validated here (0 and 1 are the limits).
    quantities : mapping or callable
        ``name -> (shape, function)``: ``function(ctx)`` returns the per-sample
        values, shape ``(m, *shape)`` for the chunk's m samples (booleans for
        indicators). The function must pickle (a module-level function or a small
        object such as :class:`ContextArray`): work units may run in other
        processes. Or a callable taking the validated :class:`Run` (its discounts,
        its tolerance) and returning that mapping.
    dist : RewardDistribution, optional
        Default IID uniform on [0, 1].
    n_samples : int or None, default 10000
        None for a distribution of fixed size.
    rng : None, int or numpy.random.Generator
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    options : EngineOptions, optional
        Solver, sampling and execution settings (default the defaults).
    tie_tol : float, default DEFAULT_TIE_TOL
        Values this close (relative to a sample's largest reward) tie.
    progress : bool or None, default False
        A progress bar (None: on a terminal).
    label : str, default "samples"
        The progress bar's label.

    Returns
    -------
    EngineOutput

    See Also
    --------
    Context : what a quantity reads.
    ContextArray : a picklable quantity function for the Context's own arrays.
    powerseek.power_sweep, powerseek.optimality_sweep : analyses built on this.

    Examples
    --------
    POWER of Candy/Wait's states at two discounts, with its standard errors:

    >>> from powerseek import load
    >>> mdp = load("candy-wait")
    >>> out = run(mdp, [0.5, 0.9], {"power": ((mdp.n_states,), ContextArray("power"))},
    ...           n_samples=2000, rng=0)
    >>> [e.mean.round(2).tolist() for e in out.per_gamma("power")]
    [[0.69, 0.67, 0.5, 0.51, 0.5], [0.74, 0.67, 0.5, 0.51, 0.5]]
    """
    setup = prepare(
        mdp,
        gammas,
        dist=dist,
        n_samples=n_samples,
        rng=rng,
        progress=progress,
        options=EngineOptions() if options is None else options,
        tie_tol=tie_tol,
    )
    if callable(quantities) and not isinstance(quantities, Mapping):
        quantities = quantities(setup)
    quantities = _checked_quantities(quantities, setup)
    estimates, solver = execute(mdp, setup, quantities, label=label)
    return EngineOutput(setup, MappingProxyType(estimates), tuple(solver))


def _checked_quantities(quantities: Any, setup: Run) -> dict[str, Quantity]:
    """The quantities as a dict, each a (shape, function) pair that a process pool can send."""
    process_pool = False
    if setup.executor is not None:  # (importing the process pool costs 3 ms otherwise)
        from concurrent.futures import ProcessPoolExecutor

        process_pool = isinstance(setup.executor, ProcessPoolExecutor)
    if not isinstance(quantities, Mapping) or not quantities:
        raise InvalidTypeError(
            "`quantities` must map names to (shape, function) pairs; got "
            f"{type(quantities).__name__}."
        )
    out = {}
    for name, quantity in quantities.items():
        if not (
            isinstance(quantity, tuple)
            and len(quantity) == 2
            and isinstance(quantity[0], tuple)
            and callable(quantity[1])
        ):
            raise InvalidTypeError(
                f"quantity {name!r} must be a (shape, function) pair, e.g. ((n_states,), "
                f"ContextArray('power')); got {quantity!r}."
            )
        if process_pool:
            try:
                pickle.dumps(quantity[1])
            except Exception as exc:  # noqa: BLE001 - any pickling failure says the same
                raise InvalidTypeError(
                    f"quantity {name!r} cannot be sent to the process pool ({exc}); write its "
                    "function at module level or as a small object (see ContextArray)."
                ) from None
        out[name] = quantity
    return out


def execute(
    mdp: MDP, run: Run, quantities: dict[str, Quantity], *, label: str = "samples"
) -> tuple[dict[tuple[int, str], Estimate], list[dict[str, Any]]]:
    """Run the chunked loop over every γ on common samples.

    The second half of :func:`run`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    run : Run
        From :func:`prepare`.
    quantities : dict
        ``name -> (shape, function)``, as for :func:`run`.
    label : str, default "samples"
        The progress bar's label.

    Returns
    -------
    estimates : dict
        ``(γ index, name) -> Estimate``.
    solver : list of dict
        The solver report of each γ (:func:`solver_report`).

    Notes
    -----
    In-process, each chunk of blocks is drawn and solved (``_work``) and every
    block's sufficient statistics go to the accumulators, which merge each
    replicate's blocks along a fixed tree (:class:`~powerseek.rewards.TreeFold`).
    With an executor, each work unit (``_unit``) is an aligned run of blocks,
    a subtree of that tree: the unit folds its own blocks and returns one node
    per quantity and γ, and the environment, the run and the quantities are
    sent to each worker once where the executor can (a Dask client scatters
    them). The nodes are the same numbers wherever they are computed, so the
    estimates are the same, bit for bit, here, in threads, in processes or on a
    cluster, and whatever the chunk size (decision rules whose POWER comes from
    LAPACK solves may differ in the last bit between processes).

    On a torch device (and no executor), each unit is an aligned run of blocks
    as large as the device holds (``_device_unit``): drawn on the host one unit
    ahead, solved on the device, and folded there into one node per quantity
    and γ where the quantity has an ``on_device`` method; the estimates then
    agree with the host's within rounding, the sums running in another order.
    """
    plan = run.plan
    accumulators = {
        (g, name): Accumulator(plan, shape)
        for g in range(len(run.gammas))
        for name, (shape, _) in quantities.items()
    }
    merged: list[SolverDiagnostics | None] = [None] * len(run.gammas)

    def take(solved: dict) -> None:
        for g, diagnostics in solved.items():
            merged[g] = diagnostics if merged[g] is None else merged[g].merge(diagnostics)

    with progress_bar(run.progress, total=plan.n_samples, desc=label) as bar:
        if run.executor is None and run.device is None:
            for chunk in plan.chunks(run.chunk_rows):
                moments, solved = _work(mdp, run, quantities, chunk)
                for key, per_block in moments.items():
                    for block, stats in zip(chunk, per_block):
                        accumulators[key].merge(block, stats)
                take(solved)
                bar.update(sum(block.size for block in chunk))
        else:
            level, folded = _folded_units(mdp, run, quantities)
            for unit, (folds, solved) in folded:
                for key, node in folds.items():
                    accumulators[key].merge_run(unit, node, level)
                take(solved)
                bar.update(sum(block.size for block in unit))
    estimates = {key: acc.estimate(run.confidence) for key, acc in accumulators.items()}
    return estimates, [solver_report(d, gamma) for d, gamma in zip(merged, run.gammas)]


#: Work units per worker an executor's run aims for (a worker that knows no count: 4).
UNITS_PER_WORKER = 4


def _folded_units(mdp: MDP, run: Run, quantities: dict[str, Quantity]) -> tuple[int, Any]:
    """The tree level of the run's units, and each unit with what it folded to, in order.

    On an executor, units of :func:`_unit_level`, run by :func:`_unit`; the
    environment, the run and the quantities are sent to each worker once where
    the executor can. On a torch device, units of :func:`_device_level`, drawn
    one ahead of the device (:func:`_drawn_ahead`) and run by :func:`_device_unit`.
    """
    plan = run.plan
    if run.executor is None:
        level = _device_level(plan, run.chunk_rows)
        units = plan.runs(level)
        return level, (
            (unit, _device_unit(mdp, run, quantities, unit, R))
            for unit, R in _drawn_ahead(plan, units)
        )
    level = _unit_level(plan, run.executor)
    units = plan.runs(level)
    share = getattr(run.executor, "share", None) or (lambda value: value)
    common = (share(mdp), share(run.local()), share(quantities))
    futures = [run.executor.submit(_unit, *common, unit) for unit in units]
    return level, ((unit, future.result()) for unit, future in zip(units, futures))


def _deepest_level(plan: SamplePlan, fits: Callable[[list], bool]) -> int:
    """The deepest tree level whose runs of blocks still `fit`; 0 where none deeper does.

    Deeper levels hold larger runs; the walk stops where a level would `fit` no
    longer, or would hold no larger runs than the one before.
    """
    level, count = 0, len(plan.runs(0))
    while True:
        larger = plan.runs(level + 1)
        if len(larger) == count or not fits(larger):
            return level
        level, count = level + 1, len(larger)


def _unit_level(plan: SamplePlan, executor: Any) -> int:
    """The tree level of an executor's work units.

    The largest level whose runs of blocks still number UNITS_PER_WORKER per
    worker (16 in all where the executor does not say how many it has).
    """
    workers = getattr(executor, "workers", None)
    wanted = UNITS_PER_WORKER * workers if isinstance(workers, int) and workers > 0 else 16
    return _deepest_level(plan, lambda units: len(units) >= wanted)


def _device_level(plan: SamplePlan, rows: int) -> int:
    """The tree level of the device's units: the largest whose runs hold at most `rows` samples.

    Level 0 (one block, at most BLOCK_NUMBERS rewards) where no larger run fits.
    """
    return _deepest_level(
        plan, lambda units: max(sum(b.size for b in unit) for unit in units) <= rows
    )


def _unit(mdp: MDP, run: Run, quantities: dict[str, Quantity], blocks: list) -> tuple[dict, dict]:
    """One work unit of an executor: an aligned run of blocks, folded where it ran.

    The run is drawn and solved chunk by chunk, as in-process; its blocks'
    statistics are merged along the accumulators' tree (:class:`TreeFold`), so
    the unit hands back one node per quantity and γ, the same numbers as the
    blocks merged one by one.
    """
    trees: dict[tuple[int, str], TreeFold] = {}
    solved_all: dict[int, SolverDiagnostics] = {}
    for chunk in run.plan.chunks(run.chunk_rows, blocks):
        moments, solved = _work(mdp, run, quantities, chunk)
        for key, per_block in moments.items():
            tree = trees.setdefault(key, TreeFold())
            for stats in per_block:
                tree.push(stats)
        for g, diagnostics in solved.items():
            previous = solved_all.get(g)
            solved_all[g] = diagnostics if previous is None else previous.merge(diagnostics)
    return {key: tree.result() for key, tree in trees.items()}, solved_all


def _drawn_ahead(plan: SamplePlan, units: list) -> Any:
    """Each unit with its rewards, the next unit's drawn in a thread meanwhile.

    numpy's generators release the GIL while they fill arrays, so the host
    draws the next chunk while the device solves this one; the draws are the
    plan's, in its order, so the samples are those of every other path.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="powerseek-draw") as pool:
        pending = pool.submit(plan.draw, units[0]) if units else None
        try:
            for k, unit in enumerate(units):
                R = pending.result()
                pending = pool.submit(plan.draw, units[k + 1]) if k + 1 < len(units) else None
                yield unit, R
        finally:
            if pending is not None:
                pending.cancel()


def _device_unit(
    mdp: MDP, run: Run, quantities: dict[str, Quantity], blocks: list, R: np.ndarray
) -> tuple[dict, dict]:
    """One unit on a torch device: solved there at every γ, one node per quantity back.

    The rewards go to the device once; POWER and its moments are computed
    there (quantities with an ``on_device`` method, such as
    :class:`ContextArray`), and any other quantity is computed on the host
    from the values brought back, its blocks folded along the tree as
    :func:`_unit` does.
    """
    previous = None
    folds: dict[tuple[int, str], tuple] = {}
    solved: dict[int, SolverDiagnostics] = {}
    for g, gamma in enumerate(run.gammas):
        ctx = Context(
            mdp,
            gamma,
            R.T,  # a view: the host's quantities only
            run.tie_tol,
            kernel=run.kernel_option,
            entropy=tuple(run.plan.entropy),
            blocks=tuple(blocks),
            device_solver=_device_solver(mdp, R, gamma, run, previous),
        )
        for name, (_, function) in quantities.items():
            on_device = getattr(function, "on_device", None)
            values = None if on_device is None else on_device(ctx)
            if values is not None:
                folds[(g, name)] = device_block_moments(values)
                continue
            values = _per_sample(function, ctx)
            tree = TreeFold()
            for stats in _moments(values, blocks, "numpy"):
                tree.push(stats)
            folds[(g, name)] = tree.result()
        if ctx.solved:
            solved[g] = ctx.diagnostics
            previous = ctx.device_result
    return folds, solved


def _device_solver(mdp: MDP, R: np.ndarray, gamma: float, run: Run, previous: Any):
    """Solve on the run's device at `gamma`, reusing the previous γ's rewards and policy there."""

    def solve_now() -> Any:
        return solve_on_device(
            mdp,
            R if previous is None else previous.rewards,
            gamma,
            device=run.device,
            method=run.method,
            tol=run.tol,
            initial_policy=None if previous is None else previous.policy,
            precision=run.precision,
        )

    return solve_now


def _work(mdp: MDP, run: Run, quantities: dict[str, Quantity], chunk: list) -> tuple[dict, dict]:
    """One work unit: a chunk of reward blocks, solved at every γ.

    One work unit: draw a chunk's rewards, solve at every γ, and return each
    quantity's per-block moments and each γ's solver diagnostics.
    """
    R = run.plan.draw(chunk)  # sample-major, as the solvers take it: no transposed copy
    RT = np.ascontiguousarray(R.T)
    previous = None
    moments: dict[tuple[int, str], list] = {}
    solved: dict[int, SolverDiagnostics] = {}
    for g, gamma in enumerate(run.gammas):
        ctx = Context(
            mdp,
            gamma,
            RT,
            run.tie_tol,
            solver=_solver(mdp, R, gamma, run, previous),
            kernel=run.kernel_option,
            entropy=tuple(run.plan.entropy),
            blocks=tuple(chunk),
            solve_kernel=run.kernel,
        )
        for name, (_, function) in quantities.items():
            moments[(g, name)] = _moments(_per_sample(function, ctx), chunk, run.kernel)
        if ctx.solved:
            result = ctx.result
            solved[g] = result.diagnostics
            previous = result
    return moments, solved


def _per_sample(function: Callable[[Context], Any], ctx: Context) -> np.ndarray:
    """A quantity's per-sample values on the host, as floats.

    Indicators keep their type: their moments are counts.
    """
    values = np.asarray(function(ctx))
    return values if values.dtype == bool else values.astype(float, copy=False)


def _moments(values: np.ndarray, chunk: list, kernel: str) -> list:
    """Each block's moments of a chunk's per-sample values (compiled: in one call)."""
    if kernel == "compiled" and values.dtype != bool:
        return compiled_block_moments(values, [block.size for block in chunk])
    per_block, offset = [], 0
    for block in chunk:
        per_block.append(block_moments(values[offset : offset + block.size]))
        offset += block.size
    return per_block


def _solver(mdp: MDP, R: np.ndarray, gamma: float, run: Run, previous: SolveResult | None):
    """Solve at `gamma`, warm-started from the previous discount's result."""

    def solve_now() -> SolveResult:
        policy = values = None
        if previous is not None:
            policy = previous.policy
            if policy is None:  # value iteration: rescale the normalised values
                values = (1.0 - previous.gamma) * previous.values / (1.0 - gamma)
        return solve(
            mdp,
            R,
            gamma,
            method=run.method,
            tol=run.tol,
            initial_policy=policy,
            initial_values=values,
            device=run.device,
            precision=run.precision,
            kernel=run.kernel,
        )

    return solve_now
