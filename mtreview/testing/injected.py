"""A human-translation corpus with known errors: gettext catalogues in, injected errors out.

The French `.mo` catalogues of a Debian machine hold tens of thousands of strings written
by human translators. `read_mo` reads them (no polib, no private `gettext` attribute), and
`inject` plants one known error in a chosen share of the pairs, recording its span: the
"reviews" that measure flags (false alarms on the clean rows, recall on the planted ones)
and fit the risk weights. Same inputs and seed, same corpus.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
import struct
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mtreview.checks.protected import CODE_KINDS, protected_spans
from mtreview.errors import InputError

MO_MAGIC = (0x950412DE, 0xDE120495)
CATALOGUE_GLOB = "/usr/share/locale/fr*/LC_MESSAGES/*.mo"
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
PARTICIPLE = re.compile(r"\b([^\W\d_]{3,}?)(ées|és|ée|é)\b")
ETRE = re.compile(r"\b(?:est|sont|été|était|étaient|sera|seront|soit|soient|être)\s+$")
PLACEHOLDER = re.compile(r"%(?:\d+\$)?[-+0#]*\d*(?:\.\d+)?(?:l|ll|z|h)?[dsuixf]|\{\w*\}")
END_PUNCT = re.compile(r"[.:!?…]$")


@dataclasses.dataclass(frozen=True)
class Pair:
    source: str
    translation: str
    catalogue: str


@dataclasses.dataclass(frozen=True)
class Injected:
    """A pair with the error planted in its translation: `[start, end)` is the error's
    span in the new translation (the whole of it for errors about the whole segment)."""

    pair: Pair
    translation: str
    kind: str
    start: int
    end: int


def read_mo(path: Path) -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of a compiled catalogue; plural forms give one pair each, the header
    is skipped; a context (`msgctxt\\x04msgid`) is dropped."""
    data = path.read_bytes()
    if len(data) < 20:
        raise InputError(path, "too short for a .mo catalogue")
    for order in ("<", ">"):
        magic, _revision, count, originals, translations = struct.unpack(order + "5I", data[:20])
        if magic == MO_MAGIC[0]:
            break
    else:
        raise InputError(path, "not a .mo catalogue (bad magic number)")
    for index in range(count):
        length, offset = struct.unpack(order + "2I", data[originals + 8 * index :][:8])
        msgid = data[offset : offset + length].decode("utf-8", "replace")
        length, offset = struct.unpack(order + "2I", data[translations + 8 * index :][:8])
        msgstr = data[offset : offset + length].decode("utf-8", "replace")
        if not msgid:
            continue
        msgid = msgid.rpartition("\x04")[2]
        singular, _, plural = msgid.partition("\x00")
        for number, form in enumerate(msgstr.split("\x00")):
            if form:
                yield (singular if number == 0 or not plural else plural), form


def read_catalogues(paths: Iterable[Path]) -> list[Pair]:
    """Distinct single-line pairs with letters in them, in a stable order."""
    seen: set[tuple[str, str]] = set()
    pairs = []
    for path in sorted(paths):
        for source, translation in read_mo(path):
            key = (source, translation)
            if key in seen or "\n" in translation or "\n" in source:
                continue
            if not any(c.isalpha() for c in translation) or len(translation) > 400:
                continue
            seen.add(key)
            pairs.append(Pair(source, translation, path.stem))
    return pairs


# --- the errors --------------------------------------------------------------------------
Injector = Callable[[Pair, random.Random], "Injected | None"]


def _prose_words(text: str) -> list[re.Match[str]]:
    code = [s for s in protected_spans(text) if s.kind in CODE_KINDS]
    return [
        m
        for m in WORD.finditer(text)
        if not any(m.start() < s.end and s.start < m.end() for s in code)
    ]


def doubled_word(pair: Pair, rng: random.Random) -> Injected | None:
    found = [m for m in _prose_words(pair.translation) if len(m.group()) >= 3]
    if not found:
        return None
    word = rng.choice(found)
    text = pair.translation
    new = text[: word.end()] + " " + word.group() + text[word.end() :]
    return Injected(pair, new, "doubled_word", word.end() + 1, word.end() + 1 + len(word.group()))


