"""`mtreview score --db` and `mtreview import-analysis`: analyses into the review store."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from typing import Any

from mtreview.cli.common import command, progress_bar, report_run, settings_from
from mtreview.errors import SettingsError


def _note(line: str) -> None:
    sys.stderr.write(f"note          {line}\n")


def _kept_note(kept: tuple[str, ...], db: str, *, verb: str, flag: str) -> str:
    names = ", ".join(kept[:3]) + (f" and {len(kept) - 3} more" if len(kept) > 3 else "")
    return f"{len(kept)} document(s) already in {db}, not {verb} ({names}; {flag})"


def model_info(analyzer: Any, settings: Any) -> dict[str, object]:
    """What the app's banner says about how a stored document was analysed."""
    models = analyzer.models
    free = models.back is None and models.source is None
    note = "scored by mtreview score" + (" without models" if free else "")
    return {"models": models.describe(), "model_free": free, "note": note}


def score_into_store(args: argparse.Namespace, settings: Any, engine: Any) -> int:
    """The body of `mtreview score --db` (and `-o`, when given, alongside)."""
    from mtreview.pipeline import make_analyzer, with_document_pass
    from mtreview.scoring import RECORD_WRITERS, ResumableOutput, run_key
    from mtreview.scoring.to_store import StoreSink, plan_store_run, score_to_store
    from mtreview.store import ReviewStore
    from mtreview.store.base import removed_on_failure

    if args.resume and args.output:
        raise SettingsError(
            "--resume with --db continues the store's documents: leave out -o (the store "
            "keeps every analysis), or resume the -o run without --db"
        )
    fmt, source_file = args.input_format, args.source_file
    new = removed_on_failure(settings.db, keep_if_interrupted=True)  # kept for --resume
    with new, ReviewStore(settings.db) as store:
        plan = plan_store_run(
            store, args.inputs, settings, fmt=fmt, source_file=source_file,
            resume=args.resume, reanalyse=args.reanalyse,
        )  # fmt: skip
        if plan.kept:
            _note(
                _kept_note(plan.kept, store.describe(), verb="analysed again", flag="--reanalyse")
            )
        if not plan.documents:
            _note("nothing to analyse")
            return 0
        analyzer = make_analyzer(settings, cache=args.cache)
        sink = StoreSink(store, plan, model_info(analyzer, settings))
        gc.freeze()  # as in score: modules and models live as long as the run
        segments = with_document_pass(
            sink.segments(settings, fmt=fmt, source_file=source_file),
            plan.paths, settings, analyzer, fmt=fmt, source_file=source_file, keep=sink.keep,
        )  # fmt: skip
        progress = progress_bar()
        with contextlib.ExitStack() as stack:
            writer = output = None
            if args.output:
                key = run_key(args.inputs, settings, args.format, fmt, source_file)
                output = stack.enter_context(ResumableOutput(args.output, key=key))
                writer = RECORD_WRITERS[args.format](output.handle)

            def also(analysis: Any) -> None:
                if writer is not None and output is not None:
                    writer.write(analysis.to_record())
                    output.flush()
                progress.update()

            summary = score_to_store(segments, analyzer, sink, engine=engine, also=also)
            if output is not None:
                output.commit()
        progress.close()
        notes = [f"{len(sink.finished)} document(s) written to {store.describe()}"]
        if plan.resumed:
            notes.append(f"resumed: {plan.resumed} segments were already in the store")
    return report_run(args, summary, analyzer, notes)


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


@command("import-analysis")
def run_import_analysis(args: argparse.Namespace) -> int:
    from mtreview.scoring.run_import import import_analysis
    from mtreview.store import ReviewStore
    from mtreview.store.base import removed_on_failure

    settings = settings_from(args, db=args.db, lang=args.lang, source_lang=args.source_lang)
    with removed_on_failure(settings.db), ReviewStore(settings.db) as store:
        summary = import_analysis(
            store, args.runs, settings, inputs=args.input, replace=args.replace,
            fmt=args.input_format, source_file=args.source_file,
        )  # fmt: skip
        where = store.describe()
    sys.stderr.write(
        f"imported {summary.segments} segments: {summary.documents} new documents, "
        f"{summary.replaced} replaced in {where}\n"
    )
    if summary.kept:
        _note(_kept_note(summary.kept, where, verb="replaced", flag="--replace"))
    return 0


PARSERS = [add_import_analysis_parser]
