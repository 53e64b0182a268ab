"""One comparison of aligned systems: metrics with paired tests, round-trip corpus scores,
flag counts, buckets and the largest differences; and its JSON form.

The JSON is deterministic: the same input gives the same bytes (keys sorted, lists in the
systems' or rows' order, floats to 10 significant digits, resampling seeded).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from mtreview.compare.buckets import (
    BucketCell,
    BucketTable,
    Difference,
    bucket_tables,
    largest_differences,
)
from mtreview.compare.significance import MetricComparison, Resampling, mean_comparison
from mtreview.compare.systems import AlignedSystems
from mtreview.errors import SettingsError
from mtreview.metrics import MetricScore

DEFAULT_APP_URL = "http://localhost:8501"
ROUNDTRIP_SIGNATURE = "mean of segment chrF, round trip vs translation (metrics.chrf)"
MQM_SIGNATURE = "mean MQM penalty a segment (reviewed errors' weights)"
RISK_SIGNATURE = "mean segment risk, 0-1 (flags and model signals; no model needed)"
PER_SEGMENT = (  # (score, signature, higher is better), tested on the mean of its segments
    ("roundtrip_chrf", ROUNDTRIP_SIGNATURE, True),
    ("mqm", MQM_SIGNATURE, False),
    ("risk", RISK_SIGNATURE, False),
)
MIN_REVIEWED_ROWS = 10  # fewer rows reviewed in every system: no MQM test (its p says nothing)


@dataclasses.dataclass(frozen=True)
class CompareOptions:
    resampling: Resampling = dataclasses.field(default_factory=Resampling)
    top: int = 10  # largest differences per pair of systems
    app_url: str = DEFAULT_APP_URL

    def __post_init__(self) -> None:
        if isinstance(self.top, bool) or not isinstance(self.top, int) or self.top < 0:
            raise SettingsError(f"top must be a whole number >= 0, got {self.top!r}")
        if not self.app_url.startswith(("http://", "https://")) or any(
            c.isspace() or c in "\"'<>" for c in self.app_url
        ):
            raise SettingsError(f"app URL must be an http(s) address, got {self.app_url!r}")


@dataclasses.dataclass(frozen=True)
class CompareReport:
    systems: tuple[str, ...]  # the baseline first
    segments: int
    documents: int
    options: CompareOptions
    metrics: tuple[MetricComparison, ...]
    roundtrip: Mapping[str, Mapping[str, MetricScore]]  # system -> corpus round-trip scores
    flags: Mapping[str, Mapping[str, int]]  # system -> category -> flags
    buckets: tuple[BucketTable, ...]
    differences: tuple[Difference, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        resampling = self.options.resampling
        return {
            "systems": list(self.systems),
            "baseline": self.systems[0],
            "segments": self.segments,
            "documents": self.documents,
            "resampling": {
                "paired_bs_n": resampling.paired_bs_n,
                "paired_ar_n": resampling.paired_ar_n,
                "seed": resampling.seed,
            },
            "metrics": {m.name: _metric_dict(m) for m in self.metrics},
            "roundtrip": {
                system: {
                    name: {"score": _num(s.score), "signature": s.signature}
                    for name, s in scores.items()
                }
                for system, scores in self.roundtrip.items()
            },
            "flags": {system: dict(counts) for system, counts in self.flags.items()},
            "buckets": {table.name: _table_dict(table) for table in self.buckets},
            "differences": [_difference_dict(d) for d in self.differences],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        data = self.to_dict()
        return (
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"
        )


def compare(aligned: AlignedSystems, options: CompareOptions | None = None) -> CompareReport:
    """Everything `mtreview compare` reports about `aligned`."""
    options = options or CompareOptions()
    notes: list[str] = []
    metrics: list[MetricComparison] = []
    segment_scores: dict[str, dict[str, list[float]]] = {}
    if aligned.has_references:
        from mtreview.compare.reference import reference_comparisons

        hypotheses = {system: aligned.texts(system) for system in aligned.systems}
        references = [row.reference or "" for row in aligned.rows]
        found = reference_comparisons(hypotheses, references, options.resampling)
        metrics.extend(found.comparisons)
        segment_scores["chrf"] = {s: list(v) for s, v in found.sentence_chrf.items()}
    elif any(row.reference is not None for row in aligned.rows):
        notes.append("some segments have no reference: no metrics against references")
    for name, signature, higher in PER_SEGMENT:
        columns, note, every_row = _per_segment(aligned, name)
        notes.extend(note)
        if columns is None:
            continue
        metrics.append(
            mean_comparison(
                name, columns, options.resampling, signature=signature, higher_is_better=higher
            )
        )
        if every_row:  # over some rows only (MQM), it gives no buckets and no differences
            segment_scores[name] = columns
    differences: tuple[Difference, ...] = ()
    scores = ("chrf", "roundtrip_chrf", "mqm", "risk")
    score = next((name for name in scores if name in segment_scores), None)
    if score is not None:
        differences = largest_differences(
            aligned, score, segment_scores[score], top=options.top, app_url=options.app_url
        )
    return CompareReport(
        systems=aligned.systems,
        segments=len(aligned.rows),
        documents=len(aligned.documents),
        options=options,
        metrics=tuple(metrics),
        roundtrip=_roundtrip_scores(aligned),
        flags=_flag_counts(aligned),
        buckets=bucket_tables(aligned, segment_scores),
        differences=differences,
        notes=tuple(notes),
    )


def _per_segment(
    aligned: AlignedSystems, field: str
) -> tuple[dict[str, list[float]] | None, list[str], bool]:
    """The systems' columns of a per-segment score (None: not to be tested), notes, and
    whether they hold every row."""
    values = {system: aligned.values(system, field) for system in aligned.systems}
    if all(column is not None for column in values.values()):
        return {system: column or [] for system, column in values.items()}, [], True
    if field == "mqm":  # reviews cover some rows: test on those reviewed in every system
        reviewed, note = _reviewed_everywhere(aligned)
        return reviewed, note, False
    if field == "roundtrip_chrf":
        return None, ["some segments have no round-trip chrF (scored without models)"], False
    return None, [], False


def _reviewed_everywhere(
    aligned: AlignedSystems,
) -> tuple[dict[str, list[float]] | None, list[str]]:
    """MQM penalties of the rows reviewed in every system (a row some system's reviewer
    never read says nothing about that system), with a note saying how many those are."""
    columns = {s: [o.mqm for o in aligned.outputs[s]] for s in aligned.systems}
    keep = [i for i in range(len(aligned.rows)) if all(c[i] is not None for c in columns.values())]
    total = len(aligned.rows)
    if not keep:
        if any(value is not None for column in columns.values() for value in column):
            return None, [f"MQM: no row of {total} is reviewed in every system yet"]
        return None, []
    if len(keep) < MIN_REVIEWED_ROWS:
        return None, [
            f"MQM: {len(keep)} of {total} rows reviewed in every system; a comparison needs "
            f"{MIN_REVIEWED_ROWS}"
        ]
    note = f"MQM over the {len(keep)} of {total} rows reviewed in every system"
    return {s: [float(c[i] or 0.0) for i in keep] for s, c in columns.items()}, [note]


def _roundtrip_scores(aligned: AlignedSystems) -> dict[str, dict[str, MetricScore]]:
    """Corpus chrF, BLEU and TER of each system's round trips against its translations."""
    from mtreview.metrics import CorpusScorer

    found: dict[str, dict[str, MetricScore]] = {}
    for system in aligned.systems:
        outputs = aligned.outputs[system]
        if any(output.round_trip is None for output in outputs):
            continue
        scorer = CorpusScorer()
        for output in outputs:
            scorer.add(output.round_trip or "", output.text)
        found[system] = scorer.result()
    return found


