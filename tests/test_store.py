"""The review store on real SQLite files and a real PostgreSQL server (every test runs on
both, through the `store_db` fixture): round trips, versions, concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.documents import Document
from mtreview.errors import ConflictError, StoreError
from mtreview.flags import Flag
from mtreview.readers import document_from_text, read_document
from mtreview.settings import Settings
from mtreview.store import ReviewStore, database_url

SPAN = "est endommagée à l'image"


def _analyses(doc: Document) -> list[SegmentAnalysis]:
    return Analyzer(Settings(use_models=False)).analyze(doc.segments)


@pytest.fixture(scope="module")
def doc(article: Path) -> Document:
    return read_document(article)


@pytest.fixture(scope="module")
def analyses(doc: Document) -> list[SegmentAnalysis]:
    return _analyses(doc)


@pytest.fixture
def store(store_db: str, doc: Document, analyses: list[SegmentAnalysis]) -> Iterator[ReviewStore]:
    store = ReviewStore(store_db)
    store.add_document(doc, analyses)
    yield store
    store.close()


def test_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    ReviewStore(tmp_path / "review.db").close()
    with sqlite3.connect(tmp_path / "review.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_document_round_trip(store: ReviewStore, doc: Document) -> None:
    [info] = store.documents()
    assert (info.doc_id, info.segments, info.reviewed) == (doc.doc_id, len(doc), 0)
    assert info.words == sum(len(s.text.split()) for s in doc.segments)
    loaded = store.load_document(doc.doc_id)
    assert loaded == doc
    for seg in loaded.segments:
        assert loaded.original[seg.start : seg.end] == seg.text
    with pytest.raises(StoreError, match="already in"):
        store.add_document(doc)


def test_annotation_lifecycle_and_reopen(store: ReviewStore, doc: Document, store_db: str) -> None:
    text = doc.segments[0].text
    start = text.index(SPAN)
    mark = store.add_annotation(
        doc.doc_id,
        0,
        start,
        start + len(SPAN),
        category="Accuracy/Mistranslation",
        severity="major",
        comment="sens inversé",
        reviewer="Anne",
    )
    assert mark.text == SPAN and mark.reviewer == "Anne" and mark.origin == "reviewer"
    changed = store.update_annotation(mark.id, severity="critical", reviewer="Bob")
    assert (changed.severity, changed.category, changed.reviewer) == (
        "critical",
        "Accuracy/Mistranslation",
        "Bob",
    )
    store.close()
    again = ReviewStore(store_db)  # a restarted server loses nothing
    [kept] = again.segment(doc.doc_id, 0).annotations
    assert (kept.id, kept.severity, kept.comment) == (mark.id, "critical", "sens inversé")
    again.delete_annotation(mark.id, reviewer="Anne")
    assert again.segment(doc.doc_id, 0).annotations == ()
    assert {r.name for r in again.reviewers()} == {"Anne", "Bob"}


@pytest.mark.parametrize("span", [(-1, 3), (5, 5), (0, 10_000)])
def test_span_outside_segment_is_refused(store: ReviewStore, doc: Document, span: tuple) -> None:
    with pytest.raises(StoreError, match="outside segment"):
        store.add_annotation(doc.doc_id, 0, *span, category="Other", severity="minor", reviewer="A")


def test_unknown_segment_and_blank_reviewer(store: ReviewStore, doc: Document) -> None:
    with pytest.raises(StoreError, match="no segment 999"):
        store.segment(doc.doc_id, 999)
    with pytest.raises(StoreError, match="reviewer name"):
        store.mark_reviewed(doc.doc_id, 0, reviewer="   ")


def test_corrections_are_versioned(store: ReviewStore, doc: Document) -> None:
    first = store.save_correction(doc.doc_id, 1, "v1", expected_version=0, reviewer="Anne")
    second = store.save_correction(doc.doc_id, 1, "v2", expected_version=1, reviewer="Bob")
    assert (first.version, second.version) == (1, 2)
    history = store.corrections(doc.doc_id, 1)
    assert [(c.version, c.text, c.reviewer) for c in history] == [
        (1, "v1", "Anne"),
        (2, "v2", "Bob"),
    ]
    review = store.segment(doc.doc_id, 1)
    assert (review.current_text, review.version, review.reviewed_by) == ("v2", 2, "Bob")
    assert store.document(doc.doc_id).reviewed == 1


def test_stale_save_is_refused_with_the_other_text(store: ReviewStore, doc: Document) -> None:
    store.save_correction(doc.doc_id, 2, "Anne's text", expected_version=0, reviewer="Anne")
    with pytest.raises(ConflictError) as caught:
        store.save_correction(doc.doc_id, 2, "Bob's text", expected_version=0, reviewer="Bob")
    assert caught.value.current_text == "Anne's text"
    assert caught.value.current_version == 1
    assert store.segment(doc.doc_id, 2).current_text == "Anne's text"


def _race(db: str, doc_id: str, name: str, barrier: threading.Barrier) -> str:
    store = ReviewStore(db)
    barrier.wait()
    try:
        store.save_correction(doc_id, 3, f"text by {name}", expected_version=0, reviewer=name)
        return "saved"
    except ConflictError as exc:
        return f"conflict:{exc.current_text}"
    finally:
        store.close()


def test_concurrent_threads_one_wins(store: ReviewStore, doc: Document, store_db: str) -> None:
    names = [f"r{i}" for i in range(6)]
    barrier = threading.Barrier(len(names))
    results: dict[str, str] = {}

    def work(name: str) -> None:
        results[name] = _race(store_db, doc.doc_id, name, barrier)

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, r in results.items() if r == "saved"]
    assert len(winners) == 1
    winner_text = f"text by {winners[0]}"
    assert all(r == f"conflict:{winner_text}" for n, r in results.items() if n not in winners)
    assert [c.text for c in store.corrections(doc.doc_id, 3)] == [winner_text]


def _process_writer(db: str, doc_id: str, name: str, rounds: int, queue: object) -> None:
    """Each process keeps saving on top of what it last saw, retrying after conflicts, under
    names new to the store (reviewer rows added while others read), reading back each save."""
    store = ReviewStore(db)
    conflicts = 0
    version = 0
    told: list[tuple[int, str, str]] = []  # what each save said it wrote
    while len(told) < rounds:
        reviewer = f"{name}-{len(told)}"
        try:
            made = store.save_correction(
                doc_id, 4, f"{name}-{len(told)}", expected_version=version, reviewer=reviewer
            )
            told.append((made.version, made.text, made.reviewer))
            version = made.version
            store.segment(doc_id, 4)
        except ConflictError as exc:
            version = exc.current_version
            conflicts += 1
    store.close()
    queue.put((name, told, conflicts))  # type: ignore[attr-defined]


def test_concurrent_processes_never_overwrite(store: ReviewStore, doc: Document, store_db: str):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_process_writer, args=(store_db, doc.doc_id, f"p{i}", 5, queue))
        for i in range(3)
    ]
    for worker in workers:
        worker.start()
    reports = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    history = store.corrections(doc.doc_id, 4)
    # every successful save is a distinct version, numbered without gaps
    assert [c.version for c in history] == list(range(1, 16))
    stored = {c.version: (c.text, c.reviewer) for c in history}
    # and each save reported the caller's own version, text and name, never another's
    for name, told, _ in reports:
        assert [text for _, text, _ in told] == [f"{name}-{k}" for k in range(5)]
        for version, text, reviewer in told:
            assert stored[version] == (text, reviewer) and reviewer == text


def test_mark_reviewed_without_change(store: ReviewStore, doc: Document) -> None:
    review = store.mark_reviewed(doc.doc_id, 5, reviewer="Anne")
    assert review.reviewed and review.reviewed_by == "Anne" and review.correction is None
    assert store.mark_reviewed(doc.doc_id, 5, reviewer="Anne", reviewed=False).reviewed is False


def test_flag_accept_reject(store_db: str) -> None:
    doc = document_from_text("Le chat chat dort.\n", doc_id="d", name="d.txt")
    flag = Flag(3, 12, "Fluency/Grammar", "minor", ("rule:repeat",), "mot répété")
    analysis = SegmentAnalysis(segment=doc.segments[0], flags=(flag,), risk=0.5)
    store = ReviewStore(store_db)
    store.add_document(doc, [analysis])
    review = store.decide_flag("d", 0, 0, accept=True, reviewer="Anne")
    [mark] = review.annotations
    assert (mark.text, mark.category, mark.origin) == (
        "chat chat",
        "Fluency/Grammar",
        "pre-highlight:rule:repeat",
    )
    assert review.decision(0) is not None and review.decision(0).decision == "accepted"
    review = store.decide_flag("d", 0, 0, accept=False, reviewer="Anne")
    assert review.annotations == () and review.decision(0).decision == "rejected"
    with pytest.raises(StoreError, match="no pre-highlight 3"):
        store.decide_flag("d", 0, 3, accept=True, reviewer="Anne")


def test_iter_segments_streams_in_order_with_latest_state(store: ReviewStore, doc: Document):
    store.save_correction(doc.doc_id, 0, "a", expected_version=0, reviewer="A")
    store.save_correction(doc.doc_id, 0, "b", expected_version=1, reviewer="A")
    other = document_from_text("Deux. Phrases.\n", doc_id="other", name="o.txt")
    store.add_document(other)
    rows = list(store.iter_segments(batch_size=4))
    assert [(r.doc_id, r.index) for r in rows] == [(doc.doc_id, s.index) for s in doc] + [
        ("other", s.index) for s in other
    ]
    assert rows[0].current_text == "b" and rows[0].version == 2
    assert [r.index for r in store.iter_segments("other")] == [s.index for s in other]
    assert rows[-1].analysis.segment == other.segments[-1]  # no analysis: a bare record


def test_replace_analyses_keeps_reviews(store: ReviewStore, doc: Document) -> None:
    store.mark_reviewed(doc.doc_id, 0, reviewer="A")
    rescored = [
        SegmentAnalysis(segment=s, back_translation="pivot", risk=0.9) for s in doc.segments
    ]
    assert store.replace_analyses(doc.doc_id, rescored, info={"models": "x"}) == len(doc)
    review = store.segment(doc.doc_id, 0)
    assert review.analysis.back_translation == "pivot" and review.reviewed
    assert store.document(doc.doc_id).analysis_info == {"models": "x"}


def test_escaping_is_not_the_store_job_text_round_trips(store_db: str) -> None:
    nasty = "<script>alert(1)</script> <img src=x onerror=alert(2)> 👍🏽 e\u0301 & « »\n"
    doc = document_from_text(nasty, doc_id="x", name="x.txt")
    store = ReviewStore(store_db)
    store.add_document(doc)
    text = store.segment("x", 0).text
    start = text.index("👍🏽")
    mark = store.add_annotation(
        "x", 0, start, start + 2, category="Other", severity="minor", reviewer="<b>me</b>"
    )
    assert mark.text == "👍🏽" and mark.reviewer == "<b>me</b>"
    assert store.load_document("x").original == nasty


def test_bad_locations_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        ReviewStore(tmp_path / "missing" / "x.db")
    with pytest.raises(StoreError, match="is a directory"):
        ReviewStore(tmp_path)
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        ReviewStore(tmp_path / "junk.db")
    assert database_url("postgresql://u:p@h/db") == "postgresql://u:p@h/db"
