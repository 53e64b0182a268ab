"""Paired significance tests, and the results every metric of a comparison reports.

Corpus metrics against references go through sacreBLEU's own `PairedTest`
(`mtreview.compare.reference`). Scores that are a mean of per-segment numbers (round-trip
chrF, MQM penalties), for which sacreBLEU has no metric, get the same two tests here, with
sacreBLEU's conventions so that the numbers read alike:

- paired bootstrap: `default_rng(seed).choice(n, size=(resamples, n))` picks the same
  segments for every system (the indices sacreBLEU draws); the p-value is that of the
  shifted differences, `(#{|d*| - mean|d*| >= |d|} + 1) / (resamples + 1)`;
- paired approximate randomization: `default_rng(seed).integers(2, size=(trials, n))`
  swaps each segment's pair of scores or not; `(#{|a* - b*| >= |a - b|} + 1) / (trials + 1)`.

SacreBLEU counts only strictly larger differences (`>`), so a system compared with itself
comes out "significant" (p = 1/(n + 1)); these tests count ties as well (Noreen 1989), so a
system compared with itself gets p = 1. The 95% interval of a delta is taken from the
paired bootstrap resamples as sacreBLEU takes a score's: the resample `n // 40` from each
end of the sorted deltas.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mtreview.errors import SettingsError

if TYPE_CHECKING:
    import numpy as np

BATCH = 64  # resamples a step: memory is BATCH x segments, not resamples x segments
BOOTSTRAP = "paired-bs"
RANDOMIZATION = "paired-ar"


@dataclasses.dataclass(frozen=True)
class Resampling:
    """How the tests resample; the seed makes every number of a report reproducible."""

    paired_bs_n: int = 1000
    paired_ar_n: int = 10000
    seed: int = 12345

    def __post_init__(self) -> None:
        for name in ("paired_bs_n", "paired_ar_n", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                # sacreBLEU reads 0 as "its default" (resamples) or "no seed" (seed)
                raise SettingsError(f"{name} must be a whole number >= 1, got {value!r}")

    def signature(self, method: str) -> str:
        if method == BOOTSTRAP:
            return f"bs:{self.paired_bs_n}|seed:{self.seed}"
        return f"ar:{self.paired_ar_n}|seed:{self.seed}"


@dataclasses.dataclass(frozen=True)
class PairResult:
    """System `b` against the baseline `a` under one test."""

    a: str
    b: str
    delta: float  # score of b minus score of a
    ci: tuple[float, float]  # 95% interval of the delta, paired bootstrap
    p_value: float
    method: str  # paired-bs | paired-ar


@dataclasses.dataclass(frozen=True)
class MetricComparison:
    """One metric's scores of every system and each system's tests against the baseline."""

    name: str
    scores: Mapping[str, float]
    pairs: tuple[PairResult, ...]
    signature: str  # how the score was made (sacreBLEU's for its metrics)
    test_signatures: Mapping[str, str]  # method -> the signature with the test's settings
    bootstrap: Mapping[str, tuple[float, float]]  # system -> (mean, half 95% CI), resampled
    higher_is_better: bool = True


def bootstrap_batches(n: int, resampling: Resampling) -> Iterator[np.ndarray]:
    """The segments of each resample, `BATCH` resamples at a time: one stream of
    `default_rng(seed)`, so together exactly the indices sacreBLEU's paired bootstrap draws
    at once (`choice(n, size=(resamples, n))`), without resamples x n in memory."""
    import numpy as np

    rng = np.random.default_rng(resampling.seed)
    for done in range(0, resampling.paired_bs_n, BATCH):
        yield rng.choice(n, size=(min(BATCH, resampling.paired_bs_n - done), n), replace=True)


def estimate_ci(samples: np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) of resampled values, the 95% bounds as sacreBLEU picks them."""
    import numpy as np

    ordered = np.sort(samples)
    cut = len(ordered) // 40
    return float(ordered.mean()), float(ordered[cut]), float(ordered[len(ordered) - cut - 1])


def p_value(statistics: np.ndarray, observed: float) -> float:
    """Share of resampled statistics at least as large as the observed one, +1 smoothed."""
    import numpy as np

    return (int(np.count_nonzero(statistics >= observed)) + 1) / (len(statistics) + 1)


def bootstrap_pairs(
    samples: Mapping[str, np.ndarray],
) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """From each system's resampled scores: its (mean, half CI), and the 95% interval of
    each system's delta against the first system (the baseline)."""
    names = list(samples)
    spread: dict[str, tuple[float, float]] = {}
    for name in names:
        mean, low, high = estimate_ci(samples[name])
        spread[name] = (mean, 0.5 * (high - low))
    intervals: dict[str, tuple[float, float]] = {}
    for name in names[1:]:
        _mean, low, high = estimate_ci(samples[name] - samples[names[0]])
        intervals[name] = (low, high)
    return spread, intervals


def mean_comparison(
    name: str,
    values: Mapping[str, Sequence[float]],
    resampling: Resampling,
    *,
    signature: str,
    higher_is_better: bool = True,
) -> MetricComparison:
    """Systems scored by the mean of a per-segment number, the first system the baseline."""
    import numpy as np

    names = list(values)
    columns = {system: np.asarray(values[system], dtype=np.float64) for system in names}
    scores = {system: float(column.mean()) for system, column in columns.items()}
    samples = resampled_means(columns, resampling)
    spread, intervals = bootstrap_pairs(samples)
    pairs: list[PairResult] = []
    baseline = names[0]
    for system in names[1:]:
        observed = abs(scores[system] - scores[baseline])
        delta = scores[system] - scores[baseline]
        differences = np.abs(samples[system] - samples[baseline])
        tested = {
            BOOTSTRAP: differences - differences.mean(),
            RANDOMIZATION: _randomized_differences(columns[baseline], columns[system], resampling),
        }
        for method, statistics in tested.items():
            found = p_value(statistics, observed)
            pairs.append(PairResult(baseline, system, delta, intervals[system], found, method))
    return MetricComparison(
        name,
        scores,
        tuple(pairs),
        signature,
        {method: f"{signature}|{resampling.signature(method)}" for method in _METHODS},
        spread,
        higher_is_better,
    )


_METHODS = (BOOTSTRAP, RANDOMIZATION)


def resampled_means(
    columns: Mapping[str, np.ndarray], resampling: Resampling
) -> dict[str, np.ndarray]:
    """Each system's mean over each bootstrap resample (the same resamples for all)."""
    import numpy as np

    found: dict[str, list[np.ndarray]] = {system: [] for system in columns}
    first = next(iter(columns.values()))
    for batch in bootstrap_batches(len(first), resampling):
        for system, column in columns.items():
            found[system].append(column[batch].mean(axis=1))
    return {system: np.concatenate(parts) for system, parts in found.items()}


def _randomized_differences(a: np.ndarray, b: np.ndarray, resampling: Resampling) -> Any:
    """|mean(a*) - mean(b*)| of each trial, a* and b* swapping segment i's pair or not; the
    swaps drawn `BATCH` trials at a time from one stream (sacreBLEU's draw, at once)."""
    import numpy as np

    rng = np.random.default_rng(resampling.seed)
    found = []
    for done in range(0, resampling.paired_ar_n, BATCH):
        size = (min(BATCH, resampling.paired_ar_n - done), len(a))
        swap = rng.integers(2, size=size, dtype=bool)
        first = np.where(swap, a, b).mean(axis=1)
        second = np.where(swap, b, a).mean(axis=1)
        found.append(np.abs(first - second))
    return np.concatenate(found)
