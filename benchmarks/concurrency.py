"""Concurrent reviewers on one store: 8 processes × 100 saves each, SQLite and PostgreSQL.

Each process saves corrections to a handful of shared segments, always on top of the
version it last saw (as a browser tab would), under reviewer names that keep appearing
for the first time during the run (new reviewer rows while others read), and reads the
segment back after each save (as the app does). Afterwards every report is checked against
the database:

- lost: a save reported as done whose text is not in the database;
- overwritten: a text stored twice, or a stored version whose text is not its writer's;
- wrong report: a save that returned another writer's version, text or name (not the
  version its own text is stored under);
- version gaps: a segment whose versions do not count 1, 2, 3 … without holes;
- uncaught: any exception other than the ConflictError a stale save must raise.

The PostgreSQL server is a throwaway one (`mtreview.testing.postgres`, fsync on), the
SQLite store a WAL file in a temporary folder.

.venv/bin/python benchmarks/concurrency.py [--processes 8] [--saves 100] [--segments 4]
    [--db sqlite,postgresql] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mtreview.errors import ConflictError
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.testing.postgres import TemporaryPostgres

DOC = "bench"
TEXT = "".join(f"Phrase numéro {n} du document de test.\n\n" for n in range(16))
NAMES_PER_PROCESS = 25  # a process writes under this many names, each new at first use


def worker(db: str, number: int, saves: int, segments: int, queue: Any) -> None:
    """Save `saves` times; report every outcome as plain data."""
    rng = random.Random(number)
    store = ReviewStore(db)
    known = dict.fromkeys(range(segments), 0)  # the version this "tab" last saw
    outcomes: list[dict[str, Any]] = []
    for k in range(saves):
        index = rng.randrange(segments)
        reviewer = f"p{number}-r{k % NAMES_PER_PROCESS}"
        text = f"p{number} save {k}"
        outcome: dict[str, Any] = {"segment": index, "text": text, "reviewer": reviewer}
        try:
            made = store.save_correction(
                DOC, index, text, expected_version=known[index], reviewer=reviewer
            )
            outcome.update(kind="saved", got=(made.version, made.text, made.reviewer))
            known[index] = made.version
            store.segment(DOC, index)  # read back, as the app does after a save
        except ConflictError as exc:
            outcome.update(kind="conflict")
            known[index] = exc.current_version
        except Exception as exc:  # counting what escapes is the point
            outcome.update(kind="uncaught", error=f"{type(exc).__name__}: {exc}"[:200])
        outcomes.append(outcome)
    store.close()
    queue.put(outcomes)


def check(db: str, outcomes: list[dict[str, Any]], segments: int) -> dict[str, Any]:
    store = ReviewStore(db)
    history = {index: store.corrections(DOC, index) for index in range(segments)}
    store.close()
    # every text is unique ("p3 save 41"), so it names its writer and its save
    where = {(i, c.text): (c.version, c.reviewer) for i, cs in history.items() for c in cs}
    stored_rows = sum(len(cs) for cs in history.values())
    gaps = sum([c.version for c in cs] != list(range(1, len(cs) + 1)) for cs in history.values())
    counts: Counter[str] = Counter(o["kind"] for o in outcomes)
    lost = wrong = 0
    for o in (o for o in outcomes if o["kind"] == "saved"):
        found = where.get((o["segment"], o["text"]))
        if found is None:
            lost += 1
        elif tuple(o["got"]) != (found[0], o["text"], o["reviewer"]):
            wrong += 1
    overwritten = (
        stored_rows
        - len(where)
        + sum(  # a text stored twice, or under another name
            not reviewer.startswith(text.split()[0] + "-")
            for (_, text), (_, reviewer) in where.items()
        )
    )
    errors = Counter(o["error"].split(":")[0] for o in outcomes if o["kind"] == "uncaught")
    return {
        "saves": len(outcomes),
        "saved": counts["saved"],
        "conflicts": counts["conflict"],
        "lost": lost,
        "overwritten": overwritten,
        "wrong_report": wrong,
        "uncaught": counts["uncaught"],
        "uncaught_kinds": dict(errors),
        "stored_versions": stored_rows,
        "unreported_versions": stored_rows - counts["saved"],
        "version_gaps": gaps,
    }


def run(db: str, processes: int, saves: int, segments: int) -> dict[str, Any]:
    with ReviewStore(db) as store:
        store.add_document(document_from_text(TEXT, doc_id=DOC, name="bench.txt"))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=worker, args=(db, n, saves, segments, queue))
        for n in range(processes)
    ]
    started = time.perf_counter()
    for process in workers:
        process.start()
    outcomes = [o for _ in workers for o in queue.get(timeout=600)]
    elapsed = time.perf_counter() - started
    for process in workers:
        process.join(timeout=60)
    result = check(db, outcomes, segments)
    result["seconds"] = round(elapsed, 2)
    result["saves_per_s"] = round(len(outcomes) / elapsed, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--segments", type=int, default=4, help="shared segments written to")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for kind in args.db.split(","):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                db = str(Path(folder) / "bench.db")
                results[kind] = run(db, args.processes, args.saves, args.segments)
        elif kind == "postgresql":
            with TemporaryPostgres(durable=True) as server:
                db = server.create_database("bench")
                results[kind] = run(db, args.processes, args.saves, args.segments)
        else:
            parser.error(f"--db: unknown database {kind!r} (sqlite, postgresql)")
    columns = [
        "saves", "saved", "conflicts", "lost", "overwritten", "wrong_report", "uncaught",
        "version_gaps", "saves_per_s",
    ]  # fmt: skip
    print(f"{args.processes} processes × {args.saves} saves on {args.segments} shared segments")
    print("| database | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for kind, result in results.items():
        print(f"| {kind} | " + " | ".join(str(result[c]) for c in columns) + " |")
        if result["uncaught_kinds"]:
            print(f"  uncaught in {kind}: {result['uncaught_kinds']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
