"""Issue 21, point 8: names. The attacker picks a user or reviewer name that erases lines
in `users list` (ANSI escapes), hides (zero-width, bidi controls), shadows another
(`Lena` beside `lena`, full-width letters) or impersonates the CLI (`cli:root`). The store
refuses each, through the library and through the CLI, and writes nothing."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from mtreview.cli import main
from mtreview.errors import StoreError
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.names import NameRefused
from mtreview.store.schema import now, reviewers

TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(4))
PASSWORD = "plum orchard lantern"
HOSTILE = [
    ("\x1b[2K\x1b[1Groot", "control character"),  # ANSI: erase the line, back to column 1
    ("lena\u200b", "format character"),  # zero-width space
    ("\u202eanel", "format character"),  # right-to-left override: shows "lena"
    ("an\u2066ne", "format character"),  # bidi isolate
    ("Lena", "differs only in case"),
    ("LENA", "differs only in case"),
    ("cli:root", "reserved"),
    ("CLI:root", "reserved"),
    ("ｃｌｉ：root", "reserved"),  # full-width: NFKC makes it cli:root
    ("   ", "1 to 200 characters"),
    ("x" * 201, "1 to 200 characters"),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with ReviewStore(path) as store:
        store.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"))
        store.add_user("lena", role="admin", password=PASSWORD, by="admin")
    return path


def _state(db: Path) -> tuple[object, ...]:
    with ReviewStore(db) as store:
        return (
            store.users(),
            [r.name for r in store.reviewers()],
            len(store.audit_log()),
            [r.correction for r in store.iter_segments("doc")],
        )


def test_the_library_refuses_hostile_names_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    with ReviewStore(db) as store:
        lena = store.sign_in("lena", PASSWORD).principal
    before = _state(db)
    with ReviewStore(db) as store, ReviewStore(tmp_path / "local.db") as local:
        local.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"))
        local.reviewer("lena")  # the name the case-only variants differ from
        for name, why in HOSTILE:
            with pytest.raises(NameRefused, match=why):
                store.add_user(name, role="reviewer", password="copper meadow tundra", by=lena)
            with pytest.raises(NameRefused, match=why):  # a local reviewer's first save names them
                local.save_correction("doc", 0, "Corrigé.", expected_version=0, reviewer=name)
            with pytest.raises(NameRefused, match=why):
                local.assign("doc", [name], by="me")
            with pytest.raises(StoreError):  # on a team store: no account has that name
                store.assign("doc", [name], by=lena)
        assert [r.name for r in local.reviewers()] == ["lena"]
    assert _state(db) == before


def test_the_cli_refuses_hostile_names_in_one_line(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    before = _state(db)
    for name, why in HOSTILE[:-2]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\ncopper meadow tundra\n"))
        argv = ["users", "add", name, "--role", "reviewer", "--as", "lena", "--password-stdin",
                "--db", str(db)]  # fmt: skip
        assert main(argv) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("mtreview: error: ") and err.count("\n") == 1 and why in err
        assert "\x1b" not in err and "\u202e" not in err  # the message shows them escaped
    assert _state(db) == before


def test_names_are_nfkc_normalised_and_one_account_per_name(db: Path) -> None:
    with ReviewStore(db) as store:
        lena = store.sign_in("lena", PASSWORD).principal
        with pytest.raises(StoreError, match="user 'lena' already exists"):  # ｌｅｎａ is lena
            store.add_user("ｌｅｎａ", role="admin", password="copper meadow tundra", by=lena)
        made = store.add_user("ﬁona", role="reviewer", password="copper meadow tundra", by=lena)
        assert made.name == "fiona"
        fiona = store.sign_in("ｆｉｏｎａ", "copper meadow tundra")
        assert fiona.user.name == "fiona" == fiona.principal
        store.assign("doc", ["ｆｉｏｎａ"], by=lena)  # a reviewer works on what is assigned
        saved = store.save_correction(
            "doc", 1, "Corrigé.", expected_version=0, reviewer=fiona.principal
        )
        assert saved.reviewer == "fiona"
        assert [r.name for r in store.reviewers()] == ["fiona", "lena"]


def test_a_store_made_before_the_rules_still_opens_and_works(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with ReviewStore(path) as store:
        store.add_document(document_from_text(TEXT, doc_id="doc", name="doc.txt"))
    engine = sa.create_engine(f"sqlite:///{path}")
    old = ["Lena", "lena", "cli:bot", "zoe\u200b"]  # written by an older mtreview
    with engine.begin() as conn:
        conn.execute(reviewers.insert(), [{"name": n, "created_at": now()} for n in old])
    engine.dispose()
    with ReviewStore(path) as store:
        assert sorted(r.name for r in store.reviewers()) == sorted(old)
        for name in old:  # each still saves under its own name: checked on creation only
            saved = store.save_correction(
                "doc", old.index(name), name, expected_version=0, reviewer=name
            )
            assert saved.reviewer == name
        assert len(store.reviewers()) == len(old)
