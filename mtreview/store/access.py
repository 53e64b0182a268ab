"""The checks a store call makes with a principal, inside its own transaction: a live
session, a role that permits the action, the segment assigned, blind work kept apart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import AccessError, StoreError
from mtreview.roles import DOES, ROLES
from mtreview.store.principal import Principal
from mtreview.store.schema import now, reviewers, segments
from mtreview.store.team_schema import accounts, adjudications, assignments, sessions


@dataclasses.dataclass(frozen=True)
class Acting:
    """A principal as checked inside one transaction: its reviewer row and permissions."""

    name: str
    reviewer_id: int | None  # None: a local name not stored yet (reads only)
    permissions: frozenset[str]
    team: bool  # the store has accounts
    role: str = ""  # the account's role (a team store's)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def writer_id(self) -> int:
        """The reviewer row a write is attributed to (made by `_acting` for a write)."""
        if self.reviewer_id is None:
            raise StoreError(f"{self.name!r} has no reviewer row to write as")
        return self.reviewer_id


def has_accounts(conn: Connection) -> bool:
    return conn.execute(sa.select(accounts.c.reviewer_id).limit(1)).first() is not None


def team_member(conn: Connection, who: str, permission: str) -> Acting:
    """The account behind a principal on a team store, live and allowed `permission`;
    AccessError otherwise (and for a plain name)."""
    return permitted(session_member(conn, who), permission)


def permitted(acting: Acting, permission: str) -> Acting:
    """`acting` (checked in this transaction), if their role permits `permission`."""
    does = DOES.get(permission, permission)
    refuse_unless(acting.can(permission), f"{acting.name!r} ({acting.role}) may not {does}")
    return acting


def session_member(conn: Connection, who: str) -> Acting:
    """The live account behind a principal, whatever it may do; AccessError for an ended
    session (signed out, expired, disabled) and for a plain name."""
    if not isinstance(who, Principal) or who.proof is None:
        shown = f"acting as {str(who)[:80]!r}" if who else "this call"
        raise AccessError(
            f"this is a team store: {shown} needs a signed-in principal (sign in, or give "
            "an account's credentials to the command), not a name"
        )
    row = conn.execute(
        sa.select(
            sessions.c.reviewer_id,
            sessions.c.expires_at,
            accounts.c.role,
            accounts.c.disabled,
            reviewers.c.name,
        )
        .join(accounts, accounts.c.reviewer_id == sessions.c.reviewer_id)
        .join(reviewers, reviewers.c.id == sessions.c.reviewer_id)
        .where(sessions.c.token_hash == who.proof)
    ).first()
    if row is None or row.expires_at <= now() or row.disabled or row.name != who.name:
        raise AccessError(
            f"the session of {who.name!r} has ended (signed out, expired, or the account "
            "is disabled): sign in again"
        )
    permissions = ROLES.get(row.role, frozenset())
    return Acting(row.name, int(row.reviewer_id), permissions, team=True, role=row.role)


KEEP_ALIVE_SECONDS = 60  # a long command's session is marked used at most this often


def keep_alive(conn: Connection, who: str) -> None:
    """Mark the session of principal `who` used now (checked already in this transaction):
    a command that writes for hours (`score --db`) stays clear of the idle timeout that a
    sign-in sweeps sessions by. At most once a minute; nothing for a plain name."""
    if not isinstance(who, Principal) or who.proof is None:
        return
    moment = dt.datetime.now(dt.UTC)
    since = (moment - dt.timedelta(seconds=KEEP_ALIVE_SECONDS)).isoformat(timespec="microseconds")
    conn.execute(
        sessions.update()
        .where((sessions.c.token_hash == who.proof) & (sessions.c.last_seen_at < since))
        .values(last_seen_at=moment.isoformat(timespec="microseconds"))
    )


def refuse_unless(allowed: bool, why: str) -> None:
    if not allowed:
        raise AccessError(why)


def assignees(conn: Connection, segment_id: int) -> set[int]:
    query = sa.select(assignments.c.reviewer_id).where(assignments.c.segment_id == segment_id)
    return {int(rid) for rid in conn.execute(query).scalars()}


@dataclasses.dataclass(frozen=True)
class Assignment:
    """Whom a segment is assigned to, and whether a lead adjudicated it (asked together:
    one statement)."""

    reviewers: frozenset[int]
    adjudicated: bool

    def blind_to(self, acting: Acting, *, until_adjudicated: bool = True) -> bool:
        """See `blind_to`."""
        if acting.can("see-all") or len(self.reviewers) < 2:
            return False
        return not (until_adjudicated and self.adjudicated)


def assignment(conn: Connection, segment_id: int) -> Assignment:
    settled = sa.exists().where(adjudications.c.segment_id == segment_id)
    rows = conn.execute(
        sa.select(assignments.c.reviewer_id, settled.label("settled")).where(
            assignments.c.segment_id == segment_id
        )
    ).all()
    # (with no one assigned, whether it was adjudicated decides nothing: never blind)
    return Assignment(frozenset(int(r.reviewer_id) for r in rows), any(r.settled for r in rows))


def segment_assigned(conn: Connection, doc_id: str, index: int) -> tuple[Any, Assignment]:
    """The segment's row and its `Assignment`, in one statement (a row per assignee): what
    a reviewer's write checks first."""
    settled = sa.exists().where(adjudications.c.segment_id == segments.c.id)
    rows = conn.execute(
        sa.select(
            segments,
            assignments.c.reviewer_id.label("assignee"),
            settled.label("adjudicated"),
        )
        .select_from(segments.outerjoin(assignments, assignments.c.segment_id == segments.c.id))
        .where((segments.c.doc_id == doc_id) & (segments.c.idx == index))
    ).all()
    if not rows:
        raise StoreError(f"no segment {index} in document {doc_id!r}")
    found = frozenset(int(r.assignee) for r in rows if r.assignee is not None)
    return rows[0], Assignment(found, bool(found) and bool(rows[0].adjudicated))


def check_segment(
    conn: Connection,
    acting: Acting,
    segment_id: int,
    where: str,
    found: Assignment | None = None,
) -> None:
    """A reviewer without "see-all" works only on segments assigned to them (`found`:
    the segment's assignment, when the caller read it already)."""
    if acting.can("see-all"):
        return
    found = found or assignment(conn, segment_id)
    refuse_unless(
        acting.reviewer_id in found.reviewers, f"{where} is not assigned to {acting.name!r}"
    )


def blind_to(
    conn: Connection, acting: Acting, segment_id: int, *, until_adjudicated: bool = True
) -> bool:
    """Whether `acting` may see and touch only their own work on this segment: it is
    reviewed blind (assigned to two or more), not adjudicated yet (`until_adjudicated`),
    and they lack "see-all"."""
    if acting.can("see-all"):
        return False
    return assignment(conn, segment_id).blind_to(acting, until_adjudicated=until_adjudicated)
