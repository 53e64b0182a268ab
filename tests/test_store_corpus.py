"""The store's corpus queries on a real SQLite file and a real PostgreSQL server: overview,
the cross-document queue and its filters, what follows a segment, a segment's context;
indexed, a page at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Document
from mtreview.flags import Flag
from mtreview.readers import document_from_text
from mtreview.store import QueueFilter, ReviewStore
from mtreview.store.corpus import _ORDER, _conditions
from mtreview.store.schema import segments

ARTICLE = (
    "Premier paragraphe. Deuxième phrase.\n\n"
    "Le milieu du texte. Encore une phrase ici.\n\n"
    "Troisième paragraphe.\n\n"
    "Dernier paragraphe, enfin."
)


def _doc(doc_id: str, text: str) -> Document:
    return document_from_text(text, doc_id=doc_id, name=f"{doc_id}.txt")


def _flag(origin: str, category: str = "Fluency/Grammar", severity: str = "minor") -> Flag:
    return Flag(0, 3, category, severity, (origin,), "?")


@pytest.fixture
def store(store_db: str) -> ReviewStore:
    return _filled(ReviewStore(store_db))


def _filled(store: ReviewStore) -> ReviewStore:
    risks = {"a": [0.9, 0.1, 0.5, 0.3, 0.7, 0.2], "b": [0.8, 0.9, 0.0]}
    flags = {
        ("a", 0): (_flag("rule:spacing"),),
        ("a", 2): (_flag("model", "Accuracy/Mistranslation", "major"),),
        ("b", 1): (_flag("grammar"), _flag("rule:quotes", "Fluency/Punctuation")),
    }
    texts = {"a": ARTICLE, "b": "Un. Deux trois.\n\nQuatre cinq six."}
    for doc_id, text in texts.items():
        doc = _doc(doc_id, text)
        analyses = [
            SegmentAnalysis(
                segment=seg, risk=risks[doc_id][seg.index], flags=flags.get((doc_id, seg.index), ())
            )
            for seg in doc.segments
        ]
        store.add_document(doc, analyses)
    store.mark_reviewed("a", 0, reviewer="zoé")
    store.add_annotation("a", 3, 0, 2, category="Style/Awkward", severity="major", reviewer="li")
    store.save_correction("a", 4, "Texte corrigé.", expected_version=0, reviewer="li")
    return store


def _keys(items: list) -> list[tuple[str, int]]:
    return [(item.doc_id, item.index) for item in items]


def test_queue_is_riskiest_unreviewed_first_across_documents(store: ReviewStore) -> None:
    queue = store.corpus_queue()
    assert _keys(queue) == [("b", 1), ("b", 0), ("a", 2), ("a", 3), ("a", 5), ("a", 1), ("b", 2)]
    assert [item.risk for item in queue] == sorted((item.risk for item in queue), reverse=True)
    assert ("a", 0) not in _keys(queue) and ("a", 4) not in _keys(queue)  # reviewed
    assert store.corpus_count() == len(queue) == 7
    assert _keys(store.corpus_queue(offset=2, limit=3)) == _keys(queue)[2:5]
    top = queue[0]
    assert (top.doc_id, top.index, top.flags, top.reviewed) == ("b", 1, 2, False)


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (QueueFilter(docs=("b",)), {("b", 0), ("b", 1), ("b", 2)}),
        (QueueFilter(origin="rule", status="all"), {("a", 0), ("b", 1)}),
        (QueueFilter(origin="rule:quotes"), {("b", 1)}),
        (QueueFilter(origin="model"), {("a", 2)}),
        (QueueFilter(category="Style/Awkward"), {("a", 3)}),  # a reviewer's error
        (QueueFilter(category="Accuracy/Mistranslation", severity="major"), {("a", 2)}),
        (QueueFilter(category="Accuracy/Mistranslation", severity="minor"), set()),
        (QueueFilter(severity="major", status="all"), {("a", 2), ("a", 3)}),
        (QueueFilter(reviewer="li", status="all"), {("a", 3), ("a", 4)}),
        (QueueFilter(reviewer="zoé", status="reviewed"), {("a", 0)}),
        (QueueFilter(reviewer="nobody", status="all"), set()),
        (QueueFilter(status="corrected"), {("a", 4)}),
        (QueueFilter(status="reviewed"), {("a", 0), ("a", 4)}),
    ],
)
def test_filters(store: ReviewStore, wanted: QueueFilter, expected: set) -> None:
    assert set(_keys(store.corpus_queue(wanted, limit=100))) == expected
    assert store.corpus_count(wanted) == len(expected)


def test_next_in_queue_even_after_the_segment_left_it(store: ReviewStore) -> None:
    queue = store.corpus_queue()
    assert store.corpus_after(QueueFilter(), queue[0]) == queue[1]
    store.mark_reviewed(queue[0].doc_id, queue[0].index, reviewer="zoé")
    left = store.corpus_item(queue[0].doc_id, queue[0].index)
    assert left.reviewed and store.corpus_after(QueueFilter(), left) == store.corpus_queue()[0]
    assert store.corpus_after(QueueFilter(), queue[-1]) is None


def test_a_segment_in_its_paragraph_with_the_paragraphs_around(store: ReviewStore) -> None:
    middle = [r.text for r in store.context("a", 2)]
    assert middle == [
        "Premier paragraphe.",
        "Deuxième phrase.",
        "Le milieu du texte.",
        "Encore une phrase ici.",
        "Troisième paragraphe.",
    ]
    assert [r.text for r in store.context("a", 0)][-1] == "Encore une phrase ici."
    [review] = [r for r in store.context("a", 2) if r.index == 2]
    assert review.analysis.risk == 0.5 and review.analysis.flags[0].origins == ("model",)


def test_overview_and_choices(store: ReviewStore) -> None:
    a, b = store.corpus_overview()
    assert (a.doc_id, a.segments, a.reviewed, a.worst_risk, a.complete) == ("a", 6, 2, 0.9, True)
    assert a.errors == (("Style/Awkward", "major", 1),) and b.errors == ()
    assert b.worst_risk == 0.9 and b.reviewed == 0
    choices = store.filter_choices()
    assert choices.origins == ("grammar", "model", "rule", "rule:quotes", "rule:spacing")
    assert "Style/Awkward" in choices.categories and "major" in choices.severities
    assert choices.reviewers == ("li", "zoé")


def test_risk_and_flags_follow_a_new_analysis(store: ReviewStore) -> None:
    seg = store.segment("b", 2).analysis.segment
    store.replace_analyses("b", [SegmentAnalysis(segment=seg, risk=0.99, flags=(_flag("model"),))])
    assert _keys(store.corpus_queue(limit=1)) == [("b", 2)]
    assert ("b", 2) in _keys(store.corpus_queue(QueueFilter(origin="model")))


def test_the_queue_reads_an_index_not_the_table(tmp_path: Path) -> None:
    store = _filled(ReviewStore(tmp_path / "corpus.db"))
    with store._read() as conn:
        for wanted in (QueueFilter(), QueueFilter(docs=("a",))):
            query = sa.select(segments.c.id).where(*_conditions(conn, wanted)).order_by(*_ORDER)
            sql = str(query.limit(25).compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "USING INDEX ix_segments_" in plan or "USING COVERING INDEX ix_segments_" in plan
            assert "TEMP B-TREE" not in plan, plan  # no sort of every segment
