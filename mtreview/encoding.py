"""Text that must survive being written as UTF-8: a lone surrogate (valid in a Python str and
in JSON's \\ud800 escapes) has no UTF-8 form, so writers name where it is instead of failing."""

from __future__ import annotations

import re

from mtreview.errors import ExportError

SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str, where: str) -> str:
    """`text` unchanged, or an error naming `where` and the position of a lone surrogate."""
    match = SURROGATE.search(text)
    if match is not None:
        raise ExportError(
            f"{where}: lone surrogate U+{ord(match.group()):04X} at position {match.start()} "
            "cannot be written as UTF-8; fix the text in the store"
        )
    return text
