"""Reading and writing JSON-lines files in tests (runs, backups) to change a record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def assert_round_trip(first: bytes, again: bytes) -> None:
    """A reviews backup exported again from a store it was imported into: the same bytes,
    then the one audit line that store wrote itself, its import (the file's audit lines
    came in as imported history: mtreview.store.team_transfer)."""
    assert again.startswith(first), "the re-export differs from the backup"
    [own] = again[len(first) :].splitlines()
    record = json.loads(own)
    assert (record["type"], record["action"]) == ("audit", "import-reviews")
