"""Gettext PO in: each translated entry is a segment (msgid the source, msgstr the text).

A small streaming parser rather than polib, which reads whole files and reports errors
without a line: here a million entries stream and every error names its line. The header
(empty msgid), obsolete (`#~`) and untranslated entries are skipped; fuzzy ones are kept
(they are exactly what needs review); plural forms give one segment each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.readers.base import ReadOptions, iter_lines, max_line_bytes
from mtreview.readers.rows import RowDocument

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(".*)$')
_ESCAPE = re.compile(r'\\(?:([ntrabfv"\\?\'])|([0-7]{1,3})|x([0-9a-fA-F]{1,2}))')
MAX_PLURAL = 99
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def unquote(path: Path, line: int, literal: str) -> str:
    """A C string literal `"…"` as PO writes it, escapes decoded."""
    literal = literal.strip()
    if len(literal) < 2 or not literal.startswith('"') or not literal.endswith('"'):
        raise InputError(path, f"expected a quoted string, found {literal[:40]!r}", line=line)
    body = literal[1:-1]
    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        raise InputError(path, "unescaped '\"' inside a string", line=line)
    if re.search(r"(?<!\\)(?:\\\\)*\\$", body):
        raise InputError(path, "string ends with a lone backslash", line=line)

    def decode(match: re.Match[str]) -> str:
        simple, octal, hexa = match.groups()
        if simple is not None:
            return _SIMPLE.get(simple, simple)
        return chr(int(octal, 8) if octal is not None else int(hexa, 16))

    return _ESCAPE.sub(decode, body)


Row = tuple[int, str, str, tuple[str, ...]]


def _format_flags(line: str) -> tuple[str, ...]:
    """`#, fuzzy, c-format` -> ("c-format",): the flags that name a placeholder syntax."""
    flags = (flag.strip() for flag in line[2:].split(","))
    return tuple(flag for flag in flags if flag.endswith("-format"))


@dataclass
class _Entry:
    line: int = 0
    fields: dict[str, list[str]] = field(default_factory=dict)
    current: str | None = None
    length: int = 0  # characters of the current string so far
    formats: tuple[str, ...] = ()  # `#, c-format, …`: which placeholders the strings hold

    @property
    def complete(self) -> bool:
        return any(name.startswith("msgstr") for name in self.fields)

    def finish(self, path: Path) -> Iterator[Row]:
        if not self.complete:
            raise InputError(path, "entry has no msgstr", line=self.line)
        return self.segments()

    def segments(self) -> Iterator[Row]:
        """(line, source, translation, format flags) for each non-empty translation."""
        msgid = "".join(self.fields.get("msgid", []))
        if not msgid:
            return  # the header, or a fragment without msgid
        plural = "".join(self.fields.get("msgid_plural", [])) or msgid
        for name in sorted(k for k in self.fields if k.startswith("msgstr")):
            text = "".join(self.fields[name])
            if text:
                source = msgid if name in ("msgstr", "msgstr[0]") else plural
                yield self.line, source, text, self.formats


class PoReader:
    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        builder = RowDocument(path, options)
        for line, source, text, formats in self._entries(path, options.max_segment_chars):
            yield builder.segment(line, text, source, None, formats=formats)

    def _entries(self, path: Path, max_chars: int) -> Iterator[Row]:
        """Entries streamed; a string longer than `max_chars`, or a plural index over
        `MAX_PLURAL`, is refused while it is read (memory stays bounded)."""
        entry = _Entry()
        for number, raw in iter_lines(path, max_line_bytes(max_chars)):
            line = raw.strip()
            if not line or line.startswith("#"):
                if entry.complete and not line.startswith("#~"):
                    yield from entry.segments()
                    entry = _Entry()
                if line.startswith("#,"):
                    entry.formats += _format_flags(line)
                continue
            match = _KEYWORD.match(line)
            if match is not None:
                keyword, plural_index, literal = match.groups()
                if plural_index is not None and int(plural_index) > MAX_PLURAL:
                    raise InputError(path, f"plural index over {MAX_PLURAL}", line=number)
                if keyword in ("msgctxt", "msgid") and "msgid" in entry.fields:
                    yield from entry.finish(path)
                    entry = _Entry()
                if keyword in entry.fields:
                    raise InputError(path, f"{keyword} given twice in one entry", line=number)
                entry.line = entry.line or number
                entry.fields[keyword] = [unquote(path, number, literal)]
                entry.current, entry.length = keyword, len(entry.fields[keyword][0])
            elif line.startswith('"') and entry.current is not None:
                piece = unquote(path, number, line)
                if piece:  # empty pieces add nothing: a million of them cost no memory
                    entry.fields[entry.current].append(piece)
                    entry.length += len(piece)
                if entry.length > max_chars:
                    raise InputError(
                        path,
                        f"{entry.current} longer than {max_chars:,} characters "
                        "(setting max_segment_chars)",
                        line=number,
                    )
            else:
                raise InputError(
                    path,
                    f"expected msgid, msgstr, a quoted string or a comment, found {line[:40]!r}",
                    line=number,
                )
        if entry.fields:
            yield from entry.finish(path)
