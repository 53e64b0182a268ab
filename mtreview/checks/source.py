"""Source-aware QA: what a translation must carry over from its source, checked when the
input has one (TSV/CSV, JSONL, Moses pairs, XLIFF, TMX, PO).

After the checks of Okapi CheckMate, Weblate and translate-toolkit's `pofilter` (written
anew): placeholders, numbers, URLs and e-mail addresses, markup tags and end punctuation
that differ between source and translation; a translation equal to its source; a length
far from the source's. Items the translation has and the source lacks are flagged where
they stand; items it lost, on the whole segment.
"""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Iterable
from typing import ClassVar

from mtreview.checks.base import Check, DocumentContext, register_check, segment_spans
from mtreview.checks.french_model import english_only_words, french_forms, shared_parses
from mtreview.checks.numerals import (
    DOTTED_RE,
    KEPT_ORDINAL_RE,
    Numeral,
    french_grouping,
    imperial,
    reading,
    source_numerals,
    target_numerals,
    version_like,
    written_out,
)
from mtreview.checks.protected import (
    CODE_KINDS,
    EMAIL,
    MARKUP_KINDS,
    TAG,
    URL,
    ProtectedSpan,
    mask,
    protected_spans,
)
from mtreview.documents import Segment
from mtreview.flags import Flag

CLOSERS = " \t\u00a0\u202f\"'»”’)]}>"
END_CLASSES: tuple[tuple[str, str], ...] = (
    ("…", "ellipsis"),
    ("...", "ellipsis"),
    (".", "stop"),
    ("。", "stop"),
    (":", "colon"),
    ("?", "question"),
    ("!", "exclamation"),
    (";", "semicolon"),
)
PROSE_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# English words French never writes: an unchanged source holding one is English
ENGLISH_STOPWORDS = frozenset(
    "the of and or to in for with from by at is are not this that your you it".split()
)
MIN_RATIO_SOURCE = 30  # shorter sources vary too much in length to judge
LENGTH_RATIO = (0.35, 3.0)  # translation length / source length outside this is suspicious


def _whole(segment: Segment) -> tuple[int, int]:
    stripped = segment.text.strip()
    start = segment.text.index(stripped) if stripped else 0
    return start, start + max(1, len(stripped))


class _CarriedOver(Check):
    """Items (placeholders, numbers …) of the source that the translation must keep."""

    needs = "source"
    segment_level = True
    category = "Accuracy/Mistranslation"
    severity = "major"
    respects: ClassVar[frozenset[str]] = frozenset()  # the items are what it looks at
    item: ClassVar[str] = ""  # what the items are called in messages
    kinds: ClassVar[frozenset[str]] = frozenset()  # the protected spans that are items

    @staticmethod
    def key(text: str) -> str:
        """What two items must share to count as the same."""
        return text

    def items(self, text: str, spans: Iterable[ProtectedSpan]) -> list[tuple[int, int, str]]:
        """(start, end, comparison key) of each item of `text`."""
        return [(s.start, s.end, self.key(s.text)) for s in spans if s.kind in self.kinds]

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source:
            return []
        formats = tuple(segment.formats)
        target = self.items(segment.text, segment_spans(segment))
        source = self.items(segment.source, protected_spans(segment.source, None, formats))
        wanted = collections.Counter(key for _, _, key in source)
        have = collections.Counter(key for _, _, key in target)
        flags = []
        extra = have - wanted
        for start, end, key in target:
            if extra[key] > 0:
                extra[key] -= 1
                flags.append(self.flag(start, end, f"{self.item} “{key}” is not in the source"))
        missing = sorted((wanted - have).elements())
        if missing:
            start, end = _whole(segment)
            shown = ", ".join(f"“{key}”" for key in missing[:5])
            flags.append(self.flag(start, end, f"{self.item} {shown} of the source is missing"))
        return flags


