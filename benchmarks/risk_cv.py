"""Cross-check a way of ranking by risk offline, on the files `flag_quality.py` kept.

`flag_quality.py --write-defaults --keep DIR` leaves the scored catalogues (fit and test
halves), LibreOffice's help and the `--mt` set's tune and heldout parts under DIR.
Refitting the weights and ranking again needs no rescoring (seconds, not the refit's
minutes), so a change to the fit (`FITS`) or to how a segment's flags combine (`COMBINES`)
can be judged before the refit:

- the tune part split in two, the weights fit as `--write-defaults` fits them (the
  catalogues' fit half and LibreOffice's help, when DIR holds it) with one half,
  the riskiest 1% (1 wrong row in 72, `flag_quality.top_share`) measured on the other
  half, both ways, over five splits: by document (`doc_cv`), and with each planted row
  going with its variant (a table row's phrase, a rule's name) so that the half measured
  holds phrases the fit never saw, as the heldout part does (`variant_cv`); the mean, and
  how many of the ten halves it beats the shipped way on;
- the tune part in the fit (`tune_in_fit`) and the catalogues' test half (`catalogue_test`);
- with `--heldout`, the heldout part's riskiest 1%: a total only, never a row (issue 22 allows
  a few looks while tuning; take them last).

    .venv/bin/python benchmarks/flag_quality.py --write-defaults --keep /tmp/fq
    .venv/bin/python benchmarks/risk_cv.py /tmp/fq --combine spot_max
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import flag_quality as fq  # noqa: E402
from common import emit_report, mt_corpus_dir  # noqa: E402

from mtreview import calibration  # noqa: E402
from mtreview.analysis.highlight import combined_risk  # noqa: E402
from mtreview.flags import Flag  # noqa: E402
from mtreview.mqm import load_typology  # noqa: E402
from mtreview.settings import Settings  # noqa: E402

Key = calibration.SegmentKey
Weights = Mapping[str, float]
SPLITS = ("", "a", "b", "c", "d")  # salts of the five two-way splits
SCALE = Settings().risk_flag_scale
TYPOLOGY = load_typology(Settings().mqm_typology)


class Part:
    """One scored corpus: flags and planted spans by key, keys in row order."""

    def __init__(
        self,
        flags: Mapping[Key, tuple[Flag, ...]],
        spans: Mapping[Key, tuple[calibration.ReviewSpan, ...]],
    ) -> None:
        self.flags, self.spans = flags, spans

    def subset(self, keep: Callable[[Key], bool]) -> Part:
        return Part(
            {k: v for k, v in self.flags.items() if keep(k)},
            {k: v for k, v in self.spans.items() if keep(k)},
        )

    def source(self, name: str) -> calibration.FitSource:
        return calibration.FitSource.of(name, self.flags, calibration.Reviews(self.spans))


def read_parts(folder: Path) -> dict[str, Part]:
    """The kept catalogue halves, and the --mt parts and LibreOffice's help with their
    planted spans made again (the category of a span: kind:variant)."""
    parts = {}
    for name in ("fit", "test"):
        reviews = calibration.read_reviews(folder / f"{name}.reviews.jsonl")
        parts[name] = Part(calibration.read_flags(folder / f"{name}.out.jsonl"), reviews.spans)
    root, _versions = fq.mt_packages(mt_corpus_dir())
    rows, _skipped = fq.mt_errors.read_corpus(root)
    planted_parts = {name: fq.mt_part(rows, name)[:2] for name in fq.mt_errors.PARTS}
    if (folder / "help.out.jsonl").is_file():
        planted_parts["help"] = fq.help_part(root)
    for name, (part_rows, planted) in planted_parts.items():
        keys = fq.mt_keys(name, part_rows)
        flags = calibration.read_flags(folder / f"{name}.out.jsonl")
        spans = {
            key: (
                (calibration.ReviewSpan(*key, p.start, p.end, f"{p.kind}:{p.variant}"),)
                if (p := planted.get(row))
                else ()
            )
            for row, key in keys.items()
        }
        parts[name] = Part({key: flags[key] for key in spans}, spans)
    return parts


# --- ways to fit and to combine --------------------------------------------------------------
def mixed(sources: Iterable[calibration.FitSource]) -> dict[str, float]:
    """The shipped fit (`calibration.mixed_weights`)."""
    weights = calibration.mixed_weights(sources, signals=fq.fit_signals())
    return {s: w for s, (w, _f, _h) in weights.items()}


def noisy_or(flags: tuple[Flag, ...], weights: Weights) -> float:
    """The shipped risk (`highlight.combined_risk`), without models."""
    return combined_risk(0.0, flags, SCALE, TYPOLOGY, weights)


def spot_max(flags: tuple[Flag, ...], weights: Weights) -> float:
    """Flags that overlap are one spot whose witnesses combine (each signal once); spots
    apart do not add up: the riskiest spot is the segment's risk."""
    best, spot, end = 0.0, [], -1
    for flag in [*sorted(flags, key=lambda f: (f.start, -f.end)), None]:
        if flag is not None and flag.start < end:
            spot.append(flag)
            end = max(end, flag.end)
            continue
        if spot:
            best = max(best, noisy_or(tuple(spot), weights))
        if flag is not None:
            spot, end = [flag], flag.end
    return best


