"""Document and Segment: the text under review with exact offsets into what was read."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator


@dataclasses.dataclass(frozen=True)
class Segment:
    """One unit of review; `Document.original[start:end] == text` always holds."""

    doc: str
    index: int
    paragraph: int
    start: int
    end: int
    text: str
    source: str | None = None
    reference: str | None = None
    line: int | None = None  # 1-based line of the input where the segment begins
    formats: tuple[str, ...] = ()  # gettext format flags (c-format, …) when the input says
    table_row: bool = False  # a row of a table or catalogue, not a sentence of prose

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclasses.dataclass(frozen=True)
class Document:
    """A translation under review, read whole (the app); batch scoring streams segments."""

    doc_id: str
    name: str
    original: str
    segments: tuple[Segment, ...]
    lang: str = "fr"
    source_lang: str | None = None
    format: str = "txt"

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)

    def __len__(self) -> int:
        return len(self.segments)

    @property
    def has_source(self) -> bool:
        return any(seg.source is not None for seg in self.segments)

    @property
    def has_reference(self) -> bool:
        return any(seg.reference is not None for seg in self.segments)


def text_hash(text: str) -> str:
    """Stable short key for caching and duplicate detection."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
