"""Dask: CPU overhead and speed-up of a LocalCluster over one process, and a projection.

`power()` of every state of an open 100x100 grid (10,000 states) at γ = 0.9 from
10,000 IID uniform samples, 10^8 state-samples, compiled kernel, run in this process
and then on LocalClusters of 1, 2 and 4 single-threaded worker processes. For each
cluster: its start-up (wall time, and the workers' CPU to start and load the
kernels, by a small warm-up job) apart from the job; for the job, run `--repeats`
times on the same cluster, wall time, the client's CPU (the scheduler runs in the
client process) and every worker's CPU, from ``getrusage`` in each process: the
first run (whose workers still grow their heaps) and the median of the others. The
CPU overhead is (client + workers) / the in-process CPU − 1. The same units on a
plain ``ProcessPoolExecutor`` of as many processes show what any set of processes
costs on this machine (its cores may share physical cores). Also per work unit: the
client's CPU, the bytes of its task and of its result. From those, the CPU time of a
10^10 state-sample job on 32 nodes of 16 cores, and how much of it the client would
take. Results are checked
bit for bit against the in-process run.

    python benchmarks/bench_dask.py [--samples N] [--side N] [--workers 1 2 4] [--repeats 4]
"""

import argparse
import os
import pickle
import resource
import time

os.environ.setdefault("POWERSEEK_THREADS", "1")


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pid_and_cpu() -> tuple[int, float]:
    """This process's id and CPU time, after a pause that sends concurrent calls to
    different processes of a pool."""
    time.sleep(0.5)
    return os.getpid(), cpu_self()


def process_pool_cpu(workers, job):
    """Wall time and the pool processes' CPU for `job(pool)` on a plain process pool."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    class Pool(ProcessPoolExecutor):
        pass

    Pool.workers = workers
    context = multiprocessing.get_context("forkserver")
    with Pool(workers, mp_context=context) as pool:
        job(pool, warm=True)

        def cpu_by_process():
            return dict(f.result() for f in [pool.submit(pid_and_cpu) for _ in range(workers)])

        before = cpu_by_process()
        start = time.perf_counter()
        job(pool, warm=False)
        wall = time.perf_counter() - start
        after = cpu_by_process()
    return wall, sum(after[k] - before.get(k, 0.0) for k in after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--side", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeats", type=int, default=4, help="runs of the job per cluster")
    args = parser.parse_args()
    import machine
    import numpy as np

    from powerseek import gridworld, power
    from powerseek.analysis import engine
    from powerseek.parallel import executor

    mdp = gridworld.parse(["." * args.side] * args.side)
    n, m = mdp.n_states, args.samples
    options = {"n_samples": m, "rng": 0}
    print(machine.describe())
    print(f"{args.side}x{args.side} open grid, {n} states, {m} samples: {n * m:.1e} state-samples")
    power(mdp, 0.9, n_samples=200, rng=1, kernel="compiled")  # load the kernels here too
    start_wall, start_cpu = time.perf_counter(), cpu_self()
    reference = power(mdp, 0.9, **options)
    serial_wall, serial_cpu = time.perf_counter() - start_wall, cpu_self() - start_cpu
    print(
        f"  in-process: {serial_wall:6.2f} s wall, {serial_cpu:6.2f} s CPU "
        f"({n * m / serial_cpu:.2e} state-samples per CPU-second)"
    )
    print(
        f"  {'workers':>7s} {'start-up':>9s} {'worker load':>11s} {'wall':>7s} {'speed-up':>8s} "
        f"{'client CPU':>10s} {'workers CPU':>11s} {'overhead':>8s} {'units':>5s} "
        f"{'task B':>7s} {'result B':>9s} {'same':>5s}"
    )
    rows = []
    for workers in args.workers:
        started = time.perf_counter()
        with executor(workers=workers) as pool:
            client = pool.client
            power(mdp, 0.9, n_samples=64 * workers, rng=1, kernel="compiled", executor=pool)
            startup = time.perf_counter() - started
            loaded = sum(client.run(cpu_self).values())
            jobs = []  # (wall, client CPU, workers' CPU) of each run of the job
            for _ in range(args.repeats):
                before_client = cpu_self()
                before_workers = sum(client.run(cpu_self).values())
                begin = time.perf_counter()
                result = power(mdp, 0.9, executor=pool, **options)
                wall = time.perf_counter() - begin
                client_cpu = cpu_self() - before_client
                jobs.append((wall, client_cpu, sum(client.run(cpu_self).values()) - before_workers))
            setup = engine.prepare(
                mdp, [0.9], dist=None, n_samples=m, rng=0, progress=False,
                options=engine.EngineOptions(), tie_tol=engine.DEFAULT_TIE_TOL,
            )  # fmt: skip
            units = setup.plan.runs(engine._unit_level(setup.plan, pool))
        quantities = {"power": ((n,), engine.ContextArray("power"))}
        task = len(pickle.dumps(units[0]))
        folds = engine._unit(mdp, setup.local(), quantities, units[0])
        answer = len(pickle.dumps(folds))
        same = np.array_equal(result.power, reference.power) and np.array_equal(
            result.stderr, reference.stderr
        )
        # the first run after start-up (fresh worker heaps), then the median of the others
        later = sorted(jobs[1:], key=lambda job: job[1] + job[2]) or jobs
        for label, (wall, client_cpu, workers_cpu) in (
            ("first", jobs[0]),
            (f"median of {len(later)} more", later[len(later) // 2]),
        ):
            overhead = (client_cpu + workers_cpu) / serial_cpu - 1
            print(
                f"  {workers:7d} {startup:8.2f}s {loaded:10.2f}s {wall:6.2f}s "
                f"{serial_wall / wall:7.2f}x {client_cpu:9.2f}s {workers_cpu:10.2f}s "
                f"{overhead:+8.1%} {len(units):5d} "
                f"{task:7d} {answer:9d} {str(same):>5s}  {label}"
            )
        rows.append((workers, later[len(later) // 2][1] / len(units), answer, task, len(units)))

        def job(pool, warm, workers=workers):
            samples = {"n_samples": 64 * workers, "rng": 1} if warm else options
            return power(mdp, 0.9, kernel="compiled", executor=pool, **samples)

        plain_wall, plain_cpu = process_pool_cpu(workers, job)
        print(
            f"  {'':7s} the same units on a plain process pool of {workers}: {plain_wall:.2f} s "
            f"wall, {plain_cpu:.2f} s CPU in its processes ({plain_cpu / serial_cpu - 1:+.1%})"
        )
    # per-unit costs from the 2-worker run where there is one (4 workers on 2 cores contend)
    workers, client_per_unit, answer, task, count = next(
        (row for row in rows if row[0] == 2), rows[-1]
    )
    cores, job = 32 * 16, 1e10
    rate = n * m / serial_cpu
    per_unit_samples = n * m / count
    units = job / per_unit_samples
    compute = job / rate / cores
    print(
        f"  projection from the {workers}-worker run, 10^10 state-samples on 32 nodes x 16 "
        f"cores, units as there "
        f"({per_unit_samples:.1e} state-samples each): {units:.0f} units, "
        f"{compute:.1f} s of compute per core; the client {units * client_per_unit:.1f} s of "
        f"CPU and {units * (answer + task) / 1e6:.0f} MB in and out"
    )


if __name__ == "__main__":
    main()
