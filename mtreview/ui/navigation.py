"""Moving through the document view: previous and next in the chosen order (J/K), the
segment list, and for a long document its pages and "Go to segment". Only the open
segment's page is listed and drawn (`mtreview.ui.paging`).

The segment list and "Go to segment" are new widgets for each open segment, whose
callbacks act only while that segment is still open (`mtreview.ui.widget_at`: under load,
the correction box of a segment just opened sent a draft as it mounted with the list still
at the segment left, and the move was undone). The list's value is still written on each
run, so that its label follows the segment (reviewed, corrected); an old label the list no
longer has reaches the callback as text, not as a segment.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mtreview.store import SegmentReview
from mtreview.ui import actions
from mtreview.ui.paging import Page, neighbour_target, page_holding
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.widget_at import key_at, still_open

GOTO = "goto"  # the "Go to segment" box (1-based), a key stem
PICK = "segment_pick"  # the segment list, a key stem
IN_ORDER = "segment_indices"  # the open document's segment indices, for "Go to segment"


def _picked(drawn: int) -> None:
    picked = st.session_state[key_at(PICK, drawn)]
    if still_open("current", drawn) and isinstance(picked, int):
        actions.go_to(picked)


def _go_to_number(drawn: int) -> None:
    key = key_at(GOTO, drawn)
    number = st.session_state.get(key)
    indices: Sequence[int] = st.session_state.get(IN_ORDER, ())
    if still_open("current", drawn) and number is not None and 1 <= int(number) <= len(indices):
        actions.go_to(indices[int(number) - 1])
    st.session_state[key] = None  # empty again: the next number is a new jump


def navigation(
    shown: list[int], reviews: Sequence[SegmentReview], page_size: int
) -> tuple[int, Page]:
    """The open segment and its page; previous/next move through the list as filtered and
    ordered, across pages; the sidebar lists the segments of the open one's page."""
    by_index = {r.index: r for r in reviews}
    positions = {r.index: position for position, r in enumerate(reviews)}
    current = st.session_state.get("current")
    if current not in by_index:
        current = shown[0] if shown else reviews[0].index
        st.session_state["current"] = current
    order = shown if current in shown else [current, *shown]
    page = page_holding(positions[current], len(reviews), page_size)
    listed = [i for i in order if page.start <= positions[i] < page.stop]
    labels = {  # (not the reviews: Streamlit keeps each list's format function for the session)
        i: f"{i + 1} · {'✓' if by_index[i].reviewed else '·'} · "
        f"risk {by_index[i].analysis.risk:.2f} · {by_index[i].text[:50]}"
        for i in listed
    }
    key = key_at(PICK, current)
    st.session_state[key] = current  # (drawn with the label the segment has now)
    st.sidebar.selectbox(
        "Segment" if page.count == 1 else f"Segment (page {page.number + 1} of {page.count})",
        listed,
        key=key,
        format_func=labels.__getitem__,
        on_change=_picked,
        args=(current,),
    )
    at = order.index(current)
    previous = order[at - 1] if at > 0 else None
    following = order[at + 1] if at + 1 < len(order) else None
    moves = (
        ("◀ Previous", "prev_btn", "previous", previous),
        ("Next ▶", "next_btn", "next", following),
    )
    for column, (label, key, action, target) in zip(st.sidebar.columns(2), moves, strict=True):
        column.button(
            label,
            key=key,
            shortcut=SHORTCUTS[action],
            disabled=target is None,
            on_click=actions.go_to,
            args=(target,),
        )
    if page.count > 1:
        # (read by the callback, not handed to it: Streamlit keeps each box's arguments)
        st.session_state[IN_ORDER] = [r.index for r in reviews]
        st.sidebar.number_input(
            f"Go to segment (1–{len(reviews)})",
            min_value=1,
            max_value=len(reviews),
            value=None,
            step=1,
            key=key_at(GOTO, current),
            on_change=_go_to_number,
            args=(current,),
        )
    return int(current), page


def page_bar(page: Page, shown: list[int], reviews: Sequence[SegmentReview], size: int) -> None:
    """Above the article of a long document: which page, and the pages either side (each
    opens its first segment in the chosen order)."""
    positions = {r.index: position for position, r in enumerate(reviews)}
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    for label, key, step in (("◀ Page", "page_prev", -1), ("Page ▶", "page_next", 1)):
        target = neighbour_target(page, step, shown, positions, size)
        if step == 1:
            row.caption(page.label)
        row.button(label, key=key, disabled=target is None, on_click=actions.go_to, args=(target,))
