"""POWER on a torch device: state-samples per second, against the host-side design and the CPU.

`power()` of every state of an open N x N grid at γ = 0.9 from IID uniform samples,
three ways in one run:

- the device path: chunks sized to the device's memory, solved there, POWER and its
  moments computed there, one node per chunk back (``power(..., device=DEVICE)``);
- the host-side design it replaces, rebuilt from public calls: 32-sample chunks
  solved on the device with :func:`powerseek.solve` (values copied back), POWER and
  the block moments on the host;
- the CPU path (``power()`` with no device: the compiled kernel where numba is
  installed, on every core), on fewer samples.

Wall time (the device works asynchronously; every case ends with its numbers on
the host) and the host's CPU time; then one chunk of the device path timed by
phase (upload, solve, POWER, moments) and its device traffic from a byte count of
each step, with the throughput that traffic allows at the device's memory
bandwidth (``--bandwidth``, GB/s). On CUDA the peak memory allocated per sample is
printed beside the chunk-size model of :func:`powerseek.solvers.device_chunk_rows`.

    python benchmarks/bench_device.py                      # CPU build of PyTorch: 100x100
    python benchmarks/bench_device.py --device cuda --side 1000 --samples 2048 \\
        --host-samples 256 --cpu-samples 32                # the GPU target: 10^6 cells
"""

import argparse
import os
import resource
import sys
import time


