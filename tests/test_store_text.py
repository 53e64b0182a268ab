"""One text model for SQLite and PostgreSQL: U+0000 (NUL) and lone surrogates are refused
on the way into any review store, in one line, the same on both (every test on both,
through `store_db`); a backup never cuts a text that an older SQLite store holds."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mtreview.analysis import Analyzer
from mtreview.cli import main
from mtreview.errors import ExportError, StoreError
from mtreview.readers import document_from_text, read_document
from mtreview.settings import Settings
from mtreview.store import ReviewStore

NUL = "text holds U+0000 (NUL), which a review store cannot keep"
SURROGATE = "text holds a lone surrogate U+DCE9 (not UTF-8), which a review store cannot keep"
TEXT = "Le chat dort sur le canapé. Le chien aboie dans la cour.\n"


@pytest.fixture
def store(store_db: str) -> Iterator[ReviewStore]:
    with ReviewStore(store_db) as opened:
        opened.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
        yield opened


def _refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(StoreError) as error:
        call()
    assert str(error.value) == message


@pytest.mark.parametrize(("bad", "message"), [("\x00", NUL), ("\udce9", SURROGATE)])
def test_documents_segments_and_sources_are_refused_alike(
    store: ReviewStore, tmp_path: Path, bad: str, message: str
) -> None:
    text = f"Le chat{bad} dort. Le chien aboie.\n"
    _refused(lambda: store.add_document(document_from_text(text, doc_id="e", name="e")), message)
    table = tmp_path / "pairs.jsonl"
    row = {"source": "Кошка спит.", "reference": "Le chat dort.", "translation": "Le chat dort."}
    table.write_text(json.dumps(row) + "\n", encoding="utf-8")
    pairs = read_document(table, doc_id="pairs")
    for field in ("source", "reference"):
        segment = dataclasses.replace(pairs.segments[0], **{field: f"Le chat{bad}"})
        broken = dataclasses.replace(pairs, segments=(segment,))
        _refused(lambda broken=broken: store.add_document(broken), message)  # type: ignore[misc]
    clean = document_from_text(TEXT, doc_id=f"id{bad}", name="x.txt")
    _refused(lambda: store.add_document(clean), message)  # the document id is text too
    assert [info.doc_id for info in store.documents()] == ["d"]


@pytest.mark.parametrize(
    ("bad", "char", "message"),
    [("\x00", "U+0000 (NUL)", NUL), ("\udce9", "a lone surrogate U+DCE9 (not UTF-8)", SURROGATE)],
)
def test_reviewer_work_is_refused_alike(
    store: ReviewStore, bad: str, char: str, message: str
) -> None:
    typed = f"the correction holds {char} at position 7, which a review store cannot keep"
    _refused(
        lambda: store.save_correction("d", 0, f"Le chat{bad}", expected_version=0, reviewer="A"),
        typed,
    )
    _refused(
        lambda: store.save_draft("d", 0, f"Le chat{bad}", base_version=0, reviewer="A"),
        typed.replace("correction", "draft"),
    )
    _refused(
        lambda: store.add_annotation(
            "d", 0, 0, 2, category="Other", severity="minor", reviewer="A", comment=f"x{bad}"
        ),
        message,
    )
    review = store.segment("d", 0)
    assert review.correction is None and review.annotations == ()
    assert store.reviewers() == []  # refused in the same transaction as the reviewer's row


@pytest.mark.parametrize(("bad", "message"), [("\x00", NUL), ("\udce9", SURROGATE)])
def test_analyses_json_is_refused_alike(store_db: str, bad: str, message: str) -> None:
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    analyses = Analyzer(Settings(use_models=False, grammar=False)).analyze(doc.segments)
    broken = [dataclasses.replace(analyses[0], back_translation=f"The cat{bad}"), *analyses[1:]]
    with ReviewStore(store_db) as store:
        _refused(lambda: store.add_document(doc, broken), message)
        assert store.documents() == []
        store.add_document(doc, analyses)
        _refused(lambda: store.replace_analyses("d", broken[:1]), message)
        _refused(lambda: store.replace_analyses("d", [], info={"note": f"x{bad}"}), message)
        assert store.segment("d", 0).analysis.back_translation is None


@pytest.mark.parametrize("name", ["An\x00ne", "An\udce9ne", "An\x07ne", "An\x7fne"])
def test_names_with_control_characters_or_not_utf8_are_refused(
    store: ReviewStore, name: str
) -> None:
    with pytest.raises(StoreError, match=r"^name '.*' (holds a control character|is not valid)"):
        store.add_user(name, role="reviewer", password=None, by="cli")
    assert store.users() == [] and store.reviewers() == []


# --- the commands that fill a store --------------------------------------------------------
def _jsonl(path: Path, *texts: str) -> Path:
    path.write_text("".join(json.dumps({"translation": t}) + "\n" for t in texts), "utf-8")
    return path


def _no_new_store(store_db: str) -> None:
    if "://" in store_db:
        with ReviewStore(store_db) as store:
            assert store.documents() == []
    else:
        assert not Path(store_db).exists()


def test_score_db_refuses_nul_with_file_and_line(
    store_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _jsonl(tmp_path / "input.jsonl", "Bonjour.", "Le chat\x00 dort.")
    argv = ["score", str(source), "--no-models", "--no-grammar"]
    assert main([*argv, "--db", store_db]) == 2
    assert capsys.readouterr().err == f"mtreview: error: {source}:2: {NUL}\n"
    _no_new_store(store_db)
    # without a store, the JSONL output carries the NUL, escaped
    out = tmp_path / "out.jsonl"
    assert main([*argv, "-o", str(out)]) == 0
    assert [json.loads(line)["text"] for line in out.read_text("utf-8").splitlines()] == [
        "Bonjour.",
        "Le chat\x00 dort.",
    ]


def test_import_analysis_refuses_nul_with_file_and_line(
    store_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _jsonl(tmp_path / "input.jsonl", "Bonjour.", "Le chat\x00 dort.")
    run = tmp_path / "run.jsonl"
    assert main(["score", str(source), "--no-models", "--no-grammar", "-o", str(run)]) == 0
    capsys.readouterr()
    assert main(["import-analysis", str(run), "--db", store_db]) == 2
    assert capsys.readouterr().err == f"mtreview: error: {run}:2: {NUL}\n"
    _no_new_store(store_db)


def test_import_reviews_refuses_nul_with_file_and_line(
    store_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReviewStore(tmp_path / "first.db") as first:
        first.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
        first.save_correction("d", 1, "Le chien jappe.", expected_version=0, reviewer="Anne")
        backup = io.BytesIO()
        first.write_reviews(backup)
    lines = backup.getvalue().decode("utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if '"type": "correction"' in line)
    record = json.loads(lines[number - 1])
    lines[number - 1] = json.dumps({**record, "text": "Le chien\x00 jappe."})
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import-reviews", str(reviews), "--db", store_db]) == 2
    assert capsys.readouterr().err == f"mtreview: error: {reviews}:{number}: {NUL}\n"
    _no_new_store(store_db)


# --- backups of a store that holds a NUL (SQLite, written before it was refused) ----------
def _sneak_in(db: Path, sql: str, *values: object) -> None:
    """What an older mtreview let into SQLite, written past the store's guard."""
    with sqlite3.connect(db) as conn:
        conn.execute(sql, values)
    conn.close()


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    db = tmp_path / "old.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    return db


