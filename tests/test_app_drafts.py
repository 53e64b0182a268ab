"""Drafts in the app (issue 13), run by AppTest on a real store: a draft the store keeps
comes back in the correction box and in the keeper's note, after a reload too; the form's
buttons keep, end or give up a draft. The browser's side (sending what is typed) is in
tests/test_drafts_browser.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from test_app import _app, _click, _texts, _toasts, env  # noqa: F401  (env: the fixture)

from mtreview.store import ReviewStore
from mtreview.ui.components import DRAFT_KEY


def _doc(db: Path) -> tuple[str, str]:
    """The shipped article's id and its first segment."""
    with ReviewStore(db) as store:
        doc_id = store.documents()[0].doc_id
        return doc_id, store.segment(doc_id, 0).text


def _keeper(at: AppTest) -> dict[str, Any]:
    """What the page hands the draft keeper (the component's data)."""
    [element] = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{DRAFT_KEY}")]
    data: dict[str, Any] = json.loads(element.proto.json)
    return data


def test_a_kept_draft_comes_back_after_a_reload_and_saving_ends_it(env: Path) -> None:  # noqa: F811
    _app()  # the first run stores the shipped article
    doc_id, original = _doc(env)
    with ReviewStore(env) as store:
        store.save_draft(doc_id, 0, "Mon brouillon « pas fini »", base_version=0, reviewer="Anne")
        store.save_draft(doc_id, 0, "Le brouillon de Bob", base_version=0, reviewer="Bob")
    at = _app()  # a reload: a new session, the same reviewer
    assert at.text_area(key=f"fix_{doc_id}_0_0").value == "Mon brouillon « pas fini »"
    keeper = _keeper(at)
    assert (keeper["doc"], keeper["segment"], keeper["base"]) == (doc_id, 0, 0)
    assert keeper["key"] == f"fix_{doc_id}_0_0" and keeper["saved"] == original
    assert keeper["draft"] == "Mon brouillon « pas fini »"  # Anne's, never Bob's
    assert keeper["note"].startswith("Draft kept ") and keeper["note"].endswith("not saved yet")

    _click(at, "save_fix")
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).current_text == "Mon brouillon « pas fini »"
        assert store.draft(doc_id, 0, reviewer="Anne") is None  # saved: no draft left
        assert store.draft(doc_id, 0, reviewer="Bob") is not None
    assert _keeper(at)["draft"] is None and _keeper(at)["base"] == 1


def test_reviewed_without_change_keeps_the_typed_text_as_a_draft(env: Path) -> None:  # noqa: F811
    at = _app()
    doc_id, original = _doc(env)
    at.text_area(key=f"fix_{doc_id}_0_0").input("Texte tapé, pas enregistré")
    _click(at, "mark_reviewed")
    with ReviewStore(env) as store:
        segment = store.segment(doc_id, 0)
        assert segment.reviewed and segment.correction is None
        assert store.draft(doc_id, 0, reviewer="Anne").text == "Texte tapé, pas enregistré"
    assert any("kept as a draft" in toast for toast in _toasts(at))

    at.text_area(key=f"fix_{doc_id}_0_0").input(original)  # typed back to the saved text
    _click(at, "mark_reviewed")
    with ReviewStore(env) as store:
        assert store.draft(doc_id, 0, reviewer="Anne") is None


def test_a_draft_on_an_old_version_meets_the_conflict_check(env: Path) -> None:  # noqa: F811
    _app()
    doc_id, _ = _doc(env)
    with ReviewStore(env) as store:
        store.save_draft(doc_id, 0, "Ma version", base_version=0, reviewer="Anne")
        store.save_correction(doc_id, 0, "Version de Bob", expected_version=0, reviewer="Bob")
    at = _app()
    assert at.text_area(key=f"fix_{doc_id}_0_0").value == "Ma version"
    assert "version 1 was saved since" in _keeper(at)["note"]
    _click(at, "save_fix")
    assert any("saved by someone else" in toast for toast in _toasts(at))
    assert "Version de Bob" in _texts(at) and "Ma version" in _texts(at)
    with ReviewStore(env) as store:
        assert store.segment(doc_id, 0).current_text == "Version de Bob"  # not overwritten
        assert store.draft(doc_id, 0, reviewer="Anne").text == "Ma version"  # still kept
    _click(at, "take_theirs")  # give the draft up for their version
    assert at.text_area(key=f"fix_{doc_id}_0_1").value == "Version de Bob"
    with ReviewStore(env) as store:
        assert store.draft(doc_id, 0, reviewer="Anne") is None


def test_text_refused_at_a_conflict_is_kept_as_a_draft(env: Path) -> None:  # noqa: F811
    at = _app()
    doc_id, _ = _doc(env)
    at.text_area(key=f"fix_{doc_id}_0_0").input("Tapé pendant que Bob enregistrait")
    with ReviewStore(env) as store:
        store.save_correction(doc_id, 0, "Version de Bob", expected_version=0, reviewer="Bob")
    _click(at, "save_fix")
    again = _app()  # the reviewer reloads instead of settling the conflict
    assert again.text_area(key=f"fix_{doc_id}_0_0").value == "Tapé pendant que Bob enregistrait"
