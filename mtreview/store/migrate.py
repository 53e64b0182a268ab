"""Bringing a store of an older schema up to this one, in place, in one transaction.

Schema 1 → 2: the analysis record stops repeating its segment (the row is the one copy),
the risk moves to the segment row and the pre-highlights get their own table, both for the
review queue. Nothing reviewers did is touched. Schema 3 → 4: the audit log becomes a
hash chain (`mtreview.store.audit`): the rows already there are chained as they are, in id
order, so a change made to them before the upgrade cannot be detected (rows an older
import-reviews brought count as live rows too). A record that contradicts its row is
refused, naming document and segment, and the store stays as it was. Schema 4 → 5: a
table of failed sign-ins (`mtreview.store.throttle`), empty. Schema 5 → 6: each session's
last use (`sessions.last_seen_at`, for the idle timeout), its sign-in time to start with.
Schema 6 → 7: accounts bound to an identity provider's identity (`external_identities`,
`mtreview.store.external`), empty: no account is bound, so each account without a password
is bound at its next provider sign-in, and a password account only once an admin links it.
Schema 7 → 8: the picker's errors not added yet (`mark_drafts`) and the correction each
error was added with (`mark_corrections`), both new and empty.
Schema 8 → 9: a pre-highlight decision is each reviewer's own (`flag_decisions` keyed by
segment, flag and reviewer: blind reviewers decide the same flag apart); every decision
already made is kept as its reviewer's.

A schema change means a new `SCHEMA_VERSION` and a step here from the version before
(tests/test_store_schema.py fails until both are there, and builds a store of every older
version to open). New tables need nothing more (`create_all` adds them); a new field of
`Segment` (the `segments` columns follow its fields) has its step already:
`MIGRATIONS["N"] = add_segment_columns`.
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
from mtreview.store.audit import chain_existing
from mtreview.store.read import segment_from_row
from mtreview.store.schema import (
    analyses,
    flag_decisions,
    mark_corrections,
    mark_drafts,
    metadata,
    segments,
)
from mtreview.store.team_schema import (
    audit_head,
    audit_log,
    external_identities,
    sessions,
    sign_in_failures,
)
from mtreview.store.write import StoredAnalysis, write_analyses

BATCH = 500


def _one_to_two(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE segments ADD COLUMN risk FLOAT NOT NULL DEFAULT 0")
    conn.exec_driver_sql("ALTER TABLE analyses DROP COLUMN risk")
    add_segment_columns(conn)
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


def add_segment_columns(conn: Connection) -> None:
    """A column for each Segment field an older store has none for (fields added later
    have defaults, e.g. `formats`, `table_row`): every stored row takes the default. Any
    step may call it: it adds only what is missing."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("segments")}
    fields = {field.name: field for field in dataclasses.fields(Segment)}
    for column in segments.columns:
        if column.name in present or column.name not in fields:
            continue
        kind = column.type.compile(conn.dialect)
        default = _sql_literal(_field_default(fields[column.name]))
        rest = "" if default is None else f" NOT NULL DEFAULT {default}"
        conn.exec_driver_sql(f'ALTER TABLE segments ADD COLUMN "{column.name}" {kind}{rest}')


