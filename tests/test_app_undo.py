"""Issue 24 in the app, run by AppTest on a real store: undo (Ctrl+Z, sent here as the
segment editor sends it, or the "Undo" button) takes the session's last add, delete or
correction back through the store, audited like any action; deleting an error added with a
correction asks whether to revert it; the URL names the open document and segment, so a
reload reopens them and their page. Ctrl+Z pressed in Chromium is in tests/test_app_flow.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from box_events import box, next_number, picker_event, send, trigger
from open_widgets import goto_box, segment_list
from streamlit.testing.v1 import AppTest
from test_app import ROOT, SPAN, _app, _click, _toasts, env  # noqa: F401  (env: the fixture)

from mtreview.store import ReviewStore
from mtreview.ui.components import SEGMENT_KEY

FIX = "est abîmée à l'image"


def _state(db: Path) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Segment 1's errors (words, category), its versions' texts, and Anne's audited actions."""
    with ReviewStore(db) as store:
        doc_id = store.documents()[0].doc_id
        marks = [(a.text, a.category) for a in store.segment(doc_id, 0).annotations]
        texts = [c.text for c in store.corrections(doc_id, 0)]
        audited = [e.action for e in store.audit_log(doc_id) if e.actor == "Anne"]
    return marks, texts, audited


def _ctrl_z(at: AppTest, number: int | None = None) -> AppTest:
    n = next_number() if number is None else number
    return trigger(at, SEGMENT_KEY, "undo", {"id": f"undo-{n}", "number": n})


def _mark_with_fix(at: AppTest) -> str:
    """The picker's one step: an error and its correction; the corrected text."""
    original = box(at)["saved"]
    corrected = original.replace(SPAN, FIX)
    picker_event(at, "add", SPAN, category="Accuracy/Mistranslation", correction=corrected)
    return str(corrected)


def test_undo_takes_back_an_add_with_its_correction_then_a_correction(env: Path) -> None:  # noqa: F811
    at = _app()
    original = box(at)["saved"]
    corrected = _mark_with_fix(at)
    assert _state(env)[:2] == ([(SPAN, "Accuracy/Mistranslation")], [corrected])
    undo = at.button(key="undo_btn")
    assert undo.label == f"↶ Undo: error “{SPAN}” and its correction added (segment 1)"

    _ctrl_z(at, 41)  # the error deleted, the text before it saved as a new version
    marks, texts, audited = _state(env)
    assert marks == [] and texts == [corrected, original]
    assert audited[-2:] == ["correct", "delete-annotation"]  # store actions, audited
    assert f"undone: error “{SPAN}” and its correction added (segment 1)" in _toasts(at)
    assert box(at)["base"] == 2 and box(at)["draft"] is None  # the box edits version 2
    _ctrl_z(at, 41)  # the same event handed over again: handled once
    assert _state(env)[1] == [corrected, original]

    send(at, "draft", "typed, not saved")
    send(at, "save", "Saved text")
    send(at, "draft", "Saved text, typed on")  # typed on top of version 3
    _click(at, "undo_btn")  # the correction taken back: version 4 is version 2's text
    assert _state(env)[1] == [corrected, original, "Saved text", original]
    assert box(at)["base"] == 4 and box(at)["draft"] == "Saved text, typed on"  # still kept
    assert "undo_btn" not in {b.key for b in at.button}  # nothing left to undo
    _ctrl_z(at)
    assert "nothing to undo in this session" in _toasts(at)


def test_deleting_an_error_offers_to_revert_its_correction(env: Path) -> None:  # noqa: F811
    at = _app()
    original = box(at)["saved"]
    corrected = _mark_with_fix(at)
    with ReviewStore(env) as store:
        doc_id = store.documents()[0].doc_id
        [mark] = store.segment(doc_id, 0).annotations
    _click(at, f"ann_del_{mark.id}")  # asks first: the correction is still the latest
    assert any("was added with a correction (version 1)" in w.value for w in at.warning)
    assert _state(env)[0] != []
    _click(at, f"confirm_revert_{mark.id}")
    assert _state(env)[:2] == ([], [corrected, original])
    assert any("correction reverted (version 2)" in t for t in _toasts(at))

    _ctrl_z(at)  # both back: the error, linked to the correction saved again
    marks, texts, _ = _state(env)
    assert marks == [(SPAN, "Accuracy/Mistranslation")] and texts[-1] == corrected
    with ReviewStore(env) as store:
        [back] = store.segment(doc_id, 0).annotations
        assert store.saved_with(back.id, viewer="Anne").version == 3
    _click(at, f"ann_del_{back.id}")
    _click(at, f"confirm_only_{back.id}")  # the error only: the text stays
    assert _state(env)[:2] == ([], [corrected, original, corrected])
    _ctrl_z(at)
    with ReviewStore(env) as store:
        [again] = store.segment(doc_id, 0).annotations
        assert store.saved_with(again.id, viewer="Anne").version == 3  # linked again

    send(at, "save", corrected + " (relu)")  # a later version: nothing to revert to ask
    _click(at, f"ann_del_{again.id}")
    assert not any("was added with" in w.value for w in at.warning) and _state(env)[0] == []
    _ctrl_z(at)
    assert _state(env)[0] == [(SPAN, "Accuracy/Mistranslation")]


def test_a_reload_reopens_the_segment_and_its_page(
    env: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MTREVIEW_PAGE_SIZE", "5")
    at = _app()
    with ReviewStore(env) as store:
        doc_id = store.documents()[0].doc_id
    assert (at.query_params["doc"], at.query_params["segment"]) == (doc_id, "0")
    _click(at, "next_btn")
    assert at.query_params["segment"] == "1"
    goto_box(at.sidebar).set_value(13)
    at.run()
    assert at.query_params["segment"] == "12"

    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    again.query_params.update(at.query_params)  # the same URL, a new session
    again.run()
    assert not again.exception
    assert segment_list(again.sidebar).value == 12
    assert segment_list(again.sidebar).label == "Segment (page 3 of 4)"
    assert "Segment 13 of 20" in [h.value for h in again.subheader]
    assert not again.toast  # no warning: a link the page wrote itself
    _click(again, "prev_btn")  # moved on from there: the URL follows
    assert again.query_params["segment"] == "11"
    again.query_params["segment"] = "12"  # a run asked for with the URL before the move
    again.run()
    assert segment_list(again.sidebar).value == 11  # not moved back
    again.query_params["segment"] = "4"  # a value the page never wrote: a link
    again.run()
    assert segment_list(again.sidebar).value == 4
