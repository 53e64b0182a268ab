"""Writing transfer records into a store: new documents whole, known ones merged.

Used by `store_transfer.load_records` inside one write transaction, so a bad record
leaves the store exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.analysis import SegmentAnalysis
from mtreview.analysis.record import RECORD_NAMES, record_version, split_record
from mtreview.documents import Segment, segment_contradictions, segment_from_mapping
from mtreview.errors import StoreError
from mtreview.store.base import StoreBase, new_id
from mtreview.store.schema import (
    annotations_table,
    corrections,
    documents,
    flag_decisions,
    segments,
)
from mtreview.store.team_transfer import team_handlers
from mtreview.store.write import StoredAnalysis, disagreement, segment_values, write_analyses

FORMAT = "mtreview-reviews"
# 2 added the team records (done, adjudication, audit); 3: an analysis holds its findings
# only, the segment record is the segment's one copy. 1 and 2 are still read.
VERSION = 3
READ_VERSIONS = (1, 2, 3)
BACKUP_NAMES = {"index": "segment"}  # how the backup names the Segment's fields
LOAD_COUNTS = (
    "documents", "segments", "annotations", "corrections", "decisions", "marks",
    "adjudications", "audit", "skipped",
)  # fmt: skip


@dataclass(frozen=True)
class LoadSummary:
    """What an import added; `skipped` counts actions the store already had."""

    documents: int = 0
    segments: int = 0
    annotations: int = 0
    corrections: int = 0
    decisions: int = 0
    marks: int = 0
    adjudications: int = 0
    audit: int = 0
    skipped: int = 0


def backup_analysis(segment: Segment, analysis: dict[str, Any]) -> SegmentAnalysis:
    """The analysis a backup's segment record carries. Versions 1 and 2 repeat the
    segment's fields: each must agree with the segment record, the one copy kept."""
    where = f"analysis of {segment.doc!r} segment {segment.index}"
    repeated, findings = split_record(analysis["record"])
    for key, said, kept in segment_contradictions(segment, repeated, RECORD_NAMES)[:1]:
        raise StoreError(
            f"{where} says {key} is {said!r}, the segment record {kept!r}; refusing a "
            "backup that contradicts itself"
        )
    try:
        record_version(findings)
        return SegmentAnalysis.from_record(findings, segment=segment)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise StoreError(
            f"{where} is not an mtreview analysis record ({type(exc).__name__}: {exc})"
        ) from None


