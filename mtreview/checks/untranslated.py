"""English words left in a French sentence ("Cliquez sur le button", "le file « %s »").

Three kinds of evidence, each a lookup per word:

- how often the word is written in English and in French (`wordfreq`'s Zipf frequencies:
  log10 of uses per billion words; code Apache-2.0, data CC-BY-SA 4.0);
- whether it is a French word at all, and which: `mtreview/data/french_homographs.tsv`
  holds the forms of the French spelling dictionary (Dicollecte, MPL-2.0) that English
  writes too, with part of speech, gender and number; "le file" cannot be the French
  "file" (feminine), "la value" not the French "value" (a participle);
- what the document does with the word: `observe` counts, over the rows that have a
  source, those that keep a source word in the translation and those that translate it.
  A word the document keeps ("commit", "slot", "trigger" in a git or assembler catalogue)
  is one of its terms; a word it translates everywhere else was left here by mistake.

A word that is not French and is at least 10 times as common in English is flagged when
there is no source or the source does not hold it (the translation brought it in), when
it follows a determiner ("le button"), or when the document translates it in at least 10
other rows and no English word stands beside it ("git apply", "pending list" are code or
glosses); in running text (a source sentence), 4 other rows are enough, unless a noun
announces the word as a name ("la commande help"). A French word is flagged when its
determiner rules it out, or when it is 5 times as common in English, the document
translates it in at least 5 other rows and the source (if any) holds it: "un support
amovible" for "a removable medium" is French. The thresholds were fit on the "fit" half
of the Debian catalogues (`benchmarks/untranslated_words.py`; docs/checks.md), the running
text one on the MT-like set's tune part.

What is a name or code is left alone: a word capitalised within the sentence (a proper
noun), an all-caps word, a word the source holds as a name (capitalised within its
sentence), inside quotes or inside code, protected spans (placeholders, identifiers …), and
`Settings.allowed_words`; a name the document translates in other rows and never keeps is
a label left in English and weighed as any word (`_translated_label`). English function
words are `non_french`'s and not flagged twice.
"""

from __future__ import annotations

import collections
import functools
import re
from collections.abc import Sequence
from importlib import resources
from typing import ClassVar

from mtreview.checks import french_words
from mtreview.checks.base import Check, DocumentContext, register_check, segment_spans, words
from mtreview.checks.foreign import ENGLISH_WORDS
from mtreview.checks.protected import (
    CODE_KINDS,
    ProtectedSpan,
    code_spans,
    overlaps_any,
    protected_spans,
)
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.settings import Settings

LEXICON = "french_homographs.tsv"  # built by benchmarks/build_french_homographs.py
STATE = "untranslated_word"  # DocumentContext.state key: (kept, translated) counters
# Fit on the fit half (benchmarks/untranslated_words.py): false alarms on its clean rows
# against recall on English words planted in its rows.
MIN_ENGLISH_ZIPF = 3.0  # common in English (Zipf 3: once in a million words)
MIN_GAP = 1.0  # not French: at least 10 times as common in English as in French
MIN_GAP_HOMOGRAPH = 0.7  # a French word too ("files", "package"): at least 5 times
MIN_LETTERS = 3
MAX_KEPT_SHARE = 0.2  # kept in more of its source's rows than this: a term of the document
MIN_TRANSLATED = 10  # rows translating it elsewhere, for a copied word with no determiner
MIN_TRANSLATED_HOMOGRAPH = 5
# In running text a copied word the document translates in this many other rows is enough
# (fit on the MT set's tune part, with English words of `untranslated_words.PAIRS` left
# where the source holds them, and the catalogue quick run: 2 adds no false alarm there)
MIN_TRANSLATED_PROSE = 4
SENTENCE = re.compile(r"^[^A-Za-z]*[A-Z].*[^.\s][.!?…][\"'”’»)\]]*\s*$", re.DOTALL)
# A French noun that announces a name: "la commande help", "le bouton Help", "l'option -v"
NAMING_NOUN = re.compile(
    r"\b(?:commande|programme|outil|utilitaire|paquet|bouton|option|champ|touche|menu|"
    r"onglet|mode|priorité|tâche|variable|valeur|paramètre|fichier|répertoire|dossier|"
    r"démon|service|module|format|drapeau|mot-clé|clé)s?\s+$",
    re.IGNORECASE,
)
MIN_TRANSLATED_LABEL = 2  # a name of the source its document translates elsewhere: a label
# A neighbour at least this common in French, and more French than English, puts the word
# in a French phrase: "(core dumped)", "history [-c]" are code or glosses, not prose.
MIN_NEIGHBOUR_FRENCH_ZIPF = 4.2

