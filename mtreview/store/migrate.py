"""Bringing a store of an older schema up to this one, in place, in one transaction.

Schema 1 → 2: the analysis record stops repeating its segment (the row is the one copy),
the risk moves to the segment row and the pre-highlights get their own table, both for the
review queue. Nothing reviewers did is touched. A record that contradicts its row is
refused, naming document and segment, and the store stays as it was.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.analysis import SegmentAnalysis
from mtreview.analysis.record import RECORD_NAMES, split_record
from mtreview.documents import Segment, segment_contradictions
from mtreview.errors import StoreError
from mtreview.store.read import segment_from_row
from mtreview.store.schema import analyses, metadata, segments
from mtreview.store.write import StoredAnalysis, write_analyses

BATCH = 500


def _one_to_two(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE segments ADD COLUMN risk FLOAT NOT NULL DEFAULT 0")
    conn.exec_driver_sql("ALTER TABLE analyses DROP COLUMN risk")
    _add_segment_columns(conn)
    metadata.create_all(conn)  # the new table (segment_flags)
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    last = 0
    while True:
        rows = conn.execute(
            sa.select(segments, analyses.c.record, analyses.c.created_at)
            .join(analyses, analyses.c.segment_id == segments.c.id)
            .where(segments.c.id > last)
            .order_by(segments.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        write_analyses(conn, [_upgraded(row) for row in rows])
        last = rows[-1].id


def _add_segment_columns(conn: Connection) -> None:
    """A column for each Segment field an older store has none for (fields added later
    have defaults, e.g. `formats`, `table_row`): every stored row takes the default."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("segments")}
    defaults = {field.name: field.default for field in dataclasses.fields(Segment)}
    for column in segments.columns:
        if column.name in present:
            continue
        default = defaults[column.name]
        value = (
            ("true" if default else "false")
            if isinstance(default, bool)
            else "'" + json.dumps(list(default) if isinstance(default, tuple) else default) + "'"
        )
        kind = column.type.compile(conn.dialect)
        conn.exec_driver_sql(
            f'ALTER TABLE segments ADD COLUMN "{column.name}" {kind} NOT NULL DEFAULT {value}'
        )


def _upgraded(row: Any) -> StoredAnalysis:
    segment = segment_from_row(row)
    repeated, findings = split_record(row.record or {})
    for key, said, kept in segment_contradictions(segment, repeated, RECORD_NAMES)[:1]:
        raise StoreError(
            f"the analysis of document {segment.doc!r} segment {segment.index} says {key} "
            f"is {said!r}, its segment {kept!r}"
        )
    analysis = SegmentAnalysis.from_record(findings, segment=segment)
    return StoredAnalysis(row.id, analysis, row.created_at)


MIGRATIONS: dict[str, Callable[[Connection], None]] = {"1": _one_to_two}
