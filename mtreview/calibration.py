"""How well the pre-highlights find what reviewers mark: precision and recall per signal.

Reviewer spans come from a JSONL file, one object a line:

    {"doc": "kaztag", "segment_id": 5, "start": 54, "end": 74,
     "category": "Accuracy/Addition", "severity": "minor"}

(`doc_id`/`segment_index` are accepted for `doc`/`segment_id`; a line without `start`/`end`,
or with category `No-error`, marks a segment reviewed without error; a line may also carry
its spans in an `annotations` list), from the `mtreview export --format reviews` backup
(its annotation records, and its reviewed segment records), or from a review store (SQLite
path or SQLAlchemy URL).

A flag matches a reviewer span of the same segment when they share at least
`min_overlap` of the shorter span's code points (default: any one code point). Per signal
(each flag origin such as `rule:spacing`, each kind `rule`, `grammar`, `model`, and `all`):
precision = flags matching some reviewer span / flags; recall = reviewer spans matched by
some flag / reviewer spans. Only reviewed segments count.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mtreview.analysis.weights import settings_weights, smoothed_precision
from mtreview.errors import InputError
from mtreview.flags import Flag
from mtreview.readers.base import iter_json_objects

NO_ERROR = "No-error"
SegmentKey = tuple[str, int]


@dataclasses.dataclass(frozen=True)
class ReviewSpan:
    """A span a reviewer marked as an error, `[start, end)` in the segment's code points."""

    doc: str
    segment_id: int
    start: int
    end: int
    category: str = ""
    severity: str = ""


@dataclasses.dataclass(frozen=True)
class Reviews:
    """Reviewer spans by segment; a reviewed segment without errors maps to no spans."""

    spans: Mapping[SegmentKey, tuple[ReviewSpan, ...]]

    @property
    def segments(self) -> int:
        return len(self.spans)

    @property
    def total(self) -> int:
        return sum(len(spans) for spans in self.spans.values())


@dataclasses.dataclass(frozen=True)
class SignalStats:
    signal: str
    flags: int
    matched_flags: int
    found_spans: int
    reviewer_spans: int

    @property
    def precision(self) -> float | None:
        return self.matched_flags / self.flags if self.flags else None

    @property
    def recall(self) -> float | None:
        return self.found_spans / self.reviewer_spans if self.reviewer_spans else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(precision=self.precision, recall=self.recall, f1=self.f1)
        return data


@dataclasses.dataclass(frozen=True)
class CalibrationReport:
    segments: int  # reviewed segments compared
    flagged_segments: int  # of those, segments for which flags were known
    reviewer_spans: int
    min_overlap: float
    signals: tuple[SignalStats, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "flagged_segments": self.flagged_segments,
            "reviewer_spans": self.reviewer_spans,
            "min_overlap": self.min_overlap,
            "signals": [stats.to_dict() for stats in self.signals],
        }


def overlaps(flag: Flag, span: ReviewSpan, min_overlap: float = 0.0) -> bool:
    """Partial-overlap match: the shared code points, as a share of the shorter span."""
    shared = min(flag.end, span.end) - max(flag.start, span.start)
    if shared <= 0:
        return False
    shorter = max(1, min(flag.end - flag.start, span.end - span.start))
    return shared / shorter >= min_overlap


def signals_of(flag: Flag) -> set[str]:
    """The signals a flag counts for: `all`, its kinds, its origins and its subsignals."""
    kinds = (origin.split(":", 1)[0] for origin in flag.origins)
    return {"all", *flag.origins, *kinds, *flag.subsignals}


def parent_signal(signal: str) -> str | None:
    """`rule:source_numbers/changed` -> `rule:source_numbers`; None for an origin."""
    parent, slash, _code = signal.partition("/")
    return parent if slash else None


