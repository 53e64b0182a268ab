#!/usr/bin/env bash
# Set up, fetch the translation models when they are missing and the hub can be reached
# (progress shown; without the hub, one line and the app opens without them), then open
# the review app on the shipped article (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/mtreview models fetch --optional || true
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false \
  --client.toolbarMode viewer "$@"
