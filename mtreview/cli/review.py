"""`mtreview app`, `export` and `import-reviews`: the review store and what leaves it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mtreview.cli.common import command, err, settings_from
from mtreview.errors import MTReviewError


# --- export / import-reviews -------------------------------------------------------------
def add_export_parser(commands: Any) -> None:
    from mtreview.export import EXPORTERS
    from mtreview.export.model import ONLY, PAIRS

    parser = commands.add_parser(
        "export", help="write reviewed translations and annotations (TMX, XLIFF, MQM, …)"
    )
    parser.add_argument("--db", help="review store: SQLite file or SQLAlchemy URL")
    parser.add_argument("--format", required=True, choices=list(EXPORTERS))
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file, - for standard output (moses: OUT.<lang> for each side)",
    )
    parser.add_argument(
        "--pair",
        choices=PAIRS,
        help="left side of each pair: the source (default when every document has one) "
        "or the original machine translation",
    )
    parser.add_argument("--only", choices=ONLY, default="all", help="which segments (default all)")
    parser.add_argument(
        "--adjudicated-only",
        action="store_true",
        help="only segments a lead adjudicated (= --only adjudicated); adjudicated segments "
        "always carry the adjudicated text and spans",
    )
    parser.add_argument("--doc", action="append", default=[], metavar="ID", help="repeatable")
    parser.add_argument(
        "--keep-deleted",
        action="store_true",
        help="keep segments corrected to empty in corpus formats, marked deleted (default: "
        "left out, and counted)",
    )
    parser.add_argument(
        "--allow-formulas",
        action="store_true",
        help="tsv, mqm: write cells starting with = + - @ tab or CR as they are (default: a "
        "leading ' so no spreadsheet runs them as formulas)",
    )
    parser.add_argument("--system", default="mt", help="mqm: value of the system column")
    parser.add_argument("--title", default="mtreview report", help="html: report title")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    from mtreview.cli.credentials import credential_options

    credential_options(parser)  # a team store: what this account may see (reviews: an admin)


def _existing_store(db: str, schema: str) -> Any:
    """`schema`: the `db_schema` setting (PostgreSQL)."""
    from mtreview.store import ReviewStore

    if "://" not in db and not Path(db).is_file():
        raise MTReviewError(f"{db}: no such review store (give --db FILE or a database URL)")
    return ReviewStore(db, schema=schema)


@command("export")
def run_export(args: argparse.Namespace) -> int:
    """On a team store the export holds what the `--as` account may see, audited as its
    own (a reviewer's: their own work; the reviews backup: an admin's); on a store
    without accounts everything, as `cli:<system user>`."""
    from mtreview.cli.credentials import acting_as
    from mtreview.export import ExportOptions, export_to_path
    from mtreview.output_paths import check_distinct, store_file

    settings = settings_from(args, db=args.db)
    if args.adjudicated_only and args.only not in ("all", "adjudicated"):
        raise MTReviewError(f"--adjudicated-only cannot go with --only {args.only}")
    options = ExportOptions(
        pair=args.pair,
        only="adjudicated" if args.adjudicated_only else args.only,
        docs=tuple(args.doc),
        system=args.system,
        title=args.title,
        typology=settings.mqm_typology,
        keep_deleted=args.keep_deleted,
        allow_formulas=args.allow_formulas,
    )
    inputs = [("--db", store_file(settings.db)), ("--config", args.config)]
    check_distinct([("-o", args.output)], inputs)  # before the store is opened
    needs = "export" if args.format == "reviews" else "review"  # a backup holds everything
    with (
        _existing_store(settings.db, settings.db_schema) as store,
        acting_as(store, args, needs) as by,
    ):
        summary = export_to_path(store, args.format, args.output, options, inputs=inputs, by=by)
    err(summary.describe() + "\n")
    return 0


def add_import_reviews_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "import-reviews",
        help="read a reviews JSONL (mtreview export --format reviews) into a store",
    )
    parser.add_argument("file", metavar="FILE", help="reviews JSONL file")
    parser.add_argument("--db", help="review store: SQLite file or SQLAlchemy URL (created)")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    from mtreview.cli.credentials import credential_options

    credential_options(parser)  # a team store: an admin's


@command("import-reviews")
def run_import_reviews(args: argparse.Namespace) -> int:
    from mtreview.cli.credentials import acting_as
    from mtreview.store import ReviewStore
    from mtreview.store.base import removed_on_failure

    settings = settings_from(args, db=args.db)
    with (
        removed_on_failure(settings.db),
        ReviewStore(settings.db, schema=settings.db_schema) as store,
        acting_as(store, args, "import") as by,
    ):
        summary = store.import_reviews(args.file, by=by)
    err(
        f"imported {summary.documents} documents, {summary.segments} segments, "
        f"{summary.annotations} annotations, {summary.corrections} corrections, "
        f"{summary.decisions} decisions; {summary.skipped} already there\n"
    )
    return 0


# --- app ----------------------------------------------------------------------------------
def add_app_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "app",
        help="start the review app in the browser",
        epilog="Streamlit's own options pass through: --SECTION.OPTION VALUE or "
        "--SECTION.OPTION=VALUE (a dot in the name; e.g. --server.port 8502, "
        "--theme.base=dark, --server.baseUrlPath review) goes to `streamlit run` after "
        "mtreview's own, so it wins over them (except --server.address: give --host, which "
        "is checked); `streamlit config show` lists every option.",
    )
    parser.add_argument("file", nargs="?", help="document to open (default: the shipped article)")
    parser.add_argument("--db", help="review store: SQLite file or SQLAlchemy URL")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only, one local user, "
        "no password); 0.0.0.0 serves a team and needs accounts (mtreview users add) and "
        "the names reviewers type in the allowed_hosts setting",
    )
    parser.add_argument("--headless", action="store_true", help="do not open a browser")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")


def app_command(args: argparse.Namespace, settings: Any = None) -> list[str]:
    """The `streamlit run` line: listening where asked, never sending usage statistics,
    uploads limited to `max_upload_mb`, XSRF protection on, no developer tools shown, no
    error details (type, message, traceback) sent to any client."""
    from mtreview.settings import Settings

    upload_mb = (settings or Settings()).max_upload_mb
    app = Path(__file__).resolve().parent.parent / "ui" / "streamlit_app.py"
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(args.port),
        "--server.address", args.host,
        "--server.maxUploadSize", str(upload_mb),
        "--server.enableXsrfProtection", "true",
        "--server.enableCORS", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",  # no Deploy button or developer menu
        "--client.showErrorDetails", "none",  # tracebacks go to the server's log only
        *(["--server.headless", "true"] if getattr(args, "headless", False) else []),
        *getattr(args, "streamlit_options", ()),
    ]  # fmt: skip


def split_streamlit_options(words: list[str]) -> tuple[list[str], list[str]]:
    """`mtreview app` hands Streamlit's own options (`--server.port 8502`,
    `--theme.base=dark`: a dot in the name, which no mtreview option has) to Streamlit,
    after its own, so `scripts/app.sh --server.port 8502` works as it did."""
    if not words or words[0] != "app":
        return words, []
    ours: list[str] = []
    theirs: list[str] = []
    rest = iter(words)
    for word in rest:
        if not (word.startswith("--") and "." in word.split("=", 1)[0]):
            ours.append(word)
            continue
        theirs.append(word)
        if "=" not in word:
            theirs.append(next(rest, ""))
    return ours, theirs


def app_launch(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """What `mtreview app` starts, once its checks pass: the `streamlit run` line and the
    child's environment, which carries the settings resolved here (`--config`, the
    MTREVIEW_* variables, FILE and --db) whole, for `settings_for_app` in the child."""
    import sqlalchemy

    from mtreview.hosts import WILDCARD_ADDRESSES, HostAllowList, is_loopback
    from mtreview.settings import app_environment
    from mtreview.ui.gate import has_accounts

    document = str(Path(args.file).resolve()) if args.file else None
    settings = settings_from(args, db=args.db, document=document)
    passed = [word.split("=", 1)[0] for word in getattr(args, "streamlit_options", ())]
    if "--server.address" in passed:  # it would win over --host and skip the check below
        raise MTReviewError("give the address to listen on with --host, not --server.address")
    HostAllowList.of(settings.allowed_hosts)  # a bad name: one line now, not 403s later
    if not is_loopback(args.host) and not has_accounts(settings.db):
        from mtreview.store import database_url

        shown = sqlalchemy.make_url(database_url(settings.db)).render_as_string(hide_password=True)
        raise MTReviewError(
            f"--host {args.host} would let anyone who reaches the port review without "
            f"signing in; add accounts first (mtreview users add NAME --role admin --db "
            f"{shown} --create), or keep the default 127.0.0.1"
        )
    if args.host.strip("[]") in WILDCARD_ADDRESSES and not settings.allowed_hosts:
        err(
            f"mtreview app: --host {args.host} listens everywhere, but the app answers only to "
            "localhost and 127.0.0.1 until the allowed_hosts setting names the host reviewers "
            "type (docs/teams.md, Web defences)\n"
        )
    return app_command(args, settings), app_environment(settings)


@command("app")
def run_app(args: argparse.Namespace) -> int:
    """Streamlit in a child process that lives and dies with this one: SIGTERM, SIGHUP or
    Ctrl-C here stop it, and on Linux it is told to stop if this process is killed."""
    import signal
    import subprocess

    line, env = app_launch(args)
    child = subprocess.Popen(line, env=env, preexec_fn=_stop_with_parent)
    stopped: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        stopped.append(signum)
        child.send_signal(signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    while True:
        try:
            code = child.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C reached the child too; wait for it to stop
            stopped.append(signal.SIGINT)
    return 128 + stopped[0] if stopped else code


def _stop_with_parent() -> None:
    """In the child before exec: SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(AttributeError, OSError):  # not Linux: the handlers still forward
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


PARSERS = [add_app_parser, add_export_parser, add_import_reviews_parser]
