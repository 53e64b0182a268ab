"""Round-trip analysis: back-translate, translate back, score, force-decode, flag.

`Analyzer.analyze` takes a batch of segments and returns one frozen `SegmentAnalysis` each:
`compute` does the per-segment model work (what caches store and engines spread), `finish`
the flags and risk that read the document context, in document order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Protocol

from mtreview.analysis.highlight import Highlighter
from mtreview.analysis.model_flags import model_evidence, model_flags
from mtreview.analysis.models import Models
from mtreview.analysis.record import SegmentAnalysis
from mtreview.documents import Segment
from mtreview.metrics import SentenceScorer
from mtreview.settings import Settings

# fills `flags` and `risk` of a batch of analyses given in document order (a `Highlighter`,
# or a stand-in such as the Ray actors' no-op)
FinishStep = Callable[[list[SegmentAnalysis]], list[SegmentAnalysis]]


class Started(Protocol):
    """A window's `finish` on its way (`Analyzer.finish_started`)."""

    def result(self) -> list[SegmentAnalysis]: ...

    def cancel(self) -> None: ...


class _Done:
    """A finish step with nothing to overlap: done when started."""

    def __init__(self, analyses: list[SegmentAnalysis]) -> None:
        self.analyses = analyses

    def result(self) -> list[SegmentAnalysis]:
        return self.analyses

    def cancel(self) -> None:
        """Nothing runs."""


class Analyzer:
    """Holds the models and metric objects once; analyses batches of segments."""

    def __init__(
        self,
        settings: Settings,
        *,
        models: Models | None = None,
        highlighter: FinishStep | None = None,
    ) -> None:
        self.settings = settings
        self.models = models if models is not None else Models.load(settings)
        self.scorer = SentenceScorer(settings.metrics)
        self.highlighter = highlighter if highlighter is not None else self.default_highlighter()

    def default_highlighter(self) -> FinishStep:
        """Rule checks and grammar as the settings ask, merged with the model flags."""
        return Highlighter(self.settings)

    def close(self) -> None:
        """Stop what the highlighter keeps for the run (its forked check workers)."""
        close = getattr(self.highlighter, "close", None)
        if callable(close):
            close()

    def analyze(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        return self.finish(self.compute(segments))

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

    def finish_started(self, analyses: list[SegmentAnalysis]) -> Started:
        """`finish`, started: a `Highlighter` leaves Grammalecte and the check workers
        running and does the document checks now (in document order, as `finish`), so an
        engine can read and start the next window before it waits for this one; `result`
        gives what `finish` gives. Another finish step runs at once."""
        started = getattr(self.highlighter, "started", None)
        if callable(started):
            handle: Started = started(analyses)
            return handle
        return _Done(self.finish(analyses))

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
