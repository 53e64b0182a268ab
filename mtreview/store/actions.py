"""Reviewer actions on segments: annotations, pre-highlight decisions, corrections, status.

Every method is one transaction and carries the reviewer's name, so each action is saved,
attributed and timestamped the moment it is made.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import ConflictError, StoreError
from mtreview.store.base import StoreBase, clean_name, new_id
from mtreview.store.read import build_reviews, segment_row
from mtreview.store.schema import (
    Annotation,
    Correction,
    SegmentReview,
    analyses,
    annotations_table,
    corrections,
    flag_decisions,
    now,
    reviewers,
    segments,
)


class ReviewActions(StoreBase):
    def mark_reviewed(
        self, doc_id: str, index: int, *, reviewer: str, reviewed: bool = True
    ) -> SegmentReview:
        """Record that a reviewer looked at the segment (with or without changes)."""
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            values = (
                {"reviewed_by": self._reviewer_id(conn, reviewer), "reviewed_at": now()}
                if reviewed
                else {"reviewed_by": None, "reviewed_at": None}
            )
            conn.execute(segments.update().where(segments.c.id == seg.id).values(**values))
            return _segment_review(conn, doc_id, index)

    # --- annotations ----------------------------------------------------------------------
    def add_annotation(
        self,
        doc_id: str,
        index: int,
        start: int,
        end: int,
        *,
        category: str,
        severity: str,
        reviewer: str,
        comment: str = "",
        origin: str = "reviewer",
    ) -> Annotation:
        """Mark `[start, end)` (code points of the segment's original text)."""
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            annotation_id = self._insert_annotation(
                conn, seg, start, end, category, severity, comment, origin, reviewer
            )
            return _annotation(conn, annotation_id)

    def _insert_annotation(
        self,
        conn: Connection,
        seg: Any,
        start: int,
        end: int,
        category: str,
        severity: str,
        comment: str,
        origin: str,
        reviewer: str,
    ) -> int:
        _check_span(seg, start, end)
        _check_label(category, severity)
        stamp = now()
        result = conn.execute(
            annotations_table.insert().values(
                segment_id=seg.id,
                start=start,
                end=end,
                category=category,
                severity=severity,
                comment=comment,
                origin=origin,
                reviewer_id=self._reviewer_id(conn, reviewer),
                created_at=stamp,
                updated_at=stamp,
            )
        )
        return new_id(result)

    def update_annotation(
        self,
        annotation_id: int,
        *,
        reviewer: str,
        category: str | None = None,
        severity: str | None = None,
        comment: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Annotation:
        """Change what is given; the annotation then carries the reviewer who changed it."""
        with self._write() as conn:
            row = _annotation_row(conn, annotation_id)
            seg = conn.execute(sa.select(segments).where(segments.c.id == row.segment_id)).one()
            new_start = row.start if start is None else start
            new_end = row.end if end is None else end
            _check_span(seg, new_start, new_end)
            _check_label(category or row.category, severity or row.severity)
            values: dict[str, Any] = {
                "start": new_start,
                "end": new_end,
                "category": category or row.category,
                "severity": severity or row.severity,
                "comment": row.comment if comment is None else comment,
                "reviewer_id": self._reviewer_id(conn, reviewer),
                "updated_at": now(),
            }
            conn.execute(
                annotations_table.update()
                .where(annotations_table.c.id == annotation_id)
                .values(**values)
            )
            return _annotation(conn, annotation_id)

    def delete_annotation(self, annotation_id: int, *, reviewer: str) -> None:
        """Remove a span; an accepted pre-highlight becomes undecided again."""
        with self._write() as conn:
            _annotation_row(conn, annotation_id)
            self._reviewer_id(conn, reviewer)
            conn.execute(
                flag_decisions.delete().where(flag_decisions.c.annotation_id == annotation_id)
            )
            conn.execute(annotations_table.delete().where(annotations_table.c.id == annotation_id))

    def decide_flag(
        self, doc_id: str, index: int, flag_index: int, *, accept: bool, reviewer: str
    ) -> SegmentReview:
        """Accept a pre-highlight (it becomes an annotation) or reject it, in one call."""
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            record = conn.execute(
                sa.select(analyses.c.record).where(analyses.c.segment_id == seg.id)
            ).scalar()
            flags = (record or {}).get("flags") or []
            if not 0 <= flag_index < len(flags):
                raise StoreError(f"{doc_id!r} segment {index} has no pre-highlight {flag_index}")
            key = (flag_decisions.c.segment_id == seg.id) & (
                flag_decisions.c.flag_index == flag_index
            )
            old = conn.execute(sa.select(flag_decisions).where(key)).first()
            if old is not None and old.annotation_id is not None:
                conn.execute(
                    annotations_table.delete().where(annotations_table.c.id == old.annotation_id)
                )
            conn.execute(flag_decisions.delete().where(key))
            annotation_id = None
            if accept:
                flag = flags[flag_index]
                origins = flag.get("origins") or [flag.get("origin") or "check"]
                annotation_id = self._insert_annotation(
                    conn,
                    seg,
                    int(flag["start"]),
                    int(flag["end"]),
                    str(flag["category"]),
                    str(flag["severity"]),
                    str(flag.get("message") or ""),
                    "pre-highlight:" + "+".join(map(str, origins)),
                    reviewer,
                )
            conn.execute(
                flag_decisions.insert().values(
                    segment_id=seg.id,
                    flag_index=flag_index,
                    decision="accepted" if accept else "rejected",
                    annotation_id=annotation_id,
                    reviewer_id=self._reviewer_id(conn, reviewer),
                    created_at=now(),
                )
            )
            return _segment_review(conn, doc_id, index)

    # --- corrections ----------------------------------------------------------------------
    def save_correction(
        self, doc_id: str, index: int, text: str, *, expected_version: int, reviewer: str
    ) -> Correction:
        """Save a new version; `expected_version` is the version the reviewer started from
        (0: the original). Raises ConflictError with the other reviewer's text when stale.
        Returns what this call wrote, never a re-read "latest" (which may be another's)."""
        name = clean_name(reviewer)
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            current = _latest_correction(conn, seg)
            if current[0] != expected_version:
                raise _conflict(doc_id, index, current, expected_version)
            rid = self._reviewer_id(conn, reviewer)
            stamp = now()
            try:
                with conn.begin_nested():
                    conn.execute(
                        corrections.insert().values(
                            segment_id=seg.id,
                            version=expected_version + 1,
                            text=text,
                            reviewer_id=rid,
                            created_at=stamp,
                        )
                    )
            except sa.exc.IntegrityError:  # a concurrent writer took this version
                raise _conflict(
                    doc_id, index, _latest_correction(conn, seg), expected_version
                ) from None
            conn.execute(
                segments.update()
                .where(segments.c.id == seg.id)
                .values(reviewed_by=rid, reviewed_at=stamp)
            )
        return Correction(doc_id, index, expected_version + 1, text, name, stamp)

    def corrections(self, doc_id: str, index: int) -> list[Correction]:
        """The version history of one segment, oldest first."""
        with self._read() as conn:
            seg = segment_row(conn, doc_id, index)
            rows = conn.execute(
                sa.select(corrections, reviewers.c.name.label("reviewer"))
                .join(reviewers, reviewers.c.id == corrections.c.reviewer_id)
                .where(corrections.c.segment_id == seg.id)
                .order_by(corrections.c.version)
            ).all()
        return [
            Correction(doc_id, index, row.version, row.text, row.reviewer, row.created_at)
            for row in rows
        ]


def _latest_correction(conn: Connection, seg: Any) -> tuple[int, str]:
    row = conn.execute(
        sa.select(corrections.c.version, corrections.c.text)
        .where(corrections.c.segment_id == seg.id)
        .order_by(corrections.c.version.desc())
        .limit(1)
    ).first()
    return (row.version, row.text) if row else (0, seg.text)


def _conflict(doc_id: str, index: int, current: tuple[int, str], expected: int) -> ConflictError:
    version, text = current
    return ConflictError(
        f"{doc_id!r} segment {index} was saved by someone else (version {version}, you "
        f"started from {expected}); look at their text before saving again",
        current_text=text,
        current_version=version,
    )


def _annotation_row(conn: Connection, annotation_id: int) -> Any:
    row = conn.execute(
        sa.select(annotations_table).where(annotations_table.c.id == annotation_id)
    ).first()
    if row is None:
        raise StoreError(f"no annotation {annotation_id}")
    return row


def _check_span(seg: Any, start: int, end: int) -> None:
    if not 0 <= start < end <= len(seg.text):
        raise StoreError(
            f"span [{start}, {end}) is outside segment {seg.idx} "
            f"(expected 0 <= start < end <= {len(seg.text)})"
        )


def _check_label(category: str, severity: str) -> None:
    if not category.strip() or not severity.strip():
        raise StoreError("an annotation needs a category and a severity")


def _segment_review(conn: Connection, doc_id: str, index: int) -> SegmentReview:
    """The segment as the caller's own transaction sees it (its write included)."""
    return build_reviews(conn, [segment_row(conn, doc_id, index)])[0]


def _annotation(conn: Connection, annotation_id: int) -> Annotation:
    row = _annotation_row(conn, annotation_id)
    seg = conn.execute(sa.select(segments).where(segments.c.id == row.segment_id)).one()
    review = build_reviews(conn, [seg])[0]
    return next(a for a in review.annotations if a.id == annotation_id)
