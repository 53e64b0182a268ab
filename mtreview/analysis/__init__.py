"""Analysis of segments: the record (bottom), models, model flags, highlighting, the analyzer
and its cache (top). Other packages import from here; modules inside import each other."""

from mtreview.analysis.analyzer import Analyzer, FinishStep
from mtreview.analysis.models import Models
from mtreview.analysis.record import RECORD_VERSION, SegmentAnalysis, round_trip_risk

__all__ = [
    "RECORD_VERSION",
    "Analyzer",
    "FinishStep",
    "Models",
    "SegmentAnalysis",
    "round_trip_risk",
]