# French elisions glued to the next word by WORD_RE ("l'update", "d'account").
ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# What `_may_be_english` lets through, found in one pass: a whole ASCII word of 3 letters
# or more, capitalised or not (no capital inside), an elided article or preposition before.
CANDIDATE = re.compile(
    r"(?<![\w'’-])(?i:(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’])?"
    r"([A-Za-z][a-z]{2,}(?:-[a-z]+)*)(?![\w'’]|-\w)"
)
# What opens a sentence: the segment's start, end punctuation, an opening quote or bracket.
OPENERS = frozenset('.!?…:;«“"([\n*•-')
OPENS_QUOTE = re.compile(r"(?:[«“\"(\[<]|(?<!\w)['‘`])\s*$")  # not the "l'" of an elision
CLOSES_QUOTE = re.compile(r"\s*[»”\")\]>'’`]")
# Glued to code: "debian/rules", "Dpkg::Process", "S+core", "[no-]density", "wait [-fn]".
IN_CODE_BEFORE = re.compile(r"[/:+\]=_.\\]$")
IN_CODE_AFTER = re.compile(r"[/:+\[=_\\]| \[|\.\w")
# Quoted text of a source; an apostrophe within a word ("can't") neither opens nor closes.
QUOTED = re.compile(r"(?:[«“\"`]|(?<!\w)['‘])\s*([^«»“”\"‘’`]{1,80}?)\s*(?:[»”\"’`]|'(?!\w))")
PREVIOUS_WORD = re.compile(r"([^\W\d_]+)['’]?\s*$")
# Determiner -> the gender (m, f, e: either) and number (s, p) of the noun it announces:
# the quantifiers too ("plusieurs computer")
DETERMINERS = {**french_words.DETERMINERS, **french_words.QUANTIFIERS}
PRONOUNS = frozenset("le la les l".split())  # "pour le supprimer", "il le file"
SUBJECTS = frozenset("je j tu il elle on nous vous ils elles ne n".split())
_APOSTROPHE = re.compile(r"['’]")


@register_check
class UntranslatedWord(Check):
    name = "untranslated_word"
    category = "Accuracy/Untranslated"
    description = "English words left in a French sentence (frequencies, French dictionary)"
    # Every document is observed for every registered check; this one only counts once it
    # has been built in the process (enabled by the settings), so that it costs nothing
    # when it is disabled.
    built: ClassVar[bool] = False

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.allowed = frozenset(word.casefold() for word in self.settings.allowed_words)
        UntranslatedWord.built = self.available()

    def available(self) -> bool:
        try:
            import wordfreq  # noqa: F401
        except ImportError:
            return False
        return True

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        """Count, per English-looking source word, the rows that keep it and those that
        translate it (one set operation a row with a source)."""
        if not cls.built or not segment.source:
            return
        source = _prose_keys(segment.source)
        if not source:
            return
        code = [span for span in segment_spans(segment) if span.kind in CODE_KINDS]
        target = _prose_keys(segment.text, code)
        kept, translated = context.state.setdefault(
            STATE, (collections.Counter(), collections.Counter())
        )
        kept.update(source & target)
        translated.update(source - target)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text, source = segment.text, segment.source
        kept_names = _source_names(source) if source else frozenset()
        source_keys = _prose_keys(source) if source else frozenset()
        kept, translated = context.state.get(STATE, (collections.Counter(),) * 2)
        flags = []
        for token_start, start, end, key in _english_words(text):
            word = text[start:end]
            if key in self.allowed:
                continue
            if "-" in word and source and word in source:
                continue  # "check-command", "binary-only": a compound copied, an identifier
            copied = key in source_keys
            elsewhere_kept = kept[key] - (1 if copied else 0)  # this row counted itself
            elsewhere_translated = translated[key]
            if elsewhere_kept > MAX_KEPT_SHARE * (elsewhere_kept + elsewhere_translated):
                continue  # a term this document keeps
            if (
                key in kept_names or (word[0].isupper() and not _opens_sentence(text, token_start))
            ) and not _translated_label(text, start, end, key, elsewhere_translated):
                continue  # a proper noun, or a name the source holds ("the Save button")
            gap = _english(key)
            if gap is None or _quoted(text, start, end):
                continue  # « shift », (hook): a term the translator marks as kept
            if word.islower():
                gap = _plural_gap(key, gap)
            if not _in_french_phrase(text, start, end):
                continue
            before = _determiner(text, token_start, text[token_start:start])
            if _is_english_here(
                key,
                gap,
                before,
                source=source is not None,
                copied=copied,
                translated=elsewhere_translated,
                lone=not _english_neighbour(text, start, end),
                prose=_in_prose(text, start, source),
            ):
                message = f"“{word}” is English, not French"
                code = _evidence(key, copied, elsewhere_translated)
                flags.append(self.flag(start, end, message, code=code))
        return flags  # Check.checked drops those inside protected spans


