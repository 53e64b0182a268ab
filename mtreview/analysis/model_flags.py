"""Model evidence turned into word-aligned spans: surprisal and round-trip changes.

Surprisal: a word of the original is suspicious when one of its tokens has a log-probability
below `Settings.surprisal_threshold` under the return model given the back-translation (and,
when a source exists, under the source model given the source). Round trip: words of the
original that an aligned word diff (difflib) against the round trip replaces or drops.
With n-best back-translations a word counts only when at least `Settings.nbest_agreement`
of them agree, which separates errors of the translation from errors of the back-translation.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Sequence

from mtreview.analysis.models import Models
from mtreview.analysis.record import SegmentAnalysis
from mtreview.backends import ScoredText
from mtreview.checks.base import words
from mtreview.flags import Flag
from mtreview.settings import Settings

ORIGIN = "model"
Span = tuple[int, int]


@dataclasses.dataclass(frozen=True)
class ModelEvidence:
    """What the models said about one segment: one score and round trip per back-translation
    (the first is the analysis's own), and the source-conditioned score when there is one."""

    return_scores: tuple[ScoredText, ...] = ()
    round_trips: tuple[str, ...] = ()
    source_score: ScoredText | None = None


def word_spans(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in words(text)]


def surprising_words(
    score: ScoredText, spans: Sequence[Span], threshold: float
) -> dict[int, float]:
    """Index of each word holding a token below `threshold` -> its lowest token log-prob."""
    lowest: dict[int, float] = {}
    for token in score.tokens:
        if token.end <= token.start or token.logprob >= threshold:
            continue
        for index, (start, end) in enumerate(spans):
            if token.start < end and start < token.end:
                lowest[index] = min(token.logprob, lowest.get(index, 0.0))
    return lowest


def changed_words(original: str, round_trip: str, spans: Sequence[Span]) -> set[int]:
    """Indices of the original's words that the round trip replaced or dropped."""
    before = [original[s:e].casefold() for s, e in spans]
    after = [m.group().casefold() for m in words(round_trip)]
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    changed: set[int] = set()
    for tag, a_start, a_end, _b_start, _b_end in matcher.get_opcodes():
        if tag in {"replace", "delete"}:
            changed.update(range(a_start, a_end))
    return changed


def agreed(votes: Sequence[set[int]], agreement: float) -> set[int]:
    """Words that at least `agreement` of the voters (n-best alternatives) picked."""
    if not votes:
        return set()
    needed = max(1, math.ceil(agreement * len(votes) - 1e-9))
    counts: dict[int, int] = {}
    for vote in votes:
        for index in vote:
            counts[index] = counts.get(index, 0) + 1
    return {index for index, count in counts.items() if count >= needed}


def runs(indices: set[int], spans: Sequence[Span]) -> list[tuple[int, int, list[int]]]:
    """Consecutive word indices joined into spans `(start, end, indices)`."""
    result: list[tuple[int, int, list[int]]] = []
    for index in sorted(indices):
        if result and result[-1][2][-1] == index - 1:
            start, _end, members = result[-1]
            result[-1] = (start, spans[index][1], [*members, index])
        else:
            result.append((spans[index][0], spans[index][1], [index]))
    return result


def model_flags(text: str, evidence: ModelEvidence, settings: Settings) -> list[Flag]:
    """Surprisal and round-trip flags for one segment, spans inside `text`."""
    spans = word_spans(text)
    if not spans:
        return []
    flags = _surprisal_flags(text, spans, evidence.return_scores, "the back-translation", settings)
    if evidence.source_score is not None:
        flags += _surprisal_flags(text, spans, (evidence.source_score,), "the source", settings)
    if settings.roundtrip_flags and evidence.round_trips:
        votes = [changed_words(text, rt, spans) for rt in evidence.round_trips]
        for start, end, _members in runs(agreed(votes, settings.nbest_agreement), spans):
            became = _shorten(evidence.round_trips[0])
            flags.append(
                Flag(
                    start=start,
                    end=end,
                    category="Accuracy/Mistranslation",
                    severity="minor",
                    origins=(ORIGIN,),
                    message=f"the round trip does not keep “{_shorten(text[start:end])}” "
                    f"(round trip: “{became}”)",
                )
            )
    return sorted(flags, key=lambda f: (f.start, f.end))


def _surprisal_flags(
    text: str,
    spans: Sequence[Span],
    scores: Sequence[ScoredText],
    given: str,
    settings: Settings,
) -> list[Flag]:
    if not scores:
        return []
    lows = [surprising_words(score, spans, settings.surprisal_threshold) for score in scores]
    keep = agreed([set(low) for low in lows], settings.nbest_agreement)
    flags = []
    for start, end, members in runs(keep, spans):
        worst = min(low.get(i, 0.0) for low in lows for i in members)
        major = worst < settings.surprisal_major_threshold
        flags.append(
            Flag(
                start=start,
                end=end,
                category="Accuracy/Mistranslation",
                severity="major" if major else "minor",
                origins=(ORIGIN,),
                message=f"the model finds “{_shorten(text[start:end])}” unlikely given {given} "
                f"(lowest token log-prob {worst:.2f})",
            )
        )
    return flags


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def model_evidence(
    analyses: Sequence[SegmentAnalysis], models: Models, settings: Settings
) -> list[ModelEvidence]:
    """Each analysis's own score and round trip, then those of its n-best alternatives."""
    evidence = []
    for analysis, (scores, trips) in zip(
        analyses, alternative_evidence(analyses, models, settings), strict=True
    ):
        own_score = (analysis.return_score,) if analysis.return_score else ()
        own_trip = (analysis.round_trip,) if analysis.round_trip is not None else ()
        evidence.append(
            ModelEvidence(
                return_scores=own_score + scores,
                round_trips=own_trip + trips,
                source_score=analysis.source_score,
            )
        )
    return evidence


def alternative_evidence(
    analyses: Sequence[SegmentAnalysis], models: Models, settings: Settings
) -> list[tuple[tuple[ScoredText, ...], tuple[str, ...]]]:
    """Return-model scores and round trips of the original under each n-best alternative
    back-translation (`--num-return N`), batched over the analyses; empty without them."""
    empty: tuple[tuple[ScoredText, ...], tuple[str, ...]] = ((), ())
    ret = models.ret
    pairs = [
        (row, pivot)
        for row, analysis in enumerate(analyses)
        for pivot in analysis.back_alternatives
        if analysis.segment.text.strip()
    ]
    if ret is None or settings.num_return < 2 or not pairs:
        return [empty for _ in analyses]
    pivots = [pivot for _row, pivot in pairs]
    targets = [analyses[row].segment.text for row, _pivot in pairs]
    scores = ret.score(pivots, targets, batch_size=settings.batch_size)
    trips = ret.translate(pivots, num_beams=settings.num_beams, batch_size=settings.batch_size)
    by_row: dict[int, tuple[list[ScoredText], list[str]]] = {}
    for (row, _pivot), score, trip in zip(pairs, scores, trips, strict=True):
        bucket = by_row.setdefault(row, ([], []))
        bucket[0].append(score)
        bucket[1].append(trip)
    return [
        (tuple(by_row[row][0]), tuple(by_row[row][1])) if row in by_row else empty
        for row in range(len(analyses))
    ]
