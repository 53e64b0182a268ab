"""Repeated words and phrases: "non gouvernementales non gouvernementales". A lowercase
word followed by its capitalised self is a noun and the name of the thing it names ("le
gestionnaire de fichiers Fichiers", GNOME's file manager called Files): not a repeat."""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check, words
from mtreview.documents import Segment
from mtreview.flags import Flag

# Repetitions that French grammar allows: reflexive "nous nous", "vous vous", emphasis.
ALLOWED_REPEATS = frozenset({"nous", "vous", "si", "très", "bien", "fort", "tout", "plus"})
MAX_PHRASE_WORDS = 4


@register_check
class RepeatedWords(Check):
    name = "repeated_words"
    category = "Accuracy/Addition"
    severity = "minor"
    description = "a word or phrase of up to four words written twice in a row"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        found = list(words(text))
        keys = [m.group().casefold() for m in found]
        flags: list[Flag] = []
        i = 0
        while i < len(found):
            # a phrase of n words repeated at i has keys[i] == keys[i + n]
            ahead = keys[i + 1 : i + 1 + MAX_PHRASE_WORDS]
            size = self._repeat_at(text, found, keys, i) if keys[i] in ahead else 0
            if not size:
                i += 1
                continue
            start, end = found[i + size].start(), found[i + 2 * size - 1].end()
            flags.append(self.flag(start, end, f"“{text[start:end]}” is written twice in a row"))
            i += 2 * size
        return flags

    @staticmethod
    def _repeat_at(text: str, found: list[re.Match[str]], keys: list[str], i: int) -> int:
        """Length of the longest phrase starting at word `i` repeated right after it."""
        for size in range(MAX_PHRASE_WORDS, 0, -1):
            if i + 2 * size > len(found) or keys[i] != keys[i + size]:
                continue
            if keys[i : i + size] != keys[i + size : i + 2 * size]:
                continue
            if size == 1 and (keys[i] in ALLOWED_REPEATS or keys[i].isdigit()):
                continue
            if size == 1 and _named(found[i].group(), found[i + 1].group()):
                continue  # "le gestionnaire de fichiers Fichiers": the noun, then its name
            gap = text[found[i + size - 1].end() : found[i + size].start()]
            if gap.strip():  # punctuation between the copies: "oui, oui" is deliberate
                continue
            return size
        return 0


def _named(first: str, second: str) -> bool:
    """A lowercase word, then the same word capitalised: a thing and its name."""
    return first.islower() and second[:1].isupper() and second[1:].islower()