def calibrate(
    flags: Mapping[SegmentKey, Iterable[Flag]], reviews: Reviews, *, min_overlap: float = 0.0
) -> CalibrationReport:
    """Compare flags with reviewer spans on the segments the reviewers saw."""
    counts: dict[str, list[int]] = {}  # signal -> [flags, matched flags, found spans]
    flagged = 0
    for key, spans in reviews.spans.items():
        if key not in flags:
            continue
        flagged += 1
        segment_flags = list(flags[key])
        found: dict[str, set[int]] = {}
        for flag in segment_flags:
            hits = {i for i, span in enumerate(spans) if overlaps(flag, span, min_overlap)}
            for signal in signals_of(flag):
                row = counts.setdefault(signal, [0, 0, 0])
                row[0] += 1
                row[1] += bool(hits)
                found.setdefault(signal, set()).update(hits)
        for signal, hits in found.items():
            counts[signal][2] += len(hits)
    total = sum(len(spans) for key, spans in reviews.spans.items() if key in flags)
    stats = tuple(
        SignalStats(signal, row[0], row[1], row[2], total)
        for signal, row in sorted(counts.items(), key=lambda item: _signal_order(item[0]))
    )
    if not any(s.signal == "all" for s in stats):
        stats = (SignalStats("all", 0, 0, 0, total), *stats)
    return CalibrationReport(reviews.segments, flagged, total, min_overlap, stats)


# --- fitting risk weights ------------------------------------------------------------------
KIND_SIGNALS = frozenset({"all", "rule", "grammar"})  # sums over origins, not origins


def fitted_weights(report: CalibrationReport) -> dict[str, tuple[float, int, int]]:
    """signal -> (weight, flags, hits) for each flag origin seen: its smoothed precision."""
    return {
        s.signal: (smoothed_precision(s.matched_flags, s.flags), s.flags, s.matched_flags)
        for s in report.signals
        if s.signal not in KIND_SIGNALS and s.flags
    }


@dataclasses.dataclass(frozen=True)
class FitSource:
    """One reviewed corpus of a mixed fit (`mixed_weights`): its report, how many of its
    reviewed rows there are and how many hold an error (their share differs by corpus)."""

    name: str
    report: CalibrationReport
    rows: int
    error_rows: int

    @classmethod
    def of(
        cls, name: str, flags: Mapping[SegmentKey, Iterable[Flag]], reviews: Reviews
    ) -> FitSource:
        report = calibrate(flags, reviews)
        errors = sum(1 for key, spans in reviews.spans.items() if spans and key in flags)
        return cls(name, report, report.flagged_segments, errors)


MIX_SHARE = 1 / 72  # the share of wrong rows every source of a mix is brought to
MIX_PRIOR = 2.0  # flags' worth of the mix's overall precision added to each signal


def mixed_weights(
    sources: Iterable[FitSource],
    *,
    signals: Iterable[str] = (),
    share: float = MIX_SHARE,
    prior: float = MIX_PRIOR,
) -> dict[str, tuple[float, int, int]]:
    """signal -> (weight, flags, hits) fit on several reviewed corpora at once.

    Each source counts as much as the others and as if `share` of its rows held an error:
    it is scaled to the rows of the smallest source, its matched flags by
    `rows * share / error_rows` and its other flags by `rows * (1 - share) / clean rows`.
    So no corpus wins by its size or by how densely its errors were planted, and a flag
    that is precise in one corpus but noisy on the clean rows of another gets a middling
    weight. A signal's weight is its scaled precision smoothed towards the mix's overall
    precision, `(hits + prior * overall) / (flags + prior)`: a signal seen a few times sits
    near the average flag, not at 0.5, and one of `signals` that never fired gets the
    average itself (rather than falling back to its MQM weight). A subsignal
    (`rule:source_numbers/changed`, `Flag.subsignals`) is smoothed towards its origin's
    weight instead: one seen a few times stays near what its check is worth on the whole.
    `flags` and `hits` are the raw sums, for reading."""
    sources = [s for s in sources if s.rows]
    wanted = set(signals)
    if not sources:
        return {}
    size = min(s.rows for s in sources)
    scaled: dict[str, list[float]] = {}  # signal -> [scaled hits, scaled misses]
    raw: dict[str, list[int]] = {}
    for source in sources:
        clean = max(1, source.rows - source.error_rows)
        hit_scale = size * share / max(1, source.error_rows)
        miss_scale = size * (1 - share) / clean
        for stats in source.report.signals:
            row = scaled.setdefault(stats.signal, [0.0, 0.0])
            row[0] += stats.matched_flags * hit_scale
            row[1] += (stats.flags - stats.matched_flags) * miss_scale
            counts = raw.setdefault(stats.signal, [0, 0])
            counts[0] += stats.flags
            counts[1] += stats.matched_flags
    for signal in sorted(wanted):
        scaled.setdefault(signal, [0.0, 0.0])
        raw.setdefault(signal, [0, 0])
    hits_all, misses_all = scaled.get("all", [0.0, 0.0])
    overall = hits_all / (hits_all + misses_all) if hits_all + misses_all else 0.5

    def smoothed(signal: str, towards: float) -> float:
        hits, misses = scaled[signal]
        return (hits + prior * towards) / (hits + misses + prior)

    origins = {signal: smoothed(signal, overall) for signal in scaled if not parent_signal(signal)}
    weights: dict[str, tuple[float, int, int]] = {}
    for signal in sorted(scaled):
        if signal in KIND_SIGNALS or not (raw[signal][0] or signal in wanted):
            continue
        parent = parent_signal(signal)
        weight = (
            origins[signal] if parent is None else smoothed(signal, origins.get(parent, overall))
        )
        weights[signal] = (round(weight, 4), raw[signal][0], raw[signal][1])
    return weights


