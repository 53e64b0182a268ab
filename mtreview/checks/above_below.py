""" "Described above", "the example below" written "décrit au-dessus", "l'exemple en
dessous": French points to a place in the text with "ci-dessus", "ci-dessous";
"au-dessus" and "en dessous" are places on a page or a screen ("la zone de texte en
dessous" is French and left alone). Flagged after a participle of reference ("décrit",
"mentionné", "répertorié" …) or a noun of the text ("exemple", "extrait", "section",
"étape" …), with no complement after it ("au-dessus du texte"), where the source says
"above" or "below".
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

_REFERRING = (
    r"(?:décrit|mentionné|indiqué|illustré|montré|présenté|expliqué|listé|répertorié|détaillé"
    r"|cité|défini|donné|spécifié|énuméré|noté|précisé)(?:e|s|es)?"
)
_TEXT_NOUNS = (
    r"(?:exemple|extrait|code|section|paragraphe|chapitre|étape|procédure|instruction"
    r"|description|note|tableau|figure|illustration|capture|formule)s?"
)
_ABOVE = r"au[- ]dessus"
_BELOW = r"(?:en[- ]dessous|au[- ]dessous)"
SHAPE = re.compile(
    rf"(?<![\w-])(?:{_REFERRING}|{_TEXT_NOUNS})\s+(?:(?P<above>{_ABOVE})|(?P<below>{_BELOW}))"
    r"(?!\s*(?:de\b|du\b|des\b|d['’]|-))",
    re.IGNORECASE,
)
SOURCE = re.compile(r"\b(?:above|below)\b", re.IGNORECASE)


@register_check
class AboveBelow(Check):
    name = "above_below"
    category = "Style/Awkward"
    needs = "source"
    description = (
        "'décrit au-dessus', 'l'exemple en dessous' for the source's 'above', 'below': a "
        "place in the text is 'ci-dessus', 'ci-dessous' [source]"
    )

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source or not SOURCE.search(segment.source):
            return []
        flags = []
        for match in SHAPE.finditer(segment.text):
            said = match.group("above") or match.group("below")
            says = "ci-dessus" if match.group("above") else "ci-dessous"
            start = match.start("above") if match.group("above") else match.start("below")
            message = f"“{said}” points to a place on the page; in the text French says “{says}”"
            flags.append(self.flag(start, start + len(said), message, suggestion=says))
        return flags
