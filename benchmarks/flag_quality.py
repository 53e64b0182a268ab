"""Flags on human translations: false alarms, recall on injected errors, risk ranking, speed.

The French gettext catalogues of this machine (human en→fr translations) are split by
catalogue into two halves. Each half gets known errors planted in about 1.4% of its rows
(`mtreview.testing.injected`: doubled and swapped words, a space before a comma, a broken
participle agreement, a dropped placeholder, a changed number, an untranslated row, lost
end punctuation). Both halves are scored with `mtreview score --no-models` (rules, the
French model's checks, Grammalecte) as a user would; the "fit" half's planted spans are the
reviews `mtreview calibrate --fit` learns the risk weights from, and the "test" half is
measured with those weights:

- false alarms per 100 clean rows (every flag on a row with nothing planted),
- recall on the planted errors, by kind (a flag overlapping the planted span),
- precision of the flags (flags overlapping a planted span / all flags),
- precision of the top 1% of rows by risk (planted rows among them),
- segments per second of the scoring run (rules and grammar; spaCy separately).

    .venv/bin/python benchmarks/flag_quality.py                      # both halves, ~5 min
    .venv/bin/python benchmarks/flag_quality.py --write-defaults     # also refresh the
        shipped weights (mtreview/data/flag_weights.tsv) from the fit half
    .venv/bin/python benchmarks/flag_quality.py --limit 4000 --no-grammar   # quick look
"""

from __future__ import annotations

import argparse
import collections
import glob
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtreview import calibration  # noqa: E402
from mtreview.analysis.weights import TABLE, write_table  # noqa: E402
from mtreview.cli import main as mtreview_main  # noqa: E402
from mtreview.testing.injected import (  # noqa: E402
    CATALOGUE_GLOB,
    INJECTORS,
    Injected,
    Pair,
    inject,
    read_catalogues,
)

ERROR_SHARE = 1 / 72  # ~500 planted errors in the ~36k strings, as in issue 14


def catalogue_halves(pattern: str) -> dict[str, list[Pair]]:
    """The catalogues' pairs, each in its half (`half_of`): "fit" and "test"."""
    pairs = read_catalogues(Path(p) for p in glob.glob(pattern))
    if not pairs:
        raise SystemExit(f"no catalogues match {pattern}")
    halves: dict[str, list[Pair]] = {"fit": [], "test": []}
    for pair in pairs:
        halves[half_of(pair)].append(pair)
    return halves


def half_of(pair: Pair) -> str:
    digest = hashlib.sha1(pair.catalogue.encode()).digest()
    return "fit" if digest[0] % 2 == 0 else "test"


def write_corpus(
    folder: Path, name: str, pairs: list[Pair], planted: dict[int, Injected]
) -> dict[int, tuple[str, int]]:
    """One JSONL file a catalogue (a user scores a batch of files; each keeps its own
    conventions) under folder/name/, and the reviews file: every row reviewed, the planted
    span its error. Returns row -> (doc, segment id)."""
    (folder / name).mkdir(parents=True, exist_ok=True)
    keys: dict[int, tuple[str, int]] = {}
    files: dict[str, Any] = {}
    try:
        for index, pair in enumerate(pairs):
            doc = f"{name}-{pair.catalogue}"
            if doc not in files:
                files[doc] = [(folder / name / f"{doc}.jsonl").open("w", encoding="utf-8"), 0]
            handle = files[doc]
            text = planted[index].translation if index in planted else pair.translation
            handle[0].write(json.dumps({"source": pair.source, "translation": text}) + "\n")
            keys[index] = (doc, handle[1])
            handle[1] += 1
    finally:
        for handle, _count in files.values():
            handle.close()
    with (folder / f"{name}.reviews.jsonl").open("w", encoding="utf-8") as reviews:
        for index in range(len(pairs)):
            doc, segment = keys[index]
            record: dict[str, Any] = {"doc": doc, "segment_id": segment}
            if index in planted:
                error = planted[index]
                record.update(start=error.start, end=error.end, category=error.kind)
            reviews.write(json.dumps(record) + "\n")
    return keys


def score(folder: Path, name: str, config: Path, extra: list[str]) -> dict[str, Any]:
    out, summary = folder / f"{name}.out.jsonl", folder / f"{name}.summary.json"
    inputs = sorted(str(path) for path in (folder / name).glob("*.jsonl"))
    argv = ["score", *inputs, "--no-models", "--no-cache"]
    argv += ["-o", str(out), "--summary", str(summary), "--config", str(config), *extra]
    started = time.perf_counter()
    if mtreview_main(argv) != 0:
        raise SystemExit(f"mtreview score failed on {name}")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "out": out, **json.loads(summary.read_text())}


