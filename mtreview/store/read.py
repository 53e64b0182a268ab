"""Reading side of the store: assemble SegmentReview records for a batch of segment rows.

A batch costs a few queries whatever its size (analyses, annotations, latest corrections,
flag decisions), which keeps streamed exports of large corpora cheap.

What a reader sees is decided here, in the read's own transaction (`Sight`): a reviewer
without "see-all" gets only their own work (marks, decisions, corrections numbered on
their own chain 1, 2, …, their own "done") on every segment but those assigned to them
alone; another reviewer's work on a blind segment is never read into the result.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Segment, segment_from_mapping
from mtreview.errors import StoreError
from mtreview.store.access import Acting
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
from mtreview.store.team_schema import assignments, reviewer_marks

ROWS_MEMO = "mtreview_segment_rows"  # conn.info: the segment rows a shared read has read


def segment_row(conn: Connection, doc_id: str, index: int) -> Any:
    """The segment's row; in a shared read (`StoreBase.one_read`) read once for all its
    callers (one snapshot: it cannot change under them)."""
    memo = conn.info.get(ROWS_MEMO)
    if memo is not None and (doc_id, index) in memo:
        return memo[(doc_id, index)]
    row = conn.execute(
        sa.select(segments).where((segments.c.doc_id == doc_id) & (segments.c.idx == index))
    ).first()
    if row is None:
        raise StoreError(f"no segment {index} in document {doc_id!r}")
    if memo is not None:
        memo[(doc_id, index)] = row
    return row


def review_rows(conn: Connection, where: Any, viewer: Acting | None, *, limit: int = 0) -> Any:
    """Segment rows (`where`, in order) with what `build_reviews` needs beside them, in
    the same statement: the analysis record, the name of whoever marked the segment
    reviewed, and for a reader without "see-all" what `sight` decides by (how many the
    segment is assigned to, whether to them) and their own "done" mark."""
    marker = reviewers.alias("marker")
    query = (
        sa.select(
            segments,
            analyses.c.record.label("analysis_record"),
            marker.c.name.label("reviewed_name"),
        )
        .select_from(
            segments.outerjoin(analyses, analyses.c.segment_id == segments.c.id).outerjoin(
                marker, marker.c.id == segments.c.reviewed_by
            )
        )
        .where(where)
        .order_by(segments.c.id)
    )
    if viewer is not None and not viewer.can("see-all"):
        rid = viewer.reviewer_id if viewer.reviewer_id is not None else -1
        on_row = assignments.c.segment_id == segments.c.id
        query = query.add_columns(
            sa.select(sa.func.count()).where(on_row).scalar_subquery().label("assigned_to"),
            sa.exists().where(on_row & (assignments.c.reviewer_id == rid)).label("assigned_mine"),
            sa.select(reviewer_marks.c.reviewed_at)
            .where(reviewer_marks.c.segment_id == segments.c.id)
            .where(reviewer_marks.c.reviewer_id == rid)
            .scalar_subquery()
            .label("own_mark"),
        )
    rows = conn.execute(query.limit(limit) if limit else query).all()
    memo = conn.info.get(ROWS_MEMO)
    if memo is not None:
        memo.update(((row.doc_id, row.idx), row) for row in rows)
    return rows


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


@dataclasses.dataclass(frozen=True)
class Sight:
    """What one reader may see of a batch: on the segments in `own_only`, only the work of
    reviewer `reviewer_id` (None: no one's), their corrections numbered on their own chain."""

    own_only: frozenset[int] = frozenset()
    reviewer_id: int | None = None
    reviewer_name: str | None = None

    def shows(self, segment_id: int, reviewer_id: int | None) -> bool:
        return segment_id not in self.own_only or reviewer_id == self.reviewer_id


EVERYTHING = Sight()  # the library's own whole-store reads, a lead, an admin, the local user


def sight(conn: Connection, viewer: Acting | None, ids: Collection[int]) -> Sight:
    """What `viewer` may see of these segments. With "see-all" (or no viewer): everything.
    Else only their own work, except on the segments assigned to them alone (where a
    lead's correction is theirs to continue): a segment assigned to two or more is
    reviewed blind, and one not assigned to them is no work of theirs to see."""
    if viewer is None or viewer.can("see-all") or not ids:
        return EVERYTHING
    alone = (
        sa.select(assignments.c.segment_id)
        .where(assignments.c.segment_id.in_(sorted(ids)))
        .group_by(assignments.c.segment_id)
        .having(
            (sa.func.count() == 1)
            & (sa.func.max(assignments.c.reviewer_id) == (viewer.reviewer_id or -1))
        )
    )
    theirs_alone = {int(sid) for sid in conn.execute(alone).scalars()}
    return Sight(frozenset(set(ids) - theirs_alone), viewer.reviewer_id, viewer.name)


def rows_sight(conn: Connection, viewer: Acting | None, rows: Sequence[Any]) -> Sight:
    """`sight` of a batch of segment rows (read from `review_rows`' columns when they are
    there: no query)."""
    if viewer is None or viewer.can("see-all") or not rows:
        return EVERYTHING
    if "assigned_to" not in rows[0]._mapping:
        return sight(conn, viewer, [row.id for row in rows])
    alone = {row.id for row in rows if row.assigned_to == 1 and row.assigned_mine}
    ids = frozenset(row.id for row in rows)
    return Sight(ids - alone, viewer.reviewer_id, viewer.name)


def build_reviews(
    conn: Connection, rows: Sequence[Any], seen: Sight = EVERYTHING
) -> list[SegmentReview]:
    """SegmentReview for each segment row, in the order given, as `seen` allows. Three
    queries (annotations, corrections, decisions, each with its reviewers' names) beside
    rows from `review_rows`; plain segment rows cost the analyses and marks besides."""
    ids = [row.id for row in rows]
    rich = bool(rows) and "analysis_record" in rows[0]._mapping
    if rich:
        records = {row.id: row.analysis_record for row in rows if row.analysis_record}
    else:
        records = {
            r.segment_id: r.record
            for r in conn.execute(
                sa.select(analyses.c.segment_id, analyses.c.record).where(
                    analyses.c.segment_id.in_(ids)
                )
            )
        }
    names: dict[int, str] = {}
    by_seg: dict[int, list[Any]] = defaultdict(list)
    for r in conn.execute(
        sa.select(annotations_table, reviewers.c.name.label("reviewer_name"))
        .join(reviewers, reviewers.c.id == annotations_table.c.reviewer_id)
        .where(annotations_table.c.segment_id.in_(ids))
        .where(_visible(annotations_table.c, seen))
        .order_by(
            annotations_table.c.segment_id,
            annotations_table.c.start,
            annotations_table.c.end,
            annotations_table.c.id,
        )
    ):
        by_seg[r.segment_id].append(r)
        names[r.reviewer_id] = r.reviewer_name
    latest = _latest_corrections(conn, ids, seen)
    decision_rows = conn.execute(
        sa.select(flag_decisions, reviewers.c.name.label("reviewer_name"))
        .join(reviewers, reviewers.c.id == flag_decisions.c.reviewer_id)
        .where(flag_decisions.c.segment_id.in_(ids))
        .where(_visible(flag_decisions.c, seen))
        .order_by(  # a flag's decisions (each reviewer's own), the earliest first
            flag_decisions.c.segment_id, flag_decisions.c.flag_index, flag_decisions.c.created_at
        )
    ).all()
    if rich and "own_mark" in rows[0]._mapping:
        done = {row.id: row.own_mark for row in rows if row.id in seen.own_only and row.own_mark}
    else:
        done = _own_marks(conn, ids, seen)
    names.update((fix.reviewer_id, fix.reviewer_name) for fix, _number in latest.values())
    names.update((d.reviewer_id, d.reviewer_name) for d in decision_rows)
    if rich:
        names.update((row.reviewed_by, row.reviewed_name) for row in rows if row.reviewed_by)
    if seen.reviewer_id is not None and seen.reviewer_name is not None:
        names[seen.reviewer_id] = seen.reviewer_name
    wanted = {row.reviewed_by for row in rows if row.reviewed_by} | (
        {seen.reviewer_id} if done and seen.reviewer_id is not None else set()
    )
    if wanted - set(names):
        names.update(reviewer_names(conn, wanted - set(names)))
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
        fix, number = latest.get(row.id, (None, 0))
        reviewed_by, reviewed_at = row.reviewed_by, row.reviewed_at
        if row.id in seen.own_only:  # their own "done", not whoever saved last
            reviewed_at = done.get(row.id)
            reviewed_by = seen.reviewer_id if reviewed_at else None
        result.append(
            SegmentReview(
                doc_id=row.doc_id,
                analysis=analysis,
                correction=(
                    Correction(
                        row.doc_id,
                        row.idx,
                        number,
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
                reviewed_by=names.get(reviewed_by) if reviewed_by else None,
                reviewed_at=reviewed_at,
            )
        )
    return result


def _visible(table: Any, seen: Sight) -> Any:
    """SQL: the rows of `table` (with segment_id, reviewer_id) that `seen` shows."""
    if not seen.own_only:
        return sa.true()
    return ~table.segment_id.in_(sorted(seen.own_only)) | (
        table.reviewer_id == (seen.reviewer_id if seen.reviewer_id is not None else -1)
    )


def _latest_corrections(
    conn: Connection, ids: Sequence[int], seen: Sight
) -> dict[int, tuple[Any, int]]:
    """segment id -> (its latest correction row as `seen` allows, the version number the
    reader knows it by: the stored one, or its place on the reader's own chain). One
    query: the versions `seen` shows, oldest first (a segment has a handful)."""
    found: dict[int, tuple[Any, int]] = {}
    for r in conn.execute(
        sa.select(corrections, reviewers.c.name.label("reviewer_name"))
        .join(reviewers, reviewers.c.id == corrections.c.reviewer_id)
        .where(corrections.c.segment_id.in_(ids))
        .where(_visible(corrections.c, seen))
        .order_by(corrections.c.segment_id, corrections.c.version)
    ):
        if r.segment_id in seen.own_only:  # only their own are shown: their chain
            found[r.segment_id] = (r, found.get(r.segment_id, (None, 0))[1] + 1)
        else:
            found[r.segment_id] = (r, int(r.version))
    return found


def _own_marks(conn: Connection, ids: Sequence[int], seen: Sight) -> dict[int, str]:
    """segment id -> when the reader marked it done, on the segments they see alone."""
    own = [sid for sid in ids if sid in seen.own_only]
    if not own or seen.reviewer_id is None:
        return {}
    query = sa.select(reviewer_marks.c.segment_id, reviewer_marks.c.reviewed_at).where(
        reviewer_marks.c.segment_id.in_(own) & (reviewer_marks.c.reviewer_id == seen.reviewer_id)
    )
    return {int(r.segment_id): r.reviewed_at for r in conn.execute(query)}


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
