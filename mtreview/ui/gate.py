"""The web gate in front of the app's server: what reaches Streamlit at all.

Two refusals and two headers, before any page or websocket is served (pure ASGI, so the
websocket passes through untouched once let in):

- a Host header outside the allow-list (the loopback names, the address the server
  listens on, the `allowed_hosts` setting) gets 403: a page that rebound its own name to
  this machine (DNS rebinding) reaches nothing;
- in the local no-password mode (a store without accounts) a request that came through a
  proxy (`Forwarded`, `X-Forwarded-*`, `X-Real-IP`, `Via`) gets 403: that mode trusts
  whoever reaches the port, which must then be this machine;
- every HTTP answer says `frame-ancestors 'none'` and `X-Frame-Options: DENY`, so no
  other site can frame the app and steer the reviewer's clicks.

What it lets in carries one header of its own, `X-Mtreview-Binding`: a digest of the
sign-in cookie (`mtreview.ui.session_routes`), any client's own copy removed. Streamlit
keeps it with the session (`server.trustedUserHeaders`) and resumes a session only for a
connection that brings the same value, so a Streamlit session id presented without that
cookie gets a fresh session, and signing in or out starts a new one. Streamlit's log lines
name session ids: they are written with the ids hidden (`hide_session_ids`).

`streamlit_app.py` and `app.py` install it with `st.App(__file__, **app_options())`, with
the sign-in routes. The settings are read at the first request, not at import.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from mtreview.errors import MTReviewError
from mtreview.hosts import WILDCARD_ADDRESSES, HostAllowList, host_name
from mtreview.settings import Settings, settings_for_app
from mtreview.ui.session_routes import COOKIE, session_routes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROXY_HEADERS = (
    b"forwarded",
    b"x-forwarded-for",
    b"x-forwarded-host",
    b"x-forwarded-proto",
    b"x-real-ip",
    b"via",
)
FRAME_HEADERS = (
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
)
BINDING_HEADER = b"x-mtreview-binding"
BINDING_KEY = "mtreview_binding"  # its key in Streamlit's user info (st.user)
ACCOUNTS_CHECKED_FOR = 2.0  # seconds a "has accounts" answer is reused by the gate
WRONG_HOST = (
    "403 refused: this app does not answer to that host name (by default only localhost "
    "and 127.0.0.1; a team lists its names in the allowed_hosts setting)"
)
PROXIED_LOCAL = (
    "403 refused: this store has no accounts (local, no password) and the request came "
    "through a proxy ({header}); add accounts (mtreview users add) to serve a team"
)


def has_accounts(db: str) -> bool:
    """Whether the store at `db` is a team store; a SQLite file that is not there yet has
    no accounts (and is not created by asking)."""
    from mtreview.store import ReviewStore

    if "://" not in db and not Path(db).is_file():
        return False
    with ReviewStore(db) as store:
        return store.has_accounts()


@dataclasses.dataclass(frozen=True)
class GatePolicy:
    """What the gate lets in: the names it answers to, and the store whose accounts say
    whether proxied requests may come (None: unknown, so they may not)."""

    hosts: HostAllowList
    db: str | None

    @classmethod
    def from_settings(cls, settings: Settings, *, listening: str | None = None) -> GatePolicy:
        """The settings' names, plus the address the server listens on when it is one
        address (not 0.0.0.0 or ::): what a reviewer types to reach it."""
        names = list(settings.allowed_hosts)
        bare = (listening or "").strip("[]")
        address = host_name(f"[{bare}]" if ":" in bare else bare)
        if address is not None and bare not in WILDCARD_ADDRESSES:
            names.append(address)
        return cls(HostAllowList.of(names), settings.db)

    @classmethod
    def for_this_server(cls) -> GatePolicy:
        """The app's settings (those `mtreview app` resolved) and Streamlit's listening
        address; settings that cannot be read leave the strictest gate (the page then
        shows why)."""
        from streamlit import config

        try:
            return cls.from_settings(settings_for_app(), listening=_listening(config))
        except MTReviewError as exc:
            logging.getLogger(__name__).error("web gate: loopback names only: %s", exc)
            return cls(HostAllowList.of(()), None)


def _listening(config: Any) -> str | None:
    address = config.get_option("server.address")
    return str(address) if address else None


class WebGate:
    """Pure ASGI middleware: refuses what the module docstring lists, passes the rest on
    unchanged (HTTP answers get the frame headers added)."""

    def __init__(self, app: ASGIApp, policy: GatePolicy | None = None) -> None:
        self.app = app
        self._policy = policy
        self._accounts: tuple[float, bool] | None = None  # (when checked, answer)

    @property
    def policy(self) -> GatePolicy:
        if self._policy is None:
            self._policy = GatePolicy.for_this_server()
        return self._policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            await _refuse(scope, receive, send, refusal)
            return
        scope = {**scope, "headers": _bound(scope.get("headers", ()))}
        await self.app(scope, receive, _framed(send) if scope["type"] == "http" else send)

    async def _refusal(self, scope: Scope) -> str | None:
        """Why this request gets 403, or None."""
        pairs = _headers(scope)
        headers = dict(pairs)
        hosts = [value.decode("latin-1") for name, value in pairs if name == b"host"]
        if len(hosts) != 1 or not self.policy.hosts.allows(hosts[0]):
            return WRONG_HOST
        proxied = next((name for name in PROXY_HEADERS if name in headers), None)
        if proxied is not None and not await self._team_store():
            return PROXIED_LOCAL.format(header=proxied.decode("ascii"))
        return None

    async def _team_store(self) -> bool:
        """Whether the store has accounts, asked at most every few seconds (only for
        proxied requests), off the event loop."""
        from starlette.concurrency import run_in_threadpool

        db = self.policy.db
        if db is None:
            return False
        now = time.monotonic()
        if self._accounts is None or now - self._accounts[0] > ACCOUNTS_CHECKED_FOR:
            try:
                answer = await run_in_threadpool(has_accounts, db)
            except MTReviewError:
                answer = False  # an unreadable store proves no accounts
            self._accounts = (now, answer)
        return self._accounts[1]


def _headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    return [(name.lower(), value) for name, value in scope.get("headers", ())]


def _bound(headers: Any) -> list[tuple[bytes, bytes]]:
    """The request's headers with the binding header set from the sign-in cookie (a
    client's own binding header dropped)."""
    from starlette.requests import cookie_parser

    kept = [(name, value) for name, value in headers if name.lower() != BINDING_HEADER]
    cookies = b"; ".join(value for name, value in kept if name.lower() == b"cookie")
    token = cookie_parser(cookies.decode("latin-1")).get(COOKIE, "")
    return [*kept, (BINDING_HEADER, binding(token).encode("ascii"))]


