"""What the comparison view shows, computed without Streamlit (so it is tested directly).

A comparison row shows every system's translation of one source row, in an order shuffled
for that row and that reviewer (the same on every rerun, another on the next row), under
"Translation 1", "Translation 2"… The page never names a system while names are hidden:
widget keys (classes in the page) and what the browser is told a document is use the slot
number, and the server finds the document again from the row and the slot.

The ranking: each system's MQM penalty over the base document, its errors by category, and
for each pair of systems the rows one wins (a lower segment MQM penalty), ties or loses,
over the rows where both segments were judged (reviewed, or an error marked).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from mtreview.mqm import Typology, document_score, segment_score
from mtreview.store import Comparison, SegmentReview

_SLOT_NAME = re.compile(r"c([0-9]+)t([0-9]+)")


def slot_order(comparison: Comparison, row: int, reviewer: str) -> list[tuple[str, str]]:
    """The systems (name, doc_id) as the row shows them: shuffled by a seed made of the
    base document, the row and the reviewer."""
    seed = hashlib.blake2b(
        f"{comparison.base}\0{row}\0{reviewer}".encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    order = list(comparison.systems)
    random.Random(int.from_bytes(seed, "big")).shuffle(order)
    return order


def slot_label(slot: int) -> str:
    """The heading of the translation in slot `slot` (1-based)."""
    return f"Translation {slot}"


def slot_prefix(number: int, slot: int) -> str:
    """Before every widget key of slot `slot` of the comparison at `number` in the list."""
    return f"c{number}t{slot}_"


def slot_name(number: int, slot: int) -> str:
    """What the browser is told the document in that slot is."""
    return f"c{number}t{slot}"


def resolve_slot(
    comparison: Comparison, number: int, name: str, row: int, reviewer: str
) -> str | None:
    """The document a slot name (`slot_name`) sent back from the browser means at `row`."""
    found = _SLOT_NAME.fullmatch(name)
    if found is None or int(found.group(1)) != number:
        return None
    slot = int(found.group(2))
    if not 0 <= row < comparison.rows:
        return None
    order = slot_order(comparison, row, reviewer)
    return order[slot - 1][1] if 1 <= slot <= len(order) else None


def ranking_names(comparison: Comparison, shown: bool) -> dict[str, str]:
    """System -> how the ranking names it: itself, or "System 1"… in the store's order
    (which says nothing of the shuffled slots a row shows)."""
    return {
        name: name if shown else f"System {number}"
        for number, name in enumerate(comparison.names, start=1)
    }


@dataclasses.dataclass(frozen=True)
class SystemScore:
    system: str  # as the ranking names it
    penalty: float
    per_100_words: float
    errors: int
    reviewed: int  # segments reviewed
    segments: int
    segment_mean: float | None = None  # mean MQM penalty of the judged segments
    ci_low: float | None = None  # its 95% interval, bootstrap over those segments
    ci_high: float | None = None


def mean_with_interval(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """The mean of the segments' penalties and its 95% bootstrap interval (the resampling of
    `mtreview compare`: 1,000 resamples, seed 12345); no interval under two segments."""
    if not values:
        return None, None, None
    mean = sum(values) / len(values)
    if len(values) < 2:
        return round(mean, 4), None, None
    import numpy as np

    from mtreview.compare.significance import Resampling, estimate_ci, resampled_means

    column = {"system": np.asarray(values, dtype=float)}
    _, low, high = estimate_ci(resampled_means(column, Resampling())["system"])
    return round(mean, 4), round(low, 4), round(high, 4)


@dataclasses.dataclass(frozen=True)
class PairResult:
    """Over the rows both systems' segments were judged: `left` wins, ties, loses."""

    left: str
    right: str
    wins: int
    ties: int
    losses: int

    @property
    def rows(self) -> int:
        return self.wins + self.ties + self.losses


def _judged(review: SegmentReview) -> bool:
    return review.reviewed or bool(review.annotations)


def system_scores(
    reviews: Mapping[str, Sequence[SegmentReview]],
    words: Mapping[str, int],
    typology: Typology,
    names: Mapping[str, str],
) -> list[SystemScore]:
    """Each system's document MQM score, lowest penalty first (the best first)."""
    found = []
    for system, segments in reviews.items():
        errors = [a for r in segments for a in r.annotations]
        score = document_score(errors, words[system], typology)
        judged = [segment_score(r.annotations, typology) for r in segments if _judged(r)]
        found.append(
            SystemScore(
                names[system],
                score.penalty,
                round(score.per_100_words, 2),
                score.errors,
                sum(r.reviewed for r in segments),
                len(segments),
                *mean_with_interval(judged),
            )
        )
    return sorted(found, key=lambda s: (s.penalty, s.system))


def category_rows(
    reviews: Mapping[str, Sequence[SegmentReview]], typology: Typology, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One row per system and MQM category with its count of errors (for the chart)."""
    rows = []
    for system, segments in reviews.items():
        counts = Counter(
            typology.resolve(a.category).split("/", 1)[0] for r in segments for a in r.annotations
        )
        rows += [
            {"system": names[system], "category": category, "errors": count}
            for category, count in sorted(counts.items())
        ]
    return rows


def pair_results(
    reviews: Mapping[str, Sequence[SegmentReview]], typology: Typology, names: Mapping[str, str]
) -> list[PairResult]:
    """Win, tie and loss of each pair of systems (in the store's order), row by row."""
    penalties: dict[str, dict[int, float]] = {
        system: {r.index: segment_score(r.annotations, typology) for r in segments if _judged(r)}
        for system, segments in reviews.items()
    }
    results = []
    for left, right in combinations(reviews, 2):
        rows = sorted(penalties[left].keys() & penalties[right].keys())
        ours, theirs = penalties[left], penalties[right]
        wins = sum(ours[i] < theirs[i] for i in rows)
        ties = sum(ours[i] == theirs[i] for i in rows)
        results.append(PairResult(names[left], names[right], wins, ties, len(rows) - wins - ties))
    return results


def pair_rows(results: Sequence[PairResult]) -> list[dict[str, Any]]:
    """Chart rows of each pair, seen from its left system: outcome and count of rows."""
    return [
        {"system": pair.left, "against": pair.right, "outcome": outcome, "rows": count}
        for pair in results
        for outcome, count in (("win", pair.wins), ("tie", pair.ties), ("loss", pair.losses))
    ]
