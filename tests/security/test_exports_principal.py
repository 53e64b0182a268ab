"""What leaves a team store is read as a signed-in principal (issue 21, points 1 and 4):
`export` (every format), `calibrate STORE`, `compare --db` and `audit list` take the team
commands' credentials (`--as NAME` with its password, or `--token-stdin`); none, or a bare
name, is one line on stderr, exit code 2, no file and no audit row. The store checks the
principal in each read (`documents`, `iter_segments`, `adjudications`, `write_reviews`,
`audit_log` with `viewer=`) and `record` refuses a name: a reviewer's export holds her own
work and nothing of the other reviewer's on their blind segment; an admin's holds
everything and is audited under her name. The reviews backup and the audit log are an
admin's. Run in-process on real SQLite files; standard input is a pipe."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.errors import AccessError
from mtreview.export import EXPORTERS, export_to_path
from mtreview.readers import document_from_text
from mtreview.store import FinalSpan, ReviewStore
from mtreview.store.principal import Principal
from mtreview.testing.team import provider_sign_in, team

ROOT = ("root", "violet harbour sextant")  # the admin: the one password (argon2) here
TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(4))
BOB_FIX, BOB_NOTE, BOB_ALONE = "BOB-SECRET-FIX.", "BOB-SECRET-NOTE", "BOB-ALONE-FIX."
ANNE_FIX = "ANNE-OWN-FIX."


@pytest.fixture(scope="module")
def team_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Segment 0 blind (anne and bob: each corrected it, bob marked it with a comment),
    1 anne's alone (her mark), 2 bob's alone (his fix, adjudicated by lena), 3 nobody's."""
    path = tmp_path_factory.mktemp("exports-principal") / "team.db"
    with ReviewStore(path) as store:
        store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
        people = {"anne": ("reviewer", None), "bob": ("reviewer", None), "lena": ("lead", None)}
        who = team(store, {**people, ROOT[0]: ("admin", ROOT[1])})
        anne, bob, lena = who["anne"], who["bob"], who["lena"]
        store.assign("d", ["anne", "bob"], by=lena, first=0, last=0, overlap=1.0)
        store.assign("d", ["anne"], by=lena, first=1, last=1)
        store.assign("d", ["bob"], by=lena, first=2, last=2)
        store.save_correction("d", 0, ANNE_FIX, expected_version=0, reviewer=anne)
        store.save_correction("d", 0, BOB_FIX, expected_version=0, reviewer=bob)  # the latest
        store.add_annotation("d", 0, 0, 6, category="Accuracy/Mistranslation",
                             severity="major", reviewer=bob, comment=BOB_NOTE)  # fmt: skip
        store.add_annotation("d", 1, 0, 6, category="Style/Awkward", severity="minor",
                             reviewer=anne, comment="ANNE-NOTE")  # fmt: skip
        store.save_correction("d", 2, BOB_ALONE, expected_version=0, reviewer=bob)
        final = [FinalSpan(0, 6, "Accuracy/Mistranslation", "major", reviewer="bob")]
        store.adjudicate("d", 2, by=lena, text=BOB_ALONE, spans=final)
    return path


