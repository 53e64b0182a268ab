"""A review store's systems read into aligned systems (`mtreview compare --db`).

The store adds what runs cannot give: the errors reviewers marked. A segment's MQM penalty
is the sum of its errors' weights once someone reviewed it or marked an error in it; a
segment nobody looked at has none (not 0: "no errors found" and "not read" differ).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mtreview.compare.systems import AlignedSystems, SourceRow, SystemOutput, SystemsBuilder
from mtreview.errors import MTReviewError
from mtreview.mqm import Typology, segment_score


def load_store(
    store: Any, typology: Typology, *, docs: Sequence[str] = (), viewer: str | None = None
) -> AlignedSystems:
    """The systems of the store's comparisons (those of base documents `docs`, when given),
    every comparison's rows one after another; the systems must be the same in each.
    The reviewers' marks are those `viewer` may see (on a team store a principal, checked
    in each read; None: the library's own read, everything)."""
    found = store.comparisons()
    chosen = [c for c in found if not docs or c.base in docs]
    if not chosen:
        known = ", ".join(repr(c.base) for c in found) or "none"
        wanted = f" named {', '.join(map(repr, docs))}" if docs else ""
        raise MTReviewError(
            f"no document{wanted} translated by two systems or more in the store "
            f"(comparisons: {known})"
        )
    builder = SystemsBuilder()
    where = ("the review store", None)  # not its URL: a PostgreSQL one may hold a password
    for comparison in chosen:
        for system, doc_id in comparison.systems:
            for review in store.iter_segments(doc_id, viewer=viewer):
                row, output = _row(comparison.base, review), _output(review, typology)
                builder.add(system, row, output, where=where)
    return builder.build()


def _row(base: str, review: Any) -> SourceRow:
    segment = review.analysis.segment
    return SourceRow(base, segment.index, segment.source, segment.reference)


def _output(review: Any, typology: Typology) -> SystemOutput:
    analysis = review.analysis
    chrf = analysis.metrics.get("chrf")
    looked_at = review.reviewed or bool(review.annotations)
    return SystemOutput(
        text=analysis.segment.text,
        round_trip=analysis.round_trip,
        roundtrip_chrf=chrf.score if chrf is not None else None,
        flag_categories=tuple(flag.category for flag in analysis.flags),
        risk=analysis.risk,
        mqm=segment_score(review.annotations, typology) if looked_at else None,
    )
