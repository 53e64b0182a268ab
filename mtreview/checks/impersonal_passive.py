"""English impersonal passives French does not build: "il est devenu connu que" (it became
known that), "il est cru que" (it is believed that), "il est pensé que" (it is thought
that). French says "on a appris que", "on croit que", "on pense que"; a translation that
keeps the English shape reads as one. "Il est bien connu que", "il est devenu clair que"
and "il est dit que" are French and left alone, and so is the restrictive "il n'est pensé
que pour" (only for), which the shapes cannot match. Needs no model and no source.
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

_BE = r"(?:est|était|a\s+été|avait\s+été|sera|serait|fut)"
_ADVERB = r"(?:(?:largement|généralement|souvent|aussi|également|désormais|maintenant)\s+)?"
# (shape, what French says)
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (
        re.compile(
            rf"(?<![\w'’-])(?:il|cela)\s+{_BE}\s+{_ADVERB}{participle}\s+qu(?:e\b|['’])", re.I
        ),
        french,
    )
    for participle, french in (
        (r"devenu\s+connu", "on a appris que"),
        (r"cru", "on croit que"),
        (r"pensé", "on pense que"),
    )
)


@register_check
class ImpersonalPassive(Check):
    name = "impersonal_passive"
    category = "Style/Awkward"
    description = "an English impersonal passive: 'il est devenu connu que' (on a appris que)"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        flags = []
        for shape, french in SHAPES:
            for match in shape.finditer(segment.text):
                said = match.group()
                says = french[0].upper() + french[1:] if said[0].isupper() else french
                message = f"“{said}” keeps the English passive; French says “{says}”"
                flags.append(self.flag(match.start(), match.end(), message, suggestion=says))
        return flags
