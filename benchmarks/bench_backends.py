"""Solver backends side by side: numpy vs PyTorch on the CPU (and on CUDA when present).

Solves an open N x N gridworld (stay plus moves) at γ = 0.99 for a batch of
IID uniform reward samples with each backend, one after the other in the same
run, and prints solved state-samples per second, the ratios to numpy, and the
largest difference of (1 − γ)·V from numpy's (float64 and float32).

    python benchmarks/bench_backends.py [--size 30] [--samples 2000] [--gamma 0.99]
    python benchmarks/bench_backends.py --size 100 --samples 100000   # solve() alone on a GPU

The analyses on a device: benchmarks/bench_device.py.
"""

import argparse
import time

import machine
import numpy as np

from powerseek import gridworld, solve


def timed(mdp, R, gamma, **options):
    start = time.perf_counter()
    result = solve(mdp, R, gamma, **options)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--chunk", type=int, default=None, help="samples per solve call")
    args = parser.parse_args()
    import torch

    mdp = gridworld.parse("\n".join(["." * args.size] * args.size))
    R = np.random.default_rng(0).random((args.samples, mdp.n_states))
    work = mdp.n_states * args.samples
    print(machine.describe() + f"; torch {torch.__version__}")
    print(f"{args.size}x{args.size} open grid ({mdp.n_states} states), {args.samples} samples, "
          f"gamma {args.gamma}")  # fmt: skip
    runs = [("numpy", {})]
    runs += [("torch cpu float64", {"device": "cpu"})]
    runs += [("torch cpu float32", {"device": "cpu", "precision": "float32"})]
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        solve(mdp, R[:8], args.gamma, device="cuda")  # warm up: CUDA context, kernels
        runs += [(f"torch cuda float64 ({name})", {"device": "cuda"})]
        runs += [(f"torch cuda float32 ({name})", {"device": "cuda", "precision": "float32"})]
    else:
        print("no CUDA GPU here: the GPU rows are left out")
    solve(mdp, R[:8], args.gamma, device="cpu")  # warm up torch
    reference = None
    for label, options in runs:
        result, seconds = timed(mdp, R, args.gamma, **options)
        if reference is None:
            reference, base = result, seconds
        error = np.abs((1 - args.gamma) * (result.values - reference.values)).max()
        print(
            f"  {label:<40} {seconds:8.2f} s  {work / seconds:10.3g} state-samples/s  "
            f"{base / seconds:6.2f}x numpy  max |Δ(1-γ)V| {error:.1e}"
        )


if __name__ == "__main__":
    main()
