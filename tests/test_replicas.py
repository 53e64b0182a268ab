"""Replicas on one PostgreSQL (issue 24, point 3): two app processes behind the shipped
nginx share one store; a reviewer whose replica dies goes on on the other, signed in.

The deployment as docs/teams.md (Replicas) gives it, on the PostgreSQL the suite starts:
the store made and granted by its owner (`mtreview db upgrade`, `mtreview db grant`), two
replicas started with the command line of `deploy/mtreview@.service` and the settings of
`deploy/mtreview.env` (the app role's URL), and `deploy/nginx.conf` with both in its
upstream, over TLS (`tests/nginx_proxy.py`). The clients are raw: httpx posts the sign-in
form, the websocket client speaks Streamlit's protocol as a tab does and sends the
components' events as the browser's components send them (`tests/box_events.py`). To
tell which replica served a connection, the rendered site adds one header of the test's,
`X-Replica: $upstream_addr` (the replicas nginx tried, in order).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from nginx_proxy import NAME, NGINX, certificate, rendered, running_nginx, tls
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit_stream import ScriptRun, open_stream, read_run, request_run
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from mtreview.cli import main
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.browser import ROOT, free_port, wait_until_serving
from mtreview.testing.postgres import TemporaryPostgres
from mtreview.testing.team import team
from mtreview.ui.components import BOX_KEY, SEGMENT_KEY
from mtreview.ui.session_routes import COOKIE, SIGN_IN

pytestmark = [
    pytest.mark.processes,
    pytest.mark.slow,
    pytest.mark.skipif(
        not NGINX.is_file(), reason="needs Debian's nginx (scripts/setup.sh installs it)"
    ),
]

UNIT = ROOT / "deploy" / "mtreview@.service"
SETTINGS = ROOT / "deploy" / "mtreview.env"
PASSWORDS = {"anne": "plum orchard lantern", "lena": "violet harbour sextant"}
TEXT = "Le chat noir dort ici.\n\nLa pluie tombe sur la ville.\n\nUne phrase de plus.\n"
HEADER = "X-Replica"


@dataclass(frozen=True)
class Site:
    https_port: int  # nginx, TLS
    cert: Path  # the certificate the clients trust
    store_url: str  # the app role's, as the replicas use it
    replicas: dict[str, subprocess.Popen[bytes]]  # "127.0.0.1:PORT" -> `mtreview app` there

    @property
    def origin(self) -> str:
        return f"https://{NAME}:{self.https_port}"


# --- the deployment -----------------------------------------------------------------------
def _sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _as(url: str, role: str) -> str:
    return (
        sa.make_url(url)
        .set(username=role, password=f"{role} secret")
        .render_as_string(hide_password=False)
    )


def _unit_command(port: int) -> list[str]:
    """The unit's ExecStart for instance `port`, its program this checkout's mtreview."""
    [line] = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")]
    program, *words = shlex.split(line.removeprefix("ExecStart="))
    assert program == "/srv/mtreview/.venv/bin/mtreview"
    return [sys.executable, "-m", "mtreview.cli", *(w.replace("%i", str(port)) for w in words)]


def _settings(store_url: str) -> dict[str, str]:
    """The shipped settings file, its store and public name this test's."""
    lines = [line for line in SETTINGS.read_text().splitlines() if line and line[0] != "#"]
    settings = dict(line.split("=", 1) for line in lines)
    assert set(settings) == {
        "MTREVIEW_DB",
        "MTREVIEW_ALLOWED_HOSTS",
        "MTREVIEW_COOKIE_SECURE",
        "MTREVIEW_TRUST_FORWARDED_FOR",
    }
    return {**settings, "MTREVIEW_DB": store_url, "MTREVIEW_ALLOWED_HOSTS": NAME}


