"""PostgreSQL with least privilege: the store's own schema, tables that must be ours, two roles.

The tables live in one schema (`db_schema`, default `mtreview`): every connection of the
store sets `search_path` to it alone (`schema_url`), so a table of the same name elsewhere
in the database (`public.sessions` of another application) is never seen, and raw SQL
of the migrations needs no schema prefix. A store made in `public` by an mtreview before
schemas keeps being used there (`resolve_schema`: a note says how to move it), so
upgrading mtreview never loses a team's work.

Two roles: the owner creates and upgrades the schema (opening the store as the owner
does it); the app role gets, through `grant_app_role`, the rows only: SELECT, INSERT,
UPDATE, DELETE on the tables, the sequences of their ids, and on `audit_log` INSERT and
SELECT alone, so no one holding the app's URL can rewrite or cut the audit log. The
app role may not create anything in the schema.
"""

from __future__ import annotations

import dataclasses
import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.store.schema import meta, metadata

DEFAULT_SCHEMA = "mtreview"
LEGACY_SCHEMA = "public"  # where mtreview before schemas made its tables
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # an identifier PostgreSQL needs no quotes for
_SEARCH_PATH = re.compile(r"-c\s*search_path=([^\s,]+)")
INSUFFICIENT_PRIVILEGE = "42501"  # SQLSTATE
APPEND_ONLY = ("audit_log",)  # tables the app role may only read and add to
ROWS = "SELECT, INSERT, UPDATE, DELETE"


def check_name(name: str, what: str) -> str:
    """A schema or role name: lower-case letters, digits and `_`, as PostgreSQL folds them."""
    if not _NAME.fullmatch(name):
        raise StoreError(
            f"{what} {name[:80]!r}: use lower-case letters, digits and _ (at most 63, "
            "not starting with a digit)"
        )
    return name


def _options(url: sa.URL) -> str:
    given = url.query.get("options", "")
    return " ".join(given) if isinstance(given, tuple) else given


def url_schema(url: str) -> str | None:
    """The schema a URL names itself (`?options=-csearch_path=NAME`): it wins over the
    setting, so a URL handed on (`store.url`) keeps its store."""
    found = _SEARCH_PATH.search(_options(sa.make_url(url)))
    return found.group(1) if found else None


def schema_url(url: str, schema: str) -> str:
    """`url` whose connections look up tables in `schema` only (libpq's `options`)."""
    parsed = sa.make_url(url)
    if url_schema(url) == schema:
        return url
    options = f"{_options(parsed)} -csearch_path={schema}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _has_table(conn: Connection, schema: str, table: str) -> bool:
    found = conn.execute(sa.text("SELECT to_regclass(:name)"), {"name": f'"{schema}"."{table}"'})
    return found.scalar() is not None


def _legacy_store(conn: Connection) -> bool:
    """Whether `public` holds a store of an mtreview before schemas (its version row)."""
    if not _has_table(conn, LEGACY_SCHEMA, meta.name):
        return False
    try:
        with conn.begin_nested():
            query = f"SELECT value FROM {LEGACY_SCHEMA}.meta WHERE key = 'schema'"
            return conn.exec_driver_sql(query).scalar() is not None
    except sa.exc.DBAPIError:  # another application's `meta`, or not ours to read
        return False


@dataclasses.dataclass(frozen=True)
class SchemaChoice:
    """The schema a store's tables live in; `created` now; a note when it is not the
    one configured."""

    schema: str
    created: bool = False
    note: str = ""


def resolve_schema(engine: sa.Engine, schema: str, describe: str) -> SchemaChoice:
    """Where the store of `engine` (whose connections search `schema`) lives: `schema`,
    made when missing (needs the owner's right to create schemas), or `public` when that
    holds an older mtreview's store and `schema` none. One query when the store is there."""
    try:
        with engine.begin() as conn:
            if _has_table(conn, schema, meta.name):
                return SchemaChoice(schema)
            if schema != LEGACY_SCHEMA and _legacy_store(conn):
                return SchemaChoice(LEGACY_SCHEMA, note=_legacy_note(describe, schema))
            query = sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :name")
            if conn.execute(query, {"name": schema}).first() is not None:
                return SchemaChoice(schema)
            _create_schema(conn, schema, describe)
            return SchemaChoice(schema, created=True)
    except sa.exc.SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreError(f"{describe}: {first}") from None


def _legacy_note(describe: str, schema: str) -> str:
    return (
        f"{describe}: this store's tables are in schema public (made by an older mtreview); "
        f"kept there. To move them into {schema}, see 'PostgreSQL deployment' in docs/teams.md"
    )


