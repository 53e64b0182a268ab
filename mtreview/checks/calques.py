"""Calques and false friends from a table (`mtreview/data/calques.tsv`): shapes of
English-shaped French ("l'équipe en charge de", "est supposé renvoyer", "résulte en un",
"librairie partagée"), each with a suggestion.

A row may name what the English source must say (a sixth column, `source`): a false
friend that is also good French ("supporter", "éventuellement", "actuellement") is flagged
only where a source exists and holds the English word it mistranslates, never on a text
without one.

The shipped rows are general shapes, each backed in the file by sentences of human
translators it matches, so that the table says something about the next text and not only
about one it was written from (tests/test_calques.py). A second shipped table,
`mtreview/data/literal_calques.tsv`, holds literal renderings of English expressions and
false friends ("prendre place" for *take place*, "achever" for *achieve*): each row needs
its English in the source, so it may be wide where the French is also good French, and
each cites where the usage is documented. The table is data a team reviews
and extends: `Settings.calque_table` names an extra file with the same columns, read after
the shipped one (names of organisations, a client's terms). Needs no model.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.flags import Flag
from mtreview.settings import Settings

COLUMNS = ("pattern", "category", "severity", "suggestion", "note", "source")
REQUIRED = 5  # the source column may be left out
LITERAL = "literal_calques.tsv"  # literal renderings: each row with its English source
SEVERITIES = ("minor", "major", "critical")


@dataclasses.dataclass(frozen=True)
class Calque:
    """A row as written: its French and the English its source must hold ("" for none),
    compiled when first read (`pattern`, `source`). A run meets few of the shipped rows'
    shapes (the gates let a row run only where its words are), and compiling all of them
    cost a tenth of the start of a short run."""

    expression: str
    category: str
    severity: str
    suggestion: str
    note: str
    english: str = ""  # what the English source must hold, if anything

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(_whole_words(self.expression), re.IGNORECASE)

    @functools.cached_property
    def source(self) -> re.Pattern[str] | None:
        return re.compile(_english(self.english), re.IGNORECASE) if self.english else None


def _whole_words(expression: str) -> str:
    """No word character just before or after the match, except after one that ends on
    an apostrophe or a space ("noué l'", "noué la ")."""
    return rf"(?<!\w){_word_ending(expression)}"


def _word_ending(expression: str) -> str:
    """No word character just after the match, except after one that ends it (above)."""
    return rf"(?:{expression})(?:(?<!\w)|(?!\w))"


def _english(english: str) -> str:
    return rf"\b(?:{english})\b"


def parse_table(text: str, source: str, *, compile_rows: bool = True) -> tuple[Calque, ...]:
    """Rows of a calque table; a bad row is an error naming the file and line. The shipped
    tables' rows (`compile_rows=False`) compile when first used: the tests compile every
    one, and the gates compile them all as one pattern at the start of a run."""
    rows = []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen and cells[0].strip().lower() == "pattern":
            header_seen = True
            continue
        if not REQUIRED <= len(cells) <= len(COLUMNS):
            raise InputError(
                source,
                f"expected {REQUIRED} or {len(COLUMNS)} tab-separated columns "
                f"({', '.join(COLUMNS)}), found {len(cells)}",
                line=number,
            )
        cells += [""] * (len(COLUMNS) - len(cells))
        pattern, category, severity, suggestion, note, english = (c.strip() for c in cells)
        if severity not in SEVERITIES:
            raise InputError(
                source,
                f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}",
                line=number,
            )
        row = Calque(pattern, category, severity, suggestion, note, english)
        if compile_rows:
            try:
                row.pattern, row.source  # noqa: B018 (compiled here, so a bad one is named)
            except re.error as exc:
                raise InputError(source, f"bad pattern ({exc})", line=number) from None
        rows.append(row)
    return tuple(rows)


@functools.lru_cache(maxsize=8)
def load_calques(extra: str = "") -> tuple[Calque, ...]:
    """The shipped table, then the team's own (`calque_table`)."""
    shipped = resources.files("mtreview") / "data" / "calques.tsv"
    rows = parse_table(shipped.read_text(encoding="utf-8"), "calques.tsv", compile_rows=False)
    if extra:
        path = Path(extra).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read the calque table ({exc})") from None
        rows += parse_table(text, str(path))
    return rows


