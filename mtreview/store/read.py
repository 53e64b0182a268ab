"""Reading side of the store: assemble SegmentReview records for a batch of segment rows.

A batch costs four queries whatever its size (analyses, annotations, latest corrections,
flag decisions), which keeps streamed exports of large corpora cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Segment, segment_from_mapping
from mtreview.errors import StoreError
from mtreview.store.schema import (
    ROW_NAMES,
    Annotation,
    Correction,
    DocumentInfo,
    FlagDecision,
    SegmentReview,
    analyses,
    annotations_table,
    corrections,
    documents,
    flag_decisions,
    reviewers,
    segments,
)


def segment_row(conn: Connection, doc_id: str, index: int) -> Any:
    row = conn.execute(
        sa.select(segments).where((segments.c.doc_id == doc_id) & (segments.c.idx == index))
    ).first()
    if row is None:
        raise StoreError(f"no segment {index} in document {doc_id!r}")
    return row


def segment_from_row(row: Any) -> Segment:
    """The Segment a `segments` row holds: the only copy of it in the store."""
    return segment_from_mapping(row._mapping, ROW_NAMES)


def document_info(conn: Connection, doc_id: str | None) -> list[DocumentInfo]:
    reviewed = (
        sa.select(sa.func.count())
        .where((segments.c.doc_id == documents.c.doc_id) & segments.c.reviewed_at.is_not(None))
        .scalar_subquery()
    )
    query = sa.select(
        documents.c.doc_id,
        documents.c.name,
        documents.c.lang,
        documents.c.source_lang,
        documents.c.format,
        documents.c.segment_count,
        documents.c.word_count,
        documents.c.analysis_info,
        documents.c.created_at,
        reviewed.label("reviewed"),
    )
    if doc_id is not None:
        query = query.where(documents.c.doc_id == doc_id)
    rows = conn.execute(query.order_by(documents.c.created_at, documents.c.doc_id)).all()
    return [
        DocumentInfo(
            doc_id=row.doc_id,
            name=row.name,
            lang=row.lang,
            source_lang=row.source_lang,
            format=row.format,
            segments=row.segment_count,
            words=row.word_count,
            reviewed=int(row.reviewed or 0),
            analysis_info=dict(row.analysis_info or {}),
            created_at=row.created_at,
        )
        for row in rows
    ]


def reviewer_names(conn: Connection, ids: set[int]) -> dict[int, str]:
    """Names of the reviewers these rows point at, read *after* the rows: a reviewer is
    committed no later than a row naming it, so even a READ COMMITTED read finds it."""
    found = conn.execute(
        sa.select(reviewers.c.id, reviewers.c.name).where(reviewers.c.id.in_(sorted(ids)))
    )
    return {row.id: row.name for row in found}


def build_reviews(conn: Connection, rows: Sequence[Any]) -> list[SegmentReview]:
    """SegmentReview for each segment row, in the order given."""
    ids = [row.id for row in rows]
    records = {
        r.segment_id: r.record
        for r in conn.execute(
            sa.select(analyses.c.segment_id, analyses.c.record).where(
                analyses.c.segment_id.in_(ids)
            )
        )
    }
    by_seg: dict[int, list[Any]] = defaultdict(list)
    for r in conn.execute(
        sa.select(annotations_table)
        .where(annotations_table.c.segment_id.in_(ids))
        .order_by(
            annotations_table.c.segment_id,
            annotations_table.c.start,
            annotations_table.c.end,
            annotations_table.c.id,
        )
    ):
        by_seg[r.segment_id].append(r)
    latest_version = (
        sa.select(corrections.c.segment_id, sa.func.max(corrections.c.version).label("version"))
        .where(corrections.c.segment_id.in_(ids))
        .group_by(corrections.c.segment_id)
        .subquery()
    )
    latest = {
        r.segment_id: r
        for r in conn.execute(
            sa.select(corrections).join(
                latest_version,
                (corrections.c.segment_id == latest_version.c.segment_id)
                & (corrections.c.version == latest_version.c.version),
            )
        )
    }
    decision_rows = conn.execute(
        sa.select(flag_decisions)
        .where(flag_decisions.c.segment_id.in_(ids))
        .order_by(flag_decisions.c.segment_id, flag_decisions.c.flag_index)
    ).all()
    names = reviewer_names(
        conn,
        {a.reviewer_id for marks in by_seg.values() for a in marks}
        | {fix.reviewer_id for fix in latest.values()}
        | {d.reviewer_id for d in decision_rows}
        | {row.reviewed_by for row in rows if row.reviewed_by},
    )
    decided: dict[int, list[FlagDecision]] = defaultdict(list)
    for r in decision_rows:
        decided[r.segment_id].append(
            FlagDecision(
                r.flag_index, r.decision, r.annotation_id, names[r.reviewer_id], r.created_at
            )
        )
    result = []
    for row in rows:
        segment = segment_from_row(row)
        record = records.get(row.id)
        analysis = (
            SegmentAnalysis.from_record(record, segment=segment)
            if record
            else SegmentAnalysis(segment=segment)
        )
        fix = latest.get(row.id)
        result.append(
            SegmentReview(
                doc_id=row.doc_id,
                analysis=analysis,
                correction=(
                    Correction(
                        row.doc_id,
                        row.idx,
                        fix.version,
                        fix.text,
                        names[fix.reviewer_id],
                        fix.created_at,
                    )
                    if fix
                    else None
                ),
                annotations=tuple(
                    _annotation(a, row, names[a.reviewer_id]) for a in by_seg.get(row.id, ())
                ),
                decisions=tuple(decided.get(row.id, ())),
                reviewed_by=names.get(row.reviewed_by) if row.reviewed_by else None,
                reviewed_at=row.reviewed_at,
            )
        )
    return result


def _annotation(a: Any, seg: Any, reviewer: str) -> Annotation:
    return Annotation(
        id=a.id,
        doc_id=seg.doc_id,
        segment_index=seg.idx,
        start=a.start,
        end=a.end,
        text=seg.text[a.start : a.end],
        category=a.category,
        severity=a.severity,
        comment=a.comment,
        origin=a.origin,
        reviewer=reviewer,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )
