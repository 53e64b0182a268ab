"""The standing fuzz suite: generated inputs for every reader (through `mtreview score`, into
a file or a store, and the app's upload), the reviews and analysis importers and the
exporters. Each run exits 0 with valid
output or 2 with one line, never with a traceback, leaves no stray file and keeps memory
under a cap. `MTREVIEW_FUZZ_EXAMPLES=N` sets the examples per test (the long run)."""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzing import (
    MEMORY_CAP_MB,
    MOSES_SOURCE,
    SEEDS,
    check_jsonl_output,
    damaged,
    dumps,
    edits,
    fuzz_settings,
    json_values,
    leftovers,
    peak_memory_mb,
    plausible,
    report_counts,
    run_cli,
    seeds_and_mutations,
)
from hypothesis import event, given
from hypothesis import strategies as st

from mtreview.analysis import Models, SegmentAnalysis
from mtreview.errors import MTReviewError
from mtreview.export import EXPORTERS
from mtreview.flags import Flag
from mtreview.readers import document_from_text
from mtreview.settings import Settings
from mtreview.store import ReviewStore
from mtreview.ui.loading import ModelState, import_upload

COUNTS: dict[str, int] = {}
BASELINE: dict[str, float] = {}


def counted(name: str) -> None:
    """One more generated input; the memory cap holds after each."""
    COUNTS[name] = COUNTS.get(name, 0) + 1
    BASELINE.setdefault(name, peak_memory_mb())
    grown = peak_memory_mb() - BASELINE[name]
    assert grown < MEMORY_CAP_MB, f"peak memory grew by {grown:.0f} MB"


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report_counts(request, COUNTS, "fuzz: {total} generated inputs ({parts}), no traceback")


# --- readers, through `mtreview score` (into a file, or with --db into a store) -----------
@fuzz_settings(ci_examples=120)
@given(fmt=st.sampled_from(sorted(SEEDS)), into_store=st.booleans(), data=st.data())
def test_score_any_input(fmt: str, into_store: bool, data: st.DataObject) -> None:
    suffix, seed = SEEDS[fmt]
    content = data.draw(seeds_and_mutations(seed), label="input")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / f"input{suffix}"
        path.write_bytes(content)
        out, db = folder / "out.jsonl", folder / "store.db"
        argv = ["score", str(path), "--no-models", "--no-grammar", "-o", str(out)]
        inputs = {path.name}
        if into_store:
            argv += ["--db", str(db)]
            inputs.add(db.name)  # only when the run succeeds: a failed one leaves no store
        if fmt == "moses":
            source = folder / "source.txt"
            source.write_bytes(data.draw(seeds_and_mutations(MOSES_SOURCE.encode())))
            argv += ["--source-file", str(source)]
            inputs.add(source.name)
        else:
            argv += ["--input-format", fmt]
        outcome = run_cli(*argv)
        event(f"score {fmt} exit {outcome.code}")
        assert leftovers(folder, inputs | ({out.name} if outcome.code == 0 else set())) == []
        if outcome.code == 0:
            records = check_jsonl_output(out)
            assert records > 0
            if into_store:
                with ReviewStore(db) as store:
                    stored = [(d.doc_id, d.segments) for d in store.documents()]
                assert sum(count for _, count in stored) == records
        elif into_store:
            assert not db.exists()
    counted("score --db" if into_store else "score")


keys = st.sampled_from(["translation", "source", "reference", "id", "fr", "ru", "other"])
records = st.dictionaries(keys, json_values | st.text(max_size=30), max_size=4)


