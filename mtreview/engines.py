"""Where analysis runs: in this process (local) or, with the ray extra, on a Ray cluster."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.documents import Segment
from mtreview.errors import SettingsError

CHUNK_SIZE = 64
T = TypeVar("T")


def chunked(items: Iterable[T], size: int, *, start: int = 0) -> Iterator[list[T]]:
    """Chunks of `size`; a stream resumed at item `start` keeps the original boundaries
    (document checks see the same batches as in an uninterrupted run)."""
    iterator = iter(items)
    first = size - start % size
    while chunk := list(itertools.islice(iterator, first)):
        yield chunk
        first = size


class Engine(Protocol):
    def run(
        self,
        segments: Iterable[Segment],
        analyzer: Analyzer,
        *,
        chunk_size: int = CHUNK_SIZE,
        start: int = 0,
    ) -> Iterator[SegmentAnalysis]: ...


class LocalEngine:
    """Streams: holds one chunk of segments at a time, yields results in input order."""

    def run(
        self,
        segments: Iterable[Segment],
        analyzer: Analyzer,
        *,
        chunk_size: int = CHUNK_SIZE,
        start: int = 0,
    ) -> Iterator[SegmentAnalysis]:
        for chunk in chunked(segments, chunk_size, start=start):
            yield from analyzer.analyze(chunk)


def _ray(**options: object) -> Engine:
    from mtreview.ray_engine import RayEngine  # lazy: works without the ray extra

    return RayEngine(**options)  # type: ignore[arg-type]


ENGINES: dict[str, Callable[..., Engine]] = {"local": LocalEngine, "ray": _ray}


def make_engine(name: str, **options: object) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise SettingsError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})") from None
    return factory(**options)
