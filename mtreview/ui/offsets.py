"""Browser selections to code-point spans.

JavaScript strings count UTF-16 code units: an emoji outside the BMP is two units but one
code point, so offsets from the DOM must be converted. The span component already sends
code points; this module checks them against the segment and repairs what can be repaired
(UTF-16 offsets, a selection that cuts a character from its accent or modifier).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

# Code points that belong to the character before them: a selection never splits them off.
_JOINERS = {"\u200d", "\u20e3"}


def utf16_to_codepoints(text: str, offset: int) -> int:
    """The code-point index of UTF-16 offset `offset` in `text` (clamped to the text)."""
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def codepoints_to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset of code-point index `index` in `text`."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text[:index])


def _attached(char: str) -> bool:
    """True for marks that render as part of the previous character."""
    if char in _JOINERS or unicodedata.combining(char):
        return True
    code = ord(char)
    return (
        0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (flag sequences)
        or unicodedata.category(char) in {"Mn", "Me"}
    )


def snap_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen `[start, end)` to whole characters (accents, modifiers, ZWJ sequences), trim
    surrounding spaces; None when nothing but spaces is left."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while start > 0 and start < len(text) and _attached(text[start]):
        start -= 1
    while end < len(text) and (_attached(text[end]) or (end > 0 and text[end - 1] == "\u200d")):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def selection_span(text: str, selection: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """The code-point span of a selection payload `{start, end, text, utf16_start,
    utf16_end}` in `text`, or None when it does not describe a part of `text`."""
    if not selection:
        return None
    chosen = selection.get("text")
    candidates = []
    for low, high, units in (("start", "end", False), ("utf16_start", "utf16_end", True)):
        try:
            start, end = int(selection[low]), int(selection[high])
        except (KeyError, TypeError, ValueError):
            continue
        if units:
            start, end = utf16_to_codepoints(text, start), utf16_to_codepoints(text, end)
        candidates.append((start, end))
    for start, end in candidates:
        if not 0 <= start < end <= len(text):
            continue
        if isinstance(chosen, str) and chosen.strip() and text[start:end].strip() != chosen.strip():
            continue
        return snap_span(text, start, end)
    return None


def find_span(text: str, wanted: str, *, after: int = 0) -> tuple[int, int] | None:
    """Keyboard alternative to the mouse: the first occurrence of `wanted` (from `after`)."""
    needle = wanted.strip()
    if not needle:
        return None
    found = text.find(needle, after)
    if found < 0 and after:
        found = text.find(needle)
    return (found, found + len(needle)) if found >= 0 else None
