"""The batches a run sends the models: after a resume they must be an uninterrupted run's,
since model numbers depend in their last bits on the batch a segment is computed in."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mtreview.analysis import Models, SegmentAnalysis
from mtreview.analysis.cache import CachedAnalyzer
from mtreview.documents import Segment
from mtreview.pipeline import make_analyzer
from mtreview.settings import Settings

SENTENCES = [
    "Le ministère a publié le rapport lundi.",
    "Les ONG ont dénoncé la pression des autorités.",
    "Le président n'a pas répondu aux questions.",
    "La réunion aura lieu à Almaty la semaine prochaine.",
    "Selon l'UE, la situation reste préoccupante.",
]


def write_with_copies(path: Path, lines: int = 150) -> Path:
    """Two segments a paragraph, with copies within a window and of earlier windows: the
    sentences repeat every five paragraphs, the numbers every ninety (segment 180 is 0)."""
    text = [f"{SENTENCES[i % 5]} Numéro {i % 90}." for i in range(lines)]
    path.write_text("\n\n".join(text) + "\n", encoding="utf-8")
    return path


def recording_analyzer(
    settings: Settings, models: Models
) -> tuple[CachedAnalyzer, list[list[int]]]:
    """A `--no-cache` analyzer (a private cache) and the segment indices of each batch it
    sends the models, in order."""
    analyzer = make_analyzer(settings, cache=False, models=models)
    assert isinstance(analyzer, CachedAnalyzer)
    batches: list[list[int]] = []
    compute = analyzer.compute_fresh

    def recorded(segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        batches.append([segment.index for segment in segments])
        return compute(segments)

    analyzer.compute_fresh = recorded  # type: ignore[method-assign]
    return analyzer, batches
