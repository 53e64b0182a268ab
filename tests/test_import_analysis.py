"""`mtreview import-analysis`: a finished run's JSONL into the review store, checked line by
line, nothing computed again; real SQLite files and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonl_files import read_jsonl, write_jsonl
from test_score_store import findings, write_corpus

from mtreview.cli import main
from mtreview.store import ReviewStore

NO_MODELS = ["--no-models", "--no-grammar"]


@pytest.fixture
def runs(tmp_path: Path, article: Path) -> dict[str, Path]:
    corpus = write_corpus(tmp_path / "corpus.tsv")
    made = {"corpus": corpus, "article": article}
    for name, source in (("corpus_run", corpus), ("article_run", article)):
        out = tmp_path / f"{name}.jsonl"
        assert main(["score", str(source), "-o", str(out), *NO_MODELS]) == 0
        made[name] = out
    return made


def test_a_run_loads_as_it_was_computed(runs: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "review.db"
    assert main(["import-analysis", str(runs["corpus_run"]), "--db", str(db)]) == 0
    assert main(
        ["import-analysis", str(runs["article_run"]), "--db", str(db), "--input",
         str(runs["article"])]
    ) == 0  # fmt: skip
    with ReviewStore(db) as store:
        infos = {d.doc_id: d for d in store.documents()}
        assert set(infos) == {"alpha", "beta", "gamma", "kaztag-ngo-pressure.fr"}
        assert infos["alpha"].format == "rows" and infos["alpha"].source_lang == "ru"
        article = store.load_document("kaztag-ngo-pressure.fr")
        assert article.format == "txt"
        assert article.original == runs["article"].read_text("utf-8")
        for run in ("corpus_run", "article_run"):
            for record in read_jsonl(runs[run]):
                review = store.segment(record["doc"], record["segment_id"])
                assert review.analysis.to_record() == record
        alpha = store.load_document("alpha")
        assert [alpha.original[s.start : s.end] for s in alpha] == [s.text for s in alpha]

    # the same corpus scored with --db gives the same store contents
    scored = tmp_path / "scored.db"
    assert main(["score", str(runs["corpus"]), "--db", str(scored), *NO_MODELS]) == 0
    imported = {k: v for k, v in findings(db).items() if k[0] != "kaztag-ngo-pressure.fr"}
    assert imported == findings(scored)


def test_an_article_needs_its_text(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "review.db"
    assert main(["import-analysis", str(runs["article_run"]), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{runs['article_run']}:2: segment 1 of 'kaztag-ngo-pressure.fr' starts at" in err
    assert "give its text with --input FILE" in err


@pytest.mark.parametrize(
    ("line", "change", "message"),
    [
        (2, {"version": 99}, "analysis record version 99; this mtreview reads 2, 3"),
        (2, {"segment_id": 0}, "segment 0 of 'alpha' again: a run has one record per segment"),
        (2, {"segment_id": 2}, "segment 2 of 'alpha' follows segment 0: a record is missing"),
        (2, {"end": 99}, "segment 1 of 'alpha': offsets [25, 99) cannot hold its text"),
        (2, {"start": 26, "end": 44}, "segment 1 of 'alpha' starts at 26, not 25"),
        (5, {"doc": "alpha", "segment_id": 3}, "records of document 'alpha' come again"),
        (3, {"text": None}, "'text' must be str"),
        (3, {"flags": [{"start": 0}]}, "not an analysis record (KeyError"),
        # values the store or an export could not take (issue 13)
        (2, {"line": 2**63}, "'line' must be an integer from 0 to 2,147,483,647"),
        (2, {"doc": "d" * 301}, "'doc' is longer than 300 characters"),
        (2, {"risk": 2}, "'risk' must be a number from 0 to 1"),
        (2, {"logprob": float("nan")}, "a number that is not finite"),
        (2, {"risk": 10**400}, "not an analysis record (OverflowError"),
        (
            2,
            {"logprob": -1.0, "tokens": [{"text": "L", "start": "0", "end": 1, "logprob": -1.0}]},
            "span ['0', 1) is not inside it",
        ),
    ],
)
def test_bad_records_are_refused_by_line_and_nothing_is_written(
    runs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    line: int,
    change: dict,
    message: str,
) -> None:
    records = read_jsonl(runs["corpus_run"])
    records[line - 1].update(change)
    bad = write_jsonl(tmp_path / "bad.jsonl", records)
    db = tmp_path / "review.db"
    assert main(["import-analysis", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mtreview: error: {bad}:{line}: ") and message in err, err
    assert err.count("\n") == 1
    with ReviewStore(db) as store:
        assert store.documents() == []


def test_records_must_be_of_the_input_and_of_the_stored_segments(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = read_jsonl(runs["corpus_run"])
    records[3]["source"] = "Другой документ."
    bad = write_jsonl(tmp_path / "bad.jsonl", records)
    db = tmp_path / "review.db"
    args = ["import-analysis", str(bad), "--db", str(db)]
    assert main([*args, "--input", str(runs["corpus"])]) == 2
    assert (
        f"{bad}:4: segment 0 of 'beta' differs from {runs['corpus']} (source): the run was "
        "made from another text" in capsys.readouterr().err
    )

    assert main(["import-analysis", str(runs["corpus_run"]), "--db", str(db)]) == 0
    assert main([*args, "--replace"]) == 2
    assert f"{bad}:4: document 'beta' segment 0 differs from the stored segment (source)" in (
        capsys.readouterr().err
    )
    with ReviewStore(db) as store:
        assert store.segment("beta", 0).analysis.segment.source == "Новый документ."


def test_stored_documents_are_kept_unless_replaced_and_reviews_survive(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "review.db"
    args = ["import-analysis", str(runs["corpus_run"]), "--db", str(db)]
    assert main(args) == 0
    with ReviewStore(db) as store:
        store.save_correction("beta", 1, "Le ministre est venu.", expected_version=0, reviewer="li")
    capsys.readouterr()
    assert main(args) == 0
    assert "3 document(s) already in" in capsys.readouterr().err
    records = read_jsonl(runs["corpus_run"])
    for record in records:
        record["risk"] = 0.75
    changed = write_jsonl(tmp_path / "rescored.jsonl", records)
    assert main(["import-analysis", str(changed), "--db", str(db), "--replace"]) == 0
    with ReviewStore(db) as store:
        review = store.segment("beta", 1)
        assert review.current_text == "Le ministre est venu." and review.analysis.risk == 0.75
        assert all(d.analysis_info.get("scoring") is None for d in store.documents())
