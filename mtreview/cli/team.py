"""`mtreview users`, `assign` and `agreement`: accounts, work for reviewers, how they agree.

Commands typed at the server are recorded in the audit log as `cli:<system user>`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from mtreview.cli.common import cli_actor, command, err, out, settings_from
from mtreview.cli.review import _existing_store
from mtreview.errors import MTReviewError


def _say(line: str = "") -> None:
    out(f"{line}\n")


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="review store: SQLite file or SQLAlchemy URL")
    parser.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")


# --- users --------------------------------------------------------------------------------
def add_users_parser(commands: Any) -> None:
    from mtreview.roles import ROLES

    parser = commands.add_parser("users", help="team accounts: add, list, passwd, disable")
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="a new account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--no-password", action="store_true", help="sign-in by OIDC only")
    add.add_argument(
        "--create", action="store_true", help="make a new review store when --db has none"
    )
    passwd = actions.add_parser("passwd", help="set a new password (ends the user's sessions)")
    passwd.add_argument("name")
    for sub in (add, passwd):
        sub.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
    for name, text in (("disable", "refuse sign-in, end sessions"), ("enable", "allow again")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("name")
    role = actions.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=list(ROLES))
    listing = actions.add_parser("list", help="every account")
    for sub in (add, passwd, listing, role, *[actions.choices[n] for n in ("disable", "enable")]):
        _db_option(sub)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise MTReviewError("no password on standard input")
        return line.rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise MTReviewError("the two passwords differ; nothing changed")
    return first


def _new_or_existing_store(db: str, *, create: bool) -> Any:
    """`users add` makes a store only when asked: a mistyped --db (or none, and no
    ./mtreview.db) is an error, not a new empty store holding one account."""
    from mtreview.store import ReviewStore
    from mtreview.store.base import store_exists

    if not create and not store_exists(db):
        raise MTReviewError(f"{db}: no such review store; pass --create to make a new one")
    return ReviewStore(db)


@command("users")
def run_users(args: argparse.Namespace) -> int:
    from mtreview.store.base import clean_name, removed_on_failure

    settings = settings_from(args, db=args.db)
    action, by = args.users_action, cli_actor()
    if action == "list":
        with _existing_store(settings.db) as store:
            for user in store.users():
                state = "disabled" if user.disabled else "active"
                login = "password" if user.has_password else "oidc only"
                _say(f"{user.name}\t{user.role}\t{state}\t{login}\t{user.created_at}")
        return 0
    clean_name(args.name)  # not UTF-8, a control character: refused before any SQL
    with removed_on_failure(settings.db):  # `add --create` that fails leaves no new store
        if action == "add":
            opened = _new_or_existing_store(settings.db, create=args.create)
        else:
            opened = _existing_store(settings.db)
        with opened as store:
            if action == "add":
                password = None if args.no_password else _password(args)
                user = store.add_user(args.name, role=args.role, password=password, by=by)
            elif action == "passwd":
                user = store.update_user(args.name, password=_password(args), by=by)
            elif action == "role":
                user = store.update_user(args.name, role=args.role, by=by)
            else:
                user = store.update_user(args.name, disabled=action == "disable", by=by)
    state = "disabled" if user.disabled else "active"
    err(f"{action}: {user.name} ({user.role}, {state})\n")
    return 0


# --- assign -------------------------------------------------------------------------------
def add_assign_parser(commands: Any) -> None:
    parser = commands.add_parser("assign", help="give a document's segments to reviewers")
    parser.add_argument("doc", metavar="DOC", help="document id")
    parser.add_argument("--reviewers", required=True, help="comma-separated user names")
    parser.add_argument("--first", type=int, default=0, help="first segment (0-based)")
    parser.add_argument("--last", type=int, help="last segment, inclusive (default: the end)")
    parser.add_argument(
        "--overlap", type=float, default=0.0, help="share also given to a second reviewer (0..1)"
    )
    _db_option(parser)


@command("assign")
def run_assign(args: argparse.Namespace) -> int:
    settings = settings_from(args, db=args.db)
    names = [n.strip() for n in args.reviewers.split(",") if n.strip()]
    with _existing_store(settings.db) as store:
        summary = store.assign(
            args.doc, names, by=cli_actor(), first=args.first, last=args.last,
            overlap=args.overlap,
        )  # fmt: skip
    shares = ", ".join(f"{name} {n}" for name, n in summary.per_reviewer.items())
    err(
        f"assigned {summary.segments} segments of {summary.doc_id} ({shares}); "
        f"{summary.doubled} to two reviewers\n"
    )
    return 0


# --- agreement ----------------------------------------------------------------------------
def add_agreement_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "agreement", help="how reviewers agree on the segments they both reviewed"
    )
    parser.add_argument("--doc", help="one document (default: all)")
    parser.add_argument("--format", choices=("table", "json", "tsv"), default="table")
    parser.add_argument(
        "--limit", type=int, default=20, help="table: disagreements shown per pair (default 20)"
    )
    _db_option(parser)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@command("agreement")
def run_agreement(args: argparse.Namespace) -> int:
    from mtreview.agreement import agreement, report_rows
    from mtreview.mqm import load_typology

    settings = settings_from(args, db=args.db)
    with _existing_store(settings.db) as store:
        report = agreement(store.shared_segments(args.doc), load_typology(settings.mqm_typology))
    rows = report_rows(report)
    if args.format == "json":
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        out("\n")
        return 0
    if args.format == "tsv":
        columns = list(rows[0]) if rows else ["left", "right", "segments"]
        _say("\t".join(columns))
        for row in rows:
            _say("\t".join(_number(row[c]) for c in columns))
        return 0
    if not rows:
        _say("No segment was reviewed by two reviewers yet.")
        return 0
    columns = list(rows[0])
    table = [columns] + [[_number(row[c]) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        _say("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    if report.fleiss_segments:
        _say(
            f"\nFleiss' kappa over {report.fleiss_segments} segments with 3+ reviewers: "
            f"category {_number(report.fleiss_category)}, "
            f"severity {_number(report.fleiss_severity)}"
        )
    for pair in report.pairs:
        shown = pair.disagreements[: args.limit]
        _say(f"\nDisagreements {pair.left} / {pair.right}: {len(pair.disagreements)}")
        for d in shown:
            _say(f"  {d.doc_id} #{d.segment + 1} [{d.start}, {d.end}) {d.text!r}: "
                  f"{d.left} | {d.right}")  # fmt: skip
        if len(pair.disagreements) > len(shown):
            _say(f"  … {len(pair.disagreements) - len(shown)} more (--limit, or --format json)")
    return 0
