"""`mtreview compare --db`: the systems of a review store, with the MQM penalties of the
errors reviewers marked, tested like any per-segment score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mtreview.cli import main
from mtreview.mqm import load_typology
from mtreview.store import ReviewStore

ROWS = 12
MAJOR = ("Accuracy/Mistranslation", "major")
MINOR = ("Fluency/Punctuation", "minor")


def two_system_store(folder: Path, docs: tuple[str, ...] = ("news",)) -> Path:
    db = folder / "r.db"
    for doc in docs:
        lines = ["source\ttranslation:A\ttranslation:B"]
        lines += [
            f"Row {i} of {doc}.\tLigne {i} de {doc}.\tLa ligne {i} de {doc}." for i in range(ROWS)
        ]
        path = folder / f"{doc}.tsv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert main(["score", str(path), "--no-models", "--db", str(db)]) == 0
    return db


def review(db: Path, rows: range, doc: str = "news") -> None:
    """System A gets a major error in each row, B a minor one; both marked reviewed."""
    with ReviewStore(db) as store:
        for index in rows:
            for system, (category, severity) in (("A", MAJOR), ("B", MINOR)):
                store.add_annotation(
                    f"{doc}@{system}", index, 0, 5, category=category, severity=severity,
                    reviewer="ana",
                )  # fmt: skip
                store.mark_reviewed(f"{doc}@{system}", index, reviewer="ana")


def compare_db(tmp_path: Path, *argv: str) -> dict[str, Any]:
    out = tmp_path / "compare.json"
    quick = ["--paired-bs-n", "200", "--paired-ar-n", "500"]
    assert main(["compare", *argv, *quick, "--json", str(out)]) == 0
    return dict(json.loads(out.read_text("utf-8")))


def test_mqm_of_reviewed_errors_is_compared(tmp_path: Path) -> None:
    db = two_system_store(tmp_path)
    review(db, range(ROWS))
    report = compare_db(tmp_path, "--db", str(db))
    typology = load_typology()
    assert report["systems"] == ["A", "B"]  # the input's order: A is the baseline
    mqm = report["metrics"]["mqm"]
    assert mqm["scores"] == {"A": typology.weight(*MAJOR), "B": typology.weight(*MINOR)}
    assert mqm["higher_is_better"] is False
    [bootstrap, randomization] = mqm["pairs"]
    assert (bootstrap["a"], bootstrap["b"]) == ("A", "B")
    assert bootstrap["delta"] == typology.weight(*MINOR) - typology.weight(*MAJOR)
    assert bootstrap["p_value"] < 0.05 and randomization["p_value"] < 0.05
    assert "risk" in report["metrics"]  # no model needed for it


def test_rows_not_reviewed_in_every_system_are_left_out(tmp_path: Path) -> None:
    db = two_system_store(tmp_path)
    review(db, range(3))
    report = compare_db(tmp_path, "--db", str(db))
    assert "mqm" not in report["metrics"]
    assert any("3 of 12 rows reviewed in every system" in note for note in report["notes"])
    review(db, range(3, 11))
    with ReviewStore(db) as store:  # row 11 reviewed in A only: not a row to compare on
        store.mark_reviewed("news@A", 11, reviewer="ana")
    report = compare_db(tmp_path, "--db", str(db))
    assert report["metrics"]["mqm"]["scores"]["A"] == load_typology().weight(*MAJOR)
    assert any("11 of 12 rows" in note for note in report["notes"])


def test_doc_picks_a_comparison_and_bad_choices_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = two_system_store(tmp_path, ("news", "sport"))
    assert compare_db(tmp_path, "--db", str(db))["segments"] == 2 * ROWS
    assert compare_db(tmp_path, "--db", str(db), "--doc", "sport")["segments"] == ROWS
    capsys.readouterr()
    for argv, words in (
        (["--db", str(db), "--doc", "nope"], "no document named 'nope' translated by two"),
        (["--doc", "news", str(tmp_path / "x.jsonl")], "--doc needs --db"),
        ([], "give the runs to compare, or --db DB"),
        (["--db", str(tmp_path / "none.db")], "no such review store"),
    ):
        assert main(["compare", *argv]) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1
