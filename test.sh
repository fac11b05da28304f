#!/usr/bin/env bash
# Runs the test suite (sets the environment up first if needed). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh install
exec .venv/bin/python -m pytest "$@"