@functools.lru_cache(maxsize=1)
def load_literal() -> tuple[Calque, ...]:
    """The shipped table of literal renderings: every row names its English source."""
    shipped = resources.files("mtreview") / "data" / LITERAL
    rows = parse_table(shipped.read_text(encoding="utf-8"), LITERAL, compile_rows=False)
    unsourced = [row.note for row in rows if not row.english]
    if unsourced:
        raise InputError(LITERAL, f"every row needs its English source: {unsourced[0]}")
    return rows


@functools.lru_cache(maxsize=1)
def literal_gate() -> re.Pattern[str]:
    """One pass over the source that finds whether any literal row may apply: half the
    sources of running text hold one of their English words ("run", "check")."""
    union = "|".join(_english(row.english) for row in load_literal() if row.english)
    return re.compile(union, re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def literal_target_gate() -> re.Pattern[str]:
    """Then one pass over the translation: about one in a hundred holds a literal row's
    French, and only those run the rows (each row then checks its own source)."""
    return _word_start_gate(load_literal())


@functools.lru_cache(maxsize=1)
def shipped_gate() -> re.Pattern[str]:
    """One pass that finds whether any shipped row may match: most segments hold no calque,
    and one union scanned from word starts costs about a third of scanning each row (the
    rows then run only where it found something). Every shipped row starts on a letter."""
    return _word_start_gate(load_calques())


def _word_start_gate(rows: Sequence[Calque]) -> re.Pattern[str]:
    r"""The rows' patterns as one, tried only where a word starts. There no word character
    stands before, so each row's own `(?<!\w)` (`_whole_words`) is left out: it held
    nothing back and cost a test a row at every word start (the gate twice as slow)."""
    union = "|".join(_word_ending(row.expression) for row in rows)
    return re.compile(rf"\b(?=[^\W\d_])(?:{union})", re.IGNORECASE)


@register_check
class Calques(Check):
    name = "calques"
    category = "Style/Awkward"
    description = (
        "calques and false friends of English-shaped French "
        "(data/calques.tsv, data/literal_calques.tsv)"
    )

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.calques = load_calques(self.settings.calque_table)
        self.shipped = len(load_calques())  # the first rows; a team's own come after them
        self.gate = shipped_gate()
        self.literal = load_literal()
        self.literal_gate = literal_gate()
        self.literal_target_gate = literal_target_gate()

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text, source = segment.text, segment.source
        flags = []
        seen: set[tuple[int, int]] = set()  # two rows on one span: the first one says it
        rows = self.calques if self.gate.search(text) else self.calques[self.shipped :]
        literal = 0
        if source and self.literal_gate.search(source) and self.literal_target_gate.search(text):
            rows = self.literal + rows  # a literal rendering is the more precise finding
            literal = len(self.literal)
        for number, calque in enumerate(rows):
            if calque.source is not None and (source is None or not calque.source.search(source)):
                continue  # good French unless the source says the English word
            for match in calque.pattern.finditer(text):
                if match.span() in seen:
                    continue
                seen.add(match.span())
                flags.append(
                    self.flag(
                        match.start(),
                        match.end(),
                        f"“{match.group()}”: {calque.note}",
                        suggestion=calque.suggestion,
                        category=calque.category,
                        severity=calque.severity,
                        code=_way(number < literal, calque),
                    )
                )
        return flags


def _way(literal: bool, calque: Calque) -> str:
    """The subsignal: a literal rendering beside its English, a false friend the source
    says, or a shape read in the French alone; each weighs its own precision."""
    if literal:
        return "literal"
    return "source" if calque.english else "shape"
