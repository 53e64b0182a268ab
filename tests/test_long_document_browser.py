"""Issue 10 in Chromium: a 2,000-segment document is reviewed a page at a time. The page
never holds more than a page of segments, J/K and "Go to segment" cross pages up to the
last segment, and an error marked with the picker on page 2 lands on its segment and
span in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import needs_chromium
from long_document import long_store, long_texts

from mtreview.store import ReviewStore
from mtreview.testing.browser import streamlit_app
from mtreview.testing.reviewer import PlannedError, ScriptedReviewer

pytestmark = [pytest.mark.browser, needs_chromium]

SEGMENTS, PAGE = 2_000, 50


def _drawn(page: Any) -> list[int]:
    """The segments the article holds in the DOM."""
    found = page.locator(".mtr-seg").evaluate_all("es => es.map(e => Number(e.dataset.index))")
    return [int(index) for index in found]


def test_long_document_is_reviewed_a_page_at_a_time(tmp_path: Path, page: Any) -> None:
    db = long_store(tmp_path, SEGMENTS)
    texts = long_texts(SEGMENTS)
    error = PlannedError(60, "la demande 60", "Accuracy/Mistranslation", "major", "la requête 60")
    with streamlit_app(
        db, tmp_path / "streamlit.log", MTREVIEW_REVIEWER="Longue", MTREVIEW_USE_MODELS="false"
    ) as url:
        page.goto(url)
        page.wait_for_selector(".mtr-segment")
        person = ScriptedReviewer(page)
        person.idle()
        assert _drawn(page) == list(range(PAGE))  # page 1, not the document
        person.open_segment(50)  # a click in the article
        person.open_segment(51)  # J, onto page 2
        page.get_by_text("Segments 51–100 of 2000 · page 2 of 40").wait_for()
        assert _drawn(page) == list(range(50, 100))
        person.open_segment(error.segment)  # a click on page 2
        person.mark(error)  # drag, picker, fix, Enter
        person.key("k", reruns=True)
        page.get_by_role("heading", name="Segment 59 of 2000").wait_for()

        person.open_segment(SEGMENTS)  # not on this page: "Go to segment"
        assert _drawn(page) == list(range(SEGMENTS - PAGE, SEGMENTS))
        assert page.locator(".st-key-next_btn button").is_disabled()
        assert page.locator(".st-key-page_next button").is_disabled()
        person.key("k", reruns=True)
        page.get_by_role("heading", name="Segment 1999 of 2000").wait_for()
        assert page.locator(".mtr-seg").count() == PAGE
        assert person.page_errors == []

    with ReviewStore(db) as store:
        [doc] = store.documents()
        review = store.segment(doc.doc_id, error.segment - 1)
        start = texts[error.segment - 1].index(error.words)
        [mark] = review.annotations
        assert (mark.start, mark.end, mark.text) == (start, start + len(error.words), error.words)
        assert (mark.category, mark.severity) == (error.category, error.severity)
        assert review.current_text == texts[error.segment - 1].replace(error.words, error.fix)
        marked = [r.index for r in store.iter_segments(doc.doc_id) if r.annotations]
        assert marked == [error.segment - 1]