@register_check
class SourceTags(_CarriedOver):
    name = "source_tags"
    item = "markup tag"
    severity = "minor"
    description = "markup tags and entities differ from the source's [needs a source]"
    kinds = frozenset({TAG})

    @staticmethod
    def key(text: str) -> str:
        """`<a href="…">` is `<a>`: attributes may be translated (title, alt)."""
        match = re.match(r"<(/?)([A-Za-z][\w:.-]*)", text)
        return f"<{match.group(1)}{match.group(2).lower()}>" if match else text


@register_check
class SourceUrls(_CarriedOver):
    name = "source_urls"
    item = "address"
    severity = "minor"
    description = "URLs and e-mail addresses differ from the source's [needs a source]"
    kinds = frozenset({URL, EMAIL})


@register_check
class SourceNumbers(_CarriedOver):
    """Numbers compared by value, the source read the English way and the translation the
    French way (checks/numerals.py): `3,000` = `3 000`, `3.5` = `3,5`, `21st` = `21e` or `21`.
    A thousands comma kept from the source (`3,000` reads as 3 in French) is flagged; a
    decimal point kept (`3.5`) where it is a quantity, not a version (`Python 3.5`,
    `HTTP/1.1`, `la 7.4`: `numerals.version_like`); an English ordinal suffix (`21st`)
    always. An ordinal of the source may be written out in the translation (`2nd` →
    `second`): only a different one is flagged; so may a cardinal (`8` → `huit`), and an
    imperial conversion of the source (`(about 16-33 feet)`) may be left out."""

    name = "source_numbers"
    item = "number"
    description = "numbers differ from the source's (1,000 = 1 000, 1.5 = 1,5) [needs a source]"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source:
            return []
        formats = tuple(segment.formats)
        markup = [s for s in segment_spans(segment) if s.kind in MARKUP_KINDS]
        source_markup = protected_spans(segment.source, None, formats)
        plain_source = mask(
            segment.source, (s for s in source_markup if s.kind in MARKUP_KINDS), "x"
        )
        source = source_numerals(plain_source)
        plain = mask(segment.text, markup, "x")
        target = target_numerals(plain)
        conversions = [n for n in source if not n.ordinal and imperial(plain_source, n)]
        required = collections.Counter(
            n.key for n in source if not n.ordinal and n not in conversions
        )
        optional = collections.Counter(n.key for n in source if n.ordinal or n in conversions)
        flags: list[Flag] = []
        unmatched: list[Numeral] = []
        for number in sorted(target, key=lambda n: n.ordinal):  # cardinals first
            key = next(
                (k for k in (number.key, number.english) if k and (required[k] or optional[k])),
                None,
            )
            if key is None:
                unmatched.append(number)
                continue
            (required if required[key] else optional)[key] -= 1
            flags += self._convention(segment, number, key)
        source_ordinals_left = sum(optional.values()) > 0
        required -= collections.Counter(written_out(plain))  # "huit caractères" for "8"
        missing = sorted((+required).elements())
        extra = [n for n in unmatched if not n.ordinal or source_ordinals_left]
        # a number of the source replaced by another is a changed value, far more often a
        # real error than a number only left out (written as a word, implied) or only added
        code = "changed" if missing and extra else "missing" if missing else "extra"
        for number in unmatched:
            if number in extra:
                message = f"{self.item} “{number.key}” is not in the source"
                flags.append(self.flag(number.start, number.end, message, code=code))
            else:
                flags += self._convention(segment, number, number.key)
        flags.sort(key=lambda f: (f.start, f.end))
        if missing:
            start, end = _whole(segment)
            shown = ", ".join(f"“{key}”" for key in missing[:5])
            message = f"{self.item} {shown} of the source is missing"
            flags.append(self.flag(start, end, message, code=code))
        return flags

    def _convention(self, segment: Segment, number: Numeral, key: str) -> list[Flag]:
        """A flag where the translation writes `number` (read as `key`) the English way."""
        text = number.text
        if number.ordinal:
            if not KEPT_ORDINAL_RE.fullmatch(text):
                return []
            ordinal = f"{key}{'er' if key == '1' else 'e'}"
            message = f"English ordinal suffix (French writes {ordinal})"
            return [self._locale(number, message, ordinal, "minor")]
        if reading(text, ",") == key or DOTTED_RE.fullmatch(text):  # French, or a version
            return []
        suggestion = french_grouping(text)
        interval = segment.text[number.start - 1 : number.start] in "[(" and number.start > 0
        if "," in text and not interval:  # [0,127] is a range
            french = reading(text, ",")
            reads = (
                f"reads as {_french_value(french)} in French"
                if french
                else f"French writes {suggestion}"
            )
            message = f"thousands separator kept from the source ({reads})"
            return [self._locale(number, message, suggestion, "major")]
        if version_like(segment.text, number, segment.source):
            return []
        message = f"decimal point kept from the source (French writes {suggestion})"
        return [self._locale(number, message, suggestion, "minor")]

    def _locale(self, number: Numeral, message: str, suggestion: str, severity: str) -> Flag:
        return self.flag(
            number.start,
            number.end,
            message,
            suggestion=suggestion,
            category="Locale convention",
            severity=severity,
            code="english_way",
        )


