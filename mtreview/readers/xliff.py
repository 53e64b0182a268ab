"""XLIFF 1.2 in: each `<trans-unit>` with a non-empty `<target>` is a segment to review.

The target is the translation under review, the source its source. Streamed with
`iterparse`; XLIFF 2 is refused with a clear message rather than read wrongly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mtreview.documents import Segment
from mtreview.errors import InputError
from mtreview.readers.base import ReadOptions
from mtreview.readers.rows import RowDocument
from mtreview.readers.xmlstream import inline_text, iter_events, local

UNITS = frozenset({"trans-unit"})


class XliffReader:
    def iter_segments(self, path: Path, options: ReadOptions) -> Iterator[Segment]:
        builder = RowDocument(path, options)
        checked = False
        for event, element in iter_events(path, UNITS):
            if event == "start":
                if not checked:
                    _check_root(path, element)
                    checked = True
                continue
            source = target = None
            for child in element:
                name = local(child.tag)
                if name == "source" and source is None:
                    source = inline_text(child)
                elif name == "target" and target is None:
                    target = inline_text(child)
            if target is None or not target.strip():
                continue  # untranslated: nothing to review yet
            yield builder.segment(element.sourceline or 0, target, source, None)


def _check_root(path: Path, root: object) -> None:
    tag = local(getattr(root, "tag", ""))
    if tag != "xliff":
        raise InputError(path, f"root element is <{tag}>, expected <xliff> (XLIFF 1.2)", line=1)
    version = root.get("version", "") if hasattr(root, "get") else ""
    if version.startswith("2"):
        raise InputError(path, f"XLIFF {version} is not supported; expected XLIFF 1.2", line=1)
