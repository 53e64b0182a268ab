"""MQM TSV in the WMT layout, read by published MQM tooling (mt-metrics-eval, MQM Viewer).

Columns `system doc doc_id seg_id rater source target category severity`: one row per
annotation with its span marked `<v>…</v>` in the target (the machine translation
reviewed), and one `No-error` row for a reviewed segment without errors. As in the WMT
files, `doc_id` is the segment's number within its document and `seg_id` its number
across the export; several systems' translations of one source row share `doc` (the
document without `@system`) and `seg_id`, and `system` tells them apart. Tabs and line
breaks in text become spaces; the format has no quoting. A cell starting with `=`, `+`,
`-` or `@` gets a leading `'` so no spreadsheet runs it (`--allow-formulas`: as it is).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from mtreview.export.base import (
    ExportContext,
    Exporter,
    check_text,
    one_line,
    sheet_cell,
    text_output,
    where,
)
from mtreview.export.model import ExportAnnotation, ExportRow

COLUMNS = ("system", "doc", "doc_id", "seg_id", "rater", "source", "target", "category", "severity")
NO_ERROR = "No-error"
_UNSAFE = re.compile(r"\t")


def cell(text: str) -> str:
    return _UNSAFE.sub(" ", one_line(text))


def marked(text: str, annotation: ExportAnnotation) -> str:
    start, end = annotation.start, annotation.end
    return f"{text[:start]}<v>{text[start:end]}</v>{text[end:]}"


def severity(name: str) -> str:
    return name[:1].upper() + name[1:]


class MqmExporter(Exporter):
    name = "mqm"
    suffix = ".tsv"
    media_type = "text/tab-separated-values"
    description = "WMT MQM annotations, one row per error"
    corpus = False  # errors in the MT stay errors when the segment was deleted

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        default_system = context.options.system

        def line(*cells: str) -> str:
            return "\t".join(sheet_cell(text, context.options) for text in cells) + "\n"

        with text_output(outputs[0]) as out:
            out.write("\t".join(COLUMNS) + "\n")
            seg_ids: dict[tuple[str, int], int] = {}  # every system's row of a source: one id
            for row in rows:
                seg_id = seg_ids.setdefault((row.base_doc, row.index), len(seg_ids) + 1)
                mt = check_text(row.mt, where(row, "machine translation"))
                source = cell(check_text(row.source or "", where(row, "source")))
                # WMT's layout: one `doc` for every system's translation, `system` tells them apart
                system = cell(row.system or default_system)
                first = (system, cell(row.base_doc), str(row.number), str(seg_id))
                for annotation in row.annotations:
                    rater = cell(annotation.reviewer or row.reviewer or "")
                    out.write(
                        line(
                            *first,
                            rater,
                            source,
                            cell(marked(mt, annotation)),
                            cell(annotation.category),
                            cell(severity(annotation.severity)),
                        )
                    )
                if row.reviewed and not row.annotations:
                    rater = cell(row.reviewer or "")
                    out.write(line(*first, rater, source, cell(mt), NO_ERROR, NO_ERROR))
