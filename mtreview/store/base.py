"""Store plumbing: database URL, SQLite pragmas (WAL), transactions, reviewers.

Writers on SQLite open their transaction with BEGIN IMMEDIATE, so two processes never both
read-then-write the same rows; PostgreSQL relies on the unique constraints instead.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.mqm import Typology, load_typology
from mtreview.roles import ROLES
from mtreview.store import audit, layout, postgres
from mtreview.store.access import (
    Acting,
    Assignment,
    assignment,
    check_segment,
    has_accounts,
    permitted,
    session_member,
)
from mtreview.store.migrate import MIGRATIONS
from mtreview.store.names import clean_name, new_name
from mtreview.store.principal import LOCAL_ROLE, Principal
from mtreview.store.read import ROWS_MEMO
from mtreview.store.schema import SCHEMA_VERSION, Reviewer, meta, metadata, now, reviewers
from mtreview.store.team_schema import audit_log  # noqa: F401  (team tables for create_all)
from mtreview.store.text import guard_engine, store_json
from mtreview.store.throttle import ThrottlePolicy


class SharedRead(threading.local):
    """One thread's read transaction inside `StoreBase.one_read`, and the principals
    checked in it."""

    def __init__(self) -> None:
        self.depth = 0  # `one_read` blocks open in this thread
        self.active = 0  # reads using the transaction right now
        self.stale = False  # written since it began: end it once no read is using it
        self.conn: Connection | None = None
        self.transaction: sa.RootTransaction | None = None
        self.members: dict[tuple[str, str | None], Acting] = {}

    def written(self) -> None:
        """A write is about to commit: the reads after it must see it."""
        if self.active:
            self.stale = True
        else:
            self.end(failed=False)

    def end(self, *, failed: bool) -> None:
        """The transaction closed (a read: rolled back when a statement failed)."""
        conn, transaction = self.conn, self.transaction
        self.conn, self.transaction, self.members, self.stale = None, None, {}, False
        if conn is None:
            return
        conn.info.pop(ROWS_MEMO, None)  # (the pooled connection's: it outlives this read)
        with contextlib.suppress(sa.exc.SQLAlchemyError):  # the read's answers are given
            if transaction is not None and transaction.is_active:
                (transaction.rollback if failed else transaction.commit)()
        conn.close()


def new_id(result: Any) -> int:
    """The primary key of the row an INSERT just made."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise StoreError("the database did not return the new row's id")
    return int(key[0])


