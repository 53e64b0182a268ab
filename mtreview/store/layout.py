"""The store's layout counter: how many write transactions changed its documents, the
segments they hold, or the assignments. The app keeps what it reads of these per session
(the documents, a reviewer's scope) and reads them again only when the counter moved.

Every write goes through `StoreBase._write`; a listener on the engine notes a statement
that inserts, changes or deletes `documents` or `assignments` rows, or adds or removes
`segments` rows, and the transaction bumps the counter (a `meta` row, so every process and
replica on the store sees it) just before it commits. Review work (annotations,
corrections, marks, drafts, sessions) leaves it alone: it changes at every click.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Delete, Insert, UpdateBase

from mtreview.store.schema import documents, meta, segments
from mtreview.store.team_schema import assignments

KEY = "layout_changes"  # its `meta` row
CHANGED = "mtreview_layout_changed"  # conn.info: this transaction changed the layout
WHOLE_ROWS = frozenset({documents.name, assignments.name})  # any change of a row counts
ADDED_OR_REMOVED = frozenset({segments.name})  # rows added or removed (not their status)


def changes_layout(statement: Any) -> bool:
    if not isinstance(statement, UpdateBase):
        return False
    name = getattr(statement.table, "name", None)
    if name in WHOLE_ROWS:
        return True
    return name in ADDED_OR_REMOVED and isinstance(statement, (Insert, Delete))


def watch(engine: sa.Engine) -> None:
    """Note, on the connection, each statement that changes the layout."""

    @sa.event.listens_for(engine, "before_execute")
    def before(conn: Connection, statement: Any, *_rest: Any) -> None:
        if changes_layout(statement):
            conn.info[CHANGED] = True


def bump(conn: Connection) -> None:
    """One more layout change (the `meta` row made at the first)."""
    step = meta.c.value.cast(sa.Integer) + 1
    counted = meta.update().where(meta.c.key == KEY).values(value=step.cast(sa.Text))
    if conn.execute(counted).rowcount:
        return
    try:  # the first change: the row is made (once, so a savepoint costs nothing much)
        with conn.begin_nested():
            conn.execute(meta.insert().values(key=KEY, value="1"))
    except sa.exc.IntegrityError:  # another writer made it just now
        conn.execute(counted)


def read(conn: Connection) -> int:
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == KEY)).scalar()
    return int(value or 0)
