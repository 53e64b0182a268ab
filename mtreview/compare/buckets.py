"""Where systems differ, compare-mt style: mean segment scores by segment length, by flag
category and by risk, and the segments on which two systems differ most.

Segment scores are what every segment of every system has: round-trip chrF (from the
analysis), chrF against the reference (when every row has one) and MQM penalties (when a
store gives them).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from mtreview.compare.systems import AlignedSystems, SystemOutput

# (upper bound, label): a value goes to the first bucket whose bound is above it
LENGTH_BUCKETS = ((10.0, "<10"), (20.0, "10-19"), (30.0, "20-29"), (math.inf, "30+"))  # words
RISK_BUCKETS = ((0.25, "0-0.25"), (0.5, "0.25-0.5"), (0.75, "0.5-0.75"), (math.inf, "0.75-1"))
NO_FLAGS = "(no flags)"
SegmentScores = Mapping[str, Mapping[str, Sequence[float]]]  # score -> system -> per row


@dataclasses.dataclass(frozen=True)
class BucketCell:
    """One system's segments in one bucket: how many, and their mean of each score."""

    segments: int
    means: Mapping[str, float | None]  # score name -> mean (None: no segment)


@dataclasses.dataclass(frozen=True)
class Bucket:
    label: str
    systems: Mapping[str, BucketCell]


@dataclasses.dataclass(frozen=True)
class BucketTable:
    name: str  # length | flag_category | risk
    basis: str  # what puts a segment in a bucket
    buckets: tuple[Bucket, ...]


@dataclasses.dataclass(frozen=True)
class Difference:
    """One segment on which systems `a` and `b` differ most by `score`."""

    a: str
    b: str
    score: str
    doc: str
    segment_id: int
    a_score: float
    b_score: float
    a_text: str
    b_text: str
    source: str | None
    reference: str | None
    link: str

    @property
    def delta(self) -> float:
        return self.b_score - self.a_score


def bucket_of(value: float, buckets: Sequence[tuple[float, str]]) -> str:
    return next(label for bound, label in buckets if value < bound)


def bucket_tables(aligned: AlignedSystems, scores: SegmentScores) -> tuple[BucketTable, ...]:
    """The length, flag-category and risk tables."""
    by_source = aligned.has_sources

    def length(index: int, output: SystemOutput) -> list[str]:
        text = aligned.rows[index].source if by_source else output.text
        return [bucket_of(len((text or "").split()), LENGTH_BUCKETS)]

    def risk(index: int, output: SystemOutput) -> list[str]:
        return [bucket_of(output.risk, RISK_BUCKETS)]

    def flagged(index: int, output: SystemOutput) -> list[str]:
        return sorted(set(output.flag_categories)) or [NO_FLAGS]

    categories = sorted(
        {c for outputs in aligned.outputs.values() for o in outputs for c in o.flag_categories}
    )
    basis = "source words" if by_source else "translation words"
    flags = "categories of the segment's flags"
    return (
        _table(aligned, scores, "length", basis, [label for _, label in LENGTH_BUCKETS], length),
        _table(aligned, scores, "flag_category", flags, [NO_FLAGS, *categories], flagged),
        _table(aligned, scores, "risk", "risk", [label for _, label in RISK_BUCKETS], risk),
    )


def _table(
    aligned: AlignedSystems,
    scores: SegmentScores,
    name: str,
    basis: str,
    labels: Sequence[str],
    place: Callable[[int, SystemOutput], list[str]],
) -> BucketTable:
    members: dict[str, dict[str, list[int]]] = {label: {} for label in labels}
    for system in aligned.systems:
        for index, output in enumerate(aligned.outputs[system]):
            for label in place(index, output):
                members[label].setdefault(system, []).append(index)
    buckets = []
    for label in labels:
        cells = {}
        for system in aligned.systems:
            rows = members[label].get(system, [])
            means = {
                score: (sum(per[system][i] for i in rows) / len(rows) if rows else None)
                for score, per in scores.items()
            }
            cells[system] = BucketCell(len(rows), means)
        buckets.append(Bucket(label, cells))
    return BucketTable(name, basis, tuple(buckets))


def app_link(app_url: str, doc: str, segment_id: int) -> str:
    """The review app opened at a segment: `?doc=<base doc>&segment=<segment_id>`."""
    query = urlencode({"doc": doc, "segment": segment_id})
    return f"{app_url}{'&' if '?' in app_url else '?'}{query}"


def largest_differences(
    aligned: AlignedSystems,
    score: str,
    values: Mapping[str, Sequence[float]],
    *,
    top: int,
    app_url: str,
) -> tuple[Difference, ...]:
    """For each pair of systems (in their order), the `top` segments whose `score` differs
    most between the two; ties in the order of the rows."""
    found: list[Difference] = []
    names = aligned.systems
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            first, second = values[a], values[b]
            order = sorted(range(len(aligned.rows)), key=lambda i: (-abs(second[i] - first[i]), i))
            for index in order[:top]:
                row = aligned.rows[index]
                found.append(
                    Difference(
                        a=a,
                        b=b,
                        score=score,
                        doc=row.doc,
                        segment_id=row.segment_id,
                        a_score=first[index],
                        b_score=second[index],
                        a_text=aligned.outputs[a][index].text,
                        b_text=aligned.outputs[b][index].text,
                        source=row.source,
                        reference=row.reference,
                        link=app_link(app_url, row.doc, row.segment_id),
                    )
                )
    return tuple(found)
