"""Plain-text articles: paragraphs from blank lines, then sentences."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import Path

from mtreview.documents import Segment
from mtreview.readers.base import ReadOptions, read_text
from mtreview.segmentation import make_splitter, split_sentences

_PARAGRAPH = re.compile(r"\S(?:[^\n]|\n(?![ \t\r\f\v]*(?:\n|$)))*")


class TextReader:
    def original_text(self, path: Path) -> str:
        return read_text(path)

    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        return segment_text(read_text(path), options)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of blocks separated by blank lines, without outer whitespace."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1].isspace():
            end -= 1
        spans.append((start, end))
    return spans


def segment_text(text: str, options: ReadOptions) -> Iterator[Segment]:
    splitter = options.splitter or make_splitter(lang=options.lang)
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    index = 0
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        for s_start, s_end in split_sentences(text[p_start:p_end], splitter):
            start, end = p_start + s_start, p_start + s_end
            yield Segment(
                doc=options.doc_id,
                index=index,
                paragraph=number,
                start=start,
                end=end,
                text=text[start:end],
                line=bisect.bisect_right(line_starts, start),
            )
            index += 1
