"""Agreement between reviewers on the segments they both reviewed (marked done).

For every pair of reviewers, over their shared segments:
- span agreement: character-level F1 (characters either marked, labels ignored), span F1
  with exact matches (same start and end) and with overlapping matches;
- category and severity agreement: Cohen's kappa over the characters of the shared
  segments, each labelled with the reviewer's category (or severity) there, or "none";
  with three or more reviewers on a segment, Fleiss' kappa over all of them;
- segment MQM scores (the sum of the reviewer's error weights): Pearson and Kendall tau-b;
- disagreements: every run of characters where the two gave different labels.

Where two of one reviewer's spans overlap, a character takes the heavier error's label.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from mtreview.mqm import Typology, segment_score
from mtreview.stats import FleissCounts, cohen_kappa, kendall_tau_b, pearson

NONE = "none"


@dataclasses.dataclass(frozen=True)
class Disagreement:
    doc_id: str
    segment: int
    start: int
    end: int
    text: str
    left: str  # "Category/Sub severity", or "none"
    right: str


@dataclasses.dataclass(frozen=True)
class PairAgreement:
    left: str
    right: str
    segments: int
    characters: int
    char_f1: float | None
    exact_f1: float | None
    overlap_f1: float | None
    category_kappa: float | None
    severity_kappa: float | None
    pearson: float | None
    kendall: float | None
    disagreements: tuple[Disagreement, ...]


@dataclasses.dataclass(frozen=True)
class AgreementReport:
    pairs: tuple[PairAgreement, ...]
    fleiss_segments: int  # segments with three or more reviewers
    fleiss_category: float | None
    fleiss_severity: float | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _labels(text: str, spans: Sequence[Any], typology: Typology) -> list[tuple[str, str]]:
    """(category, severity) of every character; the heavier error wins an overlap."""
    labels = [(NONE, NONE)] * len(text)
    weight = [-1.0] * len(text)
    for span in spans:
        w = typology.weight(span.category, span.severity)
        for i in range(max(0, span.start), min(len(text), span.end)):
            if w > weight[i]:
                labels[i], weight[i] = (span.category, span.severity), w
    return labels


def _runs(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> Iterator[Any]:
    """(start, end, left label, right label) for maximal runs of equal label pairs."""
    start = 0
    for i in range(1, len(left) + 1):
        if i == len(left) or (left[i], right[i]) != (left[start], right[start]):
            yield start, i, left[start], right[start]
            start = i


def _f1(matched_left: float, total_left: float, matched_right: float, total_right: float):
    """F1 from precision (right's matched share) and recall (left's); None when empty."""
    if total_left == 0 and total_right == 0:
        return None
    if total_left == 0 or total_right == 0:
        return 0.0
    recall, precision = matched_left / total_left, matched_right / total_right
    return 0.0 if recall + precision == 0 else 2 * precision * recall / (precision + recall)


class _Pair:
    def __init__(self, left: str, right: str) -> None:
        self.left, self.right = left, right
        self.segments = self.characters = 0
        self.chars = Counter[str]()  # marked by left, right, both
        self.spans = Counter[str]()
        self.categories: Counter[tuple[str, str]] = Counter()
        self.severities: Counter[tuple[str, str]] = Counter()
        self.scores: tuple[list[float], list[float]] = ([], [])
        self.disagreements: list[Disagreement] = []

    def add(self, seg: Any, typology: Typology) -> None:
        a, b = seg.work[self.left].spans, seg.work[self.right].spans
        la, lb = _labels(seg.text, a, typology), _labels(seg.text, b, typology)
        self.segments += 1
        self.characters += len(seg.text)
        for start, end, x, y in _runs(la, lb):
            n = end - start
            self.chars["left"] += n * (x[0] != NONE)
            self.chars["right"] += n * (y[0] != NONE)
            self.chars["both"] += n * (x[0] != NONE and y[0] != NONE)
            self.categories[(x[0], y[0])] += n
            self.severities[(x[1], y[1])] += n
            if x != y:
                found = Disagreement(
                    seg.doc_id, seg.index, start, end, seg.text[start:end], _show(x), _show(y)
                )
                self.disagreements.append(found)
        self.spans["left"] += len(a)
        self.spans["right"] += len(b)
        keys_a, keys_b = {(s.start, s.end) for s in a}, {(s.start, s.end) for s in b}
        self.spans["exact"] += len(keys_a & keys_b)
        self.spans["left_overlapping"] += sum(_overlaps(s, b) for s in a)
        self.spans["right_overlapping"] += sum(_overlaps(s, a) for s in b)
        self.scores[0].append(segment_score(a, typology))
        self.scores[1].append(segment_score(b, typology))

    def result(self) -> PairAgreement:
        c, s = self.chars, self.spans
        return PairAgreement(
            left=self.left,
            right=self.right,
            segments=self.segments,
            characters=self.characters,
            char_f1=_f1(c["both"], c["left"], c["both"], c["right"]),
            exact_f1=_f1(s["exact"], s["left"], s["exact"], s["right"]),
            overlap_f1=_f1(s["left_overlapping"], s["left"], s["right_overlapping"], s["right"]),
            category_kappa=cohen_kappa(self.categories),
            severity_kappa=cohen_kappa(self.severities),
            pearson=pearson(*self.scores),
            kendall=kendall_tau_b(*self.scores),
            disagreements=tuple(self.disagreements),
        )


def _overlaps(span: Any, others: Iterable[Any]) -> bool:
    return any(span.start < o.end and o.start < span.end for o in others)


def _show(label: tuple[str, str]) -> str:
    return NONE if label[0] == NONE else f"{label[0]} {label[1]}"


def agreement(shared: Iterable[Any], typology: Typology) -> AgreementReport:
    """The report from `ReviewStore.shared_segments()` (segments with each reviewer's work)."""
    pairs: dict[tuple[str, str], _Pair] = {}
    fleiss_category, fleiss_severity = FleissCounts(), FleissCounts()
    fleiss_segments = 0
    for seg in shared:
        names = sorted(seg.work)
        for left, right in itertools.combinations(names, 2):
            pairs.setdefault((left, right), _Pair(left, right)).add(seg, typology)
        if len(names) >= 3:
            fleiss_segments += 1
            labels = [_labels(seg.text, seg.work[n].spans, typology) for n in names]
            for i in range(len(seg.text)):
                fleiss_category.add([lab[i][0] for lab in labels])
                fleiss_severity.add([lab[i][1] for lab in labels])
    return AgreementReport(
        pairs=tuple(pairs[key].result() for key in sorted(pairs)),
        fleiss_segments=fleiss_segments,
        fleiss_category=fleiss_category.kappa(),
        fleiss_severity=fleiss_severity.kappa(),
    )


def report_rows(report: AgreementReport) -> list[dict[str, Any]]:
    """One flat row per pair (the table and TSV faces)."""
    return [
        {
            "left": p.left,
            "right": p.right,
            "segments": p.segments,
            "char_f1": p.char_f1,
            "exact_f1": p.exact_f1,
            "overlap_f1": p.overlap_f1,
            "category_kappa": p.category_kappa,
            "severity_kappa": p.severity_kappa,
            "pearson": p.pearson,
            "kendall": p.kendall,
            "disagreements": len(p.disagreements),
        }
        for p in report.pairs
    ]
