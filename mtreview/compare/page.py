"""The comparison as one self-contained HTML page: no script, no network resource, and
every text that came from a document, a system name or a reviewer through `html.escape`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape

from mtreview import __version__
from mtreview.compare.buckets import BucketTable, Difference
from mtreview.compare.report import CompareReport
from mtreview.compare.significance import MetricComparison
from mtreview.compare.text import format_p, signed

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{padding:.15rem .6rem;text-align:left;border-bottom:1px solid #eee;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.sig{font-weight:bold}.small{color:#666;font-size:.85em}
.diff{border-top:1px solid #ccc;padding:.5rem 0}
"""


def text(value: object) -> str:
    """Escaped for HTML; control characters, invisible and unsafe, shown as U+FFFD."""
    return escape(_CONTROL.sub("\ufffd", str(value)), quote=True)


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _row(cells: Iterable[str], *, header: bool = False, numeric: Sequence[int] = ()) -> str:
    tag = "th" if header else "td"
    parts = [
        f'<{tag} class="n">{cell}</{tag}>' if i in numeric else f"<{tag}>{cell}</{tag}>"
        for i, cell in enumerate(cells)
    ]
    return "<tr>" + "".join(parts) + "</tr>"


def report_html(report: CompareReport) -> str:
    systems = report.systems
    names = ", ".join(text(s) for s in systems)
    resampling = report.options.resampling
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>mtreview compare: {names}</title><style>{STYLE}</style></head><body>",
        f"<h1>Comparing {names}</h1>",
        f"<p>Baseline <b>{text(systems[0])}</b>; {report.segments} segments in "
        f"{report.documents} document(s); paired bootstrap {resampling.paired_bs_n} resamples, "
        f"approximate randomization {resampling.paired_ar_n} trials, seed {resampling.seed}. "
        f'<span class="small">mtreview {text(__version__)}</span></p>',
    ]
    parts += [f"<p class=small>{text(note)}</p>" for note in report.notes]
    if report.metrics:
        parts += _scores(report.metrics, systems) + _pairs(report.metrics)
    parts += _roundtrip(report) + _flags(report)
    for table in report.buckets:
        parts += _bucket_table(table, systems)
    parts += _differences(report.differences)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _scores(metrics: Sequence[MetricComparison], systems: Sequence[str]) -> list[str]:
    numeric = range(1, len(systems) + 1)
    rows = [_row(["metric", *(text(s) for s in systems), "signature"], header=True)]
    for metric in metrics:
        label = text(metric.name) + ("" if metric.higher_is_better else " (lower is better)")
        scores = [_number(metric.scores[s]) for s in systems]
        signature = f'<span class="small">{text(metric.signature)}</span>'
        rows.append(_row([label, *scores, signature], numeric=numeric))
    return ["<h2>Scores</h2>", "<table>", *rows, "</table>"]


def _pairs(metrics: Sequence[MetricComparison]) -> list[str]:
    header = ["metric", "system", "baseline", "method", "delta", "95% CI", "p"]
    rows = [_row(header, header=True)]
    for metric in metrics:
        for pair in metric.pairs:
            p_value = text(format_p(pair.p_value))
            p_cell = f'<span class="sig">{p_value}</span>' if pair.p_value < 0.05 else p_value
            ci = f"[{signed(pair.ci[0])}, {signed(pair.ci[1])}]"
            cells = [text(metric.name), text(pair.b), text(pair.a), text(pair.method)]
            rows.append(_row([*cells, signed(pair.delta), ci, p_cell], numeric=(4, 5, 6)))
    intro = "<p class=small>Delta: system minus baseline. * p &lt; 0.05.</p>"
    return ["<h2>Against the baseline</h2>", intro, "<table>", *rows, "</table>"]


def _roundtrip(report: CompareReport) -> list[str]:
    if not report.roundtrip:
        return []
    names = sorted({name for scores in report.roundtrip.values() for name in scores})
    rows = [_row(["system", *names], header=True)]
    for system, scores in report.roundtrip.items():
        values = [_number(scores[n].score) if n in scores else "–" for n in names]
        rows.append(_row([text(system), *values], numeric=range(1, len(names) + 1)))
    signatures = {s.signature for scores in report.roundtrip.values() for s in scores.values()}
    notes = [f"<p class=small>{text(signature)}</p>" for signature in sorted(signatures)]
    title = "<h2>Round trip against the translation (corpus)</h2>"
    return [title, "<table>", *rows, "</table>", *notes]


def _flags(report: CompareReport) -> list[str]:
    categories = sorted({c for counts in report.flags.values() for c in counts})
    systems = list(report.flags)
    rows = [_row(["category", *(text(s) for s in systems)], header=True)]
    for category in categories:
        counts = [str(report.flags[s].get(category, 0)) for s in systems]
        rows.append(_row([text(category), *counts], numeric=range(1, len(systems) + 1)))
    totals = [str(sum(report.flags[s].values())) for s in systems]
    rows.append(_row(["<b>all</b>", *totals], numeric=range(1, len(systems) + 1)))
    return ["<h2>Flags</h2>", "<table>", *rows, "</table>"]


def _bucket_table(table: BucketTable, systems: Sequence[str]) -> list[str]:
    scores = sorted({name for b in table.buckets for c in b.systems.values() for name in c.means})
    header = ["bucket"]
    for system in systems:
        header += [f"{text(system)} n", *(f"{text(system)} {text(name)}" for name in scores)]
    rows = [_row(header, header=True)]
    for bucket in table.buckets:
        cells = [text(bucket.label)]
        for system in systems:
            cell = bucket.systems[system]
            cells += [str(cell.segments), *(_number(cell.means.get(n)) for n in scores)]
        rows.append(_row(cells, numeric=range(1, len(cells))))
    title = f"<h2>By {text(table.name.replace('_', ' '))} ({text(table.basis)})</h2>"
    return [title, "<table>", *rows, "</table>"]


def _differences(differences: Sequence[Difference]) -> list[str]:
    if not differences:
        return []
    parts = ["<h2>Largest differences</h2>"]
    for d in differences:
        where = f"{text(d.doc)} segment {d.segment_id}"
        parts += [
            '<div class="diff">',
            f'<p><a href="{text(d.link)}">{where}</a> — {text(d.score)}: {text(d.a)} '
            f"{_number(d.a_score)}, {text(d.b)} {_number(d.b_score)} ({signed(d.delta)})</p>",
            "<table>",
        ]
        if d.source is not None:
            parts.append(_row(["source", text(d.source)]))
        if d.reference is not None:
            parts.append(_row(["reference", text(d.reference)]))
        parts += [_row([text(d.a), text(d.a_text)]), _row([text(d.b), text(d.b_text)])]
        parts += ["</table>", "</div>"]
    return parts
