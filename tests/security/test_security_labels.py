"""Issue 21, point 9: segment text and reviewer names rendered as Markdown in queue
buttons, the agreement table and the adjudication radio, so an image there made the
lead's browser fetch any URL. Every such label now goes through `md_escape`: tested in
the app (AppTest) with a segment and two reviewer names holding an image and HTML."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.team import team
from mtreview.ui.signin import HARNESS_KEY, HarnessSignIn
from mtreview.ui.view_model import md_escape

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "![x](http://example.invalid/a.png)"
HTML = "<img src=x>"
TEXT = "".join(f"{IMAGE} {HTML} phrase {n}.\n\n" for n in range(4))
PASSWORDS = {IMAGE: "plum orchard lantern", HTML: "copper meadow tundra"}
LEAD = ("lena", "violet harbour sextant")
UNESCAPED = re.compile(r"(?<!\\)[<>!\[\]()]")  # Markdown or HTML that could still form


@pytest.fixture
def team_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "team.db"
    monkeypatch.setenv("MTREVIEW_DB", str(db))
    for name in ("MTREVIEW_DOCUMENT", "MTREVIEW_BACK_MODEL", "MTREVIEW_RETURN_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"))
        admin = team(store)["admin"]  # the first admin (OIDC only: never signs in here)
        store.add_user(LEAD[0], role="lead", password=LEAD[1], by=admin)
        for name, password in PASSWORDS.items():
            store.add_user(name, role="reviewer", password=password, by=admin)
        store.assign("doc", list(PASSWORDS), by=admin, overlap=1.0)
        for name, label in zip(PASSWORDS, ("Other", "Style/Awkward"), strict=True):
            me = store.sign_in(name, PASSWORDS[name]).principal
            store.add_annotation("doc", 0, 0, 4, category=label, severity="minor", reviewer=me)
            store.mark_reviewed("doc", 0, reviewer=me)
    return db


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _sign_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    with ReviewStore(os.environ["MTREVIEW_DB"]) as store:  # AppTest sends no cookie
        at.session_state[HARNESS_KEY] = HarnessSignIn(store.sign_in(name, password).token)
    return _run(at)


def _escaped(label: str) -> bool:
    return UNESCAPED.search(label) is None


def test_queue_buttons_escape_the_segment_text(team_db: Path) -> None:
    at = _sign_in(IMAGE, PASSWORDS[IMAGE])
    queue = [b for b in at.sidebar.button if str(b.key).startswith("queue_")]
    assert queue, "the reviewer's queue is shown"
    for button in queue:
        assert md_escape(IMAGE) in button.label and "\\<img" in button.label
        assert _escaped(button.label), button.label


def test_agreement_table_and_adjudication_radio_escape_names(team_db: Path) -> None:
    at = _sign_in(*LEAD)
    at.session_state["tab"] = "Agreement"
    _run(at)
    [table] = at.table
    cells = [str(cell) for cell in table.value.to_numpy().ravel()]
    assert {md_escape(IMAGE), md_escape(HTML)} <= set(cells)
    assert all(_escaped(cell) for cell in cells), cells
    at.session_state["tab"] = "Adjudicate"
    _run(at)
    [radio] = [r for r in at.radio if str(r.key).startswith("adj_base_")]
    assert sorted(radio.options) == sorted([md_escape(IMAGE), md_escape(HTML)])
    assert all(_escaped(option) for option in radio.options)
