#!/usr/bin/env bash
# The GPU checks in one short run, for a machine with a CUDA device and PyTorch
# installed beside powerseek's dependencies: the torch tests, whose CUDA cases run
# only there, then the device benchmark on a 10^6-cell map (about a minute on an
# H100 by the traffic count in docs/performance.md; give it five).
#
#     bash benchmarks/device_check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# powerseek from this checkout, uninstalled (the device image holds its dependencies
# and PyTorch in its `python3`); PYTHON overrides the interpreter
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python="${PYTHON:-python3}"
"$python" -c "import torch; assert torch.cuda.is_available(), 'PyTorch sees no CUDA device'; \
print('torch', torch.__version__, 'on', torch.cuda.get_device_name(0))"
"$python" -m pytest -q -p no:cacheprovider tests/solvers/test_torch_backend.py \
    tests/analysis/test_device_path.py
"$python" benchmarks/bench_device.py --device cuda --side 1000 --samples 2048 \
    --host-samples 256 --cpu-samples 32
