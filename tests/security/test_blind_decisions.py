"""Pre-highlight decisions are each reviewer's own (schema 9): on a segment two reviewers
review blind, anne accepts the flag bob rejected, and neither reads, nor is refused by,
the other's decision: in the store's reads and over the wire (the page each one's tab
receives, by the raw websocket client). A lead reads both; a backup carries both and
brings both back; a new analysis moves both with their flag. A store of schema 8 (one
decision per flag) is brought up to date in place, its decisions kept, on SQLite and on
PostgreSQL (where the key changes in place: the table, and the app role's rights on it,
stay)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit_stream import open_stream, read_run, request_run

from mtreview.analysis import SegmentAnalysis
from mtreview.flags import Flag
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore, SegmentReview
from mtreview.store.principal import Principal
from mtreview.store.schema import SCHEMA_VERSION
from mtreview.testing.browser import streamlit_app
from mtreview.testing.postgres import TemporaryPostgres
from mtreview.testing.team import provider_sign_in, team
from mtreview.ui.session_routes import COOKIE

TEXT = "".join(f"Phrase numero {n} du texte.\n\n" for n in range(3))
FLAG = Flag(0, 6, "Fluency/Grammar", "minor", ("rule:repeat",), "mot repete")
OTHER = Flag(7, 13, "Accuracy/Mistranslation", "major", ("rule:other",), "autre")
PEOPLE: dict[str, tuple[str, str | None]] = {
    "anne": ("reviewer", None),
    "bob": ("reviewer", None),
    "lena": ("lead", None),
}


def _blind_store(db: Path | str) -> dict[str, Principal]:
    """Segment 0 (one pre-highlight) reviewed blind by anne and bob; bob rejected the flag
    first, then anne accepted it."""
    with ReviewStore(db) as store:
        who = team(store, PEOPLE)
        doc = document_from_text(TEXT, doc_id="d", name="d.txt")
        found = [SegmentAnalysis(segment=s, flags=(FLAG,)) for s in doc.segments]
        store.add_document(doc, found, by=who["admin"])
        store.assign("d", ["anne", "bob"], by=who["lena"], first=0, last=0, overlap=1.0)
        store.decide_flag("d", 0, 0, accept=False, reviewer=who["bob"])
        store.decide_flag("d", 0, 0, accept=True, reviewer=who["anne"])  # no refusal
    return who


def _decided(review: SegmentReview) -> set[tuple[str, str]]:
    return {(d.reviewer, d.decision) for d in review.decisions}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ReviewStore, dict[str, Principal]]]:
    who = _blind_store(tmp_path / "team.db")
    with ReviewStore(tmp_path / "team.db") as store:
        yield store, who


def test_each_blind_reviewer_reads_only_their_own_decision(world) -> None:
    store, who = world
    anne, bob, lena = who["anne"], who["bob"], who["lena"]
    mine = store.segment("d", 0, viewer=anne)
    assert _decided(mine) == {("anne", "accepted")}
    assert mine.decision(0).decision == "accepted"  # type: ignore[union-attr]
    assert [a.reviewer for a in mine.annotations] == ["anne"]  # her accepted flag
    theirs = next(iter(store.iter_segments("d", viewer=bob)))
    assert _decided(theirs) == {("bob", "rejected")} and not theirs.annotations
    # what a write hands back is as blind as a read
    assert _decided(store.decide_flag("d", 0, 0, accept=True, reviewer=bob)) == {
        ("bob", "accepted")
    }
    everyone = store.segment("d", 0, viewer=lena)  # a lead: both, and both annotations
    assert _decided(everyone) == {("anne", "accepted"), ("bob", "accepted")}
    assert sorted(a.reviewer for a in everyone.annotations) == ["anne", "bob"]
    assert everyone.decision(0, "bob").reviewer == "bob"  # type: ignore[union-attr]
    # anne changes her mind: her annotation goes, bob's stays
    store.decide_flag("d", 0, 0, accept=False, reviewer=anne)
    assert _decided(store.segment("d", 0, viewer=anne)) == {("anne", "rejected")}
    assert [a.reviewer for a in store.segment("d", 0, viewer=lena).annotations] == ["bob"]
    store.adjudicate("d", 0, by=lena, text=None, spans=[])
    assert len(store.segment("d", 0, viewer=lena).decisions) == 2
    assert _decided(store.segment("d", 0, viewer=anne)) == {("anne", "rejected")}


def test_a_backup_and_a_new_analysis_keep_both_decisions(world, tmp_path: Path) -> None:
    store, who = world
    backup = io.BytesIO()
    store.write_reviews(backup)
    (tmp_path / "backup.jsonl").write_bytes(backup.getvalue())
    with ReviewStore(tmp_path / "copy.db") as copy:
        assert copy.import_reviews(tmp_path / "backup.jsonl").decisions == 2
        assert _decided(copy.segment("d", 0)) == {("anne", "accepted"), ("bob", "rejected")}
        again = copy.import_reviews(tmp_path / "backup.jsonl")  # a merge: nothing twice
        assert again.decisions == 0 and len(copy.segment("d", 0).decisions) == 2
    seg = store.segment("d", 0).analysis.segment
    store.replace_analyses("d", [SegmentAnalysis(segment=seg, flags=(OTHER, FLAG))])
    moved = store.segment("d", 0, viewer=who["lena"])
    assert {(d.reviewer, d.flag_index) for d in moved.decisions} == {("anne", 1), ("bob", 1)}


def _old_key_sqlite(db: Path) -> None:
    """flag_decisions as schema 8 had it (one decision per flag), rows kept; schema 8."""
    with sqlite3.connect(db) as conn:
        conn.executescript(
            """
            CREATE TABLE old (segment_id INTEGER NOT NULL, flag_index INTEGER NOT NULL,
                decision VARCHAR(20) NOT NULL, annotation_id INTEGER,
                reviewer_id INTEGER NOT NULL, created_at VARCHAR(40) NOT NULL,
                PRIMARY KEY (segment_id, flag_index),
                FOREIGN KEY(segment_id) REFERENCES segments (id) ON DELETE CASCADE,
                FOREIGN KEY(annotation_id) REFERENCES annotations (id) ON DELETE SET NULL,
                FOREIGN KEY(reviewer_id) REFERENCES reviewers (id));
            INSERT INTO old SELECT * FROM flag_decisions WHERE reviewer_id =
                (SELECT id FROM reviewers WHERE name = 'bob');
            DROP TABLE flag_decisions;
            ALTER TABLE old RENAME TO flag_decisions;
            UPDATE meta SET value = '8' WHERE key = 'schema';
            """
        )


def _rows(conn: sa.Connection) -> list[tuple[object, ...]]:
    query = "SELECT segment_id, flag_index, decision, reviewer_id FROM flag_decisions"
    return sorted(tuple(row) for row in conn.exec_driver_sql(query))


def _upgraded_and_decided_apart(db: str) -> None:
    """Opening the schema-8 store upgrades it; then anne decides bob's flag beside him."""
    with ReviewStore(db) as store:
        anne = provider_sign_in(store, "anne").principal
        assert _decided(store.segment("d", 0)) == {("bob", "rejected")}  # kept
        store.decide_flag("d", 0, 0, accept=True, reviewer=anne)
        assert _decided(store.segment("d", 0)) == {("anne", "accepted"), ("bob", "rejected")}
        with store.engine.connect() as conn:
            key = sa.inspect(conn).get_pk_constraint("flag_decisions")["constrained_columns"]
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema'")
            assert (key, version.scalar()) == (
                ["segment_id", "flag_index", "reviewer_id"],
                str(SCHEMA_VERSION),
            )


