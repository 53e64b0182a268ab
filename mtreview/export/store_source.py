"""The review store as an export source: rows streamed segment by segment, in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from mtreview.export.model import ExportAnnotation, ExportDocument, ExportRow


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def row_from_review(
    review: Any, lang: str, source_lang: str | None, adjudication: Any = None
) -> ExportRow:
    """A `store.SegmentReview` as an export row (status: new, reviewed or corrected); an
    adjudicated segment carries the adjudication's text and spans instead (its reviewer is
    the adjudicator, each span keeps the name of the reviewer it came from)."""
    segment = review.analysis.segment
    if adjudication is not None:
        final = adjudication
        corrected, reviewer, changed = final.text, final.adjudicator, final.created_at
        status = "corrected" if final.text is not None else "reviewed"
        by = final.adjudicator
        marks = [_annotation(a, a.reviewer or by, changed) for a in final.annotations]
    else:
        correction = review.correction
        status = "corrected" if review.corrected else "reviewed" if review.reviewed else "new"
        reviewer, changed = review.reviewed_by, review.reviewed_at
        if correction is not None and (changed is None or correction.created_at > changed):
            reviewer, changed = correction.reviewer, correction.created_at
        corrected = correction.text if review.corrected else None
        marks = [_annotation(a, a.reviewer, a.created_at) for a in review.annotations]
    return ExportRow(
        doc=review.doc_id,
        index=segment.index,
        mt=segment.text,
        source=segment.source,
        corrected=corrected,
        annotations=tuple(marks),
        reviewer=reviewer,
        changed=_time(changed),
        status=status,
        lang=lang,
        source_lang=source_lang,
        paragraph=segment.paragraph,
        adjudicated=adjudication is not None,
        system=segment.system,
    )


def _annotation(a: Any, reviewer: str | None, created: str | None) -> ExportAnnotation:
    return ExportAnnotation(
        start=a.start,
        end=a.end,
        category=a.category,
        severity=a.severity,
        comment=a.comment,
        reviewer=reviewer,
        created=_time(created),
    )


class StoreSource:
    """Adapts a `ReviewStore`; it never holds more than one batch of segments. Every
    read is `viewer`'s (checked by the store in that read): on a team store a principal,
    who gets what they may see; on a store without accounts a name, who sees all."""

    def __init__(self, store: Any, viewer: str) -> None:
        self.store = store
        self.viewer = viewer

    def _infos(self, docs: Sequence[str]) -> list[Any]:
        infos = self.store.documents(viewer=self.viewer)
        return [info for info in infos if not docs or info.doc_id in docs]

    def documents(self, docs: Sequence[str] = ()) -> list[ExportDocument]:
        found = []
        for info in self._infos(docs):
            first = next(
                self.store.iter_segments(info.doc_id, batch_size=1, viewer=self.viewer), None
            )
            has_source = first is not None and first.analysis.segment.source is not None
            found.append(
                ExportDocument(
                    doc=info.doc_id,
                    name=info.name,
                    lang=info.lang,
                    source_lang=info.source_lang,
                    has_source=has_source,
                    segments=info.segments,
                )
            )
        return found

    def rows(self, docs: Sequence[str] = ()) -> Iterator[ExportRow]:
        for info in self._infos(docs):
            final = self.store.adjudications(info.doc_id, viewer=self.viewer)  # a few
            for review in self.store.iter_segments(info.doc_id, viewer=self.viewer):
                yield row_from_review(review, info.lang, info.source_lang, final.get(review.index))

    def write_reviews(self, output: BinaryIO, docs: Sequence[str] = ()) -> dict[str, int]:
        return self.store.write_reviews(output, docs, viewer=self.viewer)
