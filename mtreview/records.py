"""Writers for analysis records (`mtreview score -o`): JSONL (full) and TSV (flat).

Output goes to a temporary file beside the target and is renamed into place only when
complete, so an interrupted or failed run never leaves a file that looks finished.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from mtreview.errors import InputError

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


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class JsonlRecordWriter:
    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, record: dict[str, Any]) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")


class TsvRecordWriter:
    def __init__(self, handle: IO[str]) -> None:
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
        self.handle.write("\t".join(_tsv_cell(flat.get(name)) for name in TSV_COLUMNS) + "\n")


RECORD_WRITERS: dict[str, Callable[[IO[str]], JsonlRecordWriter | TsvRecordWriter]] = {
    "jsonl": JsonlRecordWriter,
    "tsv": TsvRecordWriter,
}


class AtomicOutput:
    """A text file written under a temporary name and renamed only by `commit()`."""

    def __init__(self, target: str | Path | None) -> None:
        self.target = Path(target) if target not in (None, "-") else None
        self._temp: Path | None = None
        self.handle: IO[str]

    def __enter__(self) -> AtomicOutput:
        if self.target is None:
            self.handle = sys.stdout
            return self
        if self.target.is_dir():
            raise InputError(self.target, "is a directory, expected an output file name")
        folder = self.target.parent if str(self.target.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(self.target, f"output folder {folder} does not exist")
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".partial", dir=folder)
        self._temp = Path(name)
        self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def commit(self) -> None:
        if self._temp is None or self.target is None:
            self.handle.flush()
            return
        self.handle.close()
        os.replace(self._temp, self.target)
        self._temp = None

    def __exit__(self, *exc: object) -> None:
        if self._temp is not None:  # not committed: leave nothing that looks complete
            self.handle.close()
            self._temp.unlink(missing_ok=True)