def write_weights(path: str | Path, weights: Mapping[str, tuple[float, int, int]]) -> None:
    """Put `[mtreview.flag_weights]` in a settings file, replacing the one there and
    keeping everything else; each line says the precision it came from."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8") if target.is_file() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(target, f"cannot read the settings file ({exc})") from None
    section = "[mtreview.flag_weights]"
    if text.strip() and "[mtreview]" not in text and section not in text:
        section = "[flag_weights]"  # a file of top-level keys: keep it that way
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        header = line.strip()
        if header.startswith("["):
            skipping = header in ("[mtreview.flag_weights]", "[flag_weights]")
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    block = [section, "# learnt by mtreview calibrate --fit: a signal's precision (hits/flags)"]
    for signal, (weight, flags, hits) in sorted(weights.items()):
        block.append(f'"{signal}" = {weight:.4f}  # {hits}/{flags}')
    body = "\n".join(kept + ([""] if kept else []) + block) + "\n"
    try:
        target.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise InputError(target, f"cannot write the settings file ({exc.strerror})") from None


def read_weights(path: str | Path) -> dict[str, tuple[float, int, int]]:
    """The `flag_weights` a settings file holds, with the counts its comments give."""
    from mtreview.settings import load_settings

    settings = load_settings(path, environ={})
    weights = settings_weights(settings.flag_weights)
    counts: dict[str, tuple[int, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = re.match(r'\s*"([^"]+)"\s*=\s*[\d.]+\s*#\s*(\d+)/(\d+)', line)
        if match:
            counts[match.group(1)] = (int(match.group(3)), int(match.group(2)))
    return {s: (w, *counts.get(s, (0, 0))) for s, w in weights.items()}


def _signal_order(signal: str) -> tuple[int, str]:
    order = {"all": 0, "rule": 1, "grammar": 2, "model": 3}
    return (order.get(signal, 4 if signal.startswith("rule:") else 5), signal)


# --- reading ----------------------------------------------------------------------------
def is_store(path: str) -> bool:
    """A SQLAlchemy URL, or a file that starts like an SQLite database."""
    if "://" in path:
        return True
    candidate = Path(path)
    if not candidate.is_file():
        return False
    with candidate.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def read_reviews(path: str | Path) -> Reviews:
    """Reviewer spans from a JSONL file (format in the module docstring)."""
    spans: dict[SegmentKey, list[ReviewSpan]] = {}
    for number, record in _jsonl(Path(path)):
        kind = record.get("type")  # the `mtreview export --format reviews` backup
        if kind not in (None, "annotation", "segment") or (
            kind == "segment" and not record.get("reviewed_by")
        ):
            continue
        try:
            if kind == "segment":
                spans.setdefault((str(record["doc"]), int(record["segment"])), [])
                continue
            doc = str(_pick(record, "doc", "doc_id", "document"))
            segment_id = int(_pick(record, "segment_id", "segment_index", "seg_id", "segment"))
            marks = record.get("annotations")
            items = marks if isinstance(marks, list) else [record]
            bucket = spans.setdefault((doc, segment_id), [])
            for item in items:
                span = _span(doc, segment_id, item)
                if span is not None:
                    bucket.append(span)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            message = "expected doc, segment_id and integer start < end"
            raise InputError(path, f"{message} ({exc})", line=number) from None
    return Reviews({key: tuple(value) for key, value in spans.items()})


def _span(doc: str, segment_id: int, item: Mapping[str, Any]) -> ReviewSpan | None:
    category = str(item.get("category") or "")
    if item.get("start") is None or item.get("end") is None or category == NO_ERROR:
        return None
    start, end = int(item["start"]), int(item["end"])
    if not 0 <= start < end:
        raise ValueError(f"span [{start}, {end})")
    return ReviewSpan(doc, segment_id, start, end, category, str(item.get("severity") or ""))


def _pick(record: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if record.get(name) is not None:
            return record[name]
    raise KeyError(names[0])


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON-lines reader every input goes through (precise one-line errors)."""
    return iter_json_objects(path)


