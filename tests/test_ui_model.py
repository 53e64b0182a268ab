"""What the review page computes without Streamlit: offsets, escaping, lists, loading."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtreview.analysis import SegmentAnalysis
from mtreview.backends import ScoredText, TokenScore
from mtreview.errors import InputError
from mtreview.flags import Flag
from mtreview.mqm import load_typology
from mtreview.readers import document_from_text
from mtreview.settings import Settings
from mtreview.store import ReviewStore
from mtreview.ui.loading import import_upload, load_models, open_path
from mtreview.ui.offsets import (
    codepoints_to_utf16,
    find_span,
    selection_span,
    snap_span,
    utf16_to_codepoints,
)
from mtreview.ui.view_model import (
    article_paragraphs,
    diff_html,
    heatmap_html,
    md_escape,
    segment_marks,
    visible_segments,
)

TEXT = "Un 👍🏽 été e\u0301té 🇫🇷 <b>!"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(st.text(max_size=40), st.data())
def test_utf16_offsets_round_trip(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    units = codepoints_to_utf16(text, index)
    assert units == _utf16(text[:index])
    assert utf16_to_codepoints(text, units) == index


@given(st.text(max_size=30), st.integers(0, 35), st.integers(0, 35))
def test_snap_never_splits_or_leaves_edges_blank(text: str, a: int, b: int) -> None:
    span = snap_span(text, min(a, b), max(a, b))
    if span is None:
        return
    start, end = span
    assert 0 <= start < end <= len(text)
    assert not text[start].isspace() and not text[end - 1].isspace()


def test_selection_payloads() -> None:
    thumb = TEXT.index("👍🏽")
    accent = TEXT.index("e\u0301")
    # code points from the component
    assert selection_span(TEXT, {"start": thumb, "end": thumb + 2, "text": "👍🏽"}) == (
        thumb,
        thumb + 2,
    )
    # UTF-16 offsets only: converted
    u = codepoints_to_utf16(TEXT, accent)
    assert selection_span(TEXT, {"utf16_start": u, "utf16_end": u + 1}) == (accent, accent + 2)
    # a selection cutting the accent from its letter is widened
    assert snap_span(TEXT, accent, accent + 1) == (accent, accent + 2)
    assert snap_span(TEXT, thumb + 1, thumb + 2) == (thumb, thumb + 2)
    # text that does not match the offsets is refused; so are nonsense payloads
    assert selection_span(TEXT, {"start": 0, "end": 2, "text": "zz"}) is None
    assert selection_span(TEXT, {"start": "x"}) is None
    assert selection_span(TEXT, None) is None
    assert find_span(TEXT, " été ") == (TEXT.index("été"), TEXT.index("été") + 3)
    assert find_span(TEXT, "absent") is None


def test_markdown_and_html_are_escaped() -> None:
    assert md_escape("[a](javascript:x) <img> **b** :red[c]") == (
        r"\[a\]\(javascript\:x\) \<img\> \*\*b\*\* \:red\[c\]"
    )
    diff = diff_html("<b>un</b> chat", "<script>x</script> chat")
    assert "<script" not in diff and "<b>" not in diff
    assert "<del" in diff and "<ins" in diff
    corrected = re.sub(r"<[^>]+>", "", re.sub(r"<del[^>]*>.*?</del>", "", diff))
    original = re.sub(r"<[^>]+>", "", re.sub(r"<ins[^>]*>.*?</ins>", "", diff))
    assert html.unescape(corrected) == "<script>x</script> chat"
    assert html.unescape(original) == "<b>un</b> chat"


def _review(store: ReviewStore, text: str, analysis_kw: dict) -> object:
    doc = document_from_text(text, doc_id="d", name="d.txt")
    store.add_document(doc, [SegmentAnalysis(segment=s, **analysis_kw) for s in doc.segments[:1]])
    return store.segment("d", 0)


def test_heatmap_is_escaped_and_follows_tokens(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "h.db")
    text = "<img src=x onerror=alert(1)> ok"
    tokens = (TokenScore("▁<img", 0, 4, -9.0), TokenScore("▁ok", 29, 31, -0.1))
    review = _review(store, text + "\n", {"return_score": ScoredText(tokens, -4.0)})
    heat = heatmap_html(review)  # type: ignore[arg-type]
    assert "<img" not in heat and "&lt;img" in heat
    assert heat.count('class="mtr-token"') == 2
    assert "rgba(220, 38, 38, 1.00)" in heat


def test_marks_paragraphs_and_filters(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "m.db")
    doc = document_from_text("Un chat chat. Deux.\n\nTrois.\n", doc_id="d", name="d.txt")
    flag = Flag(3, 12, "Accuracy/Addition", "minor", ("rule:x",), "répété")
    analyses = [
        SegmentAnalysis(segment=s, flags=(flag,) if s.index == 0 else (), risk=0.1 * s.index)
        for s in doc.segments
    ]
    store.add_document(doc, analyses)
    reviews = list(store.iter_segments("d"))
    marks = segment_marks(reviews[0], pending=(0, 2), focus=0)
    assert [(m["kind"], m.get("focus")) for m in marks] == [("flag", True), ("pending", None)]
    paragraphs = article_paragraphs(reviews, [0])
    assert [[s["index"] for s in p] for p in paragraphs] == [
        [s.index for s in doc if s.paragraph == 0],
        [s.index for s in doc if s.paragraph == 1],
    ]
    assert paragraphs[1][0]["hidden"] is True
    typology = load_typology()
    last = reviews[-1].index
    assert visible_segments(reviews, "worst first", "", typology)[0] == last
    assert visible_segments(reviews, "document order", "Accuracy/Addition", typology) == [0]
    store.decide_flag("d", 0, 0, accept=False, reviewer="A")
    rejected = store.segment("d", 0)
    assert segment_marks(rejected) == []
    assert visible_segments([rejected], "document order", "Accuracy/Addition", typology) == []


def test_loading_without_models_and_imports(tmp_path: Path, article: Path) -> None:
    settings = Settings(use_models=True, back_model=str(tmp_path / "none"), grammar=False)
    state = load_models(settings)
    assert not state.loaded and "not on this machine" in (state.message or "")
    store = ReviewStore(tmp_path / "l.db")
    doc_id = open_path(store, article, settings, state)
    assert open_path(store, article, settings, state) == doc_id  # stored once, then reused
    assert store.document(doc_id).analysis_info["model_free"] is True
    first = import_upload(store, "my doc.txt", b"Bonjour.\n", settings, state)
    second = import_upload(store, "my doc.txt", b"Salut.\n", settings, state)
    assert (first, second) == ("my-doc", "my-doc-2")
    assert [s.doc for s in store.load_document(second).segments] == [second]
    with pytest.raises(InputError, match=r"^notes\.pdf: unknown file type"):
        import_upload(store, "notes.pdf", b"%PDF", settings, state)
