"""Running the engine's work units in parallel: thread pools, or Dask clusters.

Every analysis of :mod:`powerseek.power` and :mod:`powerseek.optimality` takes
``executor=``, any :class:`concurrent.futures.Executor`. A work unit is an
aligned run of sample blocks, a subtree of the fixed tree along which the
blocks' sufficient statistics (counts, means, sums of squared deviations) are
merged (:class:`~powerseek.rewards.TreeFold`): the unit folds its own blocks
and returns one node per quantity and discount, about four units per worker.
Each block draws its rewards from its own ``SeedSequence`` child. So the
estimates are bit-identical for any executor, any number of workers and any
chunk size, and a unit that is re-run (a lost worker's task, retried) gives
the same numbers. A :class:`DaskExecutor` sends the environment and the run's
settings to each worker once (:meth:`DaskExecutor.share`), not with every task.

For one machine, a :class:`concurrent.futures.ThreadPoolExecutor` already
helps (numpy releases the GIL in the solvers). For clusters, Dask's
distributed scheduler: :func:`executor` starts an embedded ``LocalCluster``
(``workers=N``) or joins a running scheduler (``scheduler="tcp://..."``), and
yields a :class:`DaskExecutor` over it (or wrap your own ``Client``). Dask is
an extra: ``pip install ".[dask]"``.

Examples
--------
>>> from concurrent.futures import ThreadPoolExecutor
>>> import powerseek
>>> maze = powerseek.load("powerplay-3x3")
>>> with ThreadPoolExecutor(2) as pool:
...     parallel = powerseek.power(maze, 0.6, n_samples=4000, rng=1, executor=pool)
>>> serial = powerseek.power(maze, 0.6, n_samples=4000, rng=1)
>>> bool((parallel.power == serial.power).all())
True
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Iterator
from typing import Any

from ..exceptions import InvalidParameterError, PowerseekError, install_hint

__all__ = ["WORKER_CONFIG", "WORKER_MALLOC", "DaskExecutor", "DaskUnavailableError", "executor"]


#: glibc settings for local worker processes. Dask sets ``MALLOC_TRIM_THRESHOLD_``
#: to return memory eagerly; setting it switches off glibc's adaptive mmap
#: threshold, so every solver temporary above 128 KiB became a fresh mmap and
#: units ran 1.8x slower. A fixed mmap threshold of 256 MiB restores the speed.
WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": 2**28, "MALLOC_TRIM_THRESHOLD_": 2**28}
#: Dask settings of the local clusters, workers and scheduler: no statistical profiler,
#: which samples the running task's stack every 10 ms (the dashboard's profile, which
#: these clusters do not show); the event loops' health tick and the memory and system
#: monitors once a second rather than 50, 10 and 2 times; no work stealing, whose
#: periodic balancing buys nothing for units of equal size that the scheduler queues
#: and hands out as workers free up.
WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


class DaskUnavailableError(PowerseekError, ImportError):
    """Dask's distributed scheduler was asked for but is not installed."""


class DaskExecutor(concurrent.futures.Executor):
    """The :class:`concurrent.futures.Executor` interface over a Dask ``Client``.

    Units are submitted as impure tasks with `retries`; a result lost with
    its worker is recomputed by the scheduler before the returned
    :class:`concurrent.futures.Future` completes, so a worker killed mid-run
    costs time, never numbers.

    Parameters
    ----------
    client : dask.distributed.Client
        The cluster's client.
    retries : int, default 3
        How often a failed task is tried again.

    """

    def __init__(self, client: Any, retries: int = 3) -> None:
        self.client = client
        self.retries = retries

    def submit(self, fn, /, *args, **kwargs):
        """Run ``fn`` with the given arguments on the cluster; return a future of its result.

        Parameters
        ----------
        fn : callable
            The function to run.
        *args
            Its positional arguments.
        **kwargs
            Its keyword arguments.

        """
        task = self.client.submit(fn, *args, pure=False, retries=self.retries, **kwargs)
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.task = task  # keeps the cluster's result alive until it is read

        def settle(done) -> None:
            try:
                future.set_result(done.result())
            except BaseException as error:  # the unit's own error, passed on
                future.set_exception(error)

        task.add_done_callback(settle)
        return future

    def share(self, value: Any) -> Any:
        """`value` sent to every worker once: a handle to pass to :meth:`submit` instead.

        The engine shares what every work unit needs (the environment, the
        run's settings, the quantities), so that a task carries only its blocks.

        Parameters
        ----------
        value : object
            Anything picklable.

        Returns
        -------
        dask.distributed.Future
            Resolved to `value` on the worker that runs a task given it.
        """
        return self.client.scatter(value, broadcast=True, hash=False)

    @property
    def workers(self) -> int:
        """The cluster's worker threads now (the engine makes about four units per worker)."""
        return max(1, sum(self.client.nthreads().values()))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to do: the client belongs to whoever made it.

        Parameters
        ----------
        wait : bool, default True
            Accepted for the Executor interface.
        cancel_futures : bool, default False
            Accepted for the Executor interface.

        """


@contextlib.contextmanager
def executor(
    workers: int | None = None, scheduler: str | None = None, *, processes: bool = True
) -> Iterator[Any]:
    """An executor for ``executor=``: None, a local Dask cluster, or a running one.

    Parameters
    ----------
    workers : int, optional
        Start a ``LocalCluster`` of this many single-threaded worker processes
        for the duration of the ``with`` block.
    scheduler : str, optional
        Connect to the Dask scheduler at this address instead.
    processes : bool, default True
        Local workers as separate processes (isolated: a crash loses only that
        worker's units, which are rerun); False runs them as threads of this
        process, which avoids the per-process start-up and data transfer.

    Yields
    ------
    concurrent.futures.Executor or None
        None when neither is given (run in-process).

    Examples
    --------
    Neither workers nor a scheduler: the analyses run in this process.

    >>> with executor() as pool:
    ...     print(pool)
    None
    """
    if workers is not None and scheduler is not None:
        raise InvalidParameterError("give `workers` or `scheduler`, not both.")
    if workers is None and scheduler is None:
        yield None
        return
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise InvalidParameterError(f"workers must be a positive integer; got {workers!r}.")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise DaskUnavailableError(
            f"parallel runs on Dask need the dask extra: {install_hint('dask')}."
        ) from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as error:
            raise InvalidParameterError(
                f"cannot reach the Dask scheduler at {scheduler!r}: {str(error).rstrip('.')}."
            ) from None
        except (ValueError, TypeError) as error:  # not an address at all
            raise InvalidParameterError(
                f"{scheduler!r} is not a Dask scheduler address (expected e.g. "
                f"tcp://host:8786): {str(error).rstrip('.')}."
            ) from None
        with client:
            yield DaskExecutor(client)
        return
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.update(WORKER_MALLOC)
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": environ, **WORKER_CONFIG}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        yield DaskExecutor(client)
