"""TSV: one segment a line with a header naming the pair (`source` or `mt` column).

Backslash, tab and line breaks inside a cell are escaped as `\\\\`, `\\t`, `\\n`, `\\r`, so
every segment stays on one line whatever it contains. A cell starting with `=`, `+`, `-`,
`@`, tab or CR gets a leading `'`, so no spreadsheet runs it as a formula
(`ExportOptions.allow_formulas`, `--allow-formulas`, writes it as it is).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from mtreview.export.base import (
    ExportContext,
    Exporter,
    check_text,
    iso_time,
    sheet_cell,
    text_output,
    tsv_cell,
    where,
)
from mtreview.export.model import ExportRow


def columns(pair: str) -> tuple[str, ...]:
    return ("doc", "segment", pair, "translation", "status", "reviewer", "changed")


class TsvExporter(Exporter):
    name = "tsv"
    suffix = ".tsv"
    media_type = "text/tab-separated-values"
    description = "tab-separated pairs with review status"

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        with text_output(outputs[0]) as out:
            out.write("\t".join(columns(context.pair)) + "\n")
            for row in rows:
                cells = (
                    row.doc,
                    str(row.number),
                    check_text(context.left(row), where(row, "source")),
                    check_text(row.target, where(row, "translation")),
                    row.state,
                    row.reviewer or "",
                    iso_time(row.changed) or "",
                )
                safe = (sheet_cell(cell, context.options) for cell in cells)
                out.write("\t".join(tsv_cell(cell) for cell in safe) + "\n")
