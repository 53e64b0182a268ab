"""PostgreSQL with least privilege (issue 21, point 5), on the real server the tests start.

The owner role creates and upgrades the store (`mtreview db upgrade`) and grants the app
role the rows only (`mtreview db grant`): as the app role, review work goes on, but the
audit log cannot be rewritten or cut, no table dropped or created, and an outdated store
is the owner's to upgrade. The tables live in a schema of their own (`db_schema`, default
`mtreview`): another application's `sessions` in `public` is never seen, and a table of
one of our names in our schema that is not ours is refused in one line, nothing changed.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mtreview.cli import main
from mtreview.errors import StoreError
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.postgres import schema_url
from mtreview.testing.postgres import TemporaryPostgres
from mtreview.testing.team import provider_sign_in, team

TEXT = "".join(f"Phrase numéro {n} du texte.\n\n" for n in range(4))
PASSWORD = "Quatre chevaux gris sautent 1987 haies"
_NUMBERS = itertools.count(1)


class Cluster:
    """A fresh database on the session's server, with an owner role and an app role."""

    def __init__(self, server: TemporaryPostgres) -> None:
        number = next(_NUMBERS)
        self.server = server
        self.database = f"roles{number}"
        self.owner, self.app = f"owner{number}", f"app{number}"
        self.superuser = server.create_database(self.database)
        self.sql(f"CREATE ROLE {self.owner} LOGIN PASSWORD 'owner secret'")
        self.sql(f"CREATE ROLE {self.app} LOGIN PASSWORD 'app secret'")
        self.sql(f"GRANT CREATE ON DATABASE {self.database} TO {self.owner}")

    def url(self, role: str, password: str) -> str:
        return (
            sa.make_url(self.superuser)
            .set(username=role, password=password)
            .render_as_string(hide_password=False)
        )

    @property
    def owner_url(self) -> str:
        return self.url(self.owner, "owner secret")

    @property
    def app_url(self) -> str:
        return self.url(self.app, "app secret")

    def sql(self, statement: str, url: str | None = None) -> list[tuple[object, ...]]:
        """One statement in its own transaction, as the superuser unless `url` says who."""
        engine = sa.create_engine(url or self.superuser, poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as conn:
                result = conn.exec_driver_sql(statement)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def tables(self, schema: str) -> list[str]:
        query = f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' ORDER BY 1"
        return [str(row[0]) for row in self.sql(query)]

    def close(self) -> None:
        self.server.drop_database(self.database)
        for role in (self.owner, self.app):
            self.sql(f"DROP ROLE IF EXISTS {role}", self.server.url())


@pytest.fixture
def cluster(postgres: TemporaryPostgres) -> Iterator[Cluster]:
    made = Cluster(postgres)
    yield made
    made.close()


def _one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert len(lines) == 1, lines
    return code, lines[0]


def _granted(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    assert _one_line(capsys, ["db", "upgrade", "--db", cluster.owner_url])[0] == 0
    code, line = _one_line(
        capsys, ["db", "grant", "--db", cluster.owner_url, "--app-role", cluster.app]
    )
    assert code == 0 and "INSERT and SELECT only on audit_log" in line, line


def test_the_app_role_reviews_but_cannot_rewrite_the_audit_log(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    _granted(cluster, capsys)
    owners = {
        row[0]
        for row in cluster.sql("SELECT tableowner FROM pg_tables WHERE schemaname = 'mtreview'")
    }
    assert owners == {cluster.owner}

    with ReviewStore(cluster.app_url) as store:  # the app, connected as the app role
        who = team(store, {"lena": ("lead", None)})
        doc = document_from_text(TEXT, doc_id="d", name="d.txt")
        store.add_document(doc, by=who["admin"])
        store.add_user("anne", role="reviewer", password=PASSWORD, by=who["admin"])
        anne = store.sign_in("anne", PASSWORD).principal
        store.assign("d", ["anne"], by=who["lena"])
        store.add_annotation("d", 1, 0, 6, category="Other", severity="minor", reviewer=anne)
        store.save_correction("d", 2, "Phrase deux.", expected_version=0, reviewer=anne)
        assert store.segment("d", 2, viewer=anne).current_text == "Phrase deux."
        actions = [entry.action for entry in store.audit_log()]
        assert {"import-document", "add-user", "annotate", "correct"} <= set(actions), actions
        rows = len(actions)

    forbidden = [
        "DELETE FROM mtreview.audit_log",
        "UPDATE mtreview.audit_log SET actor = 'mallory'",
        "TRUNCATE mtreview.audit_log",
        "DROP TABLE mtreview.segments",
        "ALTER TABLE mtreview.accounts ADD COLUMN x int",
        "CREATE TABLE mtreview.mine (x int)",
        "CREATE SCHEMA mine",
    ]
    for statement in forbidden:
        with pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"):
            cluster.sql(statement, cluster.app_url)
    assert _one_line(capsys, ["audit", "verify", "--db", cluster.app_url]) == (
        0,
        _one_line(capsys, ["audit", "verify", "--db", cluster.owner_url])[1],
    )
    count = cluster.sql("SELECT count(*) FROM mtreview.audit_log")[0][0]
    assert count == rows


def test_an_outdated_store_is_the_owners_to_upgrade(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(StoreError, match="may not create it: create the store as its owner"):
        ReviewStore(cluster.app_url)  # no store yet, and the app may not make one
    _granted(cluster, capsys)
    cluster.sql("UPDATE mtreview.meta SET value = '4' WHERE key = 'schema'", cluster.owner_url)
    cluster.sql("DROP TABLE mtreview.sign_in_failures", cluster.owner_url)
    before = cluster.tables("mtreview")

    code, line = _one_line(capsys, ["audit", "verify", "--db", cluster.app_url])
    assert code == 2 and "run `mtreview db upgrade --db OWNER_URL` as their owner" in line
    assert cluster.tables("mtreview") == before

    assert _one_line(capsys, ["db", "upgrade", "--db", cluster.owner_url])[0] == 0
    _granted(cluster, capsys)  # again: the new table gets its rights
    with ReviewStore(cluster.app_url) as store:
        store.add_user("admin", role="admin", password=None, by="admin")
        assert store.has_accounts()


def test_a_table_of_our_name_that_is_not_ours_is_refused(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.sql("CREATE TABLE public.sessions (id serial PRIMARY KEY, data text)")
    with ReviewStore(cluster.superuser) as store:  # another application's, in public: unseen
        who = team(store, {"anne": ("reviewer", None)})
        assert store.principal(provider_sign_in(store, "anne").token) is not None
        assert who["anne"].name == "anne"
    assert cluster.sql("SELECT count(*) FROM public.sessions") == [(0,)]

    cluster.sql("CREATE SCHEMA other")
    cluster.sql("CREATE TABLE other.sessions (id serial PRIMARY KEY, data text)")
    code, line = _one_line(
        capsys, ["db", "upgrade", "--db", cluster.superuser, "--db-schema", "other"]
    )
    assert code == 2
    assert "table other.sessions is not mtreview's" in line and "nothing changed" in line
    assert cluster.tables("other") == ["sessions"]

    # beside our other tables, with our version row: its columns give it away
    cluster.sql("DROP TABLE mtreview.sessions")
    cluster.sql("CREATE TABLE mtreview.sessions (id serial PRIMARY KEY, data text)")
    with pytest.raises(StoreError, match=r"table mtreview\.sessions is not mtreview's"):
        ReviewStore(cluster.superuser)


def test_a_store_in_a_schema_of_its_own(
    cluster: Cluster, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    with ReviewStore(cluster.superuser, schema="team_b") as store:
        store.add_document(doc)
        assert store.schema == "team_b"
    assert "documents" in cluster.tables("team_b")
    monkeypatch.setenv("MTREVIEW_DB_SCHEMA", "team_b")  # the setting reaches the commands
    code, line = _one_line(capsys, ["audit", "verify", "--db", cluster.superuser])
    assert code == 0 and line.startswith("audit log: 1 rows"), line
    monkeypatch.delenv("MTREVIEW_DB_SCHEMA")
    assert cluster.tables("mtreview") == []
    with ReviewStore(cluster.superuser) as default, ReviewStore(store.url) as again:
        assert default.documents() == [] and [d.doc_id for d in again.documents()] == ["d"]
    with pytest.raises(StoreError, match="db_schema 'Team-B'"):
        ReviewStore(cluster.superuser, schema="Team-B")


def test_a_store_an_older_mtreview_made_in_public_is_kept_there(cluster: Cluster) -> None:
    doc = document_from_text(TEXT, doc_id="d", name="d.txt")
    with ReviewStore(schema_url(cluster.superuser, "public")) as old:  # as before schemas
        old.add_document(doc)
    with ReviewStore(cluster.superuser) as store:
        assert store.schema == "public" and [d.doc_id for d in store.documents()] == ["d"]
        assert "kept there" in store.notes[0]
    assert cluster.tables("mtreview") == []


def test_sqlite_refuses_a_foreign_table_too(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, data TEXT)")
    with pytest.raises(StoreError, match="table sessions is not mtreview's"):
        ReviewStore(db)
    with sqlite3.connect(db) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["sessions"]
