"""Plain-text articles: paragraphs from blank lines, then sentences, streamed.

The file is read in blocks and cut into paragraphs and sentences as it comes, so any
text, even one paragraph of a hundred megabytes with no sentence end, costs linear time
and memory bounded by the longest sentence allowed (`max_segment_chars`), never by the
file. A paragraph ends at a blank line (only spaces, tabs, CR, FF or VT); a run of more
than `MAX_GAP` whitespace characters ends one too, so no run of blanks is ever held whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.readers.base import BOM, ReadOptions, check_readable, decode, read_text
from mtreview.segmentation import ParagraphSentences, chunk_cut, make_splitter

BLOCK_BYTES = 1 << 16
MAX_GAP = 5000  # a run of more whitespace than this ends a paragraph, whatever follows
# A paragraph ends at a line break followed by a blank line (spaces, tabs, CR, FF, VT) or
# the end (group `next` is empty when that end is only the end of what was read so far),
# or at a run of more than MAX_GAP whitespace characters (group `run`).
_PARAGRAPH_END = re.compile(
    rf"(?<!\s)(?P<run>\s{{{MAX_GAP + 1}}})|(?P<line>\n(?=[ \t\r\f\v]*(?P<next>\n|\Z)))"
)
_NON_SPACE = re.compile(r"\S")


class TextReader:
    def original_text(self, path: Path) -> str:
        return read_text(path)

    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        return segment_blocks(read_blocks(path), options)


def read_blocks(path: Path, block_bytes: int = BLOCK_BYTES) -> Iterator[str]:
    """The file decoded block by block (strict UTF-8, errors name the byte offset), the
    BOM removed; refuses a file with nothing but whitespace."""
    check_readable(path)
    offset = 0
    carry = b""
    content = False
    with path.open("rb") as handle:
        while block := handle.read(block_bytes):
            data = carry + block
            cut = _complete_utf8(data)
            carry = data[cut:]
            text = decode(path, data[:cut], byte_offset=offset)
            offset += cut
            if offset == cut and text.startswith(BOM):
                text = text[1:]
            content = content or (bool(text) and not text.isspace())
            yield text
    if carry:
        decode(path, carry, byte_offset=offset)  # an incomplete last character: its error
    if not content:
        raise InputError(path, "empty file, expected text to review")


def _complete_utf8(data: bytes) -> int:
    """Length of the prefix of `data` that ends on a character boundary (a block may end
    inside a multi-byte character; invalid bytes are left to the decoder)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:  # a lead byte: is its sequence complete?
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) if back >= needed else len(data) - back
    return len(data)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of a whole text, without outer whitespace."""
    spans = []
    position = 0
    while (first := _NON_SPACE.search(text, position)) is not None:
        found = _PARAGRAPH_END.search(text, first.start())
        end = found.start() if found is not None else len(text)
        spans.append((first.start(), _rstrip(text, first.start(), end)))
        position = end
    return spans


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _run_start(text: str, index: int, floor: int) -> int:
    """Start of the whitespace run that ends at `index` (at most MAX_GAP + 1 back)."""
    while index > floor and text[index - 1].isspace():
        index -= 1
    return index


def segment_text(text: str, options: ReadOptions) -> Iterator[Segment]:
    """Segments of a text already in memory (the same as a file of that text gives)."""
    return segment_blocks([text], options)


class _Stream:
    """The text read but not yet given out, with its absolute offset and line count."""

    def __init__(self, blocks: Iterable[str]) -> None:
        self.blocks = iter(blocks)
        self.text = ""
        self.base = 0  # absolute offset of text[0]
        self.done = False  # every block read
        self._line = 1  # line number at `_counted`
        self._counted = 0

    def read(self) -> None:
        block = next(self.blocks, None)
        if block is None:
            self.done = True
        else:
            self.text += block

    def line_at(self, index: int) -> int:
        """1-based line of text[index]; indices asked for never go back."""
        self._line += self.text.count("\n", self._counted, index)
        self._counted = index
        return self._line

    def drop(self, index: int) -> None:
        """Forget text[:index]."""
        if index > 0:
            self.line_at(max(index, self._counted))
            self._counted -= index
            self.text = self.text[index:]
            self.base += index


class _Paragraphs:
    """Cuts the stream into paragraphs and each paragraph into pieces for the splitter."""

    def __init__(self, stream: _Stream, sentences: ParagraphSentences) -> None:
        self.stream = stream
        self.sentences = sentences
        self.limit = sentences.piece_limit

    def spans(self) -> Iterator[tuple[int, list[tuple[int, int]]]]:
        """(paragraph number, finished sentences in absolute offsets), as they come."""
        stream, number = self.stream, -1
        while True:
            found = _NON_SPACE.search(stream.text)
            if found is None:
                if stream.done:
                    return
                stream.drop(len(stream.text))
                stream.read()
                continue
            number += 1
            stream.drop(found.start())
            for spans in self._paragraph():
                yield number, spans

    def _paragraph(self) -> Iterator[list[tuple[int, int]]]:
        """Sentences of the paragraph starting at text[0]; leaves the stream after it."""
        stream, sentences, start, position = self.stream, self.sentences, 0, 0
        while True:
            text = stream.text
            end = _PARAGRAPH_END.search(text, position)
            if end is not None and (end.group("run") or end.group("next") or stream.done):
                stop = _rstrip(text, start, end.start())
            elif end is None and stream.done:
                stop = _rstrip(text, start, len(text))
            else:  # the paragraph goes on, at least up to `scan`: cut what is sure
                scan = end.start() if end is not None else len(text)
                while _NON_SPACE.search(text, start + self.limit, scan) is not None:
                    cut = chunk_cut(text, start, self.limit)
                    yield sentences.feed(text, stream.base, start, cut)
                    start = cut
                position = _run_start(text, scan, start)
                held = sentences.held_start
                keep = _run_start(text, start, 0) if held is None else held - stream.base
                stream.drop(keep)
                start, position = start - keep, position - keep
                stream.read()
                continue
            while stop - start > self.limit:
                cut = chunk_cut(text, start, self.limit)
                yield sentences.feed(text, stream.base, start, cut)
                start = cut
            yield sentences.feed(text, stream.base, start, stop)
            yield sentences.flush()
            stream.drop(end.start() if end is not None else len(text))
            return


def segment_blocks(blocks: Iterable[str], options: ReadOptions) -> Iterator[Segment]:
    """Paragraphs and sentences of a text given in blocks, each segment as soon as its
    sentence is complete. Memory holds at most a piece of a paragraph and its whitespace,
    the sentence held back for an abbreviation, and a block; the cuts do not depend on
    where blocks end."""
    splitter = options.splitter or make_splitter(lang=options.lang)
    sentences = ParagraphSentences(splitter, max_chars=options.max_segment_chars)
    stream = _Stream(blocks)
    index = 0
    for paragraph, spans in _Paragraphs(stream, sentences).spans():
        for start, end in spans:
            first = start - stream.base
            yield Segment(
                doc=options.doc_id,
                index=index,
                paragraph=paragraph,
                start=start,
                end=end,
                text=stream.text[first : first + end - start],
                line=stream.line_at(first),
            )
            index += 1
