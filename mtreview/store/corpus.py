"""Reading a whole corpus for review: documents at a glance, the queue of risky segments
across every document (filtered, a page at a time), a segment in its context.

Each read takes the `viewer` (a principal on a team store): the queue, the overview and
the filters count everyone's work, so they are for those allowed "see-all" (refused to a
reviewer); a segment's context is what the viewer may see (`mtreview.store.read.sight`).

Every query here is a few indexed SQL statements whatever the size of the store: the queue
reads segments in risk order from `ix_segments_queue` (or `ix_segments_doc_queue` for one
document) and stops at the page; filters on pre-highlights use `segment_flags`, those on
errors `annotations`. Nothing loads every segment.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.store.base import StoreBase
from mtreview.store.ingest import SCORING
from mtreview.store.read import build_reviews, rows_sight, segment_row
from mtreview.store.schema import (
    SegmentReview,
    annotations_table,
    corrections,
    documents,
    reviewers,
    segment_flags,
    segments,
)

STATUSES = ("unreviewed", "reviewed", "corrected", "all")


@dataclasses.dataclass(frozen=True)
class QueueFilter:
    """Which segments the queue holds. Origin, category and severity match one
    pre-highlight (`origin` may be a kind: `rule` matches every `rule:<name>`); category
    and severity also match a reviewer's error. `reviewer` matches who reviewed, marked an
    error in, or corrected the segment."""

    docs: tuple[str, ...] = ()
    origin: str | None = None
    category: str | None = None
    severity: str | None = None
    reviewer: str | None = None
    status: str = "unreviewed"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise StoreError(f"unknown status {self.status!r}; choose from {', '.join(STATUSES)}")


@dataclasses.dataclass(frozen=True)
class CorpusItem:
    """One line of the queue: enough to list it and open it."""

    id: int  # the row: with `risk`, the segment's place in the queue
    doc_id: str
    index: int
    text: str
    risk: float
    flags: int
    reviewed_by: str | None
    corrected: bool

    @property
    def reviewed(self) -> bool:
        return self.reviewed_by is not None


@dataclasses.dataclass(frozen=True)
class DocumentOverview:
    """A document at a glance: size, progress, its worst segment, errors by label."""

    doc_id: str
    name: str
    segments: int
    reviewed: int
    words: int
    worst_risk: float
    complete: bool
    errors: tuple[tuple[str, str, int], ...]  # (category, severity, count)

    @property
    def progress(self) -> float:
        return self.reviewed / self.segments if self.segments else 0.0


@dataclasses.dataclass(frozen=True)
class FilterChoices:
    """What the filters can be set to, from what the store holds."""

    origins: tuple[str, ...]
    categories: tuple[str, ...]
    severities: tuple[str, ...]
    reviewers: tuple[str, ...]


def _latest_text() -> Any:
    return (
        sa.select(corrections.c.text)
        .where(corrections.c.segment_id == segments.c.id)
        .order_by(corrections.c.version.desc())
        .limit(1)
        .scalar_subquery()
    )


def _conditions(conn: Connection, wanted: QueueFilter) -> list[Any]:
    found: list[Any] = []
    if wanted.docs:
        found.append(segments.c.doc_id.in_(list(wanted.docs)))
    if wanted.status == "unreviewed":
        found.append(segments.c.reviewed_at.is_(None))
    elif wanted.status == "reviewed":
        found.append(segments.c.reviewed_at.is_not(None))
    elif wanted.status == "corrected":
        found.append(_latest_text() != segments.c.text)
    label = _label_condition(wanted)
    if label is not None:
        found.append(label)
    if wanted.reviewer:
        rid = conn.execute(
            sa.select(reviewers.c.id).where(reviewers.c.name == wanted.reviewer)
        ).scalar()
        found.append(_by_reviewer(rid if rid is not None else -1))
    return found


def _label_condition(wanted: QueueFilter) -> Any:
    if not (wanted.origin or wanted.category or wanted.severity):
        return None
    flag = [segment_flags.c.segment_id == segments.c.id]
    if wanted.origin:
        origin = segment_flags.c.origin
        flag.append((origin == wanted.origin) | origin.startswith(wanted.origin + ":"))
    if wanted.category:
        flag.append(segment_flags.c.category == wanted.category)
    if wanted.severity:
        flag.append(segment_flags.c.severity == wanted.severity)
    flagged = sa.exists().where(*flag)
    if wanted.origin:  # an origin is a pre-highlight's; a reviewer's error has none
        return flagged
    mark = [annotations_table.c.segment_id == segments.c.id]
    if wanted.category:
        mark.append(annotations_table.c.category == wanted.category)
    if wanted.severity:
        mark.append(annotations_table.c.severity == wanted.severity)
    return flagged | sa.exists().where(*mark)


def _by_reviewer(rid: int) -> Any:
    marked = sa.exists().where(
        (annotations_table.c.segment_id == segments.c.id) & (annotations_table.c.reviewer_id == rid)
    )
    fixed = sa.exists().where(
        (corrections.c.segment_id == segments.c.id) & (corrections.c.reviewer_id == rid)
    )
    return (segments.c.reviewed_by == rid) | marked | fixed


def _flag_counts() -> Any:
    return (
        sa.select(sa.func.count(sa.distinct(segment_flags.c.flag_index)))
        .where(segment_flags.c.segment_id == segments.c.id)
        .scalar_subquery()
    )


_ORDER = (segments.c.risk.desc(), segments.c.id)


def _distinct(conn: Connection, column: Any) -> list[str]:
    """The distinct values of an indexed column, one index probe each (a loose index scan:
    SELECT DISTINCT would read every row of a large table)."""
    values = sa.select(sa.func.min(column).label("v")).cte("distinct_values", recursive=True)
    following = sa.select(sa.func.min(column)).where(column > values.c.v).scalar_subquery()
    values = values.union_all(sa.select(following).where(values.c.v.is_not(None)))
    return [v for (v,) in conn.execute(sa.select(values.c.v).where(values.c.v.is_not(None)))]


class CorpusQueries(StoreBase):
    def _corpus_reader(self, conn: Connection, viewer: str | None) -> None:
        """Whole-corpus reads: a viewer who is named must be allowed to see everyone's
        work (None: the library's own reads)."""
        if viewer is not None:
            self._acting(conn, viewer, "see-all")

    def document_count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())

    def document_names(self) -> dict[str, str]:
        """Every document's id and file name, oldest first."""
        with self._read() as conn:
            query = sa.select(documents.c.doc_id, documents.c.name).order_by(
                documents.c.created_at, documents.c.doc_id
            )
            return {doc_id: name for doc_id, name in conn.execute(query)}

    def corpus_overview(self, *, viewer: str | None = None) -> list[DocumentOverview]:
        """Every document (oldest first) with size, progress, worst risk and its errors."""
        with self._read() as conn:
            self._corpus_reader(conn, viewer)
            stats = {
                row.doc_id: row
                for row in conn.execute(
                    sa.select(
                        segments.c.doc_id,
                        sa.func.count().label("stored"),
                        sa.func.count(segments.c.reviewed_at).label("reviewed"),
                        sa.func.max(segments.c.risk).label("worst"),
                    ).group_by(segments.c.doc_id)
                )
            }
            errors: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
            doc_of = (
                sa.select(segments.c.doc_id)
                .where(segments.c.id == annotations_table.c.segment_id)
                .scalar_subquery()
                .label("doc_id")
            )
            for row in conn.execute(
                sa.select(
                    doc_of,
                    annotations_table.c.category,
                    annotations_table.c.severity,
                    sa.func.count().label("n"),
                ).group_by(doc_of, annotations_table.c.category, annotations_table.c.severity)
            ):
                errors[row.doc_id].append((row.category, row.severity, int(row.n)))
            docs = conn.execute(
                sa.select(
                    documents.c.doc_id,
                    documents.c.name,
                    documents.c.segment_count,
                    documents.c.word_count,
                    documents.c.analysis_info,
                ).order_by(documents.c.created_at, documents.c.doc_id)
            ).all()
        overview = []
        for doc in docs:
            stat = stats.get(doc.doc_id)
            complete = SCORING not in (doc.analysis_info or {})
            overview.append(
                DocumentOverview(
                    doc_id=doc.doc_id,
                    name=doc.name,
                    segments=doc.segment_count if complete else int(stat.stored if stat else 0),
                    reviewed=int(stat.reviewed) if stat else 0,
                    words=doc.word_count,
                    worst_risk=float(stat.worst or 0.0) if stat else 0.0,
                    complete=complete,
                    errors=tuple(errors.get(doc.doc_id, ())),
                )
            )
        return overview

    def _corpus_query(self, conn: Connection, wanted: QueueFilter) -> Any:
        query = sa.select(
            segments.c.id,
            segments.c.doc_id,
            segments.c.idx,
            segments.c.text,
            segments.c.risk,
            segments.c.reviewed_by,
            _flag_counts().label("flags"),
            (_latest_text() != segments.c.text).label("corrected"),
        )
        for condition in _conditions(conn, wanted):
            query = query.where(condition)
        return query

    def corpus_queue(
        self,
        wanted: QueueFilter = QueueFilter(),
        *,
        offset: int = 0,
        limit: int = 25,
        viewer: str | None = None,
    ) -> list[CorpusItem]:
        """One page of the queue: riskiest first, then store order."""
        with self._read() as conn:
            self._corpus_reader(conn, viewer)
            query = self._corpus_query(conn, wanted).order_by(*_ORDER)
            rows = conn.execute(query.offset(max(0, offset)).limit(max(1, limit))).all()
            return self._items(conn, rows)

    def corpus_count(
        self, wanted: QueueFilter = QueueFilter(), *, viewer: str | None = None
    ) -> int:
        with self._read() as conn:
            self._corpus_reader(conn, viewer)
            query = sa.select(sa.func.count()).select_from(segments)
            for condition in _conditions(conn, wanted):
                query = query.where(condition)
            return int(conn.execute(query).scalar_one())

    def corpus_after(
        self, wanted: QueueFilter, item: CorpusItem, *, viewer: str | None = None
    ) -> CorpusItem | None:
        """The segment that follows `item` in the queue (which `item` may have left)."""
        with self._read() as conn:
            self._corpus_reader(conn, viewer)
            later = (segments.c.risk < item.risk) | (
                (segments.c.risk == item.risk) & (segments.c.id > item.id)
            )
            query = self._corpus_query(conn, wanted).where(later).order_by(*_ORDER).limit(1)
            found = self._items(conn, conn.execute(query).all())
        return found[0] if found else None

    def corpus_item(self, doc_id: str, index: int, *, viewer: str | None = None) -> CorpusItem:
        """A segment as a queue line, wherever it is (to find what follows it)."""
        with self._read() as conn:
            self._corpus_reader(conn, viewer)
            query = self._corpus_query(conn, QueueFilter(status="all")).where(
                (segments.c.doc_id == doc_id) & (segments.c.idx == index)
            )
            found = self._items(conn, conn.execute(query).all())
        if not found:
            raise StoreError(f"no segment {index} in document {doc_id!r}")
        return found[0]

    def _items(self, conn: Connection, rows: Sequence[Any]) -> list[CorpusItem]:
        ids = {row.reviewed_by for row in rows if row.reviewed_by is not None}
        names: dict[int, str] = {}
        if ids:
            query = sa.select(reviewers.c.id, reviewers.c.name).where(reviewers.c.id.in_(ids))
            names = {rid: name for rid, name in conn.execute(query)}
        return [
            CorpusItem(
                id=row.id,
                doc_id=row.doc_id,
                index=row.idx,
                text=row.text,
                risk=float(row.risk),
                flags=int(row.flags or 0),
                reviewed_by=names.get(row.reviewed_by),
                corrected=bool(row.corrected),
            )
            for row in rows
        ]

    def context(
        self, doc_id: str, index: int, *, paragraphs: int = 1, viewer: str | None = None
    ) -> list[SegmentReview]:
        """The segment's paragraph and `paragraphs` paragraphs either side, in order, as
        `viewer` may see them (None: everything)."""
        with self._read() as conn:
            row = segment_row(conn, doc_id, index)
            rows = conn.execute(
                sa.select(segments)
                .where(
                    (segments.c.doc_id == doc_id)
                    & segments.c.paragraph.between(
                        row.paragraph - paragraphs, row.paragraph + paragraphs
                    )
                )
                .order_by(segments.c.idx)
            ).all()
            me = None if viewer is None else self._acting(conn, viewer, "review")
            return build_reviews(conn, rows, rows_sight(conn, me, rows))

    def filter_choices(self, *, viewer: str | None = None) -> FilterChoices:
        with self._read() as conn:
            self._corpus_reader(conn, viewer)
            origins = _distinct(conn, segment_flags.c.origin)
            kinds = sorted({o.split(":", 1)[0] for o in origins if ":" in o})
            categories = _distinct(conn, segment_flags.c.category) + _distinct(
                conn, annotations_table.c.category
            )
            severities = _distinct(conn, segment_flags.c.severity) + [
                v for (v,) in conn.execute(sa.select(annotations_table.c.severity).distinct())
            ]
            names = _distinct(conn, reviewers.c.name)
        return FilterChoices(
            origins=tuple(sorted(set(origins) | set(kinds))),
            categories=tuple(sorted(set(categories))),
            severities=tuple(sorted(set(severities))),
            reviewers=tuple(sorted(names)),
        )
