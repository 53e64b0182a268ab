"""The corpus view's Python flow (streamlit.testing AppTest) on a store filled by
`mtreview score --db`: a page of the queue at a time, filters, open, next, the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from box_events import send
from open_widgets import view_switch
from streamlit.testing.v1 import AppTest
from test_score_store import write_corpus

from mtreview.cli import main
from mtreview.mqm import load_typology
from mtreview.store import DocumentOverview, ReviewStore
from mtreview.ui.corpus_model import PAGE_SIZE, document_lines, excerpt, queue_filter

ROOT = Path(__file__).resolve().parent.parent
ROWS = {
    f"doc{n}": [(f"Фраза {i}.", f"Phrase {i} du document {n} , avec  espaces.") for i in range(20)]
    for n in range(3)
}


@pytest.fixture
def corpus_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "corpus.db"
    corpus = write_corpus(tmp_path / "corpus.tsv", ROWS)
    assert main(["score", str(corpus), "--db", str(db), "--no-models", "--no-grammar"]) == 0
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MTREVIEW_DB", str(db))
    monkeypatch.setenv("MTREVIEW_REVIEWER", "Anne")
    for name in ("MTREVIEW_DOCUMENT", "MTREVIEW_BACK_MODEL", "MTREVIEW_RETURN_MODEL"):
        monkeypatch.delenv(name, raising=False)
    return db


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _queue(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("queue_open_")]


def test_the_queue_pages_through_the_corpus(corpus_db: Path) -> None:
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    assert view_switch(at).value == "Corpus"
    first = _queue(at)
    assert len(first) == PAGE_SIZE  # a page, never the whole corpus
    assert any("page 1 of 3" in m.value for m in at.markdown)
    at.button(key="queue_next").click()
    second = _queue(_run(at))
    assert len(second) == PAGE_SIZE and not set(first) & set(second)
    at.button(key="queue_next").click()
    third = _queue(_run(at))
    assert len(third) == 60 - 2 * PAGE_SIZE and at.button(key="queue_next").disabled
    docs = {label.split(" · ")[1] for label in first + second + third}
    assert docs == {"doc0", "doc1", "doc2"}

    at.selectbox(key="cf_doc").select("doc1")
    only = _queue(_run(at))
    assert len(only) == 20 and all(" · doc1 · " in label for label in only)
    at.selectbox(key="cf_origin").select("rule:spacing")
    assert len(_queue(_run(at))) == 20
    at.selectbox(key="cf_status").select("reviewed")
    assert _queue(_run(at)) == []


def test_open_next_and_the_whole_document(corpus_db: Path) -> None:
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    label = _queue(at)[0]
    key = next(b.key for b in at.button if b.label == label)
    at.button(key=key).click()
    _run(at)
    [header] = [h.value for h in at.subheader]
    assert header.startswith("Segment ") and header.endswith(" of 20")
    doc = label.split(" · ")[1]
    send(at, "reviewed")  # the correction box's "Reviewed, no change"
    at.button(key="corpus_next").click()
    _run(at)
    assert [h.value for h in at.subheader] != [header]
    at.button(key="corpus_back").click()
    assert label not in _queue(_run(at))  # reviewed: out of the unreviewed queue
    with ReviewStore(corpus_db) as store:
        assert sum(d.reviewed for d in store.corpus_overview()) == 1

    at.button(key=next(b.key for b in at.button if (b.key or "").startswith("queue_open_"))).click()
    _run(at)
    at.button(key="corpus_document").click()
    _run(at)
    assert view_switch(at).value == "Document"
    assert at.session_state["doc_id"] in {"doc0", "doc1", "doc2"} and doc


def test_document_lines_weigh_errors_with_the_typology() -> None:
    typology = load_typology()
    major, minor = ("Accuracy/Mistranslation", "major", 2), ("Fluency/Punctuation", "minor", 3)
    overview = [
        DocumentOverview("a", "a.txt", 10, 4, 200, 0.7, True, (major,)),
        DocumentOverview("b", "b.txt", 5, 5, 0, 0.1, True, (minor,)),
        DocumentOverview("c", "c.tsv", 3, 0, 9, 0.0, False, ()),
    ]
    a, b, c = document_lines(overview, typology)
    assert (a.mqm, a.mqm_per_100_words, a.progress, a.status) == (10.0, 5.0, 40.0, "in review")
    assert (b.mqm, b.status) == (0.3, "reviewed")
    assert c.status == "scoring…"
    assert excerpt("a  b\n" + "c" * 300, 20) == "a b " + "c" * 15 + "…"
    wanted = queue_filter(doc="a", origin="(any)", status="all")
    assert (wanted.docs, wanted.origin, wanted.status) == (("a",), None, "all")
