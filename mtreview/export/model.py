"""The frozen rows every corpus exporter writes: one reviewed segment, whatever the store is.

Exporters never see the store's tables; a source (the store, or a list in tests and
benchmarks) streams `ExportRow`s, so a format is tested without a database and a million
segments never sit in memory.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from mtreview.documents import base_doc_id

PAIRS = ("source", "mt")
ONLY = ("all", "reviewed", "corrected", "adjudicated")
STATUSES = ("new", "reviewed", "corrected")
UNKNOWN_LANG = "und"  # BCP 47 "undetermined"


@dataclasses.dataclass(frozen=True)
class ExportAnnotation:
    """An MQM error a reviewer marked: `[start, end)` in code points of the machine translation."""

    start: int
    end: int
    category: str
    severity: str
    comment: str = ""
    reviewer: str | None = None
    created: datetime | None = None


@dataclasses.dataclass(frozen=True)
class ExportRow:
    """One segment as it leaves the tool: source, original MT, correction, annotations."""

    doc: str
    index: int  # 0-based position in the document; formats show `number` (1-based)
    mt: str
    source: str | None = None
    corrected: str | None = None
    annotations: tuple[ExportAnnotation, ...] = ()
    reviewer: str | None = None
    changed: datetime | None = None
    status: str = "new"
    lang: str = "fr"
    source_lang: str | None = None
    paragraph: int = 0
    adjudicated: bool = False  # target and annotations are a lead's final word
    system: str | None = None  # the MT system whose translation `mt` is, when several are

    @property
    def base_doc(self) -> str:
        """The document every system's translation shares (`news@B` -> `news`)."""
        return base_doc_id(self.doc, self.system)

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def target(self) -> str:
        """The text a corpus carries: the correction when there is one, else the MT."""
        return self.corrected if self.corrected is not None else self.mt

    @property
    def reviewed(self) -> bool:
        return self.status in ("reviewed", "corrected")

    @property
    def deleted(self) -> bool:
        """Corrected to nothing (a scraping leftover, a repeated title): no pair to train on."""
        return self.corrected is not None and not self.corrected.strip()

    @property
    def state(self) -> str:
        """The status a file shows: `deleted` for a segment corrected to nothing."""
        return "deleted" if self.deleted else self.status

    def span_text(self, annotation: ExportAnnotation) -> str:
        return self.mt[annotation.start : annotation.end]


@dataclasses.dataclass(frozen=True)
class ExportDocument:
    """What a report or a file header says about one document."""

    doc: str
    name: str
    lang: str = "fr"
    source_lang: str | None = None
    has_source: bool = False
    segments: int = 0


@dataclasses.dataclass(frozen=True)
class ExportOptions:
    """What to export. `pair=None` picks `source` when the documents have one, else `mt`."""

    pair: str | None = None
    only: str = "all"
    docs: tuple[str, ...] = ()
    system: str = "mt"  # the MQM `system` column for segments that name no system
    title: str = "mtreview report"
    typology: str = ""  # MQM table for report scores; "" is the shipped one
    keep_deleted: bool = False  # corpora keep segments corrected to nothing, marked
    allow_formulas: bool = False  # TSV/MQM: cells starting = + - @ tab CR written as they are

    def keeps(self, row: ExportRow) -> bool:
        if self.only == "reviewed":
            return row.reviewed
        if self.only == "corrected":
            return row.status == "corrected"
        if self.only == "adjudicated":
            return row.adjudicated
        return True


@dataclasses.dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: the files and how many segments and annotations went in."""

    format: str
    paths: tuple[str, ...]
    pair: str
    segments: int
    annotations: int
    deleted: int = 0  # segments corrected to nothing: left out, or kept and marked
    kept_deleted: bool = False

    def describe(self) -> str:
        """One line for people: what went where, and what happened to deleted segments."""
        line = f"{self.format}: {self.segments} segments, {self.annotations} annotations"
        line += f" (pair {self.pair})"
        if self.deleted:
            plural = "s" if self.deleted > 1 else ""
            what = "kept" if self.kept_deleted else "left out (--keep-deleted keeps them, marked)"
            line += f"; {self.deleted} segment{plural} corrected to empty {what}"
        return f"{line} -> {', '.join(self.paths)}"


@dataclasses.dataclass(frozen=True)
class Written:
    """What one exporter wrote."""

    segments: int
    annotations: int
    deleted: int = 0
