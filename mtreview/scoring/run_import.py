"""`mtreview import-analysis RUN.jsonl --db DB`: a finished run's records into the store,
checked, and nothing computed again.

The file is read twice. First every record is checked: its version, its fields, offsets
that hold its text, one document's records together and numbered 0, 1, 2… without a gap
or a repeat, and each segment as the store (or, given with `--input`, the input file)
has it. Only a file that passes is written, one window of records a transaction, through
the same store calls as `mtreview score --db`. A document's text is its input file's
(`--input`), or for records of one segment a row (what row formats give) the rows joined
by newlines; an article's records without its file are refused, since its text between
the sentences is not in them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mtreview.analysis import SegmentAnalysis
from mtreview.analysis.record import RECORD_NAMES, record_version
from mtreview.documents import Segment, segment_differences, segment_problem
from mtreview.errors import InputError, StoreError
from mtreview.pipeline import input_segments
from mtreview.readers import detect_format, original_text
from mtreview.readers.base import iter_json_objects
from mtreview.readers.rows import ROW_SEPARATOR
from mtreview.settings import Settings
from mtreview.store import IncomingDocument, ReviewStore
from mtreview.store.base import SYSTEM_ACTOR
from mtreview.store.validation import check_scored_record

WINDOW = 1000
ROWS = "rows"  # the format of a document rebuilt from its records


@dataclasses.dataclass(frozen=True)
class ImportSummary:
    documents: int  # new to the store
    replaced: int  # stored before, analyses replaced (--replace)
    kept: tuple[str, ...]  # stored before, left as they were
    segments: int  # records written


@dataclasses.dataclass
class _Document:
    """What the check learnt about one document of the run."""

    doc_id: str
    run: Path
    line: int  # of its first record
    input: Path | None
    format: str
    segments: int = 0
    words: int = 0
    end: int = -1  # where the previous record's text ended
    models: bool = False  # any model field filled
    action: str = "new"  # new | replace | keep


class InputTexts:
    """The `--input` files' segments, to compare records with: one reader per file, moved
    forward document by document (a run keeps its inputs' order)."""

    def __init__(self, paths: Sequence[Path], settings: Settings, **reading: Any) -> None:
        self.settings, self.reading = settings, reading
        self.where: dict[str, Path] = {}
        for path in paths:
            for segment in input_segments([path], settings, **reading):
                self.where.setdefault(segment.doc, path)
        self.readers: dict[Path, Iterator[Segment]] = {}
        self.ahead: dict[Path, Segment | None] = {}

    def format(self, path: Path) -> str:
        source = self.reading.get("source_file")
        return str(self.reading.get("fmt") or detect_format(path, source_file=source))

    def segments(self, doc_id: str) -> Iterator[Segment] | None:
        path = self.where.get(doc_id)
        if path is None:
            return None
        head = self.ahead.get(path)
        if head is None or head.doc != doc_id or head.index != 0:
            self.readers[path] = input_segments([path], self.settings, **self.reading)
            head = next((s for s in self.readers[path] if s.doc == doc_id), None)
        return self._rest(path, head)

    def _rest(self, path: Path, head: Segment | None) -> Iterator[Segment]:
        doc_id = head.doc if head else None
        segment = head
        while segment is not None and segment.doc == doc_id:
            yield segment
            segment = next(self.readers[path], None)
        self.ahead[path] = segment


class _LineError(Exception):
    """A problem found later than its record was read: it carries the record's line."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line, self.detail = line, detail


class _Checker:
    """Pass one: every record of every run file checked; the documents planned."""

    def __init__(self, store: ReviewStore, inputs: InputTexts | None, replace: bool) -> None:
        self.store, self.inputs, self.replace = store, inputs, replace
        self.documents: dict[str, _Document] = {}
        self.current: _Document | None = None
        self.line = 0
        self.expected: Iterator[Segment] | None = None
        self.pending: list[tuple[int, Segment]] = []  # (line, segment) to check with the store

    def check_file(self, path: Path) -> None:
        line = 0
        try:
            for line, record in iter_json_objects(path):
                self._record(path, line, record)
            self._close()
        except _LineError as exc:
            raise InputError(path, exc.detail, line=exc.line) from None
        except (ValueError, StoreError) as exc:
            raise InputError(path, str(exc), line=line or None) from None

    def _record(self, path: Path, line: int, record: dict[str, Any]) -> None:
        self.line = line
        record_version(record)
        problem = segment_problem(record, RECORD_NAMES)
        if problem:
            raise ValueError(f"{problem} (an analysis record of mtreview score)")
        try:
            analysis = SegmentAnalysis.from_record(record)
        except (KeyError, TypeError, AttributeError, OverflowError) as exc:
            raise ValueError(f"not an analysis record ({type(exc).__name__}: {exc})") from None
        check_scored_record(record)  # a RecordProblem is a ValueError: named with its line
        segment = analysis.segment
        doc = self.current
        if doc is None or doc.doc_id != segment.doc:
            self._close()
            doc = self._open(path, line, segment.doc)
        self._segment(doc, segment)
        doc.models = doc.models or any(
            record.get(key) is not None for key in ("back_translation", "logprob", "source_logprob")
        )

    def _open(self, path: Path, line: int, doc_id: str) -> _Document:
        if doc_id in self.documents:
            first = self.documents[doc_id]
            raise ValueError(
                f"records of document {doc_id!r} come again after other documents (first at "
                f"{first.run}:{first.line}); keep each document's records together"
            )
        expected = self.inputs.segments(doc_id) if self.inputs else None
        source = self.inputs.where.get(doc_id) if self.inputs else None
        kind = self.inputs.format(source) if self.inputs and source else ROWS
        doc = _Document(doc_id, path, line, source, kind)
        state = self.store.scored_state(doc_id)
        if state is not None:
            if not state.complete and not self.replace:
                raise ValueError(
                    f"document {doc_id!r} is being scored into {self.store.describe()} (not "
                    "complete); use --replace to take this run's analyses instead"
                )
            doc.action = "replace" if self.replace else "keep"
        self.documents[doc_id] = doc
        self.current, self.expected = doc, expected
        return doc

    def _segment(self, doc: _Document, segment: Segment) -> None:
        where = f"segment {segment.index} of {doc.doc_id!r}"
        if segment.index != doc.segments:
            if segment.index < doc.segments:
                raise ValueError(f"{where} again: a run has one record per segment")
            raise ValueError(f"{where} follows segment {doc.segments - 1}: a record is missing")
        if not 0 <= segment.start <= segment.end or segment.end - segment.start != len(
            segment.text
        ):
            raise ValueError(
                f"{where}: offsets [{segment.start}, {segment.end}) cannot hold its text of "
                f"{len(segment.text)} characters"
            )
        if self.expected is not None:
            self._against_input(doc, segment, where)
        elif segment.start != doc.end + 1 or segment.paragraph != segment.index:
            raise ValueError(
                f"{where} starts at {segment.start}, not {doc.end + 1}: document {doc.doc_id!r} "
                "is not one segment a row; give its text with --input FILE"
            )
        doc.end = segment.end
        doc.segments += 1
        doc.words += len(segment.text.split())
        if doc.action != "new":
            self.pending.append((self.line, segment))
            if len(self.pending) >= WINDOW:
                self._against_store()

    def _against_input(self, doc: _Document, segment: Segment, where: str) -> None:
        read = next(self.expected, None) if self.expected is not None else None
        if read is None:
            raise ValueError(f"{where} is not in {doc.input}: it has {segment.index} segments")
        fields = segment_differences(read, segment)
        if fields:
            raise ValueError(
                f"{where} differs from {doc.input} ({', '.join(fields)}): the run was made "
                "from another text"
            )

    def _against_store(self) -> None:
        pending, self.pending = self.pending, []
        found = self.store.first_disagreement([s for _, s in pending]) if pending else None
        if found is not None:
            raise _LineError(pending[found[0]][0], found[1])

    def _close(self) -> None:
        doc, self.current = self.current, None
        if doc is None:
            return
        self._against_store()
        if self.expected is not None and next(self.expected, None) is not None:
            raise ValueError(
                f"the run has {doc.segments} records of {doc.doc_id!r}, {doc.input} more"
            )
        state = self.store.scored_state(doc.doc_id) if doc.action != "new" else None
        if state is not None and state.segments != doc.segments:
            raise ValueError(
                f"the run has {doc.segments} records of {doc.doc_id!r}, the store "
                f"{state.segments} segments: it was made from another text"
            )


def import_analysis(
    store: ReviewStore,
    runs: Sequence[str | Path],
    settings: Settings,
    *,
    inputs: Sequence[str | Path] = (),
    replace: bool = False,
    fmt: str | None = None,
    source_file: str | Path | None = None,
    by: str = SYSTEM_ACTOR,
) -> ImportSummary:
    """Check every record of `runs`, then write them into the store, as `by` (on a team
    store a principal allowed "import": an admin; each write checks it)."""
    texts = (
        InputTexts([Path(p) for p in inputs], settings, fmt=fmt, source_file=source_file)
        if inputs
        else None
    )
    checker = _Checker(store, texts, replace)
    for run in runs:
        checker.check_file(Path(run))
    writer = _Writer(store, checker.documents, settings, by)
    for run in runs:
        writer.write_file(Path(run))
    documents = list(checker.documents.values())
    return ImportSummary(
        documents=sum(d.action == "new" for d in documents),
        replaced=sum(d.action == "replace" for d in documents),
        kept=tuple(d.doc_id for d in documents if d.action == "keep"),
        segments=writer.written,
    )


class _Writer:
    """Pass two: the checked records, document by document, window by window."""

    def __init__(
        self, store: ReviewStore, documents: dict[str, _Document], settings: Settings, by: str
    ) -> None:
        self.store, self.documents, self.settings = store, documents, settings
        self.by = by  # who imports: every write's actor
        self.written = 0
        self.current: _Document | None = None
        self.window: list[SegmentAnalysis] = []

    def write_file(self, path: Path) -> None:
        for _line, record in iter_json_objects(path):
            doc = self.documents[record["doc"]]
            if doc is not self.current:
                self._finish()
                self._start(doc)
            if doc.action == "keep":
                continue
            self.window.append(SegmentAnalysis.from_record(record))
            if len(self.window) >= WINDOW:
                self._flush()
        self._finish()

    def _incoming(self, doc: _Document) -> dict[str, IncomingDocument]:
        name = doc.input.name if doc.input else doc.doc_id
        settings = self.settings
        run = f"import-analysis {doc.run.name}"
        document = IncomingDocument(
            doc.doc_id, name, settings.lang, settings.source_lang, doc.format, run
        )
        return {doc.doc_id: document}

    def _start(self, doc: _Document) -> None:
        self.current = doc
        if doc.action == "replace":
            run = self._incoming(doc)[doc.doc_id].run
            self.store.mark_scoring(doc.doc_id, run=run, by=self.by)

    def _flush(self) -> None:
        if self.current is not None and self.window:
            self.store.write_scored(self.window, self._incoming(self.current), by=self.by)
            self.written += len(self.window)
            self.window = []

    def _finish(self) -> None:
        self._flush()
        doc, self.current = self.current, None
        if doc is None or doc.action == "keep":
            return
        texts = self.store.segment_texts(doc.doc_id)
        original = (
            original_text(doc.input, doc.format, texts) if doc.input else ROW_SEPARATOR.join(texts)
        )
        info: dict[str, object] = {
            "models": {},
            "model_free": not doc.models,
            "note": f"imported from {doc.run.name}",
        }
        self.store.finish_scored(
            doc.doc_id, segments_=doc.segments, words=doc.words, original=original, info=info,
            by=self.by,
        )  # fmt: skip
