"""Drafts: what a reviewer typed in a segment's correction box and did not save yet, and
the error they began in the picker and did not add yet (`save_mark_draft`).

Kept per segment and reviewer in the store, so it survives opening another segment, a
reload, a restarted server or another replica; saving the correction (adding the error, or
giving it up) removes it. A draft remembers the version it was typed on, so saving it later
still meets the usual conflict check. An error added with its correction in one step
remembers that correction (`link_correction`, `saved_with`), so deleting the error can
offer to revert it. All of this is working state: backups, exports and the audit log leave
it out.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.store.access import blind_to
from mtreview.store.actions import (
    check_comment,
    check_correction,
    check_label,
    check_span,
    check_typed,
    own_versions,
    stored_version,
)
from mtreview.store.base import StoreBase
from mtreview.store.read import segment_row
from mtreview.store.schema import (
    Correction,
    Draft,
    MarkDraft,
    annotations_table,
    corrections,
    drafts,
    mark_corrections,
    mark_drafts,
    now,
    segments,
)


class DraftActions(StoreBase):
    def save_draft(
        self, doc_id: str, index: int, text: str, *, base_version: int, reviewer: str
    ) -> Draft | None:
        """Keep `text` as the reviewer's draft of the segment (replacing an older one).
        None when this reviewer has saved that very text since `base_version`: a draft sent
        with the save (the app sends one as the box loses focus) is no draft any more."""
        check_typed("draft", text)
        if base_version < 0:
            raise StoreError(f"a draft's base version is 0 or more, not {base_version}")
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            me = self._reviewing(conn, reviewer, seg)
            key = {"segment_id": seg.id, "reviewer_id": me.writer_id}
            conn.execute(drafts.delete().where(_matches(key)))
            saved_since = conn.execute(
                sa.select(corrections.c.version)
                .where(corrections.c.segment_id == key["segment_id"])
                .where(corrections.c.reviewer_id == key["reviewer_id"])
                .where(corrections.c.version > stored_version(conn, seg.id, me, base_version))
                .where(corrections.c.text == text)
                .limit(1)
            ).first()
            if saved_since is not None:
                return None
            stamp = now()
            values = {"text": text, "base_version": base_version, "updated_at": stamp}
            conn.execute(drafts.insert().values(**key, **values))
        return Draft(text, base_version, stamp)

    def draft(self, doc_id: str, index: int, *, reviewer: str) -> Draft | None:
        """The reviewer's draft of the segment, if any (another reviewer's is never seen)."""
        with self._read() as conn:
            seg = segment_row(conn, doc_id, index)
            me = self._acting(conn, reviewer, "review")
            row = conn.execute(
                sa.select(drafts.c.text, drafts.c.base_version, drafts.c.updated_at)
                .where(drafts.c.segment_id == seg.id)
                .where(drafts.c.reviewer_id == me.reviewer_id)
            ).first()
        return Draft(row.text, row.base_version, row.updated_at) if row else None

    def discard_draft(self, doc_id: str, index: int, *, reviewer: str) -> bool:
        """Forget the reviewer's draft of the segment; False when there was none."""
        with self._write() as conn:
            key = self._key(conn, doc_id, index, reviewer)
            return bool(conn.execute(drafts.delete().where(_matches(key))).rowcount)

    # --- the picker's error, not added yet ------------------------------------------------
    def save_mark_draft(
        self,
        doc_id: str,
        index: int,
        *,
        start: int,
        end: int,
        category: str,
        severity: str,
        reviewer: str,
        comment: str = "",
        fix: str | None = None,
    ) -> MarkDraft:
        """Keep the error the reviewer began in the picker (replacing the segment's older
        one): what `add_annotation` would refuse (span, labels, comment) is refused here,
        and `fix` (the marked words as corrected) is held to a correction's limits."""
        category, severity = check_label(self.typology, category, severity)
        check_comment(comment)
        check_typed("comment", comment)
        with self._write() as conn:
            seg = segment_row(conn, doc_id, index)
            check_span(seg, start, end)
            if fix is not None:
                check_correction(seg.text, fix, "correction typed in the picker")
            key = {
                "segment_id": seg.id,
                "reviewer_id": self._reviewing(conn, reviewer, seg).writer_id,
            }
            conn.execute(mark_drafts.delete().where(_marks_match(key)))
            stamp = now()
            conn.execute(
                mark_drafts.insert().values(
                    **key, start=start, end=end, category=category, severity=severity,
                    comment=comment, fix=fix, updated_at=stamp,
                )
            )  # fmt: skip
        return MarkDraft(start, end, category, severity, comment, fix, stamp)

    def mark_draft(self, doc_id: str, index: int, *, reviewer: str) -> MarkDraft | None:
        """The reviewer's error begun in the picker on the segment, if any (their own only)."""
        with self._read() as conn:
            seg = segment_row(conn, doc_id, index)
            me = self._acting(conn, reviewer, "review")
            row = conn.execute(
                sa.select(mark_drafts)
                .where(mark_drafts.c.segment_id == seg.id)
                .where(mark_drafts.c.reviewer_id == me.reviewer_id)
            ).first()
        if row is None:
            return None
        return MarkDraft(
            row.start, row.end, row.category, row.severity, row.comment, row.fix, row.updated_at
        )

    def discard_mark_draft(self, doc_id: str, index: int, *, reviewer: str) -> bool:
        """Forget the reviewer's error begun in the picker; False when there was none."""
        with self._write() as conn:
            key = self._key(conn, doc_id, index, reviewer)
            return bool(conn.execute(mark_drafts.delete().where(_marks_match(key))).rowcount)

    # --- the correction an error was added with ------------------------------------------
    def link_correction(self, annotation_id: int, version: int, *, reviewer: str) -> None:
        """Remember that the reviewer's error `annotation_id` was added with their
        correction `version` of its segment (the number they know: on a blind segment, of
        their own chain)."""
        with self._write() as conn:
            mark = conn.execute(
                sa.select(annotations_table.c.segment_id, annotations_table.c.reviewer_id).where(
                    annotations_table.c.id == annotation_id
                )
            ).first()
            if mark is None:
                raise StoreError(f"no annotation {annotation_id}")
            seg = conn.execute(sa.select(segments).where(segments.c.id == mark.segment_id)).one()
            me = self._reviewing(conn, reviewer, seg)
            stored = stored_version(conn, seg.id, me, version)
            found = conn.execute(
                sa.select(corrections.c.id)
                .where(corrections.c.segment_id == seg.id)
                .where(corrections.c.version == stored)
                .where(corrections.c.reviewer_id == me.writer_id)
            ).scalar()
            if mark.reviewer_id != me.writer_id or found is None:
                raise StoreError(
                    f"annotation {annotation_id} and version {version} of segment {seg.idx} "
                    f"of {seg.doc_id!r} are not both {me.name!r}'s"
                )
            link = mark_corrections.c.annotation_id == annotation_id
            conn.execute(mark_corrections.delete().where(link))
            conn.execute(
                mark_corrections.insert().values(annotation_id=annotation_id, correction_id=found)
            )

    def saved_with(self, annotation_id: int, *, viewer: str) -> Correction | None:
        """The correction the viewer's error `annotation_id` was added with, numbered as
        the viewer knows it; None when it has none (or it is not the viewer's)."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(corrections)
                .join(mark_corrections, mark_corrections.c.correction_id == corrections.c.id)
                .where(mark_corrections.c.annotation_id == annotation_id)
            ).first()
            if row is None:
                return None
            seg = conn.execute(sa.select(segments).where(segments.c.id == row.segment_id)).one()
            me = self._acting(conn, viewer, "review")
            if me.reviewer_id is None or row.reviewer_id != me.reviewer_id:
                return None
            number = row.version
            if blind_to(conn, me, seg.id, until_adjudicated=False):
                number = own_versions(conn, seg.id, me.reviewer_id).index(row.version) + 1
        return Correction(seg.doc_id, seg.idx, number, row.text, me.name, row.created_at)

    def _key(self, conn: Connection, doc_id: str, index: int, reviewer: str) -> dict[str, int]:
        """The draft's row key, for `reviewer` (a principal on a team store) allowed to
        review that segment."""
        seg = segment_row(conn, doc_id, index)
        return {"segment_id": seg.id, "reviewer_id": self._reviewing(conn, reviewer, seg).writer_id}


def _matches(key: dict[str, int]) -> sa.ColumnElement[bool]:
    return (drafts.c.segment_id == key["segment_id"]) & (drafts.c.reviewer_id == key["reviewer_id"])


def _marks_match(key: dict[str, int]) -> sa.ColumnElement[bool]:
    return (mark_drafts.c.segment_id == key["segment_id"]) & (
        mark_drafts.c.reviewer_id == key["reviewer_id"]
    )
