"""Team work in the store, on SQLite and on a real PostgreSQL (the `store_db` fixture):
accounts and sessions, the audit log, assignments with overlap, blind double review,
adjudication, and the team records of the reviews backup."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from mtreview.analysis import SegmentAnalysis
from mtreview.errors import ConflictError, StoreError
from mtreview.readers import document_from_text
from mtreview.store import AuthError, FinalSpan, ReviewStore
from mtreview.store.principal import Principal
from mtreview.testing.team import provider_sign_in, team

TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(20))
PEOPLE: dict[str, tuple[str, str | None]] = {
    "anne": ("reviewer", None),
    "bob": ("reviewer", None),
    "lena": ("lead", None),
}


@pytest.fixture
def store(store_db: str) -> Iterator[ReviewStore]:
    store = ReviewStore(store_db)
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    risks = [SegmentAnalysis(segment=s, risk=(s.index * 7 % 20) / 20) for s in doc.segments]
    store.add_document(doc, risks)
    yield store
    store.close()


def test_accounts_passwords_and_sessions(store: ReviewStore, store_db: str) -> None:
    assert not store.has_accounts()
    with pytest.raises(StoreError, match="first account of a store must be an admin"):
        store.add_user("anne", role="reviewer", password="correct horse battery", by="anne")
    store.add_user("admin", role="admin", password=None, by="admin")  # the first: no credential
    admin = provider_sign_in(store, "admin").principal
    store.add_user("anne", role="reviewer", password="correct horse battery", by=admin)
    store.add_user("lena", role="lead", password="battery staple donkey", by=admin)
    assert store.has_accounts()
    assert [(u.name, u.role, u.disabled) for u in store.users()] == [
        ("admin", "admin", False),
        ("anne", "reviewer", False),
        ("lena", "lead", False),
    ]
    with pytest.raises(StoreError, match="already exists"):
        store.add_user("anne", role="lead", password="whatever pass 12", by=admin)
    with pytest.raises(StoreError, match="unknown role"):
        store.add_user("x", role="boss", password="whatever pass 12", by=admin)
    with pytest.raises(StoreError, match="at least 12"):
        store.add_user("y", role="reviewer", password="short", by=admin)
    # the password is stored as an argon2id hash, never in clear
    engine = sa.create_engine(store.url)
    with engine.connect() as conn:
        query = "SELECT password_hash FROM accounts WHERE password_hash IS NOT NULL"
        stored = conn.exec_driver_sql(query).scalars().all()
    engine.dispose()
    assert len(stored) == 2
    assert all(h.startswith("$argon2id$") and "correct horse" not in h for h in stored)

    with pytest.raises(AuthError):
        store.sign_in("anne", "wrong password")
    with pytest.raises(AuthError):
        store.sign_in("nobody", "correct horse battery")
    session = store.sign_in("anne", "correct horse battery")
    assert session.user.name == "anne" and len(session.token) >= 40
    assert store.session_user(session.token) == session.user
    assert store.principal(session.token) == session.principal == "anne"
    assert isinstance(session.principal, Principal) and session.principal.role == "reviewer"
    assert session.token not in repr(session.principal)
    assert store.session_user("forged-token") is None and store.session_user(None) is None
    # expired sessions are refused
    old = store.sign_in("anne", "correct horse battery", hours=-1)
    assert store.session_user(old.token) is None
    # a new password ends the sessions; disabling refuses sign-in
    store.update_user("anne", password="new pass phrase 7!", by=admin)
    assert store.session_user(session.token) is None
    again = store.sign_in("anne", "new pass phrase 7!")
    store.update_user("anne", disabled=True, by=admin)
    assert store.session_user(again.token) is None
    with pytest.raises(AuthError):
        store.sign_in("anne", "new pass phrase 7!")
    lena = store.sign_in("lena", "battery staple donkey")
    store.sign_out(lena.token)
    assert store.session_user(lena.token) is None
    actions = [(e.actor, e.action) for e in store.audit_log()]
    assert ("admin", "add-user") in actions and ("anne", "sign-in") in actions
    assert ("lena", "sign-out") in actions and ("admin", "update-user") in actions


def test_every_action_is_in_the_audit_log(store: ReviewStore) -> None:
    """On a store without accounts (one local user), a plain name acts."""
    store.add_annotation("d", 2, 0, 6, category="Style/Awkward", severity="minor", reviewer="bo")
    store.save_correction("d", 2, "Phrase deux.", expected_version=0, reviewer="bo")
    store.mark_reviewed("d", 3, reviewer="al")
    log = store.audit_log("d")
    assert [(e.actor, e.action, e.segment) for e in log] == [
        ("system:library", "import-document", None),  # the fixture's add_document
        ("bo", "annotate", 2),
        ("bo", "correct", 2),
        ("al", "reviewed", 3),
    ]
    assert log[2].detail == {"version": 1, "text": "Phrase deux."}
    assert log[0].at < log[1].at < log[2].at < log[3].at
    assert store.verify_audit().ok and store.verify_audit().rows == len(store.audit_log())


def test_assign_with_overlap_queue_and_progress(store: ReviewStore) -> None:
    who = team(store, PEOPLE)
    summary = store.assign("d", ["anne", "bob"], by=who["lena"], overlap=0.1)
    # 20 segments in two blocks of 10; 2 of them (evenly spaced) go to the other reviewer too
    assert (summary.segments, summary.doubled) == (20, 2)
    assert sum(summary.per_reviewer.values()) == 22
    doubled = [i for i in range(20) if len(store.assignees("d", i)) == 2]
    assert len(doubled) == 2 and doubled[0] < 10 <= doubled[1]
    queue = store.queue("anne")
    assert len(queue) == summary.per_reviewer["anne"]
    assert [q.risk for q in queue] == sorted((q.risk for q in queue), reverse=True)
    assert {q.index for q in queue} == {i for i in range(20) if "anne" in store.assignees("d", i)}
    store.mark_reviewed("d", queue[0].index, reviewer=who["anne"])
    assert queue[0].index not in {q.index for q in store.queue("anne")}
    progress = {p.reviewer: (p.assigned, p.done) for p in store.progress()}
    assert progress == {
        "anne": (summary.per_reviewer["anne"], 1),
        "bob": (summary.per_reviewer["bob"], 0),
    }
    with pytest.raises(StoreError, match="two reviewers"):
        store.assign("d", ["anne"], by=who["lena"], overlap=0.5)
    assert store.unassign("d", "bob", by=who["lena"]) == summary.per_reviewer["bob"]
    assert [p.reviewer for p in store.progress()] == ["anne"]


def test_blind_double_review_and_adjudication(store: ReviewStore) -> None:
    who = team(store, PEOPLE)
    anne, bob, lena = who["anne"], who["bob"], who["lena"]
    store.assign("d", ["anne", "bob"], by=lena, overlap=1.0)
    a = store.save_correction(
        "d", 4, "Anne 4.", expected_version=0, reviewer=anne, independent=True
    )
    b = store.save_correction("d", 4, "Bob 4.", expected_version=0, reviewer=bob, independent=True)
    assert (a.version, b.version) == (1, 1)  # no conflict: each has their own chain, from 1
    with pytest.raises(ConflictError):  # but a stale tab of anne's own is refused
        store.save_correction("d", 4, "x", expected_version=0, reviewer=anne, independent=True)
    store.add_annotation("d", 4, 0, 6, category="Style/Awkward", severity="minor", reviewer=anne)
    store.add_annotation("d", 4, 0, 6, category="Accuracy/Mistranslation", severity="major",
                         reviewer=bob)  # fmt: skip
    # blind: each reviewer reads only their own work until the lead adjudicates
    assert [c.text for c in store.corrections("d", 4, viewer=anne)] == ["Anne 4."]
    assert list(store.reviewer_work("d", 4, viewer=bob)) == ["bob"]
    work = store.reviewer_work("d", 4, viewer=lena)
    assert set(work) == {"anne", "bob"}
    assert (work["anne"].correction, work["bob"].correction) == ("Anne 4.", "Bob 4.")
    assert work["anne"].spans[0].category == "Style/Awkward"
    assert work["anne"].reviewed_at and work["bob"].reviewed_at
    [shared] = list(store.shared_segments(viewer=lena))
    assert (shared.index, sorted(shared.work)) == (4, ["anne", "bob"])

    final = [FinalSpan(0, 6, "Accuracy/Mistranslation", "major", reviewer="bob")]
    store.adjudicate("d", 4, by=lena, text="Bob 4.", spans=final, note="bob is right")
    with pytest.raises(StoreError, match="outside segment"):
        store.adjudicate("d", 4, by=lena, text=None, spans=[FinalSpan(0, 999, "Other", "minor")])
    [(index, adjudication)] = store.adjudications("d").items()
    assert (index, adjudication.text, adjudication.annotations) == (4, "Bob 4.", tuple(final))
    assert (store.audit_log("d")[-1].action, store.audit_log("d")[-1].actor) == (
        "adjudicate",
        "lena",
    )
    # adjudicated: the history is no longer blind
    assert [c.text for c in store.corrections("d", 4, viewer=anne)] == ["Anne 4.", "Bob 4."]


def test_team_records_survive_the_backup(store: ReviewStore, store_db: str, tmp_path) -> None:
    who = team(store, PEOPLE)
    store.assign("d", ["anne", "bob"], by=who["lena"], overlap=1.0)
    for name in ("anne", "bob"):
        store.mark_reviewed("d", 1, reviewer=who[name])
    final = [FinalSpan(0, 5, "Other", "minor")]
    store.adjudicate("d", 1, by=who["lena"], text="Final.", spans=final)
    first = io.BytesIO()
    store.write_reviews(first)
    kinds = [json.loads(line)["type"] for line in first.getvalue().splitlines()]
    assert kinds.count("done") == 2 and kinds.count("adjudication") == 1
    assert kinds[-1] == "audit" and kinds.count("audit") == len(store.audit_log())
    path = tmp_path / "backup.jsonl"
    path.write_bytes(first.getvalue())
    # into a fresh store of the other kind, and back out: the same bytes
    with ReviewStore(tmp_path / "fresh.db") as fresh:
        summary = fresh.import_reviews(path)
        assert (summary.marks, summary.adjudications) == (2, 1)
        assert summary.audit == len(store.audit_log())
        second = io.BytesIO()
        fresh.write_reviews(second)
        assert fresh.adjudications("d")[1].text == "Final."
        assert all(entry.imported for entry in fresh.audit_log()[:-1])
        assert fresh.verify_audit().rows == 1  # its own import, the only live row
    # the same bytes, then the one live row of the fresh store: its import
    assert second.getvalue().startswith(first.getvalue())
    [own] = second.getvalue()[len(first.getvalue()) :].splitlines()
    assert json.loads(own)["action"] == "import-reviews"