def timed(function):
    """(result, wall seconds, host CPU seconds of this process and its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    result = function()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return result, wall, usage.ru_utime + usage.ru_stime - cpu


def traffic_per_state_sample(sweeps: int, rounds: int, doublings: int, width: int) -> int:
    """Bytes read and written per state and sample by one chunk of the device path (float64).

    Counted from the tensor operations of powerseek.solvers._torch_backend:
    a maximum over `width` actions is 16·width + 24·(width − 1) bytes and a
    first hit 50·(width − 1); a value sweep from R/(1−γ) is a maximum, the
    scaled sum (24) and its change (48); the greedy policy of the last sweep a
    maximum, a difference (24) and a first hit. Where the sweeps do not settle,
    `rounds` of policy iteration follow: a policy evaluation is K+1
    gather-and-add passes (48 bytes: the pointer, S∘P, S and the sum) and K
    pointer compositions (24); a round adds the policy's successors (24) and
    the improvement test (58), each round that improves the first hits and the
    policy update (25); the Bellman residual ends it (56), the last round's
    evaluation serving it in float64.
    """
    best = 16 * width + 24 * (width - 1)
    first = 50 * (width - 1)
    evaluate = 48 * (doublings + 1) + 24 * doublings
    start = 16 + sweeps * (best + 24 + 48) + best + 24 + first
    if rounds:
        start += rounds * (24 + evaluate + best + 58) + (rounds - 1) * (first + 25)
        start += 56
    power = 16 + best
    moments = 80
    upload = 8 + 16  # host to device, then the transpose on the device
    return upload + start + power + moments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--side", type=int, default=100)
    parser.add_argument("--gamma", type=float, default=0.9)
    parser.add_argument("--samples", type=int, default=2048, help="device path")
    parser.add_argument("--host-samples", type=int, default=512, help="host-side design")
    parser.add_argument("--cpu-samples", type=int, default=512, help="CPU path")
    parser.add_argument("--precision", default="float64", choices=["float64", "float32"])
    parser.add_argument(
        "--bandwidth",
        type=float,
        default=None,
        help="device memory bandwidth in GB/s for the traffic bound "
        "(default: 3350 on CUDA, the H100 SXM's; none on the CPU)",
    )
    parser.add_argument("--source", default=None, help="a folder holding the powerseek package")
    args = parser.parse_args()
    if args.source:
        sys.path.insert(0, os.path.abspath(args.source))
    import machine
    import numpy as np
    import torch

    from powerseek import gridworld, power, solve
    from powerseek.rewards import block_moments
    from powerseek.solvers import (
        device_block_moments,
        device_chunk_rows,
        optimal_power,
        padded_pairs,
        solve_on_device,
    )
    from powerseek.solvers._kernels import doublings_for, sweep_budget

    cuda = args.device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    mdp = gridworld.parse(["." * args.side] * args.side)
    n, gamma = mdp.n_states, args.gamma
    width = padded_pairs(mdp).shape[1]
    print(machine.describe() + f"; torch {torch.__version__}")
    if cuda:
        print(f"device: {torch.cuda.get_device_name(args.device)}")
    print(f"{args.side}x{args.side} open grid: {n} states, {mdp.n_pairs} pairs; gamma {gamma}; "
          f"{args.precision}; powerseek from {args.source or 'the installed package'}")  # fmt: skip
    device = {"device": args.device, "precision": args.precision}
    power(mdp, gamma, n_samples=64, rng=0, **device)  # warm up: CUDA context, kernels, layout
    power(mdp, gamma, n_samples=64, rng=0)
    rows = device_chunk_rows(mdp, args.device, args.precision)
    print(f"device chunk: {rows} samples ({rows * n:.3g} state-samples)")

    def host_side(m: int):
        """32-sample chunks solved on the device, POWER and moments on the host."""
        R = np.random.default_rng(1).random((m, n))
        stats = []
        for lo in range(0, m, 32):
            result = solve(mdp, R[lo : lo + 32], gamma, **device)
            stats.append(block_moments(optimal_power(mdp, result.values, gamma)))
        return stats

    cases = [
        ("device path: power(device=...)", args.samples,
         lambda: power(mdp, gamma, n_samples=args.samples, rng=1, **device)),
        ("host-side design: 32-sample solves, host POWER", args.host_samples,
         lambda: host_side(args.host_samples)),
        ("CPU path: power()", args.cpu_samples,
         lambda: power(mdp, gamma, n_samples=args.cpu_samples, rng=1)),
    ]  # fmt: skip
    rates = {}
    print(f"{'case':50s} {'samples':>8s} {'wall s':>8s} {'host CPU s':>11s} "
          f"{'state-samples/s':>16s}")  # fmt: skip
    for label, m, case in cases:
        if cuda:
            torch.cuda.reset_peak_memory_stats(args.device)
        _, wall, cpu = timed(case)
        rates[label] = n * m / wall
        print(f"{label:50s} {m:8d} {wall:8.2f} {cpu:11.2f} {rates[label]:16.3g}")
        if cuda and label.startswith("device path"):
            peak = torch.cuda.max_memory_allocated(args.device) / min(rows, args.samples)
            model = 8 * (16 * n + 2 * mdp.n_pairs)
            print(f"  peak device memory per sample: {peak / 1e6:.1f} MB "
                  f"(chunk-size model {model / 1e6:.1f} MB)")  # fmt: skip
    device_rate = rates["device path: power(device=...)"]
    print(f"device path vs host-side design: {device_rate / rates[cases[1][0]]:.2f}x; "
          f"vs CPU path: {device_rate / rates[cases[2][0]]:.2f}x")  # fmt: skip

    # one chunk of the device path, phase by phase
    m = min(rows, args.samples)
    R = np.random.default_rng(2).random((m, n))
    phases = {}
    sync()
    result, phases["solve (upload included)"], _ = timed(
        lambda: (solve_on_device(mdp, R, gamma, **device), sync())[0]
    )
    P, phases["POWER"], _ = timed(lambda: (result.power(), sync())[0])
    _, phases["moments, one transfer back"], _ = timed(lambda: device_block_moments(P))
    total = sum(phases.values())
    timings = ", ".join(f"{k} {v:.3f} s" for k, v in phases.items())
    print(f"one chunk of {m} samples: {timings}; {n * m / total:.3g} state-samples/s")
    # iterations count sweeps, then rounds of policy iteration where the sweeps did not
    # settle within their budget (float64; a float32 search always goes on to rounds)
    budget = sweep_budget(mdp, gamma)
    sweeps = min(result.iterations, budget)
    rounds = result.iterations - sweeps
    doublings = doublings_for(gamma)
    traffic = traffic_per_state_sample(sweeps, rounds, doublings, width)
    counted = " (counted for float64)" if args.precision != "float64" else ""
    print(f"{sweeps} value sweeps (budget {budget}), {rounds} rounds of policy iteration "
          f"({doublings} doublings per evaluation); device traffic {traffic:,} bytes per "
          f"state-sample{counted}")  # fmt: skip
    bandwidth = args.bandwidth or (3350.0 if cuda else None)
    if bandwidth:
        print(f"traffic bound at {bandwidth:g} GB/s: {bandwidth * 1e9 / traffic:.3g} "
              f"state-samples/s (measured: {n * m / total:.3g})")  # fmt: skip


if __name__ == "__main__":
    main()
