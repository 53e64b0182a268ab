"""Writers for analysis records (`mtreview score -o`): JSONL (full) and TSV (flat).

Where they write (a partial file renamed when complete, resumable) is `mtreview.scoring.resume`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

TSV_COLUMNS = (
    "doc",
    "segment_id",
    "paragraph",
    "start",
    "end",
    "risk",
    "chrf",
    "bleu",
    "ter",
    "logprob",
    "flags",
    "text",
    "back_translation",
    "round_trip",
)


class TextSink(Protocol):
    """What a record writer writes to: an open file, or a resumed partial output."""

    def write(self, text: str, /) -> int: ...


def tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def jsonl_line(record: dict[str, Any]) -> str:
    """A record as a JSONL output holds it: one line, byte for byte the same each time."""
    return json.dumps(record, ensure_ascii=False) + "\n"


class JsonlRecordWriter:
    def __init__(self, handle: TextSink) -> None:
        self.handle = handle

    def write(self, record: dict[str, Any]) -> None:
        self.handle.write(jsonl_line(record))


class TsvRecordWriter:
    def __init__(self, handle: TextSink) -> None:
        self.handle = handle
        handle.write("\t".join(TSV_COLUMNS) + "\n")

    def write(self, record: dict[str, Any]) -> None:
        metrics = record.get("metrics") or {}
        flat = {
            **record,
            "chrf": metrics.get("chrf"),
            "bleu": metrics.get("bleu"),
            "ter": metrics.get("ter"),
            "flags": "; ".join(
                f"{f['start']}-{f['end']} {f['category']}/{f['severity']}"
                for f in record.get("flags") or ()
            ),
        }
        self.handle.write("\t".join(tsv_cell(flat.get(name)) for name in TSV_COLUMNS) + "\n")


RECORD_WRITERS: dict[str, Callable[[TextSink], JsonlRecordWriter | TsvRecordWriter]] = {
    "jsonl": JsonlRecordWriter,
    "tsv": TsvRecordWriter,
}
