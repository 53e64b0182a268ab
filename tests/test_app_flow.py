"""The reviewer's flow in a real browser (issue 15): actions per error, spans stored as
seen, a drag that a rerun cannot derail, marking from the keyboard, remembered choices."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import app, needs_chromium
from server_ack import ServerAck

from mtreview.store import ReviewStore
from mtreview.testing.browser import ROOT, only, settle, streamlit_app
from mtreview.testing.reviewer import (
    ARTICLE_ERRORS,
    LOCATE,
    REVIEWER_ENV,
    RUN_LOG,
    ScriptedReviewer,
    run_flow,
)
from mtreview.ui.components import script

pytestmark = [pytest.mark.browser, needs_chromium]
__all__ = ["app"]  # a fixture, used by name

SCREENSHOT = ROOT / "docs" / "review-screen.png"  # refreshed on MTREVIEW_UPDATE_SCREENSHOT=1
BOX = "textarea[aria-label='Corrected segment']"
APP_ENV = {"MTREVIEW_REVIEWER": "Keys"}  # the module's app: a local store, its user named


def _annotations(db: Path, index: int) -> list[tuple[int, int, str, str, str]]:
    with ReviewStore(db) as store:
        review = next(r for r in store.iter_segments() if r.index == index)
    return [(a.start, a.end, a.text, a.category, a.severity) for a in review.annotations]


def _open(page: Any, url: str, segment: int) -> ScriptedReviewer:
    """A new browser session on the app's local user, segment `segment` open."""
    page.goto(url)
    page.wait_for_selector(".mtr-segment")
    person = ScriptedReviewer(page)
    person.idle()
    person.open_segment(segment)
    person.idle()
    return person


def test_scripted_reviewer_meets_the_targets(page: Any, tmp_path: Path) -> None:
    """Every planned error stored exactly, with its correction, in at most 5 actions per
    error besides the typed corrections (scrolls and clicks to move on included), the open
    segment fully in view after every action."""
    db = tmp_path / "review.db"
    with streamlit_app(db, tmp_path / "streamlit.log", **REVIEWER_ENV) as url:
        result = run_flow(page, url, db)
        if os.environ.get("MTREVIEW_UPDATE_SCREENSHOT"):
            _screenshot(page)
    counts = json.dumps(result.as_dict())
    assert (result.wrong_spans, result.missing_spans, result.wrong_corrections) == (0, 0, 0)
    assert result.page_errors == ()
    assert result.errors == len(ARTICLE_ERRORS)
    assert result.actions_per_error <= 5, counts
    assert result.tally.out_of_view == 0, counts
    assert result.tally.drags == result.errors, counts  # one drag an error: none to correct


def _screenshot(page: Any) -> None:
    """The README's picture: a corrected segment with its errors, the picker open."""
    page.set_viewport_size({"width": 1500, "height": 1280})
    person = ScriptedReviewer(page)
    person.idle()
    person.open_segment(6)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stToast\"]')")
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTop = 0")
    person.drag("plusieurs organisations")
    page.locator(".mtr-picker").wait_for()
    page.mouse.move(5, 600)
    page.screenshot(path=str(SCREENSHOT))


def test_drag_during_a_pending_edit_stores_the_span_seen(app: tuple[str, Path], page: Any) -> None:
    """Issue 15's trap: a message on the page, unsaved text in the correction box, then a
    slow drag. Nothing may run or move between mouse-down and mouse-up."""
    url, db = app
    person = _open(page, url, 5)
    person.drag("sape")
    page.locator(".mtr-picker").wait_for()
    person.key("Enter", reruns=True)
    page.get_by_text("marked “sape”").wait_for()  # the message, as a toast
    area = page.locator(BOX)
    area.click()
    area.press("Control+End")
    area.type(" (à revoir)")  # typed, not saved

    box = page.evaluate(LOCATE, "Almaty")
    top = page.locator(".mtr-segment").bounding_box()["y"]
    page.evaluate(RUN_LOG)
    down = page.evaluate("performance.now()")
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    time.sleep(1.5)  # long enough for any rerun the mouse-down could start
    moved = page.locator(".mtr-segment").bounding_box()["y"]
    page.mouse.move(box["x2"], box["y2"], steps=10)
    page.mouse.up()
    runs = page.evaluate("(t) => window.__runLog.filter(e => e.t > t).length", down)
    assert moved == top and runs == 0  # no rerun, no reflow under the mouse
    picker = page.locator(".mtr-picker")
    assert picker.locator(".mtr-quote").inner_text() == "«Almaty»"
    assert picker.locator(".mtr-where").inner_text().strip() == "characters 1–6"
    person.key("Enter", reruns=True)
    page.wait_for_function("() => document.querySelectorAll('.mtr-segment .mtr-error').length == 2")
    assert (0, 6, "Almaty") in [mark[:3] for mark in _annotations(db, 4)]
    assert page.locator(BOX).input_value().endswith(" (à revoir)")  # still there, unsaved
    with ReviewStore(db) as store:
        assert store.corrections(store.documents()[0].doc_id, 4) == []
    assert person.page_errors == []


