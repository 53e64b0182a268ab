"""`mtreview users`, `assign` and `agreement`: accounts, work for reviewers, how they agree.

On a team store (one with accounts) these commands act as a signed-in account, never as the
system user: `--as NAME` with that account's password (asked on the terminal, or the first
line of standard input with `--password-stdin`), or `--token-stdin` (a session token the
store issued, on standard input; `mtreview.cli.credentials`). The command holds a short
session for its work, in the audit log under that account's name, and signs it out when
done; the store checks the account's role (`users` needs an admin, `assign` and `agreement`
a lead or admin). On a store without accounts nothing is asked: the first account (`users
add NAME --role admin`) is the team's first admin, recorded as made by itself. `users list`
reads no review work and asks nothing. `users link NAME --issuer URL [--subject SUB]` lets
an identity provider sign an account in, a password account too (the rules:
`mtreview.store.external`); `users unlink` takes that back.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from mtreview.cli.common import command, err, out, settings_from
from mtreview.cli.credentials import (
    ask,
    credential_options,
    read_credential,
    read_line,
    signed_in,
)
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

    parser = commands.add_parser(
        "users", help="team accounts: add, list, passwd, disable, link to a provider"
    )
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
        credential_options(sub, new_password=True)
    for name, text in (("disable", "refuse sign-in, end sessions"), ("enable", "allow again")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("name")
        credential_options(sub, new_password=False)
    role = actions.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=list(ROLES))
    credential_options(role, new_password=False)
    link = actions.add_parser(
        "link", help="let an identity provider sign an account in (a password account too)"
    )
    link.add_argument("name")
    link.add_argument("--issuer", required=True, help="the provider's issuer URL (its `iss`)")
    link.add_argument("--subject", help="only this identity (its `sub`); default: the first")
    credential_options(link, new_password=False)
    unlink = actions.add_parser("unlink", help="remove the link (ends the user's sessions)")
    unlink.add_argument("name")
    credential_options(unlink, new_password=False)
    listing = actions.add_parser("list", help="every account")
    for sub in (add, passwd, listing, role, link, unlink,
                *[actions.choices[n] for n in ("disable", "enable")]):  # fmt: skip
        _db_option(sub)


def _password(args: argparse.Namespace) -> str:
    """The new password of `args.name`: the next line of standard input, or typed twice;
    checked before anyone signs in (a weak one is refused with nothing written)."""
    from mtreview.store.names import check_password, clean_name

    if args.password_stdin:
        return check_password(read_line("password"), clean_name(args.name))
    first = ask(f"new password for {args.name}")
    if getpass.getpass("Again: ") != first:
        raise MTReviewError("the two passwords differ; nothing changed")
    return check_password(first, clean_name(args.name))


def _new_or_existing_store(db: str, schema: str, *, create: bool) -> Any:
    """`users add` makes a store only when asked: a mistyped --db (or none, and no
    ./mtreview.db) is an error, not a new empty store holding one account."""
    from mtreview.store import ReviewStore
    from mtreview.store.base import store_exists

    if not create and not store_exists(db):
        raise MTReviewError(f"{db}: no such review store; pass --create to make a new one")
    return ReviewStore(db, schema=schema)


@command("users")
def run_users(args: argparse.Namespace) -> int:
    from mtreview.store.base import clean_name, removed_on_failure
    from mtreview.store.names import new_name

    settings = settings_from(args, db=args.db)
    action = args.users_action
    if action == "list":
        with _existing_store(settings.db, settings.db_schema) as store:
            for user in store.users():
                state = "disabled" if user.disabled else "active"
                login = "password" if user.has_password else "oidc only"
                _say(f"{user.name}\t{user.role}\t{state}\t{login}\t{user.created_at}")
        return 0
    clean_name(args.name)  # not UTF-8, a control character: refused before any SQL
    if action in ("link", "unlink"):
        return _link(args, settings)
    with removed_on_failure(settings.db):  # `add --create` that fails leaves no new store
        if action == "add":
            opened = _new_or_existing_store(settings.db, settings.db_schema, create=args.create)
        else:
            opened = _existing_store(settings.db, settings.db_schema)
        with opened as store:
            if action == "add":  # a name the store would refuse: before anyone signs in
                new_name(args.name, (reviewer.name for reviewer in store.reviewers()))
            credential = read_credential(store, args)
            new = action == "passwd" or (action == "add" and not args.no_password)
            password = _password(args) if new else None
            first_admin = args.name if action == "add" else None
            with signed_in(store, credential, local=first_admin) as by:
                user = _change(store, args, by, password)
    state = "disabled" if user.disabled else "active"
    err(f"{action}: {user.name} ({user.role}, {state})\n")
    return 0


def _link(args: argparse.Namespace, settings: Any) -> int:
    """`users link` and `users unlink`, as an admin; the issuer and subject are checked
    before anyone signs in."""
    from mtreview.store.external import check_issuer, check_subject

    link = args.users_action == "link"
    issuer = check_issuer(args.issuer) if link else ""
    subject = check_subject(args.subject) if link and args.subject is not None else None
    with (
        _existing_store(settings.db, settings.db_schema) as store,
        signed_in(store, read_credential(store, args)) as by,
    ):
        if link:
            done = store.link_external(args.name, issuer=issuer, subject=subject, by=by)
        else:
            done = store.unlink_external(args.name, by=by)
    who = f"subject {done.subject}" if done.subject else "bound at its first sign-in there"
    if not link:
        who = f"removed; {who}" if done.subject else "removed"
    err(f"{args.users_action}: {done.user} ({done.issuer}, {who})\n")
    return 0


def _change(store: Any, args: argparse.Namespace, by: Any, password: str | None) -> Any:
    """The account change `users ACTION` asks for, made as `by`."""
    action = args.users_action
    if action == "add":
        return store.add_user(args.name, role=args.role, password=password, by=by)
    if action == "passwd":
        return store.update_user(args.name, password=password, by=by)
    if action == "role":
        return store.update_user(args.name, role=args.role, by=by)
    return store.update_user(args.name, disabled=action == "disable", by=by)


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
    credential_options(parser, new_password=False)
    _db_option(parser)


@command("assign")
def run_assign(args: argparse.Namespace) -> int:
    settings = settings_from(args, db=args.db)
    names = [n.strip() for n in args.reviewers.split(",") if n.strip()]
    with (
        _existing_store(settings.db, settings.db_schema) as store,
        signed_in(store, read_credential(store, args)) as by,
    ):
        summary = store.assign(
            args.doc, names, by=by, first=args.first, last=args.last, overlap=args.overlap
        )
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
    credential_options(parser, new_password=False)
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
    typology = load_typology(settings.mqm_typology)
    with (
        _existing_store(settings.db, settings.db_schema) as store,
        signed_in(store, read_credential(store, args)) as viewer,
    ):
        report = agreement(store.shared_segments(args.doc, viewer=viewer), typology)
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
