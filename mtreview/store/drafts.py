"""Drafts: what a reviewer typed in a segment's correction box and did not save yet.

Kept per segment and reviewer in the store, so it survives opening another segment, a
reload or a restarted server; saving the correction (or giving it up) removes it. A draft
remembers the version it was typed on, so saving it later still meets the usual conflict
check. Drafts are working state: backups, exports and the audit log leave them out.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.store.actions import check_typed, stored_version
from mtreview.store.base import StoreBase
from mtreview.store.read import segment_row
from mtreview.store.schema import Draft, corrections, drafts, now


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

    def _key(self, conn: Connection, doc_id: str, index: int, reviewer: str) -> dict[str, int]:
        """The draft's row key, for `reviewer` (a principal on a team store) allowed to
        review that segment."""
        seg = segment_row(conn, doc_id, index)
        return {"segment_id": seg.id, "reviewer_id": self._reviewing(conn, reviewer, seg).writer_id}


def _matches(key: dict[str, int]) -> sa.ColumnElement[bool]:
    return (drafts.c.segment_id == key["segment_id"]) & (drafts.c.reviewer_id == key["reviewer_id"])
