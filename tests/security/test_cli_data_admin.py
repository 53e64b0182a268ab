"""On a team store, what brings documents and reviews in acts as a signed-in admin, never
as `$USER` nor as a name: `import-reviews`, `import-analysis` and `score --db` take the
credentials of `users` commands (`--as NAME` with its password, or `--token-stdin`); no
credential, a reviewer's, or a bare name is one line on stderr, exit code 2, and nothing
written. The store checks the same in each call's transaction (`add_document`,
`import_reviews`, `write_scored`, `delete_document`): a plain name or a reviewer's principal
is refused there too. An admin's import is in the audit log under her name. Run in-process
(`mtreview.cli.main`) on real SQLite files; standard input is a pipe, never a terminal."""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mtreview.analysis import SegmentAnalysis
from mtreview.cli import main
from mtreview.errors import AccessError
from mtreview.readers import document_from_text
from mtreview.store import IncomingDocument, ReviewStore
from mtreview.testing.team import provider_sign_in

ROOT = ("root", "violet harbour sextant")
ANNE = ("anne", "plum orchard lantern")
NO_MODELS = ("--no-models", "--no-grammar")
DATA_TABLES = ("documents", "segments", "analyses", "annotations", "corrections", "flag_decisions")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The team store (root, an admin; anne, a reviewer; document `doc`), a reviews backup
    of another store (document `e`, an error marked by zoe), a finished `score` run and a
    text to score."""
    folder = tmp_path_factory.mktemp("cli-data-admin")
    made = {"team": folder / "team.db", "backup": folder / "backup.jsonl"}
    made["text"] = folder / "fresh.txt"
    made["text"].write_text("Une phrase toute neuve.\n\nEt une autre.\n", "utf-8")
    made["run"] = folder / "run.jsonl"
    assert main(["score", str(made["text"]), "-o", str(made["run"]), *NO_MODELS]) == 0
    with ReviewStore(folder / "other.db") as other:  # a store without accounts
        other.add_document(document_from_text("Autre texte ici.\n", doc_id="e", name="e.txt"))
        other.add_annotation("e", 0, 0, 5, category="Other", severity="minor", reviewer="zoe")
        with made["backup"].open("wb") as out:
            other.write_reviews(out)
    with ReviewStore(made["team"]) as store:
        store.add_user(ROOT[0], role="admin", password=None, by=ROOT[0])
        root = provider_sign_in(store, ROOT[0]).principal
        doc = document_from_text("Phrase un.\n\nPhrase deux.\n", doc_id="doc", name="doc.txt")
        store.add_document(doc, by=root)
        store.add_user(ANNE[0], role="reviewer", password=ANNE[1], by=root)
        store.update_user(ROOT[0], password=ROOT[1], by=root)
    return made


@pytest.fixture
def db(files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("USER", "lena")  # the system user names no one in the audit log
    monkeypatch.setenv("LOGNAME", "lena")
    path = tmp_path / "team.db"
    shutil.copyfile(files["team"], path)
    return str(path)


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def _data(db: str) -> list[list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in DATA_TABLES]


def _commands(files: dict[str, Path]) -> dict[str, list[str]]:
    return {
        "import-reviews": ["import-reviews", str(files["backup"])],
        "import-analysis": ["import-analysis", str(files["run"]), "--input", str(files["text"])],
        "score --db": ["score", str(files["text"]), *NO_MODELS],
    }


CREDENTIALS = {
    "no credential": ((), ""),
    "a reviewer's password": (("--as", ANNE[0], "--password-stdin"), f"{ANNE[1]}\n"),
    "a reviewer's session token": (("--token-stdin",), "ANNE_TOKEN\n"),
    "a bare name (no password on a pipe)": (("--as", ROOT[0]), ""),
}


@pytest.mark.parametrize("command", ["import-reviews", "import-analysis", "score --db"])
@pytest.mark.parametrize("credential", list(CREDENTIALS))
def test_refused_in_one_line_with_nothing_written(
    files, db: str, monkeypatch, capsys, command: str, credential: str
) -> None:
    options, stdin = CREDENTIALS[credential]
    if "ANNE_TOKEN" in stdin:
        with ReviewStore(db) as store:
            stdin = stdin.replace("ANNE_TOKEN", store.sign_in(*ANNE).token)
    before, imports = _data(db), _imports(db)
    argv = [*_commands(files)[command], *options, "--db", db]
    assert _run(monkeypatch, argv, stdin) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mtreview: error: "), lines
    assert "Traceback" not in lines[0]
    if credential != "no credential" and "bare" not in credential:
        assert "'anne' (reviewer) may not import" in lines[0]
    assert _data(db) == before and _imports(db) == imports


def _imports(db: str) -> list[tuple[str, str]]:
    """The audit log's imports, and anything a command wrote as the system user."""
    with ReviewStore(db) as store:
        found = [(e.actor, e.action) for e in store.audit_log()]
    return [(actor, a) for actor, a in found if a.startswith("import") or actor.startswith("cli")]