def test_keyboard_marking_help_and_remembered_choice(app: tuple[str, Path], page: Any) -> None:
    url, db = app
    _open(page, url, 9)
    page.keyboard.press("m")  # the segment's text, first word selected
    pending = page.locator(".mtr-segment .mtr-pending")
    assert pending.all_inner_texts() == ["Selon"]
    words = []
    for _ in range(5):  # word by word: Selon, l'UE, the comma, then "de"
        page.keyboard.press("ArrowRight")
        words.append(pending.inner_text())
        if words[-1] == "de":
            break
    assert words[-1] == "de" and len(words) <= 4, words
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert pending.all_inner_texts() == ["de telles actions"]
    page.keyboard.press("Enter")
    page.locator(".mtr-picker").wait_for()
    page.keyboard.press("/")
    page.keyboard.type("awk")  # the category list, searched by typing
    page.keyboard.press("Enter")
    assert page.locator('.mtr-cat[aria-selected="true"]').get_attribute("data-label") == (
        "Style/Awkward"
    )
    page.keyboard.press("3")
    assert page.evaluate("document.activeElement.className") == "mtr-fix"
    page.keyboard.press("Enter")
    page.wait_for_selector(".mtr-segment .mtr-error")
    assert _annotations(db, 8) == [(12, 29, "de telles actions", "Style/Awkward", "critical")]
    page.wait_for_function("() => document.activeElement.classList.contains('mtr-segment')")

    page.keyboard.press("?")
    help_text = page.locator(".mtr-help").inner_text()
    for key in ("J / K", "M", "C", "Ctrl+S", "Ctrl+Shift+Enter", "1 2 3"):
        assert key in help_text
    page.keyboard.press("Escape")
    assert page.locator(".mtr-help").count() == 0

    page.keyboard.press("c")  # the correction box, the marked words selected in it
    page.wait_for_function("() => document.activeElement.tagName === 'TEXTAREA'")
    chosen = page.evaluate(
        "() => { const a = document.activeElement; "
        "return a.value.slice(a.selectionStart, a.selectionEnd); }"
    )
    assert chosen == "de telles actions"

    person = _open(page, url, 10)  # a new session: the choice comes from the store
    person.drag("fermement")
    picker = page.locator(".mtr-picker")
    assert picker.locator('.mtr-cat[aria-selected="true"]').get_attribute("data-label") == (
        "Style/Awkward"
    )
    assert picker.locator('.mtr-sev[aria-checked="true"]').get_attribute("data-label") == (
        "critical"
    )
    assert person.page_errors == []


def _mount(page: Any) -> None:
    """The segment component alone on a blank page, its events collected."""
    url = "data:text/javascript;base64," + base64.b64encode(script().encode()).decode()
    page.goto("about:blank")
    page.evaluate(
        """async (url) => {
          window.__m = await import(url);
          window.__events = [];
          window.__parent = document.body.appendChild(document.createElement('div'));
          window.__mount = (extra) => window.__m.default({
            parentElement: window.__parent,
            setTriggerValue: (name, value) => window.__events.push([name, value]),
            data: {mode: 'segment', doc: 'd', segment: 3, text: 'Un chat noir dort ici.',
                   marks: [], categories: [{label: 'Fluency/Grammar', key: 'g'}],
                   severities: [{label: 'minor', key: '1'}, {label: 'major', key: '2'}],
                   defaults: {category: 'Fluency/Grammar', severity: 'minor'}, ...extra},
          });
          window.__mount({});
        }""",
        url,
    )


def test_component_never_redraws_under_a_drag(page: Any) -> None:
    """A rerun that arrives while the mouse button is down waits for the mouse-up: the text
    the reviewer is selecting stays the same nodes, and the span sent is the one seen."""
    _mount(page)
    box = page.evaluate(LOCATE, "chat noir")
    page.evaluate("document.querySelector('.mtr-segment').firstChild.__old = true")
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.evaluate(
        "window.__mount({marks: [{start: 0, end: 2, kind: 'error', label: 'new'}], focus_token: 1})"
    )
    kept = page.evaluate("document.querySelector('.mtr-segment').firstChild.__old === true")
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()
    assert kept  # not redrawn while the button was down
    assert page.locator(".mtr-quote").inner_text() == "«chat noir»"
    assert page.locator(".mtr-segment .mtr-error").inner_text() == "Un"  # drawn after
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    [[name, sent]] = page.evaluate("window.__events")
    assert name == "add"
    assert (sent["start"], sent["end"], sent["text"], sent["severity"]) == (
        3,
        12,
        "chat noir",
        "major",
    )
    assert sent["segment"] == 3 and sent["correction"] is None


