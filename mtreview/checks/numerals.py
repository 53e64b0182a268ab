"""Numbers read the English way in a source and the French way in a translation.

`3,000` (English) is `3 000` in French (space, NBSP or NNBSP between groups) and `3.5` is
`3,5`; `21st` is `21e` (`1st` is `1er` or `1re`). A number is compared by its value, read
by the conventions of its side: the source by English rules (a comma before groups of three
digits groups thousands, a point marks decimals; `1,5` falls back to the French reading),
the translation by French rules (space, NBSP, NNBSP, apostrophe or point between groups of
three, a comma for decimals), falling back to the English reading where the French one fails
(`3.5`). Dotted runs of three or more (`1.2.3`, `192.168.0.1`) are versions and addresses,
compared as written. `source_numbers` (checks/source.py) matches the two sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number: grouped thousands and a decimal part kept together; units may follow (64KB,
# 0x1F counts its leading 0), ordinals ("1er", "2nd") and words with digits inside do not.
NUMBER_RE = re.compile(
    r"(?<![\w.,])\d+(?:[ \u00a0\u202f.,']\d{3})*(?:[.,]\d+)?"
    r"(?!\d|(?:er|re|ère|e|ème|nd|st|rd|th)\b)"
)
DOTTED_RE = re.compile(r"(?<![\w.,])\d+(?:\.\d+){2,}(?![\w.]*\d)")  # 1.2.3, 192.168.0.1
LIST_RE = re.compile(r"(?<![\w.,])\d+(?:,\d+){2,}(?![\w.]*\d)")  # 0,1,2 (not 1,000,000)
ENGLISH_ORDINAL_RE = re.compile(r"(?<![\w.,])(\d+)(?:st|nd|rd|th)\b")
KEPT_ORDINAL_RE = re.compile(r"(?<![^\s(«“\"'])(\d+)(?:st|rd|th)\b")  # `2nd` is French too
# French ordinals: 1er 1re 1ère 2e 2ème 2eme 2nd 2nde and their plurals
FRENCH_ORDINAL_RE = re.compile(r"(?<![\w.,])(\d+)(?:er|re|ère|e|ème|eme|nde?)s?\b")
FRENCH_GROUP = "\u202f"  # NNBSP between groups of three, as the Imprimerie nationale writes
# words before a point-decimal number that say it is a version, not a quantity
VERSION_WORDS = frozenset(
    "version versions v ver rev révision release noyau kernel protocole norme niveau "
    "section sections chapitre chapter annexe appendix partie étape step figure tableau "
    "paragraphe".split()
)
# what follows a quantity: its unit or noun, a percent or degree sign
QUANTITY_AFTER = re.compile(r"[ \u00a0\u202f]?(?:%|‰|°|[^\W\d_])")


# numbers French prose writes out ("les huit premiers CD", "plus de dix ans"); "un"/"une"
# are articles as often as numbers, so 1 is not among them
_WORDS = "zéro deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze"
_WORDS += " seize dix-sept dix-huit dix-neuf vingt trente quarante cinquante soixante cent mille"
_VALUES = (0, *range(2, 21), 30, 40, 50, 60, 100, 1000)
FRENCH_NUMBER_WORDS = dict(zip(_WORDS.split(), map(str, _VALUES), strict=True))
_NUMBER_WORD = re.compile(r"(?<![\w-])[^\W\d_]+(?:-[^\W\d_]+)?(?![\w-])")
# an imperial measure the source adds for American readers ("5-10 meters (about 16-33
# feet)"): French documentation leaves the conversion out
IMPERIAL_AFTER = re.compile(
    r"[\s\u00a0-]*(?:feet|foot|ft|inch|inches|in\.|miles?|mph|pounds?|lbs?|ounces?|oz"
    r"|yards?|gallons?|°\s*F|degrees Fahrenheit)\b",
    re.IGNORECASE,
)


def written_out(plain: str) -> list[str]:
    """The values of the numbers a French text writes in words (`huit` → 8)."""
    words = (m.group().lower() for m in _NUMBER_WORD.finditer(plain))
    return [FRENCH_NUMBER_WORDS[w] for w in words if w in FRENCH_NUMBER_WORDS]


def imperial(plain: str, numeral: Numeral) -> bool:
    """The number measures in feet, inches, miles …: a conversion French may drop. A range
    ("16-33 feet") counts as one measure."""
    rest = plain[numeral.end :]
    if IMPERIAL_AFTER.match(rest):
        return True
    bound = re.match(r"\s*[-–]\s*\d+(?:[.,]\d+)?", rest)
    return bound is not None and IMPERIAL_AFTER.match(rest[bound.end() :]) is not None


@dataclass(frozen=True)
class Numeral:
    start: int
    end: int
    text: str
    key: str  # the value, `1234.5` (or the text of a dotted run)
    ordinal: bool = False
    english: str | None = None  # the English reading where the French one differs


def reading(text: str, decimal: str) -> str | None:
    """The value of `text` with `decimal` as the decimal mark and any other mark between
    groups of three digits, as `1234.5` (integer part without leading zeros); None where
    the text cannot be read so (`3.5` with a decimal comma)."""
    whole, mark, fraction = text.rpartition(decimal) if decimal in text else (text, "", "")
    if mark and (not fraction.isdigit() or decimal in whole):
        return None
    groups = re.split(r"[ \u00a0\u202f.,']", whole)
    if not all(g.isdigit() for g in groups) or any(len(g) != 3 for g in groups[1:]):
        return None
    if len(groups) > 1 and groups[0].startswith("0"):  # 0,254 groups no thousands
        return None
    integer = "".join(groups).lstrip("0") or "0"
    return f"{integer}.{fraction}" if mark else integer


def _thousands(text: str) -> bool:
    """`1.000.000` or `1,000,000`: groups of three after the first, thousands not a run."""
    return all(len(group) == 3 for group in re.split(r"[.,]", text)[1:])


def _ordinals(text: str, *patterns: re.Pattern[str]) -> tuple[list[Numeral], str]:
    """The dotted runs (versions), the items of comma lists (`0,1,2`) and the ordinals of
    `text`, and `text` with them masked."""
    found = [
        Numeral(m.start(), m.end(), m.group(), m.group())
        for m in DOTTED_RE.finditer(text)
        if not _thousands(m.group())
    ]
    for m in LIST_RE.finditer(text):
        if not _thousands(m.group()):
            found += [
                Numeral(
                    m.start() + i.start(),
                    m.start() + i.end(),
                    i.group(),
                    reading(i.group(), ".") or i.group(),
                )
                for i in re.finditer(r"\d+", m.group())
            ]
    chars = list(text)
    for number in found:
        chars[number.start : number.end] = "x" * (number.end - number.start)
    for pattern in patterns:
        for m in pattern.finditer("".join(chars)):
            key = m.group(1).lstrip("0") or "0"
            found.append(Numeral(m.start(), m.end(), m.group(), key, ordinal=True))
            chars[m.start() : m.end()] = "x" * (m.end() - m.start())
    return found, "".join(chars)


def source_numerals(plain: str) -> list[Numeral]:
    """The numbers of a source (markup already masked), read the English way."""
    found, rest = _ordinals(plain, ENGLISH_ORDINAL_RE)
    for m in NUMBER_RE.finditer(rest):
        value = reading(m.group(), ".") or reading(m.group(), ",")
        digits = re.sub(r"\D", "", m.group()).lstrip("0") or "0"
        found.append(Numeral(m.start(), m.end(), m.group(), value or digits))
    return sorted(found, key=lambda n: n.start)


def target_numerals(plain: str) -> list[Numeral]:
    """The numbers of a French translation (markup already masked), read the French way,
    with the English reading kept where it differs (`3,000`: 3 in French, 3000 in English)."""
    found, rest = _ordinals(plain, FRENCH_ORDINAL_RE, KEPT_ORDINAL_RE)
    for m in NUMBER_RE.finditer(rest):
        french, english = reading(m.group(), ","), reading(m.group(), ".")
        digits = re.sub(r"\D", "", m.group()).lstrip("0") or "0"
        key = french or english or digits
        found.append(
            Numeral(m.start(), m.end(), m.group(), key, english=english if english != key else None)
        )
    return sorted(found, key=lambda n: n.start)


def french_grouping(text: str) -> str:
    """`3,000.5` written the French way: `3 000,5` (NNBSP between groups)."""
    whole, _, fraction = text.partition(".")
    grouped = re.sub(r"[,\u00a0 ']", FRENCH_GROUP, whole)
    return f"{grouped},{fraction}" if fraction else grouped


def version_like(text: str, number: Numeral, source: str | None = None) -> bool:
    """A point-decimal number that names a version, a section or a standard rather than a
    quantity. A quantity is followed by its unit or noun (`3.5 kg`, `780.5 Mo`, `1.2 fois`,
    `3.5 %`); a number is not one after a slash, an operator or an article (`HTTP/1.1`,
    `tar <= 1.12`, `la 7.4`), a capitalised name, a word with a digit, a word copied from
    the source or a word such as `version` or `section` (`Python 3.5`, `GTK+ 2.0`,
    `adminpack 1.0`), nor where the source writes a name before it (`Artistic License
    2.0`)."""
    before = text[: number.start]
    if before.endswith(("/", "-", "_", "#", "<", ">", "=", "≤", "≥")):
        return True
    if not QUANTITY_AFTER.match(text, number.end):  # `1.2. Titre`, `ou 802.11.`, `3.0.x`
        return True
    words = before.split()
    if words and _names_version(words[-1], source):
        return True
    if source is None:
        return False
    return any(  # a sentence's first word is capitalised whatever it is
        _names_version(found.group(2), None)
        for found in re.finditer(rf"(^|\S\s+)(\S+)\s+{re.escape(number.text)}(?![\d.])", source)
        if found.group(1) and found.group(1)[0] not in ".!?:"
    )


def _names_version(word: str, source: str | None) -> bool:
    """The word before a number that makes it a version: a name, a word with a digit,
    `version`, an operator, the article of an omitted `version` (`la 7.4`), or (given the
    source) a word copied from it (`adminpack 1.0`)."""
    previous = word.strip("([«\u00a0\u202f“\"'")
    if not previous:
        return False
    if previous in ("<", ">", "<=", ">=", "=", "==", "≤", "≥", "la", "le", "l’", "l'"):
        return True
    if previous[0].isupper() or any(c.isdigit() for c in previous):
        return True
    if previous.lower() in VERSION_WORDS:
        return True
    copied = source is not None and len(previous) > 2 and previous.isalpha()
    return copied and re.search(rf"(?<!\w){re.escape(previous)}(?!\w)", source or "") is not None
