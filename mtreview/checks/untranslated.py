"""English content words left in a French sentence ("Cliquez sur le button", "la meeting").

Per word, the evidence is how often it is written in English and in French (`wordfreq`'s
Zipf frequencies: log10 of uses per billion words, from web, subtitle, news and Wikipedia
text; code Apache-2.0, data CC-BY-SA 4.0). A word is English when it is common in English
and much rarer in French: loanwords French writes every day ("week-end", "e-mail",
"parking", "bug") have a French frequency close to their English one and pass. The
thresholds below were fit on the "fit" half of the Debian catalogues
(`benchmarks/untranslated_words.py`; docs/checks.md).

What is a name or code is left alone: a word capitalised within the sentence (a proper
noun), an all-caps word, a word the source holds as a name (capitalised within its
sentence), inside quotes or inside code, protected spans (placeholders, identifiers …), and
`Settings.allowed_words`. English function words are `non_french`'s and not flagged twice.
"""

from __future__ import annotations

import functools
import re

from mtreview.checks.base import Check, DocumentContext, register_check, words
from mtreview.checks.foreign import ENGLISH_WORDS
from mtreview.checks.protected import CODE_KINDS, protected_spans
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.settings import Settings

# Fit on the fit half (benchmarks/untranslated_words.py): false alarms on its clean rows
# against recall on English words planted in its rows.
MIN_ENGLISH_ZIPF = 3.8  # common in English (Zipf 3: once in a million words)
MIN_GAP = 1.2  # at least ~16 times more common in English than in French
MAX_FRENCH_ZIPF = 4.0  # a word this common in French is French, whatever English does
MIN_LETTERS = 4  # "bus", "top", "fan": short words are too often both
# A neighbour at least this common in French, and more French than English, puts the word
# in a French phrase: "(core dumped)", "history [-c]" are code or glosses, not prose.
MIN_NEIGHBOUR_FRENCH_ZIPF = 4.5

# French elisions glued to the next word by WORD_RE ("l'update", "d'account").
ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# What opens a sentence: the segment's start, end punctuation, an opening quote or bracket.
OPENERS = frozenset('.!?…:;«“"([\n*•-')
OPENS_QUOTE = re.compile(r"(?:[«“\"(\[<]|(?<!\w)['‘`])\s*$")  # not the "l'" of an elision
CLOSES_QUOTE = re.compile(r"\s*[»”\")\]>'’`]")
# Glued to code: "debian/rules", "Dpkg::Process", "S+core", "[no-]density", "wait [-fn]".
IN_CODE_BEFORE = re.compile(r"[/:+\]=_.\\]$")
IN_CODE_AFTER = re.compile(r"[/:+\[=_\\]| \[|\.\w")
QUOTED = re.compile(r"[«“\"‘'`]\s*([^«»“”\"‘’'`]{1,80}?)\s*[»”\"’'`]")


@register_check
class UntranslatedWord(Check):
    name = "untranslated_word"
    category = "Accuracy/Untranslated"
    description = "English content words left in a French sentence (wordfreq frequencies)"
    default_on = False  # technical catalogues keep English terms on purpose (docs/checks.md)

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.allowed = frozenset(word.casefold() for word in self.settings.allowed_words)

    def available(self) -> bool:
        try:
            import wordfreq  # noqa: F401
        except ImportError:
            return False
        return True

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        kept = _source_names(segment.source) if segment.source else frozenset()
        flags = []
        for match in words(text):
            token = match.group()
            elided = ELISION.match(token)
            start = match.start() + (elided.end() if elided else 0)
            word = text[start : match.end()]
            key = word.casefold()
            if key in kept or key in self.allowed or not _may_be_english(word):
                continue
            if "-" in word and segment.source and word in segment.source:
                continue  # "check-command", "binary-only": a compound copied, an identifier
            if word[0].isupper() and not _opens_sentence(text, match.start()):
                continue  # capitalised within the sentence: a proper noun
            if _quoted(text, start, match.end()) or not _is_english(key):
                continue  # « shift », (hook): a term the translator marks as kept
            if _in_french_phrase(text, start, match.end()):
                flags.append(self.flag(start, match.end(), f"“{word}” is English, not French"))
        return flags  # Check.checked drops those inside protected spans


def _opens_sentence(text: str, position: int) -> bool:
    """Whether only blanks stand between `position` and a sentence opener."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position == 0 or text[position - 1] in OPENERS


def _may_be_english(word: str) -> bool:
    """Cheap filters before any frequency lookup."""
    if len(word) < MIN_LETTERS or not LETTERS.fullmatch(word):
        return False
    if word.isupper() or any(c.isupper() for c in word[1:]):
        return False  # acronyms, "iPhone", "McAfee"
    key = word.casefold()
    return key not in ENGLISH_WORDS and key.isascii()


def _quoted(text: str, start: int, end: int) -> bool:
    """In quotes or brackets, or glued to code: a term kept on purpose, or code."""
    before = text[max(0, start - 3) : start]
    return bool(
        OPENS_QUOTE.search(before)
        or IN_CODE_BEFORE.search(before)
        or CLOSES_QUOTE.match(text, end)
        or IN_CODE_AFTER.match(text, end)
    )


def _in_french_phrase(text: str, start: int, end: int) -> bool:
    """The word before or after is plainly French ("le", "du", "ouvrir")."""
    before = [m.group() for m in words(text[max(0, start - 40) : start])][-1:]
    after = [m.group() for m in words(text[end : end + 40])][:1]
    return any(_is_french(word.casefold()) for word in before + after)


@functools.lru_cache(maxsize=65536)
def _is_french(key: str) -> bool:
    from wordfreq import zipf_frequency

    french = zipf_frequency(key, "fr")
    return french >= MIN_NEIGHBOUR_FRENCH_ZIPF and french > zipf_frequency(key, "en")


@functools.lru_cache(maxsize=65536)
def _is_english(key: str) -> bool:
    """Common in English, rare in French: one lookup per distinct word a process."""
    from wordfreq import zipf_frequency  # ~0.3 s to load: only when the check runs

    english = zipf_frequency(key, "en")
    if english < MIN_ENGLISH_ZIPF:
        return False
    french = zipf_frequency(key, "fr")
    return french <= MAX_FRENCH_ZIPF and english - french >= MIN_GAP


@functools.lru_cache(maxsize=4096)
def _source_names(source: str) -> frozenset[str]:
    """Casefolded words the source holds as names, code or quoted text, not as prose:
    capitalised within a sentence ("the Save button"), all caps, in quotes ("type 'yes'"),
    or inside a protected span (an identifier, an option, a placeholder)."""
    kept: set[str] = set()
    found = [m for m in words(source) if len(m.group()) >= MIN_LETTERS]
    title_case = len(found) > 1 and all(m.group()[0].isupper() for m in found)
    for match in found:  # "Open File" is Title Case, not two names
        word = match.group()
        if word.isupper() or (
            word[0].isupper() and not title_case and not _opens_sentence(source, match.start())
        ):
            kept.add(word.casefold())
    for quoted in QUOTED.finditer(source):
        kept.update(m.group().casefold() for m in words(quoted.group(1)))
    for span in protected_spans(source):
        if span.kind in CODE_KINDS:
            kept.update(m.group().casefold() for m in words(span.text))
    return frozenset(kept)