@pytest.fixture
def db(team_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("USER", "lena")  # the system user names no one in the audit log
    monkeypatch.setenv("LOGNAME", "lena")
    path = tmp_path / "team.db"
    shutil.copyfile(team_db, path)
    return str(path)


@pytest.fixture
def store(db: str) -> Iterator[ReviewStore]:
    with ReviewStore(db) as opened:
        yield opened


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def _audit_rows(db: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()


def _token(db: str, name: str) -> str:
    with ReviewStore(db) as store:
        if name == ROOT[0]:
            return store.sign_in(*ROOT).token
        return provider_sign_in(store, name).token


def _commands(db: str, out: Path) -> dict[str, list[str]]:
    return {
        "export tmx": ["export", "--format", "tmx", "-o", str(out)],
        "export reviews": ["export", "--format", "reviews", "-o", str(out)],
        "export to stdout": ["export", "--format", "jsonl", "-o", "-"],
        "calibrate": ["calibrate", db, "--json", str(out)],
        "compare --db": ["compare", "--json", str(out)],
        "audit list": ["audit", "list"],
    }


CREDENTIALS = {
    "no credential": ((), ""),
    "a bare name (no password on a pipe)": (("--as", ROOT[0]), ""),
    "an unknown token": (("--token-stdin",), "not-a-token\n"),
}


@pytest.mark.parametrize("credential", list(CREDENTIALS))
@pytest.mark.parametrize(
    "command",
    ["export tmx", "export reviews", "export to stdout", "calibrate", "compare --db", "audit list"],
)
def test_refused_in_one_line_with_nothing_written(
    db: str, tmp_path: Path, monkeypatch, capsys, command: str, credential: str
) -> None:
    out = tmp_path / "out.file"
    options, stdin = CREDENTIALS[credential]
    argv = [*_commands(db, out)[command], *options]
    if command != "calibrate":
        argv += ["--db", db]
    before = _audit_rows(db)
    assert _run(monkeypatch, argv, stdin) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mtreview: error: "), lines
    assert captured.out == "" and not out.exists()
    assert _audit_rows(db) == before  # no export, no read of the log, no one signed in


@pytest.mark.parametrize("command", ["export reviews", "audit list"])
def test_the_whole_store_is_an_admins(db: str, tmp_path: Path, monkeypatch, capsys, command):
    """The backup and the audit log hold everyone's work: a lead's token is refused."""
    out = tmp_path / "out.file"
    argv = [*_commands(db, out)[command], "--token-stdin", "--db", db]
    before = _audit_rows(db)
    assert _run(monkeypatch, argv, f"{_token(db, 'lena')}\n") == 2
    assert "'lena' (lead) may not" in capsys.readouterr().err
    assert not out.exists() and len(_audit_rows(db)) == len(before) + 1  # her own sign-in


def test_the_store_refuses_a_name_in_each_read_and_record(db: str, store, tmp_path) -> None:
    anne = provider_sign_in(store, "anne").principal
    before = _audit_rows(db)
    out, buffer = tmp_path / "out.tmx", io.BytesIO()
    refused = [
        lambda: export_to_path(store, "tmx", out),  # the library's caller, on a team store
        lambda: export_to_path(store, "tmx", out, by=ROOT[0]),  # an admin's name, no proof
        lambda: export_to_path(store, "reviews", out, by=anne),  # a reviewer: not a backup
        lambda: store.record(ROOT[0], "export"),
        lambda: store.documents(viewer=ROOT[0]),
        lambda: store.adjudications("d", viewer=ROOT[0]),
        lambda: store.write_reviews(buffer, viewer=ROOT[0]),
        lambda: store.write_reviews(buffer, viewer=anne),
        lambda: store.audit_log(viewer=anne),
        lambda: store.audit_log(viewer=Principal(ROOT[0], "admin", "forged")),
    ]
    for call in refused:
        with pytest.raises(AccessError):
            call()
    assert not out.exists() and buffer.getvalue() == b""
    assert _audit_rows(db) == before


def test_a_reviewers_export_holds_none_of_the_others_work(db: str, store, tmp_path) -> None:
    """Every format but the backup: her fix and note are there, nothing of bob's (his
    later fix and note on their blind segment, his adjudicated segment, his name)."""
    anne = provider_sign_in(store, "anne").principal
    everything = b""
    for fmt in (f for f in EXPORTERS if f != "reviews"):
        export_to_path(store, fmt, tmp_path / f"anne.{fmt}", by=anne)
        data = b"".join(p.read_bytes() for p in tmp_path.glob(f"anne.{fmt}*"))
        for secret in (BOB_FIX, BOB_NOTE, BOB_ALONE, "bob"):
            assert secret.encode() not in data, (fmt, secret)
        everything += data
    assert ANNE_FIX.encode() in everything and b"ANNE-NOTE" in everything
    assert store.adjudications("d", viewer=anne) == {}  # segment 2 is bob's alone
    log = [(e.actor, e.action) for e in store.audit_log()]
    assert log.count(("anne", "export")) == len(EXPORTERS) - 1


def test_an_admins_export_holds_everything_under_her_name(
    db: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    corpus, backup = tmp_path / "all.tmx", tmp_path / "all.reviews.jsonl"
    as_root = ["--as", ROOT[0], "--password-stdin", "--db", db]
    argv = ["export", "--format", "tmx", "-o", str(corpus), *as_root]
    assert _run(monkeypatch, argv, f"{ROOT[1]}\n") == 0
    argv = ["export", "--format", "reviews", "-o", str(backup), "--token-stdin", "--db", db]
    assert _run(monkeypatch, argv, f"{_token(db, ROOT[0])}\n") == 0
    for work in (BOB_FIX, BOB_NOTE, BOB_ALONE, "ANNE-NOTE"):  # (the latest fix: bob's)
        assert work in corpus.read_text("utf-8")
    for work in (BOB_FIX, BOB_NOTE, BOB_ALONE, ANNE_FIX, "ANNE-NOTE"):
        assert work in backup.read_text("utf-8")
    capsys.readouterr()
    assert _run(monkeypatch, ["audit", "list", *as_root], f"{ROOT[1]}\n") == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    exports = [(r["actor"], r["detail"]["format"]) for r in listed if r["action"] == "export"]
    assert exports == [("root", "tmx"), ("root", "reviews")]
    # the command's session: signed in and out as root; nothing as `cli:lena` (the $USER)
    assert [r["action"] for r in listed if r["actor"] == "root"][-6:] == [
        "sign-in", "export", "sign-out", "sign-in", "export", "sign-in",
    ]  # fmt: skip
    assert not any(str(r["actor"]).startswith("cli") for r in listed)


def test_a_store_without_accounts_asks_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("USER", "olga")
    monkeypatch.setenv("LOGNAME", "olga")
    db = str(tmp_path / "local.db")
    with ReviewStore(db) as local:
        local.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
        local.save_correction("d", 0, "Corrigée.", expected_version=0, reviewer="olga")
    out = tmp_path / "local.tsv"
    assert _run(monkeypatch, ["export", "--format", "tsv", "-o", str(out), "--db", db]) == 0
    assert "Corrigée." in out.read_text("utf-8")
    with ReviewStore(db) as local:
        assert [(e.actor, e.action) for e in local.audit_log()][-1] == ("cli:olga", "export")
