"""Team stores for tests: the first admin (which a store without accounts takes without
credentials), then the accounts a test needs, each signed in for its principal.

An account without a password (sign-in by an identity provider only) is signed in as the
app does after an OIDC sign-in: no argon2 hash at all, so a test with a team costs little."""

from __future__ import annotations

from collections.abc import Mapping

from mtreview.store import ReviewStore
from mtreview.store.principal import Principal

ADMIN = "admin"  # the first admin's name: no password, signed in as an OIDC identity


def team(
    store: ReviewStore, accounts: Mapping[str, tuple[str, str | None]] | None = None
) -> dict[str, Principal]:
    """`accounts`: name -> (role, password or None). The first admin `ADMIN` is made when
    the store has no accounts yet. Every account's principal, the admin's included."""
    if not store.has_accounts():
        store.add_user(ADMIN, role="admin", password=None, by=ADMIN)
    signed = {ADMIN: store.sign_in_external(ADMIN).principal}
    for name, (role, password) in (accounts or {}).items():
        store.add_user(name, role=role, password=password, by=signed[ADMIN])
        session = store.sign_in_external(name) if password is None else None
        signed[name] = (session or store.sign_in(name, password or "")).principal
    return signed
