"""What a new name or a new password must be, checked by the store where they are created,
so every face (app, CLI, library) gets the same rules and the same one-line refusals.

Names are NFKC-normalised (a full-width `ｌｅｎａ` is `lena`) with inner whitespace
collapsed, by `clean_name` on every lookup too. A *new* name must also hold no format
character (Unicode Cf: zero-width, bidi controls; control characters, Cc, are refused
everywhere), must differ from every other name by more than case (`Lena` beside `lena`),
and may not start with a reserved prefix (`cli:`: the audit log's actor for commands).
Names already stored are never re-checked: a store made before these rules still opens.

Passwords need `MIN_PASSWORD` characters, may not hold the user's name, and may not be
one of the 10,000 most common passwords (`mtreview/data/common_passwords.txt`), alone,
repeated, or with digits and symbols around it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources

from mtreview.errors import StoreError

MAX_NAME = 200
MIN_PASSWORD = 12
RESERVED_PREFIXES = ("cli:", "oidc:", "system:", "import:")
COMMON_PASSWORDS = "common_passwords.txt"
_RUNS = "1234567890" * 4 + "0987654321" * 4 + "abcdefghijklmnopqrstuvwxyz" * 2 + "qwertyuiop" * 3
_NOT_LETTERS = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class NameRefused(StoreError):
    """A new user or reviewer name the store does not accept."""


class PasswordRefused(StoreError):
    """A password too short, too common, or holding the user's name."""


def clean_name(name: str) -> str:
    """A name as stored and looked up: NFKC, inner whitespace collapsed, 1 to 200
    characters, no control character and nothing that is not UTF-8 (a name is shown,
    logged, exported)."""
    clean = " ".join(unicodedata.normalize("NFKC", name).split())
    if not clean or len(clean) > MAX_NAME:
        raise NameRefused(f"a user or reviewer name must be 1 to {MAX_NAME} characters")
    for char in clean:
        kind = unicodedata.category(char)
        if kind == "Cs":  # a byte of a command line that is not UTF-8
            raise NameRefused(f"name {clean!r} is not valid UTF-8 text")
        if kind == "Cc":
            raise NameRefused(f"name {clean!r} holds a control character (U+{ord(char):04X})")
    return clean


def new_name(name: str, taken: Iterable[str]) -> str:
    """`clean_name`, and the rules for a name not stored yet (`taken`: every stored name)."""
    clean = clean_name(name)
    for char in clean:
        if unicodedata.category(char) == "Cf":
            raise NameRefused(
                f"name {clean!r} holds an invisible format character (U+{ord(char):04X})"
            )
    folded = clean.casefold()
    for prefix in RESERVED_PREFIXES:
        if folded.startswith(prefix):
            raise NameRefused(f"names starting with {prefix!r} are reserved")
    for other in taken:
        if other.casefold() == folded and other != clean:
            raise NameRefused(f"name {clean!r} differs only in case from {other!r}")
    return clean


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("mtreview").joinpath(f"data/{COMMON_PASSWORDS}").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, name: str) -> str:
    """The password, or PasswordRefused saying why (never showing the password)."""
    if len(password) < MIN_PASSWORD:
        raise PasswordRefused(f"a password needs at least {MIN_PASSWORD} characters")
    if any(unicodedata.category(char) == "Cs" for char in password):
        raise PasswordRefused("a password must be valid UTF-8 text")
    folded = unicodedata.normalize("NFKC", password).casefold()
    user = clean_name(name).casefold()
    if len(user) >= 3 and (user in folded or "".join(user.split()) in folded):
        raise PasswordRefused("a password may not contain the user's name")
    if _is_common(folded):
        raise PasswordRefused(
            "this password is too common (among the 10,000 most used, or one repeated); "
            "choose a longer phrase of unrelated words"
        )
    return password


def _is_common(folded: str) -> bool:
    common = common_passwords()
    core = _NOT_LETTERS.sub("", folded)
    if folded in common or core in common or not folded.strip():
        return True
    if len(set(folded)) <= 2 or folded in _RUNS:  # "aaaaaaaaaaaa", "123456789012"
        return True
    unit = (folded + folded).find(folded, 1)  # the shortest unit the text repeats
    return unit < len(folded) and (folded[:unit] in common or unit <= 4)
