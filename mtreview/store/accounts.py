"""Accounts, roles, sessions and the audit log of the review store.

Passwords are hashed with argon2id (argon2-cffi, its default parameters) and never stored
in clear; a session is a random token handed to the browser, stored only as its SHA-256,
and expires. Roles are data (`mtreview.roles.ROLES`: name -> what it may do), read by the CLI
choices and by the checks in `mtreview.team`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from mtreview.errors import StoreError
from mtreview.roles import ROLES
from mtreview.store.base import StoreBase
from mtreview.store.names import NameRefused, check_password, clean_name, new_name
from mtreview.store.schema import meta, now, reviewers
from mtreview.store.team_schema import AuditEntry, SignedIn, User, accounts, audit_log, sessions

LOCAL_KEY = "local_user"
SESSION_HOURS = 12.0

_hasher = PasswordHasher()


class AuthError(StoreError):
    """Wrong name or password, a disabled account, or an expired session."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


class AccountActions(StoreBase):
    # --- accounts -------------------------------------------------------------------------
    def add_user(self, name: str, *, role: str, password: str | None, by: str) -> User:
        """A new account (`password=None`: only an identity provider can sign it in).
        The name and password must pass `mtreview.store.names` (also for a reviewer who
        already has work in the store)."""
        _check_role(role)
        name = clean_name(name)
        hashed = None if password is None else _hasher.hash(check_password(password, name))
        with self._write() as conn:
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
            self._audit(conn, by, "add-user", user=clean_name(name), role=role)
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
        """Change a password, role or disabled flag; disabling ends the user's sessions."""
        values: dict[str, Any] = {"updated_at": now()}
        if password is not None:
            values["password_hash"] = _hasher.hash(check_password(password, name))
        if role is not None:
            values["role"] = _check_role(role)
        if disabled is not None:
            values["disabled"] = disabled
        with self._write() as conn:
            rid = self._account_id(conn, name)
            conn.execute(accounts.update().where(accounts.c.reviewer_id == rid).values(**values))
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
            self._audit(conn, by, "update-user", None, None, **detail)
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
        """True once any account exists: the store is then a team store."""
        with self._read() as conn:
            return conn.execute(sa.select(accounts.c.reviewer_id).limit(1)).first() is not None

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
    def sign_in(self, name: str, password: str, *, hours: float = SESSION_HOURS) -> SignedIn:
        """A session for a correct name and password; AuthError (one message) otherwise."""
        refused = AuthError("wrong name or password, or the account is disabled")
        try:
            name = clean_name(name)
        except NameRefused:
            name = ""  # no account has it: refused below, in the time a real check takes
        with self._read() as conn:
            query = (
                sa.select(accounts.c.reviewer_id, accounts.c.password_hash, accounts.c.disabled)
                .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
                .where(reviewers.c.name == name)
            )
            row = conn.execute(query).first()
        if row is None or row.disabled or row.password_hash is None:
            _hasher.hash(password)  # same time as a real check: names do not leak by timing
            why = "no such account" if row is None else "disabled or no password"
            self._audit_now(name or None, "sign-in-failed", reason=why)
            raise refused
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            self._audit_now(name, "sign-in-failed", reason="wrong password")
            raise refused from None
        with self._write() as conn:
            if _hasher.check_needs_rehash(row.password_hash):
                conn.execute(
                    accounts.update()
                    .where(accounts.c.reviewer_id == row.reviewer_id)
                    .values(password_hash=_hasher.hash(password))
                )
            return self._new_session(conn, row.reviewer_id, hours, "sign-in")

    def sign_in_external(self, name: str, *, hours: float = SESSION_HOURS) -> SignedIn:
        """A session for a user an identity provider (OIDC) vouched for; the account must
        exist and be enabled: signing in with a provider creates no account."""
        with self._write() as conn:
            rid = self._account_id(conn, name)
            if _user(conn, rid).disabled:
                raise AuthError(f"the account {clean_name(name)!r} is disabled")
            return self._new_session(conn, rid, hours, "sign-in-external")

    def _new_session(self, conn: Connection, rid: int, hours: float, action: str) -> SignedIn:
        token = secrets.token_urlsafe(32)
        created = dt.datetime.now(dt.UTC)
        expires = (created + dt.timedelta(hours=hours)).isoformat(timespec="microseconds")
        conn.execute(sessions.delete().where(sessions.c.expires_at < now()))
        conn.execute(
            sessions.insert().values(
                token_hash=_token_hash(token),
                reviewer_id=rid,
                created_at=created.isoformat(timespec="microseconds"),
                expires_at=expires,
            )
        )
        user = _user(conn, rid)
        self._audit(conn, user.name, action)
        return SignedIn(token, user, expires)

    def session_user(self, token: str | None) -> User | None:
        """The user of a live session, or None (unknown, expired, or account disabled)."""
        if not token:
            return None
        with self._read() as conn:
            row = conn.execute(
                sa.select(sessions.c.reviewer_id, sessions.c.expires_at).where(
                    sessions.c.token_hash == _token_hash(token)
                )
            ).first()
            if row is None or row.expires_at <= now():
                return None
            user = _user(conn, row.reviewer_id)
        return None if user.disabled else user

    def sign_out(self, token: str) -> None:
        with self._write() as conn:
            key = sessions.c.token_hash == _token_hash(token)
            rid = conn.execute(sa.select(sessions.c.reviewer_id).where(key)).scalar()
            conn.execute(sessions.delete().where(key))
            if rid is not None:
                self._audit(conn, _user(conn, rid).name, "sign-out")

    # --- audit ----------------------------------------------------------------------------
    def audit_log(self, doc_id: str | None = None, *, limit: int | None = None) -> list[AuditEntry]:
        """The log, oldest first (of one document, when given)."""
        with self._read() as conn:
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
        """Log an action that changes nothing in the store (an export, a download)."""
        with self._write() as conn:
            self._audit(conn, actor, action, doc_id, None, **detail)


def _user(conn: Connection, rid: int) -> User:
    row = conn.execute(
        sa.select(accounts, reviewers.c.name)
        .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
        .where(accounts.c.reviewer_id == rid)
    ).one()
    has_password = row.password_hash is not None
    return User(row.name, row.role, bool(row.disabled), has_password, row.created_at)
