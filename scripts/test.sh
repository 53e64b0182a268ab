#!/usr/bin/env bash
# Set up, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check mtreview tests app.py benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
