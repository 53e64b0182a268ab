"""Readers registry: the document formats mtreview takes in, by name and file suffix."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mtreview.documents import (
    MAX_DOC_ID_CHARS,
    Document,
    Segment,
    base_doc_id,
    system_doc_id,
    system_problem,
)
from mtreview.encoding import SURROGATE
from mtreview.errors import InputError, SettingsError
from mtreview.readers.base import Reader, ReadOptions, read_text
from mtreview.readers.po import PoReader
from mtreview.readers.rows import ROW_SEPARATOR, JsonlReader, MosesReader, TableReader
from mtreview.readers.text import TextReader, segment_text
from mtreview.readers.tmx import TmxReader
from mtreview.readers.xliff import XliffReader
from mtreview.segmentation import SentenceSplitter

READERS: dict[str, Reader] = {
    "txt": TextReader(),
    "tsv": TableReader("\t"),
    "csv": TableReader(","),
    "jsonl": JsonlReader(),
    "moses": MosesReader(),
}
SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def register_reader(name: str, reader: Reader, *suffixes: str) -> None:
    READERS[name] = reader
    for suffix in suffixes:
        SUFFIXES[suffix] = name


def detect_format(path: Path, *, source_file: Path | None = None) -> str:
    if source_file is not None:
        return "moses"
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if not suffix:
        return "txt"
    raise InputError(
        path,
        f"unknown file type {suffix!r}; expected one of {', '.join(sorted(SUFFIXES))} "
        "(or give --input-format)",
    )


def check_file_name(path: str | Path) -> None:
    """A file name that is not UTF-8 (its bytes reach Python as lone surrogates) would
    become a document id that no output can write as UTF-8 and no store can keep: refused,
    named by its bytes (`caf\\xe9.txt`)."""
    name = Path(path).name
    if SURROGATE.search(name):
        raise InputError(name, "file name is not valid UTF-8; rename the file")


def default_doc_id(path: Path) -> str:
    name = path.name
    for suffix in (".txt", ".tsv", ".csv", ".jsonl", ".xlf", ".xliff", ".tmx", ".po"):
        name = name.removesuffix(suffix)
    return name or "document"


def iter_segments(
    path: str | Path,
    *,
    fmt: str | None = None,
    doc_id: str | None = None,
    splitter: SentenceSplitter | None = None,
    source_file: str | Path | None = None,
    lang: str = "fr",
    source_lang: str | None = None,
    max_segment_chars: int = 20000,
    quoting: str = "auto",
    system: str = "",
) -> Iterator[Segment]:
    """Stream the segments of one input file (a million rows never sit in memory);
    `system`: the MT system that translated an input of one system (see `as_system`)."""
    path = Path(path)
    check_file_name(path)
    source = Path(source_file) if source_file is not None else None
    name = fmt or detect_format(path, source_file=source)
    if name not in READERS:
        raise InputError(path, f"unknown input format {name!r}; choose from {', '.join(READERS)}")
    options = ReadOptions(
        doc_id=doc_id or default_doc_id(path),
        splitter=splitter,
        source_file=source,
        lang=lang,
        source_lang=source_lang,
        max_segment_chars=max_segment_chars,
        quoting=quoting,
    )
    segments = READERS[name].iter_segments(path, options)
    if system:
        segments = as_system(path, segments, system)
    return _something_to_review(path, name, segments)


def as_system(path: Path, segments: Iterator[Segment], system: str) -> Iterator[Segment]:
    """An input of one system, named: its documents become `NAME@SYSTEM`, so runs of
    several systems over the same source pair up (`mtreview compare`, the app). Files
    named alike (`A/news.txt`, `B/news.txt`) or in WMT's way (`news.A.txt`: the system's
    name last) give every system the same `NAME`."""
    problem = system_problem(system)
    if problem:
        raise SettingsError(f"system: {problem}")
    for segment in segments:
        if segment.system is not None:
            raise InputError(
                path,
                "names its own systems (translation:NAME columns or a system column); "
                "--system is for an input of one system",
                line=segment.line,
            )
        doc = system_doc_id(segment.doc.removesuffix(f".{system}") or segment.doc, system)
        if len(doc) > MAX_DOC_ID_CHARS:
            raise InputError(path, f"document id {doc!r} longer than {MAX_DOC_ID_CHARS}")
        yield dataclasses.replace(segment, doc=doc, system=system)


# What an input with no segment lacks, by format, for the one-line error.
NOTHING_TO_REVIEW = {
    "xliff": "no <trans-unit> with a non-empty <target>",
    "tmx": "no <tu> with a <seg>",
    "po": "no translated entry (only a header, or every msgstr empty)",
}


def _something_to_review(path: Path, name: str, segments: Iterator[Segment]) -> Iterator[Segment]:
    """The segments, or an error when there is none: an input with nothing to review is a
    mistake to report, not an empty success."""
    found = False
    for segment in segments:
        found = True
        yield segment
    if not found:
        why = NOTHING_TO_REVIEW.get(name, "no text to review")
        raise InputError(path, f"nothing to review: {why}")


def read_document(
    path: str | Path,
    *,
    fmt: str | None = None,
    doc_id: str | None = None,
    splitter: SentenceSplitter | None = None,
    source_file: str | Path | None = None,
    lang: str = "fr",
    source_lang: str | None = None,
    max_segment_chars: int = 20000,
    quoting: str = "auto",
    system: str = "",
    name: str | None = None,
) -> Document:
    """Read a whole document (the app and small files)."""
    documents = read_documents(
        path,
        fmt=fmt,
        name=name,
        doc_id=doc_id,
        splitter=splitter,
        source_file=source_file,
        lang=lang,
        source_lang=source_lang,
        max_segment_chars=max_segment_chars,
        quoting=quoting,
        system=system,
    )
    if len(documents) > 1:
        raise InputError(
            path,
            f"holds the translations of several systems ({documents[0].doc_id!r}, "
            f"{documents[1].doc_id!r}, …); score it into a review store with mtreview "
            "score FILE --db DB",
        )
    return documents[0]


def read_documents(
    path: str | Path,
    *,
    fmt: str | None = None,
    name: str | None = None,
    **options: Any,
) -> list[Document]:
    """Every document of a file held whole (the app's uploads): one, or one per MT system
    of a file with several (`news@A`, `news@B`); a file of several source documents (a
    `doc` column) is for `mtreview score FILE --db DB`."""
    path = Path(path)
    kind = fmt or detect_format(path, source_file=options.get("source_file"))
    found: dict[str, list[Segment]] = {}
    for segment in iter_segments(path, fmt=kind, **options):
        found.setdefault(segment.doc, []).append(segment)
    bases = {base_doc_id(doc, group[0].system) for doc, group in found.items()}
    if len(bases) > 1:
        first, second, *_ = sorted(bases)
        raise InputError(
            path,
            f"holds several documents ({first!r}, {second!r}, …: a 'doc' column); score it "
            "into a review store with mtreview score FILE --db DB",
        )
    return [
        Document(
            doc_id=doc,
            name=name or path.name,
            original=original_text(path, kind, (segment.text for segment in group)),
            segments=tuple(group),
            lang=options.get("lang", "fr"),
            source_lang=options.get("source_lang"),
            format=kind,
        )
        for doc, group in found.items()
    ]


def original_text(path: str | Path, fmt: str, texts: Iterable[str]) -> str:
    """The text a document's offsets index into: an article's file as read; for formats of
    one segment a row, the segments' texts joined by newlines (`texts`, in order)."""
    if fmt == "txt":
        return read_text(Path(path))
    return ROW_SEPARATOR.join(texts)


def document_from_text(
    text: str,
    *,
    doc_id: str,
    name: str,
    lang: str = "fr",
    splitter: SentenceSplitter | None = None,
) -> Document:
    """A document from text already in memory (browser uploads)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    options = ReadOptions(doc_id=doc_id, splitter=splitter, lang=lang)
    segments = tuple(segment_text(text, options))
    if not segments:
        raise InputError(name, "no text to review")
    return Document(doc_id=doc_id, name=name, original=text, segments=segments, lang=lang)


# CAT-tool formats (source and target pairs): a CAT user brings a file in, reviews it,
# and takes it back out with `mtreview export`.
register_reader("xliff", XliffReader(), ".xlf", ".xliff")
register_reader("tmx", TmxReader(), ".tmx")
register_reader("po", PoReader(), ".po")

__all__ = [
    "READERS",
    "ReadOptions",
    "Reader",
    "check_file_name",
    "detect_format",
    "document_from_text",
    "iter_segments",
    "original_text",
    "read_document",
    "read_documents",
    "register_reader",
]
