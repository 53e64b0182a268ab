"""Helpers for the browser tests (they live in `mtreview.testing.browser`, which the
benchmarks use too)."""

from __future__ import annotations

from pathlib import Path

from mtreview.testing.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    chromium,
    free_port,
    only,
    server_options,
    serving,
    settle,
    streamlit_app,
)

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ROOT",
    "chromium",
    "free_port",
    "only",
    "server_options",
    "serving",
    "settle",
    "streamlit_app",
]
