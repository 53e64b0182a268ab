"""Risk weights: how often a flag of each signal is a real error, learnt from reviews.

A signal is a flag origin (`rule:agreement`, `grammar:gn`, `model` …). Its weight is its
precision on reviewed data, smoothed ((hits + 1) / (flags + 2)), so a flag that is usually
right lifts a segment's risk a lot and a noisy one a little. `mtreview calibrate --fit`
learns them from a team's own reviews and writes them to the settings (`flag_weights`).
The shipped table (`mtreview/data/flag_weights.tsv`) is fit by
`benchmarks/flag_quality.py --write-defaults` on a mix of three reviewed corpora, human
gettext translations and two of running text with machine-translation-like errors (one
that nobody read while tuning the checks), counted alike
(`mtreview.calibration.mixed_weights`); its header names them. Settings win over the
table; a signal in neither falls back to its MQM weight (see `mtreview.analysis.highlight`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from mtreview.errors import InputError, SettingsError

TABLE = "flag_weights.tsv"
COLUMNS = ("signal", "weight", "flags", "hits")


def smoothed_precision(hits: int, flags: int) -> float:
    return round((hits + 1) / (flags + 2), 4)


@functools.lru_cache(maxsize=1)
def shipped_weights() -> dict[str, float]:
    """The shipped table, signal -> weight."""
    path = resources.files("mtreview") / "data" / TABLE
    return parse_table(path.read_text(encoding="utf-8"), TABLE)


def parse_table(text: str, source: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.startswith("signal\t"):
            continue
        cells = line.split("\t")
        try:
            weights[cells[0]] = _weight(cells[1])
        except (IndexError, ValueError):
            raise InputError(source, "expected signal<TAB>weight (0 to 1)", line=number) from None
    return weights


def write_table(
    rows: Mapping[str, tuple[float, int, int]],
    path: str | Path,
    header: Sequence[str] = (),
    by_source: Mapping[str, Mapping[str, tuple[int, int]]] | None = None,
) -> None:
    """signal -> (weight, flags, hits), as the shipped table's TSV: `header` as its comment
    lines (what it was fit on), then a column of hits/flags for each of `by_source`
    (source -> signal -> (flags, hits)). Same inputs, same bytes."""
    sources = sorted(by_source or {})
    lines = [f"# {line}".rstrip() for line in header]
    lines.append("\t".join((*COLUMNS, *sources)))
    for signal, (weight, flags, hits) in sorted(rows.items()):
        cells = [signal, f"{weight:.4f}", str(flags), str(hits)]
        for source in sources:
            seen, matched = (by_source or {})[source].get(signal, (0, 0))
            cells.append(f"{matched}/{seen}")
        lines.append("\t".join(cells))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def settings_weights(pairs: tuple[str, ...]) -> dict[str, float]:
    """`Settings.flag_weights` ("signal=weight" each) as a mapping."""
    weights = {}
    for pair in pairs:
        signal, _, value = pair.rpartition("=")
        try:
            weights[signal.strip()] = _weight(value)
        except ValueError:
            message = f"flag_weights: expected signal=weight (0 to 1), got {pair!r}"
            raise SettingsError(message) from None
    return weights


def _weight(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(text)
    return value
