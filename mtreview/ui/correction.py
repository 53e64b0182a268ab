"""The correction box: a form, so typing never reruns the page (a rerun in the middle of a
drag once moved the text under the mouse); Ctrl+S or the button sends it. What is typed
and not sent is kept as the reviewer's draft (`ui.drafts`)."""

from __future__ import annotations

import streamlit as st

from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui import actions
from mtreview.ui.components import CORRECTION_FORM, DOCUMENT_SLOT, Slot
from mtreview.ui.drafts import BoxStart, draft_line, keep_typed
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.view_model import diff_html, md_escape


def correction_box(
    store: ReviewStore,
    review: SegmentReview,
    start: BoxStart,
    reviewer: str,
    slot: Slot = DOCUMENT_SLOT,
) -> None:
    """The box and its buttons (`slot`: one of several on the page, whose buttons have no
    shortcut of their own: the page's script sends the form the box with Ctrl+S is in)."""
    doc_id, index = review.doc_id, review.index
    one = not slot.several
    with st.form(slot.key(CORRECTION_FORM), border=False, enter_to_submit=False):
        st.text_area("Corrected segment", value=start.text, key=start.key, height=110)
        row = st.container(horizontal=True, gap="small")
        with row:
            st.form_submit_button(
                "Save correction",
                key=slot.key("save_fix"),
                type="primary",
                shortcut=SHORTCUTS["save"] if one else None,
                on_click=actions.save_correction,
                args=(store, doc_id, index, start.key, reviewer),
            )
            st.form_submit_button(
                "Reviewed, no change",
                key=slot.key("mark_reviewed"),
                shortcut=SHORTCUTS["reviewed"] if one else None,
                on_click=keep_typed,
                args=(store, review, start, reviewer),
            )
    draft_line(store, review, start, reviewer, slot)
    _conflict(store, doc_id, index, reviewer, slot)
    if review.correction is not None:
        st.markdown("**Original → corrected**")
        st.html(diff_html(review.text, review.current_text))
    if review.version:
        history = store.corrections(doc_id, index)
        with st.expander(f"Version history ({len(history)})"):
            for item in reversed(history):
                st.caption(md_escape(f"v{item.version} · {item.reviewer} · {item.created_at[:19]}"))
                st.text(item.text)


def _conflict(store: ReviewStore, doc_id: str, index: int, reviewer: str, slot: Slot) -> None:
    conflict = st.session_state.get(actions.CONFLICT)
    if not conflict or tuple(conflict["segment"]) != (doc_id, index):
        return
    st.error("Someone else saved this segment first. Their text:")
    st.text(conflict["theirs"])
    st.caption("Your text (not saved; kept as your draft until you continue from theirs):")
    st.text(conflict["mine"])
    st.button(
        "Continue from their version",
        key=slot.key("take_theirs"),
        on_click=actions.take_theirs,
        args=(store, doc_id, index, reviewer),
    )
