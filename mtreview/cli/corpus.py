"""`mtreview import-analysis`, and what `mtreview score --db` says of its plan: analyses into
the review store."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from mtreview.cli.common import command, err, settings_from

if TYPE_CHECKING:
    from mtreview.scoring.to_store import StorePlan


def _note(line: str) -> None:
    err(f"note          {line}\n")


def _kept_note(kept: tuple[str, ...], db: str, *, verb: str, flag: str) -> str:
    names = ", ".join(kept[:3]) + (f" and {len(kept) - 3} more" if len(kept) > 3 else "")
    return f"{len(kept)} document(s) already in {db}, not {verb} ({names}; {flag})"


def announce_plan(plan: StorePlan, where: str) -> None:
    """`score --db`, before any model loads: the documents left as stored, or nothing to do."""
    if plan.kept:
        _note(_kept_note(plan.kept, where, verb="analysed again", flag="--reanalyse"))
    if not plan.documents:
        _note("nothing to analyse")


# --- import-analysis ----------------------------------------------------------------------
def add_import_analysis_parser(commands: Any) -> None:
    from mtreview.readers import READERS

    parser = commands.add_parser(
        "import-analysis",
        help="load the records of a finished `mtreview score` run into a review store",
    )
    parser.add_argument("runs", nargs="+", metavar="RUN", help="JSONL output of mtreview score")
    parser.add_argument("--db", help="review store: SQLite file or SQLAlchemy URL (created)")
    parser.add_argument(
        "--input", nargs="+", default=[], metavar="FILE",
        help="the scored files: their text is the documents' text (needed for articles)",
    )  # fmt: skip
    parser.add_argument("--input-format", choices=sorted(READERS), help="override detection")
    parser.add_argument("--source-file", help="Moses pairs: the source side of --input")
    parser.add_argument("--lang", help="language of the translation (default fr)")
    parser.add_argument("--source-lang", help="language of the source, when given")
    parser.add_argument(
        "--replace", action="store_true", help="replace the analyses of stored documents"
    )
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    from mtreview.cli.credentials import credential_options

    credential_options(parser)  # a team store: an admin's


@command("import-analysis")
def run_import_analysis(args: argparse.Namespace) -> int:
    from mtreview.cli.credentials import IMPORT_SESSION_HOURS, acting_as
    from mtreview.scoring.run_import import import_analysis
    from mtreview.store import ReviewStore
    from mtreview.store.base import removed_on_failure

    settings = settings_from(args, db=args.db, lang=args.lang, source_lang=args.source_lang)
    with (
        removed_on_failure(settings.db),
        ReviewStore(settings.db, schema=settings.db_schema) as store,
        acting_as(store, args, "import", hours=IMPORT_SESSION_HOURS) as by,
    ):
        summary = import_analysis(
            store, args.runs, settings, inputs=args.input, replace=args.replace,
            fmt=args.input_format, source_file=args.source_file, by=by,
        )  # fmt: skip
        where = store.describe()
    err(
        f"imported {summary.segments} segments: {summary.documents} new documents, "
        f"{summary.replaced} replaced in {where}\n"
    )
    if summary.kept:
        _note(_kept_note(summary.kept, where, verb="replaced", flag="--replace"))
    return 0


PARSERS = [add_import_analysis_parser]
