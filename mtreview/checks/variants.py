"""One name, acronym or transliteration spelt two ways in a document ("Majilis", "Mazhilis")."""

from __future__ import annotations

import functools
import re
import unicodedata

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

NAME_RE = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w-]*\w")
MIN_NAME_LEN = 4
MIN_ACRONYM_LEN = 3
# Spellings that transliterations of one sound take (Russian ж, х, ш, й, ы …), most specific first.
TRANSLIT = (
    ("shch", "ch"),
    ("zh", "j"),
    ("dzh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("sh", "ch"),
    ("tch", "ch"),
    ("ck", "c"),
    ("k", "c"),
    ("q", "c"),
    ("ph", "f"),
    ("w", "v"),
    ("y", "i"),
    ("ie", "i"),
    ("ou", "u"),
)


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if c.isalnum())


@functools.lru_cache(maxsize=1 << 16)  # a document repeats its names
def skeleton(word: str) -> str:
    """What different transliterations of one name share: accents, doubled letters and
    interchangeable spellings (zh/j, kh/h, k/c, y/i …) folded away. Acronyms keep their
    doubled letters: PID and PPID are two things."""
    text = _plain(word)
    for old, new in TRANSLIT:
        text = text.replace(old, new)
    return text if is_acronym(word) else re.sub(r"(.)\1+", r"\1", text)


def is_acronym(word: str) -> bool:
    return word.isupper() and len(word) >= 2 and word.isalpha()


def variant_key(word: str) -> str | None:
    """The key under which spellings of one entity meet, or None for words not compared."""
    if is_acronym(word):
        # Acronyms meet when equal after folding, or when one is the other plus a trailing
        # letter (KMBC, CMBCP): key on the folded form less its last letter.
        key = skeleton(word)
        return "A:" + key if len(key) >= MIN_ACRONYM_LEN else None
    if len(word) < MIN_NAME_LEN or not word[0].isupper():
        return None
    return "N:" + skeleton(word)


@functools.lru_cache(maxsize=1 << 16)
def _keys(word: str) -> tuple[str, ...]:
    key = variant_key(word)
    if key is None:
        return ()
    if key.startswith("A:") and len(key) > 2 + MIN_ACRONYM_LEN:
        return (key, key[:-1])
    return (key,)


def related(a: str, b: str) -> bool:
    """Same entity spelt two ways: equal folded forms, or (acronyms) one is the other plus
    a last letter after folding but not before ("KMBC"/"CMBCP"; HTTP/HTTPS, OID/OIDS are
    different words). Two spellings that differ only in accents on capitals ("Echec",
    "ÉCHEC") follow the old convention of unaccented capitals, not two names."""
    if _capital_accents_only(a, b):
        return False
    key_a, key_b = skeleton(a), skeleton(b)
    if key_a == key_b:
        return True
    if not (is_acronym(a) and is_acronym(b)):
        return False
    (short, short_raw), (long, long_raw) = sorted(((key_a, a), (key_b, b)), key=lambda k: len(k[0]))
    if long_raw.startswith(short_raw):
        return False
    return len(long) == len(short) + 1 and long.startswith(short)


def _capital_accents_only(a: str, b: str) -> bool:
    if len(a) != len(b) or a == b:
        return False
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return all(_plain(x) == _plain(y) and x.isupper() and y.isupper() for x, y in differ)


_SENTENCE_START = re.compile(r"(?:^|[.!?:;»\"]\s+|^[\W\d_]+)$")


def _names(segment: Segment) -> list[re.Match[str]]:
    """Capitalised words and acronyms. In a table (UI strings, catalogues) a capital that
    opens a sentence marks an ordinary word ("Active" and "Activé" are not a name spelt
    two ways), so those are left out there."""
    text = segment.text
    found = NAME_RE.finditer(text)
    if not segment.table_row:
        return list(found)
    return [
        m for m in found if is_acronym(m.group()) or not _SENTENCE_START.search(text[: m.start()])
    ]


@register_check
class NameVariants(Check):
    name = "name_variants"
    category = "Fluency/Inconsistency"
    severity = "minor"
    description = "a name, acronym or transliteration spelt differently elsewhere in the document"

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        copied = context.state.setdefault("copied_names", set())
        for match in _names(segment):
            word = match.group()
            for key in _keys(word):
                context.spellings.setdefault(key, {}).setdefault(word, segment.index)
            if segment.source and word in segment.source:
                copied.add(word)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        flags: list[Flag] = []
        copied = context.state.get("copied_names", set())
        for match in _names(segment):
            word = match.group()
            others: dict[str, int] = {}
            for key in _keys(word):
                for spelling, index in context.spellings.get(key, {}).items():
                    if spelling.casefold() == word.casefold() or not related(word, spelling):
                        continue
                    if word in copied and spelling in copied:
                        continue  # both as their sources spell them: the sources differ
                    others.setdefault(spelling, index)
            if not others:
                continue
            shown = ", ".join(f"“{s}” (segment {i + 1})" for s, i in sorted(others.items())[:4])
            category = "Terminology/Inconsistent" if is_acronym(word) else self.category
            flags.append(
                self.flag(
                    match.start(),
                    match.end(),
                    f"also spelt {shown} in this document",
                    category=category,
                )
            )
        return flags
