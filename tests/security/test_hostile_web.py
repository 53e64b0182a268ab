"""The hostile web against the real server (`streamlit run` of the packaged app, the web
gate of `mtreview.ui.gate` in front), played with raw clients (httpx, the `websockets`
package) as a rebinding page, a framing site or a proxy would: a page or websocket for a
name the app does not answer to gets 403, every answer forbids framing, the local
no-password store refuses proxied requests, and a crafted widget value gets no traceback.
Two servers for the module: a local store (no accounts) with two team names allowed, and a
team store whose document list a signed-in admin and a reviewer play against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from streamlit_stream import open_stream, read_run, request_run
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection

from mtreview.hosts import HostAllowList, host_name
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.browser import streamlit_app
from mtreview.testing.team import team
from mtreview.ui.page import DOC_PICK
from mtreview.ui.session_routes import COOKIE
from mtreview.ui.widget_at import key_at

pytestmark = [pytest.mark.processes, pytest.mark.slow]

TEAM_NAMES = "review.example.org,*.lab.example.org"
FRAME_HEADERS = {"content-security-policy": "frame-ancestors 'none'", "x-frame-options": "DENY"}
PROXY_HEADERS = [
    {"X-Forwarded-For": "203.0.113.9"},
    {"Forwarded": "for=203.0.113.9"},
    {"X-Real-IP": "203.0.113.9"},
    {"Via": "1.1 proxy.example"},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The app's port: a local store, nobody named yet (the page asks who reviews)."""
    folder = tmp_path_factory.mktemp("hostile-web")
    env = {"MTREVIEW_USE_MODELS": "false", "MTREVIEW_ALLOWED_HOSTS": TEAM_NAMES}
    with streamlit_app(folder / "local.db", folder / "streamlit.log", **env) as url:
        yield int(url.rsplit(":", 1)[1])


PASSWORDS = {"ada": "quartz meadow lantern", "anne": "plum orchard violin"}


@pytest.fixture(scope="module")
def team_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A team store: "ours" (3 segments; anne's), "theirs" (lena's); ada is an admin,
    who may import (the page imports the default document when it has none open)."""
    folder = tmp_path_factory.mktemp("hostile-team")
    db = folder / "team.db"
    with ReviewStore(db) as store:
        for doc_id, text in (
            ("ours", "Un.\n\nDeux.\n\nTrois.\n"),
            ("theirs", "Quatre.\n\nCinq.\n"),
        ):
            store.add_document(document_from_text(text, doc_id=doc_id, name=f"{doc_id}.txt"))
        accounts = {
            name: ("admin" if name == "ada" else "reviewer", pw) for name, pw in PASSWORDS.items()
        }
        signed = team(store, {**accounts, "lena": ("reviewer", None)})
        store.assign("ours", ["anne"], by=signed["admin"], first=0, last=2)
        store.assign("theirs", ["lena"], by=signed["admin"], first=0, last=0)
    env = {"MTREVIEW_USE_MODELS": "false"}
    with streamlit_app(db, folder / "streamlit.log", **env) as url:
        yield int(url.rsplit(":", 1)[1]), db


def _get(port: int, host: str, path: str = "/", **headers: str) -> httpx.Response:
    """A request to the app on 127.0.0.1 whose Host header says `host` (what a browser
    sends once a name was rebound to this machine)."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        return client.get(path, headers={"Host": host, **headers})


def _websocket(port: int, host: str, **headers: str) -> ClientConnection:
    """The app's websocket opened as a page at http://HOST:PORT would."""
    return open_stream(port, host=host, headers=headers, timeout=10)


def _elements(ws: ClientConnection) -> list[tuple[str, object]]:
    """The elements one script run draws, as (type, element), until it finishes."""
    return list(read_run(ws, timeout=60).elements)


def test_a_rebound_name_gets_403_for_pages_and_the_websocket(server: int) -> None:
    for path in ("/", "/_stcore/health", "/_stcore/host-config"):
        refused = _get(server, f"evil.example:{server}", path)
        assert refused.status_code == 403, path
        assert refused.text.startswith("403 refused: this app does not answer to that host")
        assert refused.text.count("\n") == 1  # one line
    assert _get(server, f"localhost.evil.example:{server}").status_code == 403
    with pytest.raises(InvalidStatus) as refused_ws:
        _websocket(server, "evil.example")
    assert refused_ws.value.response.status_code == 403


