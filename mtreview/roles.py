"""Team roles as data: name -> what the role may do. A lead reviews too; an admin does
everything.

Kept out of `mtreview.store` (which checks them) so the CLI can offer the names as
choices without importing the store and SQLAlchemy: `mtreview --help` stays quick.
"""

from __future__ import annotations

ROLES: dict[str, frozenset[str]] = {
    "reviewer": frozenset({"review"}),
    "lead": frozenset({"review", "assign", "adjudicate", "agreement", "see-all"}),
    "admin": frozenset(
        {
            "review",
            "assign",
            "adjudicate",
            "agreement",
            "see-all",
            "users",
            "import",
            "export",
            "audit",
        }
    ),
}

# each permission in words, for the store's refusals ("'anne' (reviewer) may not assign work")
DOES: dict[str, str] = {
    "review": "review",
    "assign": "assign work",
    "adjudicate": "adjudicate",
    "agreement": "read everyone's work for agreement",
    "see-all": "see everyone's work",
    "users": "manage accounts and roles",
    "import": "import",
    "export": "export the whole store (a reviews backup)",
    "audit": "read the audit log",
}
