#!/usr/bin/env bash
# The GPU checks of bench/gpu_check.py as one command for a lent machine (the device tool's `run`):
#   bash bench/gpu_check.sh            writes $OUT/gpu_check.txt (./gpu_check.txt without $OUT)
# Training runs from the source tree with the machine's own torch, numpy, scipy and tqdm; nothing is installed.
# Each check is its own process under a time limit, so one that hangs or fails leaves the others' figures.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-.}/gpu_check.txt"
: > "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$out"
for check in nanda sweep twice; do
  PYTHONPATH=. timeout "${GPU_CHECK_LIMIT:-240}" python3 bench/gpu_check.py --check "$check" --out "$out" "$@"
  status=$?
  [ "$status" -eq 0 ] || echo "$check: exit $status (124: past its ${GPU_CHECK_LIMIT:-240} s)" | tee -a "$out"
done
