"""Row-per-segment formats (TSV/CSV, JSONL, Moses): each row is one segment and paragraph.

Their `original` is the translations joined by newlines, so offsets work as for articles.
A `doc` column (or key) splits one file into documents: each document's rows must be
together, its segments count from 0 and its offsets index its own rows joined.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from mtreview.documents import (
    MAX_DOC_ID_CHARS,
    Segment,
    base_doc_id,
    system_doc_id,
    system_problem,
)
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
OPTIONAL_KEYS = ("id", "doc", "system")
SYSTEM_COLUMN = "translation:"  # `translation:B`: system B's translation of the row
SOME_ROWS_ONLY = "a 'system' key on some rows only; name every row's system or none"
POSITIONAL = {1: ("translation",), 2: ("source", "translation"), 3: COLUMNS}
ROW_SEPARATOR = "\n"


class RowDocument:
    """Turns (line, translation, source, reference) rows into segments with offsets."""

    def __init__(self, path: Path, options: ReadOptions, system: str | None = None) -> None:
        self.path = path
        self.options = options
        self.system = system
        self.doc = system_doc_id(options.doc_id, system)
        self.done: set[str] = set()  # documents whose rows are over
        self.cursor = 0
        self.index = 0

    def _switch(self, line: int, doc: str) -> None:
        """A `doc` cell: the rows from here on belong to that document."""
        if not doc.strip():
            raise InputError(self.path, "empty 'doc' cell, expected a document id", line=line)
        doc = system_doc_id(doc, self.system)
        if len(doc) > MAX_DOC_ID_CHARS:
            raise InputError(
                self.path,
                f"'doc' cell longer than {MAX_DOC_ID_CHARS} characters"
                + (f" with its system ({doc!r})" if self.system else ""),
                line=line,
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
            system=self.system,
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
        if options.quoting not in QUOTINGS:
            raise InputError(path, f"quoting must be one of {', '.join(QUOTINGS)}")
        limit = max_line_bytes(options.max_segment_chars)
        first = next(self._rows(path, options.quoting, limit), None)
        header = _header(path, first[0], first[1]) if first is not None else None
        if header is None or not _systems_layout(header):
            yield from self._pass(path, options, None)
            return
        wide = [n.removeprefix(SYSTEM_COLUMN) for n in header if n.startswith(SYSTEM_COLUMN)]
        systems = wide or _systems_in(path, self._cells(path, options, "system"))
        yield from aligned_systems(path, systems, lambda system: self._pass(path, options, system))

    def _cells(self, path: Path, options: ReadOptions, name: str) -> Iterator[tuple[int, str]]:
        """(line, cell) of one named column, every data row."""
        limit = max_line_bytes(options.max_segment_chars)
        rows = self._rows(path, options.quoting, limit)
        _, head = next(rows)
        position = [_column_name(cell) for cell in head].index(name)
        for number, row in rows:
            if len(row) == len(head):
                yield number, row[position].strip("\r")

    def _pass(self, path: Path, options: ReadOptions, system: str | None) -> Iterator[Segment]:
        """The rows as segments; with several systems, `system`'s translations only."""
        builder = RowDocument(path, options, system)
        columns: tuple[str, ...] | None = None
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
            if "system" in values and values["system"].strip() != system:
                continue
            translation = values.get(f"{SYSTEM_COLUMN}{system}", values.get("translation"))
            yield builder.segment(
                number,
                translation or "",
                values.get("source"),
                values.get("reference"),
                doc=values.get("doc"),
            )


def _systems_layout(header: Sequence[str]) -> bool:
    return "system" in header or any(name.startswith(SYSTEM_COLUMN) for name in header)


def _systems_in(path: Path, cells: Iterator[tuple[int, object]]) -> list[str]:
    """The systems a `system` column (or key) names, in the order they first appear."""
    found: dict[str, None] = {}
    for line, cell in cells:
        if cell is None:
            raise InputError(path, SOME_ROWS_ONLY, line=line)
        name = check_cell(path, line, "system", cell) or ""
        if name.strip() not in found:
            problem = system_problem(name.strip())
            if problem:
                raise InputError(path, f"'system': {problem}", line=line)
            found[name.strip()] = None
    return list(found)


def aligned_systems(
    path: Path, systems: Sequence[str], one_pass: Callable[[str], Iterator[Segment]]
) -> Iterator[Segment]:
    """Each system's document after the other (a document's segments stay together), read
    in one pass of the file each; every system must translate the same rows: the same
    documents, the same number of segments, the same sources."""
    for system in systems:
        problem = system_problem(system)
        if problem:
            raise InputError(path, problem)
    expected: list[bytes] = []
    for number, system in enumerate(systems):
        position = 0
        for segment in one_pass(system):
            key = _row_key(segment)
            if number == 0:
                expected.append(key)
            elif position >= len(expected) or expected[position] != key:
                raise InputError(
                    path,
                    f"system {system!r} row {segment.index + 1} of its document does not "
                    f"translate what system {systems[0]!r} row {segment.index + 1} does "
                    "(another document, source or reference); every system must translate "
                    "the same rows in the same order",
                    line=segment.line,
                )
            position += 1
            yield segment
        if number and position != len(expected):
            raise InputError(
                path,
                f"system {system!r} has {position} rows, system {systems[0]!r} {len(expected)}; "
                "every system must translate the same rows",
            )


