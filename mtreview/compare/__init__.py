"""`mtreview compare`: several MT systems' translations of the same source, side by side,
with paired significance tests (sacreBLEU's own for chrF, BLEU and TER against
references), compare-mt style buckets and the segments on which systems differ most.

Layers inside: `systems` (the aligned-systems shape any loader fills) ← `runs` (analysis
JSONL) ; `significance` and `reference` (the tests) ← `buckets` ← `report` (the whole
comparison, its JSON) ← `text`, `page` (a terminal table, an HTML page). No module imports
numpy or sacreBLEU before it computes.
"""

from __future__ import annotations

from mtreview.compare.report import CompareOptions, CompareReport, compare
from mtreview.compare.runs import load_runs
from mtreview.compare.significance import Resampling
from mtreview.compare.systems import AlignedSystems, SourceRow, SystemOutput, SystemsBuilder

__all__ = [
    "AlignedSystems",
    "CompareOptions",
    "CompareReport",
    "Resampling",
    "SourceRow",
    "SystemOutput",
    "SystemsBuilder",
    "compare",
    "load_runs",
]