def conflict_insert(conn: Connection, table: sa.Table) -> Any | None:
    """An INSERT into `table` that can say ON CONFLICT (SQLite and PostgreSQL both can:
    one statement where a savepoint around a plain INSERT is three), or None elsewhere."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 35):  # RETURNING
        return sqlite.insert(table)
    return None


def insert_new(conn: Connection, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert the row unless a unique key already holds one like it: whether it went in.
    The transaction goes on either way."""
    statement = conflict_insert(conn, table)
    if statement is not None:  # (a row back from RETURNING: rowcount is not told everywhere)
        key = next(iter(table.primary_key.columns))
        statement = statement.values(**values).on_conflict_do_nothing().returning(key)
        return conn.execute(statement).first() is not None
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**values))
        return True
    except sa.exc.IntegrityError:
        return False


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL as given, or a file path turned into an SQLite URL."""
    text = str(db)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, expected a database file")
    if not path.parent.is_dir():
        raise StoreError(f"{path}: folder {path.parent} does not exist")
    return f"sqlite:///{path}"


def _is_postgres(url: str) -> bool:
    try:
        return sa.make_url(url).get_backend_name() == "postgresql"
    except sa.exc.ArgumentError:  # left to create_engine, which says why
        return False


SQLITE_FILES = ("", "-wal", "-shm", "-journal")  # a store file and what SQLite puts beside it


def sqlite_file(db: str | Path) -> Path | None:
    """The file of an SQLite store (given as a path or an `sqlite:///` URL), else None."""
    try:
        url = sa.make_url(database_url(db))
    except (StoreError, sa.exc.ArgumentError):
        return None
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def store_exists(db: str | Path) -> bool:
    """Whether `db` names a store that is there: an SQLite file, or any database URL
    (a server's database is not created by mtreview)."""
    path = sqlite_file(db)
    return path.is_file() if path is not None else "://" in str(db)


@contextlib.contextmanager
def removed_on_failure(db: str | Path, *, keep_if_interrupted: bool = False) -> Iterator[None]:
    """A command that creates the SQLite store `db` and then fails leaves no new store
    behind (nor its -wal, -shm, -journal): the files it made are removed when the block
    raises. A store that was there before is never touched. `keep_if_interrupted`: Ctrl-C
    keeps what was stored (`score --db --resume` continues it). Close the store inside
    the block, so its files are shut when they go."""
    path = sqlite_file(db)
    made = [] if path is None or path.exists() else [Path(f"{path}{end}") for end in SQLITE_FILES]
    made = [file for file in made if not file.exists()]
    try:
        yield
    except BaseException as exc:
        if not (keep_if_interrupted and isinstance(exc, KeyboardInterrupt)):
            for file in made:
                with contextlib.suppress(OSError):  # the command's own error comes first
                    file.unlink(missing_ok=True)
        raise


def _create_private(url: str) -> None:
    """A new SQLite store is made readable by its owner only (0600, less the umask), before
    SQLite opens it: SQLite gives the -wal, -shm and -journal beside it the main file's
    mode. A file already there is left as it is (it may not be ours to change)."""
    path = sqlite_file(url)
    if path is None:
        return
    try:
        made = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # there already, or not creatable: SQLite opens it or says why
        return
    os.close(made)


def _sqlite_pragmas(engine: sa.Engine) -> None:
    """WAL + busy timeout; we issue BEGIN ourselves so writers can take the lock up front."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


# audit actors that are no one's name (`system:` is a reserved prefix, mtreview.store.names)
UNKNOWN_ACTOR = "system:unknown"  # a refused sign-in with no valid name
SYSTEM_ACTOR = "system:library"  # a library caller that named no one


class StoreBase:
    """Engine, transactions and reviewers: what every part of the store shares."""

    def __init__(
        self,
        db: str | Path,
        *,
        typology: Typology | None = None,
        throttle: ThrottlePolicy | None = None,
        schema: str = postgres.DEFAULT_SCHEMA,
    ) -> None:
        """`typology`: the MQM labels and severities annotations must use (the team's
        `mqm_typology` setting; None: the shipped table). `throttle`: the sign-in policy
        (`mtreview.store.throttle`; None: its defaults). `schema`: on PostgreSQL, the
        schema of the tables (the `db_schema` setting; a URL's own `search_path` wins;
        `mtreview.store.postgres`); SQLite has none."""
        self._shared = SharedRead()
        self._team = False  # accounts seen: a team store (`has_accounts`)
        self.layout_writes = 0  # layout changes this object committed (`layout_version`)
        self.typology = typology if typology is not None else load_typology()
        self.throttle = throttle if throttle is not None else ThrottlePolicy()
        self.url = database_url(db)
        self._shown = self.url  # without the search_path added below, for messages
        self.is_sqlite = self.url.startswith("sqlite")
        self.schema: str | None = None  # PostgreSQL's: where the tables are
        self.notes: tuple[str, ...] = ()  # what the faces should tell (a store kept in public)
        _create_private(self.url)
        if _is_postgres(self.url):
            self.schema = postgres.check_name(postgres.url_schema(self.url) or schema, "db_schema")
            self.url = postgres.schema_url(self._shown, self.schema)
        self.engine = self._engine(db)
        if self.schema is not None:
            self._choose_schema(db, self.schema)
        with self._errors():
            self._check_schema()

    def _engine(self, db: str | Path) -> sa.Engine:
        try:
            options: dict[str, Any] = {"json_serializer": store_json}
            if self.url in ("sqlite://", "sqlite:///:memory:"):
                options["poolclass"] = sa.pool.StaticPool
            elif self.is_sqlite:
                options["connect_args"] = {"timeout": 30}
            engine = sa.create_engine(self.url, **options)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StoreError(f"{db}: not a usable database URL ({exc})") from None
        if self.is_sqlite:
            _sqlite_pragmas(engine)
        guard_engine(engine)
        layout.watch(engine)
        return engine

    def _choose_schema(self, db: str | Path, schema: str) -> None:
        """PostgreSQL: every connection's search_path is `schema` alone, made when new;
        or `public`, where an older mtreview's store is. The engine is made again when
        the schema was not there at its first connection (SQLAlchemy keeps that one's)."""
        choice = postgres.resolve_schema(self.engine, schema, self.describe())
        if choice.schema == schema and not choice.created:
            return
        self.engine.dispose()
        self.schema = choice.schema
        self.notes = (choice.note,) if choice.note else ()
        self.url = postgres.schema_url(self._shown, choice.schema)
        self.engine = self._engine(db)

    # --- plumbing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            ours = getattr(exc, "orig", None)
            if isinstance(ours, StoreError):  # raised by store_json, wrapped by SQLAlchemy
                raise ours from None
            first = str(exc.orig if hasattr(exc, "orig") and exc.orig else exc).splitlines()[0]
            raise StoreError(f"{self.describe()}: {first}") from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; the audit rows its actions queued (`_audit`) are chained
        last, just before the commit, so the chain's head stays locked only that long."""
        self._shared.written()  # the reads after this write see it
        with self._errors(), self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            pending: list[dict[str, object]] = []
            info = conn.info  # the pooled connection's: cleared whatever happens
            info[audit.PENDING] = pending
            info.pop(layout.CHANGED, None)
            try:
                with conn.begin():
                    yield conn
                    audit.append(conn, pending)
                    changed = info.pop(layout.CHANGED, False)
                    if changed:
                        layout.bump(conn)
                if changed:
                    self.layout_writes += 1
            finally:
                info.pop(audit.PENDING, None)
                info.pop(layout.CHANGED, None)

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """One snapshot for every query of the read: SQLite's read transactions already are;
        PostgreSQL's default (READ COMMITTED) would let a row committed between two queries
        show in the second only (a reviewer named by an annotation but not in the names).
        Inside `one_read()`, the block's one transaction."""
        shared = self._shared
        if shared.depth:
            yield from self._shared_read(shared)
            return
        with self._errors(), self.engine.connect() as conn:
            if not self.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def _shared_read(self, shared: SharedRead) -> Iterator[Connection]:
        if shared.conn is None:
            try:
                with self._errors():
                    shared.conn = conn = self.engine.connect()
                    if not self.is_sqlite:
                        conn.execution_options(isolation_level="REPEATABLE READ")
                    shared.transaction = conn.begin()
                    conn.info[ROWS_MEMO] = {}  # segment rows, read once in this transaction
            except BaseException:
                shared.end(failed=True)
                raise
        shared.active += 1
        try:
            with self._errors():
                yield shared.conn
        except BaseException:
            shared.end(failed=True)  # (a failed statement ends a PostgreSQL transaction)
            raise
        finally:
            shared.active -= 1
        if shared.stale and not shared.active:
            shared.end(failed=False)

    @contextlib.contextmanager
    def one_read(self) -> Iterator[None]:
        """Every read of this thread inside the block shares one read transaction (one
        snapshot of the store, one round of BEGIN/COMMIT), and a principal is checked once
        in it: the app's script run (`mtreview.ui.page`) reads its page this way. A write
        inside the block ends that transaction, so the reads after it see the write."""
        shared = self._shared
        shared.depth += 1
        try:
            yield
        finally:
            shared.depth -= 1
            if not shared.depth:
                shared.end(failed=False)

    def layout_version(self) -> tuple[int, int]:
        """What the store's layout (documents, their segments, assignments) is at: the
        store's count of its changes, and those this object made itself (a cache keyed by
        both misses after a change made here, even within the read that counted)."""
        with self._read() as conn:
            return layout.read(conn), self.layout_writes

    def _check_schema(self) -> None:
        """Create the tables of a new store, bring an older one up to date (in this one
        transaction), refuse one this mtreview does not know before touching it, and a
        table of one of our names that is not ours (the transaction rolls back: nothing
        changed). A role that may not create or alter tables (the app role on PostgreSQL)
        is told to have the owner do it."""
        with self._write() as conn:
            try:
                self._bring_up_to_date(conn)
            except sa.exc.ProgrammingError as exc:
                if postgres.is_permission_error(exc):
                    raise postgres.upgrade_refused(self.describe(), self.schema) from None
                raise

    def _bring_up_to_date(self, conn: Connection) -> None:
        present = postgres.present_columns(conn)
        found = None
        if {"key", "value"} <= present.get(meta.name, set()):
            query = sa.select(meta.c.value).where(meta.c.key == "schema")
            found = conn.execute(query).scalar()
        migrated = False
        while found is not None and found != str(SCHEMA_VERSION) and found in MIGRATIONS:
            MIGRATIONS[found](conn)  # an older store, brought up to date in place
            found = str(int(found) + 1)
            conn.execute(meta.update().where(meta.c.key == "schema").values(value=found))
            migrated = True
        if found is not None and found != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.describe()}: store schema {found}, this mtreview reads "
                f"{SCHEMA_VERSION}; export its reviews with the mtreview that wrote it "
                "(mtreview export --format reviews) and import-reviews them into a new store"
            )
        if migrated:
            present = postgres.present_columns(conn)
        foreign = postgres.foreign_table(present, has_version=found is not None)
        if foreign is not None:
            raise postgres.refuse_foreign(self.describe(), self.schema, foreign)
        if found is None or not set(metadata.tables) <= set(present):
            metadata.create_all(conn)
        if found is None:
            conn.execute(meta.insert().values(key="schema", value=str(SCHEMA_VERSION)))

    def grant_app_role(self, role: str) -> postgres.Grants:
        """As the owner of a PostgreSQL store: give `role` the rows, not the tables
        (`mtreview.store.postgres.grant_app_role`). SQLite has no roles: its file's mode
        (0600) is what guards it."""
        if self.schema is None:
            raise StoreError(
                f"{self.describe()}: roles are PostgreSQL's; an SQLite store is guarded by "
                "its file's mode (0600)"
            )
        with self._errors(), self.engine.begin() as conn:
            return postgres.grant_app_role(conn, role, self.schema)

    def describe(self) -> str:
        """The database without any password, for messages."""
        return sa.make_url(self._shown).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- who acts -------------------------------------------------------------------------
    def _acting(
        self, conn: Connection, who: str, permission: str, *, create: bool = False
    ) -> Acting:
        """Who `who` acts as in this transaction. On a team store (one with accounts): a
        live principal whose role permits `permission`, else AccessError. On a store
        without accounts: the name given (one local user: nothing to authenticate), with
        every permission; its reviewer row is made when `create` (a reviewer's write).
        A principal with its proof is checked against its session, which only a team
        store has: no need to ask whether the store has accounts."""
        if (isinstance(who, Principal) and who.proof is not None) or has_accounts(conn):
            return permitted(self._member(conn, who), permission)
        name = clean_name(who)
        if create:
            rid: int | None = self._reviewer_id(conn, name)
        else:
            found = conn.execute(sa.select(reviewers.c.id).where(reviewers.c.name == name))
            rid = found.scalar()
        return Acting(name, rid, ROLES[LOCAL_ROLE], team=False)

    def _member(self, conn: Connection, who: str) -> Acting:
        """The session behind `who`, checked in this transaction: once per shared read
        (`one_read`), else at every call."""
        shared = self._shared
        if conn is not shared.conn or not isinstance(who, Principal):
            return session_member(conn, who)
        key = (who.name, who.proof)
        if key not in shared.members:
            shared.members[key] = session_member(conn, who)
        return shared.members[key]

    def _checked(self, conn: Connection, proof: str, acting: Acting) -> None:
        """A session just checked in `conn` (`session_user`): in a shared read, its
        principal needs no other check in that transaction."""
        if conn is self._shared.conn:
            self._shared.members[(acting.name, proof)] = acting

    def _viewing(self, conn: Connection, viewer: str | None, permission: str) -> Acting | None:
        """Who reads another's work: None on a store without accounts when no one is named
        (nothing to hide from the single user); else as `_acting`, creating nothing."""
        if viewer is None and not has_accounts(conn):
            return None
        return self._acting(conn, viewer or "", permission)

    def _reviewing(self, conn: Connection, who: str, seg: Any) -> Acting:
        """`who` acting on the segment row `seg`: allowed to review, and (without
        "see-all") the segment is assigned to them."""
        return self._reviewing_assigned(conn, who, seg)[0]

    def _reviewing_assigned(
        self, conn: Connection, who: str, seg: Any, found: Assignment | None = None
    ) -> tuple[Acting, Assignment | None]:
        """`_reviewing`, with the segment's `Assignment` (`found`: when the caller read it
        with the row, `access.segment_assigned`; else asked here, but not for "see-all",
        who need not be assigned: then None)."""
        acting = self._acting(conn, who, "review", create=True)
        if acting.can("see-all"):
            return acting, found
        found = found or assignment(conn, seg.id)
        check_segment(conn, acting, seg.id, f"segment {seg.idx} of {seg.doc_id!r}", found)
        return acting, found

    # --- reviewers ------------------------------------------------------------------------
    def _reviewer_id(self, conn: Connection, name: str) -> int:
        clean = clean_name(name)
        query = sa.select(reviewers.c.id).where(reviewers.c.name == clean)
        found = conn.execute(query).scalar()
        if found is not None:
            return int(found)
        clean = new_name(clean, conn.execute(sa.select(reviewers.c.name)).scalars())
        try:
            with conn.begin_nested():
                result = conn.execute(reviewers.insert().values(name=clean, created_at=now()))
                return new_id(result)
        except sa.exc.IntegrityError:  # another writer added the same name just now
            return int(conn.execute(query).scalar_one())

    def _audit(
        self,
        conn: Connection,
        actor: str,
        action: str,
        doc_id: str | None = None,
        segment: int | None = None,
        **detail: object,
    ) -> None:
        """One line of the audit log, in the transaction of the action it records: chained
        (`mtreview.store.audit`) when the transaction commits."""
        entry: dict[str, object] = {
            "at": now(),
            "actor": clean_name(actor),
            "action": action,
            "doc_id": doc_id,
            "segment": segment,
            "detail": audit.normalized(detail),
        }
        pending = conn.info.get(audit.PENDING)
        if pending is None:  # a connection not opened by `_write`: chain it now
            audit.append(conn, [entry])
        else:
            pending.append(entry)

    def _audit_now(self, actor: str | None, action: str, **detail: object) -> None:
        """An audit row in a transaction of its own: for what was refused (a failed
        sign-in), whose transaction, if any, rolls back. `actor` None: no valid name."""
        with self._write() as conn:
            self._audit(conn, actor or UNKNOWN_ACTOR, action, None, None, **detail)

    def verify_audit(self) -> audit.AuditCheck:
        """The audit log's hash chain recomputed: intact, or its first broken row."""
        with self._read() as conn:
            return audit.verify(conn)

    def reviewer(self, name: str) -> Reviewer:
        """The reviewer of this name, created on first use."""
        with self._write() as conn:
            rid = self._reviewer_id(conn, name)
            row = conn.execute(sa.select(reviewers).where(reviewers.c.id == rid)).one()
        return Reviewer(row.id, row.name, row.created_at)

    def reviewers(self) -> list[Reviewer]:
        with self._read() as conn:
            rows = conn.execute(sa.select(reviewers).order_by(reviewers.c.name)).all()
        return [Reviewer(row.id, row.name, row.created_at) for row in rows]
