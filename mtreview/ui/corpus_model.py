"""What the corpus view shows, computed without Streamlit (tested directly): the table of
documents, queue lines, pages, the filter a form describes."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from mtreview.mqm import Typology
from mtreview.store import CorpusItem, DocumentOverview, QueueFilter

ANY = "(any)"
PAGE_SIZE = 25
EXCERPT = 160


@dataclasses.dataclass(frozen=True)
class DocumentLine:
    """One row of the documents table."""

    document: str
    name: str
    segments: int
    reviewed: int
    progress: float  # 0…100, for a progress bar
    mqm: float
    mqm_per_100_words: float
    worst_risk: float
    status: str

    def as_row(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def document_lines(overview: Sequence[DocumentOverview], typology: Typology) -> list[DocumentLine]:
    """Each document with progress and its MQM penalty (the reviewers' errors, weighted by
    the typology), worst risk first among the unfinished."""
    lines = []
    for doc in overview:
        penalty = round(
            sum(n * typology.weight(cat, sev) for cat, sev, n in doc.errors if n > 0), 4
        )
        per_100 = round(penalty * 100.0 / doc.words, 2) if doc.words else 0.0
        status = (
            "scoring…"
            if not doc.complete
            else "reviewed"
            if doc.segments and doc.reviewed == doc.segments
            else "in review"
            if doc.reviewed
            else "new"
        )
        lines.append(
            DocumentLine(
                document=doc.doc_id,
                name=doc.name,
                segments=doc.segments,
                reviewed=doc.reviewed,
                progress=round(100.0 * doc.progress, 1),
                mqm=penalty,
                mqm_per_100_words=per_100,
                worst_risk=round(doc.worst_risk, 3),
                status=status,
            )
        )
    return lines


def queue_filter(
    *,
    doc: str = ANY,
    origin: str = ANY,
    category: str = ANY,
    severity: str = ANY,
    reviewer: str = ANY,
    status: str = "unreviewed",
) -> QueueFilter:
    """The filter the form's choices describe (`ANY` is no condition)."""

    def chosen(value: str) -> str | None:
        return None if value in (ANY, "", None) else value

    document = chosen(doc)
    return QueueFilter(
        docs=(document,) if document else (),
        origin=chosen(origin),
        category=chosen(category),
        severity=chosen(severity),
        reviewer=chosen(reviewer),
        status=status,
    )


def pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """One line of at most `limit` characters (the whole segment opens on click)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def queue_label(item: CorpusItem) -> str:
    """The queue line's caption: where the segment is and what is known of it."""
    status = (
        "corrected"
        if item.corrected
        else f"reviewed by {item.reviewed_by}"
        if item.reviewed
        else "not reviewed"
    )
    flags = f"{item.flags} flag" + ("s" if item.flags != 1 else "")
    return f"risk {item.risk:.2f} · {item.doc_id} · segment {item.index + 1} · {flags} · {status}"