def _french_value(value: str) -> str:
    """`3.000` as French shows it: `3`; `1.50` → `1,5`."""
    whole, _, fraction = value.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole},{fraction}" if fraction else whole


def end_class(text: str) -> tuple[str, int]:
    """The kind of the final punctuation (stop, colon …, or "" for none) and its position."""
    body = text.rstrip(CLOSERS)
    for mark, kind in END_CLASSES:
        if body.endswith(mark):
            return kind, len(body) - len(mark)
    return "", len(body)


# A French sentence may close otherwise than its source and be right: list items end with
# ";" (or ","), a sentence that announces what follows with ":", and "!" and "." trade
# places with the tone. What a flag needs is a mark lost or a question no longer asked.
CLOSES_AS = {
    "stop": frozenset({"semicolon", "colon", "exclamation"}),
    "exclamation": frozenset({"stop"}),
}


@register_check
class EndPunctuation(Check):
    """The source's final mark, kept: lost, or a question turned into a statement. Left
    alone: another mark that closes the sentence as well (`CLOSES_AS`), a list item's
    comma, the dots of a label the source holds inside its sentence ("Run Macro... menu."
    for "menu Exécuter la macro..."), and a question turned into a heading, as help pages
    title "What is a driver?" "Définition d'un pilote": a question the source asks with a
    wh-word or an auxiliary, and no mark and no verb in the translation (spaCy's parse,
    when the model is installed: a finite verb or an infinitive makes it a question that
    lost its mark);
    and a stop lost in a run of rows that lose it (`LIST_OTHERS` more within `LIST_REACH`
    rows: a list's items or a table's cells, which the translator writes without a stop:
    "Les partitions", "Leur nombre"): a convention of the document, not a mark lost from
    one sentence."""

    name = "end_punctuation"
    needs = "source"
    category = "Fluency/Punctuation"
    description = "the translation ends with other punctuation than its source [needs a source]"
    respects: ClassVar[frozenset[str]] = frozenset()  # "%s." ends with a stop all the same

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        if _stop_dropped(segment):
            dropped = context.state.setdefault(DROPPED_STOPS, set())
            if len(dropped) < MAX_DROPPED:  # memory stays bounded on a huge catalogue
                dropped.add(segment.index)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source or not segment.text.strip():
            return []
        wanted, _ = end_class(segment.source)
        found, position = end_class(segment.text)
        if not wanted or wanted == found or found in CLOSES_AS.get(wanted, ()):
            return []  # a stop the source lacks is the translator's right
        if not found and wanted == "stop" and segment.text.rstrip(CLOSERS).endswith(","):
            return []  # a list item: "… comme é,"
        if found == "ellipsis" and wanted == "stop" and _LABEL_ELLIPSIS.search(segment.source):
            return []  # "… menu Outils - Exécuter la macro..." : a label's dots close it
        dropped = context.state.get(DROPPED_STOPS, frozenset())
        near = {segment.index + step for step in range(-LIST_REACH, LIST_REACH + 1) if step}
        if _stop_dropped(segment) and len(near & dropped) >= LIST_OTHERS:
            return []  # one of a list's items, all written without a stop
        if not found and wanted == "question" and _heading(segment.source, segment.text):
            return []
        article = "an" if wanted[0] in "aeiou" else "a"
        found_text = (
            f"with {'an' if found[:1] in 'aeiou' else 'a'} {found}" if found else "with none"
        )
        message = f"the source ends with {article} {wanted}, the translation {found_text}"
        start = max(0, position - 1) if not found else position
        return [self.flag(start, max(len(segment.text.rstrip()), start + 1), message)]


