"""What a command line brings in: file and user names that are not UTF-8 are refused in one
line (never an invalid UTF-8 output with exit 0, never a crash in SQL), a failed command
leaves no new store behind, and team commands make a store only with `--create`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.errors import InputError, StoreError
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.base import removed_on_failure
from mtreview.testing.team import provider_sign_in

MTREVIEW = Path(sys.executable).with_name("mtreview")
ARTICLE = "Le chat dort sur le canapé. Le chien aboie dans la cour.\n"
LATIN1 = b"caf\xe9.txt"  # a file name written on a Latin-1 system
NOT_UTF8 = "mtreview: error: caf\\xe9.txt: file name is not valid UTF-8; rename the file\n"
NO_MODELS = ["--no-models", "--no-grammar"]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder holding a good article and one with a Latin-1 name."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MTREVIEW_DB", raising=False)
    (tmp_path / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / os.fsdecode(LATIN1)).write_text(ARTICLE, encoding="utf-8")
    return tmp_path


# --- file names ------------------------------------------------------------------------------
@pytest.mark.processes
def test_a_file_name_that_is_not_utf8_is_refused_by_the_real_command(folder: Path) -> None:
    for argv in (
        [b"score", LATIN1, *map(os.fsencode, NO_MODELS)],
        [b"score", b"ok.txt", LATIN1, *map(os.fsencode, NO_MODELS)],
        [b"score", LATIN1, *map(os.fsencode, NO_MODELS), b"--db", b"new.db"],
    ):
        done = subprocess.run(
            [os.fsencode(MTREVIEW), *argv], capture_output=True, cwd=folder, check=False
        )
        assert (done.returncode, done.stdout) == (2, b""), done.stderr
        assert done.stderr.decode("utf-8") == NOT_UTF8
        assert _files(folder) == sorted(["ok.txt", os.fsdecode(LATIN1)])


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "{bad}", *NO_MODELS, "-o", "out.jsonl"],
        ["score", "ok.txt", "{bad}", *NO_MODELS],  # nothing written for ok.txt first
        ["score", "{bad}", *NO_MODELS, "--db", "new.db"],
        ["import-analysis", "reviews.jsonl", "--input", "{bad}", "--db", "new.db"],
    ],
    ids=["score -o", "score stdout", "score --db", "import-analysis --input"],
)
def test_every_reader_refuses_such_a_name(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    (folder / "reviews.jsonl").write_text("", encoding="utf-8")
    before = _files(folder)
    assert main([word.format(bad=os.fsdecode(LATIN1)) for word in argv]) == 2
    assert capsys.readouterr() == ("", NOT_UTF8)
    assert _files(folder) == before


def test_the_library_refuses_it_too(folder: Path) -> None:
    from mtreview.readers import iter_segments

    with pytest.raises(InputError, match=r"^caf\\xe9\.txt: file name is not valid UTF-8"):
        next(iter_segments(folder / os.fsdecode(LATIN1)))


# --- user names ------------------------------------------------------------------------------
@pytest.mark.processes
@pytest.mark.parametrize(
    ("name", "why"),
    [(b"\xff", "'\\udcff' is not valid UTF-8 text"),
     (b"an\x01ne", "'an\\x01ne' holds a control character (U+0001)")],
)  # fmt: skip
def test_a_user_name_that_is_not_text_is_refused_before_any_sql(
    folder: Path, name: bytes, why: str
) -> None:
    argv = [b"users", b"add", name, b"--role", b"admin", b"--no-password"]
    for db in (b"new.db", b"team.db"):
        if db == b"team.db":
            ReviewStore(folder / "team.db").close()
        done = subprocess.run(
            [os.fsencode(MTREVIEW), *argv, b"--db", db, b"--create"],
            capture_output=True, cwd=folder, check=False,
        )  # fmt: skip
        assert done.returncode == 2 and b"Traceback" not in done.stderr
        assert done.stderr.decode("utf-8") == f"mtreview: error: name {why}\n"
    assert not (folder / "new.db").exists()
    with ReviewStore(folder / "team.db") as store:
        assert store.users() == []


def test_other_team_commands_refuse_such_names(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReviewStore(folder / "team.db") as store:
        store.add_document(document_from_text(ARTICLE, doc_id="doc", name="doc.txt"))
    for argv in (
        ["users", "disable", "\udcff", "--db", "team.db"],
        ["users", "passwd", "a\x1bb", "--db", "team.db", "--password-stdin"],
        ["assign", "doc", "--reviewers", "anne,\udcff", "--db", "team.db"],
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err.startswith("mtreview: error: name '")
    with ReviewStore(folder / "team.db") as store:
        assert store.reviewers() == []
        assert [entry.action for entry in store.audit_log()] == ["import-document"]


# --- a failed command leaves no new store ---------------------------------------------------
def _bad_inputs(folder: Path) -> dict[str, list[str]]:
    (folder / "bad.jsonl").write_text('{"translation": "Bonjour."}\nnot json\n', "utf-8")
    (folder / "run.jsonl").write_text('{"doc": "x", "segment_id": 0}\n', "utf-8")
    (folder / "reviews.jsonl").write_text('{"type": "nothing"}\n', "utf-8")
    return {
        "score --db": ["score", "bad.jsonl", *NO_MODELS],
        "score --db -o": ["score", "ok.txt", "bad.jsonl", *NO_MODELS, "-o", "out.jsonl"],
        "import-analysis": ["import-analysis", "run.jsonl"],
        "import-reviews": ["import-reviews", "reviews.jsonl"],
    }


COMMANDS = ["score --db", "score --db -o", "import-analysis", "import-reviews"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_failed_command_leaves_no_new_store(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    argv = _bad_inputs(folder)[command]
    before = _files(folder)
    assert main([*argv, "--db", "new.db"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mtreview: error: ") and err.count("\n") == 1
    assert _files(folder) == before  # no new.db, -wal, -shm or -journal


@pytest.mark.parametrize("command", COMMANDS)
def test_a_failed_command_leaves_an_existing_store_as_it_was(
    folder: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    db = folder / "store.db"
    with ReviewStore(db) as store:
        store.add_document(document_from_text(ARTICLE, doc_id="doc", name="doc.txt"))
        store.save_correction("doc", 0, "Le chat dort.", expected_version=0, reviewer="Anne")
        before = io.BytesIO()
        store.write_reviews(before)
    argv = _bad_inputs(folder)[command]
    assert main([*argv, "--db", str(db)]) == 2
    assert db.is_file()
    with ReviewStore(db) as store:
        after = io.BytesIO()
        store.write_reviews(after)
    assert after.getvalue() == before.getvalue()


def test_only_the_files_the_command_made_are_removed(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with pytest.raises(StoreError), removed_on_failure(db):
        ReviewStore(db).close()
        assert db.is_file()
        raise StoreError("bad input")
    assert _files(tmp_path) == []
    # an interrupted `score --db` keeps what it stored, for --resume
    with pytest.raises(KeyboardInterrupt), removed_on_failure(db, keep_if_interrupted=True):
        ReviewStore(db).close()
        raise KeyboardInterrupt
    assert db.is_file()
    # a store that was there is never removed
    with pytest.raises(StoreError), removed_on_failure(db):
        raise StoreError("bad input")
    assert db.is_file()


# --- team commands make a store only with --create -----------------------------------------
def test_users_add_makes_a_store_only_with_create(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["users", "add", "anne", "--role", "admin", "--no-password"]
    assert main([*add, "--db", "review.db"]) == 2
    assert capsys.readouterr().err == (
        "mtreview: error: review.db: no such review store; pass --create to make a new one\n"
    )
    assert main(add) == 2  # no --db: not a silent ./mtreview.db either
    assert "mtreview.db: no such review store; pass --create" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main([*add[:-1], "--password-stdin", "--db", "review.db", "--create"]) == 2
    assert "at least 12" in capsys.readouterr().err
    assert _files(folder) == sorted(["ok.txt", os.fsdecode(LATIN1)])  # nothing made
    assert main([*add, "--db", "review.db", "--create"]) == 0
    with ReviewStore(folder / "review.db") as store:  # a team store now: anne's session acts
        token = provider_sign_in(store, "anne").token
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{token}\n"))
    assert main(["users", "add", "bob", "--role", "reviewer", "--no-password", "--token-stdin",
                 "--db", "review.db"]) == 0  # fmt: skip
    with ReviewStore(folder / "review.db") as store:
        assert [user.name for user in store.users()] == ["anne", "bob"]