@fuzz_settings(ci_examples=60)
@given(lines=st.lists(records | json_values, min_size=1, max_size=4))
def test_score_structured_jsonl(lines: list[object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "input.jsonl"
        path.write_text("".join(dumps(line) + "\n" for line in lines), encoding="utf-8")
        out = folder / "out.jsonl"
        outcome = run_cli("score", str(path), "--no-models", "--no-grammar", "-o", str(out))
        assert leftovers(folder, {path.name} | ({out.name} if outcome.code == 0 else set())) == []
    counted("jsonl")


# --- the app's upload -------------------------------------------------------------------
@fuzz_settings(ci_examples=60)
@given(fmt=st.sampled_from(sorted(set(SEEDS) - {"moses"})), data=st.data())
def test_app_upload_any_file(fmt: str, data: st.DataObject) -> None:
    suffix, seed = SEEDS[fmt]
    content = data.draw(seeds_and_mutations(seed), label="upload")
    with tempfile.TemporaryDirectory() as tmp, ReviewStore(Path(tmp) / "s.db") as store:
        settings = Settings(use_models=False, grammar=False, cache_dir=tmp)
        state = ModelState(Models(), "models off")
        try:
            doc_id = import_upload(store, f"upload{suffix}", content, settings, state)
        except MTReviewError as exc:
            assert "\n" not in str(exc)
            assert store.documents() == []
        else:
            reviews = list(store.iter_segments(doc_id))
            assert reviews and all(r.text.encode("utf-8") for r in reviews)
    counted("upload")


# --- the reviews importer and every exporter ---------------------------------------------
@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A real store with every kind of record, and its reviews export."""
    folder = tmp_path_factory.mktemp("fuzz-reviews")
    db = folder / "seed.db"
    with ReviewStore(db) as store:
        doc = document_from_text(SEEDS["txt"][1].decode(), doc_id="news", name="news.txt")
        flag = Flag(0, 6, "Accuracy/Mistranslation", "minor", ("rule:test",), "ville ?")
        first = SegmentAnalysis(segment=doc.segments[0], flags=(flag,), risk=0.5)
        store.add_document(doc, [first], info={"models": "none"})
        store.add_annotation(
            "news", 0, 0, 6, category="Fluency/Spelling", severity="minor", reviewer="zoé",
            comment="« non » <b>&amp;</b> 😀",
        )  # fmt: skip
        store.decide_flag("news", 0, 0, accept=True, reviewer="bob")
        store.save_correction("news", 1, "Corrigé.", expected_version=0, reviewer="zoé")
        store.mark_reviewed("news", 2, reviewer="bob")
    out = folder / "reviews.jsonl"
    assert run_cli("export", "--db", str(db), "--format", "reviews", "-o", str(out)).code == 0
    return db, out.read_text(encoding="utf-8").splitlines()


@fuzz_settings(ci_examples=60)
@given(
    seed=st.integers(0, 2**32),
    values=st.lists(plausible | json_values, max_size=3),
    raw=st.one_of(st.none(), edits),
    merge=st.booleans(),
    data=st.data(),
)
def test_import_reviews_then_export_everything(
    backup: tuple[Path, list[str]],
    seed: int,
    values: list[object],
    raw: list[tuple[float, int, bytes]] | None,
    merge: bool,
    data: st.DataObject,
) -> None:
    seed_db, lines = backup
    content = damaged(lines, seed, values, raw)
    # merge: into a store that has the document
    import_then_export("import-reviews", content, [], seed_db if merge else None, data)
    counted("import-reviews")


def import_then_export(
    command: str, content: bytes, options: list[str], seed_db: Path | None, data: st.DataObject
) -> None:
    """`mtreview COMMAND FILE --db DB OPTIONS` into a new store or a copy of `seed_db`:
    exit 2 leaves the store as it was (one transaction, or every record checked before
    the first is written), and no new store at all; after exit 0 every export works."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, db = folder / "records.jsonl", folder / "store.db"
        path.write_bytes(content)
        if seed_db is not None:
            shutil.copy(seed_db, db)
        before = _dump(db) if seed_db is not None else None
        outcome = run_cli(command, str(path), "--db", str(db), *options)
        event(f"{command} exit {outcome.code}")
        if outcome.code == 2:
            assert _dump(db) == before if before is not None else not db.exists()
        else:
            _export_everything(folder, db, data)


def _dump(db: Path) -> bytes:
    """The store as a reviews backup, by the library (`mtreview export` would add its own
    audit row to the store it looks at)."""
    out = io.BytesIO()
    with ReviewStore(db) as store:
        store.write_reviews(out)
    return out.getvalue()


def _export_everything(folder: Path, db: Path, data: st.DataObject) -> None:
    for fmt in EXPORTERS:
        out = folder / f"export.{fmt}"
        before = set(folder.iterdir())
        only = data.draw(st.sampled_from(["all", "reviewed", "corrected"]), label="only")
        argv = ["export", "--db", str(db), "--format", fmt, "-o", str(out)]
        outcome = run_cli(*argv, *(["--only", only] if fmt != "reviews" else []))
        made = set(folder.iterdir()) - before
        if outcome.code == 2:
            assert made == set(), made
        else:
            assert made and all(p.name.startswith("export.") for p in made)


# --- import-analysis: the records of real runs with (tiny) models --------------------------
@pytest.fixture(scope="module")
def scored(
    tmp_path_factory: pytest.TempPathFactory, tiny_fr_en: Path, tiny_en_fr: Path
) -> tuple[dict[str, Path], dict[str, list[str]], Path]:
    """An article and a table scored with models (their inputs and records), and a store
    that holds both."""
    folder = tmp_path_factory.mktemp("fuzz-runs")
    inputs = {"news": folder / "news.txt", "pairs": folder / "pairs.tsv"}
    inputs["news"].write_bytes(SEEDS["txt"][1])
    inputs["pairs"].write_bytes(SEEDS["tsv"][1])
    models = ["--back-model", str(tiny_fr_en), "--return-model", str(tiny_en_fr)]
    models += ["--no-grammar", "--no-cache", "--num-beams", "1"]
    runs = {}
    for name, path in inputs.items():
        out = folder / f"{name}.jsonl"
        assert run_cli("score", str(path), "-o", str(out), *models).code == 0
        runs[name] = out.read_text(encoding="utf-8").splitlines()
        assert '"logprob": null' not in runs[name][0]
    db = folder / "seed.db"
    argv = ["import-analysis", *(str(folder / f"{name}.jsonl") for name in inputs)]
    argv += ["--db", str(db), "--input", *map(str, inputs.values())]
    assert run_cli(*argv).code == 0
    return inputs, runs, db


@fuzz_settings(ci_examples=60)
@given(
    seed=st.integers(0, 2**32),
    values=st.lists(plausible | json_values, max_size=3),
    raw=st.one_of(st.none(), edits),
    names=st.sampled_from([("news",), ("pairs",), ("news", "pairs")]),
    with_input=st.booleans(),
    store=st.sampled_from(["new", "kept", "replace"]),
    data=st.data(),
)
def test_import_analysis_then_export_everything(
    scored: tuple[dict[str, Path], dict[str, list[str]], Path],
    seed: int,
    values: list[object],
    raw: list[tuple[float, int, bytes]] | None,
    names: tuple[str, ...],
    with_input: bool,
    store: str,
    data: st.DataObject,
) -> None:
    inputs, runs, seed_db = scored
    lines = [line for name in names for line in runs[name]]
    options = ["--input", *(str(inputs[name]) for name in names)] if with_input else []
    options += ["--replace"] if store == "replace" else []
    content = damaged(lines, seed, values, raw)
    # the documents stored already (kept, or replaced) or not
    import_then_export(
        "import-analysis", content, options, seed_db if store != "new" else None, data
    )
    counted("import-analysis")


# --- exports of hostile store content ------------------------------------------------------
hostile_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("\0\v\ufffe«»&<"),
    min_size=1,
    max_size=60,
)


@fuzz_settings(ci_examples=40)
@given(text=hostile_text, comment=hostile_text, reviewer=hostile_text, fix=hostile_text)
def test_export_hostile_store_content(text: str, comment: str, reviewer: str, fix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "store.db"
        with ReviewStore(db) as store:
            try:  # a NUL is refused by the store (mtreview.store.text), like bad input
                store.add_document(document_from_text(text, doc_id="d", name="d.txt"))
            except MTReviewError:
                return
            try:
                store.add_annotation(
                    "d", 0, 0, 1, category="Other", severity="minor", reviewer=reviewer,
                    comment=comment,
                )  # fmt: skip
                store.save_correction("d", 0, fix, expected_version=0, reviewer=reviewer)
            except MTReviewError:
                pass
        for fmt in EXPORTERS:
            out = folder / f"export.{fmt}"
            outcome = run_cli("export", "--db", str(db), "--format", fmt, "-o", str(out))
            if outcome.code == 2:
                assert not list(folder.glob("export.*"))
            for made in folder.glob("export.*"):
                made.unlink()
    counted("export")


# --- calibrate: reviews and analysis files ---------------------------------------------------
@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The records of a real `mtreview score` run."""
    folder = tmp_path_factory.mktemp("fuzz-analysis")
    source = folder / "news.txt"
    source.write_bytes(SEEDS["txt"][1])
    out = folder / "analysis.jsonl"
    assert run_cli("score", str(source), "--no-models", "--no-grammar", "-o", str(out)).code == 0
    return out.read_text(encoding="utf-8").splitlines()


@fuzz_settings(ci_examples=40)
@given(
    seed=st.integers(0, 2**32),
    values=st.lists(plausible | json_values, max_size=3),
    raw=st.one_of(st.none(), edits),
)
def test_calibrate_any_reviews_and_analysis(
    backup: tuple[Path, list[str]],
    analysis: list[str],
    seed: int,
    values: list[object],
    raw: list[tuple[float, int, bytes]] | None,
) -> None:
    reviews = damaged(backup[1], seed, values, raw)
    flags = damaged(analysis, seed + 1, values, raw[::-1] if raw else None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "reviews.jsonl").write_bytes(reviews)
        (folder / "analysis.jsonl").write_bytes(flags)
        outcome = run_cli(
            "calibrate", str(folder / "reviews.jsonl"), "--analysis", str(folder / "analysis.jsonl")
        )
        event(f"calibrate exit {outcome.code}")
    counted("calibrate")
