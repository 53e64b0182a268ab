"""What the store sends its database, counted per thread: the statements and transactions
of one script run of the app, for the team load benchmark (`timing_log`).

Off unless `count_statements(engine)` was called: no listener, nothing to pay. On, each
statement costs an attribute increment. Counts are per thread because each Streamlit
script run (its callbacks and its page) runs in one thread, and many sessions share the
engine at once.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import sqlalchemy as sa

_counts = threading.local()


@dataclasses.dataclass(frozen=True)
class Counted:
    """Statements sent (savepoints included; the BEGIN our SQLite transactions issue
    themselves is the transaction, not a statement) and transactions begun."""

    statements: int = 0
    transactions: int = 0


def _statement(
    _conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    if not statement.startswith("BEGIN"):
        _counts.statements = getattr(_counts, "statements", 0) + 1


def _begin(_conn: Any) -> None:
    _counts.transactions = getattr(_counts, "transactions", 0) + 1


def count_statements(engine: sa.Engine) -> None:
    """Count what `engine` sends from now on (once per engine, however often called)."""
    if not sa.event.contains(engine, "before_cursor_execute", _statement):
        sa.event.listen(engine, "before_cursor_execute", _statement)
        sa.event.listen(engine, "begin", _begin)


def taken() -> Counted:
    """This thread's counts since its last `taken()` (or since it started); reset to 0."""
    found = Counted(getattr(_counts, "statements", 0), getattr(_counts, "transactions", 0))
    _counts.statements = _counts.transactions = 0
    return found
