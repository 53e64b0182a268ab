"""The store's segment row is the one copy of a segment: analyses do not repeat it, and a
backup that contradicts it is refused with one line naming document and segment."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from jsonl_files import assert_round_trip, read_jsonl, write_jsonl
from test_export_store import build_store

from mtreview.analysis.record import RECORD_NAMES, SEGMENT_KEYS, SegmentAnalysis
from mtreview.cli import main
from mtreview.documents import Segment, segment_fields, segment_keys
from mtreview.store import ReviewStore
from mtreview.store.backup import FIELDS
from mtreview.store.merge import BACKUP_NAMES
from mtreview.store.schema import ROW_NAMES, segments


@pytest.fixture
def backup(tmp_path: Path, article: Path) -> Path:
    store = build_store(tmp_path / "review.db", article, tmp_path)
    path = tmp_path / "reviews.jsonl"
    with path.open("wb") as out:
        store.write_reviews(out)
    store.close()
    return path


def _first(records: list[dict], kind: str, **match: object) -> int:
    return next(
        i
        for i, r in enumerate(records)
        if r["type"] == kind and all(r.get(k) == v for k, v in match.items())
    )


def test_every_form_of_a_segment_comes_from_one_declaration() -> None:
    fields = list(segment_fields())
    assert fields == [f.name for f in Segment.__dataclass_fields__.values()]
    assert set(segment_keys(BACKUP_NAMES)) <= set(FIELDS["segment"])
    assert set(segment_keys(ROW_NAMES)) <= set(segments.c.keys())
    assert segment_keys(RECORD_NAMES) == SEGMENT_KEYS
    seg = Segment("d", 3, 1, 10, 14, "abcd", source="src", line=4)
    record = SegmentAnalysis(segment=seg, risk=0.25).to_record()
    assert SegmentAnalysis.from_record(record).segment == seg
    assert record["version"] == 3 and record["segment_id"] == 3


def test_analyses_are_stored_without_the_segment(tmp_path: Path, article: Path) -> None:
    store = build_store(tmp_path / "review.db", article, tmp_path)
    with sqlite3.connect(tmp_path / "review.db") as conn:
        [(record,)] = conn.execute("SELECT record FROM analyses").fetchall()
        risk = conn.execute("SELECT risk FROM segments WHERE doc_id = 'kaztag' AND idx = 0")
        assert risk.fetchone()[0] == 0.5
    stored = json.loads(record)
    assert not set(SEGMENT_KEYS) & set(stored)
    review = store.segment("kaztag", 0)
    assert review.analysis.segment.text == review.text and review.analysis.risk == 0.5
    assert [f.category for f in review.analysis.flags] == [
        "Accuracy/Mistranslation",
        "Fluency/Grammar",
    ]


def test_a_backup_contradicting_its_segment_is_refused(
    backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = read_jsonl(backup)
    number = _first(records, "segment", doc="kaztag", segment=0)
    records[number]["analysis"]["record"]["source"] = "Другой источник"
    bad = write_jsonl(tmp_path / "tampered.jsonl", records)
    target = tmp_path / "target.db"
    assert main(["import-reviews", str(bad), "--db", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mtreview: error: {bad}:{number + 1}: analysis of 'kaztag' segment 0 ")
    assert "says source is 'Другой источник'" in err and err.count("\n") == 1
    with ReviewStore(target) as store:
        assert store.documents() == []

    # the segment record itself cannot claim text the document does not have there
    records = read_jsonl(backup)
    records[number]["text"] = "Un autre titre"
    bad = write_jsonl(tmp_path / "tampered.jsonl", records)
    assert main(["import-reviews", str(bad), "--db", str(target)]) == 2
    assert "segment 0 of 'kaztag': its text is not the document's text at [" in (
        capsys.readouterr().err
    )


def test_merging_a_backup_with_another_source_is_refused(
    backup: Path, tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ours").mkdir()
    ours = build_store(tmp_path / "ours" / "ours.db", article, tmp_path / "ours")
    ours.close()
    records = read_jsonl(backup)
    number = _first(records, "segment", doc="pairs", segment=1)
    records[number]["source"] = "Он сказал «нет»."
    bad = write_jsonl(tmp_path / "other.jsonl", records)
    assert main(["import-reviews", str(bad), "--db", str(tmp_path / "ours" / "ours.db")]) == 2
    assert (
        f"{bad}:{number + 1}: document 'pairs' segment 1 differs from the stored segment (source)"
        in capsys.readouterr().err
    )


def _as_version_1(records: list[dict]) -> list[dict]:
    """A backup as mtreview wrote it before: analysis records repeating the segment."""
    old = []
    for record in records:
        record = dict(record)
        if record["type"] == "header":
            record["version"] = 1
        if record["type"] == "segment" and record["analysis"] is not None:
            seg = {RECORD_NAMES.get(k, k): record[BACKUP_NAMES.get(k, k)] for k in segment_fields()}
            findings = {k: v for k, v in record["analysis"]["record"].items() if k != "version"}
            record["analysis"] = {
                "risk": findings["risk"],
                "record": {**seg, **findings},
                "created_at": record["analysis"]["created_at"],
            }
        old.append(record)
    return old


def test_version_1_backups_still_import(
    backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _as_version_1(read_jsonl(backup))
    old = write_jsonl(tmp_path / "old.jsonl", records)
    fresh = tmp_path / "fresh.db"
    assert main(["import-reviews", str(old), "--db", str(fresh)]) == 0
    again = tmp_path / "again.jsonl"
    assert main(["export", "--db", str(fresh), "--format", "reviews", "-o", str(again)]) == 0
    assert_round_trip(backup.read_bytes(), again.read_bytes())  # read as 1, written as 2

    number = _first(records, "segment", doc="kaztag", segment=0)
    records[number]["analysis"]["record"]["start"] = 1
    bad = write_jsonl(tmp_path / "old-bad.jsonl", records)
    assert main(["import-reviews", str(bad), "--db", str(tmp_path / "other.db")]) == 2
    assert f"{bad}:{number + 1}: analysis of 'kaztag' segment 0 says start is 1" in (
        capsys.readouterr().err
    )
