"""Sign-in and team roles in the app (AppTest, real SQLite stores), and `mtreview app`'s
listening address: a team store needs a session, the URL names nobody, a reviewer opens
only what is assigned, a local store is never served beyond this machine.

AppTest sends no cookies, so a test signs in as the harness does (`HarnessSignIn` under
`HARNESS_KEY`: a real store session); the form and the cookie are played over HTTP in
tests/security/test_cookie_session.py."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from open_widgets import segment_list
from streamlit import config
from streamlit.testing.v1 import AppTest

from mtreview.cli import main
from mtreview.cli.review import app_command
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.team import team
from mtreview.ui.signin import HARNESS_KEY, HarnessSignIn

ROOT = Path(__file__).resolve().parent.parent
TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(8))


@pytest.fixture
def team_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "team.db"
    monkeypatch.setenv("MTREVIEW_DB", str(db))
    monkeypatch.setenv("MTREVIEW_REVIEWER", "Mallory")  # a local name: ignored by a team store
    for name in ("MTREVIEW_DOCUMENT", "MTREVIEW_BACK_MODEL", "MTREVIEW_RETURN_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"))
        admin = team(store)["admin"]  # the first admin (OIDC only: never signs in here)
        store.add_user("anne", role="reviewer", password="plum orchard lantern", by=admin)
        store.add_user("lena", role="lead", password="violet harbour sextant", by=admin)
        store.assign("doc", ["anne"], by=admin, first=2, last=4)
    return db


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _sign_in(name: str, password: str, **query: str) -> AppTest:
    """The app with a session of `name` (signed in by the store, as the sign-in route
    does), and `query` in its URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    with ReviewStore(os.environ["MTREVIEW_DB"]) as store:
        at.session_state[HARNESS_KEY] = HarnessSignIn(store.sign_in(name, password).token)
    return _run(at)


def _form_shown(at: AppTest) -> bool:
    """The sign-in form (plain HTML posted to the sign-in route) and nothing of the app."""
    return not at.selectbox and any('action="/_mtreview/signin"' in h.value for h in at.html)


def test_anonymous_and_forged_requests_get_the_sign_in_form(team_db: Path) -> None:
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    assert _form_shown(at) and not at.text_input  # the password never crosses the websocket
    forged = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    forged.query_params["reviewer"] = "lena"
    forged.session_state["session_token"] = "a name is not a token"  # the old place
    forged.session_state[HARNESS_KEY] = "a plain string is not the harness's"
    _run(forged)
    assert _form_shown(forged) and not any("lena" in t.value for t in forged.text)
    wrong = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    wrong.query_params["signin"] = "wrong"  # where the route sends a refused sign-in
    _run(wrong)
    assert [e.value for e in wrong.error] == ["wrong name or password, or the account is disabled"]
    assert _form_shown(wrong)


def test_a_reviewer_opens_only_what_is_assigned(team_db: Path) -> None:
    at = _sign_in("anne", "plum orchard lantern", reviewer="lena")
    texts = [t.value for t in at.text]
    assert "Reviewer: anne" in texts and "Reviewer: lena" not in texts
    options = segment_list(at).options
    assert [o.split(" · ")[0] for o in options] == ["3", "4", "5"]  # segments 2..4 only
    assert not at.get("file_uploader")  # importing is an admin's
    assert [t.label for t in at.tabs] == ["Review", "Charts"]
    signout = " ".join(h.value for h in at.sidebar.html)
    assert 'action="/_mtreview/signout"' in signout
    assert 'action="/_mtreview/signout-everywhere"' in signout
    with ReviewStore(team_db) as store:  # what the sign-out route does
        store.sign_out(at.session_state[HARNESS_KEY].token)
    _run(at)
    assert _form_shown(at) and any("session has ended" in i.value for i in at.info)


def test_a_lead_sees_the_team_tabs(team_db: Path) -> None:
    at = _sign_in("lena", "violet harbour sextant")
    assert [t.label for t in at.tabs] == ["Review", "Charts", "Team", "Agreement", "Adjudicate"]
    assert len(segment_list(at).options) == 8


def test_a_local_store_is_not_served_beyond_this_machine(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MTREVIEW_DB", str(tmp_path / "local.db"))
    config.set_option("server.address", "0.0.0.0")
    try:
        at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    finally:
        config.set_option("server.address", "127.0.0.1")
    assert any("no accounts" in e.value for e in at.error) and not at.selectbox


def test_app_command_binds_loopback_and_sends_no_statistics(tmp_path: Path, capsys) -> None:
    line = app_command(argparse.Namespace(port=8600, host="127.0.0.1"))
    joined = " ".join(line)
    assert "--server.address 127.0.0.1" in joined
    assert "--browser.gatherUsageStats false" in joined
    db = tmp_path / "local.db"
    assert main(["app", "--host", "0.0.0.0", "--db", str(db)]) == 2
    assert "add accounts first" in capsys.readouterr().err and not db.exists()
