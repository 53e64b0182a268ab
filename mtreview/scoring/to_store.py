"""`mtreview score INPUT... --db DB`: analyses go into the review store as they are made.

An input is one document, or several when a row format has a `doc` column. The inputs are
read once first (`plan_store_run`: bad input fails before any model loads, and every
document's size is known); then a document already complete in the store is not analysed
again unless asked (`reanalyse`), and one an interrupted run left incomplete continues
after the last window that run committed (`resume`). Windows are written one transaction
each (`ReviewStore.write_scored`); a document gets its text and counts when its last
segment is in (`finish_scored`). A streamed document's text is an article's file as read,
or for formats of one segment a row, its rows joined by newlines, rebuilt from the stored
segments (`readers.original_text`), so offsets index it as in any document.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.analysis.cache import CachedAnalyzer
from mtreview.documents import Segment
from mtreview.engines import CHUNK_SIZE, Engine
from mtreview.engines.planning import WINDOW_CHUNKS, chunked
from mtreview.errors import InputError, SettingsError
from mtreview.pipeline import input_segments
from mtreview.readers import detect_format, original_text
from mtreview.scoring.resume import run_key
from mtreview.scoring.summary import RunSummary, SummaryBuilder, score_segments
from mtreview.settings import Settings
from mtreview.store import IncomingDocument, ReviewStore, StoredState
from mtreview.store.text import value_problem

WINDOW = CHUNK_SIZE * WINDOW_CHUNKS  # an engine window: one transaction


@dataclasses.dataclass(frozen=True)
class PlannedDocument:
    path: Path
    document: IncomingDocument
    segments: int  # in the input
    words: int
    skip: int  # segments an interrupted run already stored
    again: bool  # complete in the store, analysed again (--reanalyse)


@dataclasses.dataclass(frozen=True)
class StorePlan:
    documents: tuple[PlannedDocument, ...]  # to analyse, in input order
    kept: tuple[str, ...]  # already in the store, not analysed again

    @property
    def resumed(self) -> int:
        return sum(item.skip for item in self.documents)

    @property
    def paths(self) -> list[Path]:
        return list(dict.fromkeys(item.path for item in self.documents))


def _decide(
    state: StoredState | None, run: str, *, resume: bool, reanalyse: bool, where: str
) -> tuple[int, bool] | None:
    """(segments to skip, analysed again) for a document, or None to leave it as stored."""
    if state is None:
        return 0, False
    if state.complete:
        return (0, True) if reanalyse else None
    if resume and state.run == run:
        return state.done, False
    if reanalyse:
        return 0, True
    if resume:
        raise SettingsError(
            f"{where} was being scored with other inputs or settings; use --reanalyse to "
            "score it again from the start"
        )
    raise SettingsError(
        f"{where} was left half-scored ({state.done} segments) by an interrupted run; add "
        "--resume to continue it, or --reanalyse to start it over"
    )


def plan_store_run(
    store: ReviewStore,
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    fmt: str | None = None,
    source_file: str | Path | None = None,
    resume: bool = False,
    reanalyse: bool = False,
) -> StorePlan:
    """Read the inputs once and decide, document by document, what is left to do. A stored
    document to analyse again must still be the stored text, segment for segment."""
    planner = _Planner(store, settings, resume=resume, reanalyse=reanalyse)
    source = Path(source_file) if source_file is not None else None
    for given in paths:
        path = Path(given)
        kind = fmt or detect_format(path, source_file=source)
        run = run_key([path], settings, kind, source_file)
        for segment in input_segments([path], settings, fmt=fmt, source_file=source_file):
            planner.add(path, kind, run, segment)
        planner.close()
    return StorePlan(tuple(planner.planned), tuple(planner.kept))


@dataclasses.dataclass
class _Reading:
    """The document the planner is reading: what it is, what to do, how big it is."""

    path: Path
    document: IncomingDocument
    decision: tuple[int, bool] | None
    stored: StoredState | None
    segments: int = 0
    words: int = 0


class _Planner:
    """Follows the segments of the inputs, one document at a time."""

    def __init__(self, store: ReviewStore, settings: Settings, *, resume: bool, reanalyse: bool):
        self.store, self.settings = store, settings
        self.resume, self.reanalyse = resume, reanalyse
        self.planned: list[PlannedDocument] = []
        self.kept: list[str] = []
        self.seen: dict[str, Path] = {}
        self.current: _Reading | None = None
        self.check: list[Segment] = []

    def add(self, path: Path, kind: str, run: str, segment: Segment) -> None:
        problem = value_problem((segment.doc, segment.text, segment.source, segment.reference))
        if problem:  # the store would refuse it later, without the line
            raise InputError(path, problem, line=segment.line)
        current = self.current
        if current is None or current.document.doc_id != segment.doc:
            self.close()
            current = self.current = self._open(path, kind, run, segment.doc)
        current.segments += 1
        current.words += len(segment.text.split())
        if current.stored is not None and current.decision is not None:
            self.check.append(segment)
            if len(self.check) >= 500:
                self._check(path)

    def _open(self, path: Path, kind: str, run: str, doc_id: str) -> _Reading:
        if doc_id in self.seen:
            raise InputError(path, f"document {doc_id!r} is also in {self.seen[doc_id]}")
        self.seen[doc_id] = path
        state = self.store.scored_state(doc_id)
        where = f"{path}: document {doc_id!r} in {self.store.describe()}"
        decision = _decide(state, run, resume=self.resume, reanalyse=self.reanalyse, where=where)
        settings = self.settings
        document = IncomingDocument(
            doc_id, path.name, settings.lang, settings.source_lang, kind, run
        )
        return _Reading(path, document, decision, state)

    def _check(self, path: Path) -> None:
        found = self.store.first_disagreement(self.check) if self.check else None
        if found is not None:
            raise InputError(path, found[1], line=self.check[found[0]].line)
        self.check = []

    def close(self) -> None:
        current, self.current = self.current, None
        if current is None:
            return
        self._check(current.path)
        doc_id = current.document.doc_id
        if current.decision is None:
            self.kept.append(doc_id)
            return
        skip, again = current.decision
        if current.stored is not None and again and current.stored.segments > current.segments:
            raise InputError(
                current.path,
                f"document {doc_id!r} has {current.segments} segments, the stored one "
                f"{current.stored.segments}: the input changed since it was stored",
            )
        self.planned.append(
            PlannedDocument(
                current.path, current.document, current.segments, current.words, skip, again
            )
        )


class StoreSink:
    """Receives analyses in input order and writes them window by window."""

    def __init__(
        self,
        store: ReviewStore,
        plan: StorePlan,
        info: dict[str, object],
        *,
        window: int = WINDOW,
        by: str | None = None,
    ) -> None:
        self.store = store
        # who imports: the actor of every write, checked by each (None: the library's)
        self.who: dict[str, str] = {} if by is None else {"by": by}
        self.plan = plan
        self.info = info
        self.window = max(1, window)
        self.planned = {item.document.doc_id: item for item in plan.documents}
        self.incoming = {doc_id: item.document for doc_id, item in self.planned.items()}
        self.written = {doc_id: item.skip for doc_id, item in self.planned.items()}
        self.finished: set[str] = set()
        self.buffer: list[SegmentAnalysis] = []

    def keep(self, segment: Segment) -> bool:
        """Whether the run analyses this segment of its inputs."""
        item = self.planned.get(segment.doc)
        return item is not None and segment.index >= item.skip

    def segments(
        self, settings: Settings, *, fmt: str | None, source_file: str | Path | None
    ) -> Iterator[Segment]:
        """The segments still to analyse, input after input."""
        stream = input_segments(self.plan.paths, settings, fmt=fmt, source_file=source_file)
        return filter(self.keep, stream)

    def begin(self, summary: SummaryBuilder, analyzer: Analyzer | None = None) -> None:
        """Documents analysed again are incomplete from now on, until finished; what an
        interrupted run stored goes into the summary, so it covers the whole input, and
        into the analyzer's cache where it lacks it (a `--no-cache` run's private cache):
        later copies of those segments are hits, as in the interrupted run, so the models
        get the same batches."""
        cached = analyzer if isinstance(analyzer, CachedAnalyzer) else None
        for item in self.plan.documents:
            if item.again:
                self.store.mark_scoring(item.document.doc_id, run=item.document.run, **self.who)
            if item.skip:
                reviews = self.store.iter_segments(item.document.doc_id)
                stored = (review.analysis for review in itertools.islice(reviews, item.skip))
                for batch in chunked(stored, 500):
                    for analysis in batch:
                        summary.add(analysis)
                    if cached is not None:
                        cached.remember(batch)
        summary.resumed = self.plan.resumed
        self.flush()  # a document whose every segment was stored before the kill

    def add(self, analysis: SegmentAnalysis) -> None:
        self.buffer.append(analysis)
        if len(self.buffer) >= self.window:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.store.write_scored(self.buffer, self.incoming, **self.who)
            for analysis in self.buffer:
                self.written[analysis.segment.doc] += 1
            self.buffer = []
        for doc_id, item in self.planned.items():
            if doc_id not in self.finished and self.written[doc_id] >= item.segments:
                self._finish(item)

    def _finish(self, item: PlannedDocument) -> None:
        doc_id = item.document.doc_id
        texts: Iterable[str] = self.store.segment_texts(doc_id)
        self.store.finish_scored(
            doc_id,
            segments_=item.segments,
            words=item.words,
            original=original_text(item.path, item.document.format, texts),
            info=self.info,
            **self.who,
        )
        self.finished.add(doc_id)


def score_to_store(
    segments: Iterable[Segment],
    analyzer: Analyzer,
    sink: StoreSink,
    *,
    engine: Engine | None = None,
    also: Callable[[SegmentAnalysis], None] | None = None,
) -> RunSummary:
    """Analyse the planned segments into the store (and hand each analysis to `also`)."""
    summary = SummaryBuilder(analyzer.settings, analyzer.models.describe())
    sink.begin(summary, analyzer)

    def emit(analysis: SegmentAnalysis) -> None:
        sink.add(analysis)
        if also is not None:
            also(analysis)

    result = score_segments(
        segments, analyzer, engine=engine, on_result=emit, chunk_size=CHUNK_SIZE, summary=summary
    )
    sink.flush()
    return result
