""" "More than 10" written "plus que 10": before a quantity French says "plus de 10" (and
"moins de 10"); "plus que" compares two things ("plus grand que"). Flagged where a number,
a number word or a placeholder follows and the source says "than", so "plus que" for
the English "more than" is what the translation took word for word. "Il ne reste plus que
10 secondes" (only ten seconds left) is French: a "ne" or "n'" before "plus que" in the
clause leaves it alone (and so, unread, "ne peut spécifier plus que %d"). Needs the source.
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

# a quantity: digits, a placeholder ("%d", "{count}"), or a number word from two up
# ("plus qu'un outil" compares a tool: "un" and "une" are left out)
_QUANTITY = (
    r"(?:\d|%|\{|\$\{?|(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize"
    r"|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|mille)\b)"
)
SHAPE = re.compile(rf"(?<![\w'’-])(plus|moins)\s+qu(?:e\s+|['’])(?={_QUANTITY})", re.IGNORECASE)
# "ne … plus que" (only): a negation earlier in the clause
NEGATION = re.compile(r"(?<![\w'’-])n(?:e\b|['’])[^.;:!?,]*$", re.IGNORECASE)
THAN = re.compile(r"\bthan\b", re.IGNORECASE)


@register_check
class MoreThan(Check):
    name = "more_than"
    category = "Fluency/Grammar"
    needs = "source"
    description = (
        "'plus que 10' for the source's 'more than 10': before a quantity French writes "
        "'plus de 10', 'moins de 10' [source]"
    )

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source or not THAN.search(segment.source):
            return []
        flags = []
        text = segment.text
        for match in SHAPE.finditer(text):
            if match.group(1).lower() == "plus" and NEGATION.search(text, 0, match.start()):
                continue  # "ne … plus que": only; "ne … moins que" has no such sense
            said = match.group().rstrip()
            says = f"{match.group(1)} de"
            message = f"“{said}” before a quantity: French says “{says}” (“more than” 10)"
            end = match.start() + len(said)
            elided = said[-1] in "'’"  # "plus qu'{count}": the space comes back with "de"
            flags.append(self.flag(match.start(), end, message, suggestion=says + " " * elided))
        return flags
