"""The long run of the faces fuzz (tests/test_fuzz_faces.py): command-line options, file
names, settings files and variables, model directories, damaged partial outputs and
colliding outputs, with counts by outcome.

    .venv/bin/python benchmarks/fuzz_faces.py                 # 2,000 cases a face (11,728)
    .venv/bin/python benchmarks/fuzz_faces.py --examples 200 --workers 1
    .venv/bin/python benchmarks/fuzz_faces.py --json fuzz.json

Each face runs as its own pytest process (`--workers` at once), with hypothesis' seed fixed
per face (`--seed`), so a rerun generates the same cases. Every case must exit 0 with what
it promised or 2 with one line: a traceback, a hang (60 s), an input changed, a leftover or
a refusal that deleted something fails its face and is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = {
    "options": "test_any_option_of_any_command",
    "file names": "test_any_file_name",
    "settings": "test_any_settings",
    "outputs": "test_outputs_never_destroy",
    "partials": "test_any_partial_output",
    "model directories": "test_any_model_directory",
}
COUNTS = re.compile(r"fuzz faces: (\d+) generated cases \((.*)\)")


def run_face(name: str, examples: int, seed: int) -> dict[str, object]:
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
               f"tests/test_fuzz_faces.py::{FACES[name]}", f"--hypothesis-seed={seed}"]  # fmt: skip
    env = {**os.environ, "MTREVIEW_FUZZ_EXAMPLES": str(examples)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    found = COUNTS.search(done.stdout)
    outcomes = {}
    if found:
        for part in found.group(2).split(", "):
            label, _, count = part.rpartition(" ")
            outcomes[label] = int(count)
    return {
        "face": name,
        "passed": done.returncode == 0,
        "cases": int(found.group(1)) if found else 0,
        "outcomes": outcomes,
        "seconds": round(time.monotonic() - started, 1),
        "failure": "" if done.returncode == 0 else done.stdout[-4000:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="cases per face")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--faces", nargs="+", choices=sorted(FACES), default=list(FACES))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    with ThreadPoolExecutor(args.workers) as pool:
        results = list(pool.map(lambda face: run_face(face, args.examples, args.seed), args.faces))
    total = sum(int(r["cases"]) for r in results)  # type: ignore[call-overload]
    print(f"{'face':<18} {'cases':>6} {'exit 0':>7} {'exit 2':>7} {'seconds':>8}  result")
    for r in results:
        outcomes: dict[str, int] = r["outcomes"]  # type: ignore[assignment]
        zero = sum(v for k, v in outcomes.items() if k.endswith("exit 0"))
        two = sum(v for k, v in outcomes.items() if k.endswith("exit 2"))
        verdict = "held" if r["passed"] else "FAILED"
        print(f"{r['face']:<18} {r['cases']:>6} {zero:>7} {two:>7} {r['seconds']:>8}  {verdict}")
    print(f"{'all':<18} {total:>6}   0 tracebacks, 0 hangs, 0 inputs changed, 0 leftovers"
          if all(r["passed"] for r in results) else f"{'all':<18} {total:>6}   FAILED")  # fmt: skip
    for r in results:
        if not r["passed"]:
            print(f"\n--- {r['face']} ---\n{r['failure']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
