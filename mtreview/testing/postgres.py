"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temp folder.

Real PostgreSQL, not a mock: the server binaries of Debian's `postgresql` package
(`/usr/lib/postgresql/<version>/bin`, or `initdb` on PATH). It listens on a Unix socket in
its own folder only (no TCP port, so parallel runs never collide), trusts local
connections, and is deleted when stopped. `initdb` refuses to run as root, so as root
(CI, containers) the server runs as the `postgres` system user that the Debian package
creates (or `MTREVIEW_PG_USER`), through `runuser`.

    with TemporaryPostgres() as server:
        url = server.create_database("t1")   # postgresql+psycopg://mtreview@/t1?host=...
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

from mtreview.errors import MTReviewError

SUPERUSER = "mtreview"
PORT = 5432  # only names the socket file: the server listens on no TCP port
# speed over durability: a test cluster is thrown away (the benchmark can keep fsync on)
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(MTReviewError):
    """No PostgreSQL server binaries here, or they would not start."""


def find_bindir() -> Path:
    """Where `initdb` and `pg_ctl` live: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (initdb); install Debian's `postgresql` "
        "(scripts/setup.sh does)"
    )


class TemporaryPostgres:
    """Start on enter, stop and delete on exit. `url(db)` gives a SQLAlchemy URL."""

    def __init__(self, *, durable: bool = False, max_connections: int = 200) -> None:
        self.bindir = find_bindir()
        self.durable = durable
        self.max_connections = max_connections
        self.folder = Path(tempfile.mkdtemp(prefix="mtreview-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self._run_as = self._system_user()

    @staticmethod
    def _system_user() -> str | None:
        if os.geteuid() != 0:
            return None
        name = os.environ.get("MTREVIEW_PG_USER", "postgres")
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root, and initdb refuses root: no system user {name!r} to run "
                "PostgreSQL as (Debian's postgresql package creates `postgres`; or set "
                "MTREVIEW_PG_USER)"
            ) from None
        return name

    def _command(self, *args: str) -> list[str]:
        line = [str(self.bindir / args[0]), *args[1:]]
        if self._run_as is None:
            return line
        return ["runuser", "-u", self._run_as, "--", *line]

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            self._command(*args), capture_output=True, text=True, check=False, cwd=self.folder
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PostgresUnavailable(f"{args[0]} failed: {' | '.join(tail)}")

    def start(self) -> None:
        if self._run_as is not None:
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-instructions",
        )  # fmt: skip
        options = [
            "-c listen_addresses=''",
            f"-c unix_socket_directories='{self.socket_dir}'",
            f"-p {PORT}",
            f"-c max_connections={self.max_connections}",
        ]
        if not self.durable:
            options += [f"-c {setting}" for setting in FAST_SETTINGS]
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
            "-o", " ".join(options), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={PORT}"

    def _admin(self, statement: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Gone, even with connections still open (a store a test did not close)."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
