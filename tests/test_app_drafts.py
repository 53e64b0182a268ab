"""Drafts in the app (issue 13), run by AppTest on a real store: a draft the store keeps
comes back in the correction box and in its note, after a reload too; the box's events
(sent here as the browser's box sends them: tests/box_events.py) keep, end or give up a
draft. So does the error typed in the picker and not added (issue 24): it comes back to the
segment editor, which opens its picker with it. The browser's side (sending what is typed)
is in tests/test_drafts_browser.py and tests/test_app_flow.py."""

from __future__ import annotations

from pathlib import Path

from box_events import box, box_text, editor, next_number, picker_event, send
from test_app import SPAN, _app, _click, _texts, _toasts, env  # noqa: F401  (env: the fixture)

from mtreview.store import ReviewStore


def _doc(db: Path) -> tuple[str, str]:
    """The shipped article's id and its first segment."""
    with ReviewStore(db) as store:
        doc_id = store.documents()[0].doc_id
        return doc_id, store.segment(doc_id, 0).text


def test_a_kept_draft_comes_back_after_a_reload_and_saving_ends_it(env: Path) -> None:  # noqa: F811
    _app()  # the first run stores the shipped article
    doc_id, original = _doc(env)
    with ReviewStore(env) as store:
        store.save_draft(doc_id, 0, "Mon brouillon « pas fini »", base_version=0, reviewer="Anne")
        store.save_draft(doc_id, 0, "Le brouillon de Bob", base_version=0, reviewer="Bob")
    at = _app()  # a reload: a new session, the same reviewer
    assert box_text(at) == "Mon brouillon « pas fini »"
    keeper = box(at)
    assert (keeper["doc"], keeper["segment"], keeper["base"]) == (doc_id, 0, 0)
    assert keeper["key"] == f"fix_{doc_id}_0_0" and keeper["saved"] == original
    assert keeper["draft"] == "Mon brouillon « pas fini »"  # Anne's, never Bob's
    assert keeper["note"].startswith("Draft kept ") and keeper["note"].endswith("not saved yet")

    send(at, "save")  # what the box holds: the draft
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).current_text == "Mon brouillon « pas fini »"
        assert store.draft(doc_id, 0, reviewer="Anne") is None  # saved: no draft left
        assert store.draft(doc_id, 0, reviewer="Bob") is not None
    assert box(at)["draft"] is None and box(at)["base"] == 1
    assert box(at)["key"] == f"fix_{doc_id}_0_1"
    assert any("correction saved (version 1)" in toast for toast in _toasts(at))


def test_reviewed_without_change_keeps_the_typed_text_as_a_draft(env: Path) -> None:  # noqa: F811
    at = _app()
    doc_id, original = _doc(env)
    send(at, "reviewed", "Texte tapé, pas enregistré")
    with ReviewStore(env) as store:
        segment = store.segment(doc_id, 0)
        assert segment.reviewed and segment.correction is None
        assert store.draft(doc_id, 0, reviewer="Anne").text == "Texte tapé, pas enregistré"
    assert any("kept as a draft" in toast for toast in _toasts(at))

    assert box_text(at) == "Texte tapé, pas enregistré"  # the box starts from the draft
    send(at, "reviewed", original)  # typed back to the saved text
    with ReviewStore(env) as store:
        assert store.draft(doc_id, 0, reviewer="Anne") is None


def test_a_draft_on_an_old_version_meets_the_conflict_check(env: Path) -> None:  # noqa: F811
    _app()
    doc_id, _ = _doc(env)
    with ReviewStore(env) as store:
        store.save_draft(doc_id, 0, "Ma version", base_version=0, reviewer="Anne")
        store.save_correction(doc_id, 0, "Version de Bob", expected_version=0, reviewer="Bob")
    at = _app()
    assert box_text(at) == "Ma version"
    assert "version 1 was saved since" in box(at)["note"]
    send(at, "save")
    assert any("saved by someone else" in toast for toast in _toasts(at))
    assert "Version de Bob" in _texts(at) and "Ma version" in _texts(at)
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).current_text == "Version de Bob"  # not overwritten
        assert store.draft(doc_id, 0, reviewer="Anne").text == "Ma version"  # still kept
    _click(at, "take_theirs")  # give the draft up for their version
    assert box_text(at) == "Version de Bob" and box(at)["base"] == 1
    with ReviewStore(env) as store:
        assert store.draft(doc_id, 0, reviewer="Anne") is None