def measure(
    folder: Path, name: str, planted: dict[int, Injected], keys: dict[int, tuple[str, int]]
) -> dict[str, Any]:
    """The figures of one scored half (see the module docstring)."""
    by_key = calibration.read_flags(folder / f"{name}.out.jsonl")
    flags = {(name, row): by_key[key] for row, key in keys.items()}
    risk_by_key = {}
    for line in (folder / f"{name}.out.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        risk_by_key[record["doc"], record["segment_id"]] = record["risk"]
    risks = {row: risk_by_key[key] for row, key in keys.items()}
    rows = len(risks)
    clean = [i for i in range(rows) if i not in planted]
    false_alarms = sum(len(flags[(name, i)]) for i in clean)
    by_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    hits = 0
    for index, error in planted.items():
        found = any(
            flag.start < error.end and error.start < flag.end for flag in flags[(name, index)]
        )
        by_kind[error.kind][0] += found
        by_kind[error.kind][1] += 1
        hits += found
    good_flags = sum(
        1
        for index, error in planted.items()
        for flag in flags[(name, index)]
        if flag.start < error.end and error.start < flag.end
    )
    all_flags = sum(len(f) for f in flags.values())
    top = sorted(range(rows), key=lambda i: (-risks[i], i))[: max(1, rows // 100)]
    by_origin = collections.Counter(
        origin for i in clean for flag in flags[(name, i)] for origin in flag.origins
    )
    return {
        "rows": rows,
        "planted": len(planted),
        "false_alarms_per_100_clean": round(100 * false_alarms / max(1, len(clean)), 2),
        "flagged_clean_rows_percent": round(
            100 * sum(1 for i in clean if flags[(name, i)]) / max(1, len(clean)), 2
        ),
        "recall": round(hits / max(1, len(planted)), 4),
        "recall_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "flag_precision": round(good_flags / max(1, all_flags), 4),
        "top_1_percent": len(top),
        "top_1_percent_precision": round(sum(1 for i in top if i in planted) / len(top), 4),
        "false_alarms_by_origin": dict(by_origin.most_common(12)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalogues", default=CATALOGUE_GLOB, help="glob of .mo files")
    parser.add_argument("--limit", type=int, default=0, help="at most this many rows a half")
    parser.add_argument("--no-grammar", action="store_true", help="rules and spaCy only")
    parser.add_argument("--write-defaults", action="store_true", help="ship the fitted weights")
    parser.add_argument("--keep", help="keep the corpora and outputs in this folder")
    parser.add_argument("--json", help="write the figures here as JSON")
    args = parser.parse_args()

    halves = catalogue_halves(args.catalogues)
    catalogue_rows = sum(len(rows) for rows in halves.values())
    if args.limit:
        halves = {name: rows[: args.limit] for name, rows in halves.items()}
    with tempfile.TemporaryDirectory(prefix="mtreview-flags-") as scratch:
        folder = Path(args.keep or scratch)  # the corpora and outputs go with it unless kept
        folder.mkdir(parents=True, exist_ok=True)
        report = run(args, halves, folder)
    report = {"catalogue_rows": catalogue_rows, **report}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


def run(args: argparse.Namespace, halves: dict[str, list[Pair]], folder: Path) -> dict[str, Any]:
    """Score both halves under folder, fit the weights on one, measure both."""
    extra = ["--no-grammar"] if args.no_grammar else []
    report: dict[str, Any] = {"kinds": list(INJECTORS)}
    planted = {
        name: inject(rows, round(len(rows) * ERROR_SHARE), seed=14 + i)
        for i, (name, rows) in enumerate(halves.items())
    }
    keys = {name: write_corpus(folder, name, rows, planted[name]) for name, rows in halves.items()}

    # 1. the fit half with the shipped weights; learn weights from its planted spans
    config = folder / "fit.toml"
    config.write_text("[mtreview]\n", encoding="utf-8")
    fit_run = score(folder, "fit", config, extra)
    fitted = folder / "fitted.toml"
    fitted.write_text("[mtreview]\n", encoding="utf-8")
    fit_args = ["calibrate", str(folder / "fit.reviews.jsonl"), "--analysis"]
    fit_args += [str(fit_run["out"]), "--fit", "--config", str(fitted)]
    if mtreview_main(fit_args) != 0:
        raise SystemExit("mtreview calibrate --fit failed")
    report["fit"] = {
        "seconds": round(fit_run["seconds"], 1),
        **measure(folder, "fit", planted["fit"], keys["fit"]),
    }
    # 2. the test half, ranked with the weights learnt on the fit half
    test_run = score(folder, "test", fitted, extra)
    report["test"] = {
        "seconds": round(test_run["seconds"], 1),
        "segments_per_second": round(test_run["segments"] / test_run["seconds"], 1),
        **measure(folder, "test", planted["test"], keys["test"]),
    }
    if args.write_defaults:
        table = ROOT / "mtreview" / "data" / TABLE
        write_table(calibration.read_weights(fitted), table)
        report["defaults_written"] = str(table.relative_to(ROOT))
    return report


if __name__ == "__main__":
    raise SystemExit(main())
