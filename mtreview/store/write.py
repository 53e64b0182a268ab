"""Writing side of the store: segment rows and their analyses, in batches.

The `segments` row is the one copy of a segment (text, offsets, source, reference); an
analysis is stored as its findings only (`SegmentAnalysis.findings_record`), its risk on the
row (the review queue orders by it) and its flags in `segment_flags` (the queue filters by
them). Everything that stores analyses (the app, `score --db`, `import-analysis`, backups)
goes through `write_analyses`, so these three never disagree. A segment that is already
stored must be the same segment: anything else is refused, naming document and segment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Segment, segment_differences, segment_to_mapping
from mtreview.errors import StoreError
from mtreview.flags import Flag
from mtreview.store.read import segment_from_row
from mtreview.store.schema import (
    ROW_NAMES,
    analyses,
    documents,
    flag_decisions,
    segment_flags,
    segments,
)

BATCH = 500  # rows per executemany / IN (...) list


def segment_values(segment: Segment) -> dict[str, Any]:
    """The `segments` row of a Segment (without review status, risk or id)."""
    return segment_to_mapping(segment, ROW_NAMES)


class DocumentHead(Protocol):
    """What a `documents` row says of a document besides its text and counts."""

    @property
    def doc_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def source_lang(self) -> str | None: ...
    @property
    def format(self) -> str: ...


def insert_document(
    conn: Connection,
    head: DocumentHead,
    *,
    original: str,
    segments_: int,
    words: int,
    info: dict[str, Any],
    created_at: str,
) -> None:
    conn.execute(
        documents.insert().values(
            doc_id=head.doc_id,
            name=head.name,
            lang=head.lang,
            source_lang=head.source_lang,
            format=head.format,
            original=original,
            segment_count=segments_,
            word_count=words,
            analysis_info=info,
            created_at=created_at,
        )
    )


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def stored_rows(conn: Connection, doc_id: str, indices: Sequence[int]) -> dict[int, Any]:
    """The stored rows of these segments of one document, by index."""
    found: dict[int, Any] = {}
    wanted = sorted(set(indices))
    for part in _batches(wanted):
        query = sa.select(segments).where(
            (segments.c.doc_id == doc_id) & segments.c.idx.between(part[0], part[-1])
        )
        found.update((row.idx, row) for row in conn.execute(query))
    if len(found) > len(wanted):
        keep = set(wanted)
        found = {index: row for index, row in found.items() if index in keep}
    return found


def disagreement(row: Any, segment: Segment) -> str | None:
    """Why `segment` cannot be the stored row's segment, or None when it is."""
    fields = segment_differences(segment_from_row(row), segment)
    if not fields:
        return None
    names = ", ".join(ROW_NAMES.get(name, name) for name in fields)
    return (
        f"document {segment.doc!r} segment {segment.index} differs from the stored segment "
        f"({names}); the store's segment is the reference"
    )


def ensure_segments(conn: Connection, wanted: Sequence[Segment]) -> dict[tuple[str, int], int]:
    """Row ids of these segments: stored ones must be identical, missing ones are inserted
    (in batches). Returns (doc, index) -> row id."""
    by_doc: dict[str, list[Segment]] = defaultdict(list)
    for segment in wanted:
        by_doc[segment.doc].append(segment)
    ids: dict[tuple[str, int], int] = {}
    for doc_id, group in by_doc.items():
        rows = stored_rows(conn, doc_id, [s.index for s in group])
        missing = []
        for segment in group:
            row = rows.get(segment.index)
            if row is None:
                missing.append(segment)
                continue
            problem = disagreement(row, segment)
            if problem:
                raise StoreError(problem)
            ids[doc_id, segment.index] = row.id
        for part in _batches(missing):
            conn.execute(segments.insert(), [segment_values(s) for s in part])
        if missing:
            added = stored_rows(conn, doc_id, [s.index for s in missing])
            ids.update(((doc_id, index), row.id) for index, row in added.items())
    return ids


def flag_rows(segment_id: int, flags: Iterable[Flag]) -> list[dict[str, Any]]:
    """One `segment_flags` row per origin of each flag."""
    return [
        {
            "segment_id": segment_id,
            "flag_index": number,
            "origin": origin,
            "category": flag.category,
            "severity": flag.severity,
        }
        for number, flag in enumerate(flags)
        for origin in dict.fromkeys(flag.origins or ("check",))
    ]


