"""A team on one server: N simulated reviewers through the real app, on SQLite or PostgreSQL.

Each reviewer signs in with the form (the cookie a browser gets), opens the app's websocket
and does the review loop as the page would send it: click a segment in the article, mark a
span in the segment component, save a correction from the correction box, "Next", with
think time between actions (`mtreview.testing.team_load`). Reviewers work in pairs, each
pair on a document of its own with `--shared` of its `--segments` segments assigned to
both (reviewed blind).

Reported: p50/p95/max server time per action (request to the end of the script run it
started, on loopback), the first screen (sign-in to the first page), the server's CPU
time and memory per session (RSS growth over the sessions, after one warm session), SQL
statements and transactions per action (the app's timing log, `mtreview.store.counting`;
averaged over the load, and each action alone: `probe`), and whether every acknowledged
mark and correction is in the store exactly once (`lost`, `duplicated`).

.venv/bin/python benchmarks/team_load.py [--reviewers 20] [--seconds 60] [--think 5]
    [--segments 12] [--shared 8] [--analyses] [--db sqlite|postgresql|URL] [--json FILE]

`--db postgresql` starts a throwaway server (`mtreview.testing.postgres`, fsync on); a URL
must name an empty database. The client runs on the same machine as the server: on a small
machine its own CPU time competes with the server's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from mtreview.errors import MTReviewError
from mtreview.testing.postgres import TemporaryPostgres
from mtreview.testing.team_load import LoadReport, Plan, run_load

DATABASES = ("sqlite", "postgresql")


def measure(plan: Plan, db: str, folder: Path) -> LoadReport:
    """One run on `db` ("sqlite", "postgresql" or a URL)."""
    if db == "sqlite":
        return run_load(str(folder / "team.db"), plan, folder, database="sqlite")
    if db == "postgresql":
        with TemporaryPostgres(durable=True) as server:
            return run_load(server.create_database("team"), plan, folder, database=db)
    return run_load(db, plan, folder, database=db.split(":", 1)[0].split("+", 1)[0])


def show(report: LoadReport) -> None:
    print(
        f"{report.database}: {report.reviewers} reviewers, {report.actions} actions "
        f"({report.failed} failed) in {report.seconds:g} s, think {report.think:g} s, "
        f"{report.shared} shared segments per document"
    )
    print(
        f"  server time per action: p50 {report.p50_s:.3f} s, p95 {report.p95_s:.3f} s, "
        f"max {report.max_s:.3f} s; first screen {report.first_screen_s:.2f} s "
        f"({report.first_screen_cold_s:.2f} s for the server's first)"
    )
    print(
        f"  server CPU {report.server_cpu_s:.1f} s ({report.cpu_s_per_action:.3f} s per "
        f"action); memory {report.mb_base:.0f} MB warm + {report.mb_per_session:.1f} MB "
        "per session"
    )
    print(
        f"  SQL per action: {report.statements_per_action:.1f} statements, "
        f"{report.transactions_per_action:.2f} transactions"
    )
    for probe in report.probe:
        print(
            f"    {probe.kind:8} {probe.statements:3} statements {probe.transactions} "
            f"transactions {probe.seconds:.3f} s (alone)"
        )
    print(f"  store: {report.lost} lost, {report.duplicated} duplicated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between actions")
    parser.add_argument("--segments", type=int, default=12, help="segments per document")
    parser.add_argument("--shared", type=int, default=8, help="of them, shared by two")
    parser.add_argument("--analyses", action="store_true", help="store analyses as models do")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql or a URL")
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    args = parser.parse_args(argv)
    if args.reviewers < 1 or args.seconds <= 0 or args.think < 0 or args.segments < 2:
        parser.error("--reviewers and --seconds must be positive, --segments at least 2")
    if not 0 <= args.shared <= args.segments:
        parser.error("--shared must be between 0 and --segments")
    if args.db not in DATABASES and "://" not in args.db:
        parser.error(f"--db: sqlite, postgresql or a SQLAlchemy URL, not {args.db!r}")
    plan = Plan(
        reviewers=args.reviewers, seconds=args.seconds, think=args.think,
        segments=args.segments, shared=args.shared, analyses=args.analyses,
    )  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="team-load-") as folder:
            report = measure(plan, args.db, Path(folder))
    except MTReviewError as exc:
        print(f"team_load: {exc}", file=sys.stderr)
        return 2
    show(report)
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
