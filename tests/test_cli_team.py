"""`mtreview users` and `mtreview assign` through the command line, on a real SQLite file."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.team import ADMIN, provider_sign_in, team


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(list(argv))


ROOT_PASSWORD = "violet harbour sextant"  # the first admin's
AS_ROOT = ("--as", "root", "--password-stdin")  # then the admin's password, first on stdin


def test_users_add_list_passwd_disable(tmp_path: Path, monkeypatch, capsys) -> None:
    db = str(tmp_path / "team.db")
    # the first account of a new store: an admin, no credential asked
    assert _run(monkeypatch, "users", "add", "root", "--role", "admin", "--password-stdin",
                "--db", db, "--create", stdin=f"{ROOT_PASSWORD}\n") == 0  # fmt: skip
    assert _run(monkeypatch, "users", "add", "anne", "--role", "reviewer", *AS_ROOT,
                "--db", db, stdin=f"{ROOT_PASSWORD}\ns3cret pass phrase\n") == 0  # fmt: skip
    assert _run(monkeypatch, "users", "add", "lena", "--role", "lead", "--no-password",
                *AS_ROOT, "--db", db, stdin=f"{ROOT_PASSWORD}\n") == 0  # fmt: skip
    capsys.readouterr()
    assert _run(monkeypatch, "users", "list", "--db", db) == 0
    lines = [line.split("\t")[:4] for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        ["anne", "reviewer", "active", "password"],
        ["lena", "lead", "active", "oidc only"],
        ["root", "admin", "active", "password"],
    ]
    with ReviewStore(db) as store:
        assert store.sign_in("anne", "s3cret pass phrase").user.name == "anne"
    assert _run(monkeypatch, "users", "passwd", "anne", *AS_ROOT, "--db", db,
                stdin=f"{ROOT_PASSWORD}\nanother pass phrase\n") == 0  # fmt: skip
    assert _run(monkeypatch, "users", "disable", "anne", *AS_ROOT, "--db", db,
                stdin=f"{ROOT_PASSWORD}\n") == 0  # fmt: skip
    with ReviewStore(db) as store:
        assert store.user("anne").disabled
        actors = {(e.actor, e.action) for e in store.audit_log()}
    assert ("root", "add-user") in actors and ("root", "update-user") in actors
    assert not any(actor.startswith("cli:") for actor, _ in actors)
    # bad input: one line, exit code 2, nothing changed
    assert _run(monkeypatch, "users", "passwd", "nobody", *AS_ROOT, "--db", db,
                stdin=f"{ROOT_PASSWORD}\nwhatever pass phrase\n") == 2  # fmt: skip
    assert "no user 'nobody'" in capsys.readouterr().err
    assert _run(monkeypatch, "users", "add", "bob", "--role", "reviewer", *AS_ROOT,
                "--db", db, stdin=f"{ROOT_PASSWORD}\nshort\n") == 2  # fmt: skip
    assert "at least 12" in capsys.readouterr().err
    assert _run(monkeypatch, "users", "list", "--db", str(tmp_path / "none.db")) == 2


@pytest.mark.processes
def test_password_is_never_an_argument_and_stdin_works_in_a_pipe(tmp_path: Path) -> None:
    db = str(tmp_path / "team.db")
    done = subprocess.run(
        [sys.executable, "-m", "mtreview.cli", "users", "add", "zoé", "--role", "admin",
         "--password-stdin", "--db", db, "--create"],
        input="correct horse battery\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with ReviewStore(db) as store:
        assert store.sign_in("zoé", "correct horse battery").user.role == "admin"


def test_assign_command(tmp_path: Path, monkeypatch, capsys) -> None:
    db = str(tmp_path / "team.db")
    with ReviewStore(db) as store:
        text = "".join(f"Phrase {n}.\n\n" for n in range(10))
        store.add_document(document_from_text(text, doc_id="doc", name="doc.txt"))
        team(store, {"anne": ("reviewer", None), "bob": ("reviewer", None)})
        admin = provider_sign_in(store, ADMIN).principal
        store.update_user(ADMIN, password=ROOT_PASSWORD, by=admin)
    assert _run(monkeypatch, "assign", "doc", "--reviewers", "anne,bob", "--overlap", "0.2",
                "--as", ADMIN, "--password-stdin", "--db", db,
                stdin=f"{ROOT_PASSWORD}\n") == 0  # fmt: skip
    assert "assigned 10 segments of doc (anne 6, bob 6); 2 to two reviewers" in (
        capsys.readouterr().err
    )
    assert _run(monkeypatch, "assign", "nodoc", "--reviewers", "anne", "--as", ADMIN,
                "--password-stdin", "--db", db, stdin=f"{ROOT_PASSWORD}\n") == 2  # fmt: skip
    assert "no segments" in capsys.readouterr().err
