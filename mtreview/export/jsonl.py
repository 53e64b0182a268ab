"""JSON lines in the Hugging Face translation layout: `{"id": …, "translation": {…}}`.

`datasets.load_dataset("json", data_files=…)` reads it as is. The pair is recorded in the
keys: the source's language code with `--pair source`, `<lang>-x-mt` with `--pair mt`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from mtreview.export.base import ExportContext, Exporter, check_text, text_output, where
from mtreview.export.model import ExportRow


class JsonlExporter(Exporter):
    name = "jsonl"
    suffix = ".jsonl"
    media_type = "application/jsonl"
    description = 'Hugging Face {"translation": {…}} JSON lines'

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        with text_output(outputs[0]) as out:
            for row in rows:
                pair = {
                    context.source_lang(row): check_text(context.left(row), where(row, "source")),
                    row.lang: check_text(row.target, where(row, "translation")),
                }
                record: dict[str, object] = {"id": f"{row.doc}:{row.number}", "translation": pair}
                if row.system is not None:
                    record["system"] = row.system
                if row.deleted:  # kept with --keep-deleted: say so
                    record["deleted"] = True
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