def test_marking_by_typing_the_words(app: tuple[str, Path], page: Any) -> None:
    """No mouse, no picker: the words typed, "Find them" (or Enter) and "Add error". The
    words and the click are one form, so a click right after typing is never lost."""
    url, db = app
    person = _open(page, url, 3)
    page.get_by_text("Mark by typing the words").click()
    page.get_by_label("Words in the segment").fill("internationale")
    page.get_by_role("button", name="Find them").click()  # at once, no wait for a run
    page.get_by_text("Found (characters 46–59): internationale").wait_for()
    only(page, ".st-key-add_error button").click()
    page.get_by_text("marked “internationale”").wait_for()
    settle(page)
    page.get_by_label("Words in the segment").fill("ONG")
    page.get_by_label("Words in the segment").press("Enter")
    page.get_by_text("Found (characters 17–19): ONG").wait_for()
    only(page, ".st-key-add_error button").click()
    page.get_by_text("marked “ONG”").wait_for()
    assert sorted(mark[:3] for mark in _annotations(db, 2)) == [
        (16, 19, "ONG"),
        (45, 59, "internationale"),
    ]
    assert person.page_errors == []


@contextlib.contextmanager
def _write_lock(db: Path) -> Iterator[None]:
    """The store's write lock held by another writer (as a busy team store would): the
    app's writes wait for it."""
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_request_while_an_error_is_stored_does_not_cut_it_short(
    app: tuple[str, Path], page: Any
) -> None:
    """ "Add error", then "Next" while the error waits for the store (its write lock held,
    as a busy team store would): Streamlit started "Next" in a second run, which drew the
    page without the error, and stopped the first at its next use of the session, after
    the error was stored: its message, its undo and the end of the form were lost. Now
    the click's callback runs to its end, and "Next" runs after it."""
    url, db = app
    wire = ServerAck(page)
    person = _open(page, url, 4)
    page.get_by_text("Mark by typing the words").click()
    page.get_by_label("Words in the segment").fill("pression")
    page.get_by_role("button", name="Find them").click()
    page.get_by_text("Found (characters 4–11): pression").wait_for()
    settle(page)
    with _write_lock(db):
        started, sent = wire.started, wire.requests
        only(page, ".st-key-add_error button").click()
        wire.until("started", started + 1)  # the run of the click: its callback waits
        only(page, ".st-key-next_btn button").click()
        wire.until("requests", sent + 2)
        wire.taken_in()  # the server holds "Next" as a newer request
    page.get_by_text("marked “pression”").wait_for()
    assert [mark[:3] for mark in _annotations(db, 3)] == [(3, 11, "pression")]
    page.get_by_role("button", name="↶ Undo: error “pression” added (segment 4)").wait_for()
    assert person.page_errors == []


def test_the_pickers_draft_survives_a_reload_and_ctrl_z_undoes(
    app: tuple[str, Path], page: Any
) -> None:
    """Issue 24: a fix typed in the picker and a reload at once (within the pause): the
    URL reopens the segment, its picker opens again with the span, severity and fix; Enter
    adds the error and its correction. Ctrl+Z in the correction box is the box's own; on
    the segment's text it takes the error and its correction back."""
    url, db = app
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    person = _open(page, url, 12)
    original = page.locator(BOX).input_value()
    person.drag("kazakhstani")
    page.locator(".mtr-picker").wait_for()
    page.keyboard.press("2")  # major: the cursor waits in the Correction field
    page.keyboard.type("kazakhes")
    page.reload()  # before the pause is over
    assert asked == ["beforeunload"]  # the browser asked: the fix may not have arrived
    page.wait_for_selector(".mtr-segment")
    person = ScriptedReviewer(page)
    person.idle()
    page.get_by_role("heading", name="Segment 12 of").wait_for()  # the URL's segment
    picker = page.locator(".mtr-picker")
    picker.wait_for()
    assert picker.locator(".mtr-quote").inner_text() == "«kazakhstani»"
    assert picker.locator(".mtr-fix").input_value() == "kazakhes"
    assert picker.locator('.mtr-sev[aria-checked="true"]').get_attribute("data-label") == "major"
    with ReviewStore(db) as store:
        doc_id = store.documents()[0].doc_id
    deadline = time.monotonic() + 20
    while (kept := _mark_draft(db, doc_id)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kept is not None and kept.fix == "kazakhes"

    picker.locator(".mtr-fix").press("Enter")
    page.get_by_text("marked “kazakhstani”").wait_for()
    corrected = original.replace("kazakhstani", "kazakhes")
    with ReviewStore(db) as store:
        assert store.segment(doc_id, 11).current_text == corrected
    assert _mark_draft(db, doc_id) is None and _annotations(db, 11)[0][2] == "kazakhstani"
    person.idle()

    page.locator(BOX).press("Control+z")  # the text box's own undo, not the page's
    page.locator(".mtr-segment").click()
    page.keyboard.press("Control+z")
    page.get_by_text("undone: error “kazakhstani” and its correction added").wait_for()
    with ReviewStore(db) as store:
        assert [c.text for c in store.corrections(doc_id, 11)] == [corrected, original]
    assert _annotations(db, 11) == []
    assert person.page_errors == []


def _mark_draft(db: Path, doc_id: str) -> Any:
    with ReviewStore(db) as store:
        return store.mark_draft(doc_id, 11, reviewer="Keys")
