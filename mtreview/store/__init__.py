"""The review store: documents, analyses, annotations, versioned corrections, reviewers.

SQLAlchemy Core over SQLite by default (one file, WAL mode: readers never wait for the
writer), or any SQLAlchemy URL (PostgreSQL for teams). Every call is its own transaction, so
each reviewer action is on disk when the call returns.

Two reviewers saving the same segment: `save_correction` takes the version the caller
started from; when someone else saved since, it raises `ConflictError` carrying their text.
The `(segment_id, version)` unique constraint makes the database itself refuse a second
save of one version, so no interleaving of writers can overwrite silently.

Public API (records in `mtreview.store.schema`):
    ReviewStore(db)                      path of an SQLite file or SQLAlchemy URL
    .add_document(document, analyses)    .replace_analyses(doc_id, analyses)
    .documents() .document(doc_id) .has_document(doc_id) .load_document(doc_id)
    .iter_segments(doc_id, viewer=)      streamed SegmentReview, in document order
    .segment(doc_id, index, viewer=)     one SegmentReview, as the viewer may see it
    .add_annotation / .update_annotation / .delete_annotation
    .decide_flag(doc_id, index, flag_index, accept=...)   accept/reject a pre-highlight
    .save_correction(doc_id, index, text, expected_version=...) .corrections(doc_id, index, viewer=)
    .mark_reviewed(doc_id, index)        .reviewer(name) .reviewers()
    .save_draft(doc_id, index, text, base_version=, reviewer=) .draft(...) .discard_draft(...)
                                         a correction typed, not saved yet (per reviewer)
    .save_mark_draft(doc_id, index, start=, end=, category=, severity=, reviewer=, fix=)
    .mark_draft(...) .discard_mark_draft(...)   an error begun in the picker, not added yet
    .link_correction(annotation_id, version, reviewer=) .saved_with(annotation_id, viewer=)
                                         the correction an error was added with
    .write_reviews(output, docs, viewer=) .import_reviews(path, by=)   the reviews backup format
    .corpus_overview() .corpus_queue(filter, offset=, limit=) .corpus_count(filter)
    .corpus_after(filter, item) .corpus_item(doc_id, index) .context(doc_id, index, viewer=)
    .filter_choices()                    the corpus view (mtreview.store.corpus)
    .comparisons()                       documents several MT systems made of one source
                                         (mtreview.store.systems)
    .write_scored(window, incoming) .finish_scored(...) .scored_state(doc_id)
                                         score --db and import-analysis (store.ingest)
Teams (mtreview.store.accounts, mtreview.store.team). On a store with accounts every call
that changes or reveals review work takes a Principal (`reviewer=`, `by=`, `viewer=`), not
a name, checked in its own transaction (mtreview.store.principal, mtreview.store.access);
AccessError otherwise. A store without accounts (one local user) takes plain names.
    .add_user(name, role=, password=, by=) .update_user .users() .user(name) .has_accounts()
    .sign_in(name, password) -> SignedIn (.principal)   .principal(token) .local_principal(name)
    .session_user(token) .sign_out(token) .sign_out_everywhere(token)   (store.sessions)
    .sign_in_external(ExternalIdentity, key=) .link_external(name, issuer=, subject=, by=)
    .unlink_external(name, by=) .external_link(name)   an identity provider (store.external)
    .audit_log(doc_id, viewer=) .record(by, action)   who did what and when
    .verify_audit() -> AuditCheck        the log's hash chain recomputed (mtreview.store.audit)
    .assign(doc_id, names, by=, first=, last=, overlap=) .unassign .assignees .queue .progress
    .reviewer_work(doc_id, index, viewer=) .shared_segments(doc_id, viewer=)  each one's work
    .adjudicate(doc_id, index, by=, text=, spans=)   .adjudications(doc_id, viewer=)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Document, Segment
from mtreview.errors import AccessError, ConflictError, StoreError
from mtreview.store import backup
from mtreview.store.accounts import ROLES, AccountActions, AuthError
from mtreview.store.actions import ReviewActions
from mtreview.store.audit import AuditCheck
from mtreview.store.base import SYSTEM_ACTOR, database_url
from mtreview.store.corpus import (
    STATUSES,
    CorpusItem,
    CorpusQueries,
    DocumentOverview,
    FilterChoices,
    QueueFilter,
)
from mtreview.store.drafts import DraftActions
from mtreview.store.external import ExternalIdentity, ExternalLink, ExternalRefused
from mtreview.store.ingest import IncomingDocument, ScoredWrites, StoredState
from mtreview.store.merge import LoadSummary
from mtreview.store.principal import Principal
from mtreview.store.read import (
    build_reviews,
    document_info,
    review_rows,
    rows_sight,
    segment_from_row,
)
from mtreview.store.schema import (
    Annotation,
    Correction,
    DocumentInfo,
    Draft,
    FlagDecision,
    MarkDraft,
    Reviewer,
    SegmentReview,
    analyses,
    annotations_table,
    corrections,
    documents,
    flag_decisions,
    now,
    segment_flags,
    segments,
)
from mtreview.store.systems import Comparison, SystemQueries
from mtreview.store.team import (
    AssignSummary,
    Progress,
    QueueItem,
    ReviewerWork,
    SharedSegment,
    Span,
    TeamActions,
)
from mtreview.store.team_schema import Adjudication, AuditEntry, FinalSpan, SignedIn, User
from mtreview.store.write import (
    StoredAnalysis,
    disagreement,
    ensure_segments,
    insert_document,
    stored_rows,
    write_analyses,
)

__all__ = [
    "ROLES",
    "STATUSES",
    "AccessError",
    "Adjudication",
    "Annotation",
    "AssignSummary",
    "AuditCheck",
    "AuditEntry",
    "AuthError",
    "Comparison",
    "ConflictError",
    "CorpusItem",
    "Correction",
    "DocumentInfo",
    "DocumentOverview",
    "Draft",
    "ExternalIdentity",
    "ExternalLink",
    "ExternalRefused",
    "FilterChoices",
    "FinalSpan",
    "FlagDecision",
    "IncomingDocument",
    "MarkDraft",
    "Principal",
    "Progress",
    "QueueFilter",
    "QueueItem",
    "ReviewStore",
    "Reviewer",
    "ReviewerWork",
    "SegmentReview",
    "SharedSegment",
    "SignedIn",
    "Span",
    "StoredState",
    "User",
    "database_url",
]

ITER_BATCH = 500


class ReviewStore(
    ReviewActions,
    DraftActions,
    AccountActions,
    TeamActions,
    ScoredWrites,
    CorpusQueries,
    SystemQueries,
):
    """One store per database; safe to share between threads (each call is one transaction)."""

    # --- documents ------------------------------------------------------------------------
    def add_document(
        self,
        document: Document,
        analyses_: Sequence[SegmentAnalysis] | None = None,
        *,
        info: dict[str, object] | None = None,
        by: str = SYSTEM_ACTOR,
    ) -> DocumentInfo:
        """Store a document and (optionally) its analyses; refuses an existing doc_id.
        Audited as `by`'s "import-document"; on a team store `by` is a principal allowed
        "import" (an admin), checked in this transaction."""
        given = list(analyses_ or ())
        _check_analyses_match(document, given)
        words = sum(len(seg.text.split()) for seg in document.segments)
        with self._write() as conn:
            me = self._acting(conn, by, "import")
            exists = sa.select(documents.c.doc_id).where(documents.c.doc_id == document.doc_id)
            if conn.execute(exists).first() is not None:
                raise StoreError(f"document {document.doc_id!r} is already in {self.describe()}")
            insert_document(
                conn,
                document,
                original=document.original,
                segments_=len(document.segments),
                words=words,
                info=info or {},
                created_at=now(),
            )
            ids = ensure_segments(conn, document.segments)
            stamp = now()
            write_analyses(conn, [StoredAnalysis(ids[doc_key(a.segment)], a, stamp) for a in given])
            self._audit(
                conn, me.name, "import-document", document.doc_id, None, name=document.name,
                segments=len(document.segments), words=words,
            )  # fmt: skip
        return self.document(document.doc_id)

    def replace_analyses(
        self,
        doc_id: str,
        new: Iterable[SegmentAnalysis],
        *,
        info: dict[str, object] | None = None,
    ) -> int:
        """Re-score a stored document (e.g. models became available); reviews are kept.
        Each analysis must be of the stored segment (same text, offsets, source…)."""
        given = list(new)
        if any(a.segment.doc != doc_id for a in given):
            raise StoreError(f"analyses given for {doc_id!r} belong to another document")
        with self._write() as conn:
            rows = stored_rows(conn, doc_id, [a.segment.index for a in given])
            for analysis in given:
                row = rows.get(analysis.segment.index)
                if row is None:
                    raise StoreError(f"no segment {analysis.segment.index} in document {doc_id!r}")
                problem = disagreement(row, analysis.segment)
                if problem:
                    raise StoreError(problem)
            stamp = now()
            write_analyses(
                conn, [StoredAnalysis(rows[a.segment.index].id, a, stamp) for a in given]
            )
            if info is not None:
                conn.execute(
                    documents.update()
                    .where(documents.c.doc_id == doc_id)
                    .values(analysis_info=info)
                )
        return len(given)

    # --- backups (the reviews format: mtreview.store.backup) ----------------------------------
    def write_reviews(
        self, output: BinaryIO, docs: Sequence[str] = (), *, viewer: str | None = None
    ) -> dict[str, int]:
        """Everything reviewers did, as reviews JSONL; counts of segments and annotations.
        `viewer` (an export's principal): on a team store one allowed "export" (an admin:
        the backup holds everyone's work and the audit log), checked in each read; None:
        the library's own read."""
        return backup.write_reviews(self, output, docs, viewer=viewer)

    def import_reviews(self, path: str | Path, *, by: str = SYSTEM_ACTOR) -> LoadSummary:
        """A reviews file merged in, in one transaction (an error changes nothing), audited
        as `by`'s (on a team store a principal allowed "import": an admin); the file's
        audit lines are kept as imported history."""
        return backup.import_reviews(self, path, by=by)

    def delete_document(self, doc_id: str, *, by: str = SYSTEM_ACTOR) -> None:
        """The document and every review of it gone; on a team store `by` is a principal
        allowed "import" (an admin). Audited as `by`'s "delete-document"."""
        with self._write() as conn:
            me = self._acting(conn, by, "import")
            ids = sa.select(segments.c.id).where(segments.c.doc_id == doc_id)
            for table in (flag_decisions, annotations_table, corrections, analyses, segment_flags):
                conn.execute(table.delete().where(table.c.segment_id.in_(ids)))
            conn.execute(segments.delete().where(segments.c.doc_id == doc_id))
            conn.execute(documents.delete().where(documents.c.doc_id == doc_id))
            self._audit(conn, me.name, "delete-document", doc_id, None)

    def has_document(self, doc_id: str) -> bool:
        with self._read() as conn:
            query = sa.select(documents.c.doc_id).where(documents.c.doc_id == doc_id)
            return conn.execute(query).first() is not None

    def documents(self, *, viewer: str | None = None) -> list[DocumentInfo]:
        """Every stored document, oldest first, with its review progress. `viewer` (an
        export's principal): on a team store a live account, checked in this read, so an
        export is refused before it writes anything; None: anyone (no review work)."""
        with self._read() as conn:
            if viewer is not None:
                self._acting(conn, viewer, "review")
            return document_info(conn, None)

    def document(self, doc_id: str) -> DocumentInfo:
        with self._read() as conn:
            found = document_info(conn, doc_id)
        if not found:
            raise StoreError(f"no document {doc_id!r} in {self.describe()}")
        return found[0]

    def load_document(self, doc_id: str) -> Document:
        """The stored document with all its segments (the app; not for huge corpora)."""
        with self._read() as conn:
            row = conn.execute(sa.select(documents).where(documents.c.doc_id == doc_id)).first()
            if row is None:
                raise StoreError(f"no document {doc_id!r} in {self.describe()}")
            rows = conn.execute(
                sa.select(segments).where(segments.c.doc_id == doc_id).order_by(segments.c.idx)
            ).all()
        return Document(
            doc_id=row.doc_id,
            name=row.name,
            original=row.original,
            segments=tuple(segment_from_row(r) for r in rows),
            lang=row.lang,
            source_lang=row.source_lang,
            format=row.format,
        )

    # --- segments -------------------------------------------------------------------------
    def iter_segments(
        self,
        doc_id: str | None = None,
        *,
        batch_size: int = ITER_BATCH,
        viewer: str | None = None,
    ) -> Iterator[SegmentReview]:
        """Every segment (of one document, or all) in order, read in batches: a million
        segments never sit in memory, and no read transaction stays open between batches.
        `viewer` (a principal on a team store; checked in each batch's transaction): what
        they may see (`mtreview.store.read.sight`); None: everything (the library's own
        reads: exports, scoring, calibration)."""
        last = 0
        while True:
            with self._read() as conn:
                me = None if viewer is None else self._acting(conn, viewer, "review")
                where = segments.c.id > last
                if doc_id is not None:
                    where = where & (segments.c.doc_id == doc_id)
                rows = review_rows(conn, where, me, limit=batch_size)
                if not rows:
                    return
                batch = build_reviews(conn, rows, rows_sight(conn, me, rows))
            last = rows[-1].id
            yield from batch
            if len(rows) < batch_size:  # that was the last batch
                return

    def segment(self, doc_id: str, index: int, *, viewer: str | None = None) -> SegmentReview:
        """One segment as `viewer` may see it (see `iter_segments`)."""
        with self._read() as conn:
            me = None if viewer is None else self._acting(conn, viewer, "review")
            where = (segments.c.doc_id == doc_id) & (segments.c.idx == index)
            rows = review_rows(conn, where, me)
            if not rows:
                raise StoreError(f"no segment {index} in document {doc_id!r}")
            return build_reviews(conn, rows, rows_sight(conn, me, rows))[0]


def doc_key(segment: Segment) -> tuple[str, int]:
    return (segment.doc, segment.index)


def _check_analyses_match(document: Document, given: Sequence[SegmentAnalysis]) -> None:
    """Analyses handed in with a new document must be of its segments, exactly."""
    by_index = {seg.index: seg for seg in document.segments}
    for analysis in given:
        if by_index.get(analysis.segment.index) != analysis.segment:
            raise StoreError(
                f"analysis for {document.doc_id!r} segment {analysis.segment.index} "
                "does not match its text"
            )
