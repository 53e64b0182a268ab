"""Spacing and punctuation: space before a comma, missing space after one, doubled spaces,
and the French rules around « » : ; ? ! (a space before the high signs, inside the guillemets).
A colon between two letters or digits ("1d6b:0002", "CB:LFdm") is code, not punctuation,
and a full stop the source names alone ("a . at the beginning") is a character.
"""

from __future__ import annotations

import dataclasses
import re

from mtreview.checks.base import Check, DocumentContext, register_check, segment_spans
from mtreview.checks.protected import MARKUP_KINDS, mask
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


LONE_STOP = re.compile(r"(?:^|\s)\.\s+\w")  # "have a . at the beginning"
# a colon between letters or digits with no space either side is code, not punctuation:
# an identifier ("1d6b:0002", "[10ec:8168]"), an abbreviation ("CB:LFdm")
TIGHT_COLON = re.compile(r"(?<=\w):(?=\w)")
HIGH_SIGNS = ";:?!"
_SPACED_SIGN = re.compile(r"[\s\u00a0\u202f][;:?!]")


class _PatternCheck(Check):
    rules: tuple[Rule, ...] = ()

    def wanted(self, rule: Rule, segment: Segment, context: DocumentContext) -> bool:
        return any(needed in segment.text for needed in rule.needs)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        flags = []
        for rule in self.rules:
            if not self.wanted(rule, segment, context):
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

    def wanted(self, rule: Rule, segment: Segment, context: DocumentContext) -> bool:
        """A comma without a space that the source has too is a list of codes ("a,e,v");
        a full stop standing alone between spaces in the source is named, not ending."""
        if not super().wanted(rule, segment, context):
            return False
        if rule is SPACING_RULES[1] and LONE_STOP.search(segment.source or ""):
            return False  # "un . au début de leur nom": the character itself, as in the source
        return not (rule is SPACING_RULES[2] and rule.pattern.search(segment.source or ""))


@register_check
class FrenchSpacing(_PatternCheck):
    name = "french_spacing"
    category = "Fluency/Punctuation"
    description = "French spacing around « » : ; ? ! (any space counts, non-breaking or not)"
    rules = FRENCH_RULES
    margin = 1  # "%s:" "%pB:" are program prefixes, not French prose

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        """Tables and catalogues keep their own convention: count spaced and tight signs."""
        if not segment.table_row or not any(sign in segment.text for sign in HIGH_SIGNS):
            return
        counts = context.state.setdefault("high_signs", [0, 0])  # spaced, tight
        # signs inside code (`width: 20em;`, `{ NUMBER($n, style: "percent") }`) are not
        # the table's typography
        spans = [s for s in segment_spans(segment) if s.kind in MARKUP_KINDS]
        text = mask(segment.text, spans, "x") if spans else segment.text
        counts[0] += len(_SPACED_SIGN.findall(text))
        counts[1] += sum(len(rule.pattern.findall(text)) for rule in FRENCH_RULES[:2])

    def wanted(self, rule: Rule, segment: Segment, context: DocumentContext) -> bool:
        """In prose always; in a table (software messages, "erreur: …") only when the
        table itself mostly puts the space."""
        if not super().wanted(rule, segment, context):
            return False
        if not segment.table_row or rule not in FRENCH_RULES[:2]:
            return True
        return self._table_spaces(context)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        return [
            f
            for f in super().check(segment, context)
            if not (text[f.start : f.end] == ":" and TIGHT_COLON.match(text, f.start))
        ]

    @staticmethod
    def _table_spaces(context: DocumentContext) -> bool:
        spaced, tight = context.state.get("high_signs", (0, 0))
        return bool(spaced >= tight)
