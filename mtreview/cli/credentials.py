"""Who a command acts as on a team store (one with accounts): a signed-in account, never
the system user. `--as NAME` with that account's password (asked on the terminal, or the
first line of standard input with `--password-stdin`), or `--token-stdin` (a session token
the store issued). The command holds a short session of its own, signed out when it ends.

`users`, `assign` and `agreement` (`mtreview.cli.team`), the data commands that bring
documents and reviews in (`import-reviews`, `import-analysis`, `score --db`: `acting_as`,
an admin's) and those that take review work out (`export`, `calibrate STORE`, `compare
--db`: what the account may see; `export --format reviews` and `audit list`: an admin's)
share it. On a store without accounts nothing is asked."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import sys
from collections.abc import Iterator
from typing import Any

from mtreview.cli.common import cli_actor
from mtreview.errors import AccessError, MTReviewError

CLI_SESSION_HOURS = 0.25  # a command's own session: long enough for any command, then gone
# a long import (`score --db`, `import-analysis`): the store's longest session
# (`session_max_hours` caps it); each window's write keeps it clear of the idle timeout
IMPORT_SESSION_HOURS = 24.0


def credential_options(parser: Any, *, new_password: bool = False) -> None:
    """Who acts on a team store: an account and its password, or a session token."""
    parser.add_argument(
        "--as", dest="acting", metavar="NAME", help="on a team store: the account that acts"
    )
    then = ", then the new password" if new_password else ""
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read passwords from standard input, one a line: the --as account's{then}",
    )
    parser.add_argument(
        "--token-stdin",
        action="store_true",
        help="act with a session token issued by the store, read from standard input",
    )


def read_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line.strip():
        raise MTReviewError(f"no {what} on standard input")
    return line.rstrip("\r\n")


def ask(prompt: str) -> str:
    """A password from the terminal; none there (a pipe, a cron job): one line, exit 2."""
    if not sys.stdin.isatty():
        raise MTReviewError(f"no terminal to ask for the {prompt}: pass --password-stdin")
    return getpass.getpass(f"{prompt[0].upper()}{prompt[1:]}: ")


@dataclasses.dataclass(frozen=True)
class Credential:
    """What a command acts with on a team store: `--as` and its password, or a token."""

    name: str | None  # None: `secret` is a session token
    secret: str


def read_credential(store: Any, args: argparse.Namespace) -> Credential | None:
    """Read before anything else (the first line of standard input); None on a store
    without accounts, where nothing is asked."""
    if not store.has_accounts():
        return None
    if args.token_stdin:
        return Credential(None, read_line("session token"))
    if not args.acting:
        raise MTReviewError(
            "this is a team store: say which account acts (--as NAME, its password from the "
            "terminal or --password-stdin; or --token-stdin)"
        )
    secret = read_line("password") if args.password_stdin else ask(f"password of {args.acting}")
    return Credential(args.acting, secret)


@contextlib.contextmanager
def signed_in(
    store: Any,
    credential: Credential | None,
    *,
    local: str | None = None,
    hours: float = CLI_SESSION_HOURS,
) -> Iterator[Any]:
    """The principal this command acts as: on a team store, a session of `--as` (signed
    out when the command ends; `hours`: its longest life) or the token's. On a store
    without accounts, the name `local` (the first admin `users add` makes), else
    `cli:<system user>`."""
    if credential is None:
        yield local or cli_actor()
    elif credential.name is None:
        principal = store.principal(credential.secret)
        if principal is None:
            raise MTReviewError("the session token is unknown, expired or signed out")
        yield principal
    else:
        session = store.sign_in(credential.name, credential.secret, hours=hours)
        try:
            yield session.principal
        finally:
            store.sign_out(session.token)


@contextlib.contextmanager
def acting_as(
    store: Any, args: argparse.Namespace, permission: str, *, hours: float = CLI_SESSION_HOURS
) -> Iterator[Any]:
    """Who a data command acts as: on a team store an account allowed `permission`,
    refused before any work when its role lacks it (each store write checks it again, in
    its own transaction); on a store without accounts `cli:<system user>`, as ever."""
    from mtreview.roles import DOES, ROLES

    with signed_in(store, read_credential(store, args), hours=hours) as by:
        if getattr(by, "proof", None) is not None and not by.can(permission):
            may = " or ".join(role for role, can in ROLES.items() if permission in can)
            does = DOES.get(permission, permission)
            raise AccessError(f"{by.name!r} ({by.role}) may not {does} (that takes: {may})")
        yield by
