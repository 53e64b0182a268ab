"""Sign-in and sign-out as plain HTTP routes beside Streamlit, so the session token lives
in a cookie the browser keeps and scripts cannot read, not in Streamlit's session state.

- `POST /_mtreview/signin` (form fields `user`, `password`): the store checks the password
  (throttled per account and per client address), a new token is set as the cookie
  `mtreview_session` (HttpOnly, SameSite=Strict, Path=/, Secure under TLS or with the
  `cookie_secure` setting) and the session that cookie held before is signed out: every
  sign-in rotates the token. A refusal redirects to `/?signin=CODE`, and the page shows a
  fixed message for the code (`signin_message`), never what was typed.
- `POST /_mtreview/signout` ends this browser's session; `POST /_mtreview/signout-everywhere`
  ends every session of the account. Both clear the cookie.

Every answer is a 303 to the page (its next script run reads the cookie:
`mtreview.ui.signin`), or a one-line 403 for a POST whose Origin (or Referer) is not this
host: with SameSite=Strict, that is the cross-site request forgery check.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import urllib.parse
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from mtreview.errors import MTReviewError
from mtreview.hosts import host_name, is_loopback
from mtreview.settings import Settings, settings_for_app
from mtreview.store import AuthError, ReviewStore
from mtreview.store.sessions import SessionPolicy
from mtreview.store.throttle import (
    ACCOUNT,
    SignInThrottled,
    ThrottlePolicy,
    client_address,
    utc_now,
)

COOKIE = "mtreview_session"
SIGN_IN = "/_mtreview/signin"
SIGN_OUT = "/_mtreview/signout"
SIGN_OUT_EVERYWHERE = "/_mtreview/signout-everywhere"
HOME = "/"
MAX_FORM_BYTES = 8192  # a name and a password; more is not a sign-in
CROSS_SITE = "403 refused: this form was sent from another site (its Origin is not this host)"

_log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Refused:
    """Why a sign-in did not happen, as the redirect's query says it (no input in it)."""

    code: str  # "wrong", "wait" or "unavailable"
    kind: str = ACCOUNT
    locked: bool = False
    seconds: int = 0

    def query(self) -> str:
        if self.code != "wait":
            return urllib.parse.urlencode({"signin": self.code})
        values = {"signin": "wait", "kind": self.kind, "locked": int(self.locked)}
        return urllib.parse.urlencode({**values, "seconds": self.seconds})


# --- the page's side: a code from the query, a fixed message --------------------------------
MESSAGES = {
    "wrong": "wrong name or password, or the account is disabled",
    "unavailable": "sign-in is unavailable: the store could not be read (see the server log)",
}


def signin_message(query: dict[str, str]) -> str | None:
    """The message for a refused sign-in's redirect (`?signin=…`), made only of known words
    and a number; None when there is none (or the query is not one of ours)."""
    code = query.get("signin")
    if code in MESSAGES:
        return MESSAGES[str(code)]
    if code != "wait":
        return None
    seconds = query.get("seconds", "")
    if not seconds.isdigit() or len(seconds) > 9:
        return None
    whose = "for this account" if query.get("kind") == ACCOUNT else "from this address"
    state = "locked out" if query.get("locked") == "1" else "slowed down"
    wait = f"{seconds} s" if int(seconds) < 120 else f"{(int(seconds) + 59) // 60} min"
    return f"too many failed sign-ins {whose}: sign-in is {state}; try again in {wait}"


# --- the routes ---------------------------------------------------------------------------
def session_routes(settings: Settings | None = None) -> list[Route]:
    """The three POST routes, for `st.App(routes=…)`; `settings` None: the app's, read
    at the first request (`settings_for_app`)."""
    routes = SessionRoutes(settings)
    return [
        Route(SIGN_IN, _same_site(routes.sign_in), methods=["POST"]),
        Route(SIGN_OUT, _same_site(routes.sign_out), methods=["POST"]),
        Route(SIGN_OUT_EVERYWHERE, _same_site(routes.sign_out_everywhere), methods=["POST"]),
    ]


Endpoint = Callable[[Request], Awaitable[Response]]


def _same_site(endpoint: Endpoint) -> Endpoint:
    """`endpoint` for requests whose Origin (else Referer) names this very host; a 403
    otherwise (a form another site made the browser send)."""

    async def checked(request: Request) -> Response:
        if not same_origin(request.headers.get("host"), request.headers.get("origin"),
                           request.headers.get("referer")):  # fmt: skip
            return PlainTextResponse(CROSS_SITE + "\n", status_code=403)
        return await endpoint(request)

    return checked


