"""The custom components (Streamlit components v2, inline JS/CSS from this package).

`article_view` shows the whole document, tinted by risk, and reports a clicked segment;
`span_selector` shows one segment and reports the mouse selection as code points. Both put
text in the page with `textContent` only, so document text can never become markup.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import streamlit as st


def _asset(name: str) -> str:
    return resources.files("mtreview.ui").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(
        "mtreview_review",
        js=_asset("review.js"),
        css=_asset("review.css"),
        isolate_styles=False,  # the page's own Selection API must see the text
    )


def _ignore() -> None:
    """Trigger values are read from the result; the callback only registers the event."""


def span_selector(
    text: str, marks: Sequence[Mapping[str, Any]], *, segment: int, key: str
) -> dict[str, Any] | None:
    """Mount the selectable segment; returns the selection made since the last run."""
    data = {"mode": "segment", "text": text, "marks": list(marks), "segment": segment}
    result = _component()(key=key, data=data, on_selection_change=_ignore)
    selection = result.get("selection")
    return dict(selection) if isinstance(selection, Mapping) else None


def article_view(
    paragraphs: Sequence[Sequence[Mapping[str, Any]]], *, current: int, key: str
) -> int | None:
    """Mount the article; returns the index of a segment clicked since the last run."""
    data = {"mode": "article", "paragraphs": [list(p) for p in paragraphs], "current": current}
    result = _component()(key=key, data=data, on_open_change=_ignore)
    opened = result.get("open")
    return int(opened) if isinstance(opened, int) else None
