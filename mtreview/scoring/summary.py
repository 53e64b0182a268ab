"""A scoring run's summary, built while analyses stream past, and the run loop itself."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from typing import Any

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.documents import Segment
from mtreview.engines import Engine
from mtreview.metrics import CorpusScorer, MetricScore
from mtreview.pipeline import analyze_stream
from mtreview.settings import Settings


@dataclasses.dataclass(frozen=True)
class SystemSummary:
    """One MT system's share of a run that holds several (`Segment.system`)."""

    segments: int
    flags: int
    round_trip: dict[str, MetricScore]
    reference: dict[str, MetricScore]


def _scores(values: dict[str, MetricScore]) -> dict[str, Any]:
    return {name: {"score": s.score, "signature": s.signature} for name, s in values.items()}


@dataclasses.dataclass(frozen=True)
class RunSummary:
    """What a scoring run produced, with corpus scores carrying their signatures."""

    segments: int
    documents: int
    flags: int
    seconds: float
    round_trip: dict[str, MetricScore]
    reference: dict[str, MetricScore]
    mean_logprob: float | None
    models: dict[str, str | None]
    resumed: int = 0  # segments whose records an interrupted run had already written
    systems: dict[str, SystemSummary] = dataclasses.field(default_factory=dict)

    @property
    def segments_per_second(self) -> float:
        return self.segments / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        scores = _scores
        return {
            "segments": self.segments,
            "documents": self.documents,
            "flags": self.flags,
            "seconds": round(self.seconds, 3),
            "segments_per_second": round(self.segments_per_second, 2),
            "round_trip": scores(self.round_trip),
            "reference": scores(self.reference),
            "mean_logprob": self.mean_logprob,
            "models": self.models,
            "resumed": self.resumed,
            "systems": {
                name: {
                    "segments": system.segments,
                    "flags": system.flags,
                    "round_trip": scores(system.round_trip),
                    "reference": scores(system.reference),
                }
                for name, system in self.systems.items()
            },
        }


class _Totals:
    """Corpus statistics of a run, or of one system in it, while results stream past."""

    def __init__(self, settings: Settings) -> None:
        self.round_trip = CorpusScorer(settings.metrics)
        self.reference = CorpusScorer(settings.metrics)
        self.count = 0
        self.flags = 0

    def add(self, analysis: SegmentAnalysis) -> None:
        seg = analysis.segment
        self.count += 1
        self.flags += len(analysis.flags)
        if analysis.round_trip is not None:
            self.round_trip.add(analysis.round_trip, seg.text)
        if seg.reference is not None:
            self.reference.add(seg.text, seg.reference)

    def result(self) -> SystemSummary:
        return SystemSummary(
            self.count, self.flags, self.round_trip.result(), self.reference.result()
        )


class SummaryBuilder:
    """Accumulates corpus statistics while results stream past."""

    def __init__(self, settings: Settings, models: dict[str, str | None]) -> None:
        self.settings = settings
        self.models = models
        self.totals = _Totals(settings)
        self.systems: dict[str, _Totals] = {}
        self.docs: set[str] = set()
        self.logprob_sum = 0.0
        self.logprob_count = 0
        self.resumed = 0
        self.started = time.perf_counter()

    def add(self, analysis: SegmentAnalysis) -> None:
        seg = analysis.segment
        self.totals.add(analysis)
        self.docs.add(seg.doc)
        if analysis.logprob is not None:
            self.logprob_sum += analysis.logprob
            self.logprob_count += 1
        if seg.system is not None:
            if seg.system not in self.systems:
                self.systems[seg.system] = _Totals(self.settings)
            self.systems[seg.system].add(analysis)

    def result(self) -> RunSummary:
        run = self.totals.result()
        return RunSummary(
            segments=run.segments,
            documents=len(self.docs),
            flags=run.flags,
            seconds=time.perf_counter() - self.started,
            round_trip=run.round_trip,
            reference=run.reference,
            mean_logprob=(self.logprob_sum / self.logprob_count if self.logprob_count else None),
            models=self.models,
            resumed=self.resumed,
            systems={name: totals.result() for name, totals in self.systems.items()},
        )


def score_segments(
    segments: Iterable[Segment],
    analyzer: Analyzer,
    *,
    engine: Engine | None = None,
    on_result: Callable[[SegmentAnalysis], None],
    chunk_size: int = 64,
    start: int = 0,
    summary: SummaryBuilder | None = None,
) -> RunSummary:
    """Run the analysis over a stream, handing each result on in order as it comes.

    A resumed run passes the stream from segment `start` (a window's start) on and a
    summary already fed with the records the interrupted run wrote before it."""
    if summary is None:
        summary = SummaryBuilder(analyzer.settings, analyzer.models.describe())
    for analysis in analyze_stream(
        segments, analyzer, engine=engine, chunk_size=chunk_size, start=start
    ):
        summary.add(analysis)
        on_result(analysis)
    return summary.result()