def read_flags(path: str | Path) -> dict[SegmentKey, tuple[Flag, ...]]:
    """Flags from `mtreview score` JSONL records."""
    flags: dict[SegmentKey, tuple[Flag, ...]] = {}
    for number, record in _jsonl(Path(path)):
        try:
            key = (str(record["doc"]), int(record["segment_id"]))
            flags[key] = tuple(Flag.from_dict(f) for f in record.get("flags") or ())
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            message = f"expected a score record with flags ({exc})"
            raise InputError(path, message, line=number) from None
    return flags


GOLDS = ("reviews", "adjudicated")


def store_reviews(
    db: Any, *, gold: str = "reviews", viewer: str | None = None
) -> tuple[Reviews, dict[SegmentKey, tuple[Flag, ...]]]:
    """Gold spans and stored flags of a review store (`db`: an open `ReviewStore`, or
    its file or URL). `reviews`: the annotations of reviewed or annotated segments,
    except that an adjudicated segment counts with its adjudicated spans only;
    `adjudicated`: adjudicated segments alone (a lead's final word as the gold).
    `viewer`: whose reads these are (on a team store a principal, who gets what they may
    see, checked in each read; None: the library's own, everything)."""
    from mtreview.store import ReviewStore

    spans: dict[SegmentKey, tuple[ReviewSpan, ...]] = {}
    flags: dict[SegmentKey, tuple[Flag, ...]] = {}
    with contextlib.ExitStack() as stack:
        store = db if isinstance(db, ReviewStore) else stack.enter_context(ReviewStore(db))
        for info in store.documents(viewer=viewer):
            final = store.adjudications(info.doc_id, viewer=viewer)
            for review in store.iter_segments(info.doc_id, viewer=viewer):
                key = (review.doc_id, review.index)
                flags[key] = tuple(review.analysis.flags)
                settled = final.get(review.index)
                marks = settled.annotations if settled is not None else review.annotations
                if settled is not None or (
                    gold == "reviews" and (review.reviewed or review.annotations)
                ):
                    spans[key] = tuple(
                        ReviewSpan(key[0], key[1], a.start, a.end, a.category, a.severity)
                        for a in marks
                    )
    return Reviews(spans), flags


def analyze_flags(
    paths: list[str], settings: Any, keys: Iterable[SegmentKey]
) -> dict[SegmentKey, tuple[Flag, ...]]:
    """Flag the inputs afresh with `settings` (to tune thresholds), keeping only `keys`: the
    run of `mtreview score`, so the flags are those a score run gives."""
    from mtreview.scoring.run import ScoringRun

    wanted = set(keys)
    run = ScoringRun.of_files(settings, paths)
    return {
        (analysis.segment.doc, analysis.segment.index): tuple(analysis.flags)
        for analysis in run.analyses(run.analyzer())
        if (analysis.segment.doc, analysis.segment.index) in wanted
    }
