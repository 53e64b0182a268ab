"""A sign-in that survives a reload and cannot be lifted, played against the real server
(`streamlit run` of the packaged app) with raw clients: httpx posts the sign-in form, the
`websockets` package speaks Streamlit's protocol as a browser tab (or an attacker holding
a Streamlit session id) would. The token travels only in the HttpOnly, SameSite=Strict
cookie; a websocket without it gets the sign-in form whatever session id it presents; a
new websocket with it (a reload) stays signed in; every sign-in rotates the token; sign-out
and sign-out-everywhere end it; another site's form is refused; the server log names no
session id. The timeouts are played in the store, with a clock the test moves."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from streamlit_stream import open_stream, read_run, request_run
from websockets.sync.client import ClientConnection

from mtreview.readers import document_from_text
from mtreview.settings import Settings
from mtreview.store import AuthError, ReviewStore
from mtreview.store.sessions import SessionPolicy
from mtreview.store.throttle import SignInThrottled, ThrottlePolicy
from mtreview.testing.browser import streamlit_app
from mtreview.testing.team import provider_sign_in, team
from mtreview.ui.session_routes import (
    COOKIE,
    Refused,
    same_origin,
    session_routes,
    signin_message,
)

PASSWORDS = {"anne": "plum orchard lantern", "lena": "violet harbour sextant"}
FORM = "/_mtreview/signin"


@dataclass(frozen=True)
class Server:
    port: int
    db: Path
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("cookie-session")
    db, log = folder / "team.db", folder / "streamlit.log"
    with ReviewStore(db) as store:
        store.add_document(document_from_text("Une phrase.\n", doc_id="doc", name="doc.txt"))
        admin = team(store)["admin"]
        for name, password in PASSWORDS.items():
            role = "lead" if name == "lena" else "reviewer"
            store.add_user(name, role=role, password=password, by=admin)
    env = {"MTREVIEW_USE_MODELS": "false", "MTREVIEW_TRUST_FORWARDED_FOR": "true"}
    with streamlit_app(db, log, **env) as url:
        yield Server(int(url.rsplit(":", 1)[1]), db, log)


def _post(server: Server, path: str, data: dict[str, str] | None = None, *,
          cookie: str | None = None, origin: str | None = "same",
          via: str | None = None) -> httpx.Response:  # fmt: skip
    """A form posted as the page's own would be (Origin: this host), or from `origin`;
    `via`: the client address the (trusted) proxy says it came from."""
    headers = {} if origin is None else {"Origin": server.origin if origin == "same" else origin}
    if via is not None:
        headers["X-Forwarded-For"] = via
    if cookie is not None:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    with httpx.Client(base_url=server.origin, timeout=30) as client:
        return client.post(path, data=data or {}, headers=headers)


def _sign_in(server: Server, name: str, *, cookie: str | None = None) -> str:
    answer = _post(server, FORM, {"user": name, "password": PASSWORDS[name]}, cookie=cookie)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    return answer.cookies[COOKIE]


def _tab(server: Server, *, cookie: str | None, session_id: str = "") -> ClientConnection:
    """The app's websocket as a tab on this host opens it; `session_id`: the Streamlit
    session it asks to resume (a reconnect, or an attacker who learnt the id)."""
    headers = {} if cookie is None else {"Cookie": f"{COOKIE}={cookie}"}
    return open_stream(server.port, headers=headers, session_id=session_id)


@dataclass(frozen=True)
class Run:
    session_id: str
    texts: list[str]  # every text-bearing element's text, in order
    html: str  # the st.html bodies, joined


def _run(ws: ClientConnection, query: str = "") -> Run:
    """One script run of the page, as its elements' texts."""
    request_run(ws, query=query)
    run = read_run(ws)
    texts = [
        element.body  # type: ignore[attr-defined]
        for name, element in run.elements
        if name in ("text", "markdown", "alert", "heading")
    ]
    html = [element.body for name, element in run.elements if name == "html"]  # type: ignore[attr-defined]
    return Run(run.session_id, texts, "\n".join(html))


