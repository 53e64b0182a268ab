"""Accounts, roles, sign-in and the audit log of the review store.

Passwords are hashed with argon2id (argon2-cffi, its default parameters) and never stored
in clear; a sign-in (a password, or an identity provider: `mtreview.store.external`) opens
a session (`mtreview.store.sessions`: a random token handed to the browser, stored only as
its SHA-256, with an idle and an absolute timeout). Roles are
data (`mtreview.roles.ROLES`: name -> what it may do), read by the CLI choices and by the
checks in `mtreview.team`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.roles import ROLES
from mtreview.store.access import has_accounts, refuse_unless, team_member
from mtreview.store.base import UNKNOWN_ACTOR
from mtreview.store.external import ExternalActions
from mtreview.store.names import NameRefused, check_password, clean_name, new_name
from mtreview.store.principal import LOCAL_ROLE, Principal
from mtreview.store.schema import meta, now, reviewers
from mtreview.store.sessions import SessionPolicy
from mtreview.store.sessions import account_user as _user
from mtreview.store.team_schema import AuditEntry, SignedIn, User, accounts, audit_log, sessions
from mtreview.store.throttle import (
    Attempt,
    Refusal,
    begin_attempt,
    forget_stale,
    give_back,
    hash_gate,
    throttle_keys,
)

LOCAL_KEY = "local_user"

_hasher = PasswordHasher()


class AuthError(StoreError):
    """Wrong name or password, a disabled account, or an expired session."""


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


class AccountActions(ExternalActions):
    # --- accounts -------------------------------------------------------------------------
    def add_user(self, name: str, *, role: str, password: str | None, by: str) -> User:
        """A new account (`password=None`: only an identity provider can sign it in).
        The name and password must pass `mtreview.store.names` (also for a reviewer who
        already has work in the store). `by`: a principal allowed "users" (an admin); on a
        store without accounts the first account needs none and must be an admin (else no
        one could ever manage accounts), audited as `by` as given."""
        _check_role(role)
        name = clean_name(name)
        hashed = None if password is None else _hasher.hash(check_password(password, name))
        with self._write() as conn:
            if has_accounts(conn):
                actor = team_member(conn, by, "users").name
            else:
                refuse_unless(
                    role == "admin",
                    f"the first account of a store must be an admin, not a {role}: "
                    f"add an admin first (mtreview users add NAME --role admin)",
                )
                actor = clean_name(by)
            new_name(name, conn.execute(sa.select(reviewers.c.name)).scalars())
            rid = self._reviewer_id(conn, name)
            exists = sa.select(accounts.c.role).where(accounts.c.reviewer_id == rid)
            if conn.execute(exists).first() is not None:
                raise StoreError(f"user {clean_name(name)!r} already exists")
            stamp = now()
            conn.execute(
                accounts.insert().values(
                    reviewer_id=rid,
                    role=role,
                    password_hash=hashed,
                    disabled=False,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
            self._audit(conn, actor, "add-user", user=clean_name(name), role=role)
            return _user(conn, rid)

    def _account_id(self, conn: Connection, name: str) -> int:
        query = (
            sa.select(accounts.c.reviewer_id)
            .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
            .where(reviewers.c.name == clean_name(name))
        )
        found = conn.execute(query).scalar()
        if found is None:
            raise StoreError(f"no user {clean_name(name)!r}")
        return int(found)

    def update_user(
        self,
        name: str,
        *,
        by: str,
        password: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        """Change a password, role or disabled flag; disabling ends the user's sessions.
        `by`: a principal allowed "users" (an admin). Refused when it would leave the
        store with no enabled admin (no one could manage accounts any more)."""
        values: dict[str, Any] = {"updated_at": now()}
        if password is not None:
            values["password_hash"] = _hasher.hash(check_password(password, name))
        if role is not None:
            values["role"] = _check_role(role)
        if disabled is not None:
            values["disabled"] = disabled
        with self._write() as conn:
            actor = self._acting(conn, by, "users").name
            rid = self._account_id(conn, name)
            conn.execute(accounts.update().where(accounts.c.reviewer_id == rid).values(**values))
            admins = sa.select(accounts.c.reviewer_id).where(
                (accounts.c.role == "admin") & (accounts.c.disabled == sa.false())
            )
            refuse_unless(
                (role is None and not disabled)
                or conn.execute(admins.limit(1)).first() is not None,
                f"{clean_name(name)!r} is the last enabled admin: make another admin first",
            )
            if disabled or password is not None:
                conn.execute(sessions.delete().where(sessions.c.reviewer_id == rid))
            changed = sorted(k for k in values if k != "updated_at")
            detail: dict[str, object] = {
                "user": clean_name(name),
                "changed": ["password" if k == "password_hash" else k for k in changed],
            }
            if role is not None:
                detail["role"] = role
            if disabled is not None:
                detail["disabled"] = disabled
            self._audit(conn, actor, "update-user", None, None, **detail)
            return _user(conn, rid)

    def users(self) -> list[User]:
        with self._read() as conn:
            ids = conn.execute(sa.select(accounts.c.reviewer_id)).scalars().all()
            found = [_user(conn, rid) for rid in ids]
        return sorted(found, key=lambda user: user.name)

    def user(self, name: str) -> User:
        with self._read() as conn:
            return _user(conn, self._account_id(conn, name))

    def has_accounts(self) -> bool:
        """True once any account exists: the store is then a team store, for good (no
        account is ever deleted), so a True is not asked again."""
        if not self._team:
            with self._read() as conn:
                self._team = has_accounts(conn)
        return self._team

    def local_user(self) -> str | None:
        """The name of the single user of a local store (no accounts), once given."""
        with self._read() as conn:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == LOCAL_KEY)).scalar()

    def set_local_user(self, name: str) -> str:
        clean = clean_name(name)
        with self._write() as conn:
            conn.execute(meta.delete().where(meta.c.key == LOCAL_KEY))
            conn.execute(meta.insert().values(key=LOCAL_KEY, value=clean))
        return clean

    # --- sessions -------------------------------------------------------------------------
    def sign_in(
        self,
        name: str,
        password: str,
        *,
        client: str | None = None,
        hours: float | None = None,
        policy: SessionPolicy | None = None,
    ) -> SignedIn:
        """A session for a correct name and password; AuthError (one message) otherwise.
        It lives as `policy` says (`mtreview.store.sessions`; `hours`: a shorter life).
        Attempts are counted in the store per name and per `client` address (when known:
        `throttle.client_address`): inside a wait or a lockout the attempt is refused with
        SignInThrottled before any password is hashed (`mtreview.store.throttle`).
        Hashes run at most `throttle.hash_limit` at once in this process."""
        refused = AuthError("wrong name or password, or the account is disabled")
        try:
            name = clean_name(name)
        except NameRefused:
            name = ""  # no account has it: refused below, in the time a real check takes
        attempt = self._sign_in_attempt(name, client)
        gate = hash_gate(self.throttle.hash_limit)
        with self._read() as conn:
            query = (
                sa.select(accounts.c.reviewer_id, accounts.c.password_hash, accounts.c.disabled)
                .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
                .where(reviewers.c.name == name)
            )
            row = conn.execute(query).first()
        if row is None or row.disabled or row.password_hash is None:
            with gate.slot():
                _hasher.hash(password)  # same time as a real check: names do not leak by timing
            why = "no such account" if row is None else "disabled or no password"
            self._sign_in_failed(name, client, attempt, why)
            raise refused
        try:
            with gate.slot():
                _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            self._sign_in_failed(name, client, attempt, "wrong password")
            raise refused from None
        rehashed = None
        if _hasher.check_needs_rehash(row.password_hash):
            with gate.slot():
                rehashed = _hasher.hash(password)
        with self._write() as conn:
            give_back(conn, attempt, self.throttle)
            if rehashed is not None:
                conn.execute(
                    accounts.update()
                    .where(accounts.c.reviewer_id == row.reviewer_id)
                    .values(password_hash=rehashed)
                )
            return self._new_session(conn, row.reviewer_id, "sign-in", hours, policy)

    def _sign_in_attempt(self, name: str, client: str | None) -> Attempt:
        """The attempt counted against its name and address, or SignInThrottled inside a
        wait (audited once per wait: a flood of refusals does not grow the log)."""
        with self._write() as conn:
            outcome = begin_attempt(conn, throttle_keys(name, client), self.throttle)
            if isinstance(outcome, Refusal) and outcome.first:
                error = outcome.error
                self._audit(
                    conn, name or UNKNOWN_ACTOR, "sign-in-throttled", client=client,
                    by=error.kind, locked=error.locked, retry_at=error.retry_at.isoformat(),
                )  # fmt: skip
        if isinstance(outcome, Refusal):
            raise outcome.error
        return outcome

    def _sign_in_failed(self, name: str, client: str | None, attempt: Attempt, why: str) -> None:
        """The audit of a failed attempt (already counted): its reason, the wait it left,
        and a "lockout" row for each key it locked out."""
        actor = name or UNKNOWN_ACTOR
        detail: dict[str, object] = {"reason": why, "client": client}
        detail["failures"] = dict(zip((k for k, _ in attempt.keys), attempt.failures, strict=True))
        if attempt.retry_at is not None:
            detail["retry_at"] = attempt.retry_at.isoformat()
        with self._write() as conn:
            forget_stale(conn, self.throttle)
            self._audit(conn, actor, "sign-in-failed", None, None, **detail)
            for kind, key in attempt.locked:
                until = attempt.retry_at.isoformat() if attempt.retry_at else None
                self._audit(conn, actor, "lockout", by=kind, key=key, until=until)

    def local_principal(self, name: str) -> Principal:
        """The single user of a store without accounts (no authentication to enforce);
        AccessError on a team store, where everyone signs in."""
        with self._read() as conn:
            refuse_unless(
                not has_accounts(conn),
                "this is a team store: sign in (a local name acts only on a store without "
                "accounts)",
            )
        return Principal(clean_name(name), LOCAL_ROLE, None)

    # --- audit ----------------------------------------------------------------------------
    def audit_log(
        self, doc_id: str | None = None, *, limit: int | None = None, viewer: str | None = None
    ) -> list[AuditEntry]:
        """The log, oldest first (of one document, when given). It holds everyone's
        corrections and sign-ins: `viewer` (`audit list`), checked in this read, must be
        allowed "audit" (an admin) on a team store; None: the library's own read."""
        with self._read() as conn:
            if viewer is not None:
                self._acting(conn, viewer, "audit")
            query = sa.select(audit_log).order_by(audit_log.c.at, audit_log.c.id)
            if doc_id is not None:
                query = query.where(audit_log.c.doc_id == doc_id)
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                r.at,
                r.actor,
                r.action,
                r.doc_id,
                r.segment,
                dict(r.detail or {}),
                id=r.id,
                imported=bool(r.imported),
            )
            for r in rows
        ]

    def record(self, actor: str, action: str, doc_id: str | None = None, **detail: object) -> None:
        """Log an action that changes nothing in the store (an export, a download) under
        the name of whoever did it: on a team store `actor` is a live principal (checked
        in this transaction; a plain name is refused and nothing is logged)."""
        with self._write() as conn:
            me = self._acting(conn, actor, "review")
            self._audit(conn, me.name, action, doc_id, None, **detail)
