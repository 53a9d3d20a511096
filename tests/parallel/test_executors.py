"""Parallel execution: identical numbers for any executor, worker count and chunking."""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import powerseek
from powerseek import InvalidParameterError, InvalidTypeError
from powerseek.cli import main
from powerseek.parallel._executors import DaskExecutor, executor

# Left out of the quick run (-m "not slow"): process pools and Dask clusters, about 70 s.
pytestmark = pytest.mark.slow

ENVIRONMENTS = ["powerplay-3x3", "powerplay-stochastic-4"]


def _same(a, b):
    np.testing.assert_array_equal(a.power, b.power)
    np.testing.assert_array_equal(a.stderr, b.stderr)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_thread_pools_of_any_size_and_any_chunking_agree_bit_for_bit(name):
    mdp = powerseek.load(name)
    options = {"n_samples": 3000, "rng": 5}
    reference = powerseek.power_sweep(mdp, [0, 0.5, 0.9, 1], **options)
    for workers in (1, 2, 4):
        for chunk_size in (None, 256, 1000):
            with ThreadPoolExecutor(workers) as pool:
                result = powerseek.power_sweep(
                    mdp, [0, 0.5, 0.9, 1], executor=pool, chunk_size=chunk_size, **options
                )
            _same(result, reference)
    state = mdp.states[0]
    serial = powerseek.optimality_sweep(mdp, [0.5, 1], state=state, **options)
    with ThreadPoolExecutor(2) as pool:
        parallel = powerseek.optimality_sweep(mdp, [0.5, 1], state=state, executor=pool, **options)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.probability, b.probability)
        np.testing.assert_array_equal(a.tie_mass.mean, b.tie_mass.mean)


def test_executor_must_have_submit():
    with pytest.raises(InvalidTypeError, match="concurrent.futures.Executor"):
        powerseek.power(powerseek.load("candy-wait"), 0.5, n_samples=10, executor="pool")


def test_executor_context_arguments():
    with executor() as pool:
        assert pool is None
    with pytest.raises(InvalidParameterError, match="not both"), executor(2, "tcp://x:1"):
        pass
    with (
        pytest.raises(InvalidParameterError, match="workers must be a positive integer"),
        executor(0),
    ):
        pass


try:  # the Dask tests below need the dask extra; the thread-pool tests above do not
    import distributed
except ImportError:
    distributed = None
needs_dask = pytest.mark.skipif(distributed is None, reason="needs the dask extra")


@needs_dask
def test_local_cluster_agrees_with_the_serial_run():
    mdp = powerseek.load("powerplay-maze-7x7")
    options = {"n_samples": 4000, "rng": 11, "chunk_size": 500}
    reference = powerseek.power_sweep(mdp, [0.5, 0.9], **options)
    with executor(workers=2) as pool:
        result = powerseek.power_sweep(mdp, [0.5, 0.9], executor=pool, **options)
    _same(result, reference)


@needs_dask
def test_a_killed_worker_does_not_change_the_result():
    """Kill one of two worker processes mid-run: Dask reruns its units elsewhere, and
    since every unit's numbers depend only on its blocks' seeds, nothing changes."""
    mdp = powerseek.load("powerplay-maze-7x7")
    # enough work that the kill lands mid-run: on a fresh cluster about 0.9 s from the
    # first task (the workers load the compiled kernels), the kill 0.3 s in
    options = {"n_samples": 200_000, "rng": 2, "chunk_size": 250}
    reference = powerseek.power_sweep(mdp, [0.9, 0.99], **options)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with cluster, distributed.Client(cluster) as client:
        pool = DaskExecutor(client)
        outcome = {}

        def run():
            outcome["result"] = powerseek.power_sweep(mdp, [0.9, 0.99], executor=pool, **options)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.time() + 30
        while time.time() < deadline and not any(client.processing().values()):
            time.sleep(0.05)
        time.sleep(0.3)
        victim = next(iter(client.run(os.getpid).values()))
        mid_run = thread.is_alive()
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=300)
    assert mid_run and not thread.is_alive()
    _same(outcome["result"], reference)


@needs_dask
def test_cli_workers_give_the_default_numbers(capsys):
    argv = ["power", "candy-wait", "--gamma", "0.5", "--seed", "4", "--samples", "2000"]
    argv += ["--quiet", "--format", "json"]
    assert main(argv) == 0
    serial = capsys.readouterr().out
    assert main(argv + ["--workers", "2"]) == 0
    assert capsys.readouterr().out == serial


