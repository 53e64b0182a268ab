"""Resumable output for `mtreview score -o OUT`: a killed run continues where it stopped.

While a run writes, records go to `OUT.partial`, one line each, flushed as they come, and
`OUT.progress` says which run (inputs, settings, format) the partial belongs to. When the
run completes, the partial is renamed to OUT and the sidecar removed, so a file named OUT is
always complete. A run stopped by bad input removes both: it can never complete as given.
If the run stops otherwise (Ctrl-C, kill, crash, another error) both stay; `--resume` checks the
sidecar, cuts the partial after its last complete line (a record half-written when the
process died), skips that many segments of the input without analysing them and appends
the rest: no duplicates, no gaps.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from mtreview.analysis import Analyzer, SegmentAnalysis
from mtreview.analysis.cache import CachedAnalyzer
from mtreview.analysis.highlight import Highlighter
from mtreview.documents import Segment
from mtreview.engines import CHUNK_SIZE, Engine
from mtreview.engines.planning import WINDOW_CHUNKS, chunked
from mtreview.errors import InputError, SettingsError
from mtreview.scoring.summary import RunSummary, SummaryBuilder, score_segments
from mtreview.settings import Settings

SIDECAR_VERSION = 1
# settings that change speed, not results: a run may resume with other values
NOT_DECISIVE = frozenset({"threads", "batch_size", "cache_dir", "db", "reviewer"})


def run_key(inputs: Sequence[str | Path], settings: Settings, *options: object) -> str:
    """Identifies a run: the inputs as they are on disk, the settings, the output format
    and reading options (file names among them are stamped like inputs)."""

    def stamp(path: object) -> list[object]:
        try:
            info = Path(str(path)).stat()
        except OSError:
            return [str(path)]
        return [str(Path(str(path)).resolve()), info.st_size, info.st_mtime_ns]

    decisive = {k: v for k, v in dataclasses.asdict(settings).items() if k not in NOT_DECISIVE}
    described = {
        "inputs": [stamp(path) for path in inputs],
        "settings": decisive,
        "options": [stamp(v) if isinstance(v, str) and Path(v).is_file() else v for v in options],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


class ResumableOutput:
    """A text output that survives interruption; its first `done` lines are kept from the
    interrupted run (header lines included)."""

    def __init__(self, target: str | Path | None, *, key: str, resume: bool = False) -> None:
        self.target = Path(target) if target not in (None, "-") else None
        self.key = key
        self.resume = resume
        self.done = 0
        self.note = ""
        self.handle: IO[str] = sys.stdout
        self._open = False

    def _sibling(self, target: Path, suffix: str) -> Path:
        return target.with_name(target.name + suffix)

    def __enter__(self) -> ResumableOutput:
        if self.target is None:
            if self.resume:
                raise SettingsError("--resume needs an output file (-o FILE)")
            return self
        if self.target.is_dir():
            raise InputError(self.target, "is a directory, expected an output file name")
        if not self.target.parent.is_dir():
            raise InputError(self.target, f"output folder {self.target.parent} does not exist")
        self.partial = self._sibling(self.target, ".partial")
        self.sidecar = self._sibling(self.target, ".progress")
        if self.resume and self.sidecar.is_file():
            self._reopen()
        else:
            if self.resume:
                self.note = f"nothing to resume for {self.target}: starting from the beginning"
            self.handle = open(self.partial, "w", encoding="utf-8", newline="\n")
            self._write_sidecar()
        self._open = True
        return self

    def _write_sidecar(self) -> None:
        data = {"version": SIDECAR_VERSION, "run": self.key, "partial": self.partial.name}
        temp = self._sibling(self.sidecar, ".tmp")
        temp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(temp, self.sidecar)

    def _reopen(self) -> None:
        try:
            data = json.loads(self.sidecar.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise InputError(self.sidecar, "not a progress file of mtreview score") from None
        if not isinstance(data, dict) or data.get("run") != self.key:
            raise SettingsError(
                f"{self.sidecar}: the interrupted run had other inputs, settings or format; "
                "run without --resume to start over"
            )
        if not self.partial.is_file():
            raise InputError(self.partial, "partial output is missing; run without --resume")
        with open(self.partial, "r+b") as raw:
            raw.truncate(complete_prefix(self.partial))
        with open(self.partial, encoding="utf-8", newline="\n") as handle:
            self.done = sum(1 for _ in handle)
        self.handle = open(self.partial, "a", encoding="utf-8", newline="\n")  # noqa: SIM115

    def flush(self) -> None:
        """After each record: a kill then loses at most the line being written."""
        self.handle.flush()

    def commit(self) -> None:
        if self.target is None:
            self.handle.flush()
            return
        self.handle.close()
        self._open = False
        os.replace(self.partial, self.target)
        self.sidecar.unlink(missing_ok=True)

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        if not self._open:
            return
        self.handle.close()
        self._open = False
        if kind is not None and issubclass(kind, InputError):
            # bad input: this run can never complete as given, so its records are of no
            # use to --resume. Interrupted (Ctrl-C, kill) or stopped by another error (a
            # model, the cache, Ray), partial and sidecar stay for --resume.
            self.partial.unlink(missing_ok=True)
            self.sidecar.unlink(missing_ok=True)


def complete_prefix(path: Path) -> int:
    """Bytes up to and including the last newline: whole records only."""
    size = path.stat().st_size
    with open(path, "rb") as raw:
        position = size
        while position > 0:
            step = min(1 << 16, position)
            raw.seek(position - step)
            block = raw.read(step)
            index = block.rfind(b"\n")
            if index >= 0:
                return position - step + index + 1
            position -= step
    return 0


def replay_jsonl(path: Path, count: int) -> Iterator[SegmentAnalysis]:
    """The first `count` records of a JSONL output, to rebuild the run summary."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if number > count:
                break
            try:
                yield SegmentAnalysis.from_record(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(path, f"not an analysis record ({exc})", line=number) from None


def headerless_writer(handle: IO[str], make_writer: Any) -> Any:
    """A record writer for `handle` that does not write its header (already in the file)."""
    import io

    writer = make_writer(io.StringIO())
    writer.handle = handle
    return writer


@dataclasses.dataclass
class Continuation:
    """Where a (possibly resumed) run starts: its writer, summary, remaining segments."""

    writer: Any
    summary: SummaryBuilder
    segments: Iterator[Segment]
    start: int  # index of the first segment the engine gets: a window's start
    drop: int = 0  # results before the resume point, computed again but not written


def continue_run(
    output: ResumableOutput,
    fmt: str,
    analyzer: Analyzer,
    segments: Iterable[Segment],
    *,
    window: int = CHUNK_SIZE * WINDOW_CHUNKS,
) -> Continuation:
    """Skip (read, not analyse) the segments the interrupted run wrote; replay their JSONL
    records into the summary so corpus scores cover the whole input.

    So that the rest comes out byte for byte as in an uninterrupted run, the document
    checks are walked over the skipped segments (their running state), and with models
    the engine starts again at the start of the window holding the resume point. That
    window must meet the cache as the interrupted run's window met it, so that its misses,
    hence its batches, are the same: the records of the windows before it go back into the
    cache where it lacks them (later copies of those segments are hits, as they were), and
    the window's own records do not (with `--no-cache` they are computed again; a lasting
    cache has them from the interrupted run, which stored the window whole).

    A TSV output keeps four decimals and no flags' detail, nothing to replay: its segments
    are analysed again from the start (what a lasting cache holds is not computed again)
    and only the missing records written, so the summary still covers the whole input."""
    from mtreview.scoring.records import RECORD_WRITERS

    header_lines = 1 if fmt == "tsv" else 0
    summary = SummaryBuilder(analyzer.settings, analyzer.models.describe())
    iterator = iter(segments)
    if output.done == 0:
        return Continuation(RECORD_WRITERS[fmt](output.handle), summary, iterator, 0)
    start = output.done - header_lines
    writer = headerless_writer(output.handle, RECORD_WRITERS[fmt])
    summary.resumed = start
    if fmt != "jsonl" or output.target is None:
        return Continuation(writer, summary, iterator, 0, start)
    cached = analyzer if isinstance(analyzer, CachedAnalyzer) else None
    aligned = start - start % max(1, window) if cached is not None else start
    written = replay_jsonl(output.target.with_name(output.target.name + ".partial"), aligned)
    for batch in chunked(written, 500):
        for analysis in batch:
            summary.add(analysis)
        if cached is not None:
            cached.remember(batch)
    highlighter = analyzer.highlighter if isinstance(analyzer.highlighter, Highlighter) else None
    skipped = 0
    for segment in itertools.islice(iterator, aligned):
        skipped += 1
        if highlighter is not None:
            highlighter.replay(segment)
    if skipped < aligned:
        raise InputError(
            output.target, f"the partial output has {start} records, the input {skipped}"
        )
    return Continuation(writer, summary, iterator, aligned, start - aligned)


def score_to_output(
    segments: Iterable[Segment],
    analyzer: Analyzer,
    output: ResumableOutput,
    fmt: str,
    *,
    engine: Engine | None = None,
    on_record: Callable[[], object] | None = None,
) -> RunSummary:
    """Score into a (possibly resumed) output and complete it: the body of `mtreview score`."""
    window = CHUNK_SIZE * getattr(engine, "window_chunks", WINDOW_CHUNKS)
    run = continue_run(output, fmt, analyzer, segments, window=window)
    unwritten = run.drop  # the interrupted run wrote these: analysed again, not written

    def emit(analysis: SegmentAnalysis) -> None:
        nonlocal unwritten
        if unwritten:
            unwritten -= 1
            return
        run.writer.write(analysis.to_record())
        output.flush()
        if on_record is not None:
            on_record()

    summary = score_segments(
        run.segments, analyzer, engine=engine, on_result=emit, start=run.start,
        summary=run.summary,
    )  # fmt: skip
    if unwritten:
        records = run.start + run.drop  # what the partial output holds
        raise InputError(
            output.target or "-",
            f"the partial output has {records} records, the input {records - unwritten}",
        )
    output.commit()
    return summary
