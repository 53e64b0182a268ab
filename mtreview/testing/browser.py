"""The review app in a real browser, for tests and benchmarks: `streamlit run` of the
packaged app on a free loopback port with a store of its own, and Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent.parent / "ui" / "streamlit_app.py"
ROOT = Path(__file__).resolve().parent.parent.parent  # a source checkout (tests' files)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def streamlit_app(db: Path, log: Path, **env: str) -> Iterator[str]:
    """Run the app on a free loopback port with its own store; yield its URL. The local
    user is asked for, unless `env` names it (MTREVIEW_REVIEWER)."""
    with streamlit_process(str(db), log, cwd=db.parent, **env) as (url, _pid):
        yield url


@contextlib.contextmanager
def streamlit_process(db: str, log: Path, *, cwd: Path, **env: str) -> Iterator[tuple[str, int]]:
    """`streamlit_app` on store `db` (a path or a URL), run in `cwd`: its URL and its
    process id (the load benchmark reads the server's CPU time and memory)."""
    port = free_port()
    reviewer = env.pop("MTREVIEW_REVIEWER", None)
    environ = dict(os.environ, MTREVIEW_DB=db, HF_HUB_OFFLINE="1")
    environ.update(env)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        *server_options(port),
    ]
    started: list[int] = []
    with serving(command, port, log, environ, cwd=cwd, reviewer=reviewer, started=started) as url:
        yield url, started[0]


def server_options(port: int) -> list[str]:
    return [
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until Streamlit answers its health check; its log if it stops or takes too long."""
    deadline = time.monotonic() + 240
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text()}") from None
            time.sleep(0.1)  # a refused connection costs nothing: answer soon


@contextlib.contextmanager
def serving(
    command: list[str],
    port: int,
    log: Path,
    environ: dict[str, str],
    *,
    cwd: Path,
    reviewer: str | None = None,
    started: list[int] | None = None,
) -> Iterator[str]:
    """Start `command` (a Streamlit server on `port`), wait until it answers; stop it after.
    The app asks for its local user's name unless `reviewer` gives it. `started` gets the
    process id."""
    environ = dict(environ)
    environ.pop("MTREVIEW_REVIEWER", None)
    if reviewer is not None:
        environ["MTREVIEW_REVIEWER"] = reviewer
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=environ, stdout=output, stderr=subprocess.STDOUT
        )
    if started is not None:
        started.append(process.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (which cannot download a browser here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def only(page: Any, selector: str) -> Any:
    """The element once the page has settled on one (Streamlit keeps the outgoing element
    for a moment while it draws the new one)."""
    page.wait_for_function("(s) => document.querySelectorAll(s).length === 1", arg=selector)
    return page.locator(selector)


def settle(page: Any) -> None:
    """Wait until the run that drew the page is over: no element of the previous run is
    still on show (Streamlit marks those `data-stale` until the new run replaces them)."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
