"""Segments (titles, sentences) that appear more than once in the same document.

In running text a repeated sentence is a copy-paste or scraping error (major). A catalogue
of short UI strings says one thing in many places: the same translation for two different
sources ("Read error", "Disk read error") is how such catalogues are written, so there it
is no flag at all. Which a document is, is decided from the document itself
(`running_text`): prose is running text; a table (TSV, JSONL, PO, XLIFF …) is when most of
its rows are sentences. In a running-text table the same string may still stand in
several rows for one source (a TM repeat): only a repeat for another source is flagged,
once, minor.
"""

from __future__ import annotations

import functools

from mtreview.checks.base import SENTENCE_END, Check, DocumentContext, register_check, words
from mtreview.documents import Segment, text_hash
from mtreview.flags import Flag

# Shorter segments ("Oui.", "Lire la suite") repeat legitimately or are caught elsewhere.
MIN_WORDS = 3
# A table is running text when this share of its rows are sentences: 4 words or more and
# a full stop, question or exclamation mark or ellipsis at the end. Debian's gettext
# catalogues reach at most 0.46 (long AppStream descriptions), most under 0.25; a news
# article's sentences, one a row, 1.0.
SENTENCE_MIN_WORDS = 4
RUNNING_TEXT_SHARE = 0.6


def is_sentence(text: str) -> bool:
    return SENTENCE_END.search(text) is not None and len(text.split()) >= SENTENCE_MIN_WORDS


def observe_shape(segment: Segment, context: DocumentContext) -> None:
    """Count a table's rows and the sentences among them (`running_text` reads them)."""
    if segment.table_row:
        shape = context.state.setdefault("text_shape", [0, 0])  # rows, sentences
        shape[0] += 1
        shape[1] += is_sentence(segment.text)


def running_text(segment: Segment, context: DocumentContext) -> bool:
    """Prose, or a table whose rows observed so far are mostly sentences (a news article
    one sentence a row), as opposed to a catalogue of UI strings. Rows with gettext
    format flags are a program's messages."""
    if not segment.table_row:
        return True
    if segment.formats:
        return False
    rows, sentences = context.state.get("text_shape", (0, 0))
    return rows > 0 and sentences >= RUNNING_TEXT_SHARE * rows


@functools.lru_cache(maxsize=1 << 14)  # observed (the whole document), then checked: once
def duplicate_key(text: str) -> str | None:
    """Case- and spacing-insensitive key of a segment long enough to compare."""
    tokens = [m.group().casefold() for m in words(text)]
    if len(tokens) < MIN_WORDS:
        return None
    return text_hash(" ".join(tokens))


@register_check
class DuplicateSegments(Check):
    name = "duplicate_segments"
    category = "Accuracy/Addition"
    severity = "major"
    description = (
        "the same segment (a title, a sentence) appears again in the document (running text "
        "only, not a catalogue of UI strings)"
    )
    segment_level = True

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        observe_shape(segment, context)
        key = duplicate_key(segment.text)
        if key is not None:
            seen = context.segments.setdefault(key, [])
            if len(seen) < 6:  # enough to name a few; memory stays bounded
                seen.append(segment.index)
            if segment.source is not None:
                sources = context.state.setdefault("duplicate_sources", {})
                sources.setdefault(key, set()).add(duplicate_key(segment.source) or segment.source)

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        key = duplicate_key(segment.text)
        seen = context.segments.get(key or "", [])
        # in a table only the later copies: one flag a repeat, not one on every row
        others = [
            i for i in seen if i < segment.index or (i > segment.index and not segment.table_row)
        ]
        if key is None or not others or not running_text(segment, context):
            return []
        sources = context.state.get("duplicate_sources", {}).get(key, set())
        if segment.table_row and len(sources) == 1:
            return []  # one source said again (another case, other punctuation): a TM repeat
        shown = ", ".join(str(i + 1) for i in others[:5])  # numbers for people: 1-based
        stripped = segment.text.strip()
        start = segment.text.index(stripped) if stripped else 0
        return [
            self.flag(
                start,
                start + len(stripped),
                f"the same text is also segment {shown} of this document",
                severity="minor" if segment.table_row else None,
            )
        ]
