"""Sign-in through an identity provider (OIDC), bound to the provider's own identity.

The provider vouches for an identity: its issuer (`iss`) and subject (`sub`), the pair
that names one person for good, and claims about them (`email`, `email_verified`,
`preferred_username`) that may change or be anyone's to choose. So:

- an account bound to (`iss`, `sub`) is the one that identity enters, whatever the claims;
- otherwise the account is found by the key claim (setting `oidc_key_claim`): the e-mail,
  refused unless the provider says it verified it (`email_verified`), or the
  `preferred_username`; it is bound at this first sign-in only when it has no password and
  no binding yet, or when an admin linked it to this issuer (`link_external`, `mtreview
  users link`). A password account an admin did not link is never entered this way, nor an
  account bound to another identity, a disabled one, one that does not exist.

The checks and the binding are made in one transaction. Every refusal and every binding
is audited ("sign-in-external-refused", "bind-external") and a refusal writes nothing else.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.errors import SettingsError, StoreError
from mtreview.hosts import is_loopback
from mtreview.store.base import UNKNOWN_ACTOR
from mtreview.store.names import NameRefused, clean_name
from mtreview.store.schema import now, reviewers
from mtreview.store.sessions import SessionActions, SessionPolicy
from mtreview.store.team_schema import SignedIn, accounts, external_identities, sessions

KEY_CLAIMS = ("email", "preferred_username")  # what `oidc_key_claim` may name
MAX_ISSUER = 500
MAX_SUBJECT = 255  # OpenID Connect Core: `sub` is at most 255 ASCII characters
MAX_SHOWN = 200  # a claim in the audit log, at most
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LINK = external_identities.c

# why a provider's sign-in was refused (the audit's `reason`) -> what the person is told:
# fixed words, never the provider's text; one message for every account reason, so a
# claim one may choose (`preferred_username`) learns nothing about the accounts
NO_ACCOUNT = (
    "no account here may be entered with this identity: ask an admin to add one for it, "
    "or to link your account to this identity provider"
)
REFUSALS = {
    "no-identity": "the identity provider sent no issuer or subject",
    "no-claim": "the identity provider sent no e-mail address or user name for this identity",
    "unverified": "the identity provider has not verified this e-mail address",
    "no-account": NO_ACCOUNT,
    "password-account": NO_ACCOUNT,
    "bound-elsewhere": NO_ACCOUNT,
    "other-issuer": NO_ACCOUNT,
    "disabled": NO_ACCOUNT,
}


class ExternalRefused(StoreError):
    """The store refused a provider's identity; `reason` is a key of `REFUSALS` (the
    message is its fixed words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


@dataclasses.dataclass(frozen=True)
class ExternalIdentity:
    """What an identity provider vouched for (the ID token's claims): `issuer` and
    `subject` name the person; `email`, `email_verified` and `username`
    (`preferred_username`) are claims that can find their account the first time."""

    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    username: str | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> ExternalIdentity:
        """From the ID token's claims (`st.user`): a missing `iss` or `sub` is an empty
        string (refused by the sign-in). `email_verified` is true only when the provider
        says so: JSON `true`, or the text "true" some providers send."""
        verified = claims.get("email_verified")
        return cls(
            _text(claims.get("iss")) or "",
            _text(claims.get("sub")) or "",
            _text(claims.get("email")),
            verified is True or (isinstance(verified, str) and verified.lower() == "true"),
            _text(claims.get("preferred_username")),
        )

    def claim(self, key: str) -> str | None:
        """The key claim's value: the e-mail only when verified (None otherwise)."""
        if key == "email":
            return self.email if self.email_verified else None
        return self.username


@dataclasses.dataclass(frozen=True)
class ExternalLink:
    """An account's identity at the provider: `subject` None until the first sign-in
    binds it; `linked_by` None when that sign-in bound an account without a password."""

    user: str
    issuer: str
    subject: str | None
    linked_by: str | None
    created_at: str
    bound_at: str | None


def check_key_claim(key: str) -> str:
    if key not in KEY_CLAIMS:
        raise SettingsError(f"oidc_key_claim must be one of {', '.join(KEY_CLAIMS)}, not {key!r}")
    return key


