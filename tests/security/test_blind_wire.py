"""Blind review down to the wire: a reviewer's browser receives nothing of the other
reviewer's work on a segment they both review (text, comment, name, version numbers),
whichever part of the page would draw it: the article component's data, the open
segment, the "Next segment" preview, the version history, the MQM header.

One real server (`streamlit run`, Chromium through Playwright). Zebulon's work is saved
through the store; anne signs in with the form, saves her own correction of the shared
segment (so its version history is drawn), and every websocket frame her page received
is searched for zebulon's distinctive markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit_server import CHROMIUM, streamlit_app

from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.team import provider_sign_in, team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.processes,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.sh)"),
]

# ASCII only: the component's data is JSON with non-ASCII letters escaped
TEXT = "Premiere phrase du texte ici.\n\nDeuxieme phrase du texte ici.\n\nTroisieme phrase.\n"
ANNE_PASSWORD = "plum orchard lantern"
ANNE_FIX = "Anne corrige la premiere phrase."
# zebulon's work: nothing of it may reach anne's browser
SECRETS = (
    "zebulon",  # the other reviewer's name (also inside every marker below)
    "ZEBULON-DRAFT-ONE",
    "ZEBULON-FIX-TWO",
    "ZEBULON-COMMENT",
    "ZEBULON-NEXT-FIX",
    "ZEBULON-HIDDEN-FIX",
    "ZEBULON-HIDDEN-COMMENT",
)


def _zebulons_work(store: ReviewStore) -> None:
    """Segments 0 and 1 reviewed blind by both, 2 zebulon's alone (in anne's article,
    dimmed). Two versions and a commented error on segment 0, a correction of segment 1
    (the "Next segment" preview of anne's open segment), a correction and a comment on 2."""
    admin = team(store)["admin"]
    store.add_user("anne", role="reviewer", password=ANNE_PASSWORD, by=admin)
    store.add_user("zebulon", role="reviewer", password=None, by=admin)
    store.assign("ngo", ["anne", "zebulon"], by=admin, first=0, last=1, overlap=1.0)
    store.assign("ngo", ["zebulon"], by=admin, first=2, last=2)
    zebulon = provider_sign_in(store, "zebulon").principal
    store.save_correction("ngo", 0, "ZEBULON-DRAFT-ONE.", expected_version=0, reviewer=zebulon)
    store.save_correction("ngo", 0, "ZEBULON-FIX-TWO.", expected_version=1, reviewer=zebulon)
    store.add_annotation(
        "ngo", 0, 0, 8, category="Accuracy/Mistranslation", severity="critical",
        comment="ZEBULON-COMMENT", reviewer=zebulon,
    )  # fmt: skip
    store.save_correction("ngo", 1, "ZEBULON-NEXT-FIX.", expected_version=0, reviewer=zebulon)
    store.save_correction("ngo", 2, "ZEBULON-HIDDEN-FIX.", expected_version=0, reviewer=zebulon)
    store.add_annotation(
        "ngo", 2, 0, 9, category="Fluency/Grammar", severity="minor",
        comment="ZEBULON-HIDDEN-COMMENT", reviewer=zebulon,
    )  # fmt: skip


def test_nothing_of_the_other_reviewers_work_reaches_the_browser(
    tmp_path: Path, browser: Any
) -> None:
    db = tmp_path / "team.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id="ngo", name="ngo.txt"))
        _zebulons_work(store)
    frames: list[bytes] = []

    def capture(socket: Any) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, bytes) else payload.encode()
            ),
        )

    env = {"MTREVIEW_USE_MODELS": "false"}
    with streamlit_app(db, tmp_path / "streamlit.log", **env) as url:
        page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
        page.set_default_timeout(60_000)
        page.on("websocket", capture)
        page.goto(url)
        page.get_by_role("textbox", name="Name").fill("anne")
        page.get_by_role("textbox", name="Password").fill(ANNE_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector(".mtr-segment")
        page.get_by_text("Reviewer: anne").wait_for()
        page.get_by_label("Corrected segment").fill(ANNE_FIX)
        page.get_by_role("button", name="Save correction").click()
        page.get_by_text("correction saved (version 1)").wait_for()  # her first, not 3rd
        page.get_by_text("Version history (1)").wait_for()
        page.get_by_text("Next segment").wait_for()
        page.context.close()

    received = b"\n".join(frames)
    # the capture works: anne's own work and the page around it came over the wire
    for own in (ANNE_FIX, "Version history (1)", "Troisieme phrase.", "anne"):
        assert own.encode() in received, own
    for secret in SECRETS:  # in any case: not even the name, lower-cased in a label
        assert secret.lower().encode() not in received.lower(), secret
    for number in (b"version 2", b"version 3", b"v2 \xc2\xb7", b"v3 \xc2\xb7", b"history (2)"):
        assert number not in received, number
