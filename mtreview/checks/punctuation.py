"""Spacing and punctuation: space before a comma, missing space after one, doubled spaces,
and the French rules around « » : ; ? ! (a space before the high signs, inside the guillemets).
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

SPACES = " \t\u00a0\u202f"
# (pattern, message, suggestion) — the flagged span is the whole match.
SPACING_RULES: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"(?<=\S)[ \t\u00a0\u202f]+,"), "no space before a comma", ","),
    (
        re.compile(r"(?<=\w)[ \t\u00a0\u202f]+\.(?=\s|$|[\"»”)])"),
        "no space before a full stop",
        ".",
    ),
    (re.compile(r"(?<=[^\W\d_]),(?=[^\W\d_])"), "a space is needed after a comma", ", "),
    (re.compile(r"(?<=\S) {2,}(?=\S)"), "one space is enough between words", " "),
    (re.compile(r"\([ \t]+|[ \t]+\)"), "no space inside parentheses", None),
)
# French: a space (ordinary, non-breaking or narrow) before ; : ? ! and inside « ».
FRENCH_RULES: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (
        re.compile(r"(?<=[\w»)\]\"”%])[;?!]+"),
        "French puts a space before ; ? and !",
        None,
    ),
    (
        re.compile(r"(?<=[^\W\d_]|[»)\"”])(?<!https)(?<!http):(?!//)"),
        "French puts a space before a colon",
        None,
    ),
    (re.compile(r"«(?=[^\s\u00a0\u202f])"), "French puts a space after «", "« "),
    (re.compile(r"(?<=[^\s\u00a0\u202f])»"), "French puts a space before »", " »"),
)


class _PatternCheck(Check):
    rules: tuple[tuple[re.Pattern[str], str, str | None], ...] = ()

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        flags = []
        for pattern, message, suggestion in self.rules:
            for match in pattern.finditer(segment.text):
                flags.append(self.flag(match.start(), match.end(), message, suggestion=suggestion))
        return sorted(flags, key=lambda f: (f.start, f.end))


@register_check
class Spacing(_PatternCheck):
    name = "spacing"
    category = "Fluency/Punctuation"
    description = "space before a comma or full stop, none after a comma, doubled spaces"
    rules = SPACING_RULES


@register_check
class FrenchSpacing(_PatternCheck):
    name = "french_spacing"
    category = "Fluency/Punctuation"
    description = "French spacing around « » : ; ? ! (any space counts, non-breaking or not)"
    rules = FRENCH_RULES
