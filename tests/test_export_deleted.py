"""Segments corrected to empty (scraping leftovers, repeated titles): corpora leave them
out and say how many; `--keep-deleted` keeps them, marked. Through the CLI (in process) on a
real store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from mtreview.cli import main
from mtreview.export import EXPORTERS, ExportOptions, export_file
from mtreview.readers import read_document
from mtreview.store import ReviewStore

SCHEMAS = Path(__file__).resolve().parent / "schemas"
XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"


@pytest.fixture
def db(tmp_path: Path, article: Path) -> Path:
    """The article with "Anonim" (2) deleted, a repeated title (3) blanked, one fix (1)."""
    path = tmp_path / "review.db"
    with ReviewStore(path) as store:
        doc = read_document(article, doc_id="kaztag")
        store.add_document(doc)
        texts = [s.text for s in doc.segments]
        assert texts[1] == "Anonim" and texts[2] == texts[0]
        store.save_correction("kaztag", 1, "", expected_version=0, reviewer="ana")
        store.save_correction("kaztag", 2, "  \n", expected_version=0, reviewer="ana")
        fixed = texts[0].replace("est endommagée à", "nuit à")
        store.save_correction("kaztag", 0, fixed, expected_version=0, reviewer="ana")
    return path


def _export(capsys: pytest.CaptureFixture[str], db: Path, fmt: str, out: Path, *extra: str) -> str:
    """`mtreview export` in this process (its summary is on stderr): a process of its own
    only added the interpreter's start-up, 0.4 CPU s an export."""
    capsys.readouterr()
    code = main(["export", "--db", str(db), "--format", fmt, "-o", str(out), *extra])
    said = capsys.readouterr().err
    assert code == 0, said
    return said


def _segments(db: Path) -> int:
    with ReviewStore(db) as store:
        return store.document("kaztag").segments


def test_corpora_leave_deleted_segments_out_and_count_them(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = _segments(db)
    said = _export(capsys, db, "tsv", tmp_path / "c.tsv")
    assert f"tsv: {total - 2} segments" in said
    assert "2 segments corrected to empty left out (--keep-deleted keeps them, marked)" in said
    lines = (tmp_path / "c.tsv").read_text("utf-8").splitlines()[1:]
    assert [int(line.split("\t")[1]) for line in lines] == [1, *range(4, total + 1)]

    _export(capsys, db, "jsonl", tmp_path / "c.jsonl")
    records = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text("utf-8").splitlines()]
    assert all(r["translation"]["fr"].strip() for r in records) and len(records) == total - 2

    _export(capsys, db, "moses", tmp_path / "c")
    left = (tmp_path / "c.fr-x-mt").read_text("utf-8").splitlines()
    right = (tmp_path / "c.fr").read_text("utf-8").splitlines()
    assert len(left) == len(right) == total - 2 and "Anonim" not in left

    _export(capsys, db, "xliff", tmp_path / "c.xlf")
    units = etree.parse(str(tmp_path / "c.xlf")).iter(f"{XLIFF}trans-unit")
    assert [u.get("id") for u in units][:2] == ["1", "4"]
    _export(capsys, db, "tmx", tmp_path / "c.tmx")
    assert len(list(etree.parse(str(tmp_path / "c.tmx")).iter("tu"))) == total - 2


def test_keep_deleted_marks_them(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = _segments(db)
    said = _export(capsys, db, "tsv", tmp_path / "k.tsv", "--keep-deleted")
    assert f"tsv: {total} segments" in said and "2 segments corrected to empty kept" in said
    rows = [line.split("\t") for line in (tmp_path / "k.tsv").read_text("utf-8").splitlines()]
    assert [(r[1], r[3], r[4]) for r in rows[2:4]] == [
        ("2", "", "deleted"),
        ("3", "  \\n", "deleted"),
    ]
    _export(capsys, db, "jsonl", tmp_path / "k.jsonl", "--keep-deleted")
    records = [json.loads(line) for line in (tmp_path / "k.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in records if r.get("deleted")] == ["kaztag:2", "kaztag:3"]

    _export(capsys, db, "xliff", tmp_path / "k.xlf", "--keep-deleted")
    checked = subprocess.run(
        [
            "xmllint",
            "--noout",
            "--schema",
            str(SCHEMAS / "xliff-core-1.2-strict.xsd"),
            str(tmp_path / "k.xlf"),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    unit = next(
        u
        for u in etree.parse(str(tmp_path / "k.xlf")).iter(f"{XLIFF}trans-unit")
        if u.get("id") == "2"
    )
    assert any((n.text or "").startswith("deleted by ana") for n in unit.iter(f"{XLIFF}note"))

    _export(capsys, db, "tmx", tmp_path / "k.tmx", "--keep-deleted")
    statuses = [
        p.text
        for p in etree.parse(str(tmp_path / "k.tmx")).iter("prop")
        if p.get("type") == "x-status"
    ]
    assert statuses.count("deleted") == 2 and len(statuses) == total


def test_reports_and_annotations_keep_every_segment(db: Path) -> None:
    """MQM rows, the reviews backup and the HTML report are not corpora: nothing dropped."""
    assert [name for name, kind in EXPORTERS.items() if not kind.corpus] == [
        "html",
        "mqm",
        "reviews",
    ]
    with ReviewStore(db) as store:
        report = export_file(store, "html", ExportOptions(docs=("kaztag",)))
        backup = export_file(store, "reviews", ExportOptions())
    assert report.summary.segments == _segments(db) and "Anonim" in report.data.decode()
    assert backup.summary.segments == _segments(db)
