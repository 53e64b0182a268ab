"""One text model for every database: what a store keeps, SQLite and PostgreSQL alike.

PostgreSQL cannot hold U+0000 (NUL) in text or JSON; SQLite stores it, but its `length()`
and `substr()` stop there, so a store that took it would cut the text in a backup, and the
backup would not load anywhere. A lone surrogate (a non-UTF-8 byte of a file name, a
`\\ud800` escape) has no UTF-8 form at all. So neither goes in: every value a statement
sends, and every value inside a JSON column, is checked on its way to the database
(`guard_engine`), and the readers of `score --db`, `import-analysis` and `import-reviews`
call `text_problem` first, to name the file and line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa

from mtreview.errors import StoreError

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a store cannot keep `text`, or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "text holds U+0000 (NUL), which a review store cannot keep"
    return (
        f"text holds a lone surrogate U+{ord(found.group()):04X} (not UTF-8), which a review "
        "store cannot keep"
    )


def value_problem(value: object) -> str | None:
    """`text_problem` of the first text inside `value` (nested lists, tuples and dicts,
    keys included) that a store cannot keep, or None."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = value_problem(key) or value_problem(item)
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        for item in value:
            problem = value_problem(item)
            if problem:
                return problem
    return None


def check_value(value: object) -> None:
    """`StoreError` when `value` holds text a store cannot keep."""
    problem = value_problem(value)
    if problem:
        raise StoreError(problem)


def store_json(value: Any) -> str:
    """The JSON columns' serializer: checked first, since `json.dumps` would turn a NUL
    into a `\\u0000` escape that SQLite keeps and PostgreSQL refuses."""
    check_value(value)
    return json.dumps(value)


def guard_engine(engine: sa.Engine) -> None:
    """Every statement's parameters checked before the database sees them."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def before(
        _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        check_value(parameters)
