"""Sign-in sessions of the review store (`SessionActions`) and how long one lives: an
idle timeout and an absolute one (`SessionPolicy`).

A session row holds `created_at`, `expires_at` (the absolute end, fixed at sign-in, which
every store call checks: `mtreview.store.access.team_member`) and `last_seen_at`.
Resolving a token (`principal(token)`, once per script run of the app) ends the session
when it was not used for `idle_seconds` or is older than `max_seconds` (a setting lowered
since the sign-in counts too), and otherwise moves `last_seen_at` forward, at most once
per `touch_every` seconds (no write on every click). An ended session is deleted, so it
ends for every caller at once.

Time comes from `SessionPolicy.now`, so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import SettingsError
from mtreview.roles import ROLES
from mtreview.settings import Settings
from mtreview.store.access import Acting
from mtreview.store.base import StoreBase
from mtreview.store.principal import Principal
from mtreview.store.schema import now, reviewers
from mtreview.store.team_schema import SignedIn, User, accounts, sessions

IDLE_MINUTES = 60.0
MAX_HOURS = 12.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """The store's timestamp text (as `schema.now()` writes it): ISO-8601, UTC."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclasses.dataclass(frozen=True)
class SessionPolicy:
    """A session ends `idle_seconds` after it was last used, and `max_seconds` after the
    sign-in, whichever comes first (settings `session_idle_minutes`, `session_max_hours`)."""

    idle_seconds: float = IDLE_MINUTES * 60
    max_seconds: float = MAX_HOURS * 3600
    now: Callable[[], dt.datetime] = dataclasses.field(default=utc_now, compare=False)

    def __post_init__(self) -> None:
        if not (self.idle_seconds > 0 and self.max_seconds > 0):
            raise SettingsError("session timeouts must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(settings.session_idle_minutes * 60, settings.session_max_hours * 3600)

    @property
    def touch_every(self) -> float:
        """Seconds between two writes of `last_seen_at`: a tenth of the idle time, at most
        a minute (the idle timeout is at most that much early)."""
        return min(60.0, self.idle_seconds / 10)

    def expires_at(self, created: dt.datetime, *, cap: float | None = None) -> str:
        """The absolute end of a session signed in at `created`; `cap`: a shorter life in
        seconds (a command's own session)."""
        life = self.max_seconds if cap is None else min(cap, self.max_seconds)
        return stamp(created + dt.timedelta(seconds=life))

    def ended(self, created: str, last_seen: str, expires: str, moment: dt.datetime) -> str | None:
        """Why a session has ended at `moment` ("expired", "idle"), or None: it lives."""
        if parse(expires) <= moment or parse(created) + self._max <= moment:
            return "expired"
        if parse(last_seen) + dt.timedelta(seconds=self.idle_seconds) <= moment:
            return "idle"
        return None

    @property
    def _max(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.max_seconds)

    def needs_touch(self, last_seen: str, moment: dt.datetime) -> bool:
        return parse(last_seen) + dt.timedelta(seconds=self.touch_every) <= moment


def parse(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def token_hash(token: str) -> str:
    """What the store keeps of a token (and a principal's proof): its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionActions(StoreBase):
    """Sessions of the review store: made at sign-in (`AccountActions`), resolved on every
    script run, ended by sign-out, by "sign out everywhere" or by a timeout."""

    def _new_session(
        self,
        conn: Connection,
        rid: int,
        action: str,
        hours: float | None,
        policy: SessionPolicy | None,
    ) -> SignedIn:
        """A new random token (a new one at every sign-in); sessions past their end or
        idle time are swept out on the way."""
        policy = policy or SessionPolicy()
        token = secrets.token_urlsafe(32)
        created = policy.now()
        idle_since = stamp(created - dt.timedelta(seconds=policy.idle_seconds))
        conn.execute(
            sessions.delete().where(
                (sessions.c.expires_at < stamp(created)) | (sessions.c.last_seen_at < idle_since)
            )
        )
        expires = policy.expires_at(created, cap=None if hours is None else hours * 3600)
        conn.execute(
            sessions.insert().values(
                token_hash=token_hash(token),
                reviewer_id=rid,
                created_at=stamp(created),
                expires_at=expires,
                last_seen_at=stamp(created),
            )
        )
        user = account_user(conn, rid)
        self._audit(conn, user.name, action)
        return SignedIn(token, user, expires, Principal(user.name, user.role, token_hash(token)))

    def principal(
        self, token: str | None, *, policy: SessionPolicy | None = None
    ) -> Principal | None:
        """The principal of a live session token (the app, on every script run), or None.
        The idle and absolute timeouts are enforced here (an ended session is deleted);
        each store call re-checks the session: signing out or disabling ends it at once."""
        user = self.session_user(token, policy=policy)
        return (
            None
            if user is None or not token
            else Principal(user.name, user.role, token_hash(token))
        )

    def session_user(
        self, token: str | None, *, policy: SessionPolicy | None = None
    ) -> User | None:
        """The user of a live session, or None (unknown, ended, or account disabled). A
        session idle too long (or older than a lowered `max_seconds`) is deleted and
        audited ("session-ended"); a live one is marked used now (at most once per
        `policy.touch_every`)."""
        if not token:
            return None
        policy = policy or SessionPolicy()
        key = sessions.c.token_hash == token_hash(token)
        moment = policy.now()
        with self._read() as conn:  # the session with its account, in one statement
            row = conn.execute(
                sa.select(sessions, *ACCOUNT_COLUMNS)
                .join(accounts, accounts.c.reviewer_id == sessions.c.reviewer_id)
                .join(reviewers, reviewers.c.id == sessions.c.reviewer_id)
                .where(key)
            ).first()
            user = None if row is None else _user(row)
        if row is None or user is None or parse(row.expires_at) <= moment:
            return None  # past its end: dead for every call already (swept at a sign-in)
        ended = policy.ended(row.created_at, row.last_seen_at, row.expires_at, moment)
        if ended is not None:
            with self._write() as conn:
                if conn.execute(sessions.delete().where(key)).rowcount:
                    self._audit(conn, user.name, "session-ended", reason=ended)
            return None
        if user.disabled:
            return None
        read = conn
        if policy.needs_touch(row.last_seen_at, moment):
            with self._write() as conn:
                conn.execute(sessions.update().where(key).values(last_seen_at=stamp(moment)))
        if row.expires_at > now():  # as `session_member` checks it: this read's calls need not
            acting = Acting(user.name, int(row.reviewer_id), ROLES.get(user.role, frozenset()),
                            team=True, role=user.role)  # fmt: skip
            self._checked(read, token_hash(token), acting)
        return user

    def sign_out(self, token: str) -> None:
        with self._write() as conn:
            key = sessions.c.token_hash == token_hash(token)
            rid = conn.execute(sa.select(sessions.c.reviewer_id).where(key)).scalar()
            conn.execute(sessions.delete().where(key))
            if rid is not None:
                self._audit(conn, account_user(conn, rid).name, "sign-out")

    def sign_out_everywhere(self, token: str, *, policy: SessionPolicy | None = None) -> int:
        """End every session of the account of a live `token` (every browser, and tokens
        the app issued to a command line): how many ended; 0 for a token not live."""
        user = self.session_user(token, policy=policy)
        if user is None:
            return 0
        with self._write() as conn:
            key = sessions.c.token_hash == token_hash(token)
            rid = conn.execute(sa.select(sessions.c.reviewer_id).where(key)).scalar()
            ended = conn.execute(sessions.delete().where(sessions.c.reviewer_id == rid)).rowcount
            self._audit(conn, user.name, "sign-out-everywhere", sessions=ended)
        return int(ended)


def account_user(conn: Connection, rid: int) -> User:
    """The account of reviewer row `rid`."""
    row = conn.execute(
        sa.select(*ACCOUNT_COLUMNS)
        .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
        .where(accounts.c.reviewer_id == rid)
    ).one()
    return _user(row)


# an account's columns, named apart from a session's beside them
ACCOUNT_COLUMNS = (
    reviewers.c.name.label("account_name"),
    accounts.c.role.label("account_role"),
    accounts.c.disabled.label("account_disabled"),
    (accounts.c.password_hash.is_not(None)).label("account_has_password"),
    accounts.c.created_at.label("account_created_at"),
)


def _user(row: Any) -> User:
    return User(
        row.account_name,
        row.account_role,
        bool(row.account_disabled),
        bool(row.account_has_password),
        row.account_created_at,
    )
