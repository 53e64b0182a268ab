"""What every reader shares: strict decoding with precise errors, and line streaming."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.segmentation import SentenceSplitter

BOM = "\ufeff"
# A line of a row format holds at most three cells of `max_segment_chars` characters, each
# up to 6 bytes in a JSON escape: longer lines are refused before they are held whole.
LINE_BYTES_PER_CHAR = 24
MAX_JSON_DEPTH = 64
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    doc_id: str
    splitter: SentenceSplitter | None = None
    source_file: Path | None = None
    lang: str = "fr"
    source_lang: str | None = None
    max_segment_chars: int = 20000
    quoting: str = "auto"  # tables: csv, none, or auto (see readers.rows.TableReader)


class Reader(Protocol):
    """Yields segments in order; offsets index into `original_text` of the same reader."""

    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]: ...


def check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, expected a file")
    if not path.is_file():
        raise InputError(path, "not a regular file")


def decode(path: Path, data: bytes, *, byte_offset: int = 0, line: int | None = None) -> str:
    """Strict UTF-8; a NUL byte means binary. Errors name the byte offset in the file."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            path,
            f"binary file (NUL byte at offset {byte_offset + nul}), expected UTF-8 text",
            line=line,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"invalid UTF-8 at byte offset {byte_offset + exc.start} "
            f"(byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None


def read_text(path: Path) -> str:
    """The whole file, decoded, BOM removed; offsets are into this string."""
    check_readable(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "empty file, expected text to review")
    text = decode(path, data, line=None)
    if text.startswith(BOM):
        text = text[1:]
    return text


def max_line_bytes(max_segment_chars: int) -> int:
    return LINE_BYTES_PER_CHAR * max(1, max_segment_chars)


def iter_lines(path: Path, max_bytes: int | None = None) -> Iterator[tuple[int, str]]:
    """(1-based line number, decoded line without its line ending), streamed; a line over
    `max_bytes` is refused as soon as that many bytes are read, not held whole."""
    check_readable(path)
    offset = 0
    seen_content = False
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(-1 if max_bytes is None else max_bytes + 1):
            number += 1
            if max_bytes is not None and len(raw) > max_bytes and not raw.endswith(b"\n"):
                raise InputError(
                    path,
                    f"line longer than {max_bytes:,} bytes; a row holds at most "
                    f"{max_bytes // LINE_BYTES_PER_CHAR:,} characters a cell "
                    "(setting max_segment_chars)",
                    line=number,
                )
            text = decode(path, raw, byte_offset=offset, line=number)
            offset += len(raw)
            if number == 1 and text.startswith(BOM):
                text = text[1:]
            text = text.rstrip("\n").removesuffix("\r")
            seen_content = seen_content or bool(text.strip())
            yield number, text
    if not seen_content:
        raise InputError(path, "empty file, expected text to review")


def check_cell(path: Path, line: int, name: str, value: object) -> str | None:
    """Table and JSON cells must be text (or absent)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(path, f"{name!r} must be a string, got {type(value).__name__}", line=line)
    return value


def iter_json_objects(
    path: Path, max_bytes: int | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a JSON-lines file, streamed; blank lines are skipped.
    Whatever the JSON parser accepts but Python text or mtreview cannot hold is refused
    with its line: lone surrogates (`"\\ud800"`), nesting deeper than `MAX_JSON_DEPTH`,
    integers too long to convert."""
    for number, line in iter_lines(path, max_bytes):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"not valid JSON ({exc.msg})", line=number) from None
        except RecursionError:
            raise InputError(path, "JSON nested too deeply", line=number) from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise InputError(path, f"not usable JSON ({exc})", line=number) from None
        if not isinstance(record, dict):
            raise InputError(path, "expected a JSON object per line", line=number)
        check_json_line(path, number, line, record)
        yield number, record


def check_json_line(path: Path, number: int, line: str, record: object) -> None:
    """Refuse a lone surrogate escape (valid JSON, not Unicode) and deep nesting."""
    if "\\u" in line:
        column = lone_surrogate_column(line)
        if column is not None:
            raise InputError(
                path,
                f"lone surrogate escape at column {column} is not a Unicode character; "
                "expected text that UTF-8 can hold",
                line=number,
            )
    if json_depth(record) > MAX_JSON_DEPTH:
        raise InputError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", line=number)


def lone_surrogate_column(line: str) -> int | None:
    """1-based column of the first `\\uD800`-`\\uDFFF` escape not part of a pair."""
    pending: re.Match[str] | None = None  # a high surrogate waiting for its low half
    for match in _ESCAPE.finditer(line):
        code = int(match.group(1), 16) if match.group(1) else None
        is_low = code is not None and 0xDC00 <= code <= 0xDFFF
        if pending is not None:
            if is_low and match.start() == pending.end():
                pending = None
                continue
            return pending.start() + 1
        if code is not None and 0xD800 <= code <= 0xDBFF:
            pending = match
        elif is_low:
            return match.start() + 1
    return pending.start() + 1 if pending is not None else None


def json_depth(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value (no recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:
            stack.extend((child, depth + 1) for child in children)
    return deepest
