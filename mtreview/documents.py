"""Document and Segment: the text under review with exact offsets into what was read."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

MAX_DOC_ID_CHARS = 300  # the store's column; longer ids are refused where they are read
MAX_SYSTEM_CHARS = 64
SYSTEM_SEPARATOR = "@"  # document `news` translated by system `B` is document `news@B`
_SYSTEM_NAME = re.compile(r"[\w.+-]+")


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
    system: str | None = None  # the MT system that made this translation, when several did

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


# --- the shape of a segment, declared once ---------------------------------------------------
# `Segment`'s fields are the only list of what a segment is. Every other form of it (the
# analysis record, the store's `segments` row, the reviews backup) is derived from them and
# only says which fields it names differently. Forms are JSON-like: a tuple field comes
# back as a list and becomes a tuple again; a field left out of a form takes its default.
Renames = Mapping[str, str]


@functools.cache
def segment_fields() -> dict[str, tuple[type, ...]]:
    """Field name -> the types its value may have in a form (`None` is `type(None)`; a
    tuple field may be a list)."""
    hints = typing.get_type_hints(Segment)
    kinds: dict[str, tuple[type, ...]] = {}
    for field in dataclasses.fields(Segment):
        hint = hints[field.name]
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        found = tuple(typing.get_origin(arg) or arg for arg in args)
        kinds[field.name] = (*found, list) if tuple in found else found
    return kinds


@functools.cache
def segment_defaults() -> dict[str, Any]:
    """The fields a form may leave out (added to Segment later), with their defaults."""
    return {
        field.name: field.default
        for field in dataclasses.fields(Segment)
        if field.default is not dataclasses.MISSING
    }


def segment_keys(renames: Renames) -> tuple[str, ...]:
    """The keys a form with these renames uses, in field order."""
    return tuple(renames.get(name, name) for name in segment_fields())


def segment_to_mapping(segment: Segment, renames: Renames) -> dict[str, Any]:
    """The segment as a JSON-ready dict keyed the way a form names its fields."""
    found: dict[str, Any] = {}
    for name in segment_fields():
        value = getattr(segment, name)
        found[renames.get(name, name)] = list(value) if isinstance(value, tuple) else value
    return found


def segment_from_mapping(values: Mapping[str, Any], renames: Renames) -> Segment:
    """The segment a form's dict (or a database row's `_mapping`) describes."""
    defaults = segment_defaults()
    found: dict[str, Any] = {}
    for name, kinds in segment_fields().items():
        value = values.get(renames.get(name, name), defaults.get(name))
        found[name] = tuple(value) if list in kinds and isinstance(value, list) else value
    return Segment(**found)


def segment_problem(values: Mapping[str, Any], renames: Renames) -> str | None:
    """What is wrong with a form's segment fields (missing, wrong type), or None."""
    defaults = segment_defaults()
    for name, kinds in segment_fields().items():
        key = renames.get(name, name)
        if key not in values and name in defaults:
            continue
        value = values.get(key)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            expected = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
            return f"{key!r} must be {expected}"
    return None


def segment_contradictions(
    segment: Segment, values: Mapping[str, Any], renames: Renames
) -> list[tuple[str, Any, Any]]:
    """(key, the form's value, the segment's) for each field a form repeats differently."""
    keyed = {renames.get(name, name): name for name in segment_fields()}
    given = {key: value for key, value in values.items() if key in keyed}
    other = segment_from_mapping({**segment_to_mapping(segment, renames), **given}, renames)
    return [
        (renames.get(name, name), getattr(other, name), getattr(segment, name))
        for name in segment_differences(other, segment)
    ]


def segment_differences(first: Segment, second: Segment) -> list[str]:
    """Names of the fields in which two segments differ."""
    return [name for name in segment_fields() if getattr(first, name) != getattr(second, name)]


def text_hash(text: str) -> str:
    """Stable short key for caching and duplicate detection."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# --- several systems ---------------------------------------------------------------------------
# Each system's translation of a source is a document of its own (`news@A`, `news@B`), analysed,
# reviewed and exported like any other; its segments carry `system`, and segment `i` of every
# system's document translates the same source row: that is how comparisons pair them.


def system_problem(name: str) -> str | None:
    """Why `name` cannot name a system (it becomes part of document ids and file names)."""
    if not name:
        return "empty system name"
    if len(name) > MAX_SYSTEM_CHARS:
        return f"system name longer than {MAX_SYSTEM_CHARS} characters"
    if not _SYSTEM_NAME.fullmatch(name):
        return f"system name {name!r} may hold only letters, digits and . _ + -"
    return None


def system_doc_id(doc: str, system: str | None) -> str:
    """The document id of `system`'s translation of document `doc`."""
    return doc if system is None else f"{doc}{SYSTEM_SEPARATOR}{system}"


def base_doc_id(doc_id: str, system: str | None) -> str:
    """The document id shared by every system's translation (`news@B` -> `news`)."""
    suffix = f"{SYSTEM_SEPARATOR}{system}"
    if system is None or not doc_id.endswith(suffix):
        return doc_id
    return doc_id[: -len(suffix)]
