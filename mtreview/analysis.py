"""Round-trip analysis: back-translate, translate back, score, force-decode, flag.

`Analyzer.analyze` takes a batch of segments and returns one frozen `SegmentAnalysis` each;
`SegmentAnalysis.to_record` is the stable JSON record documented in the README.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mtreview.backends import ScoredText, TokenScore, TranslationBackend, load_backend
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.metrics import MetricScore, SentenceScorer
from mtreview.model_flags import model_evidence, model_flags
from mtreview.settings import Settings

RECORD_VERSION = 2  # 2: model_flags


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
        seg = self.segment
        return {
            "doc": seg.doc,
            "segment_id": seg.index,
            "paragraph": seg.paragraph,
            "start": seg.start,
            "end": seg.end,
            "line": seg.line,
            "text": seg.text,
            "source": seg.source,
            "reference": seg.reference,
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
        """The analysis a record describes; `segment` replaces the record's own (a cached
        result taking its place in another document)."""
        if segment is None:
            segment = Segment(
                doc=record["doc"],
                index=record["segment_id"],
                paragraph=record["paragraph"],
                start=record["start"],
                end=record["end"],
                text=record["text"],
                source=record.get("source"),
                reference=record.get("reference"),
                line=record.get("line"),
            )
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


@dataclasses.dataclass(frozen=True)
class Models:
    """The loaded backends; any may be absent (no models, or no source model)."""

    back: TranslationBackend | None = None
    ret: TranslationBackend | None = None
    source: TranslationBackend | None = None

    @classmethod
    def load(cls, settings: Settings) -> Models:
        if not settings.use_models:
            return cls()

        def load(role: str) -> TranslationBackend:
            return load_backend(
                settings.backend,
                settings.model_name(role),
                threads=settings.resolved_threads(),
                max_length=settings.max_length,
                compute_type=settings.compute_type,
                cache_dir=str(settings.resolved_cache_dir()),
            )

        return cls(
            back=load("back"),
            ret=load("return"),
            source=load("source") if settings.source_model else None,
        )

    def describe(self) -> dict[str, str | None]:
        return {
            role: (backend.model_id if backend else None)
            for role, backend in (
                ("back", self.back),
                ("return", self.ret),
                ("source", self.source),
            )
        }


# fills `flags` and `risk` of a batch of analyses given in document order
Highlighter = Callable[[list[SegmentAnalysis]], list[SegmentAnalysis]]


def round_trip_risk(analysis: SegmentAnalysis) -> float:
    """0 (looks fine) … 1 (look here first): round-trip chrF loss and model surprisal."""
    parts: list[float] = []
    if "chrf" in analysis.metrics:
        parts.append(1.0 - analysis.metrics["chrf"].score / 100.0)
    if analysis.logprob is not None:
        parts.append(min(1.0, max(0.0, -analysis.logprob / 10.0)))
    return round(sum(parts) / len(parts), 4) if parts else 0.0


class Analyzer:
    """Holds the models and metric objects once; analyses batches of segments."""

    def __init__(
        self,
        settings: Settings,
        *,
        models: Models | None = None,
        highlighter: Highlighter | None = None,
    ) -> None:
        self.settings = settings
        self.models = models if models is not None else Models.load(settings)
        self.scorer = SentenceScorer(settings.metrics)
        self.highlighter = highlighter if highlighter is not None else self.default_highlighter()

    def default_highlighter(self) -> Highlighter:
        """Rule checks and grammar as the settings ask, merged with the model flags."""
        from mtreview.highlight import Highlighter as DefaultHighlighter

        return DefaultHighlighter(self.settings)

    def analyze(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        return self.finish(self.compute(segments))

    def analyze_document(
        self, segments: Sequence[Segment], *, chunk_size: int = 64
    ) -> list[SegmentAnalysis]:
        """A whole document at hand (the app): document checks see all of it first, so the
        first of two spellings or copies is flagged too (`document_pass`)."""
        prime = getattr(self.highlighter, "prime", None)
        if self.settings.document_pass and prime is not None:
            prime(segments)
        results: list[SegmentAnalysis] = []
        for offset in range(0, len(segments), chunk_size):
            results.extend(self.analyze(segments[offset : offset + chunk_size]))
        return results

    def compute(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        """The per-segment part (models, metrics, model flags): what caches store and
        engines spread; nothing in it depends on the neighbours."""
        analyses = self._model_free(segments)
        if self.models.back is not None and self.models.ret is not None:
            analyses = self._round_trip(analyses)
        if self.models.source is not None:
            analyses = self._source_scores(analyses)
        return self._model_flags(analyses)

    def finish(self, analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
        """Risk and flags, batch by batch in document order (checks read the context)."""
        return self.highlighter(analyses)

    def _model_free(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        return [
            SegmentAnalysis(
                segment=seg,
                reference_metrics=(
                    self.scorer.score(seg.text, seg.reference) if seg.reference else {}
                ),
            )
            for seg in segments
        ]

    def _round_trip(self, analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
        back, ret = self.models.back, self.models.ret
        if back is None or ret is None:
            return analyses
        settings = self.settings
        todo = [i for i, a in enumerate(analyses) if a.segment.text.strip()]
        texts = [analyses[i].segment.text for i in todo]
        if not texts:
            return analyses
        options = {"num_beams": settings.num_beams, "batch_size": settings.batch_size}
        nbest = back.translate_nbest(texts, max(1, settings.num_return), **options)
        pivots = [candidates[0] for candidates in nbest]
        round_trips = ret.translate(pivots, **options)
        scores = ret.score(pivots, texts, batch_size=settings.batch_size)
        result = list(analyses)
        for row, index in enumerate(todo):
            result[index] = dataclasses.replace(
                analyses[index],
                back_translation=pivots[row],
                back_alternatives=tuple(nbest[row][1:]),
                round_trip=round_trips[row],
                metrics=self.scorer.score(round_trips[row], texts[row]),
                return_score=scores[row],
            )
        return result

    def _model_flags(self, analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
        if not any(a.return_score or a.source_score for a in analyses):
            return analyses
        evidence = model_evidence(analyses, self.models, self.settings)
        return [
            dataclasses.replace(
                analysis, model_flags=tuple(model_flags(analysis.segment.text, e, self.settings))
            )
            for analysis, e in zip(analyses, evidence, strict=True)
        ]

    def _source_scores(self, analyses: list[SegmentAnalysis]) -> list[SegmentAnalysis]:
        source_model = self.models.source
        todo = [i for i, a in enumerate(analyses) if a.segment.source and a.segment.text.strip()]
        if source_model is None or not todo:
            return analyses
        scores = source_model.score(
            [analyses[i].segment.source or "" for i in todo],
            [analyses[i].segment.text for i in todo],
            batch_size=self.settings.batch_size,
        )
        result = list(analyses)
        for index, score in zip(todo, scores, strict=True):
            result[index] = dataclasses.replace(analyses[index], source_score=score)
        return result
