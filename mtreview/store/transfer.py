"""Everything reviewers did, as plain records, and back: backups, merges, SQLite <-> PostgreSQL.

`dump_records` streams a store (documents, segments with their analyses, annotations,
every correction version, pre-highlight decisions) as JSON-ready dicts in a stable order
with no database ids; `load_records` writes such records into a store in one transaction,
keeping every timestamp, so dump -> load (fresh store) -> dump gives the same records.
Loading into a store that already has a document merges: identical actions are skipped,
new corrections become the next versions, a later review mark wins.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.documents import segment_to_mapping
from mtreview.errors import StoreError
from mtreview.store.base import SYSTEM_ACTOR, StoreBase
from mtreview.store.merge import BACKUP_NAMES, FORMAT, VERSION, Loader, LoadSummary
from mtreview.store.read import reviewer_names, segment_from_row
from mtreview.store.schema import (
    analyses,
    annotations_table,
    corrections,
    documents,
    flag_decisions,
    segments,
)
from mtreview.store.team_transfer import dump_audit, segment_records

BATCH = 500
Record = dict[str, Any]


def _grouped(conn: Connection, table: sa.Table, ids: list[int], *order: Any) -> dict[int, list]:
    found: dict[int, list[Any]] = defaultdict(list)
    query = sa.select(table).where(table.c.segment_id.in_(ids)).order_by(table.c.segment_id, *order)
    for row in conn.execute(query):
        found[row.segment_id].append(row)
    return found


def dump_records(
    store: StoreBase, docs: Sequence[str] = (), *, viewer: str | None = None
) -> Iterator[Record]:
    """The header, then per document its record and, segment by segment, its actions.
    `viewer` (an export's principal; None: the library's own read): on a team store one
    allowed "export" (an admin), checked in every read that takes review work out, before
    the first record is yielded."""
    check = _viewer_check(store, viewer)
    with store._read() as conn:
        check(conn)
        query = sa.select(documents).order_by(documents.c.created_at, documents.c.doc_id)
        if docs:
            query = query.where(documents.c.doc_id.in_(list(docs)))
        doc_ids = [row.doc_id for row in conn.execute(query.with_only_columns(documents.c.doc_id))]
    yield {"type": "header", "format": FORMAT, "version": VERSION}
    for doc_id in doc_ids:
        yield from _dump_document(store, doc_id, check)
    yield from dump_audit(store, docs, check)


def _viewer_check(store: StoreBase, viewer: str | None) -> Callable[[Connection], None]:
    """What each read of a dump checks first: `viewer` allowed "export" (nothing: None)."""

    def check(conn: Connection) -> None:
        if viewer is not None:
            store._acting(conn, viewer, "export")

    return check


class LongText:
    """A document's whole text, read from the database in slices when it is written out.

    The only value in a dump that grows with a document; the other records are one
    segment's worth. `str(LongText)` reads it whole (for callers that want it).
    """

    def __init__(self, store: StoreBase, doc_id: str, size: int = 1 << 18) -> None:
        self.store, self.doc_id, self.size = store, doc_id, size

    def chunks(self) -> Iterator[str]:
        column = documents.c.original
        where = documents.c.doc_id == self.doc_id
        with self.store._read() as conn:
            length = conn.execute(sa.select(sa.func.length(column)).where(where)).scalar_one()
            _refuse_cut_text(self.store, conn, self.doc_id)
        for start in range(1, length + 1, self.size):  # SQL substr counts from 1, in characters
            with self.store._read() as conn:
                query = sa.select(sa.func.substr(column, start, self.size)).where(where)
                yield conn.execute(query).scalar_one()

    def __str__(self) -> str:
        return "".join(self.chunks())


def _refuse_cut_text(store: StoreBase, conn: Connection, doc_id: str) -> None:
    """SQLite's `length()` and `substr()` stop at a NUL, so a document text holding one
    (a store written before NUL was refused) would be cut short: refuse it instead. Its
    BLOB form is searched byte by byte, NUL included."""
    if not store.is_sqlite:
        return  # PostgreSQL text cannot hold a NUL
    raw = sa.cast(documents.c.original, sa.LargeBinary)
    query = sa.select(sa.func.instr(raw, b"\x00")).where(documents.c.doc_id == doc_id)
    at = conn.execute(query).scalar()
    if at:
        raise StoreError(
            f"document {doc_id!r}: its text holds U+0000 (NUL) at byte {at - 1}, which a "
            f"review store cannot keep; {store.describe()} was written before NUL was refused"
        )


def _dump_document(
    store: StoreBase, doc_id: str, check: Callable[[Connection], None]
) -> Iterator[Record]:
    columns = [c for c in documents.c if c.name != "original"]
    with store._read() as conn:
        check(conn)
        row = conn.execute(sa.select(*columns).where(documents.c.doc_id == doc_id)).one()
        _refuse_cut_text(store, conn, doc_id)  # before any of the document is written
    yield {
        "type": "document",
        "doc": row.doc_id,
        "name": row.name,
        "lang": row.lang,
        "source_lang": row.source_lang,
        "format": row.format,
        "segments": row.segment_count,
        "words": row.word_count,
        "analysis_info": row.analysis_info,
        "created_at": row.created_at,
        "original": LongText(store, doc_id),  # last: written in slices
    }
    last = -1
    while True:
        with store._read() as conn:
            check(conn)
            rows = conn.execute(
                sa.select(segments)
                .where((segments.c.doc_id == doc_id) & (segments.c.idx > last))
                .order_by(segments.c.idx)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            batch = list(_dump_batch(conn, rows))
        last = rows[-1].idx
        yield from batch


def _dump_batch(conn: Connection, rows: Sequence[Any]) -> Iterator[Record]:
    ids = [row.id for row in rows]
    found = {
        r.segment_id: r
        for r in conn.execute(sa.select(analyses).where(analyses.c.segment_id.in_(ids)))
    }
    marks = _grouped(
        conn,
        annotations_table,
        ids,
        annotations_table.c.start,
        annotations_table.c.end,
        annotations_table.c.created_at,
        annotations_table.c.id,
    )
    versions = _grouped(conn, corrections, ids, corrections.c.version)
    decisions = _grouped(  # several per flag: each reviewer's own, the earliest first
        conn, flag_decisions, ids, flag_decisions.c.flag_index, flag_decisions.c.created_at,
        flag_decisions.c.reviewer_id,
    )  # fmt: skip
    team = segment_records(conn, ids)
    names = reviewer_names(
        conn,
        {r.reviewer_id for by in (marks, versions, decisions) for rs in by.values() for r in rs}
        | {seg.reviewed_by for seg in rows if seg.reviewed_by},
    )
    for seg in rows:
        where = {"doc": seg.doc_id, "segment": seg.idx}
        analysis = found.get(seg.id)
        yield {
            "type": "segment",
            **segment_to_mapping(segment_from_row(seg), BACKUP_NAMES),
            "reviewed_by": names.get(seg.reviewed_by) if seg.reviewed_by else None,
            "reviewed_at": seg.reviewed_at,
            "analysis": None
            if analysis is None
            else {"record": analysis.record, "created_at": analysis.created_at},
        }
        by_id = {a.id: a for a in marks.get(seg.id, ())}
        for a in marks.get(seg.id, ()):
            yield {
                "type": "annotation",
                **where,
                "start": a.start,
                "end": a.end,
                "text": seg.text[a.start : a.end],
                "category": a.category,
                "severity": a.severity,
                "comment": a.comment,
                "origin": a.origin,
                "reviewer": names[a.reviewer_id],
                "created_at": a.created_at,
                "updated_at": a.updated_at,
            }
        for c in versions.get(seg.id, ()):
            yield {
                "type": "correction",
                **where,
                "version": c.version,
                "text": c.text,
                "reviewer": names[c.reviewer_id],
                "created_at": c.created_at,
            }
        for d in decisions.get(seg.id, ()):
            linked = by_id.get(d.annotation_id) if d.annotation_id is not None else None
            yield {
                "type": "decision",
                **where,
                "flag_index": d.flag_index,
                "decision": d.decision,
                "annotation": None if linked is None else _annotation_key(linked),
                "reviewer": names[d.reviewer_id],
                "created_at": d.created_at,
            }
        for kind, body in team.get(seg.id, ()):
            yield {"type": kind, **where, **body}


def _annotation_key(row: Any) -> list[Any]:
    return [row.start, row.end, row.created_at]


class RecordError(StoreError):
    """A record cannot go into the store; `number` is its position (line) in the input."""

    def __init__(self, number: int, message: str) -> None:
        self.number = number
        self.detail = message
        super().__init__(f"record {number}: {message}")


def load_records(
    store: StoreBase,
    records: Iterable[tuple[int, Record]],
    *,
    by: str = SYSTEM_ACTOR,
    source: dict[str, object] | None = None,
) -> LoadSummary:
    """Write (number, record) pairs, validated by the caller, in one transaction, audited
    as `by`'s "import-reviews" (with `source`, e.g. the file, and what was added). On a
    team store `by` is a principal allowed "import" (an admin), checked before any record
    is read. The audit records that come along are kept as imported history, outside the
    chain."""
    with store._write() as conn:
        me = store._acting(conn, by, "import")
        loader = Loader(store, conn)
        for number, record in records:
            try:
                loader.add(record)
            except StoreError as exc:
                raise RecordError(number, str(exc)) from None
        summary = loader.summary()
        done = {**(source or {}), **dataclasses.asdict(summary)}
        store._audit(conn, me.name, "import-reviews", None, None, **done)
        return summary


__all__ = [
    "FORMAT",
    "VERSION",
    "LoadSummary",
    "LongText",
    "RecordError",
    "dump_records",
    "load_records",
]
