"""The browser tests' helpers live in `mtreview.testing.browser` (the benchmarks use them)."""

from mtreview.testing.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    chromium,
    free_port,
    only,
    server_options,
    serving,
    settle,
    streamlit_app,
    wait_until_serving,
)

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
    "wait_until_serving",
]
