"""Sentence splitting for news text, behind a small interface.

pysbd was kept after comparing it with sentencex and syntok on French news (see README):
it keeps quotations « … » whole and handles most abbreviations. News needs a few repairs on
top, done here for any splitter: datelines ("Almaty. 2 février. KAZTAG - …") and French
abbreviations (M., Dr., fév., etc.) never end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from mtreview.errors import SettingsError

Span = tuple[int, int]

# Titles always precede a name: their period never ends a sentence.
TITLES = frozenset("m mm mme mmes mlle mlles dr drs pr me mgr st ste".split())
# Other abbreviations end a sentence only when a capital follows ("etc. La suite …").
ABBREVIATIONS = frozenset(
    """cf etc p pp art al av apr env ex vol éd ed chap fig no n° tél réf janv fév févr avr
    juil sept oct nov déc jr gén col lt cdt sr sgt""".split()
)
_DATELINE = re.compile(
    r"^\s*[A-ZÀ-Ý][\w'’\- ]{0,40}[.,]\s+\d{1,2}(?:er)?\s+[A-Za-zÀ-ÿ]{3,12}\.?(?:\s+\d{4})?[.,]?\s*",
)
_LAST_WORD = re.compile(r"([\w°]+)\.\s*$")
_CHUNK_LIMIT = 5000
LONG_QUOTATION = 250  # characters: shorter quotations stay one segment
_QUOTE = re.compile(r"[«»\"“”]")
_QUOTED_BREAK = re.compile(r"[.!?…]\s+(?=[A-ZÀ-Ý])")
_CHUNK_BREAK = re.compile(r"[.!?…]\s+(?=[A-ZÀ-Ý«\"“])")


class SentenceSplitter(Protocol):
    """Returns half-open spans of sentences in `text`, in order, without outer whitespace."""

    def split(self, text: str) -> list[Span]: ...


def _locate(text: str, pieces: list[str]) -> list[Span]:
    """Place each piece a splitter returned back into `text`, in order."""
    spans: list[Span] = []
    cursor = 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        found = text.find(stripped, cursor)
        if found < 0:  # the splitter changed the text: give up on exact placement
            return []
        spans.append((found, found + len(stripped)))
        cursor = found + len(stripped)
    return spans


class RegexSplitter:
    """Dependency-free fallback: end of sentence at . ! ? … followed by a capital or quote."""

    def split(self, text: str) -> list[Span]:
        spans: list[Span] = []
        start = 0
        for match in _CHUNK_BREAK.finditer(text):
            spans.append((start, match.start() + 1))
            start = match.end()
        spans.append((start, len(text)))
        return [_strip(text, span) for span in spans if text[span[0] : span[1]].strip()]


class PysbdSplitter:
    def __init__(self, lang: str = "fr") -> None:
        import pysbd

        try:
            self._segmenter = pysbd.Segmenter(language=lang, clean=False)
        except ValueError as exc:
            raise SettingsError(f"sentence splitter: no rules for language {lang!r}") from exc
        self._fallback = RegexSplitter()

    def split(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for offset, chunk in _chunks(text):
            located = _locate(chunk, self._segmenter.segment(chunk)) or self._fallback.split(chunk)
            spans.extend((offset + s, offset + e) for s, e in located)
        return spans


SPLITTERS: dict[str, Callable[[str], SentenceSplitter]] = {
    "pysbd": PysbdSplitter,
    "regex": lambda lang: RegexSplitter(),
}


def make_splitter(name: str = "pysbd", lang: str = "fr") -> SentenceSplitter:
    try:
        factory = SPLITTERS[name]
    except KeyError:
        raise SettingsError(
            f"unknown sentence splitter {name!r} (choose from {', '.join(SPLITTERS)})"
        ) from None
    return factory(lang)


def split_sentences(text: str, splitter: SentenceSplitter) -> list[Span]:
    """Sentences of one paragraph, with the news repairs applied."""
    spans = _split_long_quotations(text, splitter.split(text))
    spans = _merge_abbreviations(text, spans)
    return _merge_dateline(text, spans)


def _split_long_quotations(text: str, spans: list[Span]) -> list[Span]:
    """Splitters keep a whole quotation as one sentence; a long one is cut into its
    sentences (the quote marks stay with the first and last) so each can be reviewed."""
    result: list[Span] = []
    for start, end in spans:
        piece = text[start:end]
        if end - start <= LONG_QUOTATION or not _QUOTE.search(piece):
            result.append((start, end))
            continue
        cursor = start
        for match in _QUOTED_BREAK.finditer(piece):
            result.append((cursor, start + match.start() + 1))
            cursor = start + match.end()
        result.append((cursor, end))
    return result


def _strip(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _chunks(text: str) -> list[tuple[int, str]]:
    """Cut very long paragraphs at likely boundaries so the splitter stays fast."""
    if len(text) <= _CHUNK_LIMIT:
        return [(0, text)]
    chunks: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > _CHUNK_LIMIT:
        window_end = start + _CHUNK_LIMIT
        cut = None
        for match in _CHUNK_BREAK.finditer(text, start + _CHUNK_LIMIT // 2, window_end):
            cut = match.end()
        if cut is None:
            space = text.rfind(" ", start + 1, window_end)
            cut = space + 1 if space > start else window_end
        chunks.append((start, text[start:cut]))
        start = cut
    chunks.append((start, text[start:]))
    return chunks


def _merge_abbreviations(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if merged:
            previous = text[merged[-1][0] : merged[-1][1]]
            match = _LAST_WORD.search(previous)
            word = match.group(1).lower() if match else ""
            following = text[span[0] : span[0] + 1]
            if word in TITLES or (
                word in ABBREVIATIONS and not following.isupper() and following.isalnum()
            ):
                merged[-1] = (merged[-1][0], span[1])
                continue
        merged.append(span)
    return merged


def _merge_dateline(text: str, spans: list[Span]) -> list[Span]:
    """Keep "City. 2 février. AGENCY - …" together with the sentence it opens."""
    if len(spans) < 2:
        return spans
    match = _DATELINE.match(text)
    if not match:
        return spans
    dateline_end = match.end()
    absorbed = 0
    while absorbed < len(spans) - 1 and spans[absorbed][1] <= dateline_end:
        absorbed += 1
    if absorbed == 0:
        return spans
    return [(spans[0][0], spans[absorbed][1]), *spans[absorbed + 1 :]]
