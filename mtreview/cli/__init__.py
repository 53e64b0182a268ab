"""The command line: a thin face over the library. Errors become one line and exit code 2.

Each module of this package adds its commands' parsers (`PARSERS`) and registers what they
run (`@command`); `main` dispatches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mtreview.cli import corpus, models, review, score, team
from mtreview.cli.common import COMMANDS
from mtreview.errors import MTReviewError

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
    models.add_models_parser,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mtreview", description="Find and fix what a machine translation got wrong."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in PARSERS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except MTReviewError as exc:
        sys.stderr.write(f"mtreview: error: {' '.join(str(exc).split())}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("mtreview: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
