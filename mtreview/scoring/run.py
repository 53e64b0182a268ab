"""One run for every face: read the inputs, plan windows (`engines.planning`), analyse, and
write the records (JSONL, TSV), the review store, or hand the analyses back.

`mtreview score`, `score --db`, `calibrate --input` and the app (a document analysed at
once, or in the background a chunk at a time) all go through `ScoringRun`: each reads
with the same options, sees the document pass under the same condition and has the
planning module form its model batches, so a document the app analyses gets the analyses
`mtreview score FILE --db DB` stores. The faces parse their options, call one method and
present what it returns.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mtreview.analysis import Analyzer, Models, SegmentAnalysis
from mtreview.documents import Document, Segment
from mtreview.engines import CHUNK_SIZE, Engine, LocalEngine
from mtreview.engines.planning import WINDOW_CHUNKS
from mtreview.errors import SettingsError
from mtreview.pipeline import (
    analyze_stream,
    file_sources,
    input_segments,
    make_analyzer,
    peek,
    primed,
)
from mtreview.scoring.records import RECORD_WRITERS
from mtreview.scoring.resume import ResumableOutput, run_key, score_to_output
from mtreview.scoring.summary import RunSummary
from mtreview.settings import Settings

if TYPE_CHECKING:
    from mtreview.scoring.to_store import StorePlan
    from mtreview.store import ReviewStore


class Progress(Protocol):
    """What a face shows while records come (a progress bar)."""

    def update(self, n: float | None = 1) -> object: ...

    def close(self) -> object: ...


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a finished run reports: its summary (None: nothing was left to analyse), the
    analyzer (its cache numbers and notes) and lines for the face to show."""

    summary: RunSummary | None
    analyzer: Analyzer | None
    notes: tuple[str, ...] = ()


def model_info(analyzer: Analyzer) -> dict[str, object]:
    """What the app's banner says about how a stored document was analysed."""
    models = analyzer.models
    free = models.back is None and models.source is None
    note = "scored by mtreview score" + (" without models" if free else "")
    return {"models": models.describe(), "model_free": free, "note": note}


