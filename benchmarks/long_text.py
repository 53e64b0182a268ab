"""Long and hostile text: reading and sentence splitting must cost linear time and memory
bounded by the longest segment allowed (max_segment_chars), whatever the file's size.

Each measurement runs in a fresh process: the time to read and split a file with the
default (pysbd) splitter, and the peak resident memory above what the process held once
its imports were done. Texts: the shipped news article repeated (`article`), one paragraph
with no sentence end (`no-end`) and one word with no space (`one-word`).

    .venv/bin/python benchmarks/long_text.py                      # 1, 10 and 100 MB
    .venv/bin/python benchmarks/long_text.py --sizes 1 10 --kinds no-end
    .venv/bin/python benchmarks/long_text.py --score --sizes 1 10  # mtreview score too
    .venv/bin/python benchmarks/long_text.py --upload --sizes 5 20 --kinds article

Prints seconds per MB (flat: linear), the memory growth (flat: bounded), and ratios against
the smallest size: time, size and peak memory. `--upload`
measures the app's import of a file instead (`import_upload`: the whole document is read,
analysed without models and stored, so its memory grows with the file; the app's upload
limit, `max_upload_mb`, bounds it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "kaztag-ngo-pressure.fr.txt"
MB = 1_000_000


def make_text(kind: str, size: int, path: Path) -> None:
    """`size` bytes of UTF-8 of one kind, written in pieces (never whole in memory)."""
    rng = random.Random(0)
    article = ARTICLE.read_text(encoding="utf-8")
    words = article.replace(".", "").replace("!", "").replace("?", "").split()
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            if kind == "article":
                piece = article + "\n\n"
            elif kind == "no-end":
                piece = " ".join(rng.choice(words) for _ in range(2000)) + " "
            else:
                piece = "a" * 65536
            piece = piece[: size - written] if len(piece.encode()) > size - written else piece
            out.write(piece)
            written += len(piece.encode())


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def read_in_child(path: str) -> None:
    """Child process: read and split `path`, print seconds, segments, memory."""
    from mtreview.readers import iter_segments
    from mtreview.segmentation import make_splitter

    splitter = make_splitter()
    list(iter_segments(ARTICLE, splitter=splitter))  # warm: imports and pysbd's rules
    before = _rss_kb()
    started = time.perf_counter()
    count = longest = 0
    for segment in iter_segments(path, splitter=splitter):
        count += 1
        longest = max(longest, len(segment.text))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"seconds": seconds, "segments": count, "longest": longest}
    print(json.dumps({**result, "peak_mb": peak / 1024, "growth_mb": (peak - before) / 1024}))


def upload_in_child(path: str) -> None:
    """Child process: the app's import of an uploaded file, into a fresh store."""
    import tempfile

    from mtreview.analysis import Models
    from mtreview.settings import Settings
    from mtreview.store import ReviewStore
    from mtreview.ui.loading import ModelState, import_upload

    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(use_models=False, grammar=False, cache_dir=folder, max_upload_mb=200)
        with ReviewStore(Path(folder) / "s.db") as store:
            before = _rss_kb()
            started = time.perf_counter()
            doc_id = import_upload(store, "upload.txt", data, settings, ModelState(Models(), "-"))
            seconds = time.perf_counter() - started
            count = store.document(doc_id).segments
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"seconds": seconds, "segments": count, "longest": 0}
    print(json.dumps({**result, "peak_mb": peak / 1024, "growth_mb": (peak - before) / 1024}))


def measure(path: Path, mode: str = "--child") -> dict[str, float]:
    command = [sys.executable, __file__, mode, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def measure_score(path: Path, work: Path) -> dict[str, float]:
    """`mtreview score --no-models --no-grammar` as a user runs it: time and peak RSS."""
    out = work / "out.jsonl"
    command = [sys.executable, "-m", "mtreview.cli", "score", str(path), "--no-models"]
    command += ["--no-grammar", "--no-cache", "-o", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"score failed: {error}")
    out.unlink()
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 100], help="MB")
    parser.add_argument("--kinds", nargs="+", default=["article", "no-end", "one-word"])
    parser.add_argument("--score", action="store_true", help="also time mtreview score")
    parser.add_argument("--work", default="/tmp/mtreview-long-text", help="scratch folder")
    parser.add_argument("--upload", action="store_true", help="the app's import instead")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--upload-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        read_in_child(args.child)
        return
    if args.upload_child:
        upload_in_child(args.upload_child)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    header = f"{'text':<10} {'MB':>5} {'segments':>9} {'longest':>8} {'s':>8} {'s/MB':>6} "
    header += f"{'peak MB':>8} {'growth MB':>9} {'time x':>7} {'size x':>7} {'peak x':>7}"
    print(header + ("  score s  s/MB  peak MB  time x" if args.score else ""))
    for kind in args.kinds:
        first: dict[str, float] = {}
        for size in args.sizes:
            path = work / f"{kind}-{size:g}MB.txt"
            make_text(kind, int(size * MB), path)
            found = measure(path, "--upload-child" if args.upload else "--child")
            first = first or {**found, "size": size}
            line = (
                f"{kind:<10} {size:>5g} {found['segments']:>9} {found['longest']:>8} "
                f"{found['seconds']:>8.1f} {found['seconds'] / size:>6.2f} "
                f"{found['peak_mb']:>8.0f} {found['growth_mb']:>9.1f} "
                f"{found['seconds'] / first['seconds']:>7.1f} {size / first['size']:>7.1f} "
                f"{found['peak_mb'] / first['peak_mb']:>7.2f}"
            )
            if args.score:
                scored = measure_score(path, work)
                first.setdefault("score_seconds", scored["seconds"])
                line += (
                    f"  {scored['seconds']:>7.1f} {scored['seconds'] / size:>5.2f} "
                    f"{scored['peak_mb']:>8.0f} {scored['seconds'] / first['score_seconds']:>7.1f}"
                )
            print(line, flush=True)
            path.unlink()
    print(
        "time x and size x: against the smallest size (linear: equal); peak x: its peak "
        "resident memory against the smallest size's (bounded: about 1)"
    )


if __name__ == "__main__":
    main()
