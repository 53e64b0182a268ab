"""The review store's schema cannot change unnoticed.

`tests/data/schema-v{N}.txt` holds the schema of store version N as SQLite DDL: every
table with its columns and types, and every index, in a stable order. The schema the code
declares (SQLAlchemy metadata; the `segments` columns follow the fields of `Segment`) must
be the snapshot of the current `SCHEMA_VERSION`: a new column, say a field added to
`Segment`, fails here instead of failing every existing store with "no such column". Then:

1. bump `SCHEMA_VERSION` in mtreview/store/schema.py;
2. register the step from the old version in `MIGRATIONS` (mtreview/store/migrate.py;
   `add_segment_columns` is the step for new `Segment` fields);
3. write the new snapshot: `.venv/bin/python tests/test_store_schema.py`.

Keep the old snapshots: a store of each older version is built from its snapshot and must
open with every current table, column and index. Schema 1 is the schema of the store in
tests/data/store-schema1.db (its `sqlite_master`, as written by the mtreview of the time).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import sqlite3
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Document
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.migrate import MIGRATIONS, add_segment_columns
from mtreview.store.schema import SCHEMA_VERSION, metadata

DATA = Path(__file__).resolve().parent / "data"
WRITE = ".venv/bin/python tests/test_store_schema.py"
HEADER = (
    "-- The review store, schema {version}: every table and index as SQLite DDL.\n"
    "-- Written by `{write}` (see the notes there).\n"
)


def snapshot_path(version: int) -> Path:
    return DATA / f"schema-v{version}.txt"


def declared_schema() -> str:
    """The schema the code declares, as the snapshot file holds it."""
    dialect = sqlite.dialect()
    statements = []
    for table in sorted(metadata.tables.values(), key=lambda table: table.name):
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        for index in sorted(table.indexes, key=lambda index: str(index.name)):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)))
    return as_snapshot(statements, SCHEMA_VERSION)


def as_snapshot(statements: list[str], version: int) -> str:
    """Statements one after another, each ending in `;`, without trailing blanks."""
    cleaned = ["\n".join(line.rstrip() for line in s.strip().splitlines()) for s in statements]
    body = "\n\n".join(f"{statement};" for statement in cleaned)
    return HEADER.format(version=version, write=WRITE) + "\n" + body + "\n"


def snapshot_statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def snapshot_versions() -> list[int]:
    found = (re.fullmatch(r"schema-v(\d+)\.txt", path.name) for path in DATA.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def test_the_declared_schema_is_the_snapshot_of_its_version() -> None:
    path = snapshot_path(SCHEMA_VERSION)
    declared = declared_schema()
    stored = path.read_text("utf-8") if path.is_file() else ""
    if declared != stored:
        diff = difflib.unified_diff(
            stored.splitlines(), declared.splitlines(), str(path.name), "declared", lineterm=""
        )
        pytest.fail(
            f"the store schema differs from {path.name}, the schema of SCHEMA_VERSION "
            f"{SCHEMA_VERSION}: existing stores would not have it. Bump SCHEMA_VERSION "
            "(mtreview/store/schema.py), add the migration from the old version to "
            f"MIGRATIONS (mtreview/store/migrate.py), then write the new snapshot: {WRITE}\n"
            + "\n".join(list(diff)[:60]),
            pytrace=False,
        )


def test_every_older_version_has_a_migration_and_a_snapshot() -> None:
    assert set(MIGRATIONS) == {str(version) for version in range(1, SCHEMA_VERSION)}
    assert snapshot_versions() == list(range(1, SCHEMA_VERSION + 1))


def test_the_schema_1_snapshot_is_the_old_stores() -> None:
    with sqlite3.connect(DATA / "store-schema1.db") as conn:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
            "ORDER BY tbl_name, type = 'index', name"
        ).fetchall()
    assert as_snapshot([sql for (sql,) in rows], 1) == snapshot_path(1).read_text("utf-8")


def _column_types(inspector: sa.Inspector, table: str) -> dict[str, str]:
    return {
        column["name"]: column["type"].compile(dialect=sqlite.dialect())
        for column in inspector.get_columns(table)
    }


@pytest.mark.parametrize("version", [v for v in snapshot_versions() if v < SCHEMA_VERSION])
def test_a_store_of_an_older_version_opens_with_every_current_column(
    tmp_path: Path, version: int
) -> None:
    db = tmp_path / f"v{version}.db"
    with sqlite3.connect(db) as conn:
        for statement in snapshot_statements(snapshot_path(version).read_text("utf-8")):
            conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(version),))
    doc = _document()
    with ReviewStore(db) as store:
        store.add_document(doc, [SegmentAnalysis(seg, risk=0.5) for seg in doc.segments])
        assert store.load_document(doc.doc_id) == doc  # every segment column, both ways
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        inspector = sa.inspect(engine)
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema'").scalar()
        assert found == str(SCHEMA_VERSION)
        for table in metadata.tables.values():
            declared = {c.name: c.type.compile(dialect=sqlite.dialect()) for c in table.columns}
            have = _column_types(inspector, table.name)
            assert {n: have.get(n) for n in declared} == declared, table.name
            indexes = {index["name"] for index in inspector.get_indexes(table.name)}
            assert {str(index.name) for index in table.indexes} <= indexes, table.name
    finally:
        engine.dispose()


def test_segment_fields_missing_from_a_store_are_added_with_their_defaults(
    tmp_path: Path,
) -> None:
    """The step a new `Segment` field takes: stored rows get the field's default, whatever
    its kind (here an optional text, an optional number, a tuple and a flag)."""
    db = tmp_path / "store.db"
    doc = _document()
    with ReviewStore(db) as store:
        store.add_document(doc)
    missing = ("reference", "line", "formats", "table_row")
    with sqlite3.connect(db) as conn:
        for column in missing:
            conn.execute(f"ALTER TABLE segments DROP COLUMN {column}")
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            add_segment_columns(conn)
    finally:
        engine.dispose()
    defaults = {field.name: field for field in dataclasses.fields(doc.segments[0])}
    reset = {name: defaults[name].default for name in missing}
    reset["formats"] = ()
    with ReviewStore(db) as store:
        loaded = store.load_document(doc.doc_id)
    assert loaded.segments == tuple(dataclasses.replace(s, **reset) for s in doc.segments)


def _document() -> Document:
    """A document whose segment sets every field away from its default."""
    doc = document_from_text("Première phrase. Seconde phrase.", doc_id="d", name="d.txt")
    first = dataclasses.replace(
        doc.segments[0],
        source="First.",
        reference="Premier.",
        formats=("c-format",),
        table_row=True,
    )
    return dataclasses.replace(doc, segments=(first, *doc.segments[1:]))


def _write() -> None:
    path = snapshot_path(SCHEMA_VERSION)
    if path.exists() and "--force" not in sys.argv:
        raise SystemExit(
            f"{path} exists: the schema of a version that stores were made with does not "
            "change; bump SCHEMA_VERSION first (or --force while the version is unreleased)"
        )
    path.write_text(declared_schema(), "utf-8")
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    _write()