def test_the_store_refuses_a_name_or_a_reviewer_in_the_same_call(files, db: str) -> None:
    doc = document_from_text("Encore une phrase.\n", doc_id="new", name="new.txt")
    before = _data(db)
    with ReviewStore(db) as store:
        anne = store.sign_in(*ANNE).principal
        incoming = {"new": IncomingDocument("new", "new.txt", "fr", None, "txt", "run")}
        window = [SegmentAnalysis(segment=s) for s in doc.segments]
        calls: list[Callable[[], object]] = [
            lambda: store.add_document(doc),  # the library's default actor
            lambda: store.add_document(doc, by=ROOT[0]),  # an admin's name, without proof
            lambda: store.add_document(doc, by=anne),
            lambda: store.import_reviews(files["backup"], by=ROOT[0]),
            lambda: store.import_reviews(files["backup"], by=anne),
            lambda: store.write_scored(window, incoming, by=anne),
            lambda: store.mark_scoring("doc", run="run", by=ROOT[0]),
            lambda: store.delete_document("doc", by=anne),
        ]
        for call in calls:
            with pytest.raises(AccessError):
                call()
    assert _data(db) == before


def test_an_admin_imports_under_her_own_name(files, db: str, monkeypatch, capsys) -> None:
    commands = _commands(files)
    as_root = ["--as", ROOT[0], "--password-stdin", "--db", db]
    assert _run(monkeypatch, [*commands["import-reviews"], *as_root], f"{ROOT[1]}\n") == 0
    assert _run(monkeypatch, [*commands["score --db"], *as_root], f"{ROOT[1]}\n") == 0
    with ReviewStore(db) as store:
        token = provider_sign_in(store, ROOT[0]).token
    argv = [*commands["import-analysis"], "--replace", "--token-stdin", "--db", db]
    assert _run(monkeypatch, argv, f"{token}\n") == 0
    with ReviewStore(db) as store:
        assert {d.doc_id for d in store.documents()} == {"doc", "e", "fresh"}
        assert [a.reviewer for a in store.segment("e", 0).annotations] == ["zoe"]
        log = [(e.actor, e.action) for e in store.audit_log() if not e.imported]
        assert store.principal(token) is not None  # a token's session is not the command's
    assert ("root", "import-reviews") in log
    assert log.count(("root", "import-document")) == 3  # `doc`; then scored, imported again
    # each password command held a session of its own, signed out when it ended
    assert log.count(("root", "sign-in")) == log.count(("root", "sign-out")) == 2
    assert not any(actor.startswith("cli") or actor == "lena" for actor, _ in log)


def test_a_long_import_keeps_its_session_clear_of_the_idle_timeout(db: str) -> None:
    """Each window of `score --db` marks the admin's session used: a run of hours is not
    swept out as idle by someone else's sign-in."""
    with ReviewStore(db) as store:
        root = provider_sign_in(store, ROOT[0]).principal
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00+00:00'")
        store.mark_scoring("doc", run="run", by=root)
        with sqlite3.connect(db) as conn:
            [(seen,)] = conn.execute("SELECT last_seen_at FROM sessions").fetchall()
    assert seen > "2001"
