"""One error hierarchy: the faces turn any of these into a one-line message (CLI: exit 2)."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` for a message: a lone surrogate standing for a byte of a name that is not
    UTF-8 (how Python reads such file names and arguments) shown as that byte (`\\xe9`),
    any other as its escape (`\\ud800`), so the message itself is valid UTF-8."""
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class MTReviewError(Exception):
    """Base of every error the library raises on purpose."""


class InputError(MTReviewError):
    """A document, table or file given by the user cannot be read as expected."""

    def __init__(self, path: object, message: str, *, line: int | None = None) -> None:
        self.path = printable(str(path))  # a file name that is not UTF-8, as its bytes
        self.line = line
        self.detail = printable(" ".join(message.split()))  # one line, whatever was said
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {self.detail}")


class ModelError(MTReviewError):
    """A translation model cannot be loaded or run."""


class HubUnreachableError(ModelError):
    """The model hub cannot be reached (offline, down, HF_HUB_OFFLINE): callers that can
    go on without models say so in one line and do."""


class SettingsError(MTReviewError):
    """A setting (flag, TOML file, environment variable) has a value we cannot use."""


class StoreError(MTReviewError):
    """The review store cannot be opened or written."""


class AccessError(StoreError, PermissionError):
    """The store refused a call its principal may not make: no live session, a role that
    does not permit it, a segment not assigned to them, another reviewer's blind work, or
    a plain name where a team store needs a signed-in principal. Nothing was written."""


class ConflictError(StoreError):
    """Someone else saved first: the caller must look at their text before saving again."""

    def __init__(self, message: str, *, current_text: str, current_version: int) -> None:
        self.current_text = current_text
        self.current_version = current_version
        super().__init__(message)


class ExportError(MTReviewError):
    """An export cannot be written faithfully (e.g. text that XML cannot carry)."""