def test_a_backup_refuses_a_document_text_it_would_cut(
    old_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SQLite's length() and substr() stop at the NUL: the backup held the text up to it
    _sneak_in(old_store, "UPDATE documents SET original = ?", TEXT.replace(" sur", "\x00 sur"))
    with ReviewStore(old_store) as store:
        assert store.load_document("d").original.count("\x00") == 1  # there, whole
        with pytest.raises(StoreError, match=r"^document 'd': its text holds U\+0000 \(NUL\)"):
            store.write_reviews(io.BytesIO())
    out = tmp_path / "backup.jsonl"
    argv = ["export", "--db", str(old_store), "--format", "reviews", "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("mtreview: error: document 'd': its text holds U+0000 (NUL) at byte 12")
    assert err.count("\n") == 1 and not out.exists()


def test_a_backup_refuses_other_text_holding_nul(
    old_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReviewStore(old_store) as store:
        store.save_correction("d", 0, "Le chat dort.", expected_version=0, reviewer="Anne")
    _sneak_in(old_store, "UPDATE corrections SET text = ?", "Le chat\x00 dort.")
    with ReviewStore(old_store) as store, pytest.raises(ExportError, match=re.escape(NUL)):
        store.write_reviews(io.BytesIO())
    out = tmp_path / "backup.jsonl"
    assert main(["export", "--db", str(old_store), "--format", "reviews", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"mtreview: error: document 'd' segment 0 (correction): {NUL}\n"
    )
    assert not out.exists()


def test_a_clean_store_backs_up_and_loads_on_both(store: ReviewStore, tmp_path: Path) -> None:
    """The same rule does not refuse what it should keep: control characters other than
    NUL, astral characters, a BOM-like U+FEFF."""
    kept = "Le chat\x0b dort 😺 \ufeff ici.\n"
    store.add_document(document_from_text(kept, doc_id="k", name="k.txt"))
    backup = io.BytesIO()
    store.write_reviews(backup)
    path = tmp_path / "reviews.jsonl"
    path.write_bytes(backup.getvalue())
    with ReviewStore(tmp_path / "again.db") as again:
        again.import_reviews(path)
        assert again.load_document("k").original == kept