def test_loopback_and_the_teams_names_are_served(server: int) -> None:
    for host in ("127.0.0.1", "localhost", "[::1]", "review.example.org", "a.lab.example.org"):
        assert _get(server, f"{host}:{server}").status_code == 200, host
    for host in ("lab.example.org", "review.example.org.evil.example", "xreview.example.org"):
        assert _get(server, f"{host}:{server}").status_code == 403, host
    with _websocket(server, "127.0.0.1") as ws:
        request_run(ws)
        assert any(kind == "text_input" for kind, _ in _elements(ws))  # who is reviewing?


def test_every_http_answer_forbids_framing(server: int) -> None:
    page = _get(server, f"127.0.0.1:{server}")
    script = page.text.split('src="', 1)[1].split('"', 1)[0]  # the page's own JavaScript
    answers = [
        page,
        _get(server, f"127.0.0.1:{server}", script),
        _get(server, f"127.0.0.1:{server}", "/_stcore/health"),
        _get(server, f"127.0.0.1:{server}", "/_stcore/host-config"),
        _get(server, f"127.0.0.1:{server}", "/no/such/page.js"),
        _get(server, f"evil.example:{server}"),  # a refusal too
    ]
    assert [answer.status_code for answer in answers][:4] == [200, 200, 200, 200]
    for answer in answers:
        for name, value in FRAME_HEADERS.items():
            assert answer.headers.get_list(name) == [value], (answer.url, name)


def test_the_local_store_refuses_proxied_requests(server: int) -> None:
    for headers in PROXY_HEADERS:
        refused = _get(server, f"127.0.0.1:{server}", **headers)
        assert refused.status_code == 403, headers
        assert "came through a proxy" in refused.text and refused.text.count("\n") == 1
    with pytest.raises(InvalidStatus) as refused_ws:
        _websocket(server, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"})
    assert refused_ws.value.response.status_code == 403


def test_a_crafted_widget_value_gets_no_traceback(server: int) -> None:
    """The issue's attack: a number for the page's text input, and its form submitted,
    makes the script raise; the client learns that something failed, not what or where."""
    with _websocket(server, "127.0.0.1") as ws:
        request_run(ws)
        drawn = dict(_elements(ws))
        assert {"text_input", "button"} <= set(drawn), "no form to send a crafted value to"
        crafted = (
            (drawn["text_input"].id, "int_value", 7),  # type: ignore[attr-defined]
            (drawn["button"].id, "trigger_value", True),  # type: ignore[attr-defined]
        )
        request_run(ws, widgets=crafted)
        errors = [element for kind, element in _elements(ws) if kind == "exception"]
    assert errors, "the crafted value raised nothing: pick another attack"
    for error in errors:
        assert not error.stack_trace and not error.type  # type: ignore[attr-defined]
        assert "redacted" in error.message  # type: ignore[attr-defined]
        assert "strip" not in str(error) and ".py" not in str(error)


def test_the_allow_list_reads_names_and_refuses_what_is_not_one() -> None:
    allowed = HostAllowList.of(["Review.Example.org.", "*.lab.example.org", "10.0.0.5"])
    assert allowed.allows("review.example.org:8501") and allowed.allows("REVIEW.example.org")
    assert allowed.allows("x.y.lab.example.org") and allowed.allows("10.0.0.5:80")
    assert allowed.allows("[::1]:8501") and allowed.allows("localhost")
    for header in (None, "", "evil.example", "lab.example.org", "a@localhost", "localhost/x"):
        assert not allowed.allows(header), header
    assert host_name("localhost:99999") is None  # not a port
    for entry in ("*", "http://review.example.org", "review example", "*."):
        with pytest.raises(Exception, match="is not a host name"):
            HostAllowList.of([entry])


def test_mtreview_app_checks_the_names_and_hides_error_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process, before any server starts: a name that is not one stops `mtreview app`
    in one line; a team listening everywhere without names is told what will answer."""
    from mtreview.cli import build_parser, main
    from mtreview.cli.review import app_launch
    from mtreview.store import ReviewStore

    monkeypatch.chdir(tmp_path)  # no mtreview.toml
    team = tmp_path / "team.db"
    with ReviewStore(team) as store:
        store.add_user("lead", role="admin", password=None, by="lead")
    monkeypatch.setenv("MTREVIEW_ALLOWED_HOSTS", "https://review.example.org/")
    assert main(["app", "--db", str(team), "--headless"]) == 2
    error = capsys.readouterr().err
    assert "is not a host name" in error and error.count("\n") == 1
    monkeypatch.delenv("MTREVIEW_ALLOWED_HOSTS")
    args = build_parser().parse_args(["app", "--db", str(team), "--host", "0.0.0.0"])
    line, _env = app_launch(args)
    assert "answers only to localhost and 127.0.0.1" in capsys.readouterr().err
    assert line[line.index("--client.showErrorDetails") + 1] == "none"
    assert Path(line[line.index("run") + 1]).name == "streamlit_app.py"


def test_a_team_store_serves_through_its_proxy(tmp_path: Path) -> None:
    """The gate in process, in front of a stand-in for Streamlit, on real stores: behind a
    proxy a team store is served (it has sign-in), a store without accounts is not; two
    Host headers are one too many."""
    import asyncio

    from mtreview.store import ReviewStore
    from mtreview.ui.gate import GatePolicy, Receive, Scope, Send, WebGate

    async def streamlit_stand_in(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    async def status(db: Path, headers: list[tuple[str, str]]) -> int:
        gate = WebGate(streamlit_stand_in, GatePolicy(HostAllowList.of(()), str(db)))
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            answer = await client.get("/", headers=headers)
        assert answer.headers["x-frame-options"] == "DENY"
        return answer.status_code

    team, local, missing = tmp_path / "team.db", tmp_path / "local.db", tmp_path / "not-yet.db"
    with ReviewStore(team) as store:
        store.add_user("lead", role="admin", password=None, by="lead")
    ReviewStore(local).close()
    proxied = [("X-Forwarded-For", "203.0.113.9")]
    assert asyncio.run(status(team, proxied)) == 200
    assert asyncio.run(status(local, proxied)) == 403
    assert asyncio.run(status(missing, proxied)) == 403 and not missing.exists()
    assert asyncio.run(status(local, [("Host", "localhost")])) == 200
    assert asyncio.run(status(local, [("Host", "evil.example"), ("Host", "localhost")])) == 403


def _signed_in_tab(port: int, name: str) -> ClientConnection:
    """A tab of `name`, signed in through the app's form (the cookie it sets)."""
    origin = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=origin, timeout=30) as client:
        answer = client.post(
            "/_mtreview/signin",
            data={"user": name, "password": PASSWORDS[name]},
            headers={"Origin": origin},
        )
    assert answer.status_code == 303, answer.text
    return open_stream(port, headers={"Cookie": f"{COOKIE}={answer.cookies[COOKIE]}"})


