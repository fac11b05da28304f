#!/usr/bin/env bash
# Sets up everything on a fresh Debian machine, then runs the main job.
#   ./setup.sh           system packages + .venv + project, then the main job, `grok all`: train
#                        (the quick preset on a CPU, the paper's run on a GPU), then publish the
#                        explainer from it (renders/grokking_explainer.mp4, captions, GIFs)
#   ./setup.sh install   the same, without the main job (used by test.sh and CI)
# Re-running is cheap: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")"

apt_packages=(
  libcairo2-dev libpango1.0-dev pkg-config  # pycairo and manimpango build from source
  fonts-cmu                                 # Computer Modern, the scenes' typeface
  chromium                                  # PNG stills of the figures (kaleido) and the explorer's browser test
)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The venv is rebuilt only when pyproject.toml changes.
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> creating .venv and installing the project (about 2 minutes the first time)"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  # torch first and pinned: any other spec pulls the multi-GB CUDA build (see README).
  .venv/bin/python -m pip install -q "torch==2.13.0"
  # The voice extra (piper-tts, GPL-3.0-or-later, run as its own process; ~261 MB) so the main job's film is
  # spoken: README, "Licences"; `grok publish --no-voice` leaves it silent.
  .venv/bin/python -m pip install -q -e ".[test,voice]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Where nvidia-smi lists a GPU, torch must be its CUDA build: the pinned version from PyPI itself (a folder of local
# wheels in pip's config, as some machines have, can offer a CPU build of the same version first).
if nvidia-smi -L >/dev/null 2>&1; then
  if ! .venv/bin/python -c "import sys, torch; sys.exit(not torch.cuda.is_available())" 2>/dev/null; then
    echo "==> a GPU is listed but torch cannot use it: installing torch 2.13.0's CUDA build from PyPI"
    .venv/bin/python -m pip uninstall -q -y torch
    env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null .venv/bin/python -m pip install -q "torch==2.13.0"
  fi
  .venv/bin/python -c "import torch; print('==> GPU:', torch.cuda.get_device_name(0), '| torch', torch.__version__, \
'| CUDA', torch.version.cuda) if torch.cuda.is_available() else print('warning: a GPU is listed, but torch', \
torch.__version__, 'cannot use it: training will run on the CPU')"
fi

if [ "${1:-}" != "install" ]; then
  echo "==> main job: grok all (train, export frames, publish the explainer)"
  .venv/bin/grok all
fi
