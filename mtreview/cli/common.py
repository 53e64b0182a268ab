"""What every command module shares: the command registry, settings from flags, and the
progress bar and summary of scoring runs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from mtreview.errors import printable

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def out(text: str) -> None:
    """Standard output, valid UTF-8 whatever a name holds (`errors.printable`)."""
    sys.stdout.write(printable(text))


def err(text: str) -> None:
    """Standard error, valid UTF-8 whatever a name holds (`errors.printable`)."""
    sys.stderr.write(printable(text))


def cli_actor() -> str:
    """Who a command typed at the server acts as in the audit log: `cli:<system user>`."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def settings_from(args: argparse.Namespace, **overrides: Any) -> Any:
    from mtreview.settings import load_settings

    return load_settings(getattr(args, "config", None), overrides=overrides)


# --- scoring runs: progress and summary ---------------------------------------------------
def report_run(args: argparse.Namespace, summary: Any, analyzer: Any, notes: list[str]) -> int:
    """The summary on stderr (and as JSON with --summary), then the run's notes."""
    from mtreview.analysis.cache import cache_line, cache_stats

    report = {**summary.to_dict(), "cache": cache_stats(analyzer)}
    if args.summary:
        from mtreview.output_paths import write_output

        write_output(args.summary, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
    _print_summary(summary)
    for line in filter(None, [*notes, cache_line(report["cache"])]):
        err(f"note          {line}\n")
    for note in getattr(analyzer.highlighter, "notes", ()):
        err(f"note          {note}\n")
    return 0


class _NoBar:
    """What a disabled tqdm does, without importing tqdm (a log or a pipe shows no bar)."""

    def update(self, n: float | None = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar() -> Any:
    """A bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    # no monitor thread: the checks' workers are forked only from a process running one
    # thread (mtreview.analysis.workers), and the bar needs no watching
    tqdm.monitor_interval = 0
    return tqdm(unit="seg", file=sys.stderr, leave=False)


def _print_summary(summary: Any) -> None:
    lines = [
        f"segments      {summary.segments} in {summary.documents} document(s), "
        f"{summary.seconds:.1f} s ({summary.segments_per_second:.1f} seg/s)",
        f"flags         {summary.flags}",
    ]
    if summary.mean_logprob is not None:
        lines.append(f"mean logprob  {summary.mean_logprob:.3f}")
    for label, scores in (("round trip", summary.round_trip), ("reference", summary.reference)):
        for name, score in scores.items():
            lines.append(f"{label:<10} {name:<5} {score.score:6.2f}  {score.signature}")
    for system, part in summary.systems.items():
        lines.append(f"system        {system}: {part.segments} segments, {part.flags} flags")
        for label, scores in (("round trip", part.round_trip), ("reference", part.reference)):
            for name, score in scores.items():
                lines.append(f"  {label:<10} {name:<5} {score.score:6.2f}")
    err("\n".join(lines) + "\n")
