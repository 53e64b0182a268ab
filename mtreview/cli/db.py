"""`mtreview db upgrade` and `db grant`: a PostgreSQL store's two roles (docs/teams.md).

`upgrade`, run as the owner of the schema, creates the store's tables or brings them up to
this mtreview's schema; `grant` (as the owner too) then gives the app's role the rows and
nothing more: it cannot change the tables, nor rewrite or cut the audit log. The work is
the library's (`mtreview.store.postgres`); this face parses and prints.
"""

from __future__ import annotations

import argparse
from typing import Any

from mtreview.cli.common import command, out, settings_from
from mtreview.errors import MTReviewError


def add_db_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "db", help="a PostgreSQL store: create or upgrade it as its owner, grant the app role"
    )
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser(
        "upgrade", help="create the store's schema and tables, or upgrade them (as the owner)"
    )
    grant = actions.add_parser(
        "grant",
        help="give the app role rows only: DML on the tables, INSERT and SELECT on the audit log",
    )
    grant.add_argument("--app-role", required=True, help="the role the app connects as")
    for sub in (upgrade, grant):
        sub.add_argument("--db", help="the store's URL, connecting as the owner role")
        sub.add_argument("--db-schema", help="schema of the tables (setting db_schema)")
        sub.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")


@command("db")
def run_db(args: argparse.Namespace) -> int:
    from mtreview.store import ReviewStore

    settings = settings_from(args, db=args.db, db_schema=args.db_schema)
    if "://" not in settings.db:
        raise MTReviewError(
            f"{settings.db}: db {args.db_action} is for a PostgreSQL URL; an SQLite store "
            "is made on first use and guarded by its file's mode (0600)"
        )
    with ReviewStore(settings.db, schema=settings.db_schema) as store:
        for note in store.notes:
            out(f"note: {note}\n")
        if args.db_action == "upgrade":
            out(f"{store.describe()}: store ready in schema {store.schema}\n")
            return 0
        grants = store.grant_app_role(args.app_role)
    out(
        f"{grants.role}: rows of {len(grants.tables)} tables in schema {grants.schema}; "
        f"INSERT and SELECT only on {', '.join(grants.append_only)}; "
        f"{len(grants.sequences)} id sequences; no right to create or alter\n"
    )
    return 0


PARSERS = [add_db_parser]