class Loader:
    """Consumes records in dump order: document, then each segment followed by its actions."""

    def __init__(self, store: StoreBase, conn: Connection) -> None:
        self.store, self.conn = store, conn
        self.counts: Counter[str] = Counter()
        self.doc: str | None = None
        self.doc_is_new = False
        self.seg: Any = None
        self.header_seen = False
        self.original: str | None = None  # the text of a document new to the store
        self.pending: list[StoredAnalysis] = []  # analyses of new segments, written in batches
        self._reviewers: dict[str, int] = {}
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "header": self._header,
            "document": self._document,
            "segment": self._segment,
            "annotation": self._annotation,
            "correction": self._correction,
            "decision": self._decision,
            **team_handlers(self),
        }

    def add(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        if kind not in self.handlers:
            raise StoreError(f"unknown record type {kind!r}; expected {', '.join(self.handlers)}")
        if kind != "header" and not self.header_seen:
            raise StoreError(f"expected the {FORMAT} header first, found a {kind} record")
        self.handlers[str(kind)](record)

    def summary(self) -> LoadSummary:
        self.flush()
        return LoadSummary(**{name: self.counts[name] for name in LOAD_COUNTS})

    def _reviewer(self, name: str) -> int:
        if name not in self._reviewers:
            self._reviewers[name] = self.store._reviewer_id(self.conn, name)
        return self._reviewers[name]

    # --- records --------------------------------------------------------------------------
    def flush(self) -> None:
        if self.pending:
            write_analyses(self.conn, self.pending)
            self.pending = []

    def _header(self, record: dict[str, Any]) -> None:
        if record.get("format") != FORMAT or record.get("version") not in READ_VERSIONS:
            readable = ", ".join(map(str, READ_VERSIONS))
            raise StoreError(
                f"not a {FORMAT} version {readable} file (format {record.get('format')!r}, "
                f"version {record.get('version')!r})"
            )
        self.header_seen = True

    def _document(self, r: dict[str, Any]) -> None:
        found = self.conn.execute(
            sa.select(documents.c.doc_id).where(documents.c.doc_id == r["doc"])
        ).first()
        self.doc, self.doc_is_new, self.seg = r["doc"], found is None, None
        self.original = None if found is not None else r["original"]
        if found is not None:
            return
        self.conn.execute(
            documents.insert(),
            dict(
                doc_id=r["doc"],
                name=r["name"],
                lang=r["lang"],
                source_lang=r["source_lang"],
                format=r["format"],
                original=r["original"],
                segment_count=r["segments"],
                word_count=r["words"],
                analysis_info=r["analysis_info"],
                created_at=r["created_at"],
            ),
        )
        self.counts["documents"] += 1

    def _find_segment(self, doc: str, idx: int) -> Any:
        return self.conn.execute(
            sa.select(segments).where((segments.c.doc_id == doc) & (segments.c.idx == idx))
        ).first()

    def _segment(self, r: dict[str, Any]) -> None:
        if r["doc"] != self.doc:
            raise StoreError(f"segment of {r['doc']!r} comes before that document's record")
        segment = segment_from_mapping(r, BACKUP_NAMES)
        analysis = None if r["analysis"] is None else backup_analysis(segment, r["analysis"])
        if self.doc_is_new:  # no lookups: the whole document comes from this file
            if self.seg is not None and r["segment"] <= self.seg.idx:
                raise StoreError(f"segment {r['segment']} of {r['doc']!r} is out of order")
            self.seg = self._insert_segment(r, segment, analysis)
            return
        row = self._find_segment(r["doc"], r["segment"])
        if row is None:
            raise StoreError(
                f"document {r['doc']!r} in the store has no segment {r['segment']}; "
                "reviews of a different text cannot be merged"
            )
        problem = disagreement(row, segment)
        if problem:
            raise StoreError(f"{problem}; reviews of a different text cannot be merged")
        if r["reviewed_at"] and (row.reviewed_at is None or r["reviewed_at"] > row.reviewed_at):
            self.conn.execute(
                segments.update()
                .where(segments.c.id == row.id)
                .values(reviewed_by=self._reviewer(r["reviewed_by"]), reviewed_at=r["reviewed_at"])
            )
        self.seg = row

    def _insert_segment(
        self, r: dict[str, Any], segment: Segment, analysis: SegmentAnalysis | None
    ) -> Any:
        original = self.original or ""
        if not 0 <= segment.start <= segment.end <= len(original) or (
            original[segment.start : segment.end] != segment.text
        ):
            raise StoreError(
                f"segment {segment.index} of {segment.doc!r}: its text is not the document's "
                f"text at [{segment.start}, {segment.end})"
            )
        result = self.conn.execute(
            segments.insert(),
            dict(
                **segment_values(segment),
                reviewed_by=self._reviewer(r["reviewed_by"]) if r["reviewed_by"] else None,
                reviewed_at=r["reviewed_at"],
            ),
        )
        row_id = new_id(result)
        if analysis is not None:
            self.pending.append(StoredAnalysis(row_id, analysis, r["analysis"]["created_at"]))
            if len(self.pending) >= 500:
                self.flush()
        self.counts["segments"] += 1
        return SimpleNamespace(id=row_id, doc_id=r["doc"], idx=r["segment"], text=r["text"])

    def _current(self, r: dict[str, Any]) -> Any:
        seg = self.seg
        if seg is None or seg.doc_id != r["doc"] or seg.idx != r["segment"]:
            raise StoreError(
                f"{r['type']} of {r['doc']!r} segment {r['segment']} comes before "
                "that segment's record"
            )
        return seg

    def _annotation(self, r: dict[str, Any]) -> None:
        seg = self._current(r)
        if not 0 <= r["start"] < r["end"] <= len(seg.text):
            raise StoreError(
                f"span [{r['start']}, {r['end']}) is outside segment {seg.idx} "
                f"(expected 0 <= start < end <= {len(seg.text)})"
            )
        if not r["category"].strip() or not r["severity"].strip():
            raise StoreError("an annotation needs a category and a severity")
        values = {
            "segment_id": seg.id,
            "start": r["start"],
            "end": r["end"],
            "category": r["category"],
            "severity": r["severity"],
            "comment": r["comment"],
            "origin": r["origin"],
            "reviewer_id": self._reviewer(r["reviewer"]),
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        if self._exists(annotations_table, values):
            self.counts["skipped"] += 1
            return
        self.conn.execute(annotations_table.insert(), dict(**values))
        self.counts["annotations"] += 1

    def _correction(self, r: dict[str, Any]) -> None:
        seg = self._current(r)
        same = {
            "segment_id": seg.id,
            "text": r["text"],
            "reviewer_id": self._reviewer(r["reviewer"]),
            "created_at": r["created_at"],
        }
        if self._exists(corrections, same):
            self.counts["skipped"] += 1
            return
        latest = self.conn.execute(
            sa.select(sa.func.max(corrections.c.version)).where(corrections.c.segment_id == seg.id)
        ).scalar()
        self.conn.execute(corrections.insert(), dict(**same, version=(latest or 0) + 1))
        self.counts["corrections"] += 1

    def _decision(self, r: dict[str, Any]) -> None:
        seg = self._current(r)
        key = {  # each reviewer's own decision on the flag (a store has one per reviewer)
            "segment_id": seg.id,
            "flag_index": r["flag_index"],
            "reviewer_id": self._reviewer(r["reviewer"]),
        }
        if self._exists(flag_decisions, key):
            self.counts["skipped"] += 1
            return
        annotation_id = None
        if r["annotation"] is not None:
            start, end, created_at = r["annotation"]
            annotation_id = self.conn.execute(
                sa.select(annotations_table.c.id).where(
                    (annotations_table.c.segment_id == seg.id)
                    & (annotations_table.c.start == start)
                    & (annotations_table.c.end == end)
                    & (annotations_table.c.created_at == created_at)
                )
            ).scalar()
        self.conn.execute(
            flag_decisions.insert(),
            dict(
                **key,
                decision=r["decision"],
                annotation_id=annotation_id,
                created_at=r["created_at"],
            ),
        )
        self.counts["decisions"] += 1

    def _exists(self, table: sa.Table, values: dict[str, Any]) -> bool:
        condition = sa.and_(*(table.c[name] == value for name, value in values.items()))
        return (
            self.conn.execute(sa.select(sa.literal(1)).where(condition).limit(1)).first()
            is not None
        )
