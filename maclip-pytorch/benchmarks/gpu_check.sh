#!/usr/bin/env bash
# GPU check (under 5 minutes on a CUDA machine): install maclip-pytorch from this checkout, then run
# the engine's CUDA tests, the throughput comparison (per-image loop vs engine, fp32 and
# autocast) and the CPU-vs-GPU score parity check. Nothing is downloaded but Python packages.
#
#   bash benchmarks/gpu_check.sh 2>&1 | tee gpu_check.log
#
# MACLIP_GPU_VENV=path reuses a virtual environment; it sees the system's packages, so a
# CUDA build of torch already installed there is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${MACLIP_GPU_VENV:-$(mktemp -d)/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv --system-site-packages "$venv"
# shellcheck disable=SC1091
source "$venv/bin/activate"
python -m pip install -q --upgrade pip
python -m pip install -q -e ".[test]"   # PyPI's Linux torch wheels include CUDA
python - <<'PY'
import sys, torch
if not torch.cuda.is_available():
    sys.exit(f"no CUDA device visible to torch {torch.__version__}; this check needs a GPU")
print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}, CUDA {torch.version.cuda}")
PY
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
timeout 120 python -m pytest -q tests/test_engine.py -k cuda
timeout 150 python benchmarks/throughput.py --device cuda --koniq 48 --others 16 --rounds 3
timeout 120 python benchmarks/gpu_parity.py --images 6
echo "gpu_check: done"
