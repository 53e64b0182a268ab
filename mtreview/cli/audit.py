"""`mtreview audit verify` and `audit list`: the store's audit log, checked and shown.

`verify` recomputes the hash chain (mtreview.store.audit): exit 0 and one line with the
number of rows and the head (`--print-head`: the head alone, to record elsewhere), or exit
1 and one line naming the first broken row. `list` shows everyone's actions (corrected
texts among them): on a team store an admin's, with the credentials of the team commands
(`--as NAME`, `--token-stdin`); `verify` shows no row's content and asks nothing.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from mtreview.cli.common import command, err, out, settings_from
from mtreview.cli.review import _existing_store

BROKEN = 1  # the exit status of a log whose chain does not hold


def add_audit_parser(commands: Any) -> None:
    parser = commands.add_parser("audit", help="the audit log: verify its hash chain, list it")
    actions = parser.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="recompute the hash chain; exit 1 naming the first broken row"
    )
    verify.add_argument(
        "--print-head",
        action="store_true",
        help="print only the head (PLACE:SHA256) when the chain holds, to record elsewhere",
    )
    listing = actions.add_parser("list", help="the log, newest last, one JSON object a line")
    listing.add_argument("--limit", type=int, help="only the last N rows")
    listing.add_argument("--doc", help="only the rows about this document")
    for sub in (verify, listing):
        sub.add_argument("--db", help="review store: SQLite file or SQLAlchemy URL")
        sub.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")
    from mtreview.cli.credentials import credential_options

    credential_options(listing)  # a team store: an admin's


@command("audit")
def run_audit(args: argparse.Namespace) -> int:
    from mtreview.cli.credentials import acting_as

    settings = settings_from(args, db=args.db)
    if args.audit_action == "list" and args.limit is not None and args.limit < 1:
        err("audit list: --limit must be 1 or more\n")
        return 2
    with _existing_store(settings.db, settings.db_schema) as store:
        if args.audit_action == "verify":
            check = store.verify_audit()
        else:
            with acting_as(store, args, "audit") as by:
                entries = store.audit_log(args.doc, viewer=by)
    if args.audit_action == "list":
        for entry in entries[-args.limit :] if args.limit else entries:
            row = {
                "id": entry.id,
                "at": entry.at,
                "actor": entry.actor,
                "action": entry.action,
                "doc": entry.doc_id,
                "segment": entry.segment,
                "detail": entry.detail,
                "imported": entry.imported,
            }
            out(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        return 0
    if not check.ok:
        err(check.describe() + "\n")
        return BROKEN
    out(f"{check.head_seq}:{check.head}\n" if args.print_head else check.describe() + "\n")
    return 0


PARSERS = [add_audit_parser]
