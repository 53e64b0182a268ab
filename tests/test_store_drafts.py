"""Drafts in the store (issue 13): a correction typed and not saved, kept per segment and
reviewer, on real SQLite files and a real PostgreSQL server (`store_db`)."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.errors import StoreError
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.actions import MAX_TYPED_CHARS

TEXT = "Le chat dort. Il est endommagé à l'image.\n\nUn autre paragraphe ici."


@pytest.fixture
def store(store_db: str) -> Iterator[ReviewStore]:
    store = ReviewStore(store_db)
    store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    yield store
    store.close()


def test_a_draft_is_kept_per_segment_and_reviewer_and_replaced(store: ReviewStore) -> None:
    assert store.draft("d", 1, reviewer="anne") is None
    first = store.save_draft("d", 1, "Il est abîmé", base_version=0, reviewer="anne")
    assert first is not None and (first.text, first.base_version) == ("Il est abîmé", 0)
    again = store.save_draft("d", 1, "Il est abîmé dans", base_version=0, reviewer="anne")
    assert store.draft("d", 1, reviewer="anne") == again  # one draft: the latest
    assert store.draft("d", 1, reviewer="bob") is None  # another reviewer sees none
    assert store.draft("d", 0, reviewer="anne") is None  # nor does another segment
    store.save_draft("d", 1, "Le texte de Bob", base_version=0, reviewer="bob")
    assert store.draft("d", 1, reviewer="anne").text == "Il est abîmé dans"
    assert store.segment("d", 1).correction is None  # a draft is not a correction
    assert store.discard_draft("d", 1, reviewer="anne") is True
    assert store.discard_draft("d", 1, reviewer="anne") is False
    assert store.draft("d", 1, reviewer="anne") is None
    assert store.draft("d", 1, reviewer="bob").text == "Le texte de Bob"


def test_a_draft_survives_closing_the_store(store_db: str, store: ReviewStore) -> None:
    store.save_draft("d", 0, "Le chat dort, ouf.", base_version=0, reviewer="anne")
    store.close()
    with ReviewStore(store_db) as again:  # a restarted server
        assert again.draft("d", 0, reviewer=" anne ").text == "Le chat dort, ouf."


def test_saving_ends_the_reviewers_draft_not_anothers(store: ReviewStore) -> None:
    store.save_draft("d", 1, "Version d'Anne", base_version=0, reviewer="anne")
    store.save_draft("d", 1, "Version de Bob", base_version=0, reviewer="bob")
    store.save_correction("d", 1, "Version d'Anne, finie", expected_version=0, reviewer="anne")
    assert store.draft("d", 1, reviewer="anne") is None
    assert store.draft("d", 1, reviewer="bob").base_version == 0  # Bob meets the conflict later


def test_a_draft_of_text_already_saved_is_no_draft(store: ReviewStore) -> None:
    """The app sends the box's text as a draft when the box loses focus, and Ctrl+S
    takes the focus away: the draft can reach the store after the save it came with."""
    store.save_correction("d", 1, "Il est abîmé.", expected_version=0, reviewer="anne")
    assert store.save_draft("d", 1, "Il est abîmé.", base_version=0, reviewer="anne") is None
    assert store.draft("d", 1, reviewer="anne") is None
    # typed on the old version and different: a real draft (its save will conflict)
    assert store.save_draft("d", 1, "Autre chose", base_version=0, reviewer="anne") is not None
    # the same text saved by someone else is no reason to drop this reviewer's draft
    store.save_correction("d", 0, "Le chat dort.", expected_version=0, reviewer="bob")
    assert store.save_draft("d", 0, "Le chat dort.", base_version=0, reviewer="anne") is not None


@pytest.mark.parametrize(
    ("text", "base", "problem"),
    [
        ("abc\ud800def", 0, r"lone surrogate U\+D800 \(not UTF-8\) at position 3"),
        ("x" * (MAX_TYPED_CHARS + 1), 0, f"longer than {MAX_TYPED_CHARS:,} characters"),
        ("fine", -1, "base version is 0 or more"),
    ],
)
def test_bad_drafts_are_refused_with_a_reason(
    store: ReviewStore, text: str, base: int, problem: str
) -> None:
    with pytest.raises(StoreError, match=problem):
        store.save_draft("d", 1, text, base_version=base, reviewer="anne")
    assert store.draft("d", 1, reviewer="anne") is None


def test_a_correction_with_a_lone_surrogate_is_refused_before_it_is_stored(
    store: ReviewStore,
) -> None:
    with pytest.raises(StoreError, match="correction holds a lone surrogate"):
        store.save_correction("d", 1, "abc\udfff", expected_version=0, reviewer="anne")
    assert store.corrections("d", 1) == []


def test_drafts_stay_out_of_backups_exports_and_the_audit_log(
    store: ReviewStore, tmp_path: Path
) -> None:
    store.save_correction("d", 0, "Le chat dort bien.", expected_version=0, reviewer="anne")
    store.save_draft("d", 1, "BROUILLON secret", base_version=0, reviewer="anne")
    backup = io.BytesIO()
    store.write_reviews(backup)
    assert b"BROUILLON" not in backup.getvalue()
    assert all("BROUILLON" not in json.dumps(entry.detail) for entry in store.audit_log("d"))
    out = tmp_path / "out.tsv"
    assert main(["export", "--db", store.url, "--format", "tsv", "-o", str(out)]) == 0
    exported = out.read_text(encoding="utf-8")
    assert "Le chat dort bien." in exported and "BROUILLON" not in exported


def test_deleting_the_document_deletes_its_drafts(store: ReviewStore) -> None:
    store.save_draft("d", 1, "Brouillon", base_version=0, reviewer="anne")
    store.delete_document("d")
    store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    assert store.draft("d", 1, reviewer="anne") is None


def test_a_store_from_before_drafts_gets_the_table(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE drafts")  # as a store written before drafts existed
    with ReviewStore(db) as store:
        store.save_draft("d", 0, "Enfin", base_version=0, reviewer="anne")
        assert store.draft("d", 0, reviewer="anne").text == "Enfin"


def test_the_pickers_error_is_kept_per_reviewer_checked_and_left_out(
    store: ReviewStore, tmp_path: Path
) -> None:
    """Issue 24: the error begun in the picker, kept per segment and reviewer (the latest
    only), refused as `add_annotation` refuses; the correction an error came with is
    remembered until either is deleted; none of it goes into backups or the audit log."""
    words = "endommagé"
    start = store.segment("d", 1).text.index(words)
    span = {"start": start, "end": start + len(words)}
    kept = store.save_mark_draft(
        "d", 1, **span, category="accuracy/mistranslation", severity="Major",
        comment="PICKER-SECRET", fix="abîmé", reviewer="anne",
    )  # fmt: skip
    assert (kept.category, kept.severity, kept.fix) == ("Accuracy/Mistranslation", "major", "abîmé")
    store.save_mark_draft("d", 1, **span, category="Fluency/Grammar", severity="minor",
                          reviewer="anne")  # fmt: skip
    assert store.mark_draft("d", 1, reviewer="anne").category == "Fluency/Grammar"
    assert store.mark_draft("d", 1, reviewer="bob") is None
    for bad, problem in (
        ({"category": "Nope"}, "unknown MQM category"),
        ({"start": 3, "end": 999}, "outside segment"),
        ({"fix": "x" * (MAX_TYPED_CHARS + 1)}, "has 100,001 characters"),
        ({"comment": "y" * 2_001}, "comment is longer"),
    ):
        fields = {**span, "category": "Fluency/Grammar", "severity": "minor", **bad}
        with pytest.raises(StoreError, match=problem):
            store.save_mark_draft("d", 1, reviewer="anne", **fields)  # type: ignore[arg-type]
    assert store.mark_draft("d", 1, reviewer="anne").category == "Fluency/Grammar"

    mark = store.add_annotation("d", 1, **span, category="Fluency/Grammar", severity="minor",
                                reviewer="anne")  # fmt: skip
    saved = store.save_correction("d", 1, "Il est abîmé.", expected_version=0, reviewer="anne")
    with pytest.raises(StoreError, match="not both 'bob'"):
        store.link_correction(mark.id, saved.version, reviewer="bob")
    store.link_correction(mark.id, saved.version, reviewer="anne")
    assert store.saved_with(mark.id, viewer="anne") == saved
    assert store.saved_with(mark.id, viewer="bob") is None  # anne's, not bob's
    backup = io.BytesIO()
    store.write_reviews(backup)
    assert b"PICKER-SECRET" not in backup.getvalue() and b"abim" not in backup.getvalue()
    assert all("PICKER-SECRET" not in json.dumps(e.detail) for e in store.audit_log("d"))
    assert store.delete_annotation(mark.id, reviewer="anne") == mark  # what undo adds back
    assert store.saved_with(mark.id, viewer="anne") is None  # the link went with it
    assert store.discard_mark_draft("d", 1, reviewer="anne") is True
    assert store.discard_mark_draft("d", 1, reviewer="anne") is False
    store.save_mark_draft("d", 0, start=0, end=2, category="Other", severity="minor",
                          comment="c", reviewer="anne")  # fmt: skip
    store.delete_document("d")
    store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    assert store.mark_draft("d", 0, reviewer="anne") is None
