"""Reviews records (`import-reviews`) and analysis records (`import-analysis`) checked value
by value before they reach a store, so that nothing an import accepts can make an export,
the app or another database fail later.

`mtreview.store.backup` checks each field's JSON type; here each value's range: indexes
and counts fit a 32-bit database integer, short texts fit their columns, timestamps are
real ISO 8601 times (normalised to UTC with microseconds, as mtreview writes them), a
review mark names both its reviewer and its time, and an analysis record is exactly what
mtreview would write for it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from mtreview.analysis import SegmentAnalysis
from mtreview.analysis.record import RECORD_NAMES, SEGMENT_KEYS, record_version, split_record
from mtreview.documents import MAX_DOC_ID_CHARS, Segment, segment_from_mapping
from mtreview.store.merge import BACKUP_NAMES
from mtreview.store.text import value_problem

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER: the narrowest store column
TIMES = ("created_at", "updated_at", "reviewed_at")
DECISIONS = ("accepted", "rejected")
# (record type, field) -> longest text its column holds
LENGTHS = {
    "doc": MAX_DOC_ID_CHARS,
    "lang": 20,
    "source_lang": 20,
    "format": 20,
    "category": 200,
    "severity": 40,
    "origin": 200,
}
# smallest value of each integer field (all at most INT_MAX)
MINIMUM = {"version": 1}


class RecordProblem(ValueError):
    """What is wrong with one value of a record (the caller names the line)."""


def check_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its timestamps normalised, or `RecordProblem`. Field types are
    already checked (`backup.FIELDS`)."""
    _check_text(record)
    for name, value in record.items():
        if name == "type":
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            _check_int(name, value)
        elif isinstance(value, str) and name in LENGTHS:
            _check_length(name, value)
    for name in TIMES:
        if record.get(name) is not None:
            record[name] = normal_time(name, record[name])
    kind = record["type"]
    CHECKS.get(kind, _nothing)(record)
    return record


def _nothing(_record: dict[str, Any]) -> None:
    return None


def _check_text(record: dict[str, Any]) -> None:
    problem = value_problem(record)  # NUL, lone surrogates: refused alike on every database
    if problem:
        raise RecordProblem(problem)


def _check_int(name: str, value: int) -> None:
    low = MINIMUM.get(name, 0)
    if not low <= value <= INT_MAX:
        raise RecordProblem(f"{name!r} must be an integer from {low} to {INT_MAX:,}, got {value}")


def _check_length(name: str, value: str) -> None:
    if len(value) > LENGTHS[name]:
        raise RecordProblem(f"{name!r} is longer than {LENGTHS[name]} characters")
    if name == "doc" and not value.strip():
        raise RecordProblem("'doc' must not be empty")


def normal_time(name: str, value: str) -> str:
    """An ISO 8601 time as mtreview writes it (UTC, microseconds); a time without a zone
    is taken as UTC. Years 1000 to 9999, so every export format can write it."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordProblem(f"{name!r} is not an ISO 8601 time: {value[:40]!r}") from None
    try:
        moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
        moment = moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise RecordProblem(f"{name!r} is out of range: {value[:40]!r}") from None
    if not 1000 <= moment.year <= 9999:
        raise RecordProblem(f"{name!r} must be a time in the years 1000 to 9999")
    return moment.isoformat(timespec="microseconds")


def _segment(record: dict[str, Any]) -> None:
    if record["start"] > record["end"]:
        raise RecordProblem("segment 'start' is after its 'end'")
    if (record["reviewed_by"] is None) != (record["reviewed_at"] is None):
        raise RecordProblem("'reviewed_by' and 'reviewed_at' go together: both or neither")
    analysis = record["analysis"]
    if analysis is None:
        return
    analysis["created_at"] = normal_time("created_at", analysis["created_at"])
    # fields it repeats (backups 1 and 2) are compared with the segment by the loader
    _, findings = split_record(analysis["record"])
    this = f"analysis of {record['doc']!r} segment {record['segment']}"
    owner = segment_from_mapping(record, BACKUP_NAMES)
    check_findings(this, findings, owner, record["end"] - record["start"])


def _decision(record: dict[str, Any]) -> None:
    if record["decision"] not in DECISIONS:
        raise RecordProblem(f"'decision' must be one of {', '.join(DECISIONS)}")
    link = record["annotation"]
    if link is not None:
        _check_int("start", link[0])
        _check_int("end", link[1])
        link[2] = normal_time("annotation", link[2])


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "segment": _segment,
    "decision": _decision,
}


def check_scored_record(record: dict[str, Any]) -> None:
    """A record of `mtreview score -o` (for `import-analysis`): its segment's integers and
    document id fit the store's columns, its text the store's text model, and its
    findings are what mtreview writes."""
    _check_text(record)
    for key in SEGMENT_KEYS:
        value = record.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            _check_int(key, value)
    _check_length("doc", record["doc"])
    segment, findings = split_record(record)
    owner = segment_from_mapping(segment, RECORD_NAMES)
    this = f"analysis of {owner.doc!r} segment {owner.index}"
    check_findings(this, findings, owner, len(owner.text))


def check_findings(this: str, findings: dict[str, Any], owner: Segment, length: int) -> None:
    """An analysis' findings must be what mtreview writes for `owner`: read as a
    `SegmentAnalysis`, written again and compared field by field (the fields given), a
    risk from 0 to 1, and every span inside the segment's `length` characters."""
    try:
        record_version(findings)
        canonical = SegmentAnalysis.from_record(findings, segment=owner).findings_record()
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise RecordProblem(
            f"{this} is not an mtreview analysis record ({type(exc).__name__}: {exc})"
        ) from None
    if not 0 <= canonical["risk"] <= 1:
        raise RecordProblem(f"{this}: 'risk' must be a number from 0 to 1")
    for key, value in findings.items():
        if key != "version" and key in canonical and _json(canonical[key]) != _json(value):
            raise RecordProblem(f"{this}: {key!r} is not what mtreview writes")
    spans = [*canonical["flags"], *canonical["model_flags"]]
    spans += [*canonical["tokens"], *canonical["source_tokens"]]
    for span in spans:
        start, end = span["start"], span["end"]
        if not (_is_int(start) and _is_int(end) and 0 <= start <= end <= length):
            raise RecordProblem(f"{this}: span [{start!r}, {end!r}) is not inside it")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json(value: object) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except ValueError:
        raise RecordProblem("the analysis holds a number that is not finite") from None
