"""How long each run of the page script takes, for the benchmarks: with the `timing_log`
setting (`MTREVIEW_TIMING_LOG=FILE`) every run appends one JSON line to FILE: `at`,
`seconds` (wall time), `cpu` (the script thread's CPU time: what the run cost, however
busy the machine), and `statements` and `transactions`: what the store sent its database
during the run, its callbacks included (`mtreview.store.counting`, switched on with the
log)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from mtreview.store.counting import taken


def timed(log: str, run: Callable[[], None]) -> None:
    """`run()`, and its times appended to the file `log` when one is named."""
    if not log:
        run()
        return
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        run()
    finally:  # a rerun or stop ends the script with an exception: it ran all the same
        counted = taken()  # since this thread's last run: this run's callbacks and page
        entry = {
            "at": time.time(),
            "seconds": round(time.perf_counter() - started, 6),
            "cpu": round(time.thread_time() - cpu, 6),
            "statements": counted.statements,
            "transactions": counted.transactions,
        }
        with open(log, "a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")
