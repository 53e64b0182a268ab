"""Segments (titles, sentences) that appear more than once in the same document.

In prose a repeated sentence is a copy-paste or scraping error (major); in a table or a
catalogue the same string legitimately stands in several rows (a menu label, a message
used twice), so there it is one minor flag, worth a look for consistency only.
"""

from __future__ import annotations

import functools

from mtreview.checks.base import Check, DocumentContext, register_check, words
from mtreview.documents import Segment, text_hash
from mtreview.flags import Flag

# Shorter segments ("Oui.", "Lire la suite") repeat legitimately or are caught elsewhere.
MIN_WORDS = 3


@functools.lru_cache(maxsize=4096)  # observed, then checked: computed once
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
    description = "the same segment (a title, a sentence) appears again in the document"
    segment_level = True

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
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
        if key is None or not others:
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
