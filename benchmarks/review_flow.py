"""The reviewer's flow, measured (issue 15): a scripted reviewer enters 14 MQM errors with
corrections into the shipped article through the real app in Chromium.

.venv/bin/python benchmarks/review_flow.py                # 3 runs, ~2 minutes
.venv/bin/python benchmarks/review_flow.py --runs 1 --json benchmarks/review_flow.json

Per error: actions (clicks, drags, key presses, scrolls; the typed correction's characters
are not counted), the wait from an action to the end of the script run it started (what
the reviewer waits for the server), the runs alone, and wall time; and the spans and
corrections the store ends up with, checked against the plan. Baseline: the issue's
careful reviewer, about 10 actions and 4–7 s per error before this flow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from mtreview.testing.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app
from mtreview.testing.reviewer import ARTICLE_ERRORS, REVIEWER_ENV, run_flow

BASELINE_ACTIONS = 10.0  # issue 15: 5.7 clicks, 2 drags, 2.8 scrolls per error
BASELINE_SECONDS = 4.0  # issue 15: 4–7 s per error; the low end, to be fair to it


def one_run(browser: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mtreview-flow-") as folder:
        db = Path(folder) / "review.db"
        with streamlit_app(db, Path(folder) / "streamlit.log", **REVIEWER_ENV) as url:
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            page = context.new_page()
            page.set_default_timeout(60_000)
            try:
                return run_flow(page, url, db).as_dict()
            finally:
                context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    runs: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for number in range(args.runs):
            runs.append(one_run(browser))
            print(f"run {number + 1}: {json.dumps(runs[-1])}", flush=True)
        browser.close()

    def median(key: str) -> float:
        return statistics.median(float(run[key]) for run in runs)

    actions, wait = median("actions_per_error"), median("server_seconds_per_error")
    print(
        f"\n{len(ARTICLE_ERRORS)} errors, median of {len(runs)} runs "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"actions per error      {actions:5.2f}   target <= 5   "
        f"baseline {BASELINE_ACTIONS:.0f}: {BASELINE_ACTIONS / actions:.1f}x fewer"
    )
    print(
        f"server wait per error  {wait:5.2f} s target <= 2 s "
        f"baseline {BASELINE_SECONDS:.0f} s: {BASELINE_SECONDS / wait:.1f}x less"
    )
    print(f"script runs per error  {median('run_seconds_per_error'):5.2f} s")
    print(f"wall time per error    {median('seconds_per_error'):5.2f} s (scripted typing included)")
    print(
        f"wrong spans {max(int(r['wrong_spans']) for r in runs)}, "
        f"missing {max(int(r['missing_spans']) for r in runs)}, "
        f"wrong corrections {max(int(r['wrong_corrections']) for r in runs)}, "
        f"segment out of view {max(int(r['out_of_view']) for r in runs)}"
    )
    if args.json:
        args.json.write_text(json.dumps({"runs": runs}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
