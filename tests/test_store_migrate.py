"""A store and a backup written by mtreview before schema 2 (tests/data, made with the code
of commit c6bf2f2: the shipped article without models, one error, one correction, an
accepted pre-highlight, a review mark) are read by this one, nothing lost."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from mtreview.analysis.record import SEGMENT_KEYS
from mtreview.cli import main
from mtreview.store import QueueFilter, ReviewStore
from mtreview.store.merge import VERSION
from mtreview.store.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parent / "data"
DOC = "kaztag-ngo-pressure.fr"


def test_a_schema_1_store_is_brought_up_to_date_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(DATA / "store-schema1.db", db)
    with sqlite3.connect(db) as conn:
        old = {
            idx: json.loads(record)
            for idx, record in conn.execute(
                "SELECT s.idx, a.record FROM analyses a JOIN segments s ON s.id = a.segment_id"
            )
        }
    with ReviewStore(db) as store:
        reviews = {r.index: r for r in store.iter_segments(DOC)}
        assert [a.comment for a in reviews[0].annotations] == ["avant"]
        assert reviews[1].current_text == "Texte corrigé avant la migration."
        assert reviews[3].reviewed_by == "li"
        [decision] = reviews[1].decisions
        assert decision.decision == "accepted" and reviews[1].analysis.flags
        for index, review in reviews.items():
            assert review.analysis.risk == old[index]["risk"]
            assert review.analysis.segment.text == old[index]["text"]
        queue = store.corpus_queue(QueueFilter(status="all"), limit=100)
        assert [item.risk for item in queue] == sorted((old[i]["risk"] for i in old), reverse=True)
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        assert found == (str(SCHEMA_VERSION),)
        for (record,) in conn.execute("SELECT record FROM analyses"):
            assert not set(SEGMENT_KEYS) & set(json.loads(record))


def test_the_old_store_and_its_old_backup_give_the_same_reviews(tmp_path: Path) -> None:
    migrated = tmp_path / "old.db"
    shutil.copy(DATA / "store-schema1.db", migrated)
    fresh = tmp_path / "fresh.db"
    assert main(["import-reviews", str(DATA / "reviews-v1.jsonl"), "--db", str(fresh)]) == 0
    outputs = []
    for db in (migrated, fresh):
        out = tmp_path / f"{db.stem}.jsonl"
        assert main(["export", "--db", str(db), "--format", "reviews", "-o", str(out)]) == 0
        outputs.append(out.read_bytes())
    # the fresh store logged its own import (a live audit row), after the imported history
    old, imported = outputs
    assert imported.startswith(old)
    [extra] = imported[len(old) :].splitlines()
    assert json.loads(extra)["type"] == "audit" and json.loads(extra)["action"] == "import-reviews"
    assert json.loads(outputs[0].splitlines()[0])["version"] == VERSION