def test_text_refused_at_a_conflict_is_kept_as_a_draft(env: Path) -> None:  # noqa: F811
    at = _app()
    doc_id, _ = _doc(env)
    with ReviewStore(env) as store:
        store.save_correction(doc_id, 0, "Version de Bob", expected_version=0, reviewer="Bob")
    send(at, "save", "Tapé pendant que Bob enregistrait")
    again = _app()  # the reviewer reloads instead of settling the conflict
    assert box_text(again) == "Tapé pendant que Bob enregistrait"
    assert box(again)["base"] == 0  # the version it was typed on: saving meets the conflict


def test_the_box_sends_a_draft_and_a_save_sent_twice_is_saved_once(env: Path) -> None:  # noqa: F811
    at = _app()
    doc_id, original = _doc(env)
    send(at, "draft", "Tapé, puis une pause")  # what the box sends after a pause
    with ReviewStore(env) as store:
        assert store.draft(doc_id, 0, reviewer="Anne").text == "Tapé, puis une pause"
    assert box_text(at) == "Tapé, puis une pause" and box(at)["note"].startswith("Draft kept")
    send(at, "draft", original)  # typed back to the saved text: no draft
    with ReviewStore(env) as store:
        assert store.draft(doc_id, 0, reviewer="Anne") is None

    send(at, "save", "Enregistré", number=7)
    send(at, "save", "Enregistré", base=0)  # a second click, from the box drawn before
    send(at, "save", "Autre texte", number=7)  # the first trigger handed over again
    with ReviewStore(env) as store:
        assert [c.text for c in store.corrections(doc_id, 0)] == ["Enregistré"]
        assert store.draft(doc_id, 0, reviewer="Anne") is None
    send(at, "save", "Enregistré, puis corrigé", base=0)  # new text: saved on top
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).current_text == "Enregistré, puis corrigé"


def test_the_pickers_error_is_a_draft_until_it_is_added(env: Path) -> None:  # noqa: F811
    """Typed in the picker, not added: kept per reviewer, handed back to the segment editor
    after a reload (its picker opens with it); a later draft replaces it, a discard ends
    it, and so does adding the error; a draft sent before the add that arrives after it is
    let go; one the store refuses is said under the box."""
    at = _app()
    doc_id, original = _doc(env)
    fields = {"category": "Accuracy/Mistranslation", "severity": "major", "comment": "sens"}
    picker_event(at, "mark", SPAN, **fields, fix="est abîmée")
    with ReviewStore(env) as store:
        kept = store.mark_draft(doc_id, 0, reviewer="Anne")
        assert store.mark_draft(doc_id, 0, reviewer="Bob") is None  # Anne's own
    start = original.index(SPAN)
    assert kept is not None
    assert (kept.start, kept.end, kept.category, kept.severity, kept.comment, kept.fix) == (
        start, start + len(SPAN), "Accuracy/Mistranslation", "major", "sens", "est abîmée",
    )  # fmt: skip
    again = _app()  # a reload: the editor gets it, to open its picker with
    assert editor(again)["mark_draft"] == {
        "start": start, "end": start + len(SPAN), "category": "Accuracy/Mistranslation",
        "severity": "major", "comment": "sens", "fix": "est abîmée",
    }  # fmt: skip
    picker_event(again, "mark", SPAN, **fields, fix="est abîmée à l'image")  # typed on
    assert editor(again)["mark_draft"]["fix"] == "est abîmée à l'image"

    late = next_number()  # a draft sent before the add, arriving after it
    corrected = original.replace(SPAN, "est abîmée à l'image")
    picker_event(again, "add", SPAN, **fields, correction=corrected, drafted=True)
    picker_event(again, "mark", SPAN, comment="tard", number=late)
    with ReviewStore(env) as store:
        assert store.mark_draft(doc_id, 0, reviewer="Anne") is None  # added: no draft left
        [mark] = store.segment(doc_id, 0).annotations
        assert store.segment(doc_id, 0).current_text == corrected
    assert mark.text == SPAN and editor(again)["mark_draft"] is None

    picker_event(again, "mark", "image", comment="à voir")
    assert editor(again)["mark_draft"]["comment"] == "à voir"
    picker_event(again, "mark", "image", discard=True)  # Esc: given up
    assert editor(again)["mark_draft"] is None
    picker_event(again, "mark", "image", category="Nonsense/Nowhere", comment="x")
    assert box(again)["note"].startswith("The picker's error could not be kept: unknown MQM")
    with ReviewStore(env) as store:
        assert store.mark_draft(doc_id, 0, reviewer="Anne") is None
