"""Word order French does not allow, the trace of a model's reordering ("swapped words"):
a determiner followed by a preposition or another determiner ("le dans", "du en"), a
preposition or determiner closing the sentence ("Nombre pages de"), negation or auxiliary
out of place ("ne doit être pas", "n'a être pu"). Needs no model: on swapped words the
parser's tags are no better than these closed word classes.

Object pronouns that look like articles ("je les en remercie", "donne-le à", "il les leur
donne") and pronoun "un"/"une" ("l'une des options") are left alone.
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

DETERMINERS = frozenset(
    """le la les un une des du au aux ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs""".split()
)
PREPOSITIONS = frozenset(
    "de à en dans par pour sur sous avec sans vers chez entre contre depuis pendant selon".split()
)
PRONOUN_LIKE = frozenset({"le", "la", "les", "leur"})  # also object pronouns
NOUN_TOO = frozenset({"son", "sous", "entre"})  # "du son", "des sous", "une entre"
CLOSING_WORDS = frozenset("de à du des au aux dans par pour sur chez vers hors".split())
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:['’][^\W\d_]*)?")
MISPLACED = re.compile(
    r"\bn[e'’]\s*(?:\w+\s+)?(?:être|avoir)\s+(?:pas|plus|jamais)\b"  # ne doit être pas
    r"|\bn[e'’]\s*\w+\s+(?:pu|eu|été|dû|su|voulu|fait|une?|les?|la|des)\s+pas\b"  # n'a pu pas
    r"|\b(?:a|ont|avait|avaient|aura|auront)\s+être\b"  # n'a être pu
    r"|\bne\s+que\b",  # vérifier ne que
    re.IGNORECASE,
)
# a label or sentence does not open on "de" before a word ("de nom colonne", "d'arrière-plan
# Couleur"); "De :", "de %d à %d" are fine
OPENING_DE = re.compile(
    r"^\s*(?:de\s+|d['’])(?!(?:nombreu|nouveau|nouvel|plus|même|abord|accord|ailleurs|après"
    r"|autres?|où|ici|une?\b|la\b|les?\b|l['’]))(?=[^\W\d_])"
)
SENTENCE_END = re.compile(r"\s*(?:[.!?;:]|$)")


@register_check
class WordOrder(Check):
    name = "word_order"
    category = "Fluency/Grammar"
    description = "a determiner before a preposition, a phrase ending on 'de', 'ne … être pas'"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        found = list(WORD.finditer(text))
        flags = [
            self.flag(m.start(), m.end(), f"“{m.group()}”: words out of order")
            for m in MISPLACED.finditer(text)
        ]
        opening = OPENING_DE.match(text)
        if opening and len(found) > 2:
            message = "a phrase does not open on “de”: words out of order?"
            flags.append(self.flag(found[0].start(), found[1].end(), message))
        for index, match in enumerate(found):
            word = match.group().lower()
            nxt = found[index + 1] if index + 1 < len(found) else None
            gap = text[match.end() : nxt.start()] if nxt is not None else text[match.end() :]
            if word in CLOSING_WORDS and index > 0 and _closes(text, match, nxt):
                message = f"“{match.group()}” ends the phrase without what it introduces"
                flags.append(self.flag(match.start(), match.end(), message))
            elif (
                word in DETERMINERS
                and nxt is not None
                and gap == " "
                and _clash(text, match, nxt.group().lower())
            ):
                message = f"“{match.group()} {nxt.group()}”: a determiner needs its noun"
                flags.append(self.flag(match.start(), nxt.end(), message))
        return flags


def _closes(text: str, match: re.Match[str], nxt: re.Match[str] | None) -> bool:
    """A preposition or article followed by nothing but the end of the sentence."""
    after = text[match.end() : nxt.start()] if nxt is not None else text[match.end() :]
    return nxt is None and bool(SENTENCE_END.fullmatch(after))


def _clash(text: str, match: re.Match[str], following: str) -> bool:
    word = match.group().lower()
    if following not in PREPOSITIONS and following not in DETERMINERS:
        return False
    if following in NOUN_TOO or (word in ("un", "une") and following in DETERMINERS):
        return False  # "l'une des options": a pronoun, not an article
    if word in PRONOUN_LIKE:
        if text[: match.start()].rstrip().endswith(("-", "’", "'")):
            return False  # "donne-le à"
        if following in ("en", "y") or following in DETERMINERS:
            return False  # "je les en remercie", "il les leur donne"
    return True
