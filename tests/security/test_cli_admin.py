"""The command line on a team store acts as a signed-in account, never as `$USER`: account,
role and assignment commands need an admin's (assign: a lead's) password or session token;
anything less is one line on stderr, exit code 2, and no change to accounts, roles or
assignments. Run in-process (`mtreview.cli.main`) on a real SQLite file; standard input is
a pipe, never a terminal, as under cron or CI."""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.team import TEST_ISSUER, provider_sign_in

ROOT = ("root", "violet harbour sextant")
ANNE = ("anne", "plum orchard lantern")
TEXT = "".join(f"Phrase {n}.\n\n" for n in range(6))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team store, made once (each password costs an argon2 hash): root, anne, bob."""
    path = tmp_path_factory.mktemp("cli-admin") / "team.db"
    with ReviewStore(path) as store:
        store.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"))
        store.add_user(ROOT[0], role="admin", password=None, by=ROOT[0])
        root = provider_sign_in(store, ROOT[0]).principal  # bound to the test provider
        store.add_user(ANNE[0], role="reviewer", password=ANNE[1], by=root)
        store.add_user("bob", role="reviewer", password=None, by=root)
        store.link_external(ANNE[0], issuer=TEST_ISSUER, subject=ANNE[0], by=root)
        store.update_user(ROOT[0], password=ROOT[1], by=root)  # (ends root's session)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("USER", "lena")  # the system user names no one in the audit log
    monkeypatch.setenv("LOGNAME", "lena")
    path = tmp_path / "team.db"
    shutil.copyfile(template, path)
    return str(path)


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(list(argv))


def _team_tables(db: str) -> list[tuple[object, ...]]:
    """Accounts (roles, passwords, disabled) and assignments: what these commands change."""
    with sqlite3.connect(db) as conn:
        accounts = conn.execute("SELECT * FROM accounts ORDER BY reviewer_id").fetchall()
        assigned = conn.execute("SELECT * FROM assignments ORDER BY 1, 2").fetchall()
    return [*accounts, *assigned]


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mtreview: error: "), lines
    return lines[0]


REFUSED = {
    "no credentials": (("users", "role", "anne", "admin"), ""),
    "a reviewer's password": (
        ("users", "role", "anne", "admin", "--as", "anne", "--password-stdin"),
        f"{ANNE[1]}\n",
    ),
    "a wrong admin password": (
        ("users", "passwd", "root", "--as", "root", "--password-stdin"),
        "not the password\nmy new pass phrase\n",
    ),
    "a reviewer's session token": (("users", "disable", "root", "--token-stdin"), "ANNE_TOKEN\n"),
    "a forged token": (("users", "role", "anne", "admin", "--token-stdin"), "forged-token\n"),
    "a reviewer adds an admin": (
        ("users", "add", "eve", "--role", "admin", "--as", "anne", "--password-stdin"),
        f"{ANNE[1]}\neve's pass phrase 1\n",
    ),
    "a reviewer assigns": (
        ("assign", "doc", "--reviewers", "anne", "--as", "anne", "--password-stdin"),
        f"{ANNE[1]}\n",
    ),
    "assign to a name with no account": (
        ("assign", "doc", "--reviewers", "anne,zoe", "--as", "root", "--password-stdin"),
        f"{ROOT[1]}\n",
    ),
    "no terminal for the admin's password": (("users", "enable", "anne", "--as", "root"), ""),
    "no terminal for the new password": (
        ("users", "add", "eve", "--role", "reviewer", "--as", "root", "--token-stdin"),
        "ROOT_TOKEN\n",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_in_one_line_with_nothing_changed(db: str, monkeypatch, capsys, case: str) -> None:
    argv, stdin = REFUSED[case]
    with ReviewStore(db) as store:
        tokens = {"ANNE_TOKEN": provider_sign_in(store, "anne").token}
        tokens["ROOT_TOKEN"] = provider_sign_in(store, "root").token
    for placeholder, token in tokens.items():
        stdin = stdin.replace(placeholder, token)
    before = _team_tables(db)
    assert _run(monkeypatch, *argv, "--db", db, stdin=stdin) == 2
    line = _one_line(capsys)
    assert "Traceback" not in line
    if case == "assign to a name with no account":
        assert "no account 'zoe'" in line
    assert _team_tables(db) == before
    with ReviewStore(db) as store:
        assert not any(e.actor.startswith("cli") for e in store.audit_log())


def test_an_admin_acts_under_her_own_name(db: str, monkeypatch, capsys) -> None:
    as_root = ("--as", "root", "--password-stdin", "--db", db)
    assert _run(monkeypatch, "users", "role", "anne", "lead", *as_root, stdin=f"{ROOT[1]}\n") == 0
    assert _run(monkeypatch, "assign", "doc", "--reviewers", "anne,bob", *as_root,
                stdin=f"{ROOT[1]}\n") == 0  # fmt: skip
    with ReviewStore(db) as store:
        token = provider_sign_in(store, "root").token
        assert store.user("anne").role == "lead" and store.assignees("doc", 5) == ("bob",)
    # a session token the store issued (the app's) does as well as a password
    assert _run(monkeypatch, "users", "passwd", "anne", "--token-stdin", "--password-stdin",
                "--db", db, stdin=f"{token}\na fresh orchard lantern\n") == 0  # fmt: skip
    with ReviewStore(db) as store:
        assert store.sign_in("anne", "a fresh orchard lantern").user.role == "lead"
        log = [(e.actor, e.action) for e in store.audit_log()]
        # the command's own session is signed out when it ends
        assert store.principal(token) is not None and not store.users()[0].disabled
    assert ("root", "update-user") in log and ("root", "assign") in log
    assert log.count(("root", "sign-in")) == 2 and log.count(("root", "sign-out")) == 2
    assert not any(actor.startswith("cli") or actor == "lena" for actor, _ in log)


def test_the_first_admin_needs_no_credential_and_no_terminal_is_one_line(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    fresh = str(tmp_path / "new.db")
    # no terminal and no --password-stdin: one line, exit 2, and no store left behind
    assert _run(monkeypatch, "users", "add", "root", "--role", "admin", "--db", fresh,
                "--create") == 2  # fmt: skip
    assert "--password-stdin" in _one_line(capsys) and not Path(fresh).exists()
    # the first account must be an admin (else no one could ever manage accounts)
    assert _run(monkeypatch, "users", "add", "anne", "--role", "reviewer", "--password-stdin",
                "--db", fresh, "--create", stdin=f"{ANNE[1]}\n") == 2  # fmt: skip
    assert "must be an admin" in _one_line(capsys)
    assert _run(monkeypatch, "users", "add", "root", "--role", "admin", "--password-stdin",
                "--db", fresh, "--create", stdin=f"{ROOT[1]}\n") == 0  # fmt: skip
    with ReviewStore(fresh) as store:
        assert [(e.actor, e.action) for e in store.audit_log()] == [("root", "add-user")]
    capsys.readouterr()
    # from now on the store is a team store: the same command needs an admin
    assert _run(monkeypatch, "users", "add", "eve", "--role", "admin", "--password-stdin",
                "--db", fresh, stdin="eve's pass phrase 1\n") == 2  # fmt: skip
    assert "team store" in _one_line(capsys)