def _signed_in_as(run: Run) -> str | None:
    names = [t.removeprefix("Reviewer: ") for t in run.texts if t.startswith("Reviewer: ")]
    assert len(names) <= 1
    return names[0] if names else None


def _is_sign_in_form(run: Run) -> bool:
    return f'action="{FORM}"' in run.html and _signed_in_as(run) is None


@pytest.mark.processes
@pytest.mark.slow
def test_the_cookie_is_http_only_strict_and_a_reload_stays_signed_in(server: Server) -> None:
    answer = _post(server, FORM, {"user": "anne", "password": PASSWORDS["anne"]})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    [cookie] = answer.headers.get_list("set-cookie")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith(f"{COOKIE}=") and {"httponly", "samesite", "path"} <= attributes
    assert "samesite=strict" in cookie.lower() and "path=/" in cookie.lower()
    assert "secure" not in attributes  # plain HTTP here; under TLS it is Secure
    token = answer.cookies[COOKIE]
    with _tab(server, cookie=token) as ws:
        first = _run(ws)
    assert _signed_in_as(first) == "anne" and 'action="/_mtreview/signout"' in first.html
    with _tab(server, cookie=token) as ws:  # a reload: a new connection, the same cookie
        assert _signed_in_as(_run(ws)) == "anne"
    with _tab(server, cookie=None) as ws:  # no cookie: nobody
        assert _is_sign_in_form(_run(ws))


@pytest.mark.processes
@pytest.mark.slow
def test_a_session_id_without_the_cookie_gets_the_sign_in_form(server: Server) -> None:
    """The issue's attack: a raw websocket presenting a signed-in tab's Streamlit session
    id, while the tab is open and after it closed, is nobody; the tab itself resumes."""
    token = _sign_in(server, "lena")
    with _tab(server, cookie=token) as victim:
        signed = _run(victim)
        assert _signed_in_as(signed) == "lena" and signed.session_id
        with _tab(server, cookie=None, session_id=signed.session_id) as thief:
            stolen = _run(thief)
        assert _is_sign_in_form(stolen) and stolen.session_id != signed.session_id
        assert _signed_in_as(_run(victim)) == "lena"  # the tab was not thrown out
    with _tab(server, cookie=None, session_id=signed.session_id) as thief:  # tab closed
        stolen = _run(thief)
    assert _is_sign_in_form(stolen) and stolen.session_id != signed.session_id
    with _tab(server, cookie=token, session_id=signed.session_id) as back:  # its reconnect
        resumed = _run(back)
    assert _signed_in_as(resumed) == "lena"
    log = server.log.read_text(encoding="utf-8")
    assert signed.session_id not in log and token not in log
    assert "session id hidden" in log  # Streamlit did log the refused reconnects


@pytest.mark.processes
@pytest.mark.slow
def test_every_sign_in_rotates_the_token_and_the_session(server: Server) -> None:
    first = _sign_in(server, "anne")
    with _tab(server, cookie=first) as ws:
        before = _run(ws)
    second = _sign_in(server, "anne", cookie=first)  # the same browser signs in again
    assert second != first
    with ReviewStore(server.db) as store:
        assert store.principal(first) is None and store.principal(second) == "anne"
    with _tab(server, cookie=second, session_id=before.session_id) as ws:
        after = _run(ws)
    assert _signed_in_as(after) == "anne" and after.session_id != before.session_id


@pytest.mark.processes
@pytest.mark.slow
def test_sign_out_and_sign_out_everywhere_end_the_sessions(server: Server) -> None:
    token = _sign_in(server, "anne")
    answer = _post(server, "/_mtreview/signout", cookie=token)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert answer.cookies.get(COOKIE) is None and "max-age=0" in answer.headers[
        "set-cookie"].lower()  # fmt: skip
    with _tab(server, cookie=token) as ws:  # the old cookie, kept by a copy: dead
        ended = _run(ws)
    assert _is_sign_in_form(ended) and any("session has ended" in t for t in ended.texts)

    laptop, phone = _sign_in(server, "anne"), _sign_in(server, "anne")
    assert _post(server, "/_mtreview/signout-everywhere", cookie=phone).status_code == 303
    with ReviewStore(server.db) as store:
        assert store.principal(laptop) is None and store.principal(phone) is None
        actions = [entry.action for entry in store.audit_log()]
    assert "sign-out-everywhere" in actions
    with _tab(server, cookie=laptop) as ws:
        assert _is_sign_in_form(_run(ws))