FITS: dict[str, Callable[[Iterable[calibration.FitSource]], dict[str, float]]] = {"mixed": mixed}
COMBINES: dict[str, Callable[[tuple[Flag, ...], Weights], float]] = {
    "noisy_or": noisy_or,
    "spot_max": spot_max,
}


# --- measuring ---------------------------------------------------------------------------
def mt_top(part: Part, weights: Weights, combine: Callable[..., float]) -> float:
    """`flag_quality.top_share` at 1 in 72, rows in order, planted rows dealt as it does."""
    keys = list(part.spans)
    risk = {i: combine(part.flags[k], weights) for i, k in enumerate(keys)}
    planted = [i for i, k in enumerate(keys) if part.spans[k]]
    clean = [i for i, k in enumerate(keys) if not part.spans[k]]
    return fq.top_at_error_share(risk, clean, planted)


def catalogue_top(part: Part, weights: Weights, combine: Callable[..., float]) -> float:
    keys = list(part.spans)
    risk = {k: combine(part.flags[k], weights) for k in keys}
    order = {k: i for i, k in enumerate(keys)}
    top = sorted(keys, key=lambda k: (-risk[k], order[k]))[: max(1, len(keys) // 100)]
    return sum(1 for k in top if part.spans[k]) / len(top)


def halves(part: Part, salt: str, by_variant: bool) -> list[tuple[Part, Part]]:
    """Both ways of one two-way split of the tune part: (fit on, measured on)."""

    def side(key: Key) -> int:
        spans = part.spans[key]
        name = spans[0].category if by_variant and spans else key[0]
        return hashlib.sha1((salt + name).encode()).digest()[0] % 2

    sides = {key: side(key) for key in part.spans}

    def on(chosen: int) -> Part:
        return part.subset(lambda key: sides[key] == chosen)

    return [(on(1 - s), on(s)) for s in (0, 1)]


def cross_check(parts: dict[str, Part], fit: str, combine: str) -> dict[str, Any]:
    fixed = [parts["fit"].source("catalogues-fit")]
    if "help" in parts:
        fixed.append(parts["help"].source("lo-help"))
    report: dict[str, Any] = {}
    for label, by_variant in (("doc_cv", False), ("variant_cv", True)):
        ours, shipped = [], []
        for salt in SPLITS:
            for train, measured in halves(parts["tune"], salt, by_variant):
                sources = (*fixed, train.source("mt-tune"))
                ours.append(mt_top(measured, FITS[fit](sources), COMBINES[combine]))
                shipped.append(mt_top(measured, mixed(sources), noisy_or))
        report[label] = {
            "mean": round(sum(ours) / len(ours), 4),
            "shipped_mean": round(sum(shipped) / len(shipped), 4),
            "better_worse_halves": [
                sum(a > b for a, b in zip(ours, shipped, strict=True)),
                sum(a < b for a, b in zip(ours, shipped, strict=True)),
            ],
        }
    weights = FITS[fit]((*fixed, parts["tune"].source("mt-tune")))
    report["tune_in_fit"] = round(mt_top(parts["tune"], weights, COMBINES[combine]), 4)
    report["catalogue_test"] = round(catalogue_top(parts["test"], weights, COMBINES[combine]), 4)
    report["weights"] = weights
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a flag_quality.py --write-defaults --keep")
    parser.add_argument("--fit", choices=sorted(FITS), default="mixed")
    parser.add_argument("--combine", choices=sorted(COMBINES), default="noisy_or")
    parser.add_argument("--heldout", action="store_true", help="its riskiest 1%%: a total")
    parser.add_argument("--json", help="write the figures here as JSON")
    args = parser.parse_args()
    parts = read_parts(args.folder)
    report = {"fit": args.fit, "combine": args.combine}
    report.update(cross_check(parts, args.fit, args.combine))
    weights = report.pop("weights")
    if args.heldout:
        report["heldout"] = round(mt_top(parts["heldout"], weights, COMBINES[args.combine]), 4)
    return emit_report(report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