def _translated_label(text: str, start: int, end: int, key: str, translated: int) -> bool:
    """A name of the source ("the Devices section") or a word capitalised mid-sentence
    that its document translates in at least `MIN_TRANSLATED_LABEL` other rows and does
    not keep (the caller's test): a label of the interface left in English, if it is a
    plain English word (no French word, 10 times as common in English) and no other
    capitalised word stands beside it ("Google Drive", "Microsoft Windows" are names)."""
    if translated < MIN_TRANSLATED_LABEL or key in french_analyses():
        return False
    if (_english(key) or 0.0) < MIN_GAP:
        return False
    before = [m.group() for m in words(text[max(0, start - 40) : start])][-1:]
    after = [m.group() for m in words(text[end : end + 40])][:1]
    return not any(word[:1].isupper() for word in before + after)


def _in_prose(text: str, start: int, source: str | None) -> bool:
    """Whether the source is a sentence of running text (a capital first, `.`, `!`, `?`
    or `…` last; not a catalogue's usage line, `history [-c] … [arg...]`) and the word
    is no name announced by the noun before it ("la commande help", "le paquet locales",
    "le champ Provides")."""
    if not source or not SENTENCE.search(source):
        return False
    return not NAMING_NOUN.search(text, max(0, start - 30), start)


def _evidence(key: str, copied: bool, translated: int) -> str:
    """How the word came to be flagged (a subsignal, weighed on its own): a French word
    too that grammar rules out here, one the document translates elsewhere, one copied
    from the source, or one the source does not hold."""
    if key in french_analyses():
        return "homograph"
    if translated:
        return "translated_elsewhere"
    return "copied" if copied else "not_in_source"


def _is_english_here(
    key: str,
    gap: float,
    before: tuple[str, str] | None,
    *,
    source: bool,
    copied: bool,
    translated: int,
    lone: bool,
    prose: bool = False,
) -> bool:
    """The decision, once the word is an English-looking word in a French phrase that
    the document does not keep as a term: `gap` is its English Zipf less its French one,
    `before` (determiner, the word before it), `prose` whether the source is a sentence
    of running text and the word no name a noun announces (`_in_prose`)."""
    analyses = french_analyses().get(key)
    if analyses is not None:  # a French word too: only when French grammar rules it out
        if before is not None and gap > 0 and not _fits(analyses, *before):
            return True
        if source and not copied:
            return False  # "un support amovible" for "a removable medium": the French word
        return gap >= MIN_GAP_HOMOGRAPH and translated >= MIN_TRANSLATED_HOMOGRAPH and lone
    if gap < MIN_GAP:
        return False
    if not source or not copied:
        return True  # no source, or one that does not hold it: the translation brought it
    if before is not None:
        return True
    return lone and translated >= (MIN_TRANSLATED_PROSE if prose else MIN_TRANSLATED)


def _plural_gap(key: str, gap: float) -> float:
    """A lowercase English plural weighed by its singular when French has neither: a
    name inflates the plural's French frequency ("windows", from Windows), never the
    singular's ("window")."""
    if gap >= MIN_GAP or not key.endswith("s") or key in french_analyses():
        return gap
    singular = key[:-1]
    if singular in french_analyses():
        return gap
    return max(gap, _english(singular) or gap)


def _fits(analyses: frozenset[str], determiner: str, previous: str) -> bool:
    """Whether one of the word's French analyses may follow the determiner."""
    wanted = DETERMINERS[determiner]
    for analysis in analyses:
        if analysis == "o":
            return True  # "le plus", "la bas": not a noun
        if analysis in ("i", "v"):
            # "pour le supprimer" (an infinitive after a word), "il le file" (a pronoun,
            # then a verb); a sentence does not open with "Le computer"
            if determiner in PRONOUNS and ((analysis == "i" and previous) or previous in SUBJECTS):
                return True
            continue
        gender, number = analysis[1], analysis[2]
        if (gender == wanted[0] or "e" in (gender, wanted[0])) and number in ("i", wanted[1]):
            return True
    return False