def binding(token: str) -> str:
    """What binds a Streamlit session to the sign-in cookie: a digest of the token (not
    the store's proof, which is its plain SHA-256); "-" without a cookie."""
    if not token:
        return "-"
    return hashlib.sha256(b"mtreview streamlit binding\0" + token.encode("utf-8")).hexdigest()


def _framed(send: Send) -> Send:
    """`send` with the frame headers on the response (the app's own X-Frame-Options
    replaced; a CSP of its own kept beside ours: browsers enforce both)."""

    async def send_framed(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [
                (name, value)
                for name, value in message.get("headers", ())
                if name.lower() != b"x-frame-options"
            ]
            message = {**message, "headers": [*kept, *FRAME_HEADERS]}
        await send(message)

    return send_framed


async def _refuse(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    """403 with a one-line reason; for a websocket, before it is accepted (a denial
    response where the server offers one, else a close, which it answers with 403)."""
    body = (reason + "\n").encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"x-content-type-options", b"nosniff"),
        *FRAME_HEADERS,
    ]
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await receive()  # websocket.connect
    if "websocket.http.response" in scope.get("extensions", {}):
        await send({"type": "websocket.http.response.start", "status": 403, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})


# --- the server's options: st.App(__file__, **app_options()) ------------------------------
def app_options() -> dict[str, Any]:
    """`st.App` keywords: the gate in front of Streamlit, the sign-in routes, and a
    start-up that keeps what `streamlit run` of a plain script did (open the browser
    unless headless), hides error details from clients unless an option asked for them,
    and binds sessions to the sign-in cookie. Session ids are hidden from the log."""
    from starlette.middleware import Middleware

    hide_session_ids()
    return {
        "middleware": [Middleware(WebGate)],
        "routes": session_routes(),
        "lifespan": _lifespan,
    }


SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
HIDDEN = "<session id hidden>"


def hide_session_ids() -> None:
    """From now on, log records of Streamlit and its web server show no session id (a
    UUID: whoever reads the log could present it); installed once per process."""
    make = logging.getLogRecordFactory()
    if getattr(make, "hides_session_ids", False):
        return

    def hiding(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if record.name.startswith(("streamlit", "uvicorn", "mtreview")):
            if isinstance(record.msg, str):
                record.msg = SESSION_ID.sub(HIDDEN, record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(_hidden(arg) for arg in record.args)
        return record

    hiding.hides_session_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(hiding)


def _hidden(arg: object) -> object:
    return SESSION_ID.sub(HIDDEN, arg) if isinstance(arg, str) else arg


@contextlib.asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    import asyncio

    from streamlit import config

    if not config.is_manually_set("client.showErrorDetails"):
        config.set_option("client.showErrorDetails", "none")
    # A newer request goes to the run under way, which takes it at its next use of the
    # session (`mtreview.ui.uninterrupted`), instead of a second run started beside it
    # while the first still writes to the session and the store.
    config.set_option("runner.fastReruns", False)
    trusted = dict(config.get_option("server.trustedUserHeaders") or {})
    trusted[BINDING_HEADER.decode("ascii")] = BINDING_KEY  # sessions bound to the cookie
    config.set_option("server.trustedUserHeaders", trusted)
    if not config.get_option("server.headless"):
        asyncio.get_running_loop().call_soon(_open_browser, config)
    yield


def _open_browser(config: Any) -> None:
    """What `streamlit run` does for a plain script (an `st.App` does not)."""
    from streamlit import cli_util
    from streamlit.web.server import server_util

    address = _listening(config) or ""
    shown = "localhost" if address in WILDCARD_ADDRESSES else address
    cli_util.open_browser(server_util.get_url(server_util.get_display_address(shown)))
