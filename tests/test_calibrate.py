"""`mtreview calibrate`: precision and recall of each signal against reviewer spans."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from mtreview.analysis import Analyzer
from mtreview.analysis.weights import parse_table, write_table
from mtreview.calibration import (
    FitSource,
    Reviews,
    ReviewSpan,
    calibrate,
    mixed_weights,
    overlaps,
    read_reviews,
)
from mtreview.cli import main
from mtreview.errors import InputError
from mtreview.flags import Flag
from mtreview.readers import read_document
from mtreview.settings import Settings


def flag(start: int, end: int, *origins: str) -> Flag:
    return Flag(start, end, "Fluency/Grammar", "minor", origins, "")


def span(segment: int, start: int, end: int) -> ReviewSpan:
    return ReviewSpan("d", segment, start, end, "Fluency/Grammar", "minor")


def test_precision_and_recall_per_signal_with_partial_overlap() -> None:
    flags = {
        ("d", 0): [flag(0, 5, "rule:spacing"), flag(10, 20, "grammar", "model")],
        ("d", 1): [flag(3, 4, "model")],
        ("d", 2): [flag(0, 3, "rule:spacing")],  # no review for segment 2: not counted
    }
    reviews = Reviews({("d", 0): (span(0, 4, 8), span(0, 30, 32)), ("d", 1): ()})
    report = calibrate(flags, reviews)
    stats = {s.signal: s for s in report.signals}
    assert report.segments == 2 and report.reviewer_spans == 2
    assert (stats["all"].flags, stats["all"].matched_flags, stats["all"].found_spans) == (3, 1, 1)
    assert stats["rule:spacing"].precision == 1.0 and stats["rule:spacing"].recall == 0.5
    assert stats["rule"].precision == 1.0
    assert stats["model"].precision == 0.0 and stats["model"].recall == 0.0
    assert stats["grammar"].f1 is None
    assert [s.signal for s in report.signals][:4] == ["all", "rule", "grammar", "model"]


def test_min_overlap_is_a_share_of_the_shorter_span() -> None:
    assert overlaps(flag(0, 10, "grammar"), span(0, 9, 20))
    assert not overlaps(flag(0, 10, "grammar"), span(0, 10, 20))  # touching is not sharing
    assert overlaps(flag(0, 10, "grammar"), span(0, 8, 20), 0.2)
    assert not overlaps(flag(0, 10, "grammar"), span(0, 8, 20), 0.3)


def test_reviews_file_layouts(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    lines = [
        {"doc": "a", "segment_id": 0, "start": 1, "end": 4, "category": "Fluency/Spelling"},
        {"doc_id": "a", "segment_index": 1, "category": "No-error"},
        {
            "doc": "b",
            "segment_id": 3,
            "annotations": [{"start": 0, "end": 2}, {"start": 5, "end": 9}],
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    reviews = read_reviews(path)
    assert reviews.segments == 3 and reviews.total == 3
    assert reviews.spans[("a", 1)] == ()
    assert [(s.start, s.end) for s in reviews.spans[("b", 3)]] == [(0, 2), (5, 9)]


@pytest.mark.parametrize(
    "line",
    ['{"doc": "a", "segment_id": 0, "start": 5, "end": 2}', "[1, 2]", "{not json", '{"doc": "a"}'],
)
def test_bad_reviews_line_names_file_and_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text('{"doc": "a", "segment_id": 0, "category": "No-error"}\n' + line + "\n")
    with pytest.raises(InputError) as raised:
        read_reviews(path)
    assert str(path) in str(raised.value) and "2" in str(raised.value)


# --- the command --------------------------------------------------------------------------
@pytest.fixture()
def reviews_file(tmp_path: Path, article: Path) -> Path:
    """A reviewer marked the repeated words, one agreement error and a lemma echo."""
    document = read_document(article)
    doc = document.doc_id

    def find(words: str) -> Any:
        return next(seg for seg in document if words in seg.text)

    def mark(words: str, category: str) -> dict:
        segment = find(words)
        start = segment.text.index(words)
        return {"doc": doc, "segment_id": segment.index, "start": start,
                "end": start + len(words), "category": category, "severity": "minor"}  # fmt: skip

    lines = [
        mark("non gouvernementales non gouvernementales", "Accuracy/Addition"),
        mark("assure", "Fluency/Grammar"),
        mark("déclaré la déclaration", "Style/Awkward"),
        {"doc": doc, "segment_id": find("Le 29 janvier").index, "category": "No-error"},
    ]
    path = tmp_path / "reviews.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_calibrate_against_a_score_output(
    tmp_path: Path, article: Path, reviews_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analysis = tmp_path / "analysis.jsonl"
    assert main(["score", str(article), "--no-models", "-o", str(analysis)]) == 0
    report_path = tmp_path / "report.json"
    argv = ["calibrate", str(reviews_file), "--analysis", str(analysis), "--json", str(report_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "4 of 4 reviewed segments flagged, 3 reviewer spans" in out
    report = json.loads(report_path.read_text(encoding="utf-8"))
    stats = {s["signal"]: s for s in report["signals"]}
    assert stats["all"]["found_spans"] == 3
    assert stats["all"]["recall"] == pytest.approx(1.0)
    assert stats["rule:lemma_echo"]["found_spans"] == 1  # "déclaré la déclaration"
    assert stats["rule:repeated_words"]["precision"] == 1.0
    assert stats["grammar"]["found_spans"] == 1


def test_calibrate_flags_inputs_afresh_with_the_options(
    article: Path, reviews_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["calibrate", str(reviews_file), "--input", str(article), "--no-models"]
    assert main([*argv, "--no-grammar"]) == 0
    assert "grammar " not in capsys.readouterr().out
    assert main([*argv, "--checks", "repeated_words", "--no-grammar"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["all", "rule", "rule:repeated_words"]


def test_calibrate_from_a_review_store_and_its_reviews_backup(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mtreview.store import ReviewStore

    document = read_document(article)
    analyses = Analyzer(Settings(use_models=False, grammar=False)).analyze(document.segments)
    marked = next(seg for seg in document if "CMBCP" in seg.text)
    clean = document.segments[marked.index + 1]  # "Le 29 janvier …": no rule flag
    db = tmp_path / "reviews.db"
    with ReviewStore(db) as store:
        store.add_document(document, analyses)
        start = marked.text.index("CMBCP")
        store.add_annotation(
            document.doc_id, marked.index, start, start + 5,
            category="Terminology/Inconsistent", severity="minor", reviewer="ana",
        )  # fmt: skip
        store.mark_reviewed(document.doc_id, clean.index, reviewer="ana")
    assert main(["calibrate", str(db)]) == 0
    from_store = capsys.readouterr().out
    assert "1 reviewer spans" in from_store
    row = next(line for line in from_store.splitlines() if line.startswith("rule:name_variants"))
    assert row.split()[1:4] == ["2", "1", "1"]  # CMBCP and Mazhilis flagged, one marked
    # the same judgement from the `reviews` backup file, flags recomputed from the article
    backup = tmp_path / "reviews.jsonl"
    assert main(["export", "--db", str(db), "--format", "reviews", "-o", str(backup)]) == 0
    capsys.readouterr()
    argv = ["calibrate", str(backup), "--input", str(article), "--no-grammar", "--no-models"]
    assert main(argv) == 0
    from_backup = capsys.readouterr().out
    backup_row = next(
        line for line in from_backup.splitlines() if line.startswith("rule:name_variants")
    )
    assert backup_row.split()[1:4] == row.split()[1:4]


def test_calibrate_errors_are_one_line(
    tmp_path: Path, reviews_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calibrate", str(reviews_file)]) == 2
    assert capsys.readouterr().err.startswith("mtreview: error: calibrate needs flags")
    assert main(["calibrate", str(tmp_path / "missing.jsonl"), "--analysis", "x"]) == 2
    err = capsys.readouterr().err
    assert "missing.jsonl" in err and err.count("\n") == 1


# --- the shipped weights' mixed fit (`benchmarks/flag_quality.py --write-defaults`) ---------
def reviewed_corpus(
    name: str, rows: int, wrong: int, fired: dict[str, tuple[int, int]]
) -> FitSource:
    """`rows` reviewed rows, the first `wrong` of them with an error on [0, 4); each signal
    fires on (its hits) wrong rows and (its misses) clean rows."""
    flags: dict[tuple[str, int], list[Flag]] = {(name, i): [] for i in range(rows)}
    for signal, (hits, misses) in fired.items():
        for i in [*range(hits), *range(wrong, wrong + misses)]:
            flags[(name, i)].append(flag(0, 4, signal))
    reviews = Reviews(
        {(name, i): (ReviewSpan(name, i, 0, 4),) if i < wrong else () for i in range(rows)}
    )
    return FitSource.of(name, flags, reviews)


def test_mixed_weights_count_each_source_alike_at_one_share(tmp_path: Path) -> None:
    catalogue = {"rule:numbers": (8, 2), "rule:punctuation": (8, 2)}
    small = reviewed_corpus("catalogue", 720, 10, catalogue)  # 1 wrong row in 72
    large = reviewed_corpus(
        "catalogue", 2160, 30, {s: (3 * h, 3 * m) for s, (h, m) in catalogue.items()}
    )
    # the machine-translation-like rows: planted 1 in 24, end punctuation noisy there
    mt = reviewed_corpus("mt", 240, 10, {"rule:numbers": (8, 2), "rule:punctuation": (0, 20)})
    assert (small.rows, small.error_rows) == (720, 10)
    weights = mixed_weights([small, mt], signals=["rule:never_fired"])
    numbers, punctuation = weights["rule:numbers"], weights["rule:punctuation"]
    assert numbers[1:] == (20, 16) and punctuation[1:] == (30, 8)  # the raw sums
    assert numbers[0] > 0.5 > 0.2 > punctuation[0]  # noisy on MT's clean rows: ranked low
    assert mixed_weights([large, mt])["rule:numbers"][0] == numbers[0]  # size does not count
    # alone, the catalogue's punctuation is as precise as its numbers
    alone = mixed_weights([small])
    assert alone["rule:punctuation"][0] == alone["rule:numbers"][0] > 0.6
    # a signal never seen gets the average flag, one seen once stays near it
    assert 0.2 < weights["rule:never_fired"][0] < numbers[0]
    assert weights["rule:never_fired"][1:] == (0, 0)
    # the table: its header says what it was fit on; same inputs, same bytes
    by_source = {
        source.name: {s.signal: (s.flags, s.matched_flags) for s in source.report.signals}
        for source in (small, mt)
    }
    first, second = tmp_path / "first.tsv", tmp_path / "second.tsv"
    for path in (first, second):
        write_table(weights, path, ["fit on: two corpora", "seed 22"], by_source)
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == [
        "# fit on: two corpora",
        "# seed 22",
        "signal\tweight\tflags\thits\tcatalogue\tmt",
    ]
    assert "rule:punctuation\t" in lines[-1] and lines[-1].endswith("\t8/10\t0/20")
    assert parse_table(first.read_text(encoding="utf-8"), "t") == {
        signal: weight for signal, (weight, _f, _h) in weights.items()
    }


def test_a_subsignal_is_fit_apart_and_smoothed_towards_its_check() -> None:
    """Numbers changed (precise) and numbers only left out (noisy) under one check: each
    gets its own weight; one seen once stays near its check's weight, not the average."""
    rows, wrong = 720, 12
    flags: dict[tuple[str, int], list[Flag]] = {("c", i): [] for i in range(rows)}

    def fire(signal: str, sub: str | None, indexes: range) -> None:
        for i in indexes:
            subs = (f"{signal}/{sub}",) if sub else ()
            flags[("c", i)].append(dataclasses.replace(flag(0, 4, signal), subsignals=subs))

    fire("rule:numbers", "changed", range(0, 9))  # 9 hits, 1 miss
    fire("rule:numbers", "changed", range(100, 101))
    fire("rule:numbers", "missing", range(9, 11))  # 2 hits, 8 misses
    fire("rule:numbers", "missing", range(200, 208))
    fire("rule:numbers", "rare", range(11, 12))  # one hit
    fire("rule:punctuation", None, range(300, 340))  # noisy: the average drops
    reviews = Reviews(
        {("c", i): (ReviewSpan("c", i, 0, 4),) if i < wrong else () for i in range(rows)}
    )
    weights = mixed_weights([FitSource.of("c", flags, reviews)])
    check = weights["rule:numbers"][0]
    assert weights["rule:numbers/changed"][0] > check > weights["rule:numbers/missing"][0]
    assert weights["rule:numbers/changed"][1:] == (10, 9)
    rare, punctuation = weights["rule:numbers/rare"][0], weights["rule:punctuation"][0]
    assert abs(rare - check) < abs(rare - punctuation)
