"""Round-trip analysis speed: transformers one at a time, batched, CTranslate2 float32/int8.

    .venv/bin/python benchmarks/roundtrip.py --json benchmarks/results.json

Builds (once, cached) two random-weight models with the opus-mt-fr-en architecture, then
runs each path in its own process (its own peak memory) on 25-token inputs with outputs
fixed at 30 tokens, greedy, 2 threads: back-translate, translate back, force-decode the
original, sentence metrics. Also: re-scoring a 1,000-segment document after 10 corrections
(analysis cache) against its first scoring, greedy and with mtreview's default beam size
(4), and the machine's matrix-multiply peak.
Prints a Markdown table and the JSON; `--quick` uses small models (development).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FULL, QUICK, Shape, flops_per_segment

from mtreview.settings import Settings

MEASURE = Path(__file__).resolve().parent / "measure.py"
# path -> (label, most segments to measure)
PATHS = {
    "hf-single": ("transformers, one segment at a time", 40),
    "hf-batched": ("transformers, batched (64)", 256),
    "ct2-float32": ("CTranslate2 float32, batched (64)", 512),
    "ct2-int8": ("CTranslate2 int8, batched (64)", 1024),
}


def measure(*args: str) -> dict[str, Any]:
    """One measurement in a fresh process; its JSON line."""
    done = subprocess.run(
        [sys.executable, str(MEASURE), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"measurement {' '.join(args)} failed (exit {done.returncode})")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(args: argparse.Namespace) -> dict[str, Any]:
    started, load_before = time.perf_counter(), os.getloadavg()
    common = ["--threads", str(args.threads), "--beams", "1"] + (["--quick"] if args.quick else [])
    peak = measure("peak", *common)
    paths = {}
    for name, (_label, most) in PATHS.items():
        budget = str(args.budget)
        paths[name] = measure(
            "roundtrip", "--path", name, "--segments", str(most), "--budget", budget, *common
        )
    document = ["--segments", str(args.document), "--corrections", "10"]
    rescore = measure("rescore", *document, *common)
    beams = str(Settings().num_beams)  # what `mtreview score` does unless told otherwise
    rescore_beams = measure("rescore", *document, *common, "--beams", beams, "--repeats", "3")
    shape = Shape(**(QUICK if args.quick else FULL))
    base = paths["hf-single"]["segments_per_second"]
    for result in paths.values():
        result["ratio"] = round(result["segments_per_second"] / base, 1)
    fastest = max(paths.values(), key=lambda r: r["segments_per_second"])
    flops = flops_per_segment(shape, beams=1)
    ceiling = max(peak["matmul_gflops"].values())
    reached = fastest["segments_per_second"] * flops / 1e9
    return {
        "command": "benchmarks/roundtrip.py" + (" --quick" if args.quick else ""),
        "shape": peak["shape"],
        "threads": args.threads,
        "paths": paths,
        "rescore": rescore,
        "rescore_default_beams": rescore_beams,
        "matmul_peak_gflops": peak["matmul_gflops"],
        "gflop_per_segment": round(flops / 1e9, 2),
        "fastest": fastest["path"],
        "fastest_gflops": round(reached, 1),
        "fraction_of_peak": round(reached / ceiling, 3),
        "targets": {
            "fastest_vs_one_at_a_time": round(fastest["segments_per_second"] / base, 1),
            "fastest_vs_batched_transformers": round(
                fastest["segments_per_second"] / paths["hf-batched"]["segments_per_second"], 1
            ),
            "rescore_speedup": rescore["speedup"],
            "rescore_speedup_default_beams": rescore_beams["speedup"],
        },
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "cpus": os.cpu_count(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        "| path | segments/s | × one at a time | peak memory | segments measured |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (label, _most) in PATHS.items():
        r = result["paths"][name]
        lines.append(
            f"| {label} | {r['segments_per_second']:.2f} | {r['ratio']:.1f}× "
            f"| {r['peak_rss_mb']} MB | {r['segments']} |"
        )
    targets, peak = result["targets"], result["matmul_peak_gflops"]
    lines.append("")
    for key, how in (("rescore", "greedy"), ("rescore_default_beams", "beam 4, the default")):
        rescore = result[key]
        lines.append(
            f"- re-scoring a {rescore['segments']}-segment document after "
            f"{rescore['corrections']} corrections ({how}): {rescore['rescore_seconds']:.2f} s "
            f"(median of {len(rescore['rescore_runs'])}) against "
            f"{rescore['first_seconds']:.1f} s for the first scoring "
            f"(**{rescore['speedup']:.0f}×** faster, analysis cache; peak memory "
            f"{rescore['peak_rss_mb']} MB)"
        )
    lines += [
        f"- fastest path vs one at a time: **{targets['fastest_vs_one_at_a_time']:.0f}×**; "
        f"vs batched transformers: **{targets['fastest_vs_batched_transformers']:.1f}×**",
        f"- matrix-multiply peak (float32, {result['threads']} threads): torch "
        f"{peak['torch']:.0f} GFLOP/s, numpy {peak['numpy']:.0f} GFLOP/s; the fastest path "
        f"does ≈{result['gflop_per_segment']:.1f} GFLOP per segment, i.e. "
        f"{result['fastest_gflops']:.0f} GFLOP/s = {100 * result['fraction_of_peak']:.0f}% "
        "of that float32 peak (int8 arithmetic can go beyond it)",
        f"- load average before/after: {result['load_average']['before']} / "
        f"{result['load_average']['after']} on {result['cpus']} CPUs; "
        f"whole benchmark {result['seconds']:.0f} s",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small models (development)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per path, about")
    parser.add_argument("--document", type=int, default=1000, help="segments to re-score")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    result = run(args)
    text = json.dumps(result, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(table(result) + "\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
