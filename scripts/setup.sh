#!/usr/bin/env bash
# Set up everything mtreview and its tests need on a fresh Debian machine (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(chromium libxml2-utils grammalecte-cli python3-grammalecte postgresql nginx)
# Node.js for the component's JavaScript checks: the machine's own when it has one (these
# machines ship Node 20), else Debian's.
command -v node >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs npm)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# Installed again only when what the install reads changed (pyproject.toml, this script)
# or the virtual environment is new: a set-up with nothing to do takes a moment, not the
# 8 s pip needs to find nothing to do (the app's script runs it at every start).
stamp=.venv/.mtreview-installed
wanted=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  # The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
  .venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/pip install -q torch==2.13.0
  .venv/bin/pip install -q -e ".[test,ray,postgres]"
  echo "$wanted" > "$stamp"
fi

# The JavaScript tools (eslint, typescript: package.json, locked by package-lock.json) for
# the review component's lint, type check and unit tests; installed again when the lock
# changes. Node.js and npm are the machine's own: the app runs without them.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.mtreview-lock; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.mtreview-lock
  fi
else
  echo "setup: Node.js (20 or newer) and npm not found: scripts/test.sh needs them to lint," \
    "type-check and unit-test the review component's JavaScript (mtreview/ui/*.js)." \
    "Install them (Debian: apt-get install nodejs npm) and run this again." >&2
fi
