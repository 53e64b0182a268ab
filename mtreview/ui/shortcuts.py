"""Keyboard shortcuts: one table for the buttons, the in-page help (`?`) and docs/app.md.

Category keys are derived from the typology's labels (the first free letter of the
subcategory, then of the category), so a team's own table gets keys too, and the shipped
one gets mnemonic ones: m Mistranslation, g Grammar, s Spelling, p Punctuation…
"""

from __future__ import annotations

import string
from collections.abc import Sequence

# Streamlit button shortcuts (`st.button(shortcut=…)`).
SHORTCUTS = {
    "next": "J",
    "previous": "K",
    "accept": "A",
    "reject": "X",
    "save": "Ctrl+S",
    "reviewed": "Ctrl+Shift+Enter",
}

# Everything a reviewer can press, in the order the help lists it.
PAGE_KEYS: tuple[tuple[str, str], ...] = (
    ("J / K", "next / previous segment (in the current order and filter)"),
    (
        "M",
        "select words in the segment from the keyboard: ← → word by word, Shift+← → "
        "to extend, Enter opens the picker",
    ),
    ("C", "the correction box, with the marked words selected"),
    ("A / X", "accept / reject the focused pre-highlight (underlined in red)"),
    ("Ctrl+S", "save the correction"),
    ("Ctrl+Shift+Enter", "mark the segment reviewed, no change"),
    ("Ctrl+Z", "undo your last add, delete or correction (outside a text box)"),
    ("?", "show or hide this list"),
)
PICKER_KEYS: tuple[tuple[str, str], ...] = (
    ("a–z", "category (its letter is shown next to it)"),
    ("1 2 3", "severity; the cursor then waits in the correction field"),
    ("/", "search the categories by typing; Enter takes the first"),
    ("↑ ↓", "previous / next category"),
    ("Enter", "add the error (and the correction, when one was typed)"),
    ("Esc", "cancel"),
)
_RESERVED = set("/?")


def category_keys(labels: Sequence[str]) -> dict[str, str]:
    """One letter per label while letters last: the subcategory's letters first."""
    taken: set[str] = set()
    keys: dict[str, str] = {}
    for label in labels:
        category, _, sub = label.partition("/")
        candidates = [c for c in (sub + category).lower() if c in string.ascii_lowercase]
        candidates += list(string.ascii_lowercase)
        key = next((c for c in candidates if c not in taken and c not in _RESERVED), "")
        if key:
            taken.add(key)
        keys[label] = key
    return keys


def severity_keys(severities: Sequence[str]) -> dict[str, str]:
    """1, 2, 3… in the typology's order (minor, major, critical)."""
    return {name: str(number) for number, name in enumerate(severities[:9], start=1)}


def help_table(labels: Sequence[str], severities: Sequence[str]) -> dict[str, object]:
    """What the component's `?` overlay lists."""
    categories = category_keys(labels)
    return {
        "keys": [list(row) for row in (*PAGE_KEYS, *PICKER_KEYS)],
        "categories": [{"label": label, "key": key} for label, key in categories.items()],
        "severities": [
            {"label": name, "key": key} for name, key in severity_keys(severities).items()
        ],
    }
