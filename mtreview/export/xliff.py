"""XLIFF 1.2 (strict schema): one `<file>` per document, one `<trans-unit>` per segment.

`state` says where review stands: `needs-review-translation` (MT not yet reviewed),
`signed-off` (reviewed, MT kept), `final` (corrected). With `--pair source` the original
MT travels as an `<alt-trans>`; annotations and the review are `<note>`s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from mtreview import __version__
from mtreview.export.base import (
    ExportContext,
    Exporter,
    annotation_note,
    check_xml,
    review_note,
    where,
)
from mtreview.export.model import ExportRow

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATES = {"new": "needs-review-translation", "reviewed": "signed-off", "corrected": "final"}
PAIR_NOTES = {
    "source": "pair=source: <source> is the source text, <target> the reviewed translation",
    "mt": "pair=mt: <source> is the original machine translation, <target> the reviewed one",
}


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def system_tool(system: str) -> str:
    """The `tool-id` naming the MT system a file's translations come from."""
    return f"x-system:{system}"


def _header(context: ExportContext, row: ExportRow | None) -> etree._Element:
    header = etree.Element(_q("header"), nsmap={None: NS})
    etree.SubElement(header, _q("tool"), {"tool-id": "mtreview", "tool-name": "mtreview"}).set(
        "tool-version", __version__
    )
    if row is not None and row.system is not None:  # one <file> a document: one system
        name = check_xml(row.system, where(row, "system"))
        etree.SubElement(header, _q("tool"), {"tool-id": system_tool(name), "tool-name": name})
    note = etree.SubElement(header, _q("note"), {"from": "mtreview"})
    note.text = PAIR_NOTES[context.pair]
    return header


def _unit(context: ExportContext, row: ExportRow) -> etree._Element:
    unit = etree.Element(_q("trans-unit"), id=str(row.number), nsmap={None: NS})
    if row.reviewed:
        unit.set("approved", "yes")
    etree.SubElement(unit, _q("source")).text = check_xml(context.left(row), where(row, "source"))
    target = etree.SubElement(unit, _q("target"), state=STATES.get(row.status, "new"))
    if row.status == "new":
        target.set("state-qualifier", "leveraged-mt")
    target.text = check_xml(row.target, where(row, "translation"))
    # The spans index the MT: the <source> with --pair mt, the <alt-trans> otherwise.
    annotates = "source" if context.pair == "mt" else "general"
    for annotation in row.annotations:
        note = etree.SubElement(unit, _q("note"), annotates=annotates)
        if annotation.reviewer:
            note.set("from", check_xml(annotation.reviewer, where(row, "reviewer")))
        note.text = check_xml(annotation_note(row, annotation), where(row, "annotation"))
    if row.reviewed:
        note = etree.SubElement(unit, _q("note"), {"from": "mtreview", "priority": "2"})
        note.text = check_xml(review_note(row), where(row, "reviewer"))
    if context.pair == "source":
        alt = etree.SubElement(unit, _q("alt-trans"), origin="machine-translation")
        if row.system is not None:
            alt.set("tool-id", system_tool(row.system))
        etree.SubElement(alt, _q("target"), {XML_LANG: row.lang}).text = check_xml(
            row.mt, where(row, "machine translation")
        )
    return unit


class XliffExporter(Exporter):
    name = "xliff"
    suffix = ".xlf"
    media_type = "application/x-xliff+xml"
    description = "XLIFF 1.2 with review state and notes (CAT tools)"

    def write(
        self, context: ExportContext, rows: Iterator[ExportRow], outputs: list[BinaryIO]
    ) -> None:
        with etree.xmlfile(outputs[0], encoding="utf-8") as xml:
            xml.write_declaration()
            with xml.element(_q("xliff"), version="1.2", nsmap={None: NS}):
                current: str | None = None
                with contextlib.ExitStack() as file_scope:
                    for row in rows:
                        if row.doc != current:
                            file_scope.close()
                            file_scope.enter_context(self._file(xml, context, row))
                            current = row.doc
                        xml.write(_unit(context, row), "\n")
                    if current is None:  # nothing matched: an empty but valid <file>
                        file_scope.enter_context(self._file(xml, context, None))

    @contextlib.contextmanager
    def _file(
        self, xml: etree.xmlfile, context: ExportContext, row: ExportRow | None
    ) -> Iterator[None]:
        original = "mtreview" if row is None else check_xml(row.doc, where(row, "document id"))
        attributes = {
            "original": original,
            "source-language": context.source_lang(row),
            "target-language": context.lang if row is None else row.lang,
            "datatype": "plaintext",
            "tool-id": "mtreview",
        }
        with xml.element(_q("file"), attributes):
            xml.write("\n", _header(context, row), "\n")
            with xml.element(_q("body")):
                xml.write("\n")
                yield
