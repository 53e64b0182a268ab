"""Team stores for tests: the first admin (which a store without accounts takes without
credentials), then the accounts a test needs, each signed in for its principal.

An account without a password (sign-in by an identity provider only) is signed in as the
app does after an OIDC sign-in (`provider_sign_in`: an identity of `TEST_ISSUER` whose
subject and `preferred_username` are the name, bound at its first sign-in): no argon2 hash
at all, so a test with a team costs little."""

from __future__ import annotations

from collections.abc import Mapping

from mtreview.store import ExternalIdentity, ReviewStore, SignedIn
from mtreview.store.principal import Principal
from mtreview.store.sessions import SessionPolicy

ADMIN = "admin"  # the first admin's name: no password, signed in as an OIDC identity
TEST_ISSUER = "https://idp.mtreview.test"  # the provider of `provider_sign_in`


def provider_identity(name: str) -> ExternalIdentity:
    """`name` as the test provider vouches for them: subject and user name `name`."""
    return ExternalIdentity(TEST_ISSUER, name, username=name)


def provider_sign_in(
    store: ReviewStore,
    name: str,
    *,
    hours: float | None = None,
    policy: SessionPolicy | None = None,
) -> SignedIn:
    """The session the app opens when the provider vouches for `name` (keyed by
    `preferred_username`): an account without a password is bound at its first sign-in;
    a password account must be linked first (`link_external(name, issuer=TEST_ISSUER)`)."""
    identity = provider_identity(name)
    return store.sign_in_external(identity, key="preferred_username", hours=hours, policy=policy)


def team(
    store: ReviewStore, accounts: Mapping[str, tuple[str, str | None]] | None = None
) -> dict[str, Principal]:
    """`accounts`: name -> (role, password or None). The first admin `ADMIN` is made when
    the store has no accounts yet. Every account's principal, the admin's included."""
    if not store.has_accounts():
        store.add_user(ADMIN, role="admin", password=None, by=ADMIN)
    signed = {ADMIN: provider_sign_in(store, ADMIN).principal}
    for name, (role, password) in (accounts or {}).items():
        store.add_user(name, role=role, password=password, by=signed[ADMIN])
        session = provider_sign_in(store, name) if password is None else None
        signed[name] = (session or store.sign_in(name, password or "")).principal
    return signed
