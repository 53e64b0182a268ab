"""chrF, BLEU and TER of each system against the references, tested with sacreBLEU's own
`PairedTest`: the scores, p-values and signatures are what
`sacrebleu REF -i A.txt B.txt -m chrf bleu ter --paired-bs` (or `--paired-ar`) prints.

SacreBLEU reads its seed from the environment (`SACREBLEU_SEED`, default 12345) when a
test is set up. A comparison sets it to the seed it was given for that moment, under a
lock, and puts the old value back, so a report never depends on the caller's environment;
another thread of the same process that reads the variable meanwhile sees our seed.

The 95% interval of a delta comes from the paired bootstrap resamples themselves (the
indices sacreBLEU draws, `mtreview.compare.significance.bootstrap_batches`), scored from
the same sufficient statistics, which are extracted once per system and metric.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mtreview.compare.significance import (
    BOOTSTRAP,
    RANDOMIZATION,
    MetricComparison,
    PairResult,
    Resampling,
    bootstrap_batches,
    bootstrap_pairs,
)
from mtreview.errors import SettingsError
from mtreview.metrics import LOWER_IS_BETTER

METRIC_NAMES = ("chrf", "bleu", "ter")
SEED_VARIABLE = "SACREBLEU_SEED"
_SEED_LOCK = threading.Lock()


@contextlib.contextmanager
def sacrebleu_seed(seed: int) -> Iterator[None]:
    """`SACREBLEU_SEED` set to `seed` while sacreBLEU reads it, then restored."""
    with _SEED_LOCK:
        before = os.environ.get(SEED_VARIABLE)
        os.environ[SEED_VARIABLE] = str(seed)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(SEED_VARIABLE, None)
            else:
                os.environ[SEED_VARIABLE] = before


def environment_seed() -> int:
    """The seed sacreBLEU would use (`SACREBLEU_SEED`, default 12345); a comparison must
    be reproducible, so "none" (to sacreBLEU: a fresh seed each run) is refused."""
    given = os.environ.get(SEED_VARIABLE, "12345")
    try:
        seed = int(given)
    except ValueError:
        seed = 0
    if seed < 1:
        raise SettingsError(
            f"{SEED_VARIABLE}={given!r}: compare needs a whole number >= 1 as its seed, so "
            "that the same runs give the same report"
        )
    return seed


class _Statistics:
    """A sacreBLEU metric whose sufficient statistics are extracted once per system (the
    two tests and the intervals ask for them again); everything else is the metric's."""

    def __init__(self, metric: Any) -> None:
        self.metric = metric
        self.found: dict[int, tuple[Sequence[str], Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.metric, name)

    def _extract_corpus_statistics(self, hypotheses: Sequence[str], references: Any) -> Any:
        known = self.found.get(id(hypotheses))
        if known is None or known[0] is not hypotheses:
            known = (hypotheses, self.metric._extract_corpus_statistics(hypotheses, references))
            self.found[id(hypotheses)] = known
        return known[1]


def _metric(name: str, references: list[str]) -> Any:
    """The metric with sacreBLEU's defaults (those of `mtreview.metrics` at corpus level),
    its references cached as the sacreBLEU command line caches them."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    kinds = {"chrf": CHRF, "bleu": BLEU, "ter": TER}
    return kinds[name](references=[references])


@dataclasses.dataclass(frozen=True)
class ReferenceResults:
    comparisons: tuple[MetricComparison, ...]
    sentence_chrf: Mapping[str, tuple[float, ...]]  # system -> chrF of each segment


def reference_comparisons(
    hypotheses: Mapping[str, list[str]], references: list[str], resampling: Resampling
) -> ReferenceResults:
    """Each metric's scores and paired tests, the first system the baseline."""
    from sacrebleu.significance import PairedTest

    metrics = {name: _Statistics(_metric(name, references)) for name in METRIC_NAMES}
    named = list(hypotheses.items())
    runs: dict[str, tuple[dict[str, Any], dict[str, Any], dict[int, str]]] = {}
    with sacrebleu_seed(resampling.seed):
        for method, kind, n in (
            (BOOTSTRAP, "bs", resampling.paired_bs_n),
            (RANDOMIZATION, "ar", resampling.paired_ar_n),
        ):
            systems: list[tuple[str, Sequence[str]]] = list(named)
            wrapped: dict[str, Any] = dict(metrics)  # duck-typed metrics (_Statistics)
            test = PairedTest(systems, wrapped, None, test_type=kind, n_samples=n)
            signatures, results = test()
            names = {id(metric): score_name for score_name, metric in test.metrics.items()}
            runs[method] = (signatures, results, names)
    comparisons = tuple(
        _comparison(name, metric, named, runs, resampling) for name, metric in metrics.items()
    )
    chrf = metrics["chrf"]
    sentence = {
        system: tuple(
            float(chrf._compute_score_from_stats(row).score)
            for row in chrf._extract_corpus_statistics(texts, None)
        )
        for system, texts in named
    }
    return ReferenceResults(comparisons, sentence)


def _comparison(
    name: str,
    metric: _Statistics,
    named: list[tuple[str, list[str]]],
    runs: Mapping[str, tuple[dict[str, Any], dict[str, Any], dict[int, str]]],
    resampling: Resampling,
) -> MetricComparison:
    results: dict[str, list[Any]] = {}
    signatures: dict[str, str] = {}
    for method, (signed, found, names) in runs.items():
        score_name = names[id(metric)]
        results[method] = found[score_name]
        signatures[method] = str(signed[score_name].format())
    bootstrap = results[BOOTSTRAP]
    scores = {
        system: float(result.score) for (system, _), result in zip(named, bootstrap, strict=True)
    }
    spread = {
        system: (float(result.mean), float(result.ci))
        for (system, _), result in zip(named, bootstrap, strict=True)
    }
    _spread, intervals = bootstrap_pairs(_resampled_scores(metric, named, resampling))
    baseline = named[0][0]
    pairs = [
        PairResult(
            baseline,
            system,
            scores[system] - scores[baseline],
            intervals[system],
            float(results[method][index].p_value),
            method,
        )
        for index, (system, _texts) in enumerate(named)
        if index
        for method in (BOOTSTRAP, RANDOMIZATION)
    ]
    return MetricComparison(
        name,
        scores,
        tuple(pairs),
        str(metric.get_signature().format()),
        signatures,
        spread,
        name not in LOWER_IS_BETTER,
    )


def _resampled_scores(
    metric: _Statistics, named: list[tuple[str, list[str]]], resampling: Resampling
) -> dict[str, Any]:
    """Each system's score on each paired bootstrap resample, as sacreBLEU computes it
    (float32 statistics summed per resample)."""
    import numpy as np

    statistics = {
        system: np.array(metric._extract_corpus_statistics(texts, None), dtype="float32")
        for system, texts in named
    }
    found: dict[str, list[float]] = {system: [] for system, _ in named}
    for batch in bootstrap_batches(len(named[0][1]), resampling):
        for system, stats in statistics.items():
            found[system].extend(
                metric._compute_score_from_stats(stats[row].sum(0)).score for row in batch
            )
    return {system: np.asarray(values, dtype=np.float64) for system, values in found.items()}
