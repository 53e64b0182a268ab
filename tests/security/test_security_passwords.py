"""Issue 21, point 8: passwords. `password`, `12345678`, eight spaces were accepted. Now a
password needs 12 characters, may not be one of the 10,000 most common (alone, repeated,
or dressed with digits and symbols), and may not hold the user's name: refused by the
store where a password is set (`users add`, `users passwd`, the library), nothing written."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from mtreview.cli import main
from mtreview.store import AuthError, ReviewStore
from mtreview.store.names import PasswordRefused, common_passwords

GOOD = "plum orchard lantern"
WEAK = [
    ("password", "at least 12"),
    ("12345678", "at least 12"),
    (" " * 8, "at least 12"),
    (" " * 12, "too common"),
    ("password1234", "too common"),
    ("Password2024!", "too common"),
    ("123456789012", "too common"),
    ("qwertyuiop12", "too common"),
    ("iloveyou!!!!", "too common"),
    ("dragondragon", "too common"),
    ("abcabcabcabc", "too common"),
    ("zzzzzzzzzzzzzzzz", "too common"),
    ("bob's long secret", "user's name"),
    ("my name is bob 42", "user's name"),
    ("The BOB Of All Trades", "user's name"),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with ReviewStore(path) as store:
        store.add_user("anne", role="admin", password=GOOD, by="admin")
    return path


def _hashes(db: Path) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT password_hash FROM accounts").scalars().all()
    engine.dispose()
    return list(found)


def _state(db: Path) -> tuple[object, ...]:
    with ReviewStore(db) as store:
        return store.users(), len(store.audit_log()), _hashes(db)


def _for_anne(password: str) -> str:
    """The same weakness for the account `anne` (a password holding her name)."""
    return re.sub("bob", "anne", password, flags=re.IGNORECASE)


def _cli(monkeypatch: pytest.MonkeyPatch, password: str, *argv: str) -> int:
    """As the admin anne: her password on the first line, the new one on the second."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{GOOD}\n{password}\n"))
    return main([*argv, "--as", "anne", "--password-stdin"])


def test_the_shipped_list_is_the_top_ten_thousand() -> None:
    common = common_passwords()
    assert len(common) == 10_000 and {"password", "123456", "qwerty", "dragon"} <= common


def test_users_add_and_passwd_refuse_weak_passwords(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    before = _state(db)
    add = ["users", "add", "bob", "--role", "reviewer", "--db", str(db)]
    passwd = ["users", "passwd", "anne", "--db", str(db)]
    for password, why in WEAK:
        assert _cli(monkeypatch, password, *add) == 2, password
        err = capsys.readouterr().err
        expected = why if password.strip() else "no password on standard input"  # the CLI's
        assert err.startswith("mtreview: error: ") and err.count("\n") == 1, err
        assert expected in err and repr(password) not in err  # never echoed
        assert _cli(monkeypatch, _for_anne(password), *passwd) == 2, password
        assert expected in capsys.readouterr().err
    assert _state(db) == before
    with ReviewStore(db) as store:  # the old password still signs in; no weak one does
        assert store.sign_in("anne", GOOD).user.name == "anne"
        with pytest.raises(AuthError):
            store.sign_in("bob", "password1234")


def test_the_library_refuses_weak_passwords(db: Path) -> None:
    with ReviewStore(db) as store:
        anne = store.sign_in("anne", GOOD).principal
    before = _state(db)
    with ReviewStore(db) as store:
        for password, why in WEAK:
            with pytest.raises(PasswordRefused, match=why):
                store.add_user("bob", role="reviewer", password=password, by=anne)
            with pytest.raises(PasswordRefused, match=why):
                store.update_user("anne", password=_for_anne(password), by=anne)
    assert _state(db) == before


def test_a_strong_password_is_taken(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add = ["users", "add", "bob", "--role", "reviewer", "--db", str(db)]
    assert _cli(monkeypatch, "copper meadow tundra", *add) == 0
    assert _cli(monkeypatch, "Tr0ub4dor&3 horse", "users", "passwd", "bob", "--db", str(db)) == 0
    with ReviewStore(db) as store:
        assert store.sign_in("bob", "Tr0ub4dor&3 horse").user.name == "bob"
