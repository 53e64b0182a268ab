"""Resumable output for `mtreview score -o OUT`: a killed run continues where it stopped.

While a run writes, records go to `OUT.partial`, one line each, flushed as they come, and
`OUT.progress` says which run (inputs, settings, format) the partial belongs to. When the
run completes, the partial is renamed to OUT and the sidecar removed, so a file named OUT is
always complete. A run stopped by bad input (or before its first record) removes both if it
made them: it can never complete as given. If the run stops otherwise (Ctrl-C, kill, crash,
another error) both stay; `--resume` checks the sidecar, checks that each complete line of
the partial is the record of the input's segment at that position (`scoring.partial`),
skips that many segments of the input without analysing them, cuts a record half-written
when the process died, and appends the rest: no duplicates, no gaps. A refused resume
changes nothing: what it refuses is the user's to look at.
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
from mtreview.output_paths import STDOUT, destination
from mtreview.scoring.partial import (
    check_tsv,
    input_shorter,
    jsonl_records,
    matched_tsv,
    same_segment,
)
from mtreview.scoring.records import TextSink
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
    interrupted run (header lines included).

    `-` is standard output, and a device or FIFO is written in place (neither can be
    resumed); a symbolic link is followed, so the partial lies beside the file it links
    to and the link stays a link (`mtreview.output_paths`)."""

    def __init__(self, target: str | Path | None, *, key: str, resume: bool = False) -> None:
        self.given = None if target is None else str(target)
        self.target: Path | None = None  # the regular file written once complete
        self.key = key
        self.resume = resume
        self.resumed = False  # continuing a partial output of an interrupted run
        self.created = False  # this run made the partial and its sidecar
        self.done = 0  # complete lines of the partial output
        self.cut = 0  # their bytes: what is kept of the partial output
        self.written = 0  # records this run wrote
        self.note = ""
        self.handle: IO[str] = sys.stdout
        self._open = False
        self._pending = False  # resumed: the partial is opened for appending at first use

    def _sibling(self, target: Path, suffix: str) -> Path:
        return target.with_name(target.name + suffix)

    def __enter__(self) -> ResumableOutput:
        where = destination(self.given if self.given is not None else STDOUT)
        if where.real is None:
            if self.resume:
                raise SettingsError("--resume needs an output file (-o FILE)")
            return self
        if where.in_place:
            if self.resume:
                raise SettingsError(
                    f"{self.given}: --resume needs a regular output file; a device or FIFO "
                    "is written in place, nothing of it can be resumed"
                )
            self.handle = open(where.real, "w", encoding="utf-8", newline="\n")
            self._open = True
            return self
        self.target = where.real
        self.partial = self._sibling(self.target, ".partial")
        self.sidecar = self._sibling(self.target, ".progress")
        if self.resume and self.sidecar.exists():
            self._reopen()
        elif self.resume and os.path.lexists(self.partial):
            raise InputError(
                self.partial,
                f"no {self.sidecar.name} beside it says which run wrote it; run without "
                "--resume to start over",
            )
        else:
            if self.resume:
                self.note = f"nothing to resume for {self.target}: starting from the beginning"
            if self.partial.is_symlink() or self.partial.is_file():
                self.partial.unlink()  # replaced, not truncated: a hard link keeps its text
            elif os.path.lexists(self.partial):
                raise InputError(self.partial, "exists and is not a regular file; remove it")
            self.handle = open(self.partial, "x", encoding="utf-8", newline="\n")
            self.created = True
            self._write_sidecar()
        self._open = True
        return self

    def _write_sidecar(self) -> None:
        data = {"version": SIDECAR_VERSION, "run": self.key, "partial": self.partial.name}
        temp = self._sibling(self.sidecar, ".tmp")
        temp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(temp, self.sidecar)

    def _reopen(self) -> None:
        """Check the sidecar and measure the partial; nothing is changed until `append`."""
        try:
            data = json.loads(self.sidecar.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            raise InputError(self.sidecar, "not a progress file of mtreview score") from None
        if not isinstance(data, dict) or data.get("run") != self.key:
            raise SettingsError(
                f"{self.sidecar}: the interrupted run had other inputs, settings or format; "
                "run without --resume to start over"
            )
        if not self.partial.is_file():
            raise InputError(self.partial, "partial output is missing; run without --resume")
        self.cut = complete_prefix(self.partial)
        self.done = count_lines(self.partial, self.cut)
        self.resumed = self._pending = True

    def append(self) -> IO[str]:
        """The partial output, open for appending: a half-written last line (the record
        being written when the process died) is cut here, once what it holds was checked,
        not before: a refused resume leaves the partial as it found it."""
        if not self._pending:
            return self.handle
        self._pending = False
        if self.partial.stat().st_size > self.cut:
            with open(self.partial, "r+b") as raw:
                raw.truncate(self.cut)
        self.handle = open(self.partial, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
        return self.handle

    def flush(self) -> None:
        """After each record: a kill then loses at most the line being written."""
        self.written += 1
        self.handle.flush()

    def commit(self) -> None:
        if self.target is None:
            self.handle.flush()
            if self._open:  # a device or FIFO
                self.handle.close()
                self._open = False
            return
        self.append().close()
        self._open = False
        os.replace(self.partial, self.target)
        self.sidecar.unlink(missing_ok=True)

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        if not self._open:
            return
        if not self._pending:
            self.handle.close()
        self._open = False
        if kind is None or not self.created:
            return  # a resumed partial is never deleted: this run did not make it
        if issubclass(kind, InputError | SettingsError) or self.written == 0:
            # bad input: this run can never complete as given, so its records are of no
            # use to --resume (nor are none). Interrupted (Ctrl-C, kill) or stopped by
            # another error (a model, the cache, Ray) after writing, both stay for --resume.
            self.partial.unlink(missing_ok=True)
            self.sidecar.unlink(missing_ok=True)


def count_lines(path: Path, end: int) -> int:
    """Newlines in the first `end` bytes: the complete lines."""
    lines = 0
    with open(path, "rb") as raw:
        while end > 0:
            block = raw.read(min(1 << 20, end))
            if not block:
                break
            lines += block.count(b"\n")
            end -= len(block)
    return lines


class PartialAppender:
    """Where a resumed run's writer writes: the partial output, opened (and its half line
    cut) only at the first record, after every line it keeps was checked."""

    def __init__(self, output: ResumableOutput) -> None:
        self.output = output

    def write(self, text: str) -> int:
        return self.output.append().write(text)


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


def headerless_writer(handle: TextSink, make_writer: Any) -> Any:
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
    """Skip (read, not analyse) the segments the interrupted run wrote, each checked
    against the line it wrote (`scoring.partial`: JSONL before anything is analysed, TSV's
    layout then and its segments as they pass); replay the JSONL records into the summary
    so corpus scores cover the whole input.

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
    handle = PartialAppender(output) if output.resumed else output.handle
    if output.done == 0:
        return Continuation(RECORD_WRITERS[fmt](handle), summary, iterator, 0)
    start = output.done - header_lines
    writer = headerless_writer(handle, RECORD_WRITERS[fmt])
    summary.resumed = start
    if fmt != "jsonl":
        check_tsv(output.partial, output.cut)  # its layout, before anything is analysed
        checked = matched_tsv(iterator, output.partial, output.cut, start)
        return Continuation(writer, summary, checked, 0, start)
    cached = analyzer if isinstance(analyzer, CachedAnalyzer) else None
    aligned = start - start % max(1, window) if cached is not None else start
    highlighter = analyzer.highlighter if isinstance(analyzer.highlighter, Highlighter) else None
    held: list[Segment] = []  # the resume point's window: checked, then analysed again
    for line, analysis in jsonl_records(output.partial, output.cut):
        segment = next(iterator, None)
        if segment is None:
            raise input_shorter(output.partial, line, start, line - 1)
        same_segment(output.partial, line, analysis.segment, segment)
        if line > aligned:
            held.append(segment)
            continue
        summary.add(analysis)
        if highlighter is not None:
            highlighter.replay(segment)
    if cached is not None:  # only now that every line was checked
        written = (analysis for _, analysis in jsonl_records(output.partial, output.cut))
        for batch in chunked(itertools.islice(written, aligned), 500):
            cached.remember(batch)
    return Continuation(writer, summary, itertools.chain(held, iterator), aligned, start - aligned)


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
        where = output.partial if output.resumed else output.given or STDOUT
        raise InputError(
            where, f"the partial output has {records} records, the input {records - unwritten}"
        )
    output.commit()
    return summary
