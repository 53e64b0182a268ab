"""Row-per-segment formats (TSV/CSV, JSONL, Moses): each row is one segment and paragraph.

Their `original` is the translations joined by newlines, so offsets work as for articles.
A `doc` column (or key) splits one file into documents: each document's rows must be
together, its segments count from 0 and its offsets index its own rows joined.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

from mtreview.documents import MAX_DOC_ID_CHARS, Segment
from mtreview.errors import InputError
from mtreview.readers.base import (
    ReadOptions,
    check_cell,
    check_readable,
    iter_json_objects,
    iter_lines,
    max_line_bytes,
)

COLUMNS = ("translation", "source", "reference")
OPTIONAL_KEYS = ("id", "doc")
POSITIONAL = {1: ("translation",), 2: ("source", "translation"), 3: COLUMNS}
ROW_SEPARATOR = "\n"


class RowDocument:
    """Turns (line, translation, source, reference) rows into segments with offsets."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.doc = options.doc_id
        self.done: set[str] = set()  # documents whose rows are over
        self.cursor = 0
        self.index = 0

    def _switch(self, line: int, doc: str) -> None:
        """A `doc` cell: the rows from here on belong to that document."""
        if not doc.strip():
            raise InputError(self.path, "empty 'doc' cell, expected a document id", line=line)
        if len(doc) > MAX_DOC_ID_CHARS:
            raise InputError(
                self.path, f"'doc' cell longer than {MAX_DOC_ID_CHARS} characters", line=line
            )
        if doc == self.doc:
            return
        if doc in self.done:
            raise InputError(
                self.path,
                f"rows of document {doc!r} come again after other documents; keep each "
                "document's rows together",
                line=line,
            )
        if self.index:
            self.done.add(self.doc)
        self.doc, self.cursor, self.index = doc, 0, 0

    def segment(
        self,
        line: int,
        translation: str,
        source: str | None,
        reference: str | None,
        *,
        formats: tuple[str, ...] = (),
        doc: str | None = None,
    ) -> Segment:
        if doc is not None:
            self._switch(line, doc)
        limit = self.options.max_segment_chars
        for name, cell in (("segment", translation), ("source", source), ("reference", reference)):
            if cell is not None and len(cell) > limit:
                raise InputError(
                    self.path,
                    f"{name} of {len(cell):,} characters is longer than the limit of "
                    f"{limit:,} (setting max_segment_chars); split it into sentences",
                    line=line,
                )
        start = self.cursor
        segment = Segment(
            doc=self.doc,
            index=self.index,
            paragraph=self.index,
            start=start,
            end=start + len(translation),
            text=translation,
            source=source,
            reference=reference,
            line=line,
            formats=formats,
            table_row=True,
        )
        self.cursor = segment.end + len(ROW_SEPARATOR)
        self.index += 1
        return segment


QUOTINGS = ("auto", "csv", "none")
SNIFF_LINES = 200  # lines looked at to decide whether a TSV quotes its cells


