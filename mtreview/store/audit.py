"""The audit log as a hash chain: each live row holds the hash of the row before it.

A live row's `row_hash` is the SHA-256 of a canonical JSON (sorted keys, ASCII, no spaces)
of its place in the chain (`seq`, 1, 2, …), the previous row's hash (`prev_hash`; 64 zeros
before the first) and its content (at, actor, action, document, segment, detail). The
one-row table `audit_head` holds the last place and hash. Rows are chained when their
transaction commits (`StoreBase._write` hands them to `append`): the head is read under a
lock (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serializes writers already, BEGIN
IMMEDIATE), the rows inserted after it, the head moved on, all in the transaction of the
action they record. Concurrent writers queue on the head, so the chain never forks (and
the unique index on `seq` refuses a fork if anything else tried).

`verify` walks the live rows in id order and recomputes every hash: an edited row, a
deleted one (a place missing), rows out of order, a row written outside mtreview (no
hash) and a cut tail (the head says more) are found and the first is named. What it
cannot see: someone able to write to the database can recompute the whole chain and the
head; record the head (`mtreview audit verify` prints it) somewhere they cannot write.
Rows imported from a reviews backup (`imported`) are another store's history as it came:
marked, kept outside the chain, never vouched for. Rows present when a store was upgraded
to schema 4 were chained then: changes made before the upgrade cannot show.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.store.team_schema import audit_head, audit_log
from mtreview.store.text import store_json

GENESIS = "0" * 64
HEAD_ID = 1
BATCH = 1000
PENDING = "mtreview_audit_pending"  # Connection.info key: rows waiting for the commit


def normalized(detail: dict[str, object]) -> dict[str, Any]:
    """The detail as the database gives it back (JSON both ways), so its hash holds."""
    loaded = json.loads(store_json(detail))
    return loaded if isinstance(loaded, dict) else {}


def row_digest(seq: int, prev_hash: str, row: Any) -> str:
    """The hash of a live row (a mapping or a result row with the audit columns)."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    body = {
        "seq": seq,
        "prev_hash": prev_hash,
        "at": get("at"),
        "actor": get("actor"),
        "action": get("action"),
        "doc_id": get("doc_id"),
        "segment": get("segment"),
        "detail": get("detail"),
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _locked_head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the chain's head, locked until the transaction ends."""
    query = sa.select(audit_head).where(audit_head.c.id == HEAD_ID).with_for_update()
    head = conn.execute(query).first()
    if head is None:
        try:
            with conn.begin_nested():
                conn.execute(audit_head.insert().values(id=HEAD_ID, seq=0, row_hash=GENESIS))
        except sa.exc.IntegrityError:  # another writer made it just now
            pass
        head = conn.execute(query).one()
    return int(head.seq), str(head.row_hash)


def append(conn: Connection, entries: Sequence[dict[str, Any]]) -> None:
    """Chain `entries` (at, actor, action, doc_id, segment, detail) after the head, one
    insert each (ids follow the chain), and move the head; in the caller's transaction."""
    if not entries:
        return
    seq, prev = _locked_head(conn)
    for entry in entries:
        seq += 1
        digest = row_digest(seq, prev, entry)
        conn.execute(
            audit_log.insert().values(
                **entry, seq=seq, prev_hash=prev, row_hash=digest, imported=False
            )
        )
        prev = digest
    conn.execute(
        audit_head.update().where(audit_head.c.id == HEAD_ID).values(seq=seq, row_hash=prev)
    )


