"""Where analysis runs: in this process (local) or, with the ray extra, on a Ray cluster."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.documents import Segment
from mtreview.errors import SettingsError

CHUNK_SIZE = 64


def chunked(items: Iterable[Segment], size: int) -> Iterator[list[Segment]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Engine(Protocol):
    def run(
        self, segments: Iterable[Segment], analyzer: Analyzer, *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[SegmentAnalysis]: ...


class LocalEngine:
    """Streams: holds one chunk of segments at a time, yields results in input order."""

    def run(
        self, segments: Iterable[Segment], analyzer: Analyzer, *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[SegmentAnalysis]:
        for chunk in chunked(segments, chunk_size):
            yield from analyzer.analyze(chunk)


ENGINES: dict[str, Callable[..., Engine]] = {"local": LocalEngine}


def make_engine(name: str, **options: object) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise SettingsError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})") from None
    return factory(**options)
