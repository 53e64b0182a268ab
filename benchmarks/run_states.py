"""Where a run waits: how often `mtreview score`'s process and its forked check worker sleep.

Wall seconds on a shared machine follow other people's load; whether a run's own
processes wait on each other does not (much). This samples, every 0.1 s from the first
child process (a check worker or Grammalecte) to the end, the scheduler state of the run's
process and of its forked worker (`R` running or runnable, `S` asleep: waiting for a
piece, Grammalecte or the disk) and whether a Grammalecte process runs, for `--threads 2`
over check_speed.py's `--corpus mt` input (the tune part; nothing planted), with each
checkout's code in turn (`--against DIR`, `--rounds N`). Linux only (/proc).

    .venv/bin/python benchmarks/run_states.py --against ../main --rounds 2
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from check_speed import mt_documents, write_documents  # noqa: E402


def state(pid: int) -> str | None:
    """The scheduler state letter of a process, None once gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2]


def children(pid: int) -> dict[int, list[bytes]]:
    """The direct children of a process and their command lines."""
    try:
        pids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return {}
    found = {}
    for child in map(int, pids):
        try:
            found[child] = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
    return found


def sample_run(code: Path, inputs: list[Path], out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "mtreview.cli", "score", *map(str, inputs)]
    command += ["--no-models", "--no-cache", "--threads", "2", "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    wall = time.perf_counter()
    run = subprocess.Popen(
        command, env=env, cwd=out.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    main: collections.Counter[str | None] = collections.Counter()
    worker: collections.Counter[str | None] = collections.Counter()
    grammar = samples = 0
    while run.poll() is None:
        kids = children(run.pid)
        grammalecte = [k for k, line in kids.items() if any(b"grammalecte" in a for a in line)]
        forked = [k for k in kids if k not in grammalecte]
        if samples or kids:
            samples += 1
            main[state(run.pid)] += 1
            worker.update(state(k) for k in forked)
            grammar += bool(grammalecte)
        time.sleep(0.1)
    if run.returncode != 0:
        raise SystemExit(f"mtreview score failed with status {run.returncode}")

    def share(counts: collections.Counter[str | None], letter: str) -> float:
        return round(counts[letter] / max(1, sum(counts.values())), 3)

    return {
        "wall_s": round(time.perf_counter() - wall, 2),
        "samples": samples,
        "main_asleep": share(main, "S"),
        "worker_asleep": share(worker, "S"),
        "grammalecte_running": round(grammar / max(1, samples), 3),
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path, help="also sample another checkout's code")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    codes = [("this checkout", ROOT)]
    if args.against:
        codes.append((f"--against {args.against}", args.against.resolve()))
    with tempfile.TemporaryDirectory(prefix="mtreview-states-") as scratch:
        inputs = write_documents(Path(scratch) / "in", mt_documents(None))
        for round_ in range(args.rounds):
            for index, (label, code) in enumerate(codes):
                row = sample_run(code, inputs, Path(scratch) / f"out-{index}-{round_}.jsonl")
                print(json.dumps({"code": label, **row}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
