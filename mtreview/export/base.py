"""What every exporter shares: the source protocol, the resolved context, text checks.

A format is a subclass of `Exporter`, registered in `EXPORTERS` by being written (a class
with its own `name`; `mtreview.export` imports every module of the package); it writes
bytes to already-open temporary files and never opens, names or renames files itself.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, ClassVar, Protocol

from mtreview.encoding import check_text
from mtreview.errors import ExportError
from mtreview.export.model import (
    UNKNOWN_LANG,
    ExportAnnotation,
    ExportDocument,
    ExportOptions,
    ExportRow,
    Written,
)

# XML 1.0 `Char`: anything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot be
# written, not even as a character reference.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines'


class ExportSource(Protocol):
    """Where rows come from: the review store, or a list (tests, benchmarks)."""

    def documents(self, docs: Sequence[str] = ()) -> list[ExportDocument]: ...

    def rows(self, docs: Sequence[str] = ()) -> Iterator[ExportRow]: ...


def check_xml(text: str, where: str) -> str:
    """Text for XML: `&` and `<` are escaped by the writer; what XML cannot carry is refused."""
    check_text(text, where)
    match = _NOT_XML.search(text)
    if match is not None:
        raise ExportError(
            f"{where}: character U+{ord(match.group()):04X} at position {match.start()} "
            "cannot be written to XML; remove it from the text or export as jsonl/reviews"
        )
    return text


def where(row: ExportRow, field: str) -> str:
    return f"document {row.doc!r} segment {row.number} ({field})"


def one_line(text: str) -> str:
    """For one-segment-a-line formats: line breaks inside a segment become spaces."""
    return LINE_BREAKS.sub(" ", text)


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def tmx_time(moment: datetime) -> str:
    return utc(moment).strftime("%Y%m%dT%H%M%SZ")


def iso_time(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`: valid `xsd:dateTime`, sorts as text."""
    if moment is None:
        return None
    return utc(moment).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ExportContext:
    """Options resolved against the documents: which pair, which languages."""

    options: ExportOptions
    pair: str
    documents: tuple[ExportDocument, ...]

    @property
    def lang(self) -> str:
        return self.documents[0].lang if self.documents else "fr"

    def source_lang(self, row: ExportRow | None = None) -> str:
        """The language tag of the left side: the source's, or `<lang>-x-mt` for `--pair mt`."""
        lang = row.lang if row is not None else self.lang
        if self.pair == "mt":
            return f"{lang}-x-mt"
        known = row.source_lang if row is not None else None
        if known is None and self.documents:
            known = self.documents[0].source_lang
        return known or UNKNOWN_LANG

    def left(self, row: ExportRow) -> str:
        """The left side of the pair: the source, or the original machine translation."""
        if self.pair == "mt":
            return row.mt
        if row.source is None:
            raise ExportError(
                f"document {row.doc!r} segment {row.number} has no source text; "
                "export it with --pair mt (original MT, corrected translation)"
            )
        return row.source

    def rows(self, source: ExportSource) -> Iterator[ExportRow]:
        keep = self.options.keeps
        return (row for row in source.rows(self.options.docs) if keep(row))


EXPORTERS: dict[str, type[Exporter]] = {}  # filled as the format modules are imported


class Exporter:
    """One output format. Subclasses set the class attributes and implement `write`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            EXPORTERS[cls.name] = cls

    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str] = "text/plain"
    description: ClassVar[str] = ""
    corpus: ClassVar[bool] = True  # pairs to train on: segments corrected to nothing go

    def paths(self, target: Path, context: ExportContext) -> tuple[Path, ...]:
        """The files this format writes for `-o target` (Moses writes two)."""
        return (target,)

    def export(
        self, source: ExportSource, context: ExportContext, outputs: list[BinaryIO]
    ) -> Written:
        """Write everything; says how many segments and annotations went in."""
        drop = self.corpus and not context.options.keep_deleted
        counted = RowCounter(context.rows(source), drop_deleted=drop)
        self.write(context, counted, outputs)
        return Written(counted.segments, counted.annotations, counted.deleted)

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        raise NotImplementedError


class RowCounter:
    """Counts rows and annotations as a writer consumes them (no second pass), and the
    segments corrected to nothing, which it leaves out with `drop_deleted`."""

    def __init__(self, rows: Iterator[ExportRow], *, drop_deleted: bool = False) -> None:
        self._rows = rows
        self._drop = drop_deleted
        self.segments = 0
        self.annotations = 0
        self.deleted = 0

    def __iter__(self) -> RowCounter:
        return self

    def __next__(self) -> ExportRow:
        while True:
            row = next(self._rows)
            if row.deleted:
                self.deleted += 1
                if self._drop:
                    continue
            self.segments += 1
            self.annotations += len(row.annotations)
            return row


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_time(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def annotation_record(row: ExportRow, annotation: ExportAnnotation) -> dict[str, Any]:
    """An annotation as JSON: offsets into the MT, the marked text, who and when."""
    return {
        "start": annotation.start,
        "end": annotation.end,
        "text": row.span_text(annotation),
        "category": annotation.category,
        "severity": annotation.severity,
        "comment": annotation.comment,
        "reviewer": annotation.reviewer,
        "time": iso_time(annotation.created),
    }


def annotation_note(row: ExportRow, annotation: ExportAnnotation) -> str:
    """An annotation for people reading a CAT tool's notes pane."""
    note = (
        f"[{annotation.start}:{annotation.end}] {annotation.category} ({annotation.severity}) "
        f"«{row.span_text(annotation)}»"
    )
    if annotation.comment:
        note += f" — {annotation.comment}"
    if annotation.reviewer:
        note += f" ({annotation.reviewer})"
    return note


def review_note(row: ExportRow) -> str:
    note = row.state
    if row.reviewer:
        note += f" by {row.reviewer}"
    if row.changed is not None:
        note += f" on {iso_time(row.changed)}"
    return note


@contextlib.contextmanager
def text_output(handle: BinaryIO) -> Iterator[IO[str]]:
    """UTF-8 text with `\\n` line ends over a binary output, left open for the caller."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n", write_through=False)
    try:
        yield text
    except UnicodeEncodeError as exc:  # a field no check covered (e.g. a comment)
        raise ExportError(
            f"lone surrogate U+{ord(exc.object[exc.start]):04X} cannot be written as UTF-8; "
            "fix the text in the store"
        ) from None
    finally:
        text.flush()
        text.detach()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection


def sheet_cell(text: str, options: ExportOptions) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading `'`
    (OWASP's rule), unless `options.allow_formulas`."""
    if not options.allow_formulas and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def tsv_cell(text: str) -> str:
    """One cell on one line: backslash, tab and line breaks escaped (`\\\\ \\t \\n \\r`)."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