def same_origin(host: str | None, origin: str | None, referer: str | None) -> bool:
    """Whether the Origin header (or, without one, the Referer) is this Host, port
    included; neither header, or `Origin: null`, is not."""
    sent = origin if origin else referer
    if not host or not sent or sent == "null":
        return False
    try:
        netloc = urllib.parse.urlsplit(sent).netloc
    except ValueError:
        return False
    return host_name(host) is not None and netloc.lower() == host.lower()


class SessionRoutes:
    """The routes' work, on one store (opened at the first request; the page keeps its
    own), off the event loop: a password hash takes a quarter of a second."""

    def __init__(self, settings: Settings | None) -> None:
        self._settings = settings
        self._opened: tuple[ReviewStore, SessionPolicy, Settings] | None = None
        self._lock = threading.Lock()

    def _open(self) -> tuple[ReviewStore, SessionPolicy, Settings]:
        with self._lock:
            if self._opened is None:
                settings = self._settings or settings_for_app()
                throttle = ThrottlePolicy.from_settings(settings)
                store = ReviewStore(settings.db, throttle=throttle, schema=settings.db_schema)
                self._opened = (store, SessionPolicy.from_settings(settings), settings)
            return self._opened

    async def sign_in(self, request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return PlainTextResponse("413 refused: not a sign-in form\n", status_code=413)
        peer = request.client.host if request.client else None
        forwarded = ", ".join(request.headers.getlist("x-forwarded-for"))
        outcome = await run_in_threadpool(
            self._check_password,
            form.get("user", ""),
            form.get("password", ""),
            peer,
            forwarded,
            request.cookies.get(COOKIE),
        )
        if isinstance(outcome, Refused):
            return RedirectResponse(f"{HOME}?{outcome.query()}", status_code=303)
        token, settings = outcome
        answer = RedirectResponse(HOME, status_code=303)
        secure = request.url.scheme in ("https", "wss") or settings.cookie_secure
        answer.set_cookie(COOKIE, token, path="/", secure=secure, httponly=True, samesite="strict")
        answer.headers["cache-control"] = "no-store"
        return answer

    def _check_password(
        self, name: str, password: str, peer: str | None, forwarded: str, old: str | None
    ) -> tuple[str, Settings] | Refused:
        """A new session's token (the old one of this browser signed out), or why not."""
        try:
            store, policy, settings = self._open()
            client = client_address(
                None if is_loopback(peer) else peer,
                forwarded,
                trust_forwarded=settings.trust_forwarded_for,
            )
            signed = store.sign_in(name, password, client=client, policy=policy)
            if old:
                store.sign_out(old)  # rotated: the token this browser had is dead
        except SignInThrottled as exc:
            seconds = math.ceil(max(1.0, (exc.retry_at - utc_now()).total_seconds()))
            return Refused("wait", exc.kind, exc.locked, seconds)
        except AuthError:
            return Refused("wrong")
        except MTReviewError as exc:
            _log.error("sign-in unavailable: %s", exc)
            return Refused("unavailable")
        return signed.token, settings

    async def sign_out(self, request: Request) -> Response:
        return await self._end(request, everywhere=False)

    async def sign_out_everywhere(self, request: Request) -> Response:
        return await self._end(request, everywhere=True)

    async def _end(self, request: Request, *, everywhere: bool) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            await run_in_threadpool(self._sign_out, token, everywhere)
        return _cleared()

    def _sign_out(self, token: str, everywhere: bool) -> None:
        try:
            store, policy, _ = self._open()
            if everywhere:
                store.sign_out_everywhere(token, policy=policy)
            else:
                store.sign_out(token)
        except MTReviewError as exc:  # the cookie goes anyway
            _log.error("sign-out: %s", exc)


def _cleared() -> Response:
    answer = RedirectResponse(HOME, status_code=303)
    answer.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    answer.headers["cache-control"] = "no-store"
    return answer


async def _form(request: Request) -> dict[str, str] | None:
    """The URL-encoded form, read up to `MAX_FORM_BYTES`; None for anything else."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        return dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), max_num_fields=8))
    except ValueError:  # more fields than a sign-in has
        return None
