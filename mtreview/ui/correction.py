"""The correction box: a form, so typing never reruns the page (a rerun in the middle of a
drag once moved the text under the mouse); Ctrl+S or the button sends it."""

from __future__ import annotations

import streamlit as st

from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui import actions
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.view_model import diff_html, md_escape


def start_text(store: ReviewStore, review: SegmentReview) -> tuple[str, str]:
    """(widget key, text) of the box: the version this session started from."""
    doc_id, index = review.doc_id, review.index
    base = actions.base_version(doc_id, index, review.version)
    text = review.current_text
    if base != review.version:
        history = store.corrections(doc_id, index) if base else []
        text = next((c.text for c in history if c.version == base), review.text)
    return f"fix_{doc_id}_{index}_{base}", text


def correction_box(store: ReviewStore, review: SegmentReview, reviewer: str) -> None:
    doc_id, index = review.doc_id, review.index
    key, text = start_text(store, review)
    with st.form("correction", border=False, enter_to_submit=False):
        st.text_area("Corrected segment", value=text, key=key, height=110)
        row = st.container(horizontal=True, gap="small")
        with row:
            st.form_submit_button(
                "Save correction",
                key="save_fix",
                type="primary",
                shortcut=SHORTCUTS["save"],
                on_click=actions.save_correction,
                args=(store, doc_id, index, key, reviewer),
            )
            st.form_submit_button(
                "Reviewed, no change",
                key="mark_reviewed",
                shortcut=SHORTCUTS["reviewed"],
                on_click=actions.mark_reviewed,
                args=(store, doc_id, index, reviewer),
            )
    _conflict(doc_id, index)
    if review.correction is not None:
        st.markdown("**Original → corrected**")
        st.html(diff_html(review.text, review.current_text))
    if review.version:
        history = store.corrections(doc_id, index)
        with st.expander(f"Version history ({len(history)})"):
            for item in reversed(history):
                st.caption(md_escape(f"v{item.version} · {item.reviewer} · {item.created_at[:19]}"))
                st.text(item.text)


def _conflict(doc_id: str, index: int) -> None:
    conflict = st.session_state.get(actions.CONFLICT)
    if not conflict or tuple(conflict["segment"]) != (doc_id, index):
        return
    st.error("Someone else saved this segment first. Their text:")
    st.text(conflict["theirs"])
    st.caption("Your text (not saved):")
    st.text(conflict["mine"])
    st.button(
        "Continue from their version",
        key="take_theirs",
        on_click=actions.take_theirs,
        args=(doc_id, index),
    )