class StoredAnalysis(NamedTuple):
    segment_id: int  # the row in `segments`
    analysis: SegmentAnalysis
    created_at: str


def write_analyses(conn: Connection, items: Sequence[StoredAnalysis]) -> None:
    """Store analyses of segment rows, replacing what those rows had: findings, flags and
    risk. Pre-highlight decisions follow their flag when the new analysis still has it."""
    for part in _batches(items):
        ids = [item.segment_id for item in part]
        decided = _decisions(conn, ids)
        old = _old_flags(conn, list(decided)) if decided else {}
        for table in (analyses, segment_flags):
            conn.execute(table.delete().where(table.c.segment_id.in_(ids)))
        conn.execute(
            analyses.insert(),
            [
                {"segment_id": sid, "record": a.findings_record(), "created_at": created_at}
                for sid, a, created_at in part
            ],
        )
        flags = [row for sid, a, _ in part for row in flag_rows(sid, a.flags)]
        if flags:
            conn.execute(segment_flags.insert(), flags)
        conn.execute(
            segments.update()
            .where(segments.c.id == sa.bindparam("row_id"))
            .values(risk=sa.bindparam("new_risk")),
            [{"row_id": sid, "new_risk": a.risk} for sid, a, _ in part],
        )
        new = {sid: a.flags for sid, a, _ in part}
        for sid in decided.keys() & old.keys():  # no earlier analysis: nothing to follow
            _follow_flags(conn, sid, decided[sid], old[sid], new[sid])


def _decisions(conn: Connection, ids: Sequence[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    query = sa.select(flag_decisions).where(flag_decisions.c.segment_id.in_(ids))
    for row in conn.execute(query):
        found[row.segment_id].append(row)
    return found


def _old_flags(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Flag, ...]]:
    query = sa.select(analyses.c.segment_id, analyses.c.record).where(
        analyses.c.segment_id.in_(ids)
    )
    return {
        row.segment_id: tuple(Flag.from_dict(f) for f in (row.record or {}).get("flags") or ())
        for row in conn.execute(query)
    }


def _flag_key(flag: Flag) -> tuple[int, int, str, str]:
    return (flag.start, flag.end, flag.category, flag.severity)


def _follow_flags(
    conn: Connection,
    segment_id: int,
    decisions: Sequence[Any],
    old: Sequence[Flag],
    new: Sequence[Flag],
) -> None:
    """Re-number decisions to where their flag is now; drop those whose flag is gone (an
    accepted flag's annotation stays: it is the reviewer's now). Each reviewer's decisions
    move apart: one per flag and reviewer."""
    where_now: dict[tuple[int, int, str, str], int] = {}
    for number, flag in enumerate(new):
        where_now.setdefault(_flag_key(flag), number)
    conn.execute(flag_decisions.delete().where(flag_decisions.c.segment_id == segment_id))
    kept: dict[tuple[int, int], dict[str, Any]] = {}
    for row in decisions:
        if not 0 <= row.flag_index < len(old):
            continue
        moved = where_now.get(_flag_key(old[row.flag_index]))
        if moved is not None and (moved, row.reviewer_id) not in kept:
            kept[moved, row.reviewer_id] = {**row._mapping, "flag_index": moved}
    if kept:
        conn.execute(flag_decisions.insert(), list(kept.values()))


def store_analyses(
    conn: Connection, given: Sequence[SegmentAnalysis], created_at: str
) -> dict[tuple[str, int], int]:
    """Segments (inserted, or checked against their rows) and their analyses, in one go."""
    ids = ensure_segments(conn, [a.segment for a in given])
    write_analyses(
        conn,
        [StoredAnalysis(ids[a.segment.doc, a.segment.index], a, created_at) for a in given],
    )
    return ids


def findings_problem(findings: Mapping[str, Any], segment: Segment) -> str | None:
    """Why stored findings cannot be read back as an analysis of `segment`, or None."""
    try:
        SegmentAnalysis.from_record(findings, segment=segment)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return (
            f"analysis of {segment.doc!r} segment {segment.index} is not an mtreview analysis "
            f"record ({type(exc).__name__}: {exc})"
        )
    return None
