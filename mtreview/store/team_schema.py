"""Tables and records of team work: accounts, sessions, the audit log, assignments,
each reviewer's own progress, and adjudicated results.

New tables only (no column of an older table changes), so `create_all` adds them to a
store made before they existed and the schema version stays 1. Schema 4 chained the audit
log (`seq`, `prev_hash`, `row_hash`, `imported`; the head in `audit_head`): see
`mtreview.store.audit`. Schema 5 counts failed sign-ins (`sign_in_failures`: see
`mtreview.store.throttle`). Schema 6 keeps each session's last use (`last_seen_at`)
for the idle timeout (`mtreview.store.sessions`). Schema 7 binds accounts to an identity
provider's (issuer, subject) (`external_identities`: see `mtreview.store.external`).
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from mtreview.store.principal import Principal
from mtreview.store.schema import metadata

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.Text),  # argon2id; NULL: no password sign-in (OIDC only)
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the token
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), nullable=False, index=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),  # the absolute end
    # the last script run that used it: the idle timeout (mtreview.store.sessions)
    sa.Column("last_seen_at", sa.String(40), nullable=False),
)

# failed password sign-ins, counted per account name and per client address
# (mtreview.store.throttle): in the store, so every replica of the app sees the same counts
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("kind", sa.String(10), primary_key=True),  # "account" or "address"
    sa.Column("key", sa.String(200), primary_key=True),  # a name, case-folded, or an address
    sa.Column("failures", sa.Integer, nullable=False),  # attempts in a row not yet successful
    sa.Column("last_failure_at", sa.String(40), nullable=False, index=True),
    sa.Column("retry_at", sa.String(40)),  # refused before this (a wait, a lockout); NULL: none
    sa.Column("refused", sa.Integer, nullable=False),  # attempts refused in the current wait
)

# an account's identity at the provider (OIDC): bound at its first sign-in (an account
# without a password), or linked by an admin first (`mtreview users link`; `subject` NULL
# until that sign-in binds it). One per account; the database refuses two accounts one
# identity (NULLs, not bound yet, are distinct in both SQLite and PostgreSQL)
external_identities = sa.Table(
    "external_identities",
    metadata,
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True),
    sa.Column("issuer", sa.String(500), nullable=False),  # the ID token's `iss`
    sa.Column("subject", sa.String(255)),  # its `sub`; NULL: linked, not bound yet
    sa.Column("linked_by", sa.String(200)),  # the admin who linked; NULL: bound at sign-in
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("bound_at", sa.String(40)),  # when `subject` was set
    sa.UniqueConstraint("issuer", "subject", name="uq_external_identity"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False),  # a name: survives backups
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("doc_id", sa.String(300)),
    sa.Column("segment", sa.Integer),
    sa.Column("detail", sa.JSON, nullable=False),
    # the hash chain (mtreview.store.audit): a live row's place in it (1, 2, …), the hash
    # of the row before it and its own; NULL on rows imported from a backup, which are
    # history kept as it came (`imported`), outside the chain
    sa.Column("seq", sa.Integer),
    sa.Column("prev_hash", sa.String(64)),
    sa.Column("row_hash", sa.String(64)),
    sa.Column("imported", sa.Boolean, nullable=False, server_default=sa.false()),
)
# the database itself refuses two rows at one place of the chain: a fork cannot be stored
sa.Index("ux_audit_log_seq", audit_log.c.seq, unique=True)

# the chain's head, one row (id 1): the last live row's place and hash. Every writer of the
# log takes it under a lock (FOR UPDATE on PostgreSQL; SQLite's writers are serialized),
# so concurrent transactions chain one after the other, and a cut tail shows
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True, index=True),
    sa.Column("assigned_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

# "done" per reviewer: segments.reviewed_by keeps only the last one, agreement needs each
reviewer_marks = sa.Table(
    "reviewer_marks",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reviewer_id", sa.ForeignKey("reviewers.id"), primary_key=True, index=True),
    sa.Column("reviewed_at", sa.String(40), nullable=False),
)

adjudications = sa.Table(
    "adjudications",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("text", sa.Text),  # the final target; NULL: the machine translation stands
    sa.Column("annotations", sa.JSON, nullable=False),  # the final error spans
    sa.Column("adjudicator", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.String(40), nullable=False),
)

TEAM_TABLES = (
    adjudications, reviewer_marks, assignments, audit_log, audit_head, sessions, accounts,
    sign_in_failures, external_identities,
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class User:
    """An account: a reviewer name with a role. `disabled` users cannot sign in."""

    name: str
    role: str
    disabled: bool
    has_password: bool
    created_at: str


@dataclasses.dataclass(frozen=True)
class SignedIn:
    """A session: hand `token` to the browser (never stored in clear); `principal` is
    what the store's calls take to act as `user` while the session lives."""

    token: str
    user: User
    expires_at: str
    principal: Principal


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """Who did what, when, where. `imported`: a line of another store's log that came in
    with a reviews backup (history as it came, not part of this store's chain)."""

    at: str
    actor: str
    action: str
    doc_id: str | None
    segment: int | None
    detail: dict[str, object]
    id: int = 0
    imported: bool = False


@dataclasses.dataclass(frozen=True)
class FinalSpan:
    """One error span of an adjudicated result; `reviewer` says whose span was kept."""

    start: int
    end: int
    category: str
    severity: str
    comment: str = ""
    reviewer: str = ""


@dataclasses.dataclass(frozen=True)
class Adjudication:
    """The lead's final word on a segment: its target text and error spans."""

    doc_id: str
    segment_index: int
    text: str | None
    annotations: tuple[FinalSpan, ...]
    adjudicator: str
    note: str
    created_at: str
