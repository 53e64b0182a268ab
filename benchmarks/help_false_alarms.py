"""False alarms of every default check on LibreOffice's help, halved by page.

Why: the pre-registered fresh set (`fresh_errors.py`) found 9.46 false alarms per 100 clean
rows on LibreOffice's help against 3.91 on the machine-translation-like set; fixing them by
looking at the same rows that measure them would tune to the text. So the help's pages are
split in two by the SHA-1 of the page name: "look" (first hex digit < 8) is the half whose
rows and flags one may read to find causes, "check" the half whose rows are never printed,
only its totals, measured before and after a change. No error is planted: every row is the
shipped translation, every flag counts as a false alarm (the help has a few real errors,
the same on both sides of a change).

    .venv/bin/python benchmarks/help_false_alarms.py --keep DIR     # ~3 min on 2 cores
    .venv/bin/python benchmarks/help_false_alarms.py --keep DIR --look 40  # print look rows
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import flag_quality as fq  # noqa: E402
from common import emit_report, mt_corpus_dir  # noqa: E402

from mtreview import calibration  # noqa: E402
from mtreview.testing import mt_errors  # noqa: E402


def half(page: str) -> str:
    """The half, "look" or "check", by the page name's SHA-1 (stable, not chosen by content)."""
    return "look" if hashlib.sha1(page.encode()).hexdigest()[0] < "8" else "check"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="leave (or reuse with --reuse) the scored files here")
    parser.add_argument("--reuse", action="store_true", help="read the kept scores, not rescore")
    parser.add_argument("--look", type=int, default=0, help="print this many look-half flags")
    parser.add_argument("--origin", default="", help="with --look: only flags of this origin")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    root, versions = fq.mt_packages(mt_corpus_dir(), mt_errors.HELP_PACKAGES)
    rows = mt_errors.read_help(root, rows=10**9)
    report: dict[str, Any] = {"packages": versions, "rows": len(rows)}
    with tempfile.TemporaryDirectory(prefix="mtreview-helpfa-") as scratch:
        work = Path(args.keep or scratch)
        work.mkdir(parents=True, exist_ok=True)
        config = fq.shipped_config(work)
        if args.reuse:
            keys = fq.mt_keys("help", rows)
        else:
            keys = fq.write_mt_corpus(work, "help", rows, {})
            report["seconds"] = round(fq.score(work, "help", config, [])["seconds"], 1)
        by_key = calibration.read_flags(work / "help.out.jsonl")
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    totals: collections.Counter[str] = collections.Counter()
    shown = 0
    for index, row in enumerate(rows):
        side = half(row.doc)
        totals[side] += 1
        flags = by_key[keys[index]]
        for flag in flags:
            counts[side][flag.origins[0]] += 1
        if side == "look" and shown < args.look:
            mine = [f for f in flags if not args.origin or args.origin in f.origins]
            if mine:
                shown += 1
                print(f"\n[{row.doc}] {row.source}\n  FR: {row.translation}")
                for f in mine:
                    print(f"  {f.origins} {row.translation[f.start : f.end]!r}: {f.message}")
    for side in ("look", "check"):
        n = max(1, totals[side])
        report[side] = {
            "rows": totals[side],
            "false_alarms_per_100": round(100 * sum(counts[side].values()) / n, 2),
            "by_origin": {o: round(100 * c / n, 2) for o, c in counts[side].most_common(12)},
        }
    return emit_report(report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
