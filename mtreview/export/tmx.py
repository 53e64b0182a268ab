"""TMX 1.4b: one `<tu>` per segment, valid against the TMX 1.4 DTD.

Reviewer and change date are the `changeid`/`changedate` attributes; the pair, document,
status and original MT are props; each annotation is a note for people and an
`x-mqm` prop holding exact JSON for programs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from mtreview import __version__
from mtreview.export.base import (
    ExportContext,
    Exporter,
    annotation_note,
    annotation_record,
    check_xml,
    tmx_time,
    where,
)
from mtreview.export.model import ExportRow


def _prop(parent: etree._Element, kind: str, text: str, place: str) -> None:
    etree.SubElement(parent, "prop", type=kind).text = check_xml(text, place)


def _tuv(parent: etree._Element, lang: str, text: str, place: str) -> None:
    tuv = etree.SubElement(parent, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    etree.SubElement(tuv, "seg").text = check_xml(text, place)


def _tu(context: ExportContext, row: ExportRow) -> etree._Element:
    attributes = {"tuid": check_xml(f"{row.doc}:{row.number}", where(row, "document id"))}
    if row.reviewer:
        attributes["changeid"] = check_xml(row.reviewer, where(row, "reviewer"))
    if row.changed is not None:
        attributes["changedate"] = tmx_time(row.changed)
    tu = etree.Element("tu", attributes)
    for annotation in row.annotations:
        etree.SubElement(tu, "note").text = check_xml(
            annotation_note(row, annotation), where(row, "annotation")
        )
    _prop(tu, "x-doc", row.doc, where(row, "document id"))
    _prop(tu, "x-segment", str(row.number), "")
    _prop(tu, "x-status", row.state, "")
    if row.system is not None:
        _prop(tu, "x-system", row.system, where(row, "system"))
    if context.pair == "source":
        _prop(tu, "x-mt", row.mt, where(row, "machine translation"))
    for annotation in row.annotations:
        record = json.dumps(annotation_record(row, annotation), ensure_ascii=False)
        _prop(tu, "x-mqm", record, where(row, "annotation"))
    _tuv(tu, context.source_lang(row), context.left(row), where(row, "source"))
    _tuv(tu, row.lang, row.target, where(row, "translation"))
    return tu


class TmxExporter(Exporter):
    name = "tmx"
    suffix = ".tmx"
    media_type = "application/x-tmx+xml"
    description = "TMX 1.4b translation memory (CAT tools)"

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        header = etree.Element(
            "header",
            {
                "creationtool": "mtreview",
                "creationtoolversion": __version__,
                "segtype": "sentence",
                "o-tmf": "mtreview",
                "adminlang": "en",
                "srclang": context.source_lang(),
                "datatype": "plaintext",
            },
        )
        _prop(header, "x-pair", context.pair, "")
        _prop(header, "x-target-lang", context.lang, "")
        with etree.xmlfile(outputs[0], encoding="utf-8") as xml:
            xml.write_declaration()
            with xml.element("tmx", version="1.4"):
                xml.write(header)
                with xml.element("body"):
                    for row in rows:
                        xml.write(_tu(context, row), "\n")
