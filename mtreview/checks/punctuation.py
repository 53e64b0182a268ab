"""Spacing and punctuation: space before a comma, missing space after one, doubled spaces,
and the French rules around « » : ; ? ! (a space before the high signs, inside the guillemets).
"""

from __future__ import annotations

import dataclasses
import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag


@dataclasses.dataclass(frozen=True)
class Rule:
    """A pattern whose whole match is flagged; it can only match text holding one of
    `needs`, so most segments skip the (slower) regular expression."""

    pattern: re.Pattern[str]
    message: str
    suggestion: str | None
    needs: tuple[str, ...]


SPACING_RULES = (
    Rule(re.compile(r"(?<=\S)[ \t\u00a0\u202f]+,"), "no space before a comma", ",", (",",)),
    Rule(
        re.compile(r"(?<=\w)[ \t\u00a0\u202f]+\.(?=\s|$|[\"»”)])"),
        "no space before a full stop",
        ".",
        (".",),
    ),
    Rule(
        re.compile(r"(?<=[^\W\d_]),(?=[^\W\d_])"), "a space is needed after a comma", ", ", (",",)
    ),
    Rule(re.compile(r"(?<=\S) {2,}(?=\S)"), "one space is enough between words", " ", ("  ",)),
    Rule(re.compile(r"\([ \t]+|[ \t]+\)"), "no space inside parentheses", None, ("(", ")")),
)
# French: a space (ordinary, non-breaking or narrow) before ; : ? ! and inside « ».
FRENCH_RULES = (
    Rule(
        re.compile(r"(?<=[\w»)\]\"”%])[;?!]+"),
        "French puts a space before ; ? and !",
        None,
        (";", "?", "!"),
    ),
    Rule(
        re.compile(r"(?<=[^\W\d_]|[»)\"”])(?<!https)(?<!http):(?!//)"),
        "French puts a space before a colon",
        None,
        (":",),
    ),
    Rule(re.compile(r"«(?=[^\s\u00a0\u202f])"), "French puts a space after «", "« ", ("«",)),
    Rule(re.compile(r"(?<=[^\s\u00a0\u202f])»"), "French puts a space before »", " »", ("»",)),
)


class _PatternCheck(Check):
    rules: tuple[Rule, ...] = ()

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        flags = []
        for rule in self.rules:
            if not any(needed in text for needed in rule.needs):
                continue
            for match in rule.pattern.finditer(text):
                flags.append(
                    self.flag(match.start(), match.end(), rule.message, suggestion=rule.suggestion)
                )
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
