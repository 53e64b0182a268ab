"""Agreement statistics, written out so they can be checked by hand: Cohen's and Fleiss'
kappa from counts, Pearson's r, Kendall's tau-b (O(n log n), ties handled as scipy does).

Each returns None where the statistic is undefined (no items, no variance, chance
agreement of 1), never a NaN that would print as a number.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any


def cohen_kappa(confusion: Mapping[Any, float]) -> float | None:
    """Cohen's kappa from counts of (label by rater A, label by rater B)."""
    total = sum(confusion.values())
    if total <= 0:
        return None
    observed = sum(n for (a, b), n in confusion.items() if a == b) / total
    left: dict[Hashable, float] = defaultdict(float)
    right: dict[Hashable, float] = defaultdict(float)
    for (a, b), n in confusion.items():
        left[a] += n
        right[b] += n
    expected = sum(left[label] * right.get(label, 0.0) for label in left) / (total * total)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


class FleissCounts:
    """Fleiss' kappa accumulated item by item; items may have different numbers of raters
    (each item's agreement uses its own count, as in Fleiss 1971 when the count is fixed)."""

    def __init__(self) -> None:
        self.items = 0.0
        self.agreement = 0.0  # sum of P_i (weighted)
        self.labels: dict[Hashable, float] = defaultdict(float)
        self.ratings = 0.0

    def add(self, labels: Sequence[Hashable], weight: float = 1.0) -> None:
        """One item (or `weight` identical items) rated by len(labels) >= 2 raters."""
        raters = len(labels)
        if raters < 2:
            return
        counts = Counter(labels)
        p_i = (sum(n * n for n in counts.values()) - raters) / (raters * (raters - 1))
        self.items += weight
        self.agreement += weight * p_i
        for label, n in counts.items():
            self.labels[label] += weight * n
        self.ratings += weight * raters

    def kappa(self) -> float | None:
        if self.items <= 0:
            return None
        observed = self.agreement / self.items
        expected = sum((n / self.ratings) ** 2 for n in self.labels.values())
        if expected >= 1.0:
            return None
        return (observed - expected) / (1.0 - expected)


def fleiss_kappa(table: Iterable[Mapping[Hashable, int]]) -> float | None:
    """Fleiss' kappa from a table: one row per item, label -> how many raters chose it."""
    counts = FleissCounts()
    for row in table:
        counts.add([label for label, n in row.items() for _ in range(n)])
    return counts.kappa()


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    if n < 2 or len(y) != n:
        return None
    mean_x, mean_y = sum(x) / n, sum(y) / n
    dx = [v - mean_x for v in x]
    dy = [v - mean_y for v in y]
    spread = math.sqrt(sum(v * v for v in dx) * sum(v * v for v in dy))
    if spread == 0:
        return None
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / spread


def _tied_pairs(values: Iterable[Hashable]) -> int:
    return sum(t * (t - 1) // 2 for t in Counter(values).values())


def _discordant(ys: Sequence[float]) -> int:
    """Pairs i < j with ys[i] > ys[j], counted with a Fenwick tree over ranks."""
    rank = {value: i + 1 for i, value in enumerate(sorted(set(ys)))}
    tree = [0] * (len(rank) + 1)
    found = 0
    for seen, value in enumerate(ys):
        r, at_most = rank[value], 0
        while r > 0:  # how many earlier values are <= this one
            at_most += tree[r]
            r -= r & -r
        found += seen - at_most
        r = rank[value]
        while r < len(tree):
            tree[r] += 1
            r += r & -r
    return found


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties x)(n0 - ties y))."""
    n = len(x)
    if n < 2 or len(y) != n:
        return None
    pairs = sorted(zip(x, y, strict=True))
    all_pairs = n * (n - 1) // 2
    ties_x = _tied_pairs(a for a, _ in pairs)
    ties_y = _tied_pairs(b for _, b in pairs)
    ties_both = _tied_pairs(pairs)
    denominator = math.sqrt((all_pairs - ties_x) * (all_pairs - ties_y))
    if denominator == 0:
        return None
    discordant = _discordant([b for _, b in pairs])
    return (all_pairs - ties_x - ties_y + ties_both - 2 * discordant) / denominator