def _create_schema(conn: Connection, schema: str, describe: str) -> None:
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise StoreError(
            f"{describe}: schema {schema} does not exist and this role may not create it: "
            "create the store as its owner (mtreview db upgrade --db OWNER_URL)"
        ) from None


def is_permission_error(exc: sa.exc.SQLAlchemyError) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE


def upgrade_refused(describe: str, schema: str | None) -> StoreError:
    """The app role opened a store that needs creating or upgrading: the owner's work."""
    where = f" in schema {schema}" if schema else ""
    return StoreError(
        f"{describe}: the store's tables{where} need creating or upgrading and this role "
        "may not change them: run `mtreview db upgrade --db OWNER_URL` as their owner"
    )


# --- tables that must be ours ---------------------------------------------------------------
def _columns_sql(dialect: str) -> str:
    if dialect == "sqlite":
        return (
            "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p "
            "WHERE m.type = 'table'"
        )
    return (  # the catalog, not information_schema: it lists columns one may not read too
        "SELECT c.relname, a.attname FROM pg_attribute AS a JOIN pg_class AS c "
        "ON a.attrelid = c.oid WHERE c.relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped"
    )


def present_columns(conn: Connection) -> dict[str, set[str]]:
    """Every table of the store's schema (SQLite: of the file) and its columns: one query."""
    found: dict[str, set[str]] = {}
    for table, column in conn.exec_driver_sql(_columns_sql(conn.dialect.name)):
        found.setdefault(str(table), set()).add(str(column))
    return found


def foreign_table(present: dict[str, set[str]], *, has_version: bool) -> str | None:
    """The first table of one of our names in `present` that is not ours, else None.
    Without a version row every such table is another's; with one, a table lacking a
    column we declare is (`sessions` of another application beside our other tables)."""
    for table in metadata.sorted_tables:
        columns = present.get(table.name)
        if columns is None:
            continue
        if not has_version or {column.name for column in table.columns} - columns:
            return table.name
    return None


def refuse_foreign(describe: str, schema: str | None, table: str) -> StoreError:
    name = f"{schema}.{table}" if schema else table
    where = f"schema {schema}" if schema else "this database"
    return StoreError(
        f"{describe}: table {name} is not mtreview's (another application's?); nothing "
        f"changed: give mtreview a schema of its own (db_schema) or another database than {where}"
    )


# --- the app role -----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Grants:
    """What `grant_app_role` gave `role` in `schema`: rows of `tables`, INSERT and SELECT
    only on `append_only`, and `sequences` (the ids' counters)."""

    role: str
    schema: str
    tables: tuple[str, ...]
    append_only: tuple[str, ...]
    sequences: tuple[str, ...]


def grant_app_role(conn: Connection, role: str, schema: str) -> Grants:
    """As the owner of the store's tables: `role` may read and change rows, add to the audit
    log and nothing more (every earlier right on our tables is revoked first, so running it
    again after an upgrade gives the new tables theirs and takes nothing else)."""
    check_name(role, "app role")
    found = conn.execute(
        sa.text("SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = :r"),
        {"r": role},
    ).first()
    if found is None:
        raise StoreError(f"no role {role!r} in this server: CREATE ROLE {role} LOGIN first")
    if found[0] or found[1]:
        which = "a superuser" if found[0] else "the owner connected"
        raise StoreError(f"role {role!r} is {which}: the app role must be a role of its own")
    tables = tuple(table.name for table in metadata.sorted_tables)
    listed = ", ".join(f"{schema}.{name}" for name in tables)
    conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {schema} FROM {role}")
    conn.exec_driver_sql(f"REVOKE ALL ON TABLE {listed} FROM {role}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    rows = [name for name in tables if name not in APPEND_ONLY]
    conn.exec_driver_sql(
        f"GRANT {ROWS} ON TABLE {', '.join(f'{schema}.{name}' for name in rows)} TO {role}"
    )
    for name in APPEND_ONLY:
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON TABLE {schema}.{name} TO {role}")
    sequences = _sequences(conn, schema)
    for sequence in sequences:
        conn.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {sequence} FROM {role}")
        conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {sequence} TO {role}")
    return Grants(role, schema, tuple(rows), APPEND_ONLY, sequences)


def _sequences(conn: Connection, schema: str) -> tuple[str, ...]:
    """The sequences behind our tables' generated ids (none of another's in `public`)."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            query = sa.text("SELECT pg_get_serial_sequence(:table, :column)")
            name = conn.execute(query, {"table": f"{schema}.{table.name}", "column": column.name})
            sequence = name.scalar()
            if sequence is not None:
                found.append(str(sequence))
    return tuple(found)
