#!/usr/bin/env bash
# Runs the test suite (sets the environment up first if needed), then its numerics tests under a second kernel
# setting. Extra args go to pytest instead (one run, as given).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh install
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
echo "==> ruff: lint and format check (pyproject.toml, [tool.ruff])"
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/python -m pytest
# The tests whose outcome rounding could move, again under other kernels: ATen dispatched as on an AVX2 CPU, MKL in
# its AVX2 reproducibility mode, one thread. A test that holds only with this machine's rounding fails here, before
# it lands on a machine whose CPU differs (docs/machines.md).
echo "==> the numerics tests again under ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 OMP_NUM_THREADS=1"
ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 OMP_NUM_THREADS=1 .venv/bin/python -m pytest -m "numerics and not slow"
