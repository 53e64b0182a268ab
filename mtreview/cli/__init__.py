"""The command line: a thin face over the library. Errors become one line and exit code 2.

Each module of this package adds its commands' parsers (`PARSERS`) and registers what they
run (`@command`); `main` dispatches.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Sequence

from mtreview.cli import audit, compare, corpus, db, models, review, score, team
from mtreview.cli.common import COMMANDS
from mtreview.cli.parser import Parser
from mtreview.errors import MTReviewError, printable

PARSERS = [
    score.add_score_parser,
    review.add_app_parser,
    score.add_calibrate_parser,
    review.add_export_parser,
    review.add_import_reviews_parser,
    corpus.add_import_analysis_parser,
    score.add_cache_parser,
    team.add_users_parser,
    team.add_assign_parser,
    team.add_agreement_parser,
    audit.add_audit_parser,
    db.add_db_parser,
    models.add_models_parser,
    compare.add_compare_parser,
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="mtreview", description="Find and fix what a machine translation got wrong."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in PARSERS:
        add(commands)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser, built once per process: building it takes about 7 ms, paid at every
    command by in-process callers (the tests and fuzz runs: thousands of commands).
    Parsing leaves it as it is; the registries its choices come from are filled on import."""
    return build_parser()


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop as Ctrl-C does (partial output kept for --resume, a local
    Ray shut down), not in the middle of a write."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


def progress_bars_on_terminal_only() -> None:
    """Model loading draws Hugging Face progress bars ("Loading weights", downloads) on
    stderr; in a log file or a pipe they are noise, so they are turned off unless stderr is
    a terminal (an explicit HF_HUB_DISABLE_PROGRESS_BARS wins). The variable is read when
    huggingface_hub is imported, which has not happened yet in a `mtreview` process;
    in-process callers that imported it already get the bars turned off directly."""
    if sys.stderr.isatty():
        return
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if os.environ["HF_HUB_DISABLE_PROGRESS_BARS"].upper() not in {"1", "ON", "YES", "TRUE"}:
        return  # the caller asked for the bars
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    if "transformers" in sys.modules:
        from transformers.utils import logging

        logging.disable_progress_bar()


def main(argv: Sequence[str] | None = None) -> int:
    progress_bars_on_terminal_only()
    words, streamlit_options = review.split_streamlit_options(
        list(sys.argv[1:] if argv is None else argv)
    )
    args = _parser().parse_args(words)
    for name, value in vars(args).items():  # a list default is the parser's own: a copy each
        if isinstance(value, list):
            setattr(args, name, list(value))
    args.streamlit_options = streamlit_options
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return COMMANDS[args.command](args)
    except MTReviewError as exc:
        sys.stderr.write(f"mtreview: error: {printable(' '.join(str(exc).split()))}\n")
        return 2
    except KeyboardInterrupt as exc:
        sys.stderr.write("mtreview: interrupted\n")
        return 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the command was told to write or read (full disk, rights)
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"mtreview: error: {printable(f'{where}{exc.strerror or exc}')}\n")
        return 2
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