# The source's ellipsis inside its sentence: a menu label ("Run Macro... menu."), which
# French ends the sentence with, its own stop merged into the dots (read on LibreOffice's
# help, benchmarks/help_false_alarms.py).
_LABEL_ELLIPSIS = re.compile(r"\w(?:\.\.\.|…)(?=.)")
DROPPED_STOPS = "end_punctuation.dropped"  # indexes of the rows that lost the source's stop
MAX_DROPPED = 10_000
LIST_REACH = 2  # a table's list cells alternate with their headers: "Disques durs", "Leur nombre"
LIST_OTHERS = 2  # a list: two more rows without their stop that near (one may be chance)


def _stop_dropped(segment: Segment) -> bool:
    """The source ends with a stop, the translation with no mark at all."""
    if not segment.source or not segment.text.strip():
        return False
    if end_class(segment.source)[0] != "stop" or end_class(segment.text)[0]:
        return False
    return not segment.text.rstrip(CLOSERS).endswith(",")


HEADING_WORDS = 4  # "Nom du fichier" for "File name?" is a prompt that lost its mark
ASKING = re.compile(
    r"\s*(?:what|why|how|where|which|who|when|can|could|do|does|did|is|are|should|will)\b",
    re.IGNORECASE,
)


def _heading(source: str, text: str) -> bool:
    """A question of the source (a wh-word or an auxiliary first: "What is …", "How do I
    …", not a prompt such as "Run it instead [y/N]?"; or a title asked as a noun phrase,
    "Missing information for color correction?", given as one of `HEADING_WORDS` words or
    more) given as a noun phrase with no "?" anywhere: no finite verb nor infinitive in
    spaCy's parse (False without the model)."""
    if "?" in text or "[" in source:
        return False
    if not ASKING.match(source) and len(text.split()) < HEADING_WORDS:
        return False
    doc = shared_parses().get(text)
    if doc is None:
        return False
    return not any(
        t.pos_ in ("VERB", "AUX") and {"Fin", "Inf"} & set(t.morph.get("VerbForm")) for t in doc
    )


@register_check
class Untranslated(Check):
    name = "untranslated"
    needs = "source"
    category = "Accuracy/Untranslated"
    severity = "major"
    segment_level = True
    description = "the translation is its source, unchanged [needs a source]"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        if not segment.source or segment.text.strip() != segment.source.strip():
            return []
        prose = mask(segment.text, (s for s in segment_spans(segment) if s.kind in CODE_KINDS))
        words = [w.strip(".,;:!?()«»\"'") for w in prose.split()]
        words = [w for w in words if PROSE_WORD.fullmatch(w)]
        lowercase = [w for w in words if w.islower() and len(w) > 1]
        english = any(w.lower() in ENGLISH_STOPWORDS for w in words)
        english_text = len(lowercase) >= 2 or (english and len(words) >= 3)
        if not english_text and not english_label(prose):
            return []  # names, commands, short labels French shares with the source
        start, end = _whole(segment)
        return [self.flag(start, end, "the translation is the source, unchanged")]


