"""The local engine: the analysis in this process, one window at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from mtreview.documents import Segment
from mtreview.engines.planning import CHUNK_SIZE, WINDOW_CHUNKS, as_cached, plan_windows

if TYPE_CHECKING:  # imported by the registry that `--help` reads: the analyzer only to run
    from mtreview.analysis import Analyzer, SegmentAnalysis


class LocalEngine:
    """Streams: holds one window of chunks at a time, yields results in input order."""

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
        cached = as_cached(analyzer)
        compute = analyzer.compute if cached is None else cached.compute_fresh
        plans = plan_windows(
            segments, analyzer, chunk_size=chunk_size, window_chunks=self.window_chunks, start=start
        )
        for plan in plans:
            yield from plan.finished(compute(group) for group in plan.groups)
