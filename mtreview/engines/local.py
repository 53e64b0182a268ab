"""The local engine: the analysis in this process, a window at a time, the next one started
before the last one's results are given out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from mtreview.documents import Segment
from mtreview.engines.planning import (
    CHUNK_SIZE,
    WINDOW_CHUNKS,
    WindowPlan,
    as_cached,
    plan_windows,
)

if TYPE_CHECKING:  # imported by the registry that `--help` reads: the analyzer only to run
    from mtreview.analysis import Analyzer, SegmentAnalysis
    from mtreview.analysis.analyzer import Started

Compute = Callable[[list[Segment]], list["SegmentAnalysis"]]


class LocalEngine:
    """Streams in input order, one window ahead: window k+1 is read (its documents
    primed), its Grammalecte started, its pieces handed to the check workers and its
    document checks done before window k's results are collected and given out, so
    those run while this process primes and writes (at most two windows held)."""

    def __init__(self, *, window_chunks: int = WINDOW_CHUNKS) -> None:
        self.window_chunks = max(1, window_chunks)

    def run(
        self,
        segments: Iterable[Segment],
        analyzer: Analyzer,
        *,
        chunk_size: int = CHUNK_SIZE,
        start: int = 0,
    ) -> Iterator[SegmentAnalysis]:
        compute, plans = self._plans(segments, analyzer, chunk_size, start)
        inflight: Started | None = None  # the window started, its records not yet given
        try:
            for plan in plans:
                current = plan.started(compute(group) for group in plan.groups)
                previous, inflight = inflight, current
                if previous is not None:
                    yield from previous.result()
            if inflight is not None:
                last, inflight = inflight, None
                yield from last.result()
        finally:
            if inflight is not None:  # an error, or the consumer stopped: nothing left running
                inflight.cancel()

    def pieces(
        self,
        segments: Iterable[Segment],
        analyzer: Analyzer,
        *,
        chunk_size: int = CHUNK_SIZE,
        start: int = 0,
    ) -> Iterator[list[SegmentAnalysis]]:
        """What `run` gives, in the same windows and model batches, handed on a chunk at a
        time as soon as its batches are computed (`WindowPlan.released`)."""
        compute, plans = self._plans(segments, analyzer, chunk_size, start)
        for plan in plans:
            yield from plan.released(compute(group) for group in plan.groups)

    def _plans(
        self, segments: Iterable[Segment], analyzer: Analyzer, chunk_size: int, start: int
    ) -> tuple[Compute, Iterator[WindowPlan]]:
        """The model work (the misses alone with a cache) and the windows' plans."""
        cached = as_cached(analyzer)
        compute = analyzer.compute if cached is None else cached.compute_fresh
        plans = plan_windows(
            segments, analyzer, chunk_size=chunk_size, window_chunks=self.window_chunks, start=start
        )
        return compute, plans
