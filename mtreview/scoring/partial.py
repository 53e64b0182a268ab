"""Reading back the partial output of an interrupted `mtreview score -o OUT` run.

`--resume` keeps what `OUT.partial` holds and appends the rest, so it must hold what the
run wrote and nothing else: a line counted instead of checked would let records 1-20 written
twice pass as forty segments done, and keep an altered record. So every complete line is
read back, decoded and parsed (a line that is not UTF-8, not JSON, or not a record is
refused), and line *i* must describe the segment the input gives at position *i*: same
document, same segment number, same text and offsets; and, since the resumed output keeps
the line as it is, it must be the record exactly as the run wrote it. Any refusal is one
line naming the partial file and the first bad line (`OUT.partial:LINE: ...`), and changes
nothing.

Checking reads the file again rather than holding it: a million records are not held.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path

from mtreview.analysis.record import SegmentAnalysis, record_version
from mtreview.documents import Segment, segment_differences
from mtreview.errors import InputError
from mtreview.scoring.records import TSV_COLUMNS, jsonl_line, tsv_cell

AGAIN = "; run without --resume to start over"
TSV_SEGMENT_COLUMNS = ("doc", "segment_id", "paragraph", "start", "end", "text")
INTEGER = re.compile(r"-?[0-9]+")


def refuse(path: Path, line: int, message: str) -> InputError:
    return InputError(path, message + AGAIN, line=line)


def partial_lines(path: Path, end: int) -> Iterator[tuple[int, str]]:
    """(line number, text without its newline) of the first `end` bytes: whole lines."""
    with open(path, "rb") as raw:
        position = 0
        number = 0
        while position < end:
            line = raw.readline(end - position)
            if not line:
                break
            position += len(line)
            number += 1
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                message = f"invalid UTF-8 at byte {exc.start} of the line"
                raise refuse(path, number, message) from None
            yield number, text.removesuffix("\n")


def jsonl_records(path: Path, end: int) -> Iterator[tuple[int, SegmentAnalysis]]:
    """Each complete line of a JSONL partial output as the analysis it records."""
    for number, text in partial_lines(path, end):
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise TypeError(f"a JSON {type(record).__name__}, not an object")
            record_version(record)
            analysis = SegmentAnalysis.from_record(record)
        except json.JSONDecodeError as exc:
            raise refuse(path, number, f"not JSON ({exc.msg} at column {exc.colno})") from None
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            message = f"not an analysis record of mtreview score ({exc!s:.200})"
            raise refuse(path, number, message) from None
        if jsonl_line(analysis.to_record()) != text + "\n":  # kept as it is: must be exact
            message = "not the record as mtreview score wrote it (the line was edited)"
            raise refuse(path, number, message)
        yield number, analysis


def same_segment(path: Path, line: int, written: Segment, expected: Segment) -> None:
    """Line `line` recorded `written` where the input gives `expected`."""
    if written == expected:
        return
    if (written.doc, written.index) != (expected.doc, expected.index):
        raise refuse(
            path,
            line,
            f"holds segment {written.index} of {written.doc!r} where the input gives segment "
            f"{expected.index} of {expected.doc!r}",
        )
    fields = ", ".join(segment_differences(written, expected))
    message = f"segment {expected.index} of {expected.doc!r} differs from the input ({fields})"
    raise refuse(path, line, message)


def input_shorter(path: Path, line: int, records: int, segments: int) -> InputError:
    return refuse(path, line, f"the partial output has {records} records, the input {segments}")


# --- TSV ----------------------------------------------------------------------------------
def tsv_rows(path: Path, end: int) -> Generator[tuple[int, list[str]], None, None]:
    """The header checked, then each record line's cells (the right number, numbers where
    numbers go)."""
    numbers = [TSV_COLUMNS.index(name) for name in ("segment_id", "paragraph", "start", "end")]
    for number, text in partial_lines(path, end):
        cells = text.split("\t")
        if number == 1:
            if tuple(cells) != TSV_COLUMNS:
                raise refuse(path, 1, "not the header of a TSV output of mtreview score")
            continue
        if len(cells) != len(TSV_COLUMNS):
            message = f"expected {len(TSV_COLUMNS)} columns, found {len(cells)}"
            raise refuse(path, number, message)
        for index in numbers:
            if not INTEGER.fullmatch(cells[index]):
                raise refuse(path, number, f"{TSV_COLUMNS[index]} {cells[index]!r} is no number")
        yield number, cells


def check_tsv(path: Path, end: int) -> None:
    """The whole partial's layout, before anything is analysed."""
    for _ in tsv_rows(path, end):
        pass


def matched_tsv(
    segments: Iterable[Segment], path: Path, end: int, records: int
) -> Iterator[Segment]:
    """The input's segments, each of the first `records` checked against its TSV line as
    it passes (a TSV resume analyses them again, so they are not held)."""
    columns = [TSV_COLUMNS.index(name) for name in TSV_SEGMENT_COLUMNS]
    rows = tsv_rows(path, end)
    count = 0
    try:
        for segment in segments:
            row = next(rows, None)
            if row is not None:
                number, cells = row
                expected = [segment.doc, segment.index, segment.paragraph, segment.start]
                expected += [segment.end, segment.text]
                written = [cells[index] for index in columns]
                if written != [tsv_cell(value) for value in expected]:
                    if written[:2] != [tsv_cell(value) for value in expected[:2]]:
                        message = (
                            f"holds segment {written[1]} of {written[0]!r} where the input "
                            f"gives segment {segment.index} of {segment.doc!r}"
                        )
                    else:
                        message = f"segment {segment.index} of {segment.doc!r} differs"
                        message += " from the input"
                    raise refuse(path, number, message)
            count += 1
            yield segment
        extra = next(rows, None)
        if extra is not None:
            raise input_shorter(path, extra[0], records, count)
    finally:
        rows.close()
