"""Where analysis runs: in this process (local) or, with the ray extra, on a Ray cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from mtreview.documents import Segment
from mtreview.engines.local import LocalEngine
from mtreview.engines.planning import CHUNK_SIZE
from mtreview.errors import SettingsError

if TYPE_CHECKING:  # the CLI reads ENGINES for --help, which needs no analyzer
    from mtreview.analysis import Analyzer, SegmentAnalysis

__all__ = ["CHUNK_SIZE", "ENGINES", "Engine", "LocalEngine", "make_engine"]


class Engine(Protocol):
    def run(
        self,
        segments: Iterable[Segment],
        analyzer: Analyzer,
        *,
        chunk_size: int = CHUNK_SIZE,
        start: int = 0,
    ) -> Iterator[SegmentAnalysis]: ...


def _ray(**options: object) -> Engine:
    from mtreview.engines.ray_engine import RayEngine  # lazy: works without the ray extra

    return RayEngine(**options)  # type: ignore[arg-type]


ENGINES: dict[str, Callable[..., Engine]] = {"local": LocalEngine, "ray": _ray}


def make_engine(name: str, **options: object) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise SettingsError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})") from None
    return factory(**options)
