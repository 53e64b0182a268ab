"""Comparisons in the store: the base documents that two MT systems or more translated,
their systems and documents in the store's order, found on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_systems import wide_tsv

from mtreview.cli import main
from mtreview.documents import Document, Segment, system_doc_id
from mtreview.errors import StoreError
from mtreview.store import Comparison, ReviewStore


def _document(base: str, system: str | None, texts: list[str]) -> Document:
    doc_id = system_doc_id(base, system)
    original = "\n".join(texts)
    segments, at = [], 0
    for index, text in enumerate(texts):
        segments.append(Segment(doc_id, index, index, at, at + len(text), text, system=system))
        at += len(text) + 1
    return Document(doc_id, f"{base}.tsv", original, tuple(segments), format="tsv")


def test_a_scored_input_of_two_systems_is_one_comparison(tmp_path: Path) -> None:
    db, table = tmp_path / "r.db", wide_tsv(tmp_path / "news.tsv")
    assert main(["score", str(table), "--no-models", "--db", str(db)]) == 0
    with ReviewStore(db) as store:
        [found] = store.comparisons()
    assert found == Comparison("news", (("A", "news@A"), ("B", "news@B")), 3)
    assert found.names == ("A", "B") and found.doc_ids == ("news@A", "news@B")
    assert found.doc_id("B") == "news@B"
    with pytest.raises(StoreError, match="no system 'C'"):
        found.doc_id("C")


def test_only_bases_with_two_systems_or_more_are_comparisons(tmp_path: Path) -> None:
    with ReviewStore(tmp_path / "r.db") as store:
        assert store.comparisons() == []
        store.add_document(_document("plain", None, ["Un.", "Deux."]))
        store.add_document(_document("alone", "A", ["Un."]))  # one system: nothing to compare
        store.add_document(_document("news", "zeta", ["Un.", "Deux.", "Trois."]))
        store.add_document(_document("other", "B", ["Une."]))
        store.add_document(_document("news", "alpha", ["Un.", "Deux."]))  # one row short
        store.add_document(_document("other", "A", ["Un."]))
        store.add_document(_document("news", "mid", ["Un.", "Deux.", "Trois."]))
        found = store.comparisons()
        assert found == [
            Comparison(
                "news", (("zeta", "news@zeta"), ("alpha", "news@alpha"), ("mid", "news@mid")), 2
            ),
            Comparison("other", (("B", "other@B"), ("A", "other@A")), 1),
        ]  # in the order the documents were stored, not by name
        store.delete_document("other@A")
        assert [c.base for c in store.comparisons()] == ["news"]


def test_an_empty_system_document_and_a_document_without_its_suffix(tmp_path: Path) -> None:
    with ReviewStore(tmp_path / "r.db") as store:
        store.add_document(_document("news", "A", ["Un."]))
        store.add_document(Document("news@B", "news.tsv", "", (), format="tsv"))  # no rows
        assert store.comparisons() == []  # a system with no segment names no system
        # a document whose id does not end with its system is its own base
        odd = Segment("odd", 0, 0, 0, 3, "Un.", system="A")
        store.add_document(Document("odd", "odd.tsv", "Un.", (odd,), format="tsv"))
        store.add_document(_document("odd", "B", ["Un."]))
        assert store.comparisons() == [Comparison("odd", (("A", "odd"), ("B", "odd@B")), 1)]
