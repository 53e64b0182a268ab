"""Debian's nginx running the shipped template `deploy/nginx.conf`, for the proxy tests
(`tests/security/test_tls_proxy.py`: one app; `tests/test_replicas.py`: two replicas).

Only the template's names, certificate paths and ports are replaced (each replaced text
must be in it, so a template that drifted fails here, not silently); nginx runs
unprivileged on loopback with every path in the test's folder, and a throwaway
self-signed certificate for `review.test` that the clients verify.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from mtreview.testing.browser import ROOT

NGINX = Path("/usr/sbin/nginx")
TEMPLATE = ROOT / "deploy" / "nginx.conf"
NAME = "review.test"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for `NAME` and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def tls(cert: Path) -> ssl.SSLContext:
    """A client that trusts only the generated certificate."""
    return ssl.create_default_context(cafile=str(cert))


def rendered(
    cert: Path, key: Path, app_ports: Sequence[int], https_port: int, http_port: int
) -> str:
    """The shipped template with this test's names, paths and ports: its upstream's first
    `server` line for the first app, the commented second for a second app."""
    text = TEMPLATE.read_text(encoding="utf-8")
    certificates = re.compile(
        r"/etc/letsencrypt/live/review\.example\.org/(fullchain|privkey)\.pem"
    )
    assert len(certificates.findall(text)) == 2
    text = certificates.sub(lambda m: str(cert if m.group(1) == "fullchain" else key), text)
    servers = ("server 127.0.0.1:8501;", "# server 127.0.0.1:8502;")
    assert len(app_ports) <= len(servers)
    for old, new in (
        *(
            (line, f"server 127.0.0.1:{port};")
            for line, port in zip(servers[: len(app_ports)], app_ports, strict=True)
        ),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("server_name review.example.org;", f"server_name {NAME};"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text


def _nginx_conf(folder: Path, site: Path) -> Path:
    """A whole nginx configuration that runs unprivileged: every path in `folder`; as root,
    the workers stay root (they could not write the test's private temp folders)."""
    temp = folder / "temp"
    temp.mkdir()
    lines = [
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 1;",
        f"pid {folder / 'nginx.pid'};",
        "error_log stderr;",
        "events { worker_connections 64; }",
        "http {",
        f"  access_log {folder / 'access.log'};",
        *(f"  {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy")),
        *(f"  {kind}_temp_path {temp / kind};" for kind in ("fastcgi", "uwsgi", "scgi")),
        f"  include {site};",
        "}",
    ]
    conf = folder / "nginx.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def running_nginx(folder: Path, site_text: str, https_port: int) -> Iterator[Path]:
    """nginx serving `site_text` (a rendered site) until the block ends; yields its log."""
    site = folder / "site.conf"
    site.write_text(site_text, encoding="utf-8")
    conf, log = _nginx_conf(folder, site), folder / "nginx.log"
    with log.open("w") as output:
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(folder), "-e", "stderr", "-c", str(conf), "-g", "daemon off;"],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for_port(https_port, nginx, log)
        yield log
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