def _determiner(text: str, position: int, elided: str) -> tuple[str, str] | None:
    """The determiner right before the word at `position` ("l'" glued to it counts), and
    the word before that determiner, casefolded; None when there is none."""
    if elided:
        name = elided[:-1].casefold()
        if name != "l":
            return None
        head = text[max(0, position - 30) : position]
    else:
        found = PREVIOUS_WORD.search(text, max(0, position - 30), position)
        if not found or found.group(1).casefold() not in DETERMINERS:
            return None
        name = found.group(1).casefold()
        head = text[max(0, position - 60) : found.start()]
    earlier = list(words(head))
    previous = earlier[-1].group().casefold() if earlier else ""
    return name, re.split(r"['’]", previous)[-1]


def _opens_sentence(text: str, position: int) -> bool:
    """Whether only blanks stand between `position` and a sentence opener."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position == 0 or text[position - 1] in OPENERS


def _may_be_english(word: str) -> bool:
    """Cheap filters before any frequency lookup."""
    if len(word) < MIN_LETTERS or not LETTERS.fullmatch(word):
        return False
    if word.isupper() or any(map(str.isupper, word[1:])):
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


@functools.lru_cache(maxsize=1024)  # a word's French and English neighbours both ask
def _neighbours(text: str, start: int, end: int) -> tuple[str, ...]:
    """The words right before and after `[start, end)`, casefolded, elisions dropped."""
    before = [m.group() for m in words(text[max(0, start - 40) : start])][-1:]
    after = [m.group() for m in words(text[end : end + 40])][:1]
    return tuple(_APOSTROPHE.split(word)[-1].casefold() for word in before + after)


def _in_french_phrase(text: str, start: int, end: int) -> bool:
    """The word before or after is plainly French ("le", "du", "ouvrir")."""
    return any(
        french_words.reads_as_french(word, MIN_NEIGHBOUR_FRENCH_ZIPF)
        for word in _neighbours(text, start, end)
    )


def _english_neighbour(text: str, start: int, end: int) -> bool:
    """An English word stands beside it: "git apply", "pending list" are code or a
    gloss the translator kept, not a word left in a French phrase."""
    return any(
        _may_be_english(word) and (_english(word) or 0) >= MIN_GAP and word not in french_analyses()
        for word in _neighbours(text, start, end)
    )


@functools.lru_cache(maxsize=1)
def french_analyses() -> dict[str, frozenset[str]]:
    """The shipped lexicon: word -> its French analyses (see LEXICON's header)."""
    table = (resources.files("mtreview") / "data" / LEXICON).read_text(encoding="utf-8")
    return {
        word: frozenset(analyses.split())
        for word, _, analyses in (
            line.partition("\t") for line in table.splitlines() if not line.startswith("#")
        )
        if analyses
    }


@functools.lru_cache(maxsize=65536)
def _english(key: str) -> float | None:
    """English Zipf less French Zipf for a word common in English, else None: one lookup
    per distinct word a process."""
    from wordfreq import zipf_frequency  # ~0.3 s to load: only when the check runs

    english = zipf_frequency(key, "en")
    if english < MIN_ENGLISH_ZIPF:
        return None
    return english - zipf_frequency(key, "fr")


def _prose_keys(text: str, spans: Sequence[ProtectedSpan] | None = None) -> frozenset[str]:
    """Casefolded English-looking words of a text, outside its code (`spans`, else its
    code spans)."""
    if spans is None:
        return _own_prose_keys(text)
    return _keys_outside(text, spans)


@functools.lru_cache(maxsize=4096)  # a source's: its row is observed, then checked
def _own_prose_keys(text: str) -> frozenset[str]:
    return _keys_outside(text, None)


def _keys_outside(text: str, spans: Sequence[ProtectedSpan] | None) -> frozenset[str]:
    found = _english_words(text)
    if not found:
        return frozenset()
    if spans is None:
        spans = code_spans(text)
    if not spans:
        return frozenset(key for _, _, _, key in found)
    return frozenset(key for _, start, end, key in found if not overlaps_any(start, end, spans))


@functools.lru_cache(maxsize=16384)
def _english_words(text: str) -> tuple[tuple[int, int, int, str], ...]:
    """The words common in English: where the token starts (its elision included),
    `[start, end)` of the word, its casefolded form."""
    found = []
    for match in CANDIDATE.finditer(text):
        key = match.group(1).lower()
        if key not in ENGLISH_WORDS and _english(key) is not None:
            found.append((match.start(), match.start(1), match.end(), key))
    return tuple(found)


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
