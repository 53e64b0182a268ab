"""Who acts on a team store, proven: a principal, and the checks every call makes with it.

A `Principal` is handed out by the store only: by a sign-in (`sign_in`, `sign_in_external`:
`SignedIn.principal`), by `principal(token)` for a session token (the app, on every script
run), by `cli_principal(name, password)` (the command line's short audited session), or, on
a store without accounts, by `local_principal(name)`. Its proof is the SHA-256 of a session
token, and every call that changes or reveals review work checks it in the call's own
transaction (`mtreview.store.access`): the session is live (not signed out, not expired, the
account not disabled), the account's role *now* permits the action (`mtreview.roles.ROLES`),
a reviewer without "see-all" works only on segments assigned to them, and reads only their
own work on a segment reviewed blind (two or more assignees) until it is adjudicated.

A principal is a `str` (its value is the account name) so every face's plumbing, which
carries the actor as its name, carries the proof along unchanged; a plain name, or a name
rebuilt from a principal (`clean_name(p)`, an f-string), has no proof and is refused on a
team store. On a store without accounts (one local user, no authentication to enforce) a
plain name still acts, with every permission.
"""

from __future__ import annotations

from typing import Any

from mtreview.roles import ROLES

LOCAL_ROLE = "admin"  # the single user of a store without accounts may do everything


class Principal(str):
    """An account name with its role and proof (a live session's token hash); immutable.
    `proof` None: the local user of a store without accounts."""

    role: str
    proof: str | None

    def __new__(cls, name: str, role: str, proof: str | None) -> Principal:
        made = super().__new__(cls, name)
        object.__setattr__(made, "role", role)
        object.__setattr__(made, "proof", proof)
        return made

    @property
    def name(self) -> str:
        return str.__str__(self)

    def can(self, permission: str) -> bool:
        """What the role said when the principal was made; the store re-checks the role
        the account has at the time of each call."""
        return permission in ROLES.get(self.role, frozenset())

    def __setattr__(self, _name: str, _value: object) -> None:
        raise AttributeError("a Principal cannot be changed")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Principal, (self.name, self.role, self.proof))

    def __repr__(self) -> str:  # never the proof
        return f"Principal({self.name!r}, role={self.role!r})"
