"""The comparison as a compact text table, for a terminal."""

from __future__ import annotations

from mtreview.compare.report import CompareReport
from mtreview.compare.significance import BOOTSTRAP, RANDOMIZATION, MetricComparison

SIGNIFICANT = 0.05


def format_p(p_value: float | None) -> str:
    if p_value is None:
        return "-"
    return f"{p_value:.4f}{'*' if p_value < SIGNIFICANT else ' '}"


def signed(value: float) -> str:
    return f"{value:+.2f}"


def report_text(report: CompareReport) -> str:
    """Scores, each system against the baseline, flags and round-trip scores, signatures."""
    systems = report.systems
    width = max(10, *(len(s) for s in systems))
    resampling = report.options.resampling
    lines = [
        f"systems   {systems[0]} (baseline), {', '.join(systems[1:])}",
        f"segments  {report.segments} in {report.documents} document(s); paired bootstrap "
        f"{resampling.paired_bs_n}, approximate randomization {resampling.paired_ar_n}, "
        f"seed {resampling.seed}",
    ]
    if report.metrics:
        lines += ["", f"{'metric':<16}" + "".join(f"{s:>{width + 2}}" for s in systems)]
        for metric in report.metrics:
            label = metric.name + ("" if metric.higher_is_better else " (↓)")
            scores = "".join(f"{metric.scores[s]:>{width + 2}.2f}" for s in systems)
            lines.append(f"{label:<16}{scores}")
        for system in systems[1:]:
            lines += ["", _pair_header(system, systems[0])]
            lines += [_pair_line(metric, system) for metric in report.metrics]
    lines += _flag_lines(report) + _roundtrip_lines(report)
    lines += [f"note      {note}" for note in report.notes]
    if report.metrics:
        lines += ["", "signatures"]
        lines += [f"  {m.name:<15} {m.test_signatures[BOOTSTRAP]}" for m in report.metrics]
    return "\n".join(lines) + "\n"


def _pair_header(system: str, baseline: str) -> str:
    title = f"{system} vs {baseline}"
    return f"{title:<16}{'delta':>9}  {'95% CI':<20}{'p (bs)':>9}{'p (ar)':>10}"


def _pair_line(metric: MetricComparison, system: str) -> str:
    pairs = {pair.method: pair for pair in metric.pairs if pair.b == system}
    first = pairs[BOOTSTRAP]
    ci = f"[{signed(first.ci[0])}, {signed(first.ci[1])}]"
    p_bs = format_p(first.p_value)
    p_ar = format_p(pairs[RANDOMIZATION].p_value if RANDOMIZATION in pairs else None)
    return f"{metric.name:<16}{signed(first.delta):>9}  {ci:<20}{p_bs:>9}{p_ar:>10}"


def _flag_lines(report: CompareReport) -> list[str]:
    lines = [""]
    for system, counts in report.flags.items():
        total = sum(counts.values())
        parts = ", ".join(f"{category} {n}" for category, n in counts.items())
        lines.append(f"flags     {system}: {total}" + (f" ({parts})" if parts else ""))
    return lines


def _roundtrip_lines(report: CompareReport) -> list[str]:
    lines = []
    for system, scores in report.roundtrip.items():
        parts = "  ".join(f"{name} {score.score:.2f}" for name, score in scores.items())
        lines.append(f"roundtrip {system}: {parts}")
    return lines