class TableReader:
    """TSV and CSV. Quoting (`ReadOptions.quoting`): `csv` reads `"a ""b"" c"` cells as
    `a "b" c` (a quoted cell may hold the delimiter and line breaks); `none` splits each
    line on the delimiter and keeps quotes as text; `auto` quotes CSV, and quotes a TSV
    when one of its first lines has a cell wrapped in double quotes."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter

    def _rows(self, path: Path, quoting: str, max_bytes: int) -> Iterator[tuple[int, list[str]]]:
        lines: Iterator[tuple[int, str]] = iter_lines(path, max_bytes)
        if quoting == "auto":
            head = list(itertools.islice(lines, SNIFF_LINES))
            quoting = "csv" if self.delimiter == "," or self._quoted(head) else "none"
            lines = itertools.chain(head, lines)
        if quoting == "none":
            for number, line in lines:
                if line.strip():
                    yield number, line.split(self.delimiter)
            return
        # csv may join quoted newlines into one row: feed it line by line, it counts lines.
        reader = csv.reader((line + "\n" for _, line in lines), delimiter=self.delimiter)
        try:
            first_line = 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield first_line, row
                first_line = reader.line_num + 1
        except csv.Error as exc:
            raise InputError(path, f"bad quoting ({exc})", line=reader.line_num) from None

    def _quoted(self, lines: list[tuple[int, str]]) -> bool:
        return any(
            len(cell) >= 2 and cell.startswith('"') and cell.endswith('"')
            for _, line in lines
            for cell in line.split(self.delimiter)
        )

    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        builder = RowDocument(path, options)
        columns: tuple[str, ...] | None = None
        if options.quoting not in QUOTINGS:
            raise InputError(path, f"quoting must be one of {', '.join(QUOTINGS)}")
        limit = max_line_bytes(options.max_segment_chars)
        for number, row in self._rows(path, options.quoting, limit):
            cells = [cell.strip("\r") for cell in row]
            if columns is None:
                columns = _header(path, number, cells)
                if columns is not None:
                    continue
                columns = POSITIONAL.get(len(cells))
                if columns is None:
                    raise InputError(
                        path,
                        f"{len(cells)} columns without a header; expected 1 (translation), "
                        "2 (source, translation) or 3 (source, translation, reference), "
                        f"or a header naming {', '.join(COLUMNS)}",
                        line=number,
                    )
            if len(cells) != len(columns):
                raise InputError(
                    path, f"expected {len(columns)} columns, found {len(cells)}", line=number
                )
            values = dict(zip(columns, cells, strict=True))
            yield builder.segment(
                number,
                values["translation"],
                values.get("source"),
                values.get("reference"),
                doc=values.get("doc"),
            )


def _header(path: Path, line: int, cells: list[str]) -> tuple[str, ...] | None:
    names = [cell.strip().lower() for cell in cells]
    known = set(COLUMNS) | set(OPTIONAL_KEYS)
    if not any(name in known for name in names):
        return None
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InputError(
            path,
            f"unknown column {unknown[0]!r}; expected {', '.join(COLUMNS + OPTIONAL_KEYS)}",
            line=line,
        )
    if "translation" not in names:
        raise InputError(path, "header has no 'translation' column", line=line)
    if len(set(names)) != len(names):
        raise InputError(path, "a column is named twice in the header", line=line)
    return tuple(names)


class JsonlReader:
    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        builder = RowDocument(path, options)
        known = set(COLUMNS) | set(OPTIONAL_KEYS)
        for number, record in iter_json_objects(path, max_line_bytes(options.max_segment_chars)):
            translation = record.get("translation")
            source = record.get("source")
            if isinstance(translation, dict):  # Hugging Face {"translation": {"fr": …, "ru": …}}
                pair = translation
                translation = pair.get(options.lang)
                if translation is None:
                    raise InputError(
                        path, f"'translation' object has no {options.lang!r} key", line=number
                    )
                others = [key for key in pair if key != options.lang]
                if source is None and len(others) == 1:
                    source = pair[others[0]]
            unknown = sorted(set(record) - known)
            if unknown:
                raise InputError(
                    path,
                    f"unknown key {unknown[0]!r}; expected {', '.join(COLUMNS + OPTIONAL_KEYS)}",
                    line=number,
                )
            if translation is None:
                raise InputError(path, "missing 'translation'", line=number)
            yield builder.segment(
                number,
                check_cell(path, number, "translation", translation) or "",
                check_cell(path, number, "source", source),
                check_cell(path, number, "reference", record.get("reference")),
                doc=check_cell(path, number, "doc", record.get("doc")),
            )


class MosesReader:
    """Two aligned files, one segment a line: translation (INPUT) and --source-file."""

    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        builder = RowDocument(path, options)
        limit = max_line_bytes(options.max_segment_chars)
        if options.source_file is None:
            yield from (builder.segment(n, t, None, None) for n, t in iter_lines(path, limit))
            return
        source_path = Path(options.source_file)
        check_readable(source_path)
        targets = iter_lines(path, limit)
        sources = iter_lines(source_path, limit)
        for (number, target), pair in _zip_longest(targets, sources):
            if pair is None:
                raise InputError(source_path, f"ends before {path} (line {number})", line=number)
            yield builder.segment(number, target, pair[1], None)
        extra = next(sources, None)
        if extra is not None:
            raise InputError(path, f"ends before {source_path} (line {extra[0]})", line=extra[0])


def _zip_longest(
    first: Iterator[tuple[int, str]], second: Iterator[tuple[int, str]]
) -> Iterator[tuple[tuple[int, str], tuple[int, str] | None]]:
    for item in first:
        yield item, next(second, None)
