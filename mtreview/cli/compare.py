"""`mtreview compare`: MT systems' runs side by side, with paired significance tests."""

from __future__ import annotations

import argparse
from typing import Any

from mtreview.cli.common import command, out
from mtreview.errors import SettingsError


def _whole(low: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {text!r}")
        return value

    return parse


def add_compare_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "compare",
        help="compare MT systems: scores, paired significance tests, buckets, differences",
        description="Compare systems' translations of the same source, from `mtreview score` "
        "runs: one system a run (named after the file), or records with a 'system' each.",
    )
    parser.add_argument("runs", nargs="*", metavar="RUN", help="analysis JSONL (score -o); or --db")
    parser.add_argument(
        "--db",
        metavar="DB",
        help="compare the systems of a review store instead (with reviewers' MQM penalties)",
    )
    parser.add_argument(
        "--doc",
        action="append",
        default=[],
        metavar="ID",
        help="with --db: only this document's systems (its id without @SYSTEM); repeatable",
    )
    parser.add_argument("--config", help="settings TOML (the MQM typology, with --db)")
    parser.add_argument("--json", metavar="OUT", help="write the report as JSON (- for stdout)")
    parser.add_argument("--html", metavar="OUT", help="write the report as an HTML page")
    for option, low, default, what in (
        ("--paired-bs-n", 1, 1000, "paired bootstrap resamples"),
        ("--paired-ar-n", 1, 10000, "approximate randomization trials"),
        ("--top", 0, 10, "largest differences a pair of systems"),
    ):
        parser.add_argument(
            option,
            type=_whole(low),
            default=default,
            metavar="N",
            help=f"{what} (default {default})",
        )
    parser.add_argument(
        "--app-url", metavar="URL", help="review app for links (default http://localhost:8501)"
    )
    parser.add_argument(
        "--seed",
        type=_whole(1),
        metavar="N",
        help="resampling seed (default $SACREBLEU_SEED, else 12345)",
    )
    from mtreview.cli.credentials import credential_options

    credential_options(parser)  # --db on a team store: the marks this account may see


@command("compare")
def run_compare(args: argparse.Namespace) -> int:
    from mtreview.compare import CompareOptions, Resampling, compare, load_runs
    from mtreview.compare.reference import environment_seed
    from mtreview.output_paths import STDOUT, AtomicFiles, check_distinct, destination

    if bool(args.runs) == bool(args.db):
        raise SettingsError("give the runs to compare, or --db DB, not both")
    if args.doc and not args.db:
        raise SettingsError("--doc needs --db")
    inputs = [("RUN", name) for name in args.runs]
    if args.db:
        from mtreview.output_paths import store_file

        inputs += [("--db", store_file(args.db)), ("--config", args.config)]
    outputs = [("--json", args.json), ("--html", args.html)]
    if args.json == args.html == STDOUT:
        raise SettingsError("only one output can go to standard output (-)")
    for _label, name in outputs:
        if name is not None:
            destination(name)  # its folder exists, it is no directory: before any reading
    check_distinct(outputs, inputs)
    seed = args.seed if args.seed is not None else environment_seed()
    resampling = Resampling(args.paired_bs_n, args.paired_ar_n, seed)
    app = {"app_url": args.app_url} if args.app_url else {}
    options = CompareOptions(resampling, top=args.top, **app)
    report = compare(_store_systems(args) if args.db else load_runs(args.runs), options)
    pages: list[tuple[str, str]] = []  # (where, what)
    if args.json:
        pages.append((args.json, report.to_json()))
    if args.html:
        from mtreview.compare.page import report_html

        pages.append((args.html, report_html(report)))
    if pages:
        with AtomicFiles([name for name, _ in pages], inputs=inputs) as files:
            for handle, (_name, page) in zip(files.handles, pages, strict=True):
                handle.write(page.encode("utf-8"))
            files.commit()
    if STDOUT not in (args.json, args.html):
        from mtreview.compare.text import report_text

        out(report_text(report))
    return 0


def _store_systems(args: argparse.Namespace) -> Any:
    from mtreview.cli.common import settings_from
    from mtreview.cli.credentials import acting_as
    from mtreview.cli.review import _existing_store
    from mtreview.compare.store_runs import load_store
    from mtreview.mqm import load_typology

    settings = settings_from(args, db=args.db)
    typology = load_typology(settings.mqm_typology)
    with (
        _existing_store(settings.db, settings.db_schema) as store,
        acting_as(store, args, "review") as by,
    ):
        return load_store(store, typology, docs=args.doc, viewer=by)


PARSERS = [add_compare_parser]