@pytest.mark.processes
@pytest.mark.slow
def test_another_sites_form_is_refused(server: Server) -> None:
    token = _sign_in(server, "lena")
    form = {"user": "lena", "password": PASSWORDS["lena"]}
    for origin in ("http://evil.example", f"http://127.0.0.1:{server.port + 1}", "null", None):
        refused = _post(server, FORM, form, origin=origin)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers, origin
        assert refused.text.startswith("403 refused:") and refused.text.count("\n") == 1
        assert _post(server, "/_mtreview/signout", cookie=token, origin=origin).status_code == 403
    with ReviewStore(server.db) as store:
        assert store.principal(token) == "lena"  # the forged sign-out changed nothing
    with httpx.Client(base_url=server.origin, timeout=30) as client:  # a link signs no one in
        got = client.get(FORM, params=form, headers={"Origin": server.origin})
    assert "set-cookie" not in got.headers and COOKIE not in got.text


@pytest.mark.processes
@pytest.mark.slow
def test_a_wrong_password_shows_a_fixed_message(server: Server) -> None:
    typed = "<img src=//evil.example/x>"
    answer = _post(server, FORM, {"user": typed, "password": "wrong"})
    assert answer.status_code == 303 and "set-cookie" not in answer.headers
    location = answer.headers["location"]
    assert location == "/?signin=wrong" and "evil" not in location
    with _tab(server, cookie=None) as ws:
        shown = _run(ws, urllib.parse.urlsplit(location).query)
    assert _is_sign_in_form(shown)
    assert any(t.startswith("wrong name or password") for t in shown.texts)
    assert not any("evil" in t for t in shown.texts)


@pytest.mark.processes
@pytest.mark.slow
def test_a_throttled_sign_in_is_refused_with_the_wait(server: Server) -> None:
    """Guesses from one address (its own, so the other tests' sign-ins are not slowed)
    are throttled by the store, and the route says so without checking the password."""
    guess = {"user": "zoe", "password": "not it"}
    locations = [_post(server, FORM, guess, via="203.0.113.7").headers["location"]
                 for _ in range(6)]  # fmt: skip
    assert locations[:5] == ["/?signin=wrong"] * 5  # the free failures
    assert locations[5].startswith("/?signin=wait&kind=") and "zoe" not in locations[5]
    with _tab(server, cookie=None) as ws:
        shown = _run(ws, urllib.parse.urlsplit(locations[5]).query)
    assert any(t.startswith("too many failed sign-ins") for t in shown.texts)


# --- in the store: timeouts with a clock the test moves -------------------------------------
class Clock:
    def __init__(self) -> None:
        self.moment = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, minutes: float) -> None:
        self.moment += dt.timedelta(minutes=minutes)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReviewStore]:
    with ReviewStore(tmp_path / "team.db") as opened:
        admin = team(opened)["admin"]
        opened.add_user("anne", role="reviewer", password=None, by=admin)  # no hash to wait for
        yield opened


def test_a_session_ends_when_idle(store: ReviewStore) -> None:
    clock = Clock()
    policy = SessionPolicy(idle_seconds=600, max_seconds=3600, now=clock)
    token = provider_sign_in(store, "anne", policy=policy).token
    for _ in range(5):  # used every 9 minutes: each use keeps it alive
        clock.advance(9)
        assert store.principal(token, policy=policy) == "anne"
    clock.advance(10)  # ten minutes without a script run
    assert store.principal(token, policy=policy) is None
    clock.advance(-10)  # ended means ended: the row is gone
    assert store.principal(token, policy=policy) is None
    ended = [e for e in store.audit_log() if e.action == "session-ended"]
    assert [(e.actor, e.detail) for e in ended] == [("anne", {"reason": "idle"})]