def _where(elements: list[tuple[str, object]]) -> list[str]:
    """What the page shows: its texts and headings (the document's name, "Segment N of M")."""
    return [e.body for kind, e in elements if kind in ("text", "heading")]  # type: ignore[attr-defined]


def test_the_document_list_acts_only_on_a_document_it_listed(
    team_server: tuple[int, Path],
) -> None:
    """The attacker's value for the document list, over the websocket: a document id the
    store does not have and an old label (both arrive as text) would have made an admin's
    page import the default document and open it; another reviewer's document would have
    sent anne back to her first segment. Nothing is imported, nothing moves."""
    port, db = team_server
    with ReviewStore(db) as store:
        before = [d.doc_id for d in store.documents()]
    link = "doc=ours&segment=1"
    attacks = {"ada": ["no-such-document", "ours.txt (9 segments)"], "anne": ["theirs"]}
    for name, values in attacks.items():
        with _signed_in_tab(port, name) as ws:
            request_run(ws, query=link)
            drawn = _elements(ws)
            shown = _where(drawn)
            assert "ours.txt" in shown and "Segment 2 of 3" in shown, shown
            [doc_list] = [
                e.id  # type: ignore[attr-defined]
                for kind, e in drawn
                if kind == "selectbox" and e.id.endswith(key_at(DOC_PICK, "ours"))  # type: ignore[attr-defined]
            ]
            for value in values:
                request_run(ws, query=link, widgets=[(doc_list, "string_value", value)])
                after = _elements(ws)
                assert _where(after) == shown, (name, value)
                if name == "anne":  # (an admin lists every document)
                    assert not any("theirs" in str(element) for _, element in after)
    with ReviewStore(db) as store:
        assert [d.doc_id for d in store.documents()] == before
