"""Analysis runs (`mtreview score -o run.jsonl`) read into aligned systems.

Each record is streamed and checked for the fields a comparison uses, and only those are
kept (tokens and back-translations are not). A record's system is its `system`; a record
without one belongs to the system named after its file (`runA.jsonl` -> `runA`). A run may
hold several systems: system S's translation of document `news` is document `news@S`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mtreview.analysis.record import record_version
from mtreview.compare.systems import AlignedSystems, SourceRow, SystemOutput, SystemsBuilder
from mtreview.documents import base_doc_id, system_problem
from mtreview.errors import InputError
from mtreview.readers.base import iter_json_objects


def load_runs(paths: Sequence[str | Path]) -> AlignedSystems:
    """The systems of the runs, in the order they first appear (the first is the baseline)."""
    builder = SystemsBuilder()
    seen: dict[Path, str] = {}
    for name in paths:
        path = Path(name)
        real = path.resolve()
        if real in seen:
            raise InputError(path, f"is given twice (as {seen[real]} before): one run a system")
        seen[real] = str(name)
        for line, record in iter_json_objects(path):
            try:
                system, row, output = read_record(record, path.stem)
            except ValueError as exc:
                raise InputError(path, str(exc), line=line) from None
            builder.add(system, row, output, where=(str(path), line))
    return builder.build()


def read_record(record: Mapping[str, Any], stem: str) -> tuple[str, SourceRow, SystemOutput]:
    """(system, row, output) of one analysis record; ValueError says what is wrong."""
    try:
        record_version(record)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    doc = _text(record, "doc", required=True)
    if not doc or not doc.strip():
        raise ValueError("'doc' must not be empty")
    segment_id = record.get("segment_id")
    if isinstance(segment_id, bool) or not isinstance(segment_id, int) or segment_id < 0:
        raise ValueError("'segment_id' must be an integer >= 0 (an analysis record)")
    text = _text(record, "text", required=True)
    system = _text(record, "system")
    name = system if system is not None else stem
    problem = system_problem(name)
    if problem:
        where = "'system'" if system is not None else f"the file name {stem!r} (no 'system')"
        raise ValueError(f"{where}: {problem}")
    row = SourceRow(
        doc=base_doc_id(doc, system),
        segment_id=segment_id,
        source=_text(record, "source"),
        reference=_text(record, "reference"),
    )
    output = SystemOutput(
        text=text or "",
        round_trip=_text(record, "round_trip"),
        roundtrip_chrf=_chrf(record.get("metrics")),
        flag_categories=_categories(record.get("flags")),
        risk=_number(record.get("risk"), "'risk'") or 0.0,
    )
    return name, row, output


def _text(record: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        kind = "missing" if value is None else type(value).__name__
        raise ValueError(f"{key!r} must be a string, got {kind}")
    return value


def _number(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return float(value)


def _chrf(metrics: object) -> float | None:
    if metrics is None:
        return None
    if not isinstance(metrics, dict):
        raise ValueError(f"'metrics' must be an object, got {type(metrics).__name__}")
    return _number(metrics.get("chrf"), "'metrics.chrf'")


def _categories(flags: object) -> tuple[str, ...]:
    if flags is None:
        return ()
    if not isinstance(flags, list):
        raise ValueError(f"'flags' must be a list, got {type(flags).__name__}")
    found = []
    for flag in flags:
        category = flag.get("category") if isinstance(flag, dict) else None
        if not isinstance(category, str):
            raise ValueError("each of 'flags' must be an object with a 'category' string")
        found.append(category)
    return tuple(found)
