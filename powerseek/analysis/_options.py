"""The engine's settings, gathered into small frozen option objects.

Every Monte Carlo analysis (:func:`~powerseek.power`, :func:`~powerseek.optimality`,
their sweeps, :func:`~powerseek.power_seeking`, ...) takes the everyday keywords
plainly (``dist``, ``n_samples``, ``rng``, ``progress``) and the rest of the
engine's settings in three groups, as scipy's ``optimize.minimize(options=)``
does:

* :class:`SolverOptions`: how optimal values are computed (``method``, ``tol``);
* :class:`SamplingOptions`: how the samples are drawn and summarised (``qmc``,
  ``n_replicates``, ``confidence``);
* :class:`ExecutionOptions`: where and in what pieces the work runs
  (``chunk_size``, ``memory``, ``executor``, ``device``, ``precision``).

Any field may also be given as a keyword of the analysis (``tol=1e-12``); a new
analysis declares ``solver=None, sampling=None, execution=None, **settings`` and
passes them to :meth:`EngineOptions.gather`, so it forwards nothing by hand.

Examples
--------
>>> import powerseek
>>> from powerseek.analysis._options import SolverOptions
>>> mdp = powerseek.load("turner-fig1")
>>> a = powerseek.power(mdp, 0.9, n_samples=500, rng=0, solver=SolverOptions(tol=1e-12))
>>> b = powerseek.power(mdp, 0.9, n_samples=500, rng=0, tol=1e-12)
>>> bool((a.estimate.mean == b.estimate.mean).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..exceptions import InvalidParameterError, InvalidTypeError

__all__ = [
    "DEFAULT_MEMORY",
    "EngineOptions",
    "ExecutionOptions",
    "SamplingOptions",
    "SolverOptions",
]

#: Default memory budget for one chunk's working arrays, in bytes.
DEFAULT_MEMORY = 256 * 2**20


@dataclass(frozen=True)
class SolverOptions:
    """How optimal values are computed.

    Parameters
    ----------
    method : str, default "auto"
        Solver (see :func:`powerseek.solve`).
    tol : float, default 1e-9
        Solver error bound on the POWER scale, (1−γ)·‖V − V*‖∞.
    kernel : {"auto", "compiled", "numpy"}, default "auto"
        Where deterministic policy iteration runs (see :func:`powerseek.solve`);
        ``"auto"`` compiles with numba when it is installed and the whole run is
        large enough to repay loading the kernel.
    """

    method: str = "auto"
    tol: float = 1e-9
    kernel: str = "auto"


@dataclass(frozen=True)
class SamplingOptions:
    """How reward samples are drawn and summarised.

    Parameters
    ----------
    qmc : bool, default False
        Randomised quasi-Monte Carlo (scrambled Sobol') with `n_replicates`
        independent replicates for the standard error.
    n_replicates : int, optional
        QMC replicates (default 16).
    confidence : float, default 0.95
        Level of the confidence intervals.
    """

    qmc: bool = False
    n_replicates: int | None = None
    confidence: float = 0.95


@dataclass(frozen=True)
class ExecutionOptions:
    """Where, and in what pieces, the work runs; none of it changes a number.

    Parameters
    ----------
    chunk_size : int, optional
        Samples per chunk; default from `memory` and the cache.
    memory : int, default 256 MiB
        Byte budget for one chunk's working arrays.
    executor : concurrent.futures.Executor, optional
        Runs the chunks as separate work units: a thread or process pool, or a
        Dask cluster's ``Client.get_executor()`` (:mod:`powerseek.parallel`).
        Results are bit-identical to the in-process run, for any number of workers.
    device : str, optional
        Solve with PyTorch on ``"cpu"``, ``"cuda"`` or ``"cuda:N"``
        (the `torch` extra); samples are drawn as usual, so
        the same seed gives the same numbers to floating-point tolerance.
    precision : {"float64", "float32"}
        Working precision of the torch solvers.
    """

    chunk_size: int | None = None
    memory: int = DEFAULT_MEMORY
    executor: Any = None
    device: Any = None
    precision: str = "float64"


_GROUPS = {"solver": SolverOptions, "sampling": SamplingOptions, "execution": ExecutionOptions}
#: Each keyword setting and the group it belongs to.
_FIELD_GROUP = {f.name: group for group, kind in _GROUPS.items() for f in fields(kind)}


@dataclass(frozen=True)
class EngineOptions:
    """All of the engine's settings: one object of each group.

    Parameters
    ----------
    solver : SolverOptions
        The solver's settings.
    sampling : SamplingOptions
        How rewards are sampled and summarised.
    execution : ExecutionOptions
        Where and in what pieces the work runs.
    """

    solver: SolverOptions = field(default_factory=SolverOptions)
    sampling: SamplingOptions = field(default_factory=SamplingOptions)
    execution: ExecutionOptions = field(default_factory=ExecutionOptions)

    @classmethod
    def gather(
        cls,
        solver: SolverOptions | None = None,
        sampling: SamplingOptions | None = None,
        execution: ExecutionOptions | None = None,
        settings: Mapping[str, Any] | None = None,
        *,
        caller: str = "the analysis",
        accepts: tuple[str, ...] | None = None,
    ) -> EngineOptions:
        """The options of one call: the groups given, with keyword `settings` applied.

        Parameters
        ----------
        solver, sampling, execution : option objects, optional
            Default: each group's defaults.
        settings : mapping, optional
            Fields of any group given as keywords (``tol=1e-12``).
        caller : str
            The analysis, for error messages.
        accepts : tuple of str, optional
            The fields `caller` uses; another one is refused rather than ignored.

        Returns
        -------
        EngineOptions

        Raises
        ------
        InvalidTypeError
            A group of the wrong type, or a keyword that is no engine setting.
        InvalidParameterError
            A setting given both in its group and as a keyword, or one `caller`
            does not use.

        Examples
        --------
        >>> options = EngineOptions.gather(SolverOptions(method="value-iteration"),
        ...                                settings={"tol": 1e-6})
        >>> options.solver
        SolverOptions(method='value-iteration', tol=1e-06, kernel='auto')
        >>> EngineOptions.gather(settings={"tolerance": 1e-6}, caller="power()")
        Traceback (most recent call last):
        ...
        powerseek.exceptions.InvalidTypeError: power() got an unexpected keyword argument \
'tolerance'; the engine's settings are chunk_size, confidence, device, executor, kernel, \
memory, method, n_replicates, precision, qmc, tol.
        """
        given = {"solver": solver, "sampling": sampling, "execution": execution}
        groups = {}
        for name, value in given.items():
            kind = _GROUPS[name]
            if value is None:
                value = kind()
            elif not isinstance(value, kind):
                raise InvalidTypeError(
                    f"`{name}` must be a {kind.__name__}; got {type(value).__name__}."
                )
            groups[name] = value
        changes: dict[str, dict[str, Any]] = {name: {} for name in _GROUPS}
        for key, value in (settings or {}).items():
            group = _FIELD_GROUP.get(key)
            if group is None:
                raise InvalidTypeError(
                    f"{caller} got an unexpected keyword argument {key!r}; the engine's "
                    f"settings are {', '.join(sorted(_FIELD_GROUP))}."
                )
            default = _GROUPS[group].__dataclass_fields__[key].default
            if given[group] is not None and getattr(given[group], key) != default:
                raise InvalidParameterError(
                    f"`{key}` is given twice: in `{group}` and as a keyword; give it once."
                )
            changes[group][key] = value
        if accepts is not None:
            for group, kind in _GROUPS.items():
                for f in fields(kind):
                    used = getattr(groups[group], f.name) != f.default or f.name in changes[group]
                    if used and f.name not in accepts:
                        raise InvalidParameterError(
                            f"{caller} does not use `{f.name}`; it takes "
                            f"{', '.join(accepts)} of the engine's settings."
                        )
        return cls(**{name: replace(groups[name], **changes[name]) for name in _GROUPS})
