"""How a stream of segments becomes work: chunks, windows, and each window's groups of
model work. Every engine plans with this module, so every engine forms the same batches and
therefore gives the same results."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from mtreview.documents import Segment

if TYPE_CHECKING:  # the engines registry is read for `--help`: the analyzer only to run
    from mtreview.analysis import Analyzer, SegmentAnalysis
    from mtreview.analysis.analyzer import Started
    from mtreview.analysis.cache import CachedAnalyzer

CHUNK_SIZE = 64
WINDOW_CHUNKS = 16  # chunks looked up in the cache together (their misses batched together)
T = TypeVar("T")


def as_cached(analyzer: Analyzer) -> CachedAnalyzer | None:
    """The analyzer as a cached one, or None (the cache module imported when a run needs
    it, not when the registry is read)."""
    from mtreview.analysis.cache import CachedAnalyzer

    return analyzer if isinstance(analyzer, CachedAnalyzer) else None


def chunked(items: Iterable[T], size: int, *, start: int = 0) -> Iterator[list[T]]:
    """Chunks of `size`; a stream resumed at item `start` keeps the original boundaries
    (document checks see the same batches as in an uninterrupted run)."""
    iterator = iter(items)
    first = size - start % size
    while chunk := list(itertools.islice(iterator, first)):
        yield chunk
        first = size


class WindowPlan:
    """The work for a window of chunks, the same in every engine so results are the same:
    with a cache (a private one for `--no-cache` runs with models), the window's distinct
    misses are computed together in groups of `chunk_size`, so a few corrections scattered
    over a document cost one batch, not a batch each; without one (no models), each chunk
    is one group. `pending` is shared by windows planned before computing. Model numbers
    depend in their last bits on the batch, so the batches must be the same whatever the
    engine, the cache or a resume point (windows start at multiples of their size)."""

    def __init__(
        self,
        analyzer: Analyzer,
        chunks: list[list[Segment]],
        chunk_size: int,
        pending: set[str] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.chunks = chunks
        cached = as_cached(analyzer)
        if cached is not None:
            pending = set() if pending is None else pending
            self.lookups = [cached.lookup(chunk, pending=pending) for chunk in chunks]
            missing = [s for lookup in self.lookups for s in lookup.missing.values()]
            self.groups = list(chunked(missing, chunk_size))
        else:
            self.lookups = []
            self.groups = chunks

    def results(self, computed: Iterable[list[SegmentAnalysis]]) -> Iterator[list[SegmentAnalysis]]:
        """Each chunk's analyses (before `finish`), given each group's computed analyses."""
        analyzer = as_cached(self.analyzer)
        if analyzer is None:
            yield from computed
            return
        flat = [analysis for group in computed for analysis in group]
        position = 0
        window: dict[str, str] = {}
        filled = []
        for lookup in self.lookups:
            count = len(lookup.missing)
            filled.append(analyzer.fill(lookup, flat[position : position + count], window=window))
            position += count
        analyzer.store(window)  # the whole window at once
        yield from filled

    def released(
        self, computed: Iterable[list[SegmentAnalysis]]
    ) -> Iterator[list[SegmentAnalysis]]:
        """The window's analyses chunk by chunk, each finished as soon as the groups
        computed so far hold its misses: the batches of `finished`, the first results a
        batch in rather than a window (the app shows them while the rest computes).
        `finish` is a pass in document order whose flags do not depend on where it is cut
        (each check keeps its document state between calls, grammar reads each text
        alone), so the analyses are those of `finished`. The cache gets the window at its
        end, as there: a window left half done is computed again with the same batches."""
        analyzer = as_cached(self.analyzer)
        if analyzer is None:
            for chunk in computed:
                yield self.analyzer.finish(chunk)
            return
        groups = iter(computed)
        flat: list[SegmentAnalysis] = []
        window: dict[str, str] = {}
        position = 0
        for lookup in self.lookups:
            end = position + len(lookup.missing)
            while len(flat) < end:
                flat.extend(next(groups))
            yield self.analyzer.finish(analyzer.fill(lookup, flat[position:end], window=window))
            position = end
        analyzer.store(window)

    def finished(self, computed: Iterable[list[SegmentAnalysis]]) -> list[SegmentAnalysis]:
        """The window's analyses with flags and risk: `finish` once per window, so costly
        checks (one Grammalecte process a call) run on a thousand segments, not sixty-four."""
        return self.analyzer.finish([a for chunk in self.results(computed) for a in chunk])

    def started(self, computed: Iterable[list[SegmentAnalysis]]) -> Started:
        """`finished`, started (`Analyzer.finish_started`): its `result` is what
        `finished` returns, and the caller may read and start the next window first."""
        return self.analyzer.finish_started([a for chunk in self.results(computed) for a in chunk])


def plan_windows(
    segments: Iterable[Segment],
    analyzer: Analyzer,
    *,
    chunk_size: int,
    window_chunks: int,
    start: int = 0,
    pending: set[str] | None = None,
) -> Iterator[WindowPlan]:
    """One plan per window of `window_chunks` chunks, streamed; a stream resumed at `start`
    keeps the chunk boundaries of an uninterrupted run. Plans that share `pending` (planned
    before any is computed, as on Ray) do not compute one segment twice."""
    for window in chunked(segments, window_chunks * chunk_size, start=start):
        chunks = list(chunked(window, chunk_size, start=start))
        yield WindowPlan(analyzer, chunks, chunk_size, pending)
        start += len(window)
