"""Tables of the review store and the frozen records the store hands out.

Kept apart from `store.py` so exporters can import the record types without the engine code.
Spans are half-open `[start, end)` in code points of the segment's original text (MQM
annotates the translation as it was, not the corrected text).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import MAX_DOC_ID_CHARS, segment_fields

# 2: the segment row is the only copy of the segment; risk and flags indexed
# 3: segments name their MT system (`Segment.system`)
# 4: the audit log is a hash chain (seq, prev_hash, row_hash, imported; audit_head)
# 5: failed sign-ins are counted per account and per address (sign_in_failures)
# 6: sessions keep their last use (sessions.last_seen_at, the idle timeout)
# 7: accounts are bound to an identity provider's (issuer, subject) (external_identities)
# 8: the picker's error kept as a draft (mark_drafts); the correction an error came with
#    (mark_corrections)
# 9: a pre-highlight decision is each reviewer's own (flag_decisions keyed by reviewer too)
SCHEMA_VERSION = 9

# How the `segments` table names the Segment's fields (`index` is an SQL keyword).
ROW_NAMES = {"doc": "doc_id", "index": "idx"}
_SQL_TYPES: dict[type, type[sa.types.TypeEngine]] = {
    str: sa.Text,
    int: sa.Integer,
    bool: sa.Boolean,
    tuple: sa.JSON,  # a list in the row
}

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

reviewers = sa.Table(
    "reviewers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("doc_id", sa.String(MAX_DOC_ID_CHARS), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("lang", sa.String(20), nullable=False),
    sa.Column("source_lang", sa.String(20)),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("original", sa.Text, nullable=False),
    sa.Column("segment_count", sa.Integer, nullable=False),
    sa.Column("word_count", sa.Integer, nullable=False),
    sa.Column("analysis_info", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)


def _segment_columns() -> list[sa.Column]:
    """One column per field of `Segment` (the shape is declared there, once); the document
    and the index are the row's key, declared here."""
    columns: list[sa.Column] = []
    for name, kinds in segment_fields().items():
        if name in ("doc", "index"):
            continue
        kind = next(k for k in kinds if k is not type(None))
        columns.append(sa.Column(name, _SQL_TYPES[kind], nullable=type(None) in kinds))
    return columns


segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", sa.ForeignKey("documents.doc_id", ondelete="CASCADE"), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    *_segment_columns(),
    # the analysis' risk, kept on the row so the review queue is one indexed scan
    sa.Column("risk", sa.Float, nullable=False, server_default="0"),
    # review status: set by mark_reviewed and by every saved correction
    sa.Column("reviewed_by", sa.ForeignKey("reviewers.id")),
    sa.Column("reviewed_at", sa.String(40)),
    sa.UniqueConstraint("doc_id", "idx", name="uq_segment_index"),
)
# the cross-corpus queue (riskiest unreviewed first) and the same within one document
sa.Index("ix_segments_queue", segments.c.reviewed_at, segments.c.risk.desc(), segments.c.id)
sa.Index(
    "ix_segments_doc_queue",
    segments.c.doc_id,
    segments.c.reviewed_at,
    segments.c.risk.desc(),
    segments.c.id,
)
sa.Index("ix_segments_doc_paragraph", segments.c.doc_id, segments.c.paragraph)

analyses = sa.Table(
    "analyses",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    # SegmentAnalysis.findings_record(): the segment itself is the row in `segments`
    sa.Column("record", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

# One row per origin of each pre-highlight, so the queue filters by origin, category and
# severity with an index instead of reading every analysis.
segment_flags = sa.Table(
    "segment_flags",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("flag_index", sa.Integer, primary_key=True),
    sa.Column("origin", sa.String(200), primary_key=True),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("severity", sa.String(40), nullable=False),
)
sa.Index("ix_segment_flags_origin", segment_flags.c.origin, segment_flags.c.segment_id)
sa.Index("ix_segment_flags_category", segment_flags.c.category, segment_flags.c.segment_id)
sa.Index("ix_segment_flags_severity", segment_flags.c.severity, segment_flags.c.segment_id)

annotations_table = sa.Table(
    "annotations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("severity", sa.String(40), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("origin", sa.String(200), nullable=False),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), nullable=False, index=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)
sa.Index("ix_annotations_label", annotations_table.c.category, annotations_table.c.severity)

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), nullable=False, index=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    # the database itself refuses two saves of the same version: optimistic concurrency
    sa.UniqueConstraint("segment_id", "version", name="uq_correction_version"),
)

# a reviewer's verdict on a pre-highlight: each reviewer's own (blind review keeps them
# apart; a lead reads them all)
flag_decisions = sa.Table(
    "flag_decisions",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("flag_index", sa.Integer, primary_key=True),
    sa.Column("decision", sa.String(20), nullable=False),  # accepted | rejected
    sa.Column("annotation_id", sa.ForeignKey("annotations.id", ondelete="SET NULL")),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True),
    sa.Column("created_at", sa.String(40), nullable=False),
)

