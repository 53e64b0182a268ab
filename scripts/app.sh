#!/usr/bin/env bash
# Set up, fetch the translation models when they are missing and the hub can be reached
# (progress shown; without the hub, one line and the app opens without them), then open
# the review app on the shipped article (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/mtreview models fetch --optional || true
# `mtreview app` sets the upload limit (max_upload_mb) and keeps XSRF protection on; its
# Streamlit child stops with it.
exec .venv/bin/mtreview app --headless "$@"
