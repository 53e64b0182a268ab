"""How long each run of the page script takes, for the benchmarks: with
`MTREVIEW_TIMING_LOG=FILE` every run appends one JSON line to FILE: `at`, `seconds` (wall
time) and `cpu` (the script thread's CPU time: what the run cost, however busy the machine)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable


def timed(run: Callable[[], None]) -> None:
    path = os.environ.get("MTREVIEW_TIMING_LOG")
    if not path:
        run()
        return
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        run()
    finally:  # a rerun or stop ends the script with an exception: it ran all the same
        entry = {
            "at": time.time(),
            "seconds": round(time.perf_counter() - started, 6),
            "cpu": round(time.thread_time() - cpu, 6),
        }
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
