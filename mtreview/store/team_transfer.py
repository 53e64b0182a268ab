"""Team records of the reviews backup: each reviewer's "done" marks and the lead's
adjudication (after a segment's other records), and the audit log (after the documents).

Like the rest of the format: no database ids, timestamps kept, a merge skips what the store
already has. Audit lines are written live or imported alike and always come in as imported
history (`audit_log.imported`, outside the hash chain: `mtreview.store.audit`), so a forged
line in a file never becomes a live row; the import itself is a live row of the store that
imported. So export -> import -> export gives the same bytes followed by that one line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.store.base import StoreBase
from mtreview.store.read import reviewer_names
from mtreview.store.team_schema import adjudications, audit_log, reviewer_marks

Record = dict[str, Any]


def segment_records(conn: Connection, ids: list[int]) -> dict[int, list[tuple[str, Record]]]:
    """segment id -> its ("done" | "adjudication", fields other than type, doc, segment)."""
    marks = conn.execute(
        sa.select(reviewer_marks).where(reviewer_marks.c.segment_id.in_(ids))
    ).all()
    names = reviewer_names(conn, {m.reviewer_id for m in marks})
    found: dict[int, list[tuple[str, Record]]] = defaultdict(list)
    for m in sorted(marks, key=lambda m: (m.segment_id, names[m.reviewer_id])):
        found[m.segment_id].append(
            ("done", {"reviewer": names[m.reviewer_id], "reviewed_at": m.reviewed_at})
        )
    for a in conn.execute(sa.select(adjudications).where(adjudications.c.segment_id.in_(ids))):
        found[a.segment_id].append(
            (
                "adjudication",
                {
                    "text": a.text,
                    "annotations": list(a.annotations),
                    "adjudicator": a.adjudicator,
                    "note": a.note,
                    "created_at": a.created_at,
                },
            )
        )
    return found


def dump_audit(
    store: StoreBase, docs: Sequence[str], check: Callable[[Connection], None] | None = None
) -> Iterator[Record]:
    """The audit log, oldest first: all of it, or the lines about the chosen documents.
    `check`: run first in each read (the dump's viewer check)."""
    last = ("", 0)
    while True:
        with store._read() as conn:
            if check is not None:
                check(conn)
            query = sa.select(audit_log).where(
                sa.tuple_(audit_log.c.at, audit_log.c.id) > sa.tuple_(*last)
            )
            if docs:
                query = query.where(audit_log.c.doc_id.in_(list(docs)))
            rows = conn.execute(query.order_by(audit_log.c.at, audit_log.c.id).limit(500)).all()
        if not rows:
            return
        last = (rows[-1].at, rows[-1].id)
        for r in rows:
            yield {
                "type": "audit",
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "doc": r.doc_id,
                "segment": r.segment,
                "detail": r.detail,
            }


def team_handlers(loader: Any) -> dict[str, Callable[[Record], None]]:
    """The Loader's handlers for team records (`loader` is a `merge.Loader`)."""

    def done(r: Record) -> None:
        seg = loader._current(r)
        rid = loader._reviewer(r["reviewer"])
        key = {"segment_id": seg.id, "reviewer_id": rid}
        if loader._exists(reviewer_marks, key):
            loader.counts["skipped"] += 1
            return
        loader.conn.execute(reviewer_marks.insert(), {**key, "reviewed_at": r["reviewed_at"]})
        loader.counts["marks"] += 1

    def adjudication(r: Record) -> None:
        seg = loader._current(r)
        for span in r["annotations"]:
            if not (isinstance(span, dict) and _span_ok(span, len(seg.text))):
                raise StoreError(
                    f"adjudication of {r['doc']!r} segment {r['segment']}: each annotation "
                    f"needs start < end inside the segment (0..{len(seg.text)}), category, "
                    "severity"
                )
        if loader._exists(adjudications, {"segment_id": seg.id, "created_at": r["created_at"]}):
            loader.counts["skipped"] += 1
            return
        loader.conn.execute(adjudications.delete().where(adjudications.c.segment_id == seg.id))
        loader.conn.execute(
            adjudications.insert(),
            {
                "segment_id": seg.id,
                "text": r["text"],
                "annotations": r["annotations"],
                "adjudicator": r["adjudicator"],
                "note": r["note"],
                "created_at": r["created_at"],
            },
        )
        loader.counts["adjudications"] += 1

    def audit(r: Record) -> None:
        values = {
            "at": r["at"],
            "actor": r["actor"],
            "action": r["action"],
            "doc_id": r["doc"],
            "segment": r["segment"],
        }
        if loader._exists(audit_log, values):  # live or imported: the store has it
            loader.counts["skipped"] += 1
            return
        loader.conn.execute(
            audit_log.insert(), {**values, "detail": r["detail"], "imported": True}
        )  # another store's history as it came: marked, outside this store's chain
        loader.counts["audit"] += 1

    return {"done": done, "adjudication": adjudication, "audit": audit}


def _span_ok(span: dict[str, Any], length: int) -> bool:
    start, end = span.get("start"), span.get("end")
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= length
        and all(isinstance(span.get(k), str) and span[k].strip() for k in ("category", "severity"))
    )