def _field_default(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    if field.default is dataclasses.MISSING:
        raise StoreError(f"Segment.{field.name} has no default for the rows already stored")
    return field.default


def _sql_literal(value: Any) -> str | None:
    """A field's default as SQL (None: NULL); tuples are JSON lists, as rows keep them."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = json.dumps(list(value)) if isinstance(value, tuple) else str(value)
    return "'" + text.replace("'", "''") + "'"


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


def _chain_audit_log(conn: Connection) -> None:
    """3 → 4: the audit log's chain columns, its head, and the rows there chained."""
    if not sa.inspect(conn).has_table("audit_log"):
        audit_log.create(conn)
    present = {column["name"] for column in sa.inspect(conn).get_columns("audit_log")}
    added = {
        "seq": "INTEGER",
        "prev_hash": "VARCHAR(64)",
        "row_hash": "VARCHAR(64)",
        "imported": "BOOLEAN NOT NULL DEFAULT false",
    }
    for name, kind in added.items():
        if name not in present:
            conn.exec_driver_sql(f"ALTER TABLE audit_log ADD COLUMN {name} {kind}")
    audit_head.create(conn, checkfirst=True)
    chain_existing(conn)
    for index in audit_log.indexes:
        index.create(conn, checkfirst=True)


def _count_sign_ins(conn: Connection) -> None:
    """4 → 5: the table of failed sign-ins (`mtreview.store.throttle`), empty: every
    account and address starts with no failure counted."""
    sign_in_failures.create(conn, checkfirst=True)
    for index in sign_in_failures.indexes:
        index.create(conn, checkfirst=True)


def _session_last_seen(conn: Connection) -> None:
    """5 → 6: `sessions.last_seen_at`; a live session was last seen when it began (so
    the idle timeout may end it at once: its browser signs in again)."""
    if not sa.inspect(conn).has_table("sessions"):
        sessions.create(conn)
        return
    present = {column["name"] for column in sa.inspect(conn).get_columns("sessions")}
    if "last_seen_at" not in present:
        conn.exec_driver_sql(
            "ALTER TABLE sessions ADD COLUMN last_seen_at VARCHAR(40) NOT NULL DEFAULT ''"
        )
    conn.execute(sessions.update().values(last_seen_at=sessions.c.created_at))


def _bind_external_identities(conn: Connection) -> None:
    """6 → 7: the table of provider identities (`mtreview.store.external`), empty: an
    identity provider's sign-in binds an account anew, by the rules of schema 7."""
    external_identities.create(conn, checkfirst=True)


def _picker_work(conn: Connection) -> None:
    """7 → 8: the picker's errors not added yet (`mark_drafts`) and the correction each
    error was added with (`mark_corrections`), both empty: errors added before know of none."""
    for table in (mark_drafts, mark_corrections):
        table.create(conn, checkfirst=True)
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _decisions_per_reviewer(conn: Connection) -> None:
    """8 → 9: `flag_decisions`' key takes the reviewer (segment, flag, reviewer); the rows
    are kept (the old key is part of the new one: none collide). PostgreSQL changes the key
    in place, which keeps the app role's grants; SQLite cannot change a key, so the table
    is built anew under its name and the rows copied."""
    inspector = sa.inspect(conn)
    if not inspector.has_table(flag_decisions.name):
        flag_decisions.create(conn)
        return
    if conn.dialect.name != "sqlite":
        old = inspector.get_pk_constraint(flag_decisions.name).get("name")
        drop = f'DROP CONSTRAINT "{old}", ' if old else ""
        conn.exec_driver_sql(
            f"ALTER TABLE flag_decisions {drop}ADD PRIMARY KEY (segment_id, flag_index, "
            "reviewer_id)"
        )
        return
    columns = ", ".join(f'"{column.name}"' for column in flag_decisions.columns)
    conn.exec_driver_sql("ALTER TABLE flag_decisions RENAME TO flag_decisions_schema8")
    flag_decisions.create(conn)
    conn.exec_driver_sql(
        f"INSERT INTO flag_decisions ({columns}) SELECT {columns} FROM flag_decisions_schema8"
    )
    conn.exec_driver_sql("DROP TABLE flag_decisions_schema8")


MIGRATIONS: dict[str, Callable[[Connection], None]] = {
    "1": _one_to_two,
    "2": add_segment_columns,  # 3: `system`
    "3": _chain_audit_log,  # 4: the audit log chained
    "4": _count_sign_ins,  # 5: failed sign-ins counted in the store
    "5": _session_last_seen,  # 6: the idle timeout of sign-in sessions
    "6": _bind_external_identities,  # 7: accounts bound to a provider's (issuer, subject)
    "7": _picker_work,  # 8: the picker's error kept as a draft; the correction an error came with
    "8": _decisions_per_reviewer,  # 9: each reviewer's own pre-highlight decisions
}