def test_a_schema_8_sqlite_store_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _blind_store(db)
    _old_key_sqlite(db)
    _upgraded_and_decided_apart(str(db))


@pytest.mark.postgres
def test_a_schema_8_postgres_store_keeps_its_table_and_rows(postgres: TemporaryPostgres) -> None:
    url = postgres.create_database("decisions9")
    try:
        _blind_store(url)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.exec_driver_sql("SET search_path TO mtreview")
            conn.exec_driver_sql(
                "DELETE FROM flag_decisions WHERE reviewer_id = "
                "(SELECT id FROM reviewers WHERE name = 'anne')"
            )
            conn.exec_driver_sql(
                "ALTER TABLE flag_decisions DROP CONSTRAINT flag_decisions_pkey, "
                "ADD PRIMARY KEY (segment_id, flag_index)"
            )
            conn.exec_driver_sql("UPDATE meta SET value = '8' WHERE key = 'schema'")
            table = "SELECT 'mtreview.flag_decisions'::regclass::oid"
            before = conn.exec_driver_sql(table).scalar(), _rows(conn)
        _upgraded_and_decided_apart(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SET search_path TO mtreview")
            oid, rows = conn.exec_driver_sql(table).scalar(), _rows(conn)
        assert oid == before[0]  # the same table: grants on it stand
        assert set(before[1]) < set(rows) and len(rows) == 2
        engine.dispose()
    finally:
        postgres.drop_database("decisions9")


@pytest.mark.processes
@pytest.mark.slow
def test_over_the_wire_each_tab_receives_only_its_own_decision(tmp_path: Path) -> None:
    """Each reviewer's tab, by its session cookie: the open segment's pre-highlight says
    their own verdict, and nothing of the other's (the verdict, the name) comes over."""
    db = tmp_path / "team.db"
    _blind_store(db)
    with ReviewStore(db) as store:
        cookies = {name: provider_sign_in(store, name).token for name in ("anne", "bob")}
    received: dict[str, str] = {}
    env = {"MTREVIEW_USE_MODELS": "false"}
    with streamlit_app(db, tmp_path / "streamlit.log", **env) as url:
        port = int(url.rsplit(":", 1)[1])
        for name, token in cookies.items():
            with open_stream(port, headers={"Cookie": f"{COOKIE}={token}"}) as ws:
                request_run(ws)
                run = read_run(ws)
            received[name] = "\n".join(str(element) for _kind, element in run.elements)
    anne, bob = received["anne"], received["bob"]
    assert "Reviewer: anne" in anne and "Reviewer: bob" in bob
    assert "mot repete accepted" in anne and "rejected" not in anne and "bob" not in anne
    assert "mot repete rejected" in bob and "accepted" not in bob and "anne" not in bob
