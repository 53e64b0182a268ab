"""Rules + grammar speed: how Grammalecte is best run, and what the flags cost a segment.

On human French strings (the gettext catalogues of this machine; the shipped article's
sentences repeated when there are none) it times:

- Grammalecte as mtreview ran it before (one process, spelling suggestions `-wss`),
  without `-wss`, and in parts side by side (`grammar_processes`, one per core);
- Grammalecte's own Python module checking the same lines in one process (the other way
  issue 14 names; timed in a separate interpreter, mtreview never imports GPL code);
- mtreview's rules alone, rules + grammar, and the spaCy checks, through `Highlighter`;
- whether two runs with other hash seeds give the same answer, with and without `-wss`.

Wall time on a shared machine depends on its load, so CPU seconds (this process and its
children) are reported beside it, and "2-core rate" = segments / (CPU seconds / 2).

    .venv/bin/python benchmarks/grammar_speed.py --segments 4000 --json out.json
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtreview.analysis.highlight import Highlighter  # noqa: E402
from mtreview.analysis.record import SegmentAnalysis  # noqa: E402
from mtreview.documents import Segment  # noqa: E402
from mtreview.grammar import GrammarChecker  # noqa: E402
from mtreview.settings import Settings  # noqa: E402
from mtreview.testing.injected import CATALOGUE_GLOB, read_catalogues  # noqa: E402

IN_PROCESS = """
import json, sys, time
import grammalecte
lines = [line.rstrip("\\n") for line in open(sys.argv[1], encoding="utf-8")]
checker = grammalecte.GrammarChecker("fr")
checker.gce.setOptions({name: False for name in sys.argv[2].split(",")})
started = time.process_time()
for line in lines:
    checker.getParagraphErrors(line)
print(json.dumps({"cpu": time.process_time() - started}))
"""


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, count: int, work: Callable[[], Any]) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    work()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    row = {
        "path": label,
        "segments": count,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "segments_per_s_wall": round(count / wall, 1),
        "segments_per_s_2_cores": round(count / (cpu / 2), 1),
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def texts_for(count: int) -> list[str]:
    pairs = read_catalogues(Path(p) for p in glob.glob(CATALOGUE_GLOB))
    texts = [pair.translation for pair in pairs]
    if not texts:  # a machine without catalogues: the article's lines
        article = (ROOT / "data" / "kaztag-ngo-pressure.fr.txt").read_text(encoding="utf-8")
        texts = [line for line in article.splitlines() if line.strip()]
    return [texts[i % len(texts)] for i in range(count)]


def highlight(settings: Settings, texts: list[str]) -> Callable[[], Any]:
    def run() -> None:
        highlighter = Highlighter(settings)
        for start in range(0, len(texts), 1000):
            window = texts[start : start + 1000]
            highlighter(
                [
                    SegmentAnalysis(segment=Segment("d", start + i, start + i, 0, len(t), t))
                    for i, t in enumerate(window)
                ]
            )

    return run


def in_process(texts: list[str]) -> dict[str, Any]:
    from mtreview.grammar import QUIET_OPTIONS, TYPOGRAPHY_OPTIONS

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as out:
        out.write("\n".join(t.replace("\n", " ") for t in texts) + "\n")
    try:
        done = subprocess.run(
            ["/usr/bin/python3", "-c", IN_PROCESS, out.name,
             ",".join(TYPOGRAPHY_OPTIONS + QUIET_OPTIONS)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(out.name)
    cpu = json.loads(done.stdout.strip().splitlines()[-1])["cpu"]
    row = {
        "path": "grammalecte module in one process (checking only, no start-up)",
        "segments": len(texts),
        "cpu_s": round(cpu, 2),
        "segments_per_s_2_cores": round(len(texts) / (cpu / 2), 1),
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def same_answer(texts: list[str], suggestions: bool) -> bool:
    """Grammalecte's JSON for the same lines under hash seeds 1 and 2 (mtreview itself
    always runs it with seed 0)."""
    checker = GrammarChecker(Settings(grammar_suggestions=suggestions, grammar_spelling=True))
    answers = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lines.txt"
        path.write_text("\n".join(t.replace("\n", " ") for t in texts) + "\n", "utf-8")
        for seed in ("1", "2"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run(
                checker.command_line(path), capture_output=True, text=True, env=env, check=True
            )
            answers.append(done.stdout)
    return answers[0] == answers[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=4000)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    texts = texts_for(args.segments)
    n = len(texts)
    rows = [
        timed("grammalecte, 1 process, -wss (before)", n,
              lambda: GrammarChecker(Settings(grammar_processes=1, grammar_suggestions=True,
                                              grammar_spelling=True)).check(texts)),
        timed("grammalecte, 1 process", n,
              lambda: GrammarChecker(Settings(grammar_processes=1)).check(texts)),
        timed("grammalecte, 2 processes", n,
              lambda: GrammarChecker(Settings(grammar_processes=2)).check(texts)),
        in_process(texts),
        timed("rules only", n, highlight(Settings(grammar=False, checks=_no_model()), texts)),
        timed("rules + grammar", n, highlight(Settings(checks=_no_model()), texts)),
        timed("rules + grammar + spaCy checks", n, highlight(Settings(), texts)),
    ]  # fmt: skip
    sample = texts[:300]
    report = {
        "rows": rows,
        "same_answer_across_hash_seeds": {
            "without -wss (default)": same_answer(sample, suggestions=False),
            "with -wss": same_answer(sample, suggestions=True),
        },
    }
    print(json.dumps(report["same_answer_across_hash_seeds"]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


def _no_model() -> tuple[str, ...]:
    from mtreview.checks import CHECKS

    return tuple(
        name for name, cls in CHECKS.items() if cls.default_on and cls.needs != "french model"
    )


if __name__ == "__main__":
    raise SystemExit(main())
