"""Store plumbing: database URL, SQLite pragmas (WAL), transactions, reviewers.

Writers on SQLite open their transaction with BEGIN IMMEDIATE, so two processes never both
read-then-write the same rows; PostgreSQL relies on the unique constraints instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.mqm import Typology, load_typology
from mtreview.roles import ROLES
from mtreview.store import audit, postgres
from mtreview.store.access import Acting, check_segment, has_accounts, team_member
from mtreview.store.migrate import MIGRATIONS
from mtreview.store.names import clean_name, new_name
from mtreview.store.principal import LOCAL_ROLE, Principal
from mtreview.store.schema import SCHEMA_VERSION, Reviewer, meta, metadata, now, reviewers
from mtreview.store.team_schema import audit_log  # noqa: F401  (team tables for create_all)
from mtreview.store.text import guard_engine, store_json
from mtreview.store.throttle import ThrottlePolicy


def new_id(result: Any) -> int:
    """The primary key of the row an INSERT just made."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise StoreError("the database did not return the new row's id")
    return int(key[0])


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
        with self._errors(), self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            pending: list[dict[str, object]] = []
            info = conn.info  # the pooled connection's: cleared whatever happens
            info[audit.PENDING] = pending
            try:
                with conn.begin():
                    yield conn
                    audit.append(conn, pending)
            finally:
                info.pop(audit.PENDING, None)

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """One snapshot for every query of the read: SQLite's read transactions already are;
        PostgreSQL's default (READ COMMITTED) would let a row committed between two queries
        show in the second only (a reviewer named by an annotation but not in the names)."""
        with self._errors(), self.engine.connect() as conn:
            if not self.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

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
            return team_member(conn, who, permission)
        name = clean_name(who)
        if create:
            rid: int | None = self._reviewer_id(conn, name)
        else:
            found = conn.execute(sa.select(reviewers.c.id).where(reviewers.c.name == name))
            rid = found.scalar()
        return Acting(name, rid, ROLES[LOCAL_ROLE], team=False)

    def _viewing(self, conn: Connection, viewer: str | None, permission: str) -> Acting | None:
        """Who reads another's work: None on a store without accounts when no one is named
        (nothing to hide from the single user); else as `_acting`, creating nothing."""
        if viewer is None and not has_accounts(conn):
            return None
        return self._acting(conn, viewer or "", permission)

    def _reviewing(self, conn: Connection, who: str, seg: Any) -> Acting:
        """`who` acting on the segment row `seg`: allowed to review, and (without
        "see-all") the segment is assigned to them."""
        acting = self._acting(conn, who, "review", create=True)
        check_segment(conn, acting, seg.id, f"segment {seg.idx} of {seg.doc_id!r}")
        return acting

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