def swapped_words(pair: Pair, rng: random.Random) -> Injected | None:
    found = _prose_words(pair.translation)
    candidates = [
        (a, b)
        for a, b in itertools.pairwise(found)
        if pair.translation[a.end() : b.start()] == " "
        and a.group().lower() != b.group().lower()
        and len(a.group()) >= 2
        and len(b.group()) >= 2
    ]
    if not candidates:
        return None
    a, b = rng.choice(candidates)
    text = pair.translation
    new = text[: a.start()] + b.group() + " " + a.group() + text[b.end() :]
    return Injected(pair, new, "swapped_words", a.start(), b.end())


def space_before_comma(pair: Pair, rng: random.Random) -> Injected | None:
    text = pair.translation
    commas = [m.start() for m in re.finditer(r"(?<=\w),(?= )", text)]
    if not commas:
        return None
    at = rng.choice(commas)
    return Injected(pair, text[:at] + " " + text[at:], "space_before_comma", at, at + 2)


def agreement(pair: Pair, rng: random.Random) -> Injected | None:
    """A participle after a form of "être" takes another gender or number."""
    text = pair.translation
    found = [m for m in PARTICIPLE.finditer(text) if ETRE.search(text[: m.start()])]
    if not found:
        return None
    match = rng.choice(found)
    other = {"é": "és", "és": "é", "ée": "é", "ées": "ée"}[match.group(2)]
    new_word = match.group(1) + other
    new = text[: match.start()] + new_word + text[match.end() :]
    return Injected(pair, new, "agreement", match.start(), match.start() + len(new_word))


def placeholder_dropped(pair: Pair, rng: random.Random) -> Injected | None:
    text = pair.translation
    found = list(PLACEHOLDER.finditer(text))
    if not found or not PLACEHOLDER.search(pair.source):
        return None
    match = rng.choice(found)
    new = re.sub(r"  +", " ", text[: match.start()] + text[match.end() :]).strip()
    if not new:
        return None
    return Injected(pair, new, "placeholder_dropped", 0, len(new))


def number_changed(pair: Pair, rng: random.Random) -> Injected | None:
    text = pair.translation
    code = [s for s in protected_spans(text) if s.kind in CODE_KINDS]
    digits = [
        m.start()
        for m in re.finditer(r"\d", text)
        if not any(s.start <= m.start() < s.end for s in code)
    ]
    if not digits:
        return None
    at = rng.choice(digits)
    new_digit = str((int(text[at]) + rng.randint(1, 8)) % 10)
    return Injected(pair, text[:at] + new_digit + text[at + 1 :], "number_changed", at, at + 1)


def untranslated(pair: Pair, rng: random.Random) -> Injected | None:
    source = pair.source
    if len(WORD.findall(source)) < 3 or source == pair.translation:
        return None
    return Injected(pair, source, "untranslated", 0, len(source))


def end_punctuation(pair: Pair, rng: random.Random) -> Injected | None:
    text = pair.translation.rstrip()
    if not END_PUNCT.search(text) or not END_PUNCT.search(pair.source.rstrip()):
        return None
    new = text[:-1].rstrip()
    if not new:
        return None
    return Injected(pair, new, "end_punctuation", len(new) - 1, len(new))


INJECTORS: dict[str, Injector] = {
    "doubled_word": doubled_word,
    "swapped_words": swapped_words,
    "space_before_comma": space_before_comma,
    "agreement": agreement,
    "placeholder_dropped": placeholder_dropped,
    "number_changed": number_changed,
    "untranslated": untranslated,
    "end_punctuation": end_punctuation,
}


def inject(pairs: list[Pair], count: int, seed: int = 14) -> dict[int, Injected]:
    """Plant `count` errors, spread evenly over the kinds: row index -> the injected pair.
    A kind that does not fit a drawn row tries the next row."""
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    kinds = list(INJECTORS)
    planted: dict[int, Injected] = {}
    position = 0
    for number in range(count):
        injector = INJECTORS[kinds[number % len(kinds)]]
        while position < len(order):
            index = order[position]
            position += 1
            result = injector(pairs[index], rng)
            if result is not None:
                planted[index] = result
                break
    return planted
