"""Protected spans: the parts of a segment that are code, not prose, found once per segment.

Placeholders of every common format (`checks/syntaxes.py` holds one entry a format: printf
`%s` `%1$d` `%pB`, Python `%(name)s` and `{name}`, ICU `{0}` and `{count, plural, …}`,
Fluent `{ $var }` `{ -term }`, Qt `%1`, shell `$HOME`), markup tags and entities, CSS
declarations and sizes (`width: 20em`, `1.5rem`), URLs, e-mail addresses, file paths,
command-line options and identifiers (`snake_case`, `camelCase`, `arm7tdmi`, `libfoo.so`)
are left alone by every check: a missing space inside `%s` or an unknown word `mcpu` is
not a translation error. Words copied unchanged from the source (`gpg-agent`, product
names) are a kind of their own: they are never spelling errors, but an English function
word copied from the source is still untranslated text, so only some checks respect them.

Gettext's format flags (`c-format`, `python-format`, `no-c-format` …, read from PO files)
say which placeholder syntaxes a string uses; without them every syntax is looked for,
except the printf forms that French prose produces by itself ("100 % des", "% d").
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from mtreview.checks.syntaxes import CSS, PLACEHOLDER, SYNTAXES, TAG, find_tokens

URL = "url"
EMAIL = "email"
PATH = "path"
OPTION = "option"
IDENTIFIER = "identifier"
LAYOUT = "layout"  # leading and trailing blanks, runs of blanks the source has too
COPIED = "copied"  # a word of the source copied unchanged into the translation
KINDS = (PLACEHOLDER, TAG, URL, EMAIL, PATH, OPTION, CSS, IDENTIFIER, LAYOUT, COPIED)
CODE_KINDS = frozenset(KINDS) - {COPIED}  # what no check may flag inside
# code that stands where no word of the sentence does: blanked out for the parser, left
# out when numbers are compared (identifiers such as `x86` may read as words)
MARKUP_KINDS = frozenset({PLACEHOLDER, TAG, URL, EMAIL, PATH, OPTION, CSS})

_URL = re.compile(
    r"\b(?:(?:https?|ftp|file|sftp|ssh|git)://|www\.)[^\s<>\"'«»]*[^\s<>\"'«».,;:!?)\]]"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PATH = re.compile(
    r"(?<![\w/.])(?:~|\.{1,2})?/(?:[\w.+@-]+/)*[\w.+@-]+/?|(?<![\w])[A-Z]:\\[\w\\ .-]*[\w]"
)
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:=[^\s,;)]*)?")
_IDENTIFIER = re.compile(
    r"\b[A-Za-z_]\w*_\w*\b"  # snake_case, SCREAMING_CASE, _private
    r"|\b[a-z]+[A-Z][A-Za-z0-9]*\b"  # camelCase
    r"|\b(?=\w*[A-Za-z])(?=\w*\d)[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*\b"  # x86, md5sum
    r"|\b[A-Za-z][\w-]*\.(?:so|dll|exe|txt|conf|cfg|ini|xml|json|ya?ml|py|sh|c|h|js|html?|css"
    r"|desktop|service|log|gz|tar|zip|deb|rpm|png|jpe?g|svg|pdf|mo|po)\b"  # file names
    r"|\b[a-z][a-z0-9]+(?:\.[a-z0-9]+){2,}\b"  # org.gnome.Shell, dotted settings keys
    r"|(?<![\w.])\.[a-z_][\w.*-]*[\w*]"  # .bashrc, .debug_info, .rsrc sections
)
# what every branch of _IDENTIFIER holds (an underscore, a digit, a lowercase letter then a
# capital, a dot then a word character): a text without any is not scanned (most prose)
_MAY_BE_IDENTIFIER = re.compile(r"[_\d]|[a-z][A-Z]|\.\w")
_BLANKS = re.compile(r"^\s+|\s+$|\s{2,}|\t")
_WORD = re.compile(r"[^\W\d_][\w'’-]*[\w]|[^\W\d_]")

# texts whose spans are kept: a segment asks for three (its text with and without its
# source, the source alone), and a document is observed whole before a window of ~1,000
# of its segments is checked; with 4,096 half the lookups of a run missed and were
# computed again (~0.2 ms of CPU a segment on catalogue strings)
SPANS_KEPT = 1 << 14
# each kind's pattern, and characters one of which any match holds: a text without them
# is not scanned (most segments hold no URL, address, path or option)
_OTHER_KINDS = (
    (URL, _URL, ("://", "www.")),
    (EMAIL, _EMAIL, ("@",)),
    (PATH, _PATH, ("/", "\\")),
    (OPTION, _OPTION, ("-",)),
)


@dataclasses.dataclass(frozen=True, order=True)
class ProtectedSpan:
    """`[start, end)` of a segment (code points) that checks leave alone."""

    start: int
    end: int
    kind: str
    text: str
    syntax: str = ""  # the placeholder format (checks.syntaxes) of a placeholder, tag or CSS


def protected_spans(
    text: str, source: str | None = None, formats: tuple[str, ...] = ()
) -> tuple[ProtectedSpan, ...]:
    """Non-overlapping protected spans of `text`, earliest (then longest) first."""
    # one cache key however it is asked: `protected_spans(t)` and `(t, None, ())` (and an
    # empty source, which adds nothing) are the same question
    return _protected_spans(text, source or None, tuple(formats))


@functools.lru_cache(maxsize=SPANS_KEPT)  # every check of a segment asks: computed once
def _protected_spans(
    text: str, source: str | None, formats: tuple[str, ...]
) -> tuple[ProtectedSpan, ...]:
    if not _may_hold_code(text) and not source:
        return ()
    found = [*_code_found(text, formats), *layout_blanks(text, source)]
    if source:
        found += copied_words(text, source)
    return _disjoint(found)


@functools.lru_cache(maxsize=SPANS_KEPT)
def _code_found(text: str, formats: tuple[str, ...]) -> tuple[ProtectedSpan, ...]:
    """Every code span of `text`, overlaps kept: what the text asks with a source and
    without one share (a segment's spans are asked for both ways)."""
    found: list[ProtectedSpan] = [
        ProtectedSpan(t.start, t.end, SYNTAXES[t.syntax].kind, t.text, t.syntax)
        for t in find_tokens(text, formats)
    ]
    for kind, pattern, needs in _OTHER_KINDS:
        if any(need in text for need in needs):
            found += _spans(text, pattern, kind)
    if _MAY_BE_IDENTIFIER.search(text):
        found += _spans(text, _IDENTIFIER, IDENTIFIER)
    return tuple(found)


def code_spans(text: str, formats: tuple[str, ...] = ()) -> tuple[ProtectedSpan, ...]:
    """The protected spans that are code (everything but copied words)."""
    return tuple(s for s in protected_spans(text, None, formats) if s.kind in CODE_KINDS)


def layout_blanks(text: str, source: str | None) -> list[ProtectedSpan]:
    """Blanks that lay out a message rather than separate words: at either end (a table
    cell or catalogue string padded on purpose), and runs of blanks or tabs inside when
    the source has such runs too (aligned `--help` columns)."""
    aligned = source is not None and ("  " in source.strip() or "\t" in source)
    return [
        ProtectedSpan(m.start(), m.end(), LAYOUT, m.group())
        for m in _BLANKS.finditer(text)
        if m.start() == 0 or m.end() == len(text) or aligned
    ]


def copied_words(text: str, source: str) -> list[ProtectedSpan]:
    """Words of the translation found verbatim (case kept) in the source: names, commands,
    product names. One-letter words and words French shares with English are included;
    only spelling-type checks respect these spans."""
    source_words = {m.group() for m in _WORD.finditer(source)}
    return [
        ProtectedSpan(m.start(), m.end(), COPIED, m.group())
        for m in _WORD.finditer(text)
        if m.group() in source_words and len(m.group()) > 1
    ]


def overlaps_any(start: int, end: int, spans: Iterable[ProtectedSpan]) -> bool:
    """A flag `[start, end)` touches a protected span (an empty flag: lies inside one)."""
    stop = max(end, start + 1)
    return any(start < span.end and span.start < stop for span in spans)


def mask(text: str, spans: Iterable[ProtectedSpan], fill: str = " ") -> str:
    """`text` with the spans blanked out, same length, so offsets stay valid."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = fill * (span.end - span.start)
    return "".join(chars)


def _may_hold_code(text: str) -> bool:
    # map over str methods: the characters are tested in C, not one Python step each
    return (
        any(c in text for c in "%{$<&/@_-\\.")
        or any(map(str.isdigit, text))
        or any(map(str.isupper, text[1:]))
    )


def _spans(text: str, pattern: re.Pattern[str], kind: str) -> list[ProtectedSpan]:
    return [ProtectedSpan(m.start(), m.end(), kind, m.group()) for m in pattern.finditer(text)]


def _disjoint(found: list[ProtectedSpan]) -> tuple[ProtectedSpan, ...]:
    """Earliest first, longest first at one start; spans inside a kept one are dropped
    (a URL's path is not a path of its own)."""
    kept: list[ProtectedSpan] = []
    for span in sorted(found, key=lambda s: (s.start, -s.end, KINDS.index(s.kind))):
        if span.end <= span.start:
            continue
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return tuple(kept)