def check_issuer(issuer: str) -> str:
    """An issuer as OpenID Connect names one: an https URL (http only on a loopback
    host, for tests), no query or fragment."""
    text = issuer.strip()
    try:
        parsed = urllib.parse.urlsplit(text)
        host = parsed.hostname or ""
    except ValueError:
        parsed, host = None, ""
    secure = parsed is not None and (
        parsed.scheme == "https" or (parsed.scheme == "http" and is_loopback(host))
    )
    if not (secure and host and len(text) <= MAX_ISSUER and not _CONTROL.search(text)):
        raise StoreError(
            f"issuer {text[:80]!r}: give the provider's issuer URL (https://…, as its "
            f"discovery document's `issuer` says; at most {MAX_ISSUER} characters)"
        )
    if parsed is not None and (parsed.query or parsed.fragment):
        raise StoreError(f"issuer {text[:80]!r}: an issuer URL has no query or fragment")
    return text


def check_subject(subject: str) -> str:
    if not subject or len(subject) > MAX_SUBJECT or _CONTROL.search(subject):
        raise StoreError(
            f"subject {subject[:80]!r}: the provider's `sub` for the person, 1 to "
            f"{MAX_SUBJECT} characters"
        )
    return subject


def _link(conn: Connection, rid: int) -> Any:
    query = sa.select(external_identities).where(_LINK.reviewer_id == rid)
    return conn.execute(query).first()


def _bound_to(conn: Connection, issuer: str, subject: str) -> Any:
    """The account bound to (issuer, subject): its id, name, disabled flag."""
    query = (
        sa.select(accounts.c.reviewer_id, accounts.c.disabled, reviewers.c.name)
        .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
        .join(external_identities, _LINK.reviewer_id == accounts.c.reviewer_id)
        .where((_LINK.issuer == issuer) & (_LINK.subject == subject))
    )
    return conn.execute(query).first()


def _account_by_claim(conn: Connection, key: str, claimed: str) -> Any:
    """The account the key claim names: its id, name, disabled flag and password hash.
    An e-mail is matched whatever its case (names never differ by case alone)."""
    try:
        name = clean_name(claimed)
    except NameRefused:
        return None
    query = sa.select(
        accounts.c.reviewer_id, accounts.c.disabled, accounts.c.password_hash, reviewers.c.name
    ).join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
    if key != "email":
        return conn.execute(query.where(reviewers.c.name == name)).first()
    alike = (reviewers.c.name == name) | (sa.func.lower(reviewers.c.name) == name.lower())
    candidates = conn.execute(query.where(alike))  # (SQL's lower() may know ASCII only)
    return next((row for row in candidates if row.name.casefold() == name.casefold()), None)


def _shown(text: str | None) -> str | None:
    return None if text is None else _CONTROL.sub("?", text)[:MAX_SHOWN]


