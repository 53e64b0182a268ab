"""Team work in the store: assignments (with overlap for agreement), each reviewer's queue
and progress, each reviewer's own work on a segment, and the lead's adjudication.

A segment assigned to two reviewers is reviewed blind by each: their annotations carry
their name, their corrections are saved `independent=True` (their own version chain), and
their "done" marks are kept apart (`reviewer_marks`). Agreement compares what each did on
the segments both marked done; the lead's adjudication is the final word exports take.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.store.access import blind_to
from mtreview.store.actions import check_comment, check_correction, check_label, check_span
from mtreview.store.base import StoreBase, clean_name
from mtreview.store.read import segment_row
from mtreview.store.schema import (
    annotations_table,
    corrections,
    now,
    reviewers,
    segments,
)
from mtreview.store.team_schema import (
    Adjudication,
    FinalSpan,
    accounts,
    adjudications,
    assignments,
    reviewer_marks,
)

SHARED_BATCH = 500


@dataclasses.dataclass(frozen=True)
class AssignSummary:
    """What `assign` did: segments per reviewer, and how many went to two reviewers."""

    doc_id: str
    segments: int
    per_reviewer: dict[str, int]
    doubled: int


@dataclasses.dataclass(frozen=True)
class QueueItem:
    doc_id: str
    index: int
    risk: float
    text: str
    reviewers: int  # how many reviewers the segment is assigned to
    done: bool


@dataclasses.dataclass(frozen=True)
class Progress:
    reviewer: str
    assigned: int
    done: int


@dataclasses.dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str
    severity: str
    comment: str = ""


@dataclasses.dataclass(frozen=True)
class ReviewerWork:
    """One reviewer's own work on one segment."""

    reviewer: str
    spans: tuple[Span, ...]
    correction: str | None  # their latest corrected text, None when they saved none
    reviewed_at: str | None


@dataclasses.dataclass(frozen=True)
class SharedSegment:
    """A segment with what each of its reviewers did (those who marked it done)."""

    doc_id: str
    index: int
    text: str
    work: dict[str, ReviewerWork]


def overlap_positions(count: int, rate: float) -> set[int]:
    """Evenly spaced positions, round(count × rate) of them: the same every time."""
    return {i for i in range(count) if int((i + 1) * rate + 1e-9) > int(i * rate + 1e-9)}