def _start(port: int, environ: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as output:
        return subprocess.Popen(
            _unit_command(port), env=dict(environ), cwd=log.parent, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,  # its group: the app and Streamlit
        )  # fmt: skip


def _kill(process: subprocess.Popen[bytes], how: signal.Signals) -> None:
    """The replica's whole process group (`mtreview app` and its Streamlit child)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, how)
    process.wait(timeout=20)


def _down(address: str) -> None:
    """Until the replica at `address` ("127.0.0.1:PORT") refuses connections, as nginx will
    find it when the tab reconnects. `_kill` reaps `mtreview app` only, not its Streamlit
    child killed with it, and a listening socket not yet closed accepts a connection that
    no one answers: nginx would wait on it (its read timeout is a day) instead of trying
    the next replica, and the tab's handshake would time out. The deadline only ends a
    test whose replica never goes."""
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + 120
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except ConnectionRefusedError:
            return
        except OSError:
            pass  # not answered within the second: still going
        assert time.monotonic() < deadline, f"{address} still takes connections"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, postgres: TemporaryPostgres) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("replicas")
    superuser = postgres.create_database("replicas")
    owner, app = _as(superuser, "replicas_owner"), _as(superuser, "replicas_app")
    _sql(
        superuser,
        "CREATE ROLE replicas_owner LOGIN PASSWORD 'replicas_owner secret'",
        "CREATE ROLE replicas_app LOGIN PASSWORD 'replicas_app secret'",
        "GRANT CREATE ON DATABASE replicas TO replicas_owner",
    )
    replicas: dict[str, subprocess.Popen[bytes]] = {}
    try:
        assert main(["db", "upgrade", "--db", owner]) == 0
        assert main(["db", "grant", "--db", owner, "--app-role", "replicas_app"]) == 0
        with ReviewStore(app) as store:
            admin = team(store)["admin"]
            store.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"), by=admin)
            store.add_user("anne", role="reviewer", password=PASSWORDS["anne"], by=admin)
            store.add_user("lena", role="lead", password=PASSWORDS["lena"], by=admin)
            store.assign("doc", ["anne"], by=admin)
        environ = {**os.environ, **_settings(app), "MTREVIEW_USE_MODELS": "false",
                   "HF_HUB_OFFLINE": "1"}  # fmt: skip
        ports = [free_port(), free_port()]
        logs = {f"127.0.0.1:{port}": folder / f"replica-{port}.log" for port in ports}
        for port, (address, log) in zip(ports, logs.items(), strict=True):
            replicas[address] = _start(port, environ, log)
        for address, process in replicas.items():
            wait_until_serving(f"http://{address}", process, logs[address])
        cert, key = certificate(folder)
        https_port, http_port = free_port(), free_port()
        site = rendered(cert, key, ports, https_port, http_port).replace(
            "proxy_pass http://mtreview;",
            f"proxy_pass http://mtreview;\n        add_header {HEADER} $upstream_addr always;",
        )
        with running_nginx(folder, site, https_port):
            yield Site(https_port, cert, app, replicas)
    finally:
        for process in replicas.values():
            if process.poll() is None:
                _kill(process, signal.SIGTERM)
        postgres.drop_database("replicas")
        _sql(postgres.url(), "DROP ROLE replicas_owner", "DROP ROLE replicas_app")


# --- the clients --------------------------------------------------------------------------
def _client(site: Site) -> httpx.Client:
    """httpx to nginx on 127.0.0.1, as a browser at https://review.test:PORT."""
    return httpx.Client(
        base_url=f"https://127.0.0.1:{site.https_port}",
        headers={"Host": f"{NAME}:{site.https_port}"},
        verify=tls(site.cert),
        timeout=30,
    )


def _sign_in(site: Site, name: str) -> str:
    """The sign-in form posted through nginx from the page; the session's token."""
    with _client(site) as client:
        answer = client.post(
            SIGN_IN,
            data={"user": name, "password": PASSWORDS[name]},
            headers={"Origin": site.origin},
            extensions={"sni_hostname": NAME},
        )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    return str(answer.cookies[COOKIE])


def _replica_of(site: Site, token: str) -> str:
    """The replica nginx sends a plain request with this cookie to (a page, a file)."""
    with _client(site) as client:
        answer = client.get("/_stcore/health", headers={"Cookie": f"{COOKIE}={token}"},
                            extensions={"sni_hostname": NAME})  # fmt: skip
    assert answer.status_code == 200
    return answer.headers[HEADER].split(", ")[-1]


def _on_other_replica(site: Site, name: str, than: str) -> str:
    """A sign-in of `name` whose cookie nginx hashes to another replica than `than` (each
    sign-in is a new token: about one in two lands there)."""
    for _ in range(12):
        token = _sign_in(site, name)
        if _replica_of(site, token) != than:
            return token
    raise AssertionError(f"no sign-in of {name} reached a replica other than {than}")


@dataclass(frozen=True)
class Page:
    """One script run of the page, as a tab received it."""

    run: ScriptRun

    def component(self, key: str) -> Any:
        """The custom component keyed `key` (its element: id, data)."""
        [found] = [e for n, e in self.run.elements if n == "bidi_component"
                   and getattr(e, "id", "").endswith(f"-{key}")]  # fmt: skip
        return found

    def data(self, key: str) -> dict[str, Any]:
        """What the page hands component `key` (the correction box, the open segment)."""
        return dict(json.loads(self.component(key).json))

    @property
    def marks(self) -> set[str]:
        """The errors marked in the open segment: their words and labels."""
        segment = self.data(SEGMENT_KEY)
        return {f"{segment['text'][m['start'] : m['end']]}: {m['label']}"
                for m in segment["marks"] if m["kind"] == "error"}  # fmt: skip

    @property
    def signed_in_as(self) -> str | None:
        texts = [getattr(e, "body", "") for n, e in self.run.elements if n in ("text", "markdown")]
        names = [t.removeprefix("Reviewer: ") for t in texts if t.startswith("Reviewer: ")]
        return names[0] if names else None


@dataclass
class Tab:
    """A tab's websocket through nginx: the replicas nginx tried for it (the last took
    it) and the page it was last drawn."""

    ws: ClientConnection
    tried: list[str]
    page: Page

    @property
    def replica(self) -> str:
        return self.tried[-1]

    def send(self, key: str, name: str, payload: Mapping[str, Any]) -> Page:
        """Component `key` sends event `name` as the browser's component does; the run."""
        trigger = _make_trigger_id(self.page.component(key).id, "events")
        value = json.dumps([{"event": name, "value": dict(payload)}])
        request_run(self.ws, widgets=[(trigger, "json_trigger_value", value)])
        self.page = Page(read_run(self.ws))
        return self.page


@contextlib.contextmanager
def _tab(site: Site, token: str, *, session_id: str = "") -> Iterator[Tab]:
    """A tab opened through nginx with the sign-in cookie, after its first run;
    `session_id`: the Streamlit session it asks to resume, as a reconnecting tab does."""
    with open_stream(site.https_port, host=NAME, tls=tls(site.cert), session_id=session_id,
                     headers={"Cookie": f"{COOKIE}={token}"}) as ws:  # fmt: skip
        assert ws.response is not None
        tried = ws.response.headers[HEADER].split(", ")
        request_run(ws)
        yield Tab(ws, tried, Page(read_run(ws)))


_numbers = itertools.count(1_000)  # as the page's: every event a number of its own


def _box_event(page: Page, text: str | None = None) -> dict[str, Any]:
    """The correction box's event for what it shows (`text`: typed; None: what it holds,
    the draft or else the version it edits)."""
    box = page.data(BOX_KEY)
    held = box["draft"] if box["draft"] is not None else box["saved"]
    return {"doc": box["doc"], "segment": box["segment"], "base": box["base"],
            "text": held if text is None else text, "number": next(_numbers)}  # fmt: skip


def _mark(page: Page, word: str, severity: str, category: str) -> dict[str, Any]:
    """The picker's "Add error" for `word` of the open segment."""
    segment = page.data(SEGMENT_KEY)
    start = segment["text"].index(word)
    return {"id": f"{word}-{next(_numbers)}", "doc": segment["doc"], "segment": segment["segment"],
            "start": start, "end": start + len(word), "text": word,
            "utf16_start": start, "utf16_end": start + len(word), "category": category,
            "severity": severity, "comment": "", "correction": None}  # fmt: skip


# --- the test -----------------------------------------------------------------------------
FIX, DRAFT = "Le chat gris dort ici.", "Le chat gris dort là."
ANNES = "noir: Accuracy/Mistranslation (major) by anne"
LENAS = "dort: Fluency/Grammar (minor) by lena"


def test_a_reviewer_goes_on_on_the_other_replica_when_hers_is_killed(site: Site) -> None:
    anne = _sign_in(site, "anne")
    with _tab(site, anne) as tab:
        assert tab.page.signed_in_as == "anne"
        first = tab.replica
        session = tab.page.run.session_id
        assert _replica_of(site, anne) == first  # her pages and files too (uploads, downloads)
        # on replica A: a correction saved, an error marked
        assert tab.send(BOX_KEY, "save", _box_event(tab.page, FIX)).data(BOX_KEY)["base"] == 1
        assert tab.send(
            SEGMENT_KEY, "add", _mark(tab.page, "noir", "major", "Accuracy/Mistranslation")
        ).marks == {ANNES}

        # the lead, signed in on replica B: anne's work, and an error of her own
        with _tab(site, _on_other_replica(site, "lena", first)) as lead:
            assert lead.page.signed_in_as == "lena" and lead.replica != first
            box = lead.page.data(BOX_KEY)
            assert (box["segment"], box["base"], box["saved"]) == (0, 1, FIX)
            assert lead.page.marks == {ANNES}
            marked = lead.send(
                SEGMENT_KEY, "add", _mark(lead.page, "dort", "minor", "Fluency/Grammar")
            )
            assert marked.marks == {ANNES, LENAS}
            second = lead.replica

        # anne's next action on A, a draft sent by the box: the lead's error is there
        drafted = tab.send(BOX_KEY, "draft", _box_event(tab.page, DRAFT))
        assert drafted.marks == {ANNES, LENAS} and drafted.data(BOX_KEY)["draft"] == DRAFT
        picked = {**_mark(tab.page, "chat", "minor", "Other"), "number": next(_numbers)}
        picking = tab.send(SEGMENT_KEY, "mark", {**picked, "fix": "chien"})  # typed in the picker
        assert picking.data(SEGMENT_KEY)["mark_draft"]["fix"] == "chien"
        _kill(site.replicas[first], signal.SIGKILL)  # A dies under her
        _down(first)  # all of it: nginx's connection to A is refused, not left unanswered
        with pytest.raises(ConnectionClosed):  # her tab sees its connection go
            while True:
                tab.ws.recv(timeout=20)  # (what the run sent after its end, then the close)

    # her tab reconnects as Streamlit's does (its session id): nginx tries A, then B
    with _tab(site, anne, session_id=session) as back:
        assert back.tried == [first, second]
        assert back.page.signed_in_as == "anne"  # still signed in: no sign-in form
        assert back.page.run.session_id != session  # a new Streamlit session, on B
        box = back.page.data(BOX_KEY)
        assert (box["segment"], box["base"], box["saved"], box["draft"]) == (0, 1, FIX, DRAFT)
        assert box["note"].startswith("Draft kept ") and back.page.marks == {ANNES, LENAS}
        assert back.page.data(SEGMENT_KEY)["mark_draft"]["fix"] == "chien"  # its picker's too
        # and she goes on there: the draft saved as version 2
        saved = back.send(BOX_KEY, "save", _box_event(back.page)).data(BOX_KEY)
        assert (saved["base"], saved["saved"], saved["draft"]) == (2, DRAFT, None)

    assert main(["audit", "verify", "--db", site.store_url]) == 0  # one chain, two writers
    with ReviewStore(site.store_url) as store:
        done = [(e.actor, e.action) for e in store.audit_log("doc")
                if e.action in ("correct", "annotate")]  # fmt: skip
    assert done == [("anne", "correct"), ("anne", "annotate"), ("lena", "annotate"),
                    ("anne", "correct")]  # fmt: skip
