"""The analysis record: what the analysis found for one segment, and its JSON form.

`SegmentAnalysis` is the contract between the analyzer, the cache, engines, the store and the
exports; `SegmentAnalysis.to_record` is the stable JSON record documented in docs/formats.md.
Everything else in `mtreview.analysis` sits above this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mtreview.backends.base import ScoredText, TokenScore
from mtreview.documents import (
    Segment,
    segment_from_mapping,
    segment_keys,
    segment_problem,
    segment_to_mapping,
)
from mtreview.flags import Flag
from mtreview.metrics import MetricScore

RECORD_VERSION = 3  # 2: model_flags; 3: `version` in every record
READABLE_VERSIONS = (2, 3)  # a record without `version` was written as version 2
RECORD_NAMES = {"index": "segment_id"}  # how the record names the Segment's fields
SEGMENT_KEYS = segment_keys(RECORD_NAMES)


@dataclasses.dataclass(frozen=True)
class SegmentAnalysis:
    segment: Segment
    back_translation: str | None = None
    round_trip: str | None = None
    metrics: Mapping[str, MetricScore] = dataclasses.field(default_factory=dict)
    reference_metrics: Mapping[str, MetricScore] = dataclasses.field(default_factory=dict)
    return_score: ScoredText | None = None  # original | back-translation, return model
    source_score: ScoredText | None = None  # original | source, source model
    back_alternatives: tuple[str, ...] = ()  # n-best back-translations beyond the first
    model_flags: tuple[Flag, ...] = ()  # what the models point at in this segment alone
    flags: tuple[Flag, ...] = ()  # everything, merged: rules, grammar, model flags
    risk: float = 0.0

    @property
    def logprob(self) -> float | None:
        return self.return_score.logprob if self.return_score else None

    def to_record(self) -> dict[str, Any]:
        """The JSONL record of `mtreview score`: the segment, then what was found."""
        return {**segment_to_mapping(self.segment, RECORD_NAMES), **self.findings_record()}

    def findings_record(self) -> dict[str, Any]:
        """What the analysis found, without the segment (the store keeps that in its row)."""
        return {
            "version": RECORD_VERSION,
            "back_translation": self.back_translation,
            "back_alternatives": list(self.back_alternatives),
            "round_trip": self.round_trip,
            "metrics": _metrics_record(self.metrics),
            "reference_metrics": _metrics_record(self.reference_metrics) or None,
            "logprob": self.logprob,
            "tokens": _tokens_record(self.return_score),
            "source_logprob": self.source_score.logprob if self.source_score else None,
            "source_tokens": _tokens_record(self.source_score),
            "model_flags": [flag.to_dict() for flag in self.model_flags],
            "flags": [flag.to_dict() for flag in self.flags],
            "risk": self.risk,
        }

    @classmethod
    def from_record(
        cls, record: Mapping[str, Any], *, segment: Segment | None = None
    ) -> SegmentAnalysis:
        """The analysis a record describes; `segment` replaces the record's own (a store
        row, or a cached result taking its place in another document)."""
        if segment is None:
            problem = segment_problem(record, RECORD_NAMES)
            if problem:
                raise ValueError(problem)
            segment = segment_from_mapping(record, RECORD_NAMES)
        return cls(
            segment=segment,
            back_translation=record.get("back_translation"),
            round_trip=record.get("round_trip"),
            metrics=_metrics_from_record(record.get("metrics")),
            reference_metrics=_metrics_from_record(record.get("reference_metrics")),
            return_score=_score_from_record(record.get("logprob"), record.get("tokens")),
            source_score=_score_from_record(
                record.get("source_logprob"), record.get("source_tokens")
            ),
            back_alternatives=tuple(record.get("back_alternatives") or ()),
            model_flags=tuple(Flag.from_dict(flag) for flag in record.get("model_flags") or ()),
            flags=tuple(Flag.from_dict(flag) for flag in record.get("flags") or ()),
            risk=float(record.get("risk") or 0.0),
        )


def split_record(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A full record as (its segment's fields, its findings)."""
    keys = set(SEGMENT_KEYS)
    segment = {key: value for key, value in record.items() if key in keys}
    findings = {key: value for key, value in record.items() if key not in keys}
    return segment, findings


def record_version(record: Mapping[str, Any]) -> int:
    """The layout version a record says it has; refuses one this mtreview cannot read."""
    version = record.get("version", 2)
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        readable = ", ".join(map(str, READABLE_VERSIONS))
        raise ValueError(f"analysis record version {version!r}; this mtreview reads {readable}")
    return int(version)


def _metrics_record(metrics: Mapping[str, MetricScore]) -> dict[str, Any]:
    if not metrics:
        return {}
    record: dict[str, Any] = {name: score.score for name, score in metrics.items()}
    record["signatures"] = {name: score.signature for name, score in metrics.items()}
    return record


def _metrics_from_record(record: Mapping[str, Any] | None) -> dict[str, MetricScore]:
    if not record:
        return {}
    signatures = record.get("signatures", {})
    return {
        name: MetricScore(name, float(value), signatures.get(name, ""))
        for name, value in record.items()
        if name != "signatures"
    }


def _tokens_record(score: ScoredText | None) -> list[dict[str, Any]]:
    if score is None:
        return []
    return [
        {"text": t.text, "start": t.start, "end": t.end, "logprob": t.logprob} for t in score.tokens
    ]


def _score_from_record(logprob: float | None, tokens: Any) -> ScoredText | None:
    if logprob is None:
        return None
    return ScoredText(
        tuple(TokenScore(t["text"], t["start"], t["end"], t["logprob"]) for t in tokens or ()),
        float(logprob),
    )


def round_trip_risk(analysis: SegmentAnalysis) -> float:
    """0 (looks fine) … 1 (look here first): round-trip chrF loss and model surprisal."""
    parts: list[float] = []
    if "chrf" in analysis.metrics:
        parts.append(1.0 - analysis.metrics["chrf"].score / 100.0)
    if analysis.logprob is not None:
        parts.append(min(1.0, max(0.0, -analysis.logprob / 10.0)))
    return round(sum(parts) / len(parts), 4) if parts else 0.0
