"""MQM typology and scores: the table of error labels and weights is data, not code.

The shipped table (`mtreview/data/mqm.tsv`) follows Freitag et al. 2021: minor 1 (minor
Fluency/Punctuation 0.1), major 5, critical 25, Non-translation 25 at any severity. A team
swaps in its own table with the `mqm_typology` setting. A segment's score is the sum of its
error weights; a document's is that sum and the same per 100 words (lower is better).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Protocol

from mtreview.data_tables import read_table
from mtreview.errors import InputError

NO_ERROR = "no-error"  # WMT's label for a segment reviewed without errors: weight 0


class Labelled(Protocol):
    """Anything with an MQM label: store annotations, pre-highlight flags, imported rows."""

    @property
    def category(self) -> str: ...

    @property
    def severity(self) -> str: ...


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


@dataclasses.dataclass(frozen=True)
class Typology:
    """Error labels (`Category/Subcategory`, or `Category`) in table order, with weights."""

    labels: tuple[str, ...]
    severities: tuple[str, ...]
    weights: Mapping[str, Mapping[str, float]]  # label -> severity -> weight
    source: str = "mqm.tsv"
    _weights: dict[tuple[str, str], float] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # every flag of every segment asks: answered once per label

    @property
    def categories(self) -> tuple[str, ...]:
        """Top-level categories, in table order."""
        return tuple(dict.fromkeys(label.split("/", 1)[0] for label in self.labels))

    def resolve(self, label: str) -> str:
        """The table's label for `label` (case and spacing ignored); an unknown
        subcategory falls back to its category's first row, anything else to `Other`."""
        wanted = _key(label)
        for known in self.labels:
            if _key(known) == wanted:
                return known
        category = wanted.split("/", 1)[0]
        for known in self.labels:
            if _key(known.split("/", 1)[0]) == category:
                return known
        for known in self.labels:
            if _key(known) == "other":
                return known
        return self.labels[-1]

    def known_label(self, label: str) -> str | None:
        """The table's own spelling of `label` (case and spacing ignored), or None."""
        wanted = _key(label)
        return next((known for known in self.labels if _key(known) == wanted), None)

    def known_severity(self, severity: str) -> str | None:
        """The table's own spelling of `severity` (case and spacing ignored), or None."""
        wanted = _key(severity)
        return next((known for known in self.severities if _key(known) == wanted), None)

    def weight(self, category: str, severity: str) -> float:
        known = self._weights.get((category, severity))
        if known is None:
            known = self._weights[category, severity] = self._weight(category, severity)
        return known

    def _weight(self, category: str, severity: str) -> float:
        if _key(category) == NO_ERROR or _key(severity) == NO_ERROR:
            return 0.0
        row = self.weights[self.resolve(category)]
        wanted = _key(severity)
        for name, value in row.items():
            if _key(name) == wanted:
                return value
        return max(row.values())  # an unknown severity counts as the worst one


@dataclasses.dataclass(frozen=True)
class MQMScore:
    """Sum of error weights over a text, with what it was computed on."""

    penalty: float
    words: int
    errors: int
    by_label: Mapping[str, int]
    by_severity: Mapping[str, int]
    typology: str

    @property
    def per_100_words(self) -> float:
        return round(self.penalty * 100.0 / self.words, 4) if self.words else 0.0


def parse_typology(text: str, source: str) -> Typology:
    """Read a typology table (TSV, `#` comments); errors name the file and line."""
    rows = [
        (number, line.rstrip("\r").split("\t"))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise InputError(source, "empty MQM typology, expected a header and rows")
    header_line, header = rows[0]
    if [h.strip().lower() for h in header[:2]] != ["category", "subcategory"] or len(header) < 3:
        raise InputError(
            source,
            "header must be: category, subcategory, then one column per severity",
            line=header_line,
        )
    severities = tuple(h.strip() for h in header[2:])
    labels: list[str] = []
    weights: dict[str, dict[str, float]] = {}
    for number, cells in rows[1:]:
        if len(cells) != len(header) or not cells[0].strip():
            raise InputError(
                source, f"expected {len(header)} tab-separated cells with a category", line=number
            )
        category, sub = cells[0].strip(), cells[1].strip()
        label = f"{category}/{sub}" if sub else category
        try:
            values = [float(cell) for cell in cells[2:]]
        except ValueError:
            raise InputError(source, "weights must be numbers", line=number) from None
        if label in weights:
            raise InputError(source, f"label {label!r} appears twice", line=number)
        labels.append(label)
        weights[label] = dict(zip(severities, values, strict=True))
    if not labels:
        raise InputError(source, "no error labels after the header")
    return Typology(tuple(labels), severities, weights, source)


@functools.lru_cache(maxsize=8)
def load_typology(path: str = "") -> Typology:
    """The typology table at `path`, or the shipped one when empty (cached per path)."""
    return parse_typology(*read_table(path, "mqm.tsv", "MQM typology file"))


def segment_score(errors: Iterable[Labelled], typology: Typology) -> float:
    """Sum of the weights of one segment's errors."""
    return round(sum(typology.weight(e.category, e.severity) for e in errors), 4)


def document_score(errors: Iterable[Labelled], words: int, typology: Typology) -> MQMScore:
    """A document's penalty, with counts by label and severity for the charts."""
    penalty = 0.0
    labels: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for error in errors:
        weight = typology.weight(error.category, error.severity)
        if weight == 0.0 and _key(error.category) == NO_ERROR:
            continue
        penalty += weight
        labels[typology.resolve(error.category)] += 1
        severities[error.severity] += 1
    return MQMScore(
        penalty=round(penalty, 4),
        words=words,
        errors=sum(labels.values()),
        by_label=dict(labels),
        by_severity=dict(severities),
        typology=typology.source,
    )
