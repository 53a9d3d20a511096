"""Facts about the machine a benchmark ran on, printed with its results."""

import os
import platform
import resource
import sys

import numpy as np
import scipy


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            ]
        if names:
            cpu = names[0]
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return (
        f"machine: {cpu}, {cores} cores available, {platform.system()} {platform.release()}; "
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}"
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20
