"""Peak memory of `mtreview export` from a real SQLite store: 10k vs 100k segments.

Builds one store holding two documents (10,000 and 100,000 Russian→French segments, one in
ten annotated, one in five corrected, with analyses), by importing a generated reviews
file. Then every format is exported from each document in a fresh child process that
measures its Python heap peak during the export (tracemalloc) and the process's peak
resident set (ru_maxrss, imports included).
Flat memory shows as a big/small ratio near 1 while the output grows tenfold.

.venv/bin/python benchmarks/export_memory.py [--segments 100000] [--small 10000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Segment
from mtreview.export import EXPORTERS, ExportOptions, export_to_path
from mtreview.flags import Flag
from mtreview.store import ReviewStore
from mtreview.store.backup import import_reviews

WORDS = (
    "le la des une pression organisations image internationale Kazakhstan réforme «» & <b>".split()
)
STAMP = "2026-01-02T03:04:05.000006+00:00"


def sentence(n: int) -> str:
    words = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(8 + n % 9)]
    return " ".join(words).capitalize() + f" n°{n} 😀."


def analysis(doc: str, n: int, start: int, text: str) -> dict[str, Any]:
    segment = Segment(doc, n, n, start, start + len(text), text, source=f"Источник {n}.")
    flag = Flag(0, 2, "Fluency/Grammar", "minor", ("rule:bench",), "?")
    return SegmentAnalysis(segment=segment, flags=(flag,), risk=(n % 97) / 97).to_record()


def write_reviews(path: Path, docs: dict[str, int]) -> None:
    """A reviews file (the import format) with annotations and corrections sprinkled in."""
    with path.open("w", encoding="utf-8") as out:

        def put(record: dict[str, Any]) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        put({"type": "header", "format": "mtreview-reviews", "version": 1})
        for doc, count in docs.items():
            texts = [sentence(n) for n in range(count)]
            original = "\n".join(texts)
            put({"type": "document", "doc": doc, "name": f"{doc}.tsv", "lang": "fr",
                 "source_lang": "ru", "format": "tsv", "original": original,
                 "segments": count, "words": len(original.split()), "analysis_info": {},
                 "created_at": STAMP})  # fmt: skip
            start = 0
            for n, text in enumerate(texts):
                where = {"doc": doc, "segment": n}
                reviewed = n % 5 == 0
                put({"type": "segment", **where, "paragraph": n, "start": start,
                     "end": start + len(text), "line": n + 2, "text": text,
                     "source": f"Источник {n}.", "reference": None,
                     "reviewed_by": "zoé" if reviewed else None,
                     "reviewed_at": STAMP if reviewed else None,
                     "analysis": {"risk": (n % 97) / 97, "created_at": STAMP,
                                  "record": analysis(doc, n, start, text)}})  # fmt: skip
                start += len(text) + 1
                if n % 10 == 0:
                    put({"type": "annotation", **where, "start": 0, "end": 2, "category":
                         "Accuracy/Mistranslation", "severity": "major", "comment": "<faux> &",
                         "origin": "reviewer", "reviewer": "zoé", "created_at": STAMP,
                         "updated_at": STAMP})  # fmt: skip
                if reviewed:
                    put({"type": "correction", **where, "version": 1,
                         "text": text.replace("😀", "✓"), "reviewer": "zoé",
                         "created_at": STAMP})  # fmt: skip


def measure(db: str, fmt: str, doc: str, out: str) -> dict[str, Any]:
    """In a fresh process: export once, report heap peak and RSS growth."""
    store = ReviewStore(db)
    store.documents()  # engine and imports warm before the baseline
    tracemalloc.start()
    began = time.perf_counter()
    summary = export_to_path(store, fmt, out, ExportOptions(docs=(doc,)))
    seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the process's peak, in KiB
    size = sum(Path(p).stat().st_size for p in summary.paths)
    return {"segments": summary.segments, "seconds": seconds, "peak": peak,
            "rss": rss * 1024, "bytes": size}  # fmt: skip


def run(db: str, fmt: str, doc: str, out: Path) -> dict[str, Any]:
    """One export in a fresh interpreter, so its peak is its own."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(measure, db, fmt, doc, str(out)).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--formats", nargs="+", default=list(EXPORTERS), choices=list(EXPORTERS))
    args = parser.parse_args()
    mib = 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="mtreview-bench-") as folder:
        tmp = Path(folder)
        began = time.perf_counter()
        write_reviews(tmp / "in.jsonl", {"small": args.small, "big": args.segments})
        with ReviewStore(tmp / "store.db") as store:
            import_reviews(store, tmp / "in.jsonl")
        print(f"store built: {args.small:,} + {args.segments:,} segments "
              f"in {time.perf_counter() - began:.0f} s")  # fmt: skip
        print(f"{'format':<8} {'segments':>9} {'output MiB':>10} {'seconds':>8} "
              f"{'heap peak MiB':>13} {'peak RSS MiB':>12} {'heap big/small':>14}")  # fmt: skip
        for fmt in args.formats:
            small = run(str(tmp / "store.db"), fmt, "small", tmp / f"small.{fmt}")
            big = run(str(tmp / "store.db"), fmt, "big", tmp / f"big.{fmt}")
            for result in (small, big):
                print(f"{fmt:<8} {result['segments']:>9,} {result['bytes'] / mib:>10.1f} "
                      f"{result['seconds']:>8.1f} {result['peak'] / mib:>13.1f} "
                      f"{result['rss'] / mib:>12.1f}", end="")  # fmt: skip
                print(f" {big['peak'] / small['peak']:>14.2f}" if result is big else "")
            for path in tmp.glob("*.*"):
                if path.name.startswith(("small.", "big.")):
                    path.unlink()


if __name__ == "__main__":
    main()
