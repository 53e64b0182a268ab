"""The reviews backup format: everything reviewers did, as JSON lines, and back.

One JSON object a line (UTF-8, `type` first): a header, then per document its record and,
segment by segment, the segment (with its analysis), annotations with offsets, every
correction version and pre-highlight decision, each with reviewer and time. No database
ids, so `import_reviews` into a fresh store and `write_reviews` again give the same bytes,
followed by the audit line of that import (audit lines come in as imported history, see
`mtreview.store.team_transfer`).

Version 3 (written now): the segment record is the segment's only copy; its analysis holds
the findings alone. Versions 1 and 2 (whose analysis records repeated the segment; 2 added
the team records) are read too; a repeated field that disagrees with the segment is
refused. This module owns the format: its fields, how a record becomes bytes, how a file is read
back and checked. `mtreview.store.transfer` turns stores into records and back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from mtreview.documents import segment_defaults, segment_fields
from mtreview.encoding import check_text
from mtreview.errors import ExportError, InputError, printable
from mtreview.readers.base import iter_json_objects
from mtreview.store.base import SYSTEM_ACTOR, StoreBase
from mtreview.store.merge import BACKUP_NAMES, LoadSummary
from mtreview.store.text import value_problem
from mtreview.store.transfer import RecordError, dump_records, load_records
from mtreview.store.validation import RecordProblem, check_record

_STR, _INT, _OPT_STR, _OPT_INT = (str,), (int,), (str, type(None)), (int, type(None))
FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "header": {"format": _STR, "version": _INT},
    "document": {
        "doc": _STR, "name": _STR, "lang": _STR, "source_lang": _OPT_STR, "format": _STR,
        "original": _STR, "segments": _INT, "words": _INT, "analysis_info": (dict,),
        "created_at": _STR,
    },
    "segment": {  # the Segment's own fields (declared in mtreview.documents), then its review
        **{BACKUP_NAMES.get(name, name): kinds for name, kinds in segment_fields().items()},
        "reviewed_by": _OPT_STR, "reviewed_at": _OPT_STR, "analysis": (dict, type(None)),
    },
    "annotation": {
        "doc": _STR, "segment": _INT, "start": _INT, "end": _INT, "category": _STR,
        "severity": _STR, "comment": _STR, "origin": _STR, "reviewer": _STR,
        "created_at": _STR, "updated_at": _STR,
    },
    "correction": {
        "doc": _STR, "segment": _INT, "version": _INT, "text": _STR, "reviewer": _STR,
        "created_at": _STR,
    },
    "decision": {
        "doc": _STR, "segment": _INT, "flag_index": _INT, "decision": _STR,
        "annotation": (list, type(None)), "reviewer": _STR, "created_at": _STR,
    },
    "done": {"doc": _STR, "segment": _INT, "reviewer": _STR, "reviewed_at": _STR},
    "adjudication": {
        "doc": _STR, "segment": _INT, "text": _OPT_STR, "annotations": (list,),
        "adjudicator": _STR, "note": _STR, "created_at": _STR,
    },
    "audit": {
        "at": _STR, "actor": _STR, "action": _STR, "doc": _OPT_STR, "segment": _OPT_INT,
        "detail": (dict,),
    },
}  # fmt: skip
# Segment fields added after a file was written may be missing from it: they take their
# default (mtreview.documents.segment_defaults)
OPTIONAL = {("segment", BACKUP_NAMES.get(name, name)) for name in segment_defaults()}


def _sorted(value: Any) -> Any:
    """Nested objects with sorted keys, so the bytes never depend on how a database kept them."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def encode(record: dict[str, Any]) -> Iterator[bytes]:
    """One line; top-level keys in record order (`type` first), nested ones sorted. A
    value with `chunks()` (a document's whole text) must come last and is written in
    slices, so no document is ever whole in memory."""
    items = list(record.items())
    last, long = items.pop() if items and hasattr(items[-1][1], "chunks") else ("", None)
    head = json.dumps({key: _sorted(value) for key, value in items}, ensure_ascii=False)
    where = f"document {record.get('doc')!r} segment {record.get('segment')} ({record['type']})"
    check_text(head, where)
    problem = value_problem(dict(items))  # a NUL: no store would load the line again
    if problem:
        raise ExportError(f"{where}: {problem}")
    if long is None:
        yield (head + "\n").encode("utf-8")
        return
    yield f'{head[:-1]}, {json.dumps(last)}: "'.encode()
    for chunk in long.chunks():
        yield json.dumps(check_text(chunk, where), ensure_ascii=False)[1:-1].encode("utf-8")
    yield b'"}\n'


def write_reviews(
    store: StoreBase, output: BinaryIO, docs: Sequence[str] = (), *, viewer: str | None = None
) -> dict[str, int]:
    """Stream the store's records to `output`; how many segments and annotations.
    `viewer`: see `dump_records`."""
    counts = {"segment": 0, "annotation": 0}
    for record in dump_records(store, docs, viewer=viewer):
        output.writelines(encode(record))
        if record["type"] in counts:
            counts[record["type"]] += 1
    return counts


def read_reviews(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) from a reviews file, each checked against `FIELDS` and, value
    by value, by `mtreview.store.validation` (a missing nullable field counts as null)."""
    for number, record in iter_json_objects(path):
        kind = record.get("type")
        fields = FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None:
            raise InputError(
                path,
                f"unknown record type {str(kind)[:40]!r}; expected {', '.join(FIELDS)}",
                line=number,
            )
        for name, kinds in fields.items():
            if name not in record and (kind, name) in OPTIONAL:
                continue
            if name not in record and type(None) in kinds:
                record[name] = None
            value = record.get(name)
            if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
                expected = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
                missing = " (it is missing)" if name not in record else ""
                raise InputError(path, f"{name!r} must be {expected}{missing}", line=number)
        problem = _nested_problem(record)
        if problem:
            raise InputError(path, problem, line=number)
        try:
            yield number, check_record(record)
        except RecordProblem as exc:
            raise InputError(path, str(exc), line=number) from None


def _nested_problem(record: dict[str, Any]) -> str | None:
    link = record.get("annotation") if record["type"] == "decision" else None
    if link is not None and not (
        len(link) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in link[:2])
        and isinstance(link[2], str)
    ):
        return "'annotation' must be [start, end, created_at] or null"
    analysis = record.get("analysis") if record["type"] == "segment" else None
    if analysis is not None and not (
        isinstance(analysis.get("record"), dict) and isinstance(analysis.get("created_at"), str)
    ):
        return "'analysis' must have record (object) and created_at (text)"
    return None


def import_reviews(store: StoreBase, path: str | Path, *, by: str = SYSTEM_ACTOR) -> LoadSummary:
    """Read a reviews file into a store in one transaction, audited as `by`'s (with the
    file's name and SHA-256); its audit lines are kept as imported history."""
    path = Path(path)
    source: dict[str, object] = {"file": printable(path.name), "sha256": _file_digest(path)}
    try:
        return load_records(store, read_reviews(path), by=by, source=source)
    except RecordError as exc:
        raise InputError(path, exc.detail, line=exc.number) from None


def _file_digest(path: Path) -> str | None:
    """The file's SHA-256 (None when it cannot be read: the reader says why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
