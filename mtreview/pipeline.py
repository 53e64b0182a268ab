"""From files to analysed documents: the steps of a run, which `scoring.run.ScoringRun`
puts together the same way for every face (`mtreview score`, `score --db`, the review app,
`mtreview calibrate`); the tests use the steps too.

What the settings decide about reading (language, source language, segment size, splitter)
is decided here once; so is which analyzer a run gets (cached by default) and whether
document checks see a whole document before its segments are flagged (`document_pass`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mtreview.analysis import Analyzer, FinishStep, Models, SegmentAnalysis
from mtreview.analysis.cache import AnalysisCache, CachedAnalyzer, cached_highlighter
from mtreview.analysis.highlight import Highlighter, primed_segments
from mtreview.documents import Document, Segment
from mtreview.engines import CHUNK_SIZE, Engine, LocalEngine
from mtreview.readers import check_file_name, iter_segments, read_document, read_documents
from mtreview.segmentation import SentenceSplitter, make_splitter
from mtreview.settings import Settings


@functools.lru_cache(maxsize=8)
def _splitter(lang: str) -> SentenceSplitter:
    return make_splitter(lang=lang)


def reader_options(settings: Settings) -> dict[str, Any]:
    """The reader keywords that come from the settings (every face passes these)."""
    return {
        "splitter": _splitter(settings.lang),
        "lang": settings.lang,
        "source_lang": settings.source_lang,
        "max_segment_chars": settings.max_segment_chars,
        "quoting": settings.table_quoting,
        "system": settings.system,
    }


def input_segments(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    fmt: str | None = None,
    source_file: str | Path | None = None,
) -> Iterator[Segment]:
    """Segments of every input, one file after another, streamed; every file name is
    checked before the first segment, so no output starts for a run that must stop."""
    for path in paths:
        check_file_name(path)
    for path in paths:
        yield from iter_segments(path, fmt=fmt, source_file=source_file, **reader_options(settings))


def read_input(
    path: str | Path,
    settings: Settings,
    *,
    fmt: str | None = None,
    source_file: str | Path | None = None,
    name: str | None = None,
) -> Document:
    """One whole document (the app, small files), read with the run's reader options."""
    return read_document(
        path, fmt=fmt, source_file=source_file, name=name, **reader_options(settings)
    )


def read_inputs(path: str | Path, settings: Settings, *, name: str | None = None) -> list[Document]:
    """Every document of one file, whole: one, or one per MT system (`read_documents`)."""
    return read_documents(path, name=name, **reader_options(settings))


def peek(iterator: Iterator[Segment]) -> tuple[Segment | None, Iterator[Segment]]:
    """First segment (to fail early on bad input before models load) and the full stream."""
    first = next(iterator, None)
    if first is None:
        return None, iterator
    return first, itertools.chain([first], iterator)


def make_analyzer(
    settings: Settings,
    *,
    cache: bool = True,
    models: Models | None = None,
    highlighter: FinishStep | None = None,
) -> Analyzer:
    """The analyzer a run should use. With the cache (the default) the models' results are
    kept per segment; without it they go to a private cache that dies with the run, so
    the run forms the same batches, hence the same numbers, as a first run with the cache.
    Without models only Grammalecte's flags are worth keeping."""
    loaded = models if models is not None else Models.load(settings)
    has_models = loaded.back is not None or loaded.source is not None
    if not cache:
        if has_models:
            private = AnalysisCache.temporary()
            return CachedAnalyzer(settings, cache=private, models=loaded, highlighter=highlighter)
        return Analyzer(settings, models=loaded, highlighter=highlighter)
    store = AnalysisCache.for_settings(settings)
    if has_models:
        return CachedAnalyzer(settings, cache=store, models=loaded, highlighter=highlighter)
    return Analyzer(
        settings, models=loaded, highlighter=highlighter or cached_highlighter(settings, store)
    )


def document_pass(analyzer: Analyzer) -> Highlighter | None:
    """The highlighter that sees each whole document before its segments are flagged, so
    the first of two spellings or copies is flagged too; None when the settings turn the
    document pass off (or the analyzer finishes without document checks). The one place
    that decides, for every face."""
    highlighter = analyzer.highlighter
    if analyzer.settings.document_pass and isinstance(highlighter, Highlighter):
        return highlighter
    return None


def primed(
    segments: Iterator[Segment],
    sources: Sequence[Callable[[], Iterable[Segment]]],
    analyzer: Analyzer,
    *,
    keep: Callable[[Segment], bool] | None = None,
) -> Iterator[Segment]:
    """With the document pass, each source read once to show the document checks the
    whole document, then again to analyse it (only the segments `keep` says, when given:
    the others were analysed before); otherwise `segments` as they are."""
    highlighter = document_pass(analyzer)
    if highlighter is None:
        return segments
    stream = primed_segments(sources, highlighter)
    return stream if keep is None else filter(keep, stream)


def file_sources(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    fmt: str | None = None,
    source_file: str | Path | None = None,
) -> list[Callable[[], Iterator[Segment]]]:
    """Each input as a source that can be read again (the document pass reads it twice)."""
    return [
        functools.partial(input_segments, [path], settings, fmt=fmt, source_file=source_file)
        for path in paths
    ]


def with_document_pass(
    segments: Iterator[Segment],
    paths: Sequence[str | Path],
    settings: Settings,
    analyzer: Analyzer,
    *,
    fmt: str | None = None,
    source_file: str | Path | None = None,
    keep: Callable[[Segment], bool] | None = None,
) -> Iterator[Segment]:
    """`primed` over input files."""
    sources = file_sources(paths, settings, fmt=fmt, source_file=source_file)
    return primed(segments, sources, analyzer, keep=keep)


def analyze_stream(
    segments: Iterable[Segment],
    analyzer: Analyzer,
    *,
    engine: Engine | None = None,
    chunk_size: int = CHUNK_SIZE,
    start: int = 0,
) -> Iterator[SegmentAnalysis]:
    """Analyses in input order, as the engine finishes them (windows of ~1,000 segments)."""
    return (engine or LocalEngine()).run(segments, analyzer, chunk_size=chunk_size, start=start)


def analyze_document(
    document: Document, analyzer: Analyzer, *, engine: Engine | None = None
) -> list[SegmentAnalysis]:
    """A whole document at hand: document checks see all of it first (`document_pass`), so
    the first of two spellings or copies is flagged too; then the engine as in a run."""
    segments = primed(iter(document.segments), [lambda: document.segments], analyzer)
    return list(analyze_stream(segments, analyzer, engine=engine))
