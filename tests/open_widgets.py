"""The widgets drawn anew for what is open, under AppTest (`mtreview.ui.widget_at`): the
view switch for each view, the document list for each document, the segment list and "Go
to segment" for each open segment, the comparison's row box for each row shown. Each is
found by the stem of its key."""

from __future__ import annotations

from typing import Any

from mtreview.ui.compare import ROW_BOX
from mtreview.ui.corpus import VIEW
from mtreview.ui.navigation import GOTO, PICK
from mtreview.ui.page import DOC_PICK


def _one(widgets: Any, stem: str) -> Any:
    found = [w for w in widgets if (w.key or "").startswith(f"{stem}_")]
    assert len(found) == 1, f"{len(found)} widgets keyed {stem}_…"
    return found[0]


def segment_list(block: Any) -> Any:
    """The one segment list in `block` (an AppTest, or its sidebar)."""
    return _one(block.selectbox, PICK)


def goto_box(block: Any) -> Any:
    """The one "Go to segment" box in `block`."""
    return _one(block.number_input, GOTO)


def row_box(block: Any) -> Any:
    """The comparison view's one "Source row" box in `block`."""
    return _one(block.number_input, ROW_BOX)


def view_switch(block: Any) -> Any:
    """The one view switch (Corpus, Document, Comparison) in `block`."""
    return _one(block.radio, VIEW)


def document_list(block: Any) -> Any:
    """The one document list in `block`."""
    return _one(block.selectbox, DOC_PICK)
