"""Reviewer actions on segments: annotations, pre-highlight decisions, corrections, status.

Every method is one transaction and carries the reviewer's name, so each action is saved,
attributed and timestamped the moment it is made.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import ConflictError, StoreError
from mtreview.mqm import Typology
from mtreview.store.access import (
    Acting,
    assignment,
    blind_to,
    refuse_unless,
    segment_assigned,
)
from mtreview.store.base import StoreBase, conflict_insert, insert_new, new_id
from mtreview.store.read import EVERYTHING, Sight, build_reviews, rows_sight, segment_row
from mtreview.store.schema import (
    Annotation,
    Correction,
    SegmentReview,
    analyses,
    annotations_table,
    corrections,
    drafts,
    flag_decisions,
    now,
    reviewers,
    segments,
)
from mtreview.store.team_schema import reviewer_marks
from mtreview.store.text import UNSTORABLE

MAX_TYPED_CHARS = 100_000  # any correction or draft (segments are at most 20,000 by default)
MAX_COMMENT = 2_000  # an annotation's comment, an adjudication's note
MIN_CORRECTION_LIMIT = 2_000  # a correction may be 10 times its segment, or this, if longer


class ReviewActions(StoreBase):
    def _sight(self, conn: Connection, viewer: str | None, rows: Any) -> Sight:
        """What `viewer` may see of these segment rows, checked in this transaction: a
        principal allowed to review (on a team store); None: everything (the library's
        own reads)."""
        if viewer is None:
            return EVERYTHING
        return rows_sight(conn, self._acting(conn, viewer, "review"), rows)

    def mark_reviewed(
        self, doc_id: str, index: int, *, reviewer: str, reviewed: bool = True
    ) -> SegmentReview:
        """Record that a reviewer looked at the segment (with or without changes)."""
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            me = self._reviewing(conn, reviewer, seg)
            rid, stamp = me.writer_id, now()
            values = (
                {"reviewed_by": rid, "reviewed_at": stamp}
                if reviewed
                else {"reviewed_by": None, "reviewed_at": None}
            )
            conn.execute(segments.update().where(segments.c.id == seg.id).values(**values))
            if reviewed:
                mark_done(conn, seg.id, rid, stamp)
            else:
                conn.execute(reviewer_marks.delete().where(_mark_key(seg.id, rid)))
            self._audit(conn, me.name, "reviewed" if reviewed else "unreviewed", doc_id, index)
            return _segment_review(conn, doc_id, index, me)

    def _owner(self, conn: Connection, who: str, seg: Any, annotation: Any) -> Acting:
        """`who` changing an annotation: a reviewer without "see-all" changes only their own
        (never saves as another)."""
        me = self._reviewing(conn, who, seg)
        refuse_unless(
            annotation.reviewer_id == me.reviewer_id or me.can("see-all"),
            f"annotation {annotation.id} is another reviewer's; {me.name!r} may not change it",
        )
        return me

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
        """Mark `[start, end)` (code points of the segment's original text). `category` and
        `severity` must be in the store's typology (stored as the table spells them), the
        comment at most `MAX_COMMENT` characters."""
        category, severity = check_label(self.typology, category, severity)
        check_comment(comment)
        with self._write() as conn:
            seg, assigned = segment_assigned(conn, doc_id, index)
            me = self._reviewing_assigned(conn, reviewer, seg, assigned)[0]
            stamp = now()
            annotation_id = _insert_annotation(
                conn, seg, start, end, category, severity, comment, origin, me.writer_id, stamp
            )
            found = Annotation(  # what was written: no need to read it back
                id=annotation_id, doc_id=doc_id, segment_index=index, start=start, end=end,
                text=seg.text[start:end], category=category, severity=severity,
                comment=comment, origin=origin, reviewer=me.name, created_at=stamp,
                updated_at=stamp,
            )  # fmt: skip
            self._audit(conn, me.name, "annotate", doc_id, index, **_span_detail(found))
            return found

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
        """Change what is given; the annotation then carries the reviewer who changed it.
        What is given passes the checks of `add_annotation`."""
        if category is not None:
            category = check_label(self.typology, category, self.typology.severities[0])[0]
        if severity is not None:
            severity = check_label(self.typology, self.typology.labels[0], severity)[1]
        if comment is not None:
            check_comment(comment)
        with self._write() as conn:
            row = _annotation_row(conn, annotation_id)
            seg = conn.execute(sa.select(segments).where(segments.c.id == row.segment_id)).one()
            me = self._owner(conn, reviewer, seg, row)
            new_start = row.start if start is None else start
            new_end = row.end if end is None else end
            check_span(seg, new_start, new_end)
            values: dict[str, Any] = {
                "start": new_start,
                "end": new_end,
                "category": category or row.category,
                "severity": severity or row.severity,
                "comment": row.comment if comment is None else comment,
                "reviewer_id": me.writer_id,
                "updated_at": now(),
            }
            conn.execute(
                annotations_table.update()
                .where(annotations_table.c.id == annotation_id)
                .values(**values)
            )
            found = _annotation(conn, annotation_id)
            self._audit(
                conn, me.name, "update-annotation", found.doc_id, found.segment_index,
                **_span_detail(found),
            )  # fmt: skip
            return found

    def delete_annotation(self, annotation_id: int, *, reviewer: str) -> Annotation:
        """Remove a span; an accepted pre-highlight becomes undecided again. Returns what was
        removed (the app's undo adds it back)."""
        with self._write() as conn:
            row = _annotation_row(conn, annotation_id)
            seg = conn.execute(sa.select(segments).where(segments.c.id == row.segment_id)).one()
            me = self._owner(conn, reviewer, seg, row)
            gone = _annotation(conn, annotation_id)
            self._audit(
                conn, me.name, "delete-annotation", gone.doc_id, gone.segment_index,
                **_span_detail(gone),
            )  # fmt: skip
            conn.execute(
                flag_decisions.delete().where(flag_decisions.c.annotation_id == annotation_id)
            )
            conn.execute(annotations_table.delete().where(annotations_table.c.id == annotation_id))
            return gone

    def decide_flag(
        self, doc_id: str, index: int, flag_index: int, *, accept: bool, reviewer: str
    ) -> SegmentReview:
        """Accept a pre-highlight (it becomes an annotation) or reject it, in one call.
        The decision is the reviewer's own: it replaces their earlier one on this flag and
        no one else's (on a blind segment another reviewer's decision, unseen, stands
        beside it; a lead reads both)."""
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            me = self._reviewing(conn, reviewer, seg)
            record = conn.execute(
                sa.select(analyses.c.record).where(analyses.c.segment_id == seg.id)
            ).scalar()
            flags = (record or {}).get("flags") or []
            if not 0 <= flag_index < len(flags):
                raise StoreError(f"{doc_id!r} segment {index} has no pre-highlight {flag_index}")
            key = (
                (flag_decisions.c.segment_id == seg.id)
                & (flag_decisions.c.flag_index == flag_index)
                & (flag_decisions.c.reviewer_id == me.writer_id)
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
                severity = self.typology.known_severity(str(flag["severity"]))
                annotation_id = _insert_annotation(
                    conn,
                    seg,
                    int(flag["start"]),
                    int(flag["end"]),
                    self.typology.resolve(str(flag["category"])),  # a check's guess: nearest
                    severity or self.typology.severities[0],
                    str(flag.get("message") or "")[:MAX_COMMENT],
                    "pre-highlight:" + "+".join(map(str, origins)),
                    me.writer_id,
                )
            conn.execute(
                flag_decisions.insert().values(
                    segment_id=seg.id,
                    flag_index=flag_index,
                    decision="accepted" if accept else "rejected",
                    annotation_id=annotation_id,
                    reviewer_id=me.writer_id,
                    created_at=now(),
                )
            )
            self._audit(
                conn, me.name, "accept-flag" if accept else "reject-flag", doc_id, index,
                flag_index=flag_index,
            )  # fmt: skip
            return _segment_review(conn, doc_id, index, me)

    # --- corrections ----------------------------------------------------------------------
    def save_correction(
        self,
        doc_id: str,
        index: int,
        text: str,
        *,
        expected_version: int,
        reviewer: str,
        independent: bool = False,
    ) -> Correction:
        """Save a new version; `expected_version` is the version the reviewer started from
        (0: the original). Raises ConflictError with the other reviewer's text when stale.
        Returns what this call wrote, never a re-read "latest" (which may be another's).

        `independent`: the reviewer works blind on a segment assigned to several (for
        agreement): only their own versions count, `expected_version` is their own latest
        (0: none yet), and another reviewer's save is no conflict. A reviewer without
        "see-all" always saves independently on such a segment (a conflict would show
        them the other reviewer's text)."""
        with self._write() as conn:
            seg, found = segment_assigned(conn, doc_id, index)
            check_correction(seg.text, text)
            me, assigned = self._reviewing_assigned(conn, reviewer, seg, found)
            name, rid = me.name, me.writer_id
            own_chain = assigned is not None and assigned.blind_to(me, until_adjudicated=False)
            independent = independent or own_chain
            versions = _versions(conn, seg)
            current = _current(versions, seg, rid, independent=independent, own=own_chain)
            if current[0] != expected_version:
                raise _conflict(doc_id, index, current, expected_version)
            stamp = now()
            latest = versions[-1].version if versions else 0
            version = _insert_version(
                conn, seg, text, rid, stamp, expected_version, independent, latest=latest
            )
            if version is None:  # a concurrent writer took this version
                versions = _versions(conn, seg)
                current = _current(versions, seg, rid, independent=independent, own=own_chain)
                raise _conflict(doc_id, index, current, expected_version)
            conn.execute(
                segments.update()
                .where(segments.c.id == seg.id)
                .values(reviewed_by=rid, reviewed_at=stamp)
            )
            mark_done(conn, seg.id, rid, stamp)
            # saved: the reviewer's draft of the segment is this text now, or superseded
            conn.execute(
                drafts.delete().where(
                    (drafts.c.segment_id == seg.id) & (drafts.c.reviewer_id == rid)
                )
            )
            self._audit(conn, me.name, "correct", doc_id, index, version=version, text=text)
            # this one is theirs too: on their own chain it is the next of theirs
            shown = 1 + sum(v.reviewer_id == rid for v in versions) if own_chain else version
        return Correction(doc_id, index, shown, text, name, stamp)

    def corrections(
        self, doc_id: str, index: int, *, viewer: str | None = None
    ) -> list[Correction]:
        """The version history of one segment, oldest first. On a team store `viewer` (a
        principal) is required. A reviewer without "see-all" sees only their own versions
        of a segment reviewed blind until it is adjudicated (then everyone's: the segment is
        settled), and of a segment not assigned to them; on a blind segment each
        reviewer's versions are numbered on their own chain (1, 2, …), so a number never
        tells that someone else saved first."""
        with self._read() as conn:
            seg = segment_row(conn, doc_id, index)
            query = (
                sa.select(corrections, reviewers.c.name.label("reviewer"))
                .join(reviewers, reviewers.c.id == corrections.c.reviewer_id)
                .where(corrections.c.segment_id == seg.id)
                .order_by(corrections.c.version)
            )
            me = self._viewing(conn, viewer, "review")
            own_chain = hidden = False
            if me is not None and not me.can("see-all"):
                assigned = assignment(conn, seg.id)
                own_chain = assigned.blind_to(me, until_adjudicated=False)
                hidden = assigned.blind_to(me) or me.reviewer_id not in assigned.reviewers
            if hidden and me is not None:
                query = query.where(corrections.c.reviewer_id == (me.reviewer_id or -1))
            rows = conn.execute(query).all()
        numbers: dict[int, int] = defaultdict(int)
        found = []
        for row in rows:
            numbers[row.reviewer_id] += 1
            number = numbers[row.reviewer_id] if own_chain else row.version
            found.append(Correction(doc_id, index, number, row.text, row.reviewer, row.created_at))
        return found


def own_versions(conn: Connection, segment_id: int, reviewer_id: int) -> list[int]:
    """The stored version numbers of one reviewer's corrections of a segment, oldest first
    (their own chain: the n-th is their version n)."""
    query = (
        sa.select(corrections.c.version)
        .where(
            (corrections.c.segment_id == segment_id) & (corrections.c.reviewer_id == reviewer_id)
        )
        .order_by(corrections.c.version)
    )
    return [int(v) for v in conn.execute(query).scalars()]


def stored_version(conn: Connection, segment_id: int, me: Acting, version: int) -> int:
    """The stored number behind the `version` that `me` knows: on their own chain (a blind
    segment) their `version`-th correction's; elsewhere the number itself."""
    if version == 0 or not blind_to(conn, me, segment_id, until_adjudicated=False):
        return version
    mine = own_versions(conn, segment_id, me.writer_id)
    return mine[min(version, len(mine)) - 1] if mine else 0


def _insert_annotation(
    conn: Connection,
    seg: Any,
    start: int,
    end: int,
    category: str,
    severity: str,
    comment: str,
    origin: str,
    reviewer_id: int,
    stamp: str | None = None,
) -> int:
    check_span(seg, start, end)
    stamp = stamp or now()
    result = conn.execute(
        annotations_table.insert().values(
            segment_id=seg.id,
            start=start,
            end=end,
            category=category,
            severity=severity,
            comment=comment,
            origin=origin,
            reviewer_id=reviewer_id,
            created_at=stamp,
            updated_at=stamp,
        )
    )
    return new_id(result)


def _latest_correction(
    conn: Connection, seg: Any, reviewer_id: int | None = None
) -> tuple[int, str]:
    """(version, text) of the latest correction (of one reviewer's, when given)."""
    query = sa.select(corrections.c.version, corrections.c.text).where(
        corrections.c.segment_id == seg.id
    )
    if reviewer_id is not None:
        query = query.where(corrections.c.reviewer_id == reviewer_id)
    row = conn.execute(query.order_by(corrections.c.version.desc()).limit(1)).first()
    return (row.version, row.text) if row else (0, seg.text)


def _versions(conn: Connection, seg: Any) -> list[Any]:
    """Every version of the segment (number, text, writer), oldest first: what a save
    decides by, in one statement (a segment has a handful)."""
    query = (
        sa.select(corrections.c.version, corrections.c.text, corrections.c.reviewer_id)
        .where(corrections.c.segment_id == seg.id)
        .order_by(corrections.c.version)
    )
    return list(conn.execute(query).all())


def _current(
    versions: Sequence[Any], seg: Any, rid: int, *, independent: bool, own: bool
) -> tuple[int, str]:
    """(version, text) a save by `rid` must start from: the latest (of their own, when
    `independent`); numbered on their own chain 1, 2, … whoever else saved (`own`)."""
    mine = [v for v in versions if v.reviewer_id == rid]
    chosen = mine if independent else list(versions)
    version, text = (chosen[-1].version, chosen[-1].text) if chosen else (0, seg.text)
    return (len(mine), text) if own else (version, text)


def _insert_version(
    conn: Connection,
    seg: Any,
    text: str,
    rid: int,
    stamp: str,
    expected: int,
    free: bool,
    *,
    latest: int | None = None,
) -> int | None:
    """The version number inserted, or None when the unique constraint refused it. A
    `free` (independent) save takes the next number whoever holds the last one (`latest`,
    when the caller read it: asked again only when someone took the next one)."""
    for attempt in range(5 if free else 1):
        if free and (latest is None or attempt):
            latest = _latest_correction(conn, seg)[0]
        version = ((latest or 0) if free else expected) + 1
        row = {
            "segment_id": seg.id,
            "version": version,
            "text": text,
            "reviewer_id": rid,
            "created_at": stamp,
        }
        if insert_new(conn, corrections, row):
            return version
    return None


def _mark_key(segment_id: int, reviewer_id: int) -> Any:
    return (reviewer_marks.c.segment_id == segment_id) & (
        reviewer_marks.c.reviewer_id == reviewer_id
    )


def mark_done(conn: Connection, segment_id: int, reviewer_id: int, stamp: str) -> None:
    """This reviewer has reviewed this segment (their own progress; agreement's shared set)."""
    upsert = conflict_insert(conn, reviewer_marks)
    if upsert is not None:  # one statement, whoever (another tab) marked it just now
        row = {"segment_id": segment_id, "reviewer_id": reviewer_id, "reviewed_at": stamp}
        conn.execute(
            upsert.values(**row).on_conflict_do_update(
                index_elements=[reviewer_marks.c.segment_id, reviewer_marks.c.reviewer_id],
                set_={"reviewed_at": stamp},
            )
        )
        return
    key = _mark_key(segment_id, reviewer_id)
    if conn.execute(reviewer_marks.update().where(key).values(reviewed_at=stamp)).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                reviewer_marks.insert().values(
                    segment_id=segment_id, reviewer_id=reviewer_id, reviewed_at=stamp
                )
            )
    except sa.exc.IntegrityError:  # the same reviewer, in another tab, just now
        conn.execute(reviewer_marks.update().where(key).values(reviewed_at=stamp))


def _span_detail(mark: Annotation) -> dict[str, object]:
    return {
        "start": mark.start,
        "end": mark.end,
        "category": mark.category,
        "severity": mark.severity,
    }


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


def check_span(seg: Any, start: int, end: int) -> None:
    if not 0 <= start < end <= len(seg.text):
        raise StoreError(
            f"span [{start}, {end}) is outside segment {seg.idx} "
            f"(expected 0 <= start < end <= {len(seg.text)})"
        )


def check_typed(what: str, text: str) -> None:
    """Text a reviewer typed: UTF-8 must be able to hold it (the browser can send a lone
    surrogate), every database too (no NUL: `mtreview.store.text`), and it stays within
    what a store row should carry."""
    match = UNSTORABLE.search(text)
    if match is not None:
        code = ord(match.group())
        char = "U+0000 (NUL)" if code == 0 else f"a lone surrogate U+{code:04X} (not UTF-8)"
        where = f"at position {match.start()}"
        raise StoreError(f"the {what} holds {char} {where}, which a review store cannot keep")
    if len(text) > MAX_TYPED_CHARS:
        raise StoreError(f"the {what} is longer than {MAX_TYPED_CHARS:,} characters")


def correction_limit(segment: str) -> int:
    """The longest correction of a segment: ten times its length, at least 2,000, at most
    `MAX_TYPED_CHARS` (a reviewer rewrites a sentence; nobody pastes a book into one)."""
    return min(MAX_TYPED_CHARS, max(MIN_CORRECTION_LIMIT, 10 * len(segment)))


def check_correction(segment: str, text: str, what: str = "correction") -> None:
    limit = correction_limit(segment)
    if len(text) > limit:
        raise StoreError(
            f"the {what} has {len(text):,} characters; a correction of this segment may have "
            f"at most {limit:,} (10 times the segment, at least {MIN_CORRECTION_LIMIT:,})"
        )
    check_typed(what, text)


def check_comment(text: str, what: str = "comment") -> None:
    """Only the length: what no database can keep is refused as it is written (`text`)."""
    if len(text) > MAX_COMMENT:
        raise StoreError(f"the {what} is longer than {MAX_COMMENT:,} characters")


def check_label(typology: Typology, category: str, severity: str) -> tuple[str, str]:
    """The typology's own spelling of an annotation's category and severity (case and
    spacing ignored); StoreError for anything the table does not hold."""
    label = typology.known_label(category)
    if label is None:
        raise StoreError(
            f"unknown MQM category {category[:80]!r}: not in the typology {typology.source} "
            f"(e.g. {', '.join(typology.labels[:3])}, …)"
        )
    level = typology.known_severity(severity)
    if level is None:
        raise StoreError(
            f"unknown MQM severity {severity[:80]!r}: expected one of "
            f"{', '.join(typology.severities)} ({typology.source})"
        )
    return label, level


def _segment_review(conn: Connection, doc_id: str, index: int, me: Acting) -> SegmentReview:
    """The segment as the caller's own transaction sees it (its write included), as much
    of it as `me` may see."""
    rows = [segment_row(conn, doc_id, index)]
    return build_reviews(conn, rows, rows_sight(conn, me, rows))[0]


def _annotation(conn: Connection, annotation_id: int) -> Annotation:
    """The annotation as stored, in one statement (its segment and writer joined)."""
    row = conn.execute(
        sa.select(
            annotations_table,
            segments.c.doc_id,
            segments.c.idx,
            segments.c.text.label("segment_text"),
            reviewers.c.name.label("reviewer_name"),
        )
        .join(segments, segments.c.id == annotations_table.c.segment_id)
        .join(reviewers, reviewers.c.id == annotations_table.c.reviewer_id)
        .where(annotations_table.c.id == annotation_id)
    ).first()
    if row is None:
        raise StoreError(f"no annotation {annotation_id}")
    return Annotation(
        id=row.id,
        doc_id=row.doc_id,
        segment_index=row.idx,
        start=row.start,
        end=row.end,
        text=row.segment_text[row.start : row.end],
        category=row.category,
        severity=row.severity,
        comment=row.comment,
        origin=row.origin,
        reviewer=row.reviewer_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
