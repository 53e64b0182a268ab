"""Leftovers of web scraping: bylines ("Anonim"), "Lire la suite", share buttons, credits."""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

_SHARE = r"partager|partagez|share|tweet|tweeter|facebook|twitter|linkedin|whatsapp|telegram"
_SHARE += r"|vk|e-?mail|imprimer|print|envoyer|commenter|j'aime|like"
# A whole segment that is page furniture, not text (matched case-insensitively).
WHOLE_SEGMENT = re.compile(
    r"(?:anonim|anonyme|anonymous|auteur\s*:.*|author\s*:.*|publié le .{0,40}"
    r"|lire la suite|lire aussi|à lire aussi|voir aussi|read more|en savoir plus"
    r"|abonnez-vous.*|s'abonner|newsletter|publicité|advertisement|cookies?"
    r"|crédits? photos?\s*:.*|photo\s*:.*|©.*|tous droits réservés.*"
    rf"|(?:(?:{_SHARE})[\s,|/·:•-]*)+)"
    r"[\s.…:>»]*",
    re.IGNORECASE,
)
# A byline: "Par Jean Dupont" alone on its line.
BYLINE = re.compile(r"(?:Par|By)\s+[A-ZÀ-Þ][\w'-]+(?:\s+[A-ZÀ-Þ][\w'-]+){0,2}")
# Navigation stuck to the end of a sentence: "… a-t-il dit. Lire la suite".
TRAILING = re.compile(
    r"(?<=[.!?»…])\s*(?:lire la suite|lire aussi|read more|en savoir plus)\s*[.…>»]*\s*$",
    re.IGNORECASE,
)


@register_check
class ScrapingLeftovers(Check):
    name = "scraping_leftovers"
    category = "Other"
    description = "page furniture copied with the article: bylines, read-more links, share buttons"
    segment_level = True

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        stripped = text.strip()
        if not stripped:
            return []
        start = text.index(stripped)
        if WHOLE_SEGMENT.fullmatch(stripped) or BYLINE.fullmatch(stripped):
            message = f"“{stripped}” looks like page furniture left by scraping, not text"
            return [self.flag(start, start + len(stripped), message, suggestion="")]
        trailing = TRAILING.search(text)
        if trailing:
            span_start = trailing.start() + len(trailing.group()) - len(trailing.group().lstrip())
            end = len(text.rstrip())
            return [self.flag(span_start, end, "a read-more link left by scraping", suggestion="")]
        return []
