"""sacrebleu metrics (chrF default, BLEU, TER): sentence and streamed corpus scores.

Scores carry sacrebleu's own signature so a number is never separated from how it was made.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

from mtreview.errors import SettingsError


@dataclasses.dataclass(frozen=True)
class MetricScore:
    name: str
    score: float
    signature: str


def _chrf(sentence: bool) -> Any:
    from sacrebleu.metrics import CHRF

    return CHRF()


def _bleu(sentence: bool) -> Any:
    from sacrebleu.metrics import BLEU

    return BLEU(effective_order=sentence)


def _ter(sentence: bool) -> Any:
    from sacrebleu.metrics import TER

    return TER()


# name -> factory(sentence_level) -> sacrebleu metric object
METRICS: dict[str, Callable[[bool], Any]] = {"chrf": _chrf, "bleu": _bleu, "ter": _ter}
LOWER_IS_BETTER = frozenset({"ter"})


def check_metric_names(names: Sequence[str]) -> tuple[str, ...]:
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise SettingsError(f"unknown metric {unknown[0]!r} (choose from {', '.join(METRICS)})")
    return tuple(names)


class SentenceScorer:
    """Builds each sacrebleu metric once, on the first pair scored (a run without models
    scores none and never imports sacrebleu), and scores hypothesis/reference pairs."""

    def __init__(self, names: Sequence[str] = ("chrf", "bleu", "ter")) -> None:
        self.names = check_metric_names(names)

    @functools.cached_property
    def _metrics(self) -> dict[str, Any]:
        metrics = {name: METRICS[name](True) for name in self.names}
        for metric in metrics.values():  # sacrebleu signs a metric once it has scored
            metric.sentence_score("a", ["a"])
        return metrics

    @functools.cached_property
    def signatures(self) -> dict[str, str]:
        return {
            name: str(metric.get_signature().format()) for name, metric in self._metrics.items()
        }

    def score(self, hypothesis: str, reference: str) -> dict[str, MetricScore]:
        return {
            name: MetricScore(
                name,
                float(metric.sentence_score(hypothesis, [reference]).score),
                self.signatures[name],
            )
            for name, metric in self._metrics.items()
        }


class CorpusScorer:
    """Corpus scores from summed sufficient statistics: streams, equals `corpus_score`."""

    def __init__(self, names: Sequence[str] = ("chrf", "bleu", "ter")) -> None:
        self.names = check_metric_names(names)
        self._stats: dict[str, list[float] | None] = dict.fromkeys(self.names)
        self.count = 0

    @functools.cached_property
    def _metrics(self) -> dict[str, Any]:
        """Built on first use, as the sentence scorer's."""
        return {name: METRICS[name](False) for name in self.names}

    def add(self, hypothesis: str, reference: str) -> None:
        self.count += 1
        for name, metric in self._metrics.items():
            stats = metric._extract_corpus_statistics([hypothesis], [[reference]])[0]
            total = self._stats[name]
            self._stats[name] = (
                list(stats) if total is None else [a + b for a, b in zip(total, stats, strict=True)]
            )

    def result(self) -> dict[str, MetricScore]:
        scores: dict[str, MetricScore] = {}
        if not self.count:
            return scores
        for name, metric in self._metrics.items():
            stats = self._stats[name]
            if stats is None:
                continue
            value = metric._compute_score_from_stats(stats).score
            scores[name] = MetricScore(name, float(value), str(metric.get_signature().format()))
        return scores
