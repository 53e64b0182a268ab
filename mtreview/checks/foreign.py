"""Words that are not French where French is expected: English function words left in
place, and foreign spellings such as a Russian or English adjective ending ("kazakhstani").

Capitalised words are taken as proper names and only checked against the function words;
`Settings.allowed_words` lists words never to flag (names, accepted loanwords).
"""

from __future__ import annotations

import functools
import re

from mtreview.checks.base import Check, DocumentContext, register_check, words
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.settings import Settings

# English words with no French homograph ("an", "as", "but", "on", "son" are French too).
ENGLISH_WORDS = frozenset(
    """the of and with which from this that these those was were have has been will would
    should could their there they what when where whose into about between without is are
    its it's our your by""".split()
)
# Letter groups and endings that French spelling does not produce (transliterations,
# untranslated adjectives); checked on lowercase words only.
FOREIGN_SPELLING = re.compile(
    r"zh|shch|yy|ij$|iy$|yj|skiy$|skyi$|stani$|iya$|aya$|ness$|ship$|ów|ski[iy]$",
)
# Endings other languages add to a name where French would write "-ais", "-ien", "-e" …:
# "kazakhstani", "uzbekistani", "russian", "polski".
FOREIGN_NAME_ENDINGS = frozenset("i y ian ians ish ese ski skiy sky skaya skiye ets".split())
_ENDINGS = tuple(FOREIGN_NAME_ENDINGS)  # for str.endswith: most words end otherwise
MIN_NAME_STEM = 5


@register_check
class NonFrench(Check):
    name = "non_french"
    category = "Accuracy/Untranslated"
    description = "English or transliterated words, foreign adjective endings left in place"

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        for match in words(segment.text):
            word = match.group()
            if word[0].isupper() and len(word) >= MIN_NAME_STEM and not word.isupper():
                context.names.add(word.casefold())

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.allowed = frozenset(word.casefold() for word in self.settings.allowed_words)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        allowed = self.allowed
        source_words = _casefolded_words(segment.source) if segment.source else frozenset()
        flags = []
        for match in words(segment.text):
            word = match.group()
            key = word.casefold()
            if key in allowed:
                continue
            if word.isupper() and len(word) > 1:
                continue  # WHERE, FROM: keywords and acronyms, not prose
            copied = key in source_words
            message = self._reason(word, key, context, copied=copied)
            if message:
                flags.append(self.flag(match.start(), match.end(), message))
        return flags

    @staticmethod
    def _reason(word: str, key: str, context: DocumentContext, *, copied: bool) -> str | None:
        if key in ENGLISH_WORDS:
            return f"“{word}” is English, not French"
        if not word.islower() or copied:
            return None  # a name ("zhuang" for the source's "Zhuang"): its spelling is its own
        name = _name_stem(key, context.names)
        if name is not None:
            return f"“{word}” is not a French form of “{name.capitalize()}”"
        if FOREIGN_SPELLING.search(key) and not _extends_name(key, context.names):
            return f"“{word}” is not spelt like a French word"
        return None


@functools.lru_cache(maxsize=4096)
def _casefolded_words(text: str) -> frozenset[str]:
    return frozenset(match.group().casefold() for match in words(text))


def _name_stem(key: str, names: set[str]) -> str | None:
    """A known name that `key` extends with an ending that is not French."""
    if not key.endswith(_ENDINGS):
        return None
    for size in range(len(key) - 1, MIN_NAME_STEM - 1, -1):
        stem = key[:size]
        if stem in names and key[size:] in FOREIGN_NAME_ENDINGS:
            return stem
    return None


def _extends_name(key: str, names: set[str]) -> bool:
    """A French derivative of a name seen in the document ("kazakhstanaises")."""
    return any(key[:size] in names for size in range(len(key), MIN_NAME_STEM - 1, -1))