# a correction typed but not saved yet, one per segment and reviewer (restored on return)
drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=False),  # the version it was typed on
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# the picker's error typed and not added yet, one per segment and reviewer (the picker opens
# again with it on return): its span, category, severity, comment and the fix typed
mark_drafts = sa.Table(
    "mark_drafts",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("severity", sa.String(40), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("fix", sa.Text),  # the marked words as the reviewer corrected them; NULL: none
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# the correction an error was added with (the picker's one step): deleting the error offers
# to revert it. Either row's deletion takes the link with it.
mark_corrections = sa.Table(
    "mark_corrections",
    metadata,
    sa.Column(
        "annotation_id", sa.ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "correction_id",
        sa.ForeignKey("corrections.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)


def now() -> str:
    """UTC timestamps as ISO-8601 text: portable across SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclasses.dataclass(frozen=True)
class Reviewer:
    id: int
    name: str
    created_at: str


@dataclasses.dataclass(frozen=True)
class DocumentInfo:
    """A stored document without its segments (`ReviewStore.iter_segments` streams those)."""

    doc_id: str
    name: str
    lang: str
    source_lang: str | None
    format: str
    segments: int
    words: int
    reviewed: int
    analysis_info: dict[str, object]
    created_at: str

    @property
    def progress(self) -> float:
        return self.reviewed / self.segments if self.segments else 0.0


@dataclasses.dataclass(frozen=True)
class Annotation:
    """An MQM error span marked (or accepted from a pre-highlight) by a reviewer."""

    id: int
    doc_id: str
    segment_index: int
    start: int
    end: int
    text: str  # segment text [start:end], for readers of exports
    category: str
    severity: str
    comment: str
    origin: str  # "reviewer", or "pre-highlight:<flag origins>" when accepted
    reviewer: str
    created_at: str
    updated_at: str


@dataclasses.dataclass(frozen=True)
class Correction:
    """One saved version of a segment's corrected text; versions count 1, 2, … per segment."""

    doc_id: str
    segment_index: int
    version: int
    text: str
    reviewer: str
    created_at: str


@dataclasses.dataclass(frozen=True)
class Draft:
    """A correction a reviewer typed and did not save, on top of `base_version`."""

    text: str
    base_version: int
    updated_at: str


@dataclasses.dataclass(frozen=True)
class MarkDraft:
    """An error a reviewer began in the picker and did not add: the span `[start, end)`,
    the category and severity picked, the comment, and the marked words as corrected
    (`fix`; None when they were not corrected)."""

    start: int
    end: int
    category: str
    severity: str
    comment: str
    fix: str | None
    updated_at: str


@dataclasses.dataclass(frozen=True)
class FlagDecision:
    """A reviewer's verdict on pre-highlight number `flag_index` of the segment's record."""

    flag_index: int
    decision: str  # accepted | rejected
    annotation_id: int | None
    reviewer: str
    created_at: str


@dataclasses.dataclass(frozen=True)
class SegmentReview:
    """Everything about one segment: analysis, latest correction, annotations, status."""

    doc_id: str
    analysis: SegmentAnalysis
    correction: Correction | None
    annotations: tuple[Annotation, ...]
    decisions: tuple[FlagDecision, ...]
    reviewed_by: str | None
    reviewed_at: str | None

    @property
    def index(self) -> int:
        return self.analysis.segment.index

    @property
    def text(self) -> str:
        """The segment as it was read (the machine translation)."""
        return self.analysis.segment.text

    @property
    def version(self) -> int:
        """The version a new correction must expect: 0 when nothing was saved yet."""
        return self.correction.version if self.correction else 0

    @property
    def current_text(self) -> str:
        """The latest corrected text, or the original when there is no correction."""
        return self.correction.text if self.correction else self.text

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def corrected(self) -> bool:
        return self.correction is not None and self.correction.text != self.text

    def decision(self, flag_index: int, reviewer: str | None = None) -> FlagDecision | None:
        """The decision on pre-highlight `flag_index`: `reviewer`'s own when they made one
        (each reviewer decides for themselves), else the first another made (a reader
        without "see-all" is handed their own alone on a blind segment: `store.read`)."""
        found = [d for d in self.decisions if d.flag_index == flag_index]
        own = [d for d in found if reviewer is not None and d.reviewer == reviewer]
        return (own or found)[0] if found else None
