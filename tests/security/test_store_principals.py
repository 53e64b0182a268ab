"""The store is the trust boundary: on a team store every call that changes or reveals
review work acts for a live principal, checked in the call's own transaction. Each attack
below is refused with AccessError and leaves the SQLite file's every table as it was (its
full SQL dump compared before and after)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mtreview.analysis import SegmentAnalysis
from mtreview.errors import AccessError, StoreError
from mtreview.flags import Flag
from mtreview.readers import document_from_text
from mtreview.store import FinalSpan, ReviewStore
from mtreview.store.principal import Principal
from mtreview.testing.team import provider_sign_in, team

TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(6))
PEOPLE: dict[str, tuple[str, str | None]] = {
    "anne": ("reviewer", None),
    "bob": ("reviewer", None),
    "lena": ("lead", None),
}
Call = Callable[[ReviewStore, dict[str, Principal]], object]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ReviewStore, dict[str, Principal], Path]]:
    """Segments 0-3 reviewed blind by anne and bob, 4 anne's alone, 5 bob's alone; each
    has saved, marked and annotated segment 0; bob accepted its pre-highlight."""
    db = tmp_path / "team.db"
    store = ReviewStore(db)
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    flag = Flag(0, 6, "Fluency/Grammar", "minor", ("rule:repeat",), "mot répété")
    store.add_document(doc, [SegmentAnalysis(segment=s, flags=(flag,)) for s in doc.segments])
    who = team(store, PEOPLE)
    store.assign("d", ["anne", "bob"], by=who["lena"], first=0, last=3, overlap=1.0)
    store.assign("d", ["anne"], by=who["lena"], first=4, last=4)
    store.assign("d", ["bob"], by=who["lena"], first=5, last=5)
    for name in ("anne", "bob"):
        store.save_correction("d", 0, f"{name} 0.", expected_version=0, reviewer=who[name])
        store.add_annotation("d", 0, 0, 6, category="Other", severity="minor", reviewer=who[name])
    store.decide_flag("d", 0, 0, accept=True, reviewer=who["bob"])
    yield store, who, db
    store.close()


def _dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(conn.iterdump())


def _bobs_annotation(store: ReviewStore) -> int:
    return next(a.id for a in store.segment("d", 0).annotations if a.reviewer == "bob")


FORBIDDEN: dict[str, Call] = {
    # a name is no credential on a team store
    "save as a plain name": lambda s, w: s.save_correction(
        "d", 4, "x", expected_version=0, reviewer="anne"
    ),
    "annotate as a plain name": lambda s, w: s.add_annotation(
        "d", 4, 0, 3, category="Other", severity="minor", reviewer="bob"
    ),
    "adjudicate as a plain name": lambda s, w: s.adjudicate("d", 0, by="lena", text=None, spans=[]),
    "assign as a plain name": lambda s, w: s.assign("d", ["anne"], by="admin"),
    "add a user as a plain name": lambda s, w: s.add_user(
        "eve", role="admin", password=None, by="admin"
    ),
    "a draft as a plain name": lambda s, w: s.save_draft(
        "d", 4, "x", base_version=0, reviewer="anne"
    ),
    "history with no viewer": lambda s, w: s.corrections("d", 0),
    "reviewers' work with no viewer": lambda s, w: s.reviewer_work("d", 0),
    # a principal is no more than its proof says
    "another's name on anne's proof": lambda s, w: s.adjudicate(
        "d", 0, by=Principal("lena", "lead", w["anne"].proof), text=None, spans=[]
    ),
    "a local principal on a team store": lambda s, w: s.assign(
        "d", ["anne"], by=Principal("admin", "admin", None)
    ),
    "a made-up proof": lambda s, w: s.mark_reviewed(
        "d", 4, reviewer=Principal("anne", "reviewer", "0" * 64)
    ),
    # a reviewer saves only as themselves, only on their own segments
    "save on a segment assigned to another": lambda s, w: s.save_correction(
        "d", 5, "x", expected_version=0, reviewer=w["anne"]
    ),
    "mark another's segment reviewed": lambda s, w: s.mark_reviewed("d", 5, reviewer=w["anne"]),
    "a draft on another's segment": lambda s, w: s.save_draft(
        "d", 5, "x", base_version=0, reviewer=w["anne"]
    ),
    "change another's annotation": lambda s, w: s.update_annotation(
        _bobs_annotation(s), reviewer=w["anne"], comment="mine now"
    ),
    "delete another's annotation": lambda s, w: s.delete_annotation(
        _bobs_annotation(s), reviewer=w["anne"]
    ),
    # (on segment 0 anne decides the flag bob decided for herself: tests/security/
    # test_blind_decisions.py; on bob's own segment she decides nothing)
    "decide a pre-highlight of another's segment": lambda s, w: s.decide_flag(
        "d", 5, 0, accept=False, reviewer=w["anne"]
    ),
    # lead and admin work
    "a reviewer adjudicates": lambda s, w: s.adjudicate(
        "d", 0, by=w["anne"], text="anne 0.", spans=[FinalSpan(0, 6, "Other", "minor")]
    ),
    "a reviewer assigns": lambda s, w: s.assign("d", ["anne"], by=w["anne"], first=5, last=5),
    "a reviewer unassigns": lambda s, w: s.unassign("d", "bob", by=w["anne"]),
    "a reviewer promotes herself": lambda s, w: s.update_user("anne", role="admin", by=w["anne"]),
    "a reviewer resets a password": lambda s, w: s.update_user(
        "admin", password="my own pass phrase", by=w["anne"]
    ),
    "a reviewer adds an account": lambda s, w: s.add_user(
        "eve", role="admin", password=None, by=w["anne"]
    ),
    "a lead changes a role": lambda s, w: s.update_user("anne", role="lead", by=w["lena"]),
    "the last admin demotes herself": lambda s, w: s.update_user(
        "admin", role="lead", by=w["admin"]
    ),
    "assign to a name with no account": lambda s, w: s.assign("d", ["anne", "zoe"], by=w["lena"]),
    # blind work stays blind
    "a reviewer reads the agreement input": lambda s, w: list(s.shared_segments(viewer=w["anne"])),
}


@pytest.mark.parametrize("attack", list(FORBIDDEN))
def test_each_forbidden_call_raises_and_writes_nothing(world, attack: str) -> None:
    store, who, db = world
    before = _dump(db)
    error = AccessError if attack != "assign to a name with no account" else StoreError
    with pytest.raises(error):
        FORBIDDEN[attack](store, who)
    assert _dump(db) == before


def test_ended_sessions_and_changed_roles_act_no_more(world) -> None:
    """Signed out, expired, disabled, demoted: checked at each call, not at sign-in."""
    store, who, db = world
    gone = provider_sign_in(store, "anne")
    store.sign_out(gone.token)
    old = provider_sign_in(store, "anne", hours=-1)
    store.update_user("lena", role="reviewer", by=who["admin"])
    store.update_user("bob", disabled=True, by=who["admin"])
    before = _dump(db)
    calls: list[Call] = [
        lambda s, w: s.mark_reviewed("d", 4, reviewer=gone.principal),
        lambda s, w: s.mark_reviewed("d", 4, reviewer=old.principal),
        lambda s, w: s.adjudicate("d", 0, by=w["lena"], text=None, spans=[]),
        lambda s, w: s.mark_reviewed("d", 5, reviewer=w["bob"]),
    ]
    for call in calls:
        with pytest.raises(AccessError):
            call(store, who)
    assert store.principal(gone.token) is None and store.principal(old.token) is None
    assert _dump(db) == before


def test_blind_reads_show_only_the_readers_own_work_until_adjudicated(world) -> None:
    store, who, _db = world
    anne, bob, lena = who["anne"], who["bob"], who["lena"]
    assert [(c.reviewer, c.text) for c in store.corrections("d", 0, viewer=anne)] == [
        ("anne", "anne 0.")
    ]
    assert list(store.reviewer_work("d", 0, viewer=bob)) == ["bob"]
    assert sorted(store.reviewer_work("d", 0, viewer=lena)) == ["anne", "bob"]
    # a non-independent save on a blind segment is saved on the reviewer's own chain: a
    # conflict would have shown them bob's text
    mine = store.save_correction("d", 0, "anne again.", expected_version=1, reviewer=anne)
    assert mine.text == "anne again."
    store.adjudicate("d", 0, by=lena, text="final.", spans=[])
    assert {c.reviewer for c in store.corrections("d", 0, viewer=anne)} == {"anne", "bob"}


def test_the_right_principal_may(world) -> None:
    """The same calls, by whom they belong to, succeed (the refusals above are not blanket)."""
    store, who, _db = world
    store.save_correction("d", 4, "Anne 4.", expected_version=0, reviewer=who["anne"])
    store.update_annotation(_bobs_annotation(store), reviewer=who["bob"], comment="mine")
    store.update_annotation(_bobs_annotation(store), reviewer=who["lena"], comment="lead")
    store.adjudicate("d", 0, by=who["lena"], text=None, spans=[])
    store.update_user("anne", role="lead", by=who["admin"])
    actors = [(e.actor, e.action) for e in store.audit_log()[-5:]]
    assert actors == [
        ("anne", "correct"),
        ("bob", "update-annotation"),
        ("lena", "update-annotation"),
        ("lena", "adjudicate"),
        ("admin", "update-user"),
    ]


def test_a_store_without_accounts_takes_plain_names(tmp_path: Path) -> None:
    """One local user, nothing to authenticate: names act, with every permission."""
    with ReviewStore(tmp_path / "local.db") as store:
        store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
        store.assign("d", ["anne", "bob"], by="me", overlap=1.0)
        store.save_correction("d", 0, "x.", expected_version=0, reviewer="anne")
        store.adjudicate("d", 0, by="me", text=None, spans=[])
        assert store.local_principal("me") == "me"
        store.add_user("admin", role="admin", password=None, by="admin")
        with pytest.raises(AccessError):
            store.local_principal("me")
