"""`mtreview app`: its Streamlit server keeps the upload limit and XSRF protection, and
stops with it (SIGTERM, or even SIGKILL of the parent)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit_server import free_port, wait_until_serving

pytestmark = [pytest.mark.slow, pytest.mark.processes]


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped: only its exit status is left


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    """`mtreview app` on a free port; the process, its Streamlit child, the URL."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MTREVIEW_USE_MODELS": "false"}
    command = [sys.executable, "-m", "mtreview.cli", "app", "--headless", "--port", str(port)]
    command += ["--server.fileWatcherType", "none"]  # Streamlit's own: passed on
    log = (tmp_path / "app.log").open("wb")
    process = subprocess.Popen(
        [*command, "--db", str(tmp_path / "s.db")], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    url = f"http://localhost:{port}"
    wait_until_serving(url, process, tmp_path / "app.log")
    children = _children(process.pid)
    assert len(children) == 1
    return process, children[0], url


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while _alive(pid):
        assert time.monotonic() < deadline, f"process {pid} still running"
        time.sleep(0.1)


def test_app_server_limits_uploads_keeps_xsrf_and_stops_on_sigterm(tmp_path: Path) -> None:
    process, child, url = _start(tmp_path)
    try:
        argv = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")
        options = dict(itertools.pairwise(argv))
        assert options["--server.maxUploadSize"] == "20"  # the max_upload_mb default
        assert options["--server.enableXsrfProtection"] == "true"
        assert options["--server.fileWatcherType"] == "none"
        with urllib.request.urlopen(f"{url}/_stcore/host-config", timeout=5) as answer:
            assert answer.status == 200
        forged = urllib.request.Request(f"{url}/_stcore/upload_file/s/f", b"x", method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:  # no XSRF token: refused
            urllib.request.urlopen(forged, timeout=5)
        assert refused.value.code == 403
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
        _wait_gone(child)
    finally:
        for pid in (process.pid, child):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_app_server_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    process, child, _url = _start(tmp_path)
    try:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        _wait_gone(child)  # told by the kernel (PR_SET_PDEATHSIG), not by a handler
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)
