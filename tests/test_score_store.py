"""`mtreview score --db`: a corpus scored straight into the review store, with real SQLite
files, tiny real Marian models, interrupted runs and re-scoring that keeps the reviews."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from model_batches import recording_analyzer, write_with_copies

from mtreview.analysis import Analyzer, Models
from mtreview.cli import main
from mtreview.engines.local import LocalEngine
from mtreview.pipeline import with_document_pass
from mtreview.scoring.to_store import StoreSink, plan_store_run, score_to_store
from mtreview.settings import Settings
from mtreview.store import ReviewStore

ROWS = {
    "alpha": [
        ("Кофе горячий.", "Le café est chaud chaud."),
        ("Он сказал «да».", "Il a dit « oui » ."),
        ("Третья фраза.", "Troisième phrase sans faute."),
    ],
    "beta": [
        ("Новый документ.", "Un nouveau document."),
        ("Министр приехал.", "Le ministre est arrivé hier."),
    ],
    "gamma": [("Последний.", "Le dernier , enfin.")],
}


def write_corpus(path: Path, rows: dict[str, list[tuple[str, str]]] = ROWS) -> Path:
    lines = ["doc\tsource\ttranslation"]
    lines += [f"{doc}\t{src}\t{tgt}" for doc, pairs in rows.items() for src, tgt in pairs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def findings(db: Path) -> dict[tuple[str, int], dict]:
    """Each segment's stored findings, without the time they were stored."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT s.doc_id, s.idx, a.record FROM segments s JOIN analyses a "
            "ON a.segment_id = s.id"
        ).fetchall()
    return {(doc, idx): json.loads(record) for doc, idx, record in rows}


@pytest.fixture(scope="module")
def model_args(tiny_fr_en: Path, tiny_en_fr: Path) -> list[str]:
    return ["--back-model", str(tiny_fr_en), "--return-model", str(tiny_en_fr), "--no-grammar"]