def test_a_session_ends_at_its_absolute_time_however_busy(store: ReviewStore) -> None:
    clock = Clock()
    policy = SessionPolicy(idle_seconds=600, max_seconds=3600, now=clock)
    token = provider_sign_in(store, "anne", policy=policy).token
    for _ in range(11):  # every 5 minutes for 55 minutes
        clock.advance(5)
        assert store.principal(token, policy=policy) == "anne"
    clock.advance(5)
    assert store.principal(token, policy=policy) is None
    late = provider_sign_in(store, "anne", policy=policy).token
    shorter = SessionPolicy(idle_seconds=600, max_seconds=1800, now=clock)  # lowered since
    for _ in range(3):
        clock.advance(9)
        assert store.principal(late, policy=shorter) == "anne"
    clock.advance(4)  # 31 minutes after the sign-in, 4 after the last use
    assert store.principal(late, policy=shorter) is None
    ended = [e.detail for e in store.audit_log() if e.action == "session-ended"]
    assert ended == [{"reason": "expired"}]  # (the first reached its stored end: no write)


def test_sign_out_everywhere_ends_every_session_of_the_account(store: ReviewStore) -> None:
    tokens = [provider_sign_in(store, "anne").token for _ in range(3)]
    lead = provider_sign_in(store, "admin").token
    assert store.sign_out_everywhere(tokens[0]) == 3
    assert [store.principal(token) for token in tokens] == [None, None, None]
    assert store.principal(lead) is not None  # another account's session stays
    assert store.sign_out_everywhere(tokens[1]) == 0  # a dead token ends nothing


def test_a_throttled_sign_in_is_shown_with_the_stores_words(store: ReviewStore) -> None:
    """The route turns the store's refusal into a query of known words and a number; the
    page's message from it is the store's own (less the clock time)."""
    with ReviewStore(store.url, throttle=ThrottlePolicy(free_failures=1)) as throttled:
        with pytest.raises(AuthError):
            throttled.sign_in("anne", "not it", client="203.0.113.9")
        with pytest.raises(SignInThrottled) as refused:
            throttled.sign_in("anne", "not it either", client="203.0.113.9")
    error = refused.value
    seconds = round((error.retry_at - dt.datetime.now(dt.UTC)).total_seconds())
    query = Refused("wait", error.kind, error.locked, seconds).query()
    shown = signin_message(dict(urllib.parse.parse_qsl(query)))
    assert shown is not None and str(error).startswith(shown.rsplit(" ", 2)[0])
    assert signin_message({"signin": "wait", "seconds": "<b>"}) is None
    assert signin_message({"signin": "<script>"}) is None


def test_same_origin_means_this_host_and_port() -> None:
    assert same_origin("review.example.org", "https://review.example.org", None)
    assert same_origin("127.0.0.1:8501", None, "http://127.0.0.1:8501/?x=1")
    refused = [("https://evil.example", None), ("null", None), (None, None),
               ("http://127.0.0.1:8502", None), (None, "http://evil.example/")]  # fmt: skip
    for origin, referer in refused:
        assert not same_origin("127.0.0.1:8501", origin, referer), (origin, referer)


def test_the_cookie_is_secure_under_tls_or_when_the_settings_say_so(store: ReviewStore) -> None:
    """The routes in process (httpx's ASGI transport), on a real store: a sign-in over
    https gets a Secure cookie; over http only with `cookie_secure` (a TLS proxy in front)."""
    import asyncio

    from starlette.applications import Starlette

    async def cookie(base: str, settings: Settings) -> str:
        app = Starlette(routes=session_routes(settings))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            answer = await client.post(FORM, data={"user": "anne", "password": PASSWORDS["anne"]},
                                       headers={"Origin": base})  # fmt: skip
        assert answer.status_code == 303
        return answer.headers["set-cookie"].lower()

    admin = provider_sign_in(store, "admin").principal
    store.update_user("anne", password=PASSWORDS["anne"], by=admin)
    plain = Settings(db=store.url)
    assert "; secure" in asyncio.run(cookie("https://review.example.org", plain))
    assert "; secure" not in asyncio.run(cookie("http://review.example.org", plain))
    behind_tls = Settings(db=store.url, cookie_secure=True)
    assert "; secure" in asyncio.run(cookie("http://review.example.org", behind_tls))
