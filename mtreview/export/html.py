"""A standalone HTML review report: scores, charts, the article with marked spans, diffs.

One file, no script and no network resource: CSS and SVG are inline, and everything that
came from a document or a reviewer goes through `html.escape`. Written in one pass: each
document's summary is computed while its article streams out and placed first with CSS
`order`; its corrections wait in a spooled temporary file, so memory stays bounded.
"""

from __future__ import annotations

import difflib
import itertools
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from html import escape
from typing import IO, BinaryIO

from mtreview import __version__
from mtreview.export.base import ExportContext, Exporter, check_text, iso_time, text_output, where
from mtreview.export.charts import OTHER_COLOUR, SEVERITY_COLOURS, bar_chart, strip_chart
from mtreview.export.model import ExportAnnotation, ExportDocument, ExportRow
from mtreview.mqm import Typology, load_typology

BINS = 120
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
SEVERITY_RANK = {"minor": 1, "major": 2, "critical": 3}
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section.doc{display:flex;flex-direction:column;border-top:2px solid #ccc;margin-top:2rem}
.summary{order:1}.article{order:2}.corrections{order:3}
table{border-collapse:collapse}
td,th{padding:.15rem .6rem;text-align:left;border-bottom:1px solid #eee}
mark{background:#fdf1c7;border-bottom:2px solid #e6b800}mark.major{background:#fde2c7;
border-color:#e07b00}mark.critical{background:#f9d0cb;border-color:#c0392b}
.seg.corrected{background:#eef6ee}.seg.new{color:#555}
del{background:#f9d0cb}ins{background:#d4f0d4;text-decoration:none}
.chart-title{font-weight:bold}svg text{font-size:12px}.charts{display:flex;flex-wrap:wrap;gap:1rem}
"""


def text(value: str) -> str:
    """Escaped for HTML; control characters, invisible and unsafe, shown as U+FFFD."""
    return escape(_CONTROL.sub("\ufffd", value), quote=True)


def _label(annotation: ExportAnnotation) -> str:
    label = f"{annotation.category} ({annotation.severity})"
    if annotation.comment:
        label += f": {annotation.comment}"
    if annotation.reviewer:
        label += f" — {annotation.reviewer}"
    return label


def marked(mt: str, annotations: tuple[ExportAnnotation, ...]) -> str:
    """The MT with each annotated stretch in a `<mark>`; overlaps split at every boundary."""
    cuts = sorted({0, len(mt), *(a.start for a in annotations), *(a.end for a in annotations)})
    parts = []
    for start, end in itertools.pairwise(cuts):
        covering = [a for a in annotations if a.start <= start and end <= a.end and a.start < a.end]
        piece = text(mt[start:end])
        if not covering:
            parts.append(piece)
            continue
        worst = max(covering, key=lambda a: SEVERITY_RANK.get(a.severity.lower(), 0))
        title = text("\n".join(_label(a) for a in covering))
        parts.append(f'<mark class="{text(worst.severity.lower())}" title="{title}">{piece}</mark>')
    return "".join(parts)


def diff(old: str, new: str) -> str:
    """Word-level diff: removed words in `<del>`, added ones in `<ins>`."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            parts.append(f"<del>{text(''.join(before[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{text(''.join(after[b1:b2]))}</ins>")
        if op == "equal":
            parts.append(text("".join(before[a1:a2])))
    return "".join(parts)


class _DocumentReport:
    """One document's section: counters while its segments stream, then the summary."""

    def __init__(
        self, out: IO[str], document: ExportDocument, number: int, typology: Typology
    ) -> None:
        self.out, self.document, self.number = out, document, number
        self.typology = typology
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed in close())
            max_size=1 << 20, mode="w+", encoding="utf-8"
        )
        self.counts: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.bins = [0.0] * min(BINS, max(document.segments, 1))
        self.paragraph: int | None = None
        self.penalty = 0.0
        out.write(f'<section class="doc" id="doc{number}"><div class="article">')

    def add(self, row: ExportRow) -> None:
        check_text(row.mt, where(row, "machine translation"))
        check_text(row.target, where(row, "translation"))
        if row.paragraph != self.paragraph:
            self.out.write("</p>\n<p>" if self.paragraph is not None else "<p>")
            self.paragraph = row.paragraph
        anchor = f"d{self.number}-s{row.number}"
        self.out.write(
            f'<span class="seg {text(row.status)}" id="{anchor}" title="segment {row.number}">'
            f"{marked(row.mt, row.annotations)}</span>"
        )
        if row.status == "corrected" and row.corrected is not None:
            self.out.write(f'<a href="#{anchor}-diff" title="corrected">✎</a>')
            self.spool.write(
                f'<li id="{anchor}-diff"><a href="#{anchor}">segment {row.number}</a> '
                f"{text(row.reviewer or '')} {text(iso_time(row.changed) or '')}<br>"
                f"{diff(row.mt, row.corrected)}</li>\n"
            )
        self.out.write(" ")
        self._count(row)

    def _count(self, row: ExportRow) -> None:
        self.counts["segments"] += 1
        self.counts["words"] += len(row.mt.split())
        self.counts["reviewed"] += row.reviewed
        self.counts["corrected"] += row.status == "corrected"
        score = 0.0
        for annotation in row.annotations:
            self.categories[self.typology.resolve(annotation.category)] += 1
            self.severities[annotation.severity.lower()] += 1
            score += self.typology.weight(annotation.category, annotation.severity)
        self.counts["annotations"] += len(row.annotations)
        place = row.index * len(self.bins) // max(self.document.segments, 1)
        self.bins[min(place, len(self.bins) - 1)] += score
        self.penalty += score

    def close(self) -> None:
        out = self.out
        out.write("</p></div>\n" if self.paragraph is not None else "</div>\n")
        out.write('<div class="corrections"><h3>Corrections</h3><ol>\n')
        self.spool.seek(0)
        for line in self.spool:
            out.write(line)
        self.spool.close()
        out.write("</ol></div>\n")
        out.write(self._summary())
        out.write("</section>\n")

    def _summary(self) -> str:
        counts, total = self.counts, self.penalty
        per_100 = 100 * total / counts["words"] if counts["words"] else 0.0
        rows = [
            ("segments", f"{counts['segments']}"),
            ("reviewed", f"{counts['reviewed']} / {counts['segments']}"),
            ("corrected", f"{counts['corrected']}"),
            ("errors marked", f"{counts['annotations']}"),
            ("MQM penalty", f"{total:g}"),
            ("MQM penalty per 100 words", f"{per_100:.2f}"),
        ]
        table = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
        severities = [
            (name, float(count), SEVERITY_COLOURS.get(name, OTHER_COLOUR))
            for name, count in sorted(self.severities.items(), key=lambda kv: -kv[1])
        ]
        categories = [
            (name, float(count), OTHER_COLOUR) for name, count in self.categories.most_common(12)
        ]
        charts = (
            bar_chart("Errors by category", categories),
            bar_chart("Errors by severity", severities),
            strip_chart("MQM penalty along the document", self.bins),
        )
        return (
            f'<div class="summary"><h2>{text(self.document.name)}</h2>'
            f"<table>{table}</table>"
            f'<div class="charts">{"".join(charts)}</div></div>\n'
        )


class HtmlExporter(Exporter):
    name = "html"
    suffix = ".html"
    media_type = "text/html"
    description = "standalone review report for people who don't run the tool"
    corpus = False  # a report shows every segment

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        documents = {document.doc: document for document in context.documents}
        title = text(context.options.title)
        typology = load_typology(context.options.typology)
        with text_output(outputs[0]) as out:
            out.write(
                '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                "style-src 'unsafe-inline'; img-src data:\">"
                f"<title>{title}</title><style>{STYLE}</style></head><body>\n"
                f"<header><h1>{title}</h1><p>pair: {text(context.pair)} · "
                f"mtreview {__version__}</p></header>\n"
            )
            report: _DocumentReport | None = None
            for row in rows:
                if report is None or report.document.doc != row.doc:
                    if report is not None:
                        report.close()
                    document = documents.get(row.doc) or ExportDocument(doc=row.doc, name=row.doc)
                    number = (report.number + 1) if report else 1
                    report = _DocumentReport(out, document, number, typology)
                report.add(row)
            if report is not None:
                report.close()
            out.write("</body></html>\n")
