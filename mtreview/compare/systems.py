"""Aligned systems: several MT systems' translations of the same source rows, paired.

Every comparison reads this one shape, whatever fed it: `mtreview compare` builds it from
analysis runs (`mtreview.compare.runs`); a review store's systems can feed the same
builder, with the per-segment MQM penalties that only reviews give. Rows are paired by
(base document id, segment id): segment `i` of `news@A` and of `news@B` translate the
same source row, so both must carry the same source (and reference, when given).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from mtreview.errors import InputError, MTReviewError

Where = tuple[str, int | None]  # (the input a row came from, its line) for messages


@dataclasses.dataclass(frozen=True)
class SourceRow:
    """One source row that every system translated."""

    doc: str  # the base document id, shared by all systems (`news`, not `news@B`)
    segment_id: int
    source: str | None = None
    reference: str | None = None


@dataclasses.dataclass(frozen=True)
class SystemOutput:
    """One system's translation of a row, with what the analysis found in it."""

    text: str
    round_trip: str | None = None
    roundtrip_chrf: float | None = None  # sentence chrF of the round trip against `text`
    flag_categories: tuple[str, ...] = ()  # one entry per flag
    risk: float = 0.0
    mqm: float | None = None  # MQM penalty of the reviewed errors (a store gives it)


@dataclasses.dataclass(frozen=True)
class AlignedSystems:
    """Systems (the baseline first) and their outputs, row by row in the baseline's order."""

    systems: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    outputs: Mapping[str, tuple[SystemOutput, ...]]  # system -> one output per row
    origins: Mapping[str, str] = dataclasses.field(default_factory=dict)  # system -> input

    def __post_init__(self) -> None:
        if len(self.systems) < 2:
            named = ", ".join(repr(s) for s in self.systems) or "none"
            raise MTReviewError(f"compare needs at least two systems, got {named}")
        for system in self.systems:
            if len(self.outputs.get(system, ())) != len(self.rows):
                raise MTReviewError(f"system {system!r} does not translate every row")

    @property
    def baseline(self) -> str:
        return self.systems[0]

    @property
    def documents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.doc for row in self.rows))

    @property
    def has_references(self) -> bool:
        """Every row has a reference: corpus metrics against it are meaningful."""
        return bool(self.rows) and all(row.reference is not None for row in self.rows)

    @property
    def has_sources(self) -> bool:
        return bool(self.rows) and all(row.source is not None for row in self.rows)

    def texts(self, system: str) -> list[str]:
        return [output.text for output in self.outputs[system]]

    def values(self, system: str, field: str) -> list[float] | None:
        """A per-segment number of every output of `system`, or None if one lacks it."""
        found = [getattr(output, field) for output in self.outputs[system]]
        return None if any(value is None for value in found) else [float(v) for v in found]


@dataclasses.dataclass
class _System:
    origin: str
    outputs: dict[tuple[str, int], SystemOutput] = dataclasses.field(default_factory=dict)
    lines: dict[tuple[str, int], int | None] = dataclasses.field(default_factory=dict)


class SystemsBuilder:
    """Collects outputs one at a time (streamed from a run or a store), refusing at once a
    repeated segment, a system from two inputs or a source that differs between systems;
    `build` then checks that every system covers the baseline's rows and no others."""

    def __init__(self) -> None:
        self._systems: dict[str, _System] = {}
        self._rows: dict[tuple[str, int], tuple[SourceRow, str, Where]] = {}

    def add(self, system: str, row: SourceRow, output: SystemOutput, *, where: Where) -> None:
        origin, line = where
        found = self._systems.get(system)
        if found is None:
            found = self._systems[system] = _System(origin)
        elif found.origin != origin:
            raise InputError(
                origin,
                f"system {system!r} is also in {found.origin}; each system comes from one "
                "input (give the records a different 'system')",
                line=line,
            )
        key = (row.doc, row.segment_id)
        if key in found.outputs:
            first = found.lines[key]
            raise InputError(
                origin,
                f"segment {row.segment_id} of document {row.doc!r} of system {system!r} again"
                + (f" (first at line {first})" if first is not None else ""),
                line=line,
            )
        self._check_row(system, row, where)
        found.outputs[key] = output
        found.lines[key] = line

    def _check_row(self, system: str, row: SourceRow, where: Where) -> None:
        key = (row.doc, row.segment_id)
        known = self._rows.get(key)
        if known is None:
            self._rows[key] = (row, system, where)
            return
        first, other, (origin, line) = known
        for field in ("source", "reference"):
            if getattr(first, field) != getattr(row, field):
                raise InputError(
                    where[0],
                    f"segment {row.segment_id} of document {row.doc!r}: the {field} of system "
                    f"{system!r} differs from system {other!r}'s ({_at(origin, line)}); "
                    "systems must translate the same source",
                    line=where[1],
                )

    def build(self) -> AlignedSystems:
        if not self._systems:
            raise MTReviewError("compare needs at least two systems, got none")
        names = tuple(self._systems)
        baseline = self._systems[names[0]]
        if len(names) < 2:
            raise InputError(
                baseline.origin,
                f"holds one system ({names[0]!r}); compare needs at least two systems: give "
                "another run, or records with a 'system' each",
            )
        order = list(baseline.outputs)
        for name in names[1:]:
            self._check_coverage(names[0], name, order)
        rows = tuple(self._rows[key][0] for key in order)
        outputs = {name: tuple(self._systems[name].outputs[key] for key in order) for name in names}
        origins = {name: self._systems[name].origin for name in names}
        return AlignedSystems(names, rows, outputs, origins)

    def _check_coverage(self, baseline: str, name: str, order: Sequence[tuple[str, int]]) -> None:
        first, other = self._systems[baseline], self._systems[name]
        for key in order:
            if key not in other.outputs:
                raise InputError(
                    first.origin,
                    f"segment {key[1]} of document {key[0]!r} has no translation by system "
                    f"{name!r} ({other.origin}); every system must translate the same segments",
                    line=first.lines[key],
                )
        if len(other.outputs) != len(order):
            extra = next(key for key in other.outputs if key not in first.outputs)
            raise InputError(
                other.origin,
                f"segment {extra[1]} of document {extra[0]!r} of system {name!r} is not "
                f"translated by system {baseline!r} ({first.origin}); every system must "
                "translate the same segments",
                line=other.lines[extra],
            )


def _at(origin: str, line: int | None) -> str:
    return origin if line is None else f"{origin}:{line}"