class ExternalActions(SessionActions):
    """Sign-in by an identity provider, and the admin's links to one."""

    def sign_in_external(
        self,
        identity: ExternalIdentity,
        *,
        key: str = "email",
        hours: float | None = None,
        policy: SessionPolicy | None = None,
    ) -> SignedIn:
        """A session for the account `identity` may enter (the module's rules: bound to
        its issuer and subject, or found by the `key` claim and bound now); otherwise
        ExternalRefused, audited, with nothing else written."""
        key = check_key_claim(key)
        with self._write() as conn:
            found = self._external_account(conn, identity, key)
            if isinstance(found, int):
                return self._new_session(conn, found, "sign-in-external", hours, policy)
            reason, actor = found
            claimed = identity.email if key == "email" else identity.username
            self._audit(
                conn, actor or UNKNOWN_ACTOR, "sign-in-external-refused", reason=reason,
                issuer=_shown(identity.issuer), subject=_shown(identity.subject), key=key,
                claimed=_shown(claimed), email_verified=identity.email_verified,
            )  # fmt: skip
        raise ExternalRefused(reason)

    def _external_account(
        self, conn: Connection, identity: ExternalIdentity, key: str
    ) -> int | tuple[str, str | None]:
        """The account's id (bound now when this is its first sign-in), or why not and
        the account's name when one was found."""
        issuer, subject = identity.issuer, identity.subject
        if not issuer or not subject or len(issuer) > MAX_ISSUER or len(subject) > MAX_SUBJECT:
            return "no-identity", None
        bound = _bound_to(conn, issuer, subject)
        if bound is not None:
            return ("disabled", bound.name) if bound.disabled else int(bound.reviewer_id)
        if key == "email" and identity.email and not identity.email_verified:
            return "unverified", None
        claimed = identity.claim(key)
        if claimed is None:
            return "no-claim", None
        row = _account_by_claim(conn, key, claimed)
        if row is None:
            return "no-account", None
        if row.disabled:
            return "disabled", row.name
        rid = int(row.reviewer_id)
        link = _link(conn, rid)
        stamp = now()
        if link is not None and link.subject is not None:
            return "bound-elsewhere", row.name
        if link is not None:
            if link.issuer != issuer:
                return "other-issuer", row.name
            done = conn.execute(
                external_identities.update()
                .where((_LINK.reviewer_id == rid) & _LINK.subject.is_(None))
                .values(subject=subject, bound_at=stamp)
            )
            if done.rowcount != 1:  # another sign-in bound it just now
                return "bound-elsewhere", row.name
        elif row.password_hash is not None:
            return "password-account", row.name
        else:
            conn.execute(
                external_identities.insert().values(
                    reviewer_id=rid, issuer=issuer, subject=subject, linked_by=None,
                    created_at=stamp, bound_at=stamp,
                )
            )  # fmt: skip
        linked_by = None if link is None else link.linked_by
        self._audit(conn, row.name, "bind-external", user=row.name, issuer=issuer,
                    subject=subject, linked_by=linked_by, key=key)  # fmt: skip
        return rid

    # --- an admin's links ----------------------------------------------------------------
    def link_external(
        self, name: str, *, issuer: str, subject: str | None = None, by: str
    ) -> ExternalLink:
        """Let the provider `issuer` sign `name` in: its first sign-in there binds the
        account (a password account too), or only the identity `subject` when given.
        `by`: a principal allowed "users" (an admin). Refused when the account already
        has a link (unlink it first) or `subject` is another account's."""
        issuer = check_issuer(issuer)
        subject = None if subject is None else check_subject(subject)
        with self._write() as conn:
            actor = self._acting(conn, by, "users").name
            rid, user = self._account(conn, name)
            if _link(conn, rid) is not None:
                raise StoreError(
                    f"{user!r} is already linked to an identity provider: unlink it first "
                    f"(mtreview users unlink {user})"
                )
            if subject is not None and _bound_to(conn, issuer, subject) is not None:
                raise StoreError("this identity is already bound to another account")
            stamp = now()
            conn.execute(
                external_identities.insert().values(
                    reviewer_id=rid, issuer=issuer, subject=subject, linked_by=actor,
                    created_at=stamp, bound_at=None if subject is None else stamp,
                )
            )  # fmt: skip
            self._audit(conn, actor, "link-external", user=user, issuer=issuer, subject=subject)
            return self._external_link(conn, rid, user)

    def unlink_external(self, name: str, *, by: str) -> ExternalLink:
        """Remove the account's link or binding and end its sessions (those a provider
        opened among them). An account without a password is then bound again at its
        next provider sign-in; a password account needs a new link."""
        with self._write() as conn:
            actor = self._acting(conn, by, "users").name
            rid, user = self._account(conn, name)
            gone = self._external_link(conn, rid, user)
            conn.execute(external_identities.delete().where(_LINK.reviewer_id == rid))
            ended = conn.execute(sessions.delete().where(sessions.c.reviewer_id == rid)).rowcount
            self._audit(conn, actor, "unlink-external", user=user, issuer=gone.issuer,
                        subject=gone.subject, sessions=ended)  # fmt: skip
            return gone

    def external_link(self, name: str) -> ExternalLink | None:
        """The account's identity at the provider, or None."""
        with self._read() as conn:
            rid, user = self._account(conn, name)
            return None if _link(conn, rid) is None else self._external_link(conn, rid, user)

    def _account(self, conn: Connection, name: str) -> tuple[int, str]:
        clean = clean_name(name)
        query = (
            sa.select(accounts.c.reviewer_id)
            .join(reviewers, reviewers.c.id == accounts.c.reviewer_id)
            .where(reviewers.c.name == clean)
        )
        found = conn.execute(query).scalar()
        if found is None:
            raise StoreError(f"no user {clean!r}")
        return int(found), clean

    def _external_link(self, conn: Connection, rid: int, user: str) -> ExternalLink:
        row = _link(conn, rid)
        if row is None:
            raise StoreError(f"{user!r} is linked to no identity provider")
        return ExternalLink(
            user, row.issuer, row.subject, row.linked_by, row.created_at, row.bound_at
        )
