"""The library side of `mtreview score`: the run loop and its summary, resumable output and
the record writers."""

from mtreview.scoring.records import RECORD_WRITERS
from mtreview.scoring.resume import ResumableOutput, run_key, score_to_output
from mtreview.scoring.summary import RunSummary, SummaryBuilder, score_segments

__all__ = [
    "RECORD_WRITERS",
    "ResumableOutput",
    "RunSummary",
    "SummaryBuilder",
    "run_key",
    "score_segments",
    "score_to_output",
]
