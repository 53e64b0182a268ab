"""Sentence splitting for news text, behind a small interface.

pysbd was kept after comparing it with sentencex and syntok on French news (docs/scoring.md):
it keeps quotations « … » whole and handles most abbreviations. News needs a few repairs on
top, done here for any splitter: datelines ("Almaty. 2 février. KAZTAG - …") and French
abbreviations (M., Dr., fév., etc.) never end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
_DATELINE = re.compile(  # matched at a paragraph's start (no ^: match(text, pos))
    r"\s*[A-ZÀ-Ý][\w'’\- ]{0,40}[.,]\s+\d{1,2}(?:er)?\s+[A-Za-zÀ-ÿ]{3,12}\.?(?:\s+\d{4})?[.,]?\s*",
)
_LONGEST_ABBREVIATION = max(len(word) for word in TITLES | ABBREVIATIONS)
_CHUNK_LIMIT = 5000  # characters the splitter sees at once
MAX_SENTENCE = 20000  # default longest sentence (the setting max_segment_chars)
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
    """pysbd's rules; its sentences are placed back into the text by `_locate`.

    `Segmenter.segment` would place them itself by compiling each sentence into a regular
    expression and searching the whole text for it: a 5,000-character sentence costs a
    tenth of a second, and the compiled patterns fill `re`'s cache. Its processor gives
    the same sentences without that step."""

    def __init__(self, lang: str = "fr") -> None:
        import pysbd

        try:
            self._segmenter = pysbd.Segmenter(language=lang, clean=False)
        except ValueError as exc:
            raise SettingsError(f"sentence splitter: no rules for language {lang!r}") from exc
        self._fallback = RegexSplitter()

    def _sentences(self, text: str) -> list[str]:
        return [str(s) for s in self._segmenter.processor(text).process()] if text else []

    def split(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for start, end in pieces(text, _CHUNK_LIMIT):  # at most _CHUNK_LIMIT at once
            chunk = text[start:end]
            located = _locate(chunk, self._sentences(chunk)) or self._fallback.split(chunk)
            spans.extend((start + s, start + e) for s, e in located)
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


def split_sentences(
    text: str, splitter: SentenceSplitter, *, max_chars: int = MAX_SENTENCE
) -> list[Span]:
    """Sentences of one paragraph, with the news repairs applied (the whole paragraph at
    hand; `ParagraphSentences` does the same for a paragraph read piece by piece)."""
    sentences = ParagraphSentences(splitter, max_chars=max_chars)
    spans: list[Span] = []
    for start, end in pieces(text, sentences.piece_limit):
        spans.extend(sentences.feed(text, 0, start, end))
    spans.extend(sentences.flush())
    return spans


def pieces(text: str, limit: int) -> Iterator[Span]:
    """`text` cut with `chunk_cut` into pieces of at most `limit` characters."""
    start = 0
    while len(text) - start > limit:
        cut = chunk_cut(text, start, limit)
        yield start, cut
        start = cut
    yield start, len(text)


def chunk_cut(text: str, start: int, limit: int) -> int:
    """Where to cut a long paragraph after `start` so the splitter sees at most `limit`
    characters at once: the last likely sentence end in the window's second half, else
    the last space, else the window's end."""
    window_end = start + limit
    cut = None
    for match in _CHUNK_BREAK.finditer(text, start + limit // 2, window_end):
        cut = match.end()
    if cut is None:
        space = text.rfind(" ", start + 1, window_end)
        cut = space + 1 if space > start else window_end
    return cut


class ParagraphSentences:
    """The sentences of one paragraph, fed in pieces of at most `piece_limit` characters
    (cut with `chunk_cut`), so a paragraph of any length costs linear time and memory
    bounded by `max_chars`. The last sentence of a piece is held back until the next one
    shows whether an abbreviation joins them; a join never makes a sentence longer than
    `max_chars`."""

    def __init__(self, splitter: SentenceSplitter, *, max_chars: int = MAX_SENTENCE) -> None:
        self.splitter = splitter
        self.max_chars = max(1, max_chars)
        self.piece_limit = max(2, min(_CHUNK_LIMIT, self.max_chars))
        self.first = True
        self.held: Span | None = None  # absolute offsets
        self.held_word = ""  # the word before the held sentence's final period, lower-cased

    @property
    def held_start(self) -> int | None:
        return self.held[0] if self.held is not None else None

    def feed(self, text: str, base: int, start: int, end: int) -> list[Span]:
        """Sentences finished by the piece `text[start:end]`; `base` is the absolute offset
        of `text[0]`, and spans come back absolute. The held sentence must still be in
        `text` (its start at or after `base`)."""
        piece = text[start:end]
        spans = [(start + s, start + e) for s, e in self.splitter.split(piece)]
        spans = _split_long_quotations(text, spans)
        if self.first and spans:
            spans = _merge_dateline(text, start, spans)
            self.first = False
        done: list[Span] = []
        for s, e in spans:
            if self.held is not None and self._joins(text, base, s, e):
                self.held = (self.held[0], base + e)
            else:
                if self.held is not None:
                    done.append(self.held)
                self.held = (base + s, base + e)
            self.held_word = _last_word(text, s, e)
        return done

    def flush(self) -> list[Span]:
        """The held sentence at the end of the paragraph."""
        held, self.held, self.first = self.held, None, True
        return [held] if held is not None else []

    def _joins(self, text: str, base: int, start: int, end: int) -> bool:
        if self.held is None:
            return False
        if base + end - self.held[0] > self.max_chars:
            return False
        word = self.held_word
        following = text[start : start + 1]
        return word in TITLES or (
            word in ABBREVIATIONS and not following.isupper() and following.isalnum()
        )


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


def _merge_dateline(text: str, start: int, spans: list[Span]) -> list[Span]:
    """Keep "City. 2 février. AGENCY - …" together with the sentence it opens."""
    if len(spans) < 2:
        return spans
    match = _DATELINE.match(text, start, spans[-1][1])
    if not match:
        return spans
    dateline_end = match.end()
    absorbed = 0
    while absorbed < len(spans) - 1 and spans[absorbed][1] <= dateline_end:
        absorbed += 1
    if absorbed == 0:
        return spans
    return [(spans[0][0], spans[absorbed][1]), *spans[absorbed + 1 :]]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_°"


def _last_word(text: str, start: int, end: int) -> str:
    """The word before the final period of `text[start:end]` ("… M." -> "m"), lower-cased;
    "" when there is none or it is longer than any abbreviation. It reads a few characters
    back, never the whole sentence: a paragraph-long word costs nothing."""
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start or text[end - 1] != ".":
        return ""
    stop = end - 1
    first, longest = stop, _LONGEST_ABBREVIATION
    while first > start and stop - first <= longest and _is_word_char(text[first - 1]):
        first -= 1
    if stop - first > longest:
        return ""
    return text[first:stop].lower()
