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

SCHEMA_VERSION = 1

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
    sa.Column("doc_id", sa.String(300), primary_key=True),
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

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "doc_id", sa.ForeignKey("documents.doc_id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("paragraph", sa.Integer, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("line", sa.Integer),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("reference", sa.Text),
    # review status: set by mark_reviewed and by every saved correction
    sa.Column("reviewed_by", sa.ForeignKey("reviewers.id")),
    sa.Column("reviewed_at", sa.String(40)),
    sa.UniqueConstraint("doc_id", "idx", name="uq_segment_index"),
)

analyses = sa.Table(
    "analyses",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("risk", sa.Float, nullable=False),
    sa.Column("record", sa.JSON, nullable=False),  # SegmentAnalysis.to_record()
    sa.Column("created_at", sa.String(40), nullable=False),
)

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
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # the database itself refuses two saves of the same version: optimistic concurrency
    sa.UniqueConstraint("segment_id", "version", name="uq_correction_version"),
)

flag_decisions = sa.Table(
    "flag_decisions",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("flag_index", sa.Integer, primary_key=True),
    sa.Column("decision", sa.String(20), nullable=False),  # accepted | rejected
    sa.Column("annotation_id", sa.ForeignKey("annotations.id", ondelete="SET NULL")),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
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

    def decision(self, flag_index: int) -> FlagDecision | None:
        for decision in self.decisions:
            if decision.flag_index == flag_index:
                return decision
        return None