def _flag_counts(aligned: AlignedSystems) -> dict[str, dict[str, int]]:
    found = {}
    for system in aligned.systems:
        counts = Counter(c for output in aligned.outputs[system] for c in output.flag_categories)
        found[system] = dict(sorted(counts.items()))
    return found


def _num(value: float | None) -> float | None:
    """10 significant digits (the same bytes whatever the last bits), no -0.0, no NaN."""
    if value is None or value != value:
        return None
    return float(f"{value:.10g}") + 0.0


def _metric_dict(metric: MetricComparison) -> dict[str, Any]:
    return {
        "scores": {system: _num(score) for system, score in metric.scores.items()},
        "pairs": [
            {
                "a": pair.a,
                "b": pair.b,
                "delta": _num(pair.delta),
                "ci": [_num(pair.ci[0]), _num(pair.ci[1])],
                "p_value": _num(pair.p_value),
                "method": pair.method,
            }
            for pair in metric.pairs
        ],
        "signature": metric.signature,
        "test_signatures": dict(metric.test_signatures),
        "bootstrap": {
            system: {"mean": _num(mean), "ci": _num(ci)}
            for system, (mean, ci) in metric.bootstrap.items()
        },
        "higher_is_better": metric.higher_is_better,
    }


def _table_dict(table: BucketTable) -> dict[str, Any]:
    return {
        "basis": table.basis,
        "buckets": [
            {
                "bucket": bucket.label,
                "systems": {system: _cell_dict(cell) for system, cell in bucket.systems.items()},
            }
            for bucket in table.buckets
        ],
    }


def _cell_dict(cell: BucketCell) -> dict[str, Any]:
    return {"segments": cell.segments, **{name: _num(v) for name, v in cell.means.items()}}


def _difference_dict(difference: Difference) -> dict[str, Any]:
    return {
        "a": difference.a,
        "b": difference.b,
        "score": difference.score,
        "doc": difference.doc,
        "segment_id": difference.segment_id,
        "a_score": _num(difference.a_score),
        "b_score": _num(difference.b_score),
        "delta": _num(difference.delta),
        "a_text": difference.a_text,
        "b_text": difference.b_text,
        "source": difference.source,
        "reference": difference.reference,
        "link": difference.link,
    }
