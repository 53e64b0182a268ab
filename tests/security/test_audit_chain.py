"""The audit log shows tampering (issue 21, point 4), on SQLite and on a real PostgreSQL.

Every audited action adds a row chained to the one before by a hash; `mtreview audit
verify` recomputes the chain and names the first row that was edited, deleted, moved or
written behind mtreview's back. A forged line in a reviews backup comes in as imported
history, marked, outside the chain; concurrent writers keep one unbroken chain.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mtreview.cli import main
from mtreview.readers import document_from_text
from mtreview.store import AuthError, ReviewStore
from mtreview.store.audit import GENESIS, row_digest
from mtreview.store.team_schema import audit_log

TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(8))


@pytest.fixture
def store(store_db: str) -> Iterator[ReviewStore]:
    store = ReviewStore(store_db)
    store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"), by="lena")
    yield store
    store.close()


def _work(store: ReviewStore) -> None:
    """A few audited actions of several kinds."""
    store.add_annotation("d", 1, 0, 6, category="Style/Awkward", severity="minor", reviewer="bo")
    store.save_correction("d", 2, "Phrase deux.", expected_version=0, reviewer="bo")
    store.mark_reviewed("d", 3, reviewer="al")
    store.assign("d", ["al", "bo"], by="lena")
    store.record("lena", "export", "d", format="tmx")


def _sql(store: ReviewStore, statement: str, **params: object) -> None:
    """Raw SQL, as someone with write access to the database would run it."""
    engine = sa.create_engine(store.url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement), params)
    finally:
        engine.dispose()


def _rows(store: ReviewStore) -> list[sa.Row]:
    engine = sa.create_engine(store.url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(audit_log).order_by(audit_log.c.id)))
    finally:
        engine.dispose()


def _verify(db: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--db", db, *extra])
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert len(lines) == 1, lines
    return code, lines[0]


def test_actions_make_chained_rows_and_verify_passes(
    store: ReviewStore, store_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _work(store)
    rows = _rows(store)
    assert [r.action for r in rows] == [
        "import-document", "annotate", "correct", "reviewed", "assign", "export",
    ]  # fmt: skip
    previous = GENESIS
    for place, row in enumerate(rows, start=1):
        assert (row.seq, row.prev_hash, bool(row.imported)) == (place, previous, False)
        assert row.row_hash == row_digest(row.seq, row.prev_hash, row)
        previous = row.row_hash
    check = store.verify_audit()
    assert check.ok and (check.rows, check.head_seq, check.head) == (6, 6, previous)
    code, line = _verify(store_db, capsys)
    assert code == 0 and line == f"audit log: 6 rows, chain intact, head 6:{previous}"
    assert _verify(store_db, capsys, "--print-head") == (0, f"6:{previous}")


TAMPERING = {
    # what is done, with the id of the row to name (by position: 1 = first) and the words
    "edit a row's detail": (
        "UPDATE audit_log SET detail = CAST(:detail AS JSON) WHERE id = :id2",
        2,
        "was edited",
    ),
    "delete a middle row": ("DELETE FROM audit_log WHERE id = :id3", 4, "3 missing before it"),
    "update the last row's actor": (
        "UPDATE audit_log SET actor = 'mallory' WHERE id = :id6",
        6,
        "was edited",
    ),
    "move a row to the end": (
        "UPDATE audit_log SET id = :id6 + 100 WHERE id = :id2",
        3,
        "out of order",
    ),
    "insert a row by hand": (
        "INSERT INTO audit_log (id, at, actor, action, detail) "
        "VALUES (:id3 + 100, '2000-01-01', 'lena', 'adjudicate', '{}')",
        103,  # (its id is id3 + 100: 103 as the first row has id 1)
        "not chained",
    ),
    "re-hash an edited row": (
        "UPDATE audit_log SET actor = 'mallory', row_hash = :rehash WHERE id = :id4",
        5,
        "is broken",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_verify_names_the_first_broken_row(
    store: ReviewStore, store_db: str, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    _work(store)
    rows = _rows(store)
    ids = {f"id{n}": row.id for n, row in enumerate(rows, start=1)}
    assert ids["id1"] == 1  # the names in TAMPERING count on it
    fourth = rows[3]._mapping
    rehash = row_digest(fourth["seq"], fourth["prev_hash"], {**fourth, "actor": "mallory"})
    statement, named, words = TAMPERING[how]
    _sql(store, statement, detail=json.dumps({"text": "forged"}), rehash=rehash, **ids)
    check = store.verify_audit()
    assert not check.ok and check.broken == named and words in str(check.problem)
    code, line = _verify(store_db, capsys)
    assert code == 1 and line.startswith(f"audit log: row {named}: ") and words in line


def test_a_cut_tail_shows_against_the_head(
    store: ReviewStore, store_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _work(store)
    last = _rows(store)[-1].id
    _sql(store, "DELETE FROM audit_log WHERE id = :last", last=last)
    code, line = _verify(store_db, capsys)
    assert code == 1 and "the last 1 row(s) of the chain are missing after row" in line


def test_a_forged_row_in_a_backup_comes_in_as_marked_history(
    store: ReviewStore, store_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _work(store)
    backup = tmp_path / "reviews.jsonl"
    with backup.open("wb") as output:
        store.write_reviews(output)
    forged = {
        "type": "audit", "at": "2000-01-01T00:00:00+00:00", "actor": "lena",
        "action": "adjudicate", "doc": "d", "segment": 1, "detail": {"text": "forged"},
    }  # fmt: skip
    with backup.open("a", encoding="utf-8") as output:
        output.write(json.dumps(forged) + "\n")
    before = store.verify_audit().rows
    for target in (store_db, str(tmp_path / "fresh.db")):
        assert main(["import-reviews", str(backup), "--db", target]) == 0
        code, line = _verify(target, capsys)
        assert code == 0 and "chain intact" in line, line
        with ReviewStore(target) as opened:
            log = opened.audit_log()
        [came] = [e for e in log if e.action == "adjudicate"]
        assert came.imported and came.at == forged["at"] and log[0] == came  # marked
        [imported] = [e for e in log if e.action == "import-reviews"]
        assert not imported.imported and imported.actor.startswith("cli")
        assert imported.detail["file"] == "reviews.jsonl" and len(imported.detail["sha256"]) == 64
    # into the store it came from: only the forged line is new, the rest was there
    assert store.verify_audit().rows == before + 1  # + its import, a live row
    assert imported.detail["audit"] == len([line for line in backup.read_text().splitlines()
                                            if '"type": "audit"' in line])  # fmt: skip
    # importing again adds no audit row but the import's own
    again = store.import_reviews(backup, by="lena")
    assert again.audit == 0 and store.verify_audit().ok


def test_failed_sign_ins_and_exports_are_audited(store: ReviewStore, tmp_path: Path) -> None:
    store.add_user("anne", role="admin", password="correct horse battery", by="lena")  # the first
    for name, password in (("anne", "wrong password!"), ("nobody", "correct horse battery")):
        with pytest.raises(AuthError):
            store.sign_in(name, password)
    from mtreview.export import export_to_path

    anne = store.sign_in("anne", "correct horse battery").principal
    export_to_path(store, "tmx", tmp_path / "out.tmx", by=anne)  # a team store: a principal
    log = [(e.actor, e.action, e.detail.get("reason")) for e in store.audit_log()]
    assert ("anne", "sign-in-failed", "wrong password") in log
    assert ("nobody", "sign-in-failed", "no such account") in log
    assert ("anne", "export", None) in log and store.verify_audit().ok


def _record_many(db: str, name: str, rounds: int) -> None:
    store = ReviewStore(db)
    try:
        for n in range(rounds):
            store.record(name, "export", "d", n=n)
    finally:
        store.close()


def _chain_holds(store: ReviewStore, expected: int) -> None:
    check = store.verify_audit()
    assert check.ok, check.describe()
    rows = _rows(store)
    assert check.rows == len(rows) == expected
    assert [r.seq for r in rows] == list(range(1, expected + 1))


def test_concurrent_threads_keep_one_chain(store: ReviewStore, store_db: str) -> None:
    threads = [
        threading.Thread(target=_record_many, args=(store_db, f"t{i}", 10)) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    _chain_holds(store, 1 + 40)


@pytest.mark.processes
def test_concurrent_processes_keep_one_chain(store: ReviewStore, store_db: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(store_db, f"p{i}", 8)) for i in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    _chain_holds(store, 1 + 24)


def test_a_schema_3_store_is_chained_when_upgraded(tmp_path: Path) -> None:
    """Rows already there are chained at the upgrade (earlier changes cannot show)."""
    data = Path(__file__).resolve().parent.parent / "data"
    db = tmp_path / "v3.db"
    text = (data / "schema-v3.txt").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    with sqlite3.connect(db) as conn:
        for statement in "\n".join(lines).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema', '3')")
        for n in range(3):
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, 'lena', 'x', ?)",
                (f"2024-01-0{n + 1}", json.dumps({"n": n})),
            )
    conn.close()
    with ReviewStore(db) as store:
        assert store.verify_audit().rows == 3
        store.record("lena", "export")
        _chain_holds(store, 4)
