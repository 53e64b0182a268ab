"""The library side of `mtreview score`: one run object for every face (`ScoringRun`), the
run loop and its summary, resumable output and the record writers.

The names are loaded on first use (PEP 562): the CLI reads `RECORD_WRITERS` to build its
parser, and `mtreview --help` should not import the analyzer, the checks and the cache
that the run loop needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mtreview.scoring.records import RECORD_WRITERS
    from mtreview.scoring.resume import ResumableOutput, run_key, score_to_output
    from mtreview.scoring.run import RunResult, ScoringRun
    from mtreview.scoring.summary import RunSummary, SummaryBuilder, score_segments

_HOMES = {
    "RECORD_WRITERS": "records",
    "ResumableOutput": "resume",
    "run_key": "resume",
    "score_to_output": "resume",
    "RunResult": "run",
    "ScoringRun": "run",
    "RunSummary": "summary",
    "SummaryBuilder": "summary",
    "score_segments": "summary",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "RECORD_WRITERS",
    "ResumableOutput",
    "RunResult",
    "RunSummary",
    "ScoringRun",
    "SummaryBuilder",
    "run_key",
    "score_segments",
    "score_to_output",
]
