"""The checks a store call makes with a principal, inside its own transaction: a live
session, a role that permits the action, the segment assigned, blind work kept apart."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import AccessError, StoreError
from mtreview.roles import DOES, ROLES
from mtreview.store.principal import Principal
from mtreview.store.schema import now, reviewers
from mtreview.store.team_schema import accounts, adjudications, assignments, sessions


@dataclasses.dataclass(frozen=True)
class Acting:
    """A principal as checked inside one transaction: its reviewer row and permissions."""

    name: str
    reviewer_id: int | None  # None: a local name not stored yet (reads only)
    permissions: frozenset[str]
    team: bool  # the store has accounts

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
    does = DOES.get(permission, permission)
    refuse_unless(permission in permissions, f"{who.name!r} ({row.role}) may not {does}")
    return Acting(row.name, int(row.reviewer_id), permissions, team=True)


def refuse_unless(allowed: bool, why: str) -> None:
    if not allowed:
        raise AccessError(why)


def assignees(conn: Connection, segment_id: int) -> set[int]:
    query = sa.select(assignments.c.reviewer_id).where(assignments.c.segment_id == segment_id)
    return {int(rid) for rid in conn.execute(query).scalars()}


def check_segment(conn: Connection, acting: Acting, segment_id: int, where: str) -> None:
    """A reviewer without "see-all" works only on segments assigned to them."""
    if acting.can("see-all"):
        return
    refuse_unless(
        acting.reviewer_id in assignees(conn, segment_id),
        f"{where} is not assigned to {acting.name!r}",
    )


def blind_to(
    conn: Connection, acting: Acting, segment_id: int, *, until_adjudicated: bool = True
) -> bool:
    """Whether `acting` may see and touch only their own work on this segment: it is
    reviewed blind (assigned to two or more), not adjudicated yet (`until_adjudicated`),
    and they lack "see-all"."""
    if acting.can("see-all") or len(assignees(conn, segment_id)) < 2:
        return False
    if not until_adjudicated:
        return True
    settled = sa.select(adjudications.c.segment_id).where(adjudications.c.segment_id == segment_id)
    return conn.execute(settled).first() is None
