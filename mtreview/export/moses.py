"""Moses: two aligned plain-text files, `OUT.<left lang>` and `OUT.<lang>`, one segment a line.

A line break inside a segment (any that `str.splitlines` knows) becomes a space, so line
N of one file always pairs with line N of the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mtreview.export.base import (
    ExportContext,
    Exporter,
    check_text,
    one_line,
    text_output,
    where,
)
from mtreview.export.model import ExportRow


class MosesExporter(Exporter):
    name = "moses"
    suffix = ""
    media_type = "application/zip"  # as bytes, the two files come zipped
    description = "two aligned text files, one segment a line"

    def paths(self, target: Path, context: ExportContext) -> tuple[Path, ...]:
        left, right = context.source_lang(), context.lang
        return (
            target.with_name(f"{target.name}.{left}"),
            target.with_name(f"{target.name}.{right}"),
        )

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        with text_output(outputs[0]) as left, text_output(outputs[1]) as right:
            for row in rows:
                left.write(one_line(check_text(context.left(row), where(row, "source"))) + "\n")
                right.write(one_line(check_text(row.target, where(row, "translation"))) + "\n")
