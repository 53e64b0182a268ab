"""What every reader shares: strict decoding with precise errors, and line streaming."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.segmentation import SentenceSplitter

BOM = "\ufeff"


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


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, decoded line without its line ending), streamed."""
    check_readable(path)
    offset = 0
    seen_content = False
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
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


def iter_json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a JSON-lines file, streamed; blank lines are skipped."""
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"not valid JSON ({exc.msg})", line=number) from None
        if not isinstance(record, dict):
            raise InputError(path, "expected a JSON object per line", line=number)
        yield number, record