def chain_existing(conn: Connection) -> int:
    """Chain every row of a log that had no chain (a store upgraded to schema 4), in id
    order, and set the head; how many rows. Done once, by the migration."""
    seq, prev, last = 0, GENESIS, 0
    while True:
        rows = conn.execute(
            sa.select(audit_log).where(audit_log.c.id > last).order_by(audit_log.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            seq += 1
            digest = row_digest(seq, prev, row)
            conn.execute(
                audit_log.update()
                .where(audit_log.c.id == row.id)
                .values(seq=seq, prev_hash=prev, row_hash=digest, imported=False)
            )
            prev, last = digest, row.id
    conn.execute(audit_head.delete())
    conn.execute(audit_head.insert().values(id=HEAD_ID, seq=seq, row_hash=prev))
    return seq


@dataclasses.dataclass(frozen=True)
class AuditCheck:
    """What `verify` found: the live rows checked, the imported ones (outside the chain),
    the head (place and hash of the last live row), and the first problem, if any:
    `broken` names the row (None when no row can be named, e.g. a cut tail's head)."""

    rows: int
    imported: int
    head_seq: int
    head: str
    broken: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        """One line: the summary (with the head to record elsewhere), or the first fault."""
        if self.problem is not None:
            where = f"row {self.broken}: " if self.broken is not None else ""
            return f"audit log: {where}{self.problem}"
        extra = f"; {self.imported} imported rows (history, not chained)" if self.imported else ""
        return f"audit log: {self.rows} rows, chain intact, head {self.head_seq}:{self.head}{extra}"


def _live_rows(conn: Connection) -> Iterator[Any]:
    last = None
    while True:
        query = sa.select(audit_log).where(audit_log.c.imported == sa.false())
        if last is not None:
            query = query.where(audit_log.c.id > last)
        rows = conn.execute(query.order_by(audit_log.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _place_of(conn: Connection, seq: int) -> int | None:
    query = sa.select(audit_log.c.id).where(
        (audit_log.c.seq == seq) & (audit_log.c.imported == sa.false())
    )
    found = conn.execute(query.limit(1)).scalar()
    return None if found is None else int(found)


def _row_problem(
    conn: Connection, row: Any, seq: int, prev: str, prev_id: int | None
) -> str | None:
    """Why a live row does not follow (`seq`, `prev`, the row `prev_id`), or None."""
    if row.seq is None or row.prev_hash is None or row.row_hash is None:
        return "not chained: it has no hash (a row written outside mtreview)"
    if row_digest(row.seq, row.prev_hash, row) != row.row_hash:
        return "its content does not match its hash: the row was edited"
    expected = seq + 1
    if row.seq > expected:
        elsewhere = _place_of(conn, expected)
        if elsewhere is None:
            missing = row.seq - expected
            places = f"{expected}" if missing == 1 else f"{expected} to {row.seq - 1}"
            return (
                f"chain place {places} missing before it ({missing} row"
                f"{'s' if missing > 1 else ''} deleted)"
            )
        return f"out of order: chain place {row.seq} before place {expected} (row {elsewhere})"
    if row.seq < expected:
        return f"out of order: chain place {row.seq} after place {seq}"
    if row.prev_hash != prev:
        before = f"row {prev_id}" if prev_id is not None else "the start of the chain"
        return f"its link to {before} is broken: that row was replaced"
    return None


def verify(conn: Connection) -> AuditCheck:
    """Recompute the chain of the live rows, in one read snapshot (`conn`)."""
    head = conn.execute(sa.select(audit_head).where(audit_head.c.id == HEAD_ID)).first()
    imported = conn.execute(
        sa.select(sa.func.count()).where(audit_log.c.imported == sa.true())
    ).scalar_one()
    seq, prev, prev_id, rows = 0, GENESIS, None, 0

    def result(broken: int | None = None, problem: str | None = None) -> AuditCheck:
        return AuditCheck(rows, int(imported), seq, prev, broken, problem)

    head_seq = None if head is None else int(head.seq)
    for row in _live_rows(conn):
        problem = _row_problem(conn, row, seq, prev, prev_id)
        if problem is None and head_seq is not None and row.seq > head_seq:
            problem = f"chain place {row.seq} is past the head ({head_seq}): added behind its back"
        if problem is not None:
            return result(int(row.id), problem)
        seq, prev, prev_id, rows = int(row.seq), str(row.row_hash), int(row.id), rows + 1
    if head is None:
        if rows:
            return result(None, f"the chain head is missing ({rows} chained rows)")
        return result()
    if head_seq is not None and head_seq > seq:
        after = f"after row {prev_id} (place {seq})" if prev_id is not None else "(none is left)"
        return result(
            None,
            f"the last {head_seq - seq} row(s) of the chain are missing {after}: "
            f"the head records place {head_seq}",
        )
    if head.row_hash != prev:
        return result(prev_id, "it differs from the chain head: the last row was replaced")
    return result()