def test_score_db_stores_every_document_with_its_model_fields(
    tmp_path: Path, model_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus.tsv")
    db, out = tmp_path / "corpus.db", tmp_path / "run.jsonl"
    assert main(["score", str(corpus), "--db", str(db), "-o", str(out), *model_args]) == 0
    assert "3 document(s) written to" in capsys.readouterr().err
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    with ReviewStore(db) as store:
        infos = {d.doc_id: d for d in store.documents()}
        assert list(infos) == ["alpha", "beta", "gamma"]
        assert [infos[d].segments for d in infos] == [3, 2, 1]
        assert all(info.source_lang == "ru" and info.format == "tsv" for info in infos.values())
        assert infos["alpha"].analysis_info["models"]["back"] == str(Path(model_args[1]))
        for record in records:
            review = store.segment(record["doc"], record["segment_id"])
            # the store gives back exactly what the run wrote: computed once
            assert review.analysis.to_record() == record
            assert record["back_translation"] and record["round_trip"]
            assert record["logprob"] is not None and record["tokens"]
        document = store.load_document("alpha")
        assert document.original == "\n".join(t for _s, t in ROWS["alpha"])
        for segment in document.segments:
            assert document.original[segment.start : segment.end] == segment.text


def test_stored_documents_are_not_analysed_again_and_reanalysis_keeps_reviews(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus.tsv")
    db = tmp_path / "corpus.db"
    base = ["score", str(corpus), "--db", str(db), "--no-models", "--no-grammar"]
    assert main(base) == 0
    with ReviewStore(db) as store:
        store.add_annotation(
            "alpha", 0, 0, 6, category="Fluency/Grammar", severity="minor", reviewer="ana"
        )
        store.save_correction("alpha", 0, "Le café est chaud.", expected_version=0, reviewer="ana")
        store.decide_flag("alpha", 0, 0, accept=False, reviewer="ana")
        flagged = store.segment("alpha", 0).analysis.flags[0]
    before = findings(db)
    capsys.readouterr()

    assert main(base) == 0
    assert "3 document(s) already in" in capsys.readouterr().err
    assert findings(db) == before

    assert main([*base, "--reanalyse", "--disable-check", "spacing"]) == 0
    with ReviewStore(db) as store:
        review = store.segment("alpha", 0)
        assert [a.category for a in review.annotations] == ["Fluency/Grammar"]
        assert review.current_text == "Le café est chaud." and review.reviewed_by == "ana"
        # the rejected pre-highlight is still rejected: the decision follows its flag
        [decision] = review.decisions
        assert review.analysis.flags[decision.flag_index] == flagged
        assert decision.decision == "rejected"
        assert all(info.analysis_info.get("scoring") is None for info in store.documents())
    assert findings(db)[("alpha", 1)]["flags"] == []  # spacing is off now


def test_reanalysing_a_changed_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus.tsv")
    db = tmp_path / "corpus.db"
    assert main(["score", str(corpus), "--db", str(db), "--no-models"]) == 0
    changed = dict(ROWS, beta=[("Новый документ.", "Un document tout neuf."), *ROWS["beta"][1:]])
    write_corpus(corpus, changed)
    capsys.readouterr()
    assert main(["score", str(corpus), "--db", str(db), "--no-models", "--reanalyse"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mtreview: error: {corpus}:5: document 'beta' segment 0 differs from ")
    assert "the stored segment (end, text)" in err and err.count("\n") == 1
    with ReviewStore(db) as store:
        assert store.segment("beta", 0).text == "Un nouveau document."
        assert all(store.scored_state(d.doc_id).complete for d in store.documents())  # type: ignore[union-attr]


def _interrupted(corpus: Path, db: Path, stop_after: int, window: int) -> None:
    """A run killed after `stop_after` analyses, windows of `window` committed."""
    settings = Settings(use_models=False, grammar=False, db=str(db))
    analyzer = Analyzer(settings)
    done = 0

    def crash(_analysis: object) -> None:
        nonlocal done
        done += 1
        if done >= stop_after:
            raise KeyboardInterrupt

    with ReviewStore(db) as store:
        plan = plan_store_run(store, [corpus], settings)
        sink = StoreSink(store, plan, {}, window=window)
        segments = with_document_pass(
            sink.segments(settings, fmt=None, source_file=None),
            plan.paths,
            settings,
            analyzer,
            keep=sink.keep,
        )
        with pytest.raises(KeyboardInterrupt):
            score_to_store(segments, analyzer, sink, also=crash)


def test_an_interrupted_run_resumes_where_it_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = {f"doc{n}": [(f"Фраза {i}.", f"Phrase {i} du document {n} ,ici.") for i in range(7)]
            for n in range(4)}  # fmt: skip
    corpus = write_corpus(tmp_path / "corpus.tsv", rows)
    whole, db = tmp_path / "whole.db", tmp_path / "resumed.db"
    args = ["--no-models", "--no-grammar"]
    assert main(["score", str(corpus), "--db", str(whole), *args]) == 0

    _interrupted(corpus, db, stop_after=13, window=5)  # two windows: 10 segments stored
    with ReviewStore(db) as store:
        states = [store.scored_state(f"doc{n}") for n in range(4)]
    assert [s.complete if s else None for s in states] == [True, False, None, None]
    assert states[1] is not None and states[1].done == 3
    capsys.readouterr()
    assert main(["score", str(corpus), "--db", str(db), *args]) == 2
    assert "'doc1' in" in (err := capsys.readouterr().err) and "add --resume" in err

    summary = tmp_path / "summary.json"
    resume = ["score", str(corpus), "--db", str(db), *args, "--resume", "--summary", str(summary)]
    assert main(resume) == 0
    report = json.loads(summary.read_text("utf-8"))
    assert report["resumed"] == 3 and report["segments"] == 3 + 4 + 14
    assert findings(db) == findings(whole)
    with ReviewStore(db) as resumed, ReviewStore(whole) as reference:
        assert [d.segments for d in resumed.documents()] == [7, 7, 7, 7]
        for n in range(4):
            assert resumed.load_document(f"doc{n}") == reference.load_document(f"doc{n}")


@pytest.mark.slow  # windows of 128 segments through the tiny models, twice
def test_a_resumed_store_run_sends_the_models_the_same_batches(
    tmp_path: Path, tiny_fr_en: Path, tiny_en_fr: Path
) -> None:
    """`score --db --no-cache`, killed and resumed: what the killed run stored goes back
    into the private cache, so later copies are hits and the batches are the same."""
    source = write_with_copies(tmp_path / "doc.txt")
    base = Settings(
        back_model=str(tiny_fr_en), return_model=str(tiny_en_fr), max_length=10, num_beams=1,
        grammar=False,
    )  # fmt: skip
    models = Models.load(base)

    def scored(db: Path, stop_after: int | None = None) -> list[list[int]]:
        settings = dataclasses.replace(base, db=str(db))
        analyzer, batches = recording_analyzer(settings, models)
        handed = 0

        def crash(_analysis: object) -> None:
            nonlocal handed
            handed += 1
            if handed == stop_after:
                raise KeyboardInterrupt

        with ReviewStore(db) as store:
            plan = plan_store_run(store, [source], settings, resume=True)
            sink = StoreSink(store, plan, {}, window=128)
            segments = with_document_pass(
                sink.segments(settings, fmt=None, source_file=None), plan.paths, settings,
                analyzer, keep=sink.keep,
            )  # fmt: skip
            engine = LocalEngine(window_chunks=2)  # windows of 128, as the store's
            try:
                score_to_store(segments, analyzer, sink, engine=engine, also=crash)
            except KeyboardInterrupt:
                assert stop_after is not None
        return batches

    whole, db = tmp_path / "whole.db", tmp_path / "resumed.db"
    uninterrupted = scored(whole)
    scored(db, stop_after=160)  # the first window stored, the second not
    resumed = scored(db)
    assert resumed == [batch for batch in uninterrupted if min(batch) >= 128]
    assert findings(db) == findings(whole)


def test_bad_input_stores_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text("doc\ttranslation\na\tUn.\nb\tDeux.\na\tTrois.\n", encoding="utf-8")
    db = tmp_path / "corpus.db"
    assert main(["score", str(corpus), "--db", str(db), "--no-models"]) == 2
    assert f"{corpus}:4: rows of document 'a' come again after other documents" in (
        capsys.readouterr().err
    )
    with ReviewStore(db) as store:
        assert store.documents() == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--reanalyse"], "--reanalyse needs --db"),
        (["--db", "{db}", "--resume", "-o", "{out}"], "--resume with --db continues the store"),
    ],
)
def test_store_options_that_do_not_go_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    corpus = write_corpus(tmp_path / "corpus.tsv")
    paths = {"db": str(tmp_path / "c.db"), "out": str(tmp_path / "out.jsonl")}
    args = [value.format(**paths) for value in extra]
    assert main(["score", str(corpus), "--no-models", *args]) == 2
    assert message in capsys.readouterr().err
