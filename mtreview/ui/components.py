"""The custom components (Streamlit components v2, inline JS/CSS from this package).

`article_view` shows the whole document, tinted by risk, and reports a clicked segment;
`segment_editor` shows the open segment, lets the reviewer mark words with the mouse or
the keyboard and pick category, severity and correction in a picker drawn by the browser
(no server round trip until the error is added); `correction_editor` is the correction
box: it keeps what is typed (typing never reruns the page), sends it as the reviewer's
draft, and sends "Save correction" and "Reviewed, no change" with the box's text. All put
text in the page with `textContent` (or a text area's value) only, so document text can
never become markup, and none reads Streamlit's own page.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import streamlit as st

# The component's ES modules, each after those it imports: the order they are joined in.
SCRIPTS = (
    "review_text.js",
    "review_picker.js",
    "review_article.js",
    "review_draft.js",
    "review_marks.js",
    "review.js",
)
SEGMENT_KEY = "segment_editor"
ARTICLE_KEY = "article"
BOX_KEY = "correction_box"


@dataclasses.dataclass(frozen=True)
class Slot:
    """Where one segment's editor, error list and correction box keep their widgets, so
    several can share a page (the comparison view). The default is the document view's one
    editor, with the keys it always had."""

    prefix: str = ""  # put before each widget key of the editor (a key shows in the page)
    doc: str | None = None  # what the browser is told the document is; None: its id
    # the document a name the browser sent (`doc`) at segment index means; None: the name
    resolve: Callable[[str, int], str | None] | None = None

    def key(self, name: str) -> str:
        return self.prefix + name

    @property
    def several(self) -> bool:
        """Whether this editor is one of several on the page."""
        return bool(self.prefix)


DOCUMENT_SLOT = Slot()


def _asset(name: str) -> str:
    return resources.files("mtreview.ui").joinpath(name).read_text(encoding="utf-8")


# `import { a, b } from "./review_text.js";` (one line or several): an import of a sibling.
RELATIVE_IMPORT = re.compile(
    r'^import\s*\{(?P<names>[^}]*)\}\s*from\s*"\./(?P<file>[\w.-]+\.js)";?[ \t]*\n?',
    re.MULTILINE,
)


def script() -> str:
    """The component's JavaScript as one module (also imported as is by the browser tests).

    Streamlit (components v2) imports the `js` string from a blob URL, where a relative
    `import` cannot be resolved; so the files are joined in `SCRIPTS` order (each after what
    it imports) with their relative imports taken out: the names they import are then
    declared earlier in the same module. Their `export`s stay (the default one is the entry
    point Streamlit calls; the named ones are what tests import)."""
    return "\n".join(RELATIVE_IMPORT.sub("", _asset(name)) for name in SCRIPTS)


@functools.cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(
        "mtreview_review",
        js=script(),
        css=_asset("review.css"),
        isolate_styles=False,  # the page's own Selection API must see the text
    )


def event(key: str, name: str) -> Any:
    """A component's trigger value, read inside its `on_<name>_change` callback."""
    state = st.session_state.get(key)
    return state.get(name) if isinstance(state, Mapping) else None


def segment_editor(
    data: Mapping[str, Any],
    *,
    on_add: Callable[[], None],
    on_mark: Callable[[], None] | None = None,
    on_undo: Callable[[], None] | None = None,
    key: str = SEGMENT_KEY,
) -> None:
    """Mount the open segment; each callback runs (before the page is drawn) when the
    browser sends its event, read with `event(key, name)`: `add` (an error added in the
    picker), `mark` (the error typed in the picker, not added yet: a draft) and `undo`
    (Ctrl+Z outside a text box)."""
    given = {"on_mark_change": on_mark, "on_undo_change": on_undo}
    callbacks = {name: callback for name, callback in given.items() if callback is not None}
    _component()(key=key, data={"mode": "segment", **data}, on_add_change=on_add, **callbacks)


def article_view(
    paragraphs: Sequence[Sequence[Mapping[str, Any]]],
    *,
    current: int,
    on_open: Callable[[], None],
    key: str = ARTICLE_KEY,
) -> None:
    """Mount the article (or a stretch of it); `on_open` runs when a segment is clicked
    (`event(key, "open")` is its index)."""
    data = {"mode": "article", "paragraphs": [list(p) for p in paragraphs], "current": current}
    _component()(key=key, data=data, on_open_change=on_open)


def correction_editor(
    data: Mapping[str, Any],
    *,
    on_draft: Callable[[], None],
    on_save: Callable[[], None],
    on_reviewed: Callable[[], None],
    key: str = BOX_KEY,
) -> None:
    """Mount the open segment's correction box. Each callback runs when the browser sends
    the box's text, read with `event(key, name)`: `draft` (typed, not saved), `save`
    ("Save correction", Ctrl+S) and `reviewed` ("Reviewed, no change")."""
    _component()(
        key=key,
        data={"mode": "box", **data},
        on_draft_change=on_draft,
        on_save_change=on_save,
        on_reviewed_change=on_reviewed,
    )
