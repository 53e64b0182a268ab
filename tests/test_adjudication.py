"""Adjudication end to end through the CLI: exports carry the lead's final word
(`--adjudicated-only` exports only those segments) and `calibrate --gold adjudicated`
scores the pre-highlights against it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mtreview.analysis import SegmentAnalysis
from mtreview.cli import main
from mtreview.flags import Flag
from mtreview.readers import document_from_text
from mtreview.store import FinalSpan, ReviewStore
from mtreview.testing.team import provider_sign_in, team

TEXT = "Le chat chat dort.\n\nIl pleut des cordes.\n\nTout va bien.\n"
PEOPLE = ("anne", "bob", "lena")  # two reviewers, one lead, on a team store


@pytest.fixture
def db(store_db: str) -> str:
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    flag = Flag(3, 12, "Fluency/Grammar", "minor", ("rule:repeat",), "mot répété")
    analyses = [
        SegmentAnalysis(segment=s, flags=(flag,) if s.index == 0 else (), risk=0.5)
        for s in doc.segments
    ]
    with ReviewStore(store_db) as store:
        store.add_document(doc, analyses)
        who = team(store, {n: ("lead" if n == "lena" else "reviewer", None) for n in PEOPLE})
        store.assign("d", ["anne", "bob"], by=who["lena"], overlap=1.0)
        work = (("anne", (3, 7), "Le chat dort."), ("bob", (8, 12), "Le chat dort !"))
        for name, (start, end), text in work:
            store.add_annotation("d", 0, start, end, category="Fluency/Grammar", severity="minor",
                                 reviewer=who[name])  # fmt: skip
            store.save_correction(
                "d", 0, text, expected_version=0, reviewer=who[name], independent=True
            )
        store.mark_reviewed("d", 1, reviewer=who["anne"])
        store.add_annotation("d", 1, 0, 2, category="Other", severity="minor", reviewer=who["anne"])
        final = [FinalSpan(3, 12, "Fluency/Grammar", "minor", reviewer="anne")]
        store.adjudicate("d", 0, by=who["lena"], text="Le chat dort.", spans=final)
    return store_db


@pytest.fixture
def as_lena(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team store: every command reads as the lead, with her session token on stdin."""
    with ReviewStore(db) as store:
        token = provider_sign_in(store, "lena").token
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{token}\n" * 10))


def _export(db: str, fmt: str, out: Path, *more: str) -> int:
    argv = ["export", "--db", db, "--format", fmt, "-o", str(out), *more, "--token-stdin"]
    return main(argv)


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.usefixtures("as_lena")
def test_exports_take_the_adjudicated_version(db: str, tmp_path: Path) -> None:
    out = tmp_path / "all.tsv"
    assert _export(db, "tsv", out) == 0
    rows = _tsv(out)
    assert [r["translation"] for r in rows] == [
        "Le chat dort.",
        "Il pleut des cordes.",
        "Tout va bien.",
    ]
    assert rows[0]["reviewer"] == "lena"  # the adjudicator, not the last reviewer to save
    only = tmp_path / "adjudicated.tsv"
    assert _export(db, "tsv", only, "--adjudicated-only") == 0
    assert [(r["segment"], r["translation"]) for r in _tsv(only)] == [("1", "Le chat dort.")]
    mqm = tmp_path / "mqm.jsonl"
    assert _export(db, "jsonl", mqm, "--adjudicated-only") == 0
    [record] = [json.loads(line) for line in mqm.read_text("utf-8").splitlines()]
    assert "Le chat dort." in json.dumps(record, ensure_ascii=False)
    assert _export(db, "tsv", only, "--adjudicated-only", "--only", "reviewed") == 2


@pytest.mark.usefixtures("as_lena")
def test_calibrate_against_the_adjudicated_gold(db: str, tmp_path: Path, capsys) -> None:
    report = tmp_path / "gold.json"
    argv = ["calibrate", db, "--gold", "adjudicated", "--json", str(report), "--token-stdin"]
    assert main(argv) == 0
    gold = json.loads(report.read_text("utf-8"))
    # one adjudicated segment with one final span, which the repeat flag finds exactly
    assert (gold["segments"], gold["reviewer_spans"]) == (1, 1)
    [every] = [s for s in gold["signals"] if s["signal"] == "all"]
    assert (every["precision"], every["recall"]) == (1.0, 1.0)
    assert main(["calibrate", db, "--json", str(report), "--token-stdin"]) == 0
    reviews = json.loads(report.read_text("utf-8"))
    # reviewers' gold: segment 0 by its adjudication (1 span) and segment 1 (anne's span)
    assert (reviews["segments"], reviews["reviewer_spans"]) == (2, 2)