def _row_key(segment: Segment) -> bytes:
    """What must be equal across systems: the row's place, source and reference (hashed:
    a million rows cost 16 MB, not their text)."""
    base = base_doc_id(segment.doc, segment.system)
    seen = "\0".join((base, str(segment.index), segment.source or "", segment.reference or ""))
    return hashlib.blake2b(seen.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _header(path: Path, line: int, cells: list[str]) -> tuple[str, ...] | None:
    names = [_column_name(cell) for cell in cells]
    known = set(COLUMNS) | set(OPTIONAL_KEYS)
    if not any(name in known or name.startswith(SYSTEM_COLUMN) for name in names):
        return None
    unknown = [name for name in names if name not in known and not name.startswith(SYSTEM_COLUMN)]
    if unknown:
        raise InputError(
            path,
            f"unknown column {unknown[0]!r}; expected {', '.join(COLUMNS + OPTIONAL_KEYS)} "
            "or translation:SYSTEM",
            line=line,
        )
    wide = [name for name in names if name.startswith(SYSTEM_COLUMN)]
    if wide and ("translation" in names or "system" in names):
        raise InputError(
            path,
            "a header with translation:SYSTEM columns has no 'translation' or 'system' column",
            line=line,
        )
    if "translation" not in names and not wide:
        raise InputError(path, "header has no 'translation' column", line=line)
    if len(set(names)) != len(names):
        raise InputError(path, "a column is named twice in the header", line=line)
    for name in wide:
        problem = system_problem(name.removeprefix(SYSTEM_COLUMN))
        if problem:
            raise InputError(path, f"column {name!r}: {problem}", line=line)
    return tuple(names)


def _column_name(cell: str) -> str:
    """A header cell as a column name: case does not matter, except in a system's name."""
    name = cell.strip()
    prefix = name[: len(SYSTEM_COLUMN)]
    if prefix.lower() == SYSTEM_COLUMN:
        return SYSTEM_COLUMN + name[len(SYSTEM_COLUMN) :].strip()
    return name.lower()


class JsonlReader:
    """JSON lines. `translation` is text, a language pair (Hugging Face
    `{"fr": …, "ru": …}`: a key is the target language) or one text per system
    (`{"A": …, "B": …}`: no key is a language); or a `system` key names each row's system."""

    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        limit = max_line_bytes(options.max_segment_chars)
        first = next(iter_json_objects(path, limit), None)
        record = first[1] if first is not None else {}
        translation = record.get("translation")
        if isinstance(translation, dict) and not _language_pair(translation, options):
            systems = [str(name) for name in translation]
        elif "system" in record:
            objects = iter_json_objects(path, limit)
            systems = _systems_in(path, ((n, r.get("system")) for n, r in objects))
            yield from aligned_systems(
                path, systems, lambda system: self._pass(path, options, system, by_key=True)
            )
            return
        else:
            yield from self._pass(path, options, None)
            return
        yield from aligned_systems(path, systems, lambda system: self._pass(path, options, system))

    def _pass(
        self, path: Path, options: ReadOptions, system: str | None, *, by_key: bool = False
    ) -> Iterator[Segment]:
        """The rows as segments; with several systems, `system`'s only (`by_key`: rows
        name their system with a `system` key)."""
        builder = RowDocument(path, options, system)
        known = set(COLUMNS) | set(OPTIONAL_KEYS)
        for number, record in iter_json_objects(path, max_line_bytes(options.max_segment_chars)):
            if by_key != ("system" in record):
                raise InputError(path, SOME_ROWS_ONLY, line=number)
            if by_key and (check_cell(path, number, "system", record["system"]) or "") != system:
                continue
            translation = record.get("translation")
            source = record.get("source")
            if isinstance(translation, dict) and _language_pair(translation, options):
                pair = translation
                translation = pair.get(options.lang)
                if translation is None:
                    raise InputError(
                        path, f"'translation' object has no {options.lang!r} key", line=number
                    )
                others = [key for key in pair if key != options.lang]
                if source is None and len(others) == 1:
                    source = pair[others[0]]
            elif isinstance(translation, dict):
                if system is None or system not in translation:
                    raise InputError(
                        path,
                        f"'translation' object has no {system or options.lang!r} key; each row "
                        "names the same systems (or languages) as the first",
                        line=number,
                    )
                translation = translation[system]
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


def _language_pair(translation: dict[str, object], options: ReadOptions) -> bool:
    """`{"fr": …, "ru": …}` (Hugging Face) rather than one translation per system."""
    return options.lang in translation or (
        options.source_lang is not None and options.source_lang in translation
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
