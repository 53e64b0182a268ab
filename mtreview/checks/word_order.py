"""Word order French does not allow, the trace of a model's reordering ("swapped words"):

- `word_order` (no model): a determiner followed by a preposition or another determiner
  ("le dans", "du en"), a preposition or determiner closing the sentence ("Nombre pages
  de"), negation or auxiliary out of place ("ne doit être pas", "n'a être pu");
- `participle_order` (spaCy's French model): a past participle before the noun it
  describes at the start of a phrase ("spécifié nombre", "gaspillé disque").

Object pronouns that look like articles ("je les en remercie", "donne-le à", "il les leur
donne") and pronoun "un"/"une" ("l'une des options") are left alone.
"""

from __future__ import annotations

import re
from typing import Any

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.checks.french_model import shared_parses
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
CLOSING_WORDS = frozenset("de à du des au aux dans par pour sur chez vers".split())
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:['’][^\W\d_]*)?")
MISPLACED = re.compile(
    r"\bn[e'’]\s*(?:\w+\s+)?(?:être|avoir)\s+(?:pas|plus|jamais)\b"  # ne doit être pas
    r"|\b(?:a|ont|avait|avaient|aura|auront)\s+être\b",  # n'a être pu
    re.IGNORECASE,
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


@register_check
class ParticipleOrder(Check):
    name = "participle_order"
    category = "Fluency/Grammar"
    needs = "french model"
    description = (
        "a past participle before its noun at the start of a phrase "
        "[needs the spaCy model fr_core_news_sm]"
    )

    def __init__(self, settings: Any = None) -> None:
        super().__init__(settings)
        self.parses = shared_parses()

    def available(self) -> bool:
        return self.parses.available

    def prepare(self, segments: Any) -> None:
        self.parses.prepare([s.text for s in segments])

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        doc = self.parses.get(segment.text)
        if doc is None:
            return []
        flags = []
        for token in doc[:-1]:
            nxt = doc[token.i + 1]
            if "Part" not in token.morph.get("VerbForm") or nxt.pos_ != "NOUN":
                continue
            before = doc[token.i - 1] if token.i else None
            if before is not None and before.pos_ not in ("DET", "ADP", "PUNCT"):
                continue
            if not token.lower_.endswith(("é", "ée", "és", "ées")) or token.head.i < token.i:
                continue
            message = f"“{token.text} {nxt.text}”: in French the participle follows its noun"
            flags.append(self.flag(token.idx, nxt.idx + len(nxt.text), message))
        return flags
