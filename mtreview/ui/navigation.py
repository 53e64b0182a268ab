"""Moving through the document view: previous and next in the chosen order (J/K), the
segment list, and for a long document its pages and "Go to segment". Only the open
segment's page is listed and drawn (`mtreview.ui.paging`)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mtreview.store import SegmentReview
from mtreview.ui import actions
from mtreview.ui.paging import Page, neighbour_target, page_holding
from mtreview.ui.shortcuts import SHORTCUTS

GOTO = "goto"  # the "Go to segment" box (1-based)


def _go_to_number(indices: Sequence[int]) -> None:
    number = st.session_state.get(GOTO)
    if number is not None and 1 <= int(number) <= len(indices):
        actions.go_to(indices[int(number) - 1])
    st.session_state[GOTO] = None  # empty again: the next number is a new jump


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
    st.session_state["segment_pick"] = current
    st.sidebar.selectbox(
        "Segment" if page.count == 1 else f"Segment (page {page.number + 1} of {page.count})",
        listed,
        key="segment_pick",
        format_func=lambda i: (
            f"{i + 1} · {'✓' if by_index[i].reviewed else '·'} · "
            f"risk {by_index[i].analysis.risk:.2f} · {by_index[i].text[:50]}"
        ),
        on_change=lambda: actions.go_to(st.session_state["segment_pick"]),
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
        st.sidebar.number_input(
            f"Go to segment (1–{len(reviews)})",
            min_value=1,
            max_value=len(reviews),
            value=None,
            step=1,
            key=GOTO,
            on_change=_go_to_number,
            args=([r.index for r in reviews],),
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