@dataclasses.dataclass(frozen=True)
class ScoringRun:
    """Inputs (files, streamed; or one document at hand), settings and engine of a run."""

    settings: Settings
    paths: tuple[str, ...] = ()
    fmt: str | None = None  # reader, when not detected
    source_file: str | None = None  # Moses pairs: the source side
    document: Document | None = None  # a document at hand instead of files
    engine: Engine = dataclasses.field(default_factory=LocalEngine)
    cache: bool = True  # the lasting analysis cache; else a private one (same batches)

    @classmethod
    def of_files(
        cls,
        settings: Settings,
        paths: Sequence[str | Path],
        *,
        fmt: str | None = None,
        source_file: str | Path | None = None,
        engine: Engine | None = None,
        cache: bool = True,
    ) -> ScoringRun:
        source = None if source_file is None else str(source_file)
        return cls(
            settings, tuple(str(p) for p in paths), fmt, source, None,
            engine or LocalEngine(), cache,
        )  # fmt: skip

    @classmethod
    def of_document(cls, settings: Settings, document: Document) -> ScoringRun:
        return cls(settings, document=document)

    # --- the steps ----------------------------------------------------------------------
    def _reading(self) -> dict[str, str | None]:
        """The reading options every step passes to the readers."""
        return {"fmt": self.fmt, "source_file": self.source_file}

    def read(self) -> Iterator[Segment]:
        """The segments in input order (files streamed, every name checked first)."""
        if self.document is not None:
            return iter(self.document.segments)
        return input_segments(self.paths, self.settings, **self._reading())

    def analyzer(self, *, models: Models | None = None) -> Analyzer:
        """The run's analyzer (the models loaded from the settings unless given)."""
        return make_analyzer(self.settings, cache=self.cache, models=models)

    def prepared(
        self,
        analyzer: Analyzer,
        segments: Iterator[Segment] | None = None,
        *,
        paths: Sequence[str | Path] | None = None,
        keep: Callable[[Segment], bool] | None = None,
    ) -> Iterator[Segment]:
        """The segments to analyse, after the document pass when the settings ask for it
        (`paths`: the inputs still to analyse, when not all; `keep`: their segments)."""
        if self.document is not None:
            document = self.document
            sources: list[Callable[[], Iterable[Segment]]] = [lambda: document.segments]
        else:
            inputs = self.paths if paths is None else paths
            sources = list(file_sources(inputs, self.settings, **self._reading()))
        stream = self.read() if segments is None else segments
        return primed(stream, sources, analyzer, keep=keep)

    def analyses(self, analyzer: Analyzer) -> Iterator[SegmentAnalysis]:
        """Every analysis in input order, as the engine finishes its windows."""
        return analyze_stream(self.prepared(analyzer), analyzer, engine=self.engine)

    def pieces(
        self, analyzer: Analyzer, *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[list[SegmentAnalysis]]:
        """The analyses of `analyses`, same windows and batches, a chunk at a time as soon
        as its batches are computed, in this process (`chunk_size`: tests make it small)."""
        local = LocalEngine(window_chunks=getattr(self.engine, "window_chunks", WINDOW_CHUNKS))
        return local.pieces(self.prepared(analyzer), analyzer, chunk_size=chunk_size)

    # --- the writers ------------------------------------------------------------------
    def to_output(
        self,
        target: str | None,
        fmt: str,
        *,
        resume: bool = False,
        progress: Callable[[], Progress] | None = None,
    ) -> RunResult:
        """`mtreview score`: records into `target` (None: standard output), resumable."""
        _first, segments = peek(self.read())  # bad input fails before the models load
        analyzer = self.analyzer()
        gc.freeze()  # modules and models live as long as the run: no GC pass walks them again
        segments = self.prepared(analyzer, segments)
        bar = progress() if progress is not None else None
        key = run_key(self.paths, self.settings, fmt, self.fmt, self.source_file)
        stopped = contextlib.closing(analyzer)  # its workers, however the run ends
        with ResumableOutput(target, key=key, resume=resume) as output, stopped:
            summary = score_to_output(
                segments, analyzer, output, fmt, engine=self.engine,
                on_record=bar.update if bar is not None else None,
            )  # fmt: skip
        if bar is not None:
            bar.close()
        return RunResult(summary, analyzer, (output.note,))

    def to_store(
        self,
        *,
        resume: bool = False,
        reanalyse: bool = False,
        output: str | None = None,
        output_format: str = "jsonl",
        progress: Callable[[], Progress] | None = None,
        on_plan: Callable[[StorePlan, str], object] | None = None,
        by: str | None = None,
    ) -> RunResult:
        """`mtreview score --db`: analyses into the store of `settings.db` (and records
        into `output`, when given, alongside). `on_plan` hears what is left to do (the
        plan, the store's name) before any model loads. Each finished document is audited
        as `by`'s import (a library caller's when None)."""
        from mtreview.store import ReviewStore
        from mtreview.store.base import removed_on_failure

        db = self.settings.db
        if db is None:
            raise SettingsError("a store run needs a review store (setting db, --db)")
        if resume and output:
            raise SettingsError(
                "--resume with --db continues the store's documents: leave out -o (the store "
                "keeps every analysis), or resume the -o run without --db"
            )
        new = removed_on_failure(db, keep_if_interrupted=True)  # kept for --resume
        with new, ReviewStore(db, schema=self.settings.db_schema) as store:
            return self._into_store(
                store, resume, reanalyse, output, output_format, progress, on_plan, by
            )

    def _into_store(
        self,
        store: ReviewStore,
        resume: bool,
        reanalyse: bool,
        target: str | None,
        fmt: str,
        progress: Callable[[], Progress] | None,
        on_plan: Callable[[StorePlan, str], object] | None,
        by: str | None = None,
    ) -> RunResult:
        from mtreview.scoring.to_store import StoreSink, plan_store_run, score_to_store

        reading = self._reading()
        plan = plan_store_run(
            store, self.paths, self.settings, resume=resume, reanalyse=reanalyse, **reading
        )
        if on_plan is not None:
            on_plan(plan, store.describe())
        if not plan.documents:
            return RunResult(None, None)
        analyzer = self.analyzer()
        sink = StoreSink(store, plan, model_info(analyzer), by=by)
        gc.freeze()  # as in `to_output`
        segments = self.prepared(
            analyzer, sink.segments(self.settings, **reading), paths=plan.paths, keep=sink.keep
        )
        bar = progress() if progress is not None else None
        with contextlib.ExitStack() as stack:
            records: ResumableOutput | None = None
            writer: Any = None
            if target:
                key = run_key(self.paths, self.settings, fmt, self.fmt, self.source_file)
                records = stack.enter_context(ResumableOutput(target, key=key))
                writer = RECORD_WRITERS[fmt](records.handle)

            def also(analysis: SegmentAnalysis) -> None:
                if records is not None:
                    writer.write(analysis.to_record())
                    records.flush()
                if bar is not None:
                    bar.update()

            stack.enter_context(contextlib.closing(analyzer))
            summary = score_to_store(segments, analyzer, sink, engine=self.engine, also=also)
            if records is not None:
                records.commit()
        if bar is not None:
            bar.close()
        notes = [f"{len(sink.finished)} document(s) written to {store.describe()}"]
        if plan.resumed:
            notes.append(f"resumed: {plan.resumed} segments were already in the store")
        return RunResult(summary, analyzer, tuple(notes))

    def into_stored(
        self,
        store: ReviewStore,
        analyzer: Analyzer,
        *,
        info: dict[str, object],
        chunk_size: int = CHUNK_SIZE,
    ) -> Iterator[int]:
        """The app's background analysis of its document, already stored: its analyses
        replaced a chunk at a time as the batches are computed (`pieces`), `info` with
        the last; yields how many segments are in so far (the caller may stop between)."""
        if self.document is None:
            raise SettingsError("into_stored analyses a stored document: use of_document")
        doc_id, total, done = self.document.doc_id, len(self.document.segments), 0
        for analyses in self.pieces(analyzer, chunk_size=chunk_size):
            done += len(analyses)
            store.replace_analyses(doc_id, analyses, info=info if done >= total else None)
            yield done
