"""The shipped nginx set-up (`deploy/nginx.conf`) in front of the real app, over TLS.

Debian's nginx runs the template itself, only its names, certificate paths and ports
replaced, unprivileged on loopback, with a throwaway self-signed certificate for
`review.test`; the app serves a team store with the settings the template names
(`allowed_hosts`, `cookie_secure`, `trust_forwarded_for`). Clients connect to 127.0.0.1
and present `review.test` as a browser would: the Host header, and the TLS server name
(httpx's `sni_hostname` extension, the websocket's URL), so the certificate is verified
against the generated one, never skipped. One nginx and one app for the module.

The local no-password mode's refusal of proxied requests is played in
`tests/security/test_hostile_web.py` (it needs a store without accounts).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from nginx_proxy import NAME, NGINX, certificate, rendered, running_nginx, tls
from streamlit_stream import open_stream, read_run, request_run

from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.browser import free_port, streamlit_app
from mtreview.testing.team import team
from mtreview.ui.session_routes import COOKIE

PASSWORD = "plum orchard lantern"

pytestmark = [
    pytest.mark.processes,
    pytest.mark.slow,
    pytest.mark.skipif(
        not NGINX.is_file(), reason="needs Debian's nginx (scripts/setup.sh installs it)"
    ),
]


@dataclass(frozen=True)
class Proxy:
    https_port: int  # nginx, TLS
    http_port: int  # nginx, the plain-http redirect
    app_port: int  # the app itself, plain http on loopback
    db: Path
    certificate: Path

    @property
    def origin(self) -> str:
        return f"https://{NAME}:{self.https_port}"

    def tls(self) -> ssl.SSLContext:
        """A client that trusts only the generated certificate."""
        return tls(self.certificate)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    folder = tmp_path_factory.mktemp("tls-proxy")
    cert, key = certificate(folder)
    db = folder / "team.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text("Une phrase.\n", doc_id="doc", name="doc.txt"))
        store.add_user("anne", role="reviewer", password=PASSWORD, by=team(store)["admin"])
    env = {
        "MTREVIEW_USE_MODELS": "false",
        "MTREVIEW_ALLOWED_HOSTS": NAME,
        "MTREVIEW_COOKIE_SECURE": "true",
        "MTREVIEW_TRUST_FORWARDED_FOR": "true",
    }
    with streamlit_app(db, folder / "streamlit.log", **env) as url:
        app_port, https_port, http_port = int(url.rsplit(":", 1)[1]), free_port(), free_port()
        site = rendered(cert, key, [app_port], https_port, http_port)
        with running_nginx(folder, site, https_port):
            yield Proxy(https_port, http_port, app_port, db, cert)


def _client(proxy: Proxy) -> httpx.Client:
    """httpx to nginx on 127.0.0.1, as a browser at https://review.test:PORT: the Host
    header and the TLS server name say review.test, checked against the certificate."""
    return httpx.Client(
        base_url=f"https://127.0.0.1:{proxy.https_port}",
        headers={"Host": f"{NAME}:{proxy.https_port}"},
        verify=proxy.tls(),
        timeout=30,
    )


def _request(
    proxy: Proxy,
    method: str,
    path: str,
    *,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    with _client(proxy) as client:
        return client.request(
            method, path, data=data, headers=headers, extensions={"sni_hostname": NAME}
        )


def _signin(proxy: Proxy, form: dict[str, str], **headers: str) -> httpx.Response:
    """The sign-in form posted from the page at https://review.test:PORT (its Origin),
    or with the headers given."""
    return _request(proxy, "POST", "/_mtreview/signin", data=form,
                    headers={"Origin": proxy.origin, **headers})  # fmt: skip


def test_the_page_loads_over_https_with_the_frame_headers(proxy: Proxy) -> None:
    page = _request(proxy, "GET", "/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    with httpx.Client(timeout=30) as plain:  # plain http to nginx: only a redirect
        moved = plain.get(f"http://127.0.0.1:{proxy.http_port}/x?y=1", headers={"Host": NAME})
    assert moved.status_code == 301 and moved.headers["location"] == f"https://{NAME}/x?y=1"


def test_a_sign_in_over_tls_gets_a_secure_cookie_and_a_signed_in_websocket(
    proxy: Proxy,
) -> None:
    form = {"user": "anne", "password": PASSWORD}
    answer = _signin(proxy, form)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    [cookie] = answer.headers.get_list("set-cookie")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith(f"{COOKIE}=")
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= attributes
    token = answer.cookies[COOKIE]
    with open_stream(proxy.https_port, host=NAME, tls=proxy.tls(),
                     headers={"Cookie": f"{COOKIE}={token}"}) as ws:  # fmt: skip
        request_run(ws)
        run = read_run(ws)
    texts = [getattr(element, "body", "") for name, element in run.elements
             if name in ("text", "markdown")]  # fmt: skip
    assert "Reviewer: anne" in texts
    refused = _signin(proxy, form, Origin="https://evil.example")
    assert refused.status_code == 403 and "set-cookie" not in refused.headers


def test_sign_ins_are_counted_by_the_address_nginx_saw(proxy: Proxy) -> None:
    """A client's own X-Forwarded-For is kept, but nginx appends the address it saw, the
    last hop, which is the one the app counts: a forged header moves no guess elsewhere."""
    guess = {"user": "zoe", "password": "not it"}
    answer = _signin(proxy, guess, **{"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 303 and answer.headers["location"] == "/?signin=wrong"
    with ReviewStore(proxy.db) as store:
        failed = [e.detail for e in store.audit_log() if e.action == "sign-in-failed"]
    assert failed[-1]["client"] == "127.0.0.1"


def test_the_apps_own_port_refuses_a_rebound_host(proxy: Proxy) -> None:
    with httpx.Client(timeout=30) as plain:
        rebound = plain.get(f"http://127.0.0.1:{proxy.app_port}/", headers={"Host": "evil.example"})
        direct = plain.get(f"http://127.0.0.1:{proxy.app_port}/", headers={"Host": NAME})
    assert rebound.status_code == 403 and rebound.text.startswith("403 refused:")
    assert direct.status_code == 200  # the public name, on loopback: what nginx sends