NAME = re.compile(r"[^\W\d_][^\W\d_]*")


@register_check
class SourceOrder(Check):
    name = "source_order"
    needs = "source"
    category = "Fluency/Grammar"
    description = "two names of the source side by side in the other order [needs a source]"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        """“Fox Brian” for the source's “Brian Fox”. Only words that are capitalised and not
        acronyms: French reorders "FP ABI" into "ABI FP" and "ABI version" into "version
        ABI" (its noun first), but not a person's or a product's names."""
        if not segment.source:
            return []
        names = [m for m in NAME.finditer(segment.source) if _title_case(m.group())]
        source_pairs = {
            (a.group(), b.group())
            for a, b in itertools.pairwise(names)
            if segment.source[a.end() : b.start()] == " "
        }
        if not source_pairs:
            return []
        found = list(NAME.finditer(segment.text))
        flags = []
        for a, b in itertools.pairwise(found):
            pair = (a.group(), b.group())
            if segment.text[a.end() : b.start()] != " " or pair in source_pairs:
                continue
            if (b.group(), a.group()) in source_pairs and pair[0] != pair[1]:
                message = f"“{a.group()} {b.group()}”: the source has “{b.group()} {a.group()}”"
                flags.append(self.flag(a.start(), b.end(), message))
        return flags


def _title_case(word: str) -> bool:
    return word[0].isupper() and word[1:].islower()


LABEL_WORD = re.compile(r"[^\W\d_]{3,}|[^\W\d_]+['’][^\W\d_]+")
ENGLISH_LOOK = re.compile(r"w|ck|ght|ing$|oo|ee")  # letters French words seldom have


def english_label(prose: str) -> bool:
    """English left as it was, in a label the lowercase rule lets pass ("Double Click
    Time", "Cannot lstat %s"): half its words or more are not French forms (the French
    model's lexicon), one is English by its look or an English-only stop word, all are
    plain ASCII (place names such as "Brno-venkov" or "Thừa Thiên-Huế" are kept as they
    are), and it is not two capitalised words alone (a person's name). Words are those
    between blanks, acronyms left out ("[place,discard,warn]", "ARM cantunwind" are code)."""
    tokens = (token.strip(".,;:!?()[]{}«»\"'*") for token in prose.split())
    words = [t for t in tokens if LABEL_WORD.fullmatch(t) and not t.isupper()]
    forms = french_forms()
    if forms is None or len(words) < 2 or not all(w.isascii() for w in words):
        return False
    foreign = [w for w in words if w.lower() not in forms and not w.isupper()]
    english_words = english_only_words()
    english = any(w.lower() in english_words or ENGLISH_LOOK.search(w.lower()) for w in words)
    lowercase = any(w.islower() for w in words)
    mostly_foreign = bool(foreign) and 2 * len(foreign) >= len(words)
    return mostly_foreign and english and (lowercase or len(words) >= 3)


@register_check
class LengthRatio(Check):
    name = "length_ratio"
    needs = "source"
    category = "Accuracy/Omission"
    segment_level = True
    description = (
        f"the translation is under {LENGTH_RATIO[0]:g}x or over {LENGTH_RATIO[1]:g}x "
        "the source's length [needs a source]"
    )

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        source = (segment.source or "").strip()
        text = segment.text.strip()
        if len(source) < MIN_RATIO_SOURCE or not text or text == source:
            return []
        ratio = len(text) / len(source)
        low, high = LENGTH_RATIO
        if low <= ratio <= high:
            return []
        start, end = _whole(segment)
        if ratio < low:
            return [self.flag(start, end, f"{ratio:.2f}x the source's length: something lost?")]
        return [
            self.flag(
                start,
                end,
                f"{ratio:.2f}x the source's length: something added?",
                category="Accuracy/Addition",
            )
        ]
