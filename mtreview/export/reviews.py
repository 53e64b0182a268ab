"""Reviews JSONL: everything reviewers did, to back up, merge, or move between databases
(the format itself: `mtreview.store.backup`)."""

from __future__ import annotations

from typing import BinaryIO

from mtreview.errors import ExportError
from mtreview.export.base import ExportContext, Exporter, ExportSource
from mtreview.export.model import Written


class ReviewsExporter(Exporter):
    name = "reviews"
    suffix = ".jsonl"
    media_type = "application/jsonl"
    description = "every reviewer action, for backup and `mtreview import-reviews`"
    corpus = False  # a backup holds everything

    def export(
        self, source: ExportSource, context: ExportContext, outputs: list[BinaryIO]
    ) -> Written:
        write_reviews = getattr(source, "write_reviews", None)
        if write_reviews is None:
            raise ExportError("the reviews format needs a review store as its source")
        if context.options.only != "all":
            raise ExportError("the reviews format always holds every segment; drop --only")
        counts = write_reviews(outputs[0], context.options.docs)
        return Written(counts["segment"], counts["annotation"])