@needs_dask
def test_cli_unreachable_scheduler(capsys):
    argv = ["power", "candy-wait", "--gamma", "0.5", "--samples", "100", "--quiet"]
    status = main(argv + ["--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert status == 1 and "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in err


@needs_dask
def test_orbit_elements_as_work_units_give_the_same_counts():
    from powerseek import FiniteSupport
    from powerseek.symmetry._orbits import compare_over_orbit, power_of

    mdp = powerseek.load("turner-fig1")
    point = FiniteSupport([[0.1, 0.9, 0.3, 0.5, 0.2, 0.8, 0.4, 0.6]])
    f1, f2 = power_of(mdp, "right", 0.9), power_of(mdp, "left", 0.9)
    serial = compare_over_orbit(mdp, point, f1, f2)
    with ThreadPoolExecutor(2) as pool:
        parallel = compare_over_orbit(mdp, point, f1, f2, executor=pool)
    assert serial.orbit_size == 40320  # ten units of 4096 elements
    assert parallel.to_dict() == serial.to_dict()


def _analyses():
    """Every analysis that runs on the engine, as (name, call) with common settings."""
    from powerseek.agents import choice_probability_sweep, rule_power_seeking, rule_power_sweep
    from powerseek.analysis._visit_optimality import visit_optimality
    from powerseek.rewards._distributions import MAX_BLOCK_ROWS
    from powerseek.visits._functions import visit_distributions

    # a 16x16 room: blocks of 256 samples, so 700 samples are 3 blocks, each its own chunk
    # and work unit; the per-block streams and their merge in block order cross workers
    room = powerseek.gridworld.parse("\n".join(["." * 16] * 16))
    common = {"n_samples": 700, "rng": 9, "chunk_size": 300}
    candy = powerseek.load("candy-wait")
    F = visit_distributions(candy, "start")
    several = {"n_samples": 2 * MAX_BLOCK_ROWS + 9, "rng": 9, "chunk_size": MAX_BLOCK_ROWS}
    corner = (0, 0)
    return {
        "power_sweep": lambda **kw: powerseek.power_sweep(room, [0, 0.5, 1], **common, **kw),
        "power_seeking": lambda **kw: powerseek.power_seeking(room, corner, 0.9, **common, **kw),
        "optimality_sweep": lambda **kw: powerseek.optimality_sweep(
            room, [0, 0.5, 1], state=corner, **common, **kw
        ),
        "visit_optimality": lambda **kw: visit_optimality(
            candy, "start", F[:1], 0.5, functions=F, **several, **kw
        ),
        # ε-greedy draws its exploration from the engine's per-block random streams
        "choice_probability": lambda **kw: choice_probability_sweep(
            room, [0.5, 0.9], "epsilon-greedy:0.2", state=corner, **common, **kw
        ),
        "rule_power": lambda **kw: rule_power_sweep(
            room, [0.5, 0.9], "boltzmann:0.1", **common, **kw
        ),
        "rule_power_seeking": lambda **kw: rule_power_seeking(
            room, corner, 0.9, "epsilon-greedy:0.2", **common, **kw
        ),
    }


def test_the_executor_runs_split_into_several_work_units():
    from powerseek.rewards._distributions import IID, MAX_BLOCK_ROWS, SamplePlan

    room = powerseek.gridworld.parse("\n".join(["." * 16] * 16))
    assert len(list(SamplePlan(IID(), room, 700).chunks(300))) == 3
    candy = powerseek.load("candy-wait")
    plan = SamplePlan(IID(), candy, 2 * MAX_BLOCK_ROWS + 9)
    assert len(list(plan.chunks(MAX_BLOCK_ROWS))) == 3


def _numbers(result):
    """Every estimate of a result (a list of results too), as one flat array."""
    import dataclasses
    from collections.abc import Sequence

    from powerseek.rewards._estimates import Estimate

    if isinstance(result, Estimate):
        return np.concatenate([np.ravel(result.mean), np.ravel(result.stderr)])
    if isinstance(result, Sequence):  # a list of results, or a sweep of them
        return np.concatenate([_numbers(r) for r in result])
    found = [
        np.ravel(np.concatenate([np.ravel(e.mean), np.ravel(e.stderr)]))
        for e in (getattr(result, f.name) for f in dataclasses.fields(result))
        if isinstance(e, Estimate)
    ]
    found += [_numbers(e) for e in getattr(result, "estimates", [])]
    assert found, type(result)
    return np.concatenate(found)


@pytest.fixture(scope="module")
def pools():
    """A thread pool, a process pool and (with the dask extra) a local Dask cluster."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: the parent may hold the compiled kernel's threads, which fork would copy
    context = multiprocessing.get_context("forkserver")
    with ThreadPoolExecutor(2) as threads, ProcessPoolExecutor(2, mp_context=context) as procs:
        found = {"threads": threads, "processes": procs}
        if distributed is None:
            yield found
            return
        with executor(workers=2) as cluster:
            yield {**found, "dask": cluster}


@pytest.mark.parametrize("kind", ["threads", "processes", "dask"])
@pytest.mark.parametrize("analysis", sorted(_analyses()))
def test_every_analysis_on_every_executor_gives_the_serial_numbers(pools, kind, analysis):
    """The engine's quantities once were closures: a process pool could not pickle them."""
    if kind not in pools:
        pytest.skip("needs the dask extra")
    run = _analyses()[analysis]
    theirs, ours = _numbers(run(executor=pools[kind])), _numbers(run())
    if analysis in EVALUATED_BY_LAPACK and kind != "threads":
        # another process's BLAS may run on another number of threads, and LAPACK's LU
        # rounds differently then (2.2e-16 measured): far below any standard error
        np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-13)
    else:
        np.testing.assert_array_equal(theirs, ours)


#: Analyses whose per-sample values come from dense policy evaluations (LAPACK's solve).
EVALUATED_BY_LAPACK = {"rule_power", "rule_power_seeking"}


def _worker_settings():
    import dask

    return (
        dask.config.get("distributed.worker.profile.enabled"),
        os.environ.get("MALLOC_MMAP_THRESHOLD_"),
    )


@needs_dask
def test_local_workers_run_without_the_profiler_and_with_the_malloc_settings():
    # the statistical profiler samples the task's stack every 10 ms: 7% of a lone
    # worker's CPU on the 100x100 grid (benchmarks/bench_dask.py)
    from powerseek.parallel._executors import WORKER_MALLOC

    with executor(workers=1) as pool:
        (settings,) = pool.client.run(_worker_settings).values()
        assert pool.workers == 1
    assert settings == (False, str(WORKER_MALLOC["MALLOC_MMAP_THRESHOLD_"]))