class TeamActions(StoreBase):
    # --- assignments ----------------------------------------------------------------------
    def _assignee_id(self, conn: Connection, name: str, *, team: bool) -> int:
        """The reviewer row of a name to assign: on a team store, an account's (a name
        with no account could never sign in to do the work); else made on first use."""
        if not team:
            return self._reviewer_id(conn, name)
        query = (
            sa.select(accounts.c.reviewer_id)
            .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
            .where(reviewers.c.name == name)
        )
        found = conn.execute(query).scalar()
        if found is None:
            raise StoreError(f"no account {name!r}: add it first (mtreview users add {name})")
        return int(found)

    def assign(
        self,
        doc_id: str,
        names: Sequence[str],
        *,
        by: str,
        first: int = 0,
        last: int | None = None,
        overlap: float = 0.0,
    ) -> AssignSummary:
        """Split segments `first..last` (inclusive) of a document into contiguous blocks,
        one per reviewer; `overlap` of them (evenly spaced) also go to the next reviewer.
        `by`: a principal allowed "assign"; on a team store every name must be an account."""
        people = [clean_name(n) for n in names]
        if not people or len(set(people)) != len(people):
            raise StoreError("assign needs one or more distinct reviewers")
        if not 0.0 <= overlap <= 1.0:
            raise StoreError(f"overlap must be between 0 and 1, got {overlap}")
        if overlap > 0 and len(people) < 2:
            raise StoreError("an overlap needs at least two reviewers")
        with self._write() as conn:
            me = self._acting(conn, by, "assign")
            query = sa.select(segments.c.id, segments.c.idx).where(
                (segments.c.doc_id == doc_id) & (segments.c.idx >= first)
            )
            if last is not None:
                query = query.where(segments.c.idx <= last)
            rows = conn.execute(query.order_by(segments.c.idx)).all()
            if not rows:
                raise StoreError(f"no segments {first}..{last} in document {doc_id!r}")
            ids = {name: self._assignee_id(conn, name, team=me.team) for name in people}
            doubled = overlap_positions(len(rows), overlap)
            counts: dict[str, int] = dict.fromkeys(people, 0)
            stamp = now()
            for position, row in enumerate(rows):
                owner = position * len(people) // len(rows)
                chosen = [people[owner]]
                if position in doubled:
                    chosen.append(people[(owner + 1) % len(people)])
                for name in chosen:
                    counts[name] += _assign_one(conn, row.id, ids[name], me.name, stamp)
            self._audit(
                conn, me.name, "assign", doc_id, None, reviewers=people, first=rows[0].idx,
                last=rows[-1].idx, overlap=overlap,
            )  # fmt: skip
        return AssignSummary(doc_id, len(rows), counts, len(doubled))

    def unassign(self, doc_id: str, name: str, *, by: str) -> int:
        """Take a reviewer off a document; what they already did stays. `by`: a principal
        allowed "assign"."""
        with self._write() as conn:
            me = self._acting(conn, by, "assign")
            found = sa.select(reviewers.c.id).where(reviewers.c.name == clean_name(name))
            rid = conn.execute(found).scalar()
            ids = sa.select(segments.c.id).where(segments.c.doc_id == doc_id)
            gone = conn.execute(
                assignments.delete().where(
                    (assignments.c.reviewer_id == rid) & assignments.c.segment_id.in_(ids)
                )
            ).rowcount
            self._audit(conn, me.name, "unassign", doc_id, None, reviewer=clean_name(name))
        return int(gone or 0)

    def assignees(self, doc_id: str, index: int) -> tuple[str, ...]:
        with self._read() as conn:
            seg = segment_row(conn, doc_id, index)
            found = conn.execute(
                sa.select(reviewers.c.name)
                .join(assignments, assignments.c.reviewer_id == reviewers.c.id)
                .where(assignments.c.segment_id == seg.id)
                .order_by(reviewers.c.name)
            ).scalars()
            return tuple(found)

    def assigned(self, name: str) -> dict[str, set[int]]:
        """Document id -> the segment indexes assigned to this reviewer."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(segments.c.doc_id, segments.c.idx)
                .join(assignments, assignments.c.segment_id == segments.c.id)
                .join(reviewers, reviewers.c.id == assignments.c.reviewer_id)
                .where(reviewers.c.name == clean_name(name))
            ).all()
        found: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            found[row.doc_id].add(row.idx)
        return dict(found)

    def shared_with_others(self, doc_id: str, name: str) -> set[int]:
        """Indexes of this reviewer's segments that someone else is assigned too (to be
        reviewed blind, for agreement)."""
        others = (
            sa.select(assignments.c.segment_id)
            .group_by(assignments.c.segment_id)
            .having(sa.func.count() >= 2)
        )
        with self._read() as conn:
            rows = conn.execute(
                sa.select(segments.c.idx)
                .join(assignments, assignments.c.segment_id == segments.c.id)
                .join(reviewers, reviewers.c.id == assignments.c.reviewer_id)
                .where(reviewers.c.name == clean_name(name))
                .where((segments.c.doc_id == doc_id) & segments.c.id.in_(others))
            ).scalars()
            return set(rows)

    def has_assignments(self, doc_id: str | None = None) -> bool:
        with self._read() as conn:
            query = sa.select(assignments.c.segment_id).limit(1)
            if doc_id is not None:
                query = query.join(segments, segments.c.id == assignments.c.segment_id).where(
                    segments.c.doc_id == doc_id
                )
            return conn.execute(query).first() is not None

    def queue(
        self, name: str, *, doc_id: str | None = None, pending: bool = True, limit: int = 100
    ) -> list[QueueItem]:
        """A reviewer's assigned segments, riskiest first (only those not done: `pending`)."""
        with self._read() as conn:
            rid = conn.execute(
                sa.select(reviewers.c.id).where(reviewers.c.name == clean_name(name))
            ).scalar()
            if rid is None:
                return []
            mine = assignments.c.reviewer_id == rid
            done = sa.exists().where(
                (reviewer_marks.c.segment_id == segments.c.id)
                & (reviewer_marks.c.reviewer_id == rid)
            )
            shared = (
                sa.select(sa.func.count())
                .where(assignments.c.segment_id == segments.c.id)
                .correlate(segments)
                .scalar_subquery()
            )
            query = sa.select(
                segments.c.doc_id,
                segments.c.idx,
                segments.c.text,
                segments.c.risk.label("risk"),
                done.label("done"),
            ).join(assignments, (assignments.c.segment_id == segments.c.id) & mine)
            if doc_id is not None:
                query = query.where(segments.c.doc_id == doc_id)
            if pending:
                query = query.where(~done)
            query = query.order_by(sa.desc("risk"), segments.c.doc_id, segments.c.idx).limit(limit)
            rows = conn.execute(query.add_columns(shared.label("shared"))).all()
        return [
            QueueItem(r.doc_id, r.idx, float(r.risk), r.text, int(r.shared), bool(r.done))
            for r in rows
        ]

    def queue_progress(self, name: str, *, limit: int = 5) -> tuple[Progress, list[QueueItem]]:
        """One reviewer's progress over everything assigned to them and the first `limit`
        segments of their queue (`queue`), in one statement (the app's sidebar, every run)."""
        clean = clean_name(name)
        rid = sa.select(reviewers.c.id).where(reviewers.c.name == clean).scalar_subquery()
        done = sa.case(
            (
                sa.exists().where(
                    (reviewer_marks.c.segment_id == segments.c.id)
                    & (reviewer_marks.c.reviewer_id == rid)
                ),
                1,
            ),
            else_=0,
        )
        shared = (
            sa.select(sa.func.count())
            .where(assignments.c.segment_id == segments.c.id)
            .correlate(segments)
            .scalar_subquery()
        )
        query = (
            sa.select(
                segments.c.doc_id,
                segments.c.idx,
                segments.c.text,
                segments.c.risk.label("risk"),
                done.label("done"),
                shared.label("shared"),
                sa.func.count().over().label("assigned_count"),
                sa.func.sum(done).over().label("done_count"),
            )
            .join(
                assignments,
                (assignments.c.segment_id == segments.c.id) & (assignments.c.reviewer_id == rid),
            )
            .order_by(done, sa.desc("risk"), segments.c.doc_id, segments.c.idx)
            .limit(limit)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        progress = Progress(
            clean,
            int(rows[0].assigned_count) if rows else 0,
            int(rows[0].done_count or 0) if rows else 0,
        )
        items = [
            QueueItem(r.doc_id, r.idx, float(r.risk), r.text, int(r.shared), False)
            for r in rows
            if not r.done
        ]
        return progress, items

    def progress(self, doc_id: str | None = None) -> list[Progress]:
        """Per reviewer with assignments: how many segments assigned, how many done."""
        with self._read() as conn:
            done = sa.exists().where(
                (reviewer_marks.c.segment_id == assignments.c.segment_id)
                & (reviewer_marks.c.reviewer_id == assignments.c.reviewer_id)
            )
            query = (
                sa.select(
                    reviewers.c.name,
                    sa.func.count().label("assigned"),
                    sa.func.sum(sa.case((done, 1), else_=0)).label("done"),
                )
                .select_from(assignments)
                .join(reviewers, reviewers.c.id == assignments.c.reviewer_id)
                .join(segments, segments.c.id == assignments.c.segment_id)
                .group_by(reviewers.c.name)
                .order_by(reviewers.c.name)
            )
            if doc_id is not None:
                query = query.where(segments.c.doc_id == doc_id)
            rows = conn.execute(query).all()
        return [Progress(r.name, int(r.assigned), int(r.done or 0)) for r in rows]

    # --- each reviewer's work -------------------------------------------------------------
    def reviewer_work(
        self, doc_id: str, index: int, *, viewer: str | None = None
    ) -> dict[str, ReviewerWork]:
        """Every reviewer's own spans, latest correction and done mark on one segment. On a
        team store `viewer` (a principal) is required; a reviewer gets only their own work
        on a segment reviewed blind until it is adjudicated."""
        with self._read() as conn:
            seg = segment_row(conn, doc_id, index)
            me = self._viewing(conn, viewer, "review")
            work = _work(conn, [seg.id], all_reviewers=True).get(seg.id, {})
            if me is not None and blind_to(conn, me, seg.id):
                work = {name: done for name, done in work.items() if name == me.name}
            return work

    def shared_segments(
        self, doc_id: str | None = None, *, viewer: str | None = None
    ) -> Iterator[SharedSegment]:
        """Segments two or more reviewers marked done, with each one's work; streamed (the
        agreement's input). On a team store `viewer` must be a principal allowed
        "agreement" (a lead or admin), checked now and in each batch's transaction."""
        with self._read() as conn:
            self._viewing(conn, viewer, "agreement")
        return self._shared_batches(doc_id, viewer)

    def _shared_batches(self, doc_id: str | None, viewer: str | None) -> Iterator[SharedSegment]:
        twice = (
            sa.select(reviewer_marks.c.segment_id)
            .group_by(reviewer_marks.c.segment_id)
            .having(sa.func.count() >= 2)
        )
        last = 0
        while True:
            with self._read() as conn:
                self._viewing(conn, viewer, "agreement")
                query = sa.select(segments).where(segments.c.id.in_(twice) & (segments.c.id > last))
                if doc_id is not None:
                    query = query.where(segments.c.doc_id == doc_id)
                rows = conn.execute(query.order_by(segments.c.id).limit(SHARED_BATCH)).all()
                if not rows:
                    return
                work = _work(conn, [row.id for row in rows], all_reviewers=False)
            last = rows[-1].id
            for row in rows:
                yield SharedSegment(row.doc_id, row.idx, row.text, work.get(row.id, {}))

    # --- adjudication ---------------------------------------------------------------------
    def adjudicate(
        self,
        doc_id: str,
        index: int,
        *,
        by: str,
        text: str | None,
        spans: Sequence[FinalSpan],
        note: str = "",
    ) -> Adjudication:
        """The final target (`None`: the MT stands) and error spans; replaces an earlier one.
        Labels, comments, note and text pass the checks of `add_annotation` and corrections.
        `by`: a principal allowed "adjudicate" (a lead or admin)."""
        check_comment(note, "note")
        with self._write() as conn:
            me = self._acting(conn, by, "adjudicate")
            seg = segment_row(conn, doc_id, index)
            if text is not None:
                check_correction(seg.text, text, "final text")
            checked = []
            for span in spans:
                check_span(seg, span.start, span.end)
                check_comment(span.comment)
                category, severity = check_label(self.typology, span.category, span.severity)
                checked.append(dataclasses.replace(span, category=category, severity=severity))
            spans = checked
            final = None if text is None or text == seg.text else text
            stamp = now()
            conn.execute(adjudications.delete().where(adjudications.c.segment_id == seg.id))
            conn.execute(
                adjudications.insert().values(
                    segment_id=seg.id,
                    text=final,
                    annotations=[dataclasses.asdict(s) for s in spans],
                    adjudicator=me.name,
                    note=note,
                    created_at=stamp,
                )
            )
            self._audit(
                conn, me.name, "adjudicate", doc_id, index, text=final, spans=len(spans), note=note
            )
        return Adjudication(doc_id, index, final, tuple(spans), me.name, note, stamp)

    def adjudications(self, doc_id: str, *, viewer: str | None = None) -> dict[int, Adjudication]:
        """A document's adjudicated segments by index (a small part of a corpus). `viewer`
        (an export's principal, checked in this read): without "see-all", only those of
        segments assigned to them (an adjudication names every reviewer's spans); None:
        all (the library's own reads)."""
        with self._read() as conn:
            query = (
                sa.select(adjudications, segments.c.idx)
                .join(segments, segments.c.id == adjudications.c.segment_id)
                .where(segments.c.doc_id == doc_id)
                .order_by(segments.c.idx)
            )
            me = None if viewer is None else self._acting(conn, viewer, "review")
            if me is not None and not me.can("see-all"):
                theirs = (assignments.c.segment_id == adjudications.c.segment_id) & (
                    assignments.c.reviewer_id == (me.reviewer_id or -1)
                )
                query = query.where(sa.exists().where(theirs))
            rows = conn.execute(query).all()
        return {
            r.idx: Adjudication(
                doc_id,
                r.idx,
                r.text,
                tuple(FinalSpan(**span) for span in r.annotations),
                r.adjudicator,
                r.note,
                r.created_at,
            )
            for r in rows
        }


def _assign_one(conn: Connection, segment_id: int, rid: int, by: str, stamp: str) -> int:
    """Give one segment to one reviewer (`by`: the checked actor's name); 1 if new."""
    key = (assignments.c.segment_id == segment_id) & (assignments.c.reviewer_id == rid)
    if conn.execute(sa.select(assignments.c.segment_id).where(key)).first() is not None:
        return 0
    conn.execute(
        assignments.insert().values(
            segment_id=segment_id, reviewer_id=rid, assigned_by=by, created_at=stamp
        )
    )
    return 1


def _work(conn: Connection, ids: list[int], *, all_reviewers: bool) -> dict[int, dict[str, Any]]:
    """segment id -> reviewer -> ReviewerWork. Only reviewers who marked the segment done,
    unless `all_reviewers` (then anyone who annotated, corrected or is assigned too)."""
    marks = conn.execute(
        sa.select(reviewer_marks).where(reviewer_marks.c.segment_id.in_(ids))
    ).all()
    done: dict[tuple[int, int], str] = {(m.segment_id, m.reviewer_id): m.reviewed_at for m in marks}
    spans: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for a in conn.execute(
        sa.select(annotations_table)
        .where(annotations_table.c.segment_id.in_(ids))
        .order_by(annotations_table.c.start, annotations_table.c.end, annotations_table.c.id)
    ):
        spans[(a.segment_id, a.reviewer_id)].append(
            Span(a.start, a.end, a.category, a.severity, a.comment)
        )
    latest: dict[tuple[int, int], str] = {}
    for c in conn.execute(
        sa.select(corrections)
        .where(corrections.c.segment_id.in_(ids))
        .order_by(corrections.c.version)
    ):
        latest[(c.segment_id, c.reviewer_id)] = c.text
    keys = set(done)
    if all_reviewers:
        assigned = conn.execute(
            sa.select(assignments.c.segment_id, assignments.c.reviewer_id).where(
                assignments.c.segment_id.in_(ids)
            )
        ).all()
        keys |= set(spans) | set(latest) | {(a.segment_id, a.reviewer_id) for a in assigned}
    names = dict(
        conn.execute(
            sa.select(reviewers.c.id, reviewers.c.name).where(
                reviewers.c.id.in_(sorted({rid for _, rid in keys}))
            )
        ).all()
    )
    result: dict[int, dict[str, Any]] = defaultdict(dict)
    for seg_id, rid in sorted(keys, key=lambda key: (key[0], names[key[1]])):
        result[seg_id][names[rid]] = ReviewerWork(
            names[rid], tuple(spans.get((seg_id, rid), ())), latest.get((seg_id, rid)),
            done.get((seg_id, rid)),
        )  # fmt: skip
    return result
