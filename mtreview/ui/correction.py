"""The correction box, drawn by the component (`review_draft.js`): typing never reruns the
page (a rerun in the middle of a drag once moved the text under the mouse), and the box
keeps what is typed. "Save correction" (Ctrl+S) and "Reviewed, no change" (Ctrl+Shift+Enter)
come back as the component's events, with the box's text; what is typed and not sent is
kept as the reviewer's draft (`ui.drafts`)."""

from __future__ import annotations

import streamlit as st

from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui import actions
from mtreview.ui.components import BOX_KEY, DOCUMENT_SLOT, Slot, correction_editor
from mtreview.ui.drafts import (
    BoxStart,
    handled_drafts,
    keep_draft,
    keep_typed,
    sent_text,
    shown_note,
)
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.uninterrupted import uninterrupted
from mtreview.ui.view_model import diff_html, md_escape

BOX_HANDLED = "box_events"  # numbers of the saves and "reviewed" this session handled


def box_data(
    review: SegmentReview, start: BoxStart, reviewer: str, slot: Slot
) -> dict[str, object]:
    """What the box is drawn from (as JSON): the segment as the browser knows it, the
    version it edits and that version's text, the reviewer's draft and its note."""
    return {
        "doc": slot.doc or review.doc_id,
        "segment": review.index,
        "key": start.key,
        "base": start.base,
        "saved": start.saved,
        "draft": start.draft.text if start.draft else None,
        "note": shown_note(review, start),
        "handled": handled_drafts(),
        "reviewer": reviewer,  # a draft kept across a reload goes back to its reviewer only
        "several": slot.several,
        "shortcuts": {"save": SHORTCUTS["save"], "reviewed": SHORTCUTS["reviewed"]},
    }


def correction_box(
    store: ReviewStore,
    review: SegmentReview,
    start: BoxStart,
    reviewer: str,
    slot: Slot = DOCUMENT_SLOT,
) -> None:
    """The box and its buttons, then a conflict to settle, the diff and the history
    (`slot`: one of several on the page, whose shortcuts work only from inside it)."""
    doc_id, index = review.doc_id, review.index
    correction_editor(
        box_data(review, start, reviewer, slot),
        on_draft=lambda: keep_draft(store, reviewer, slot),
        on_save=lambda: save_sent(store, reviewer, slot),
        on_reviewed=lambda: reviewed_sent(store, reviewer, slot),
        key=slot.key(BOX_KEY),
    )
    _conflict(store, doc_id, index, reviewer, slot)
    if review.correction is not None:
        st.markdown("**Original → corrected**")
        st.html(diff_html(review.text, review.current_text))
    if review.version:
        history = store.corrections(doc_id, index, viewer=reviewer)
        with st.expander(f"Version history ({len(history)})"):
            for item in reversed(history):
                st.caption(md_escape(f"v{item.version} · {item.reviewer} · {item.created_at[:19]}"))
                st.text(item.text)


def _first_time(number: int) -> bool:
    """Whether this session meets a save or "reviewed" for the first time (Streamlit can
    hand a trigger over twice)."""
    handled: set[int] = st.session_state.setdefault(BOX_HANDLED, set())
    if number in handled:
        return False
    handled.add(number)
    return True


@uninterrupted
def save_sent(store: ReviewStore, reviewer: str, slot: Slot = DOCUMENT_SLOT) -> None:
    """ "Save correction": the box's text, saved on the version this session edits (a save
    meets the conflict check there). A second save of a box drawn before its first was
    stored, with the same text, is the same save."""
    sent = sent_text(slot, "save")
    if sent is None or not _first_time(sent.number):
        return
    base = actions.base_version(sent.doc_id, sent.index, sent.base)
    if base != sent.base:
        current = store.segment(sent.doc_id, sent.index, viewer=reviewer)
        if current.version == base and current.current_text == sent.text:
            return
    actions.save_correction(store, sent.doc_id, sent.index, sent.text, reviewer)


@uninterrupted
def reviewed_sent(store: ReviewStore, reviewer: str, slot: Slot = DOCUMENT_SLOT) -> None:
    """ "Reviewed, no change": the segment is marked reviewed; text typed in the box stays
    a draft."""
    sent = sent_text(slot, "reviewed")
    if sent is not None and _first_time(sent.number):
        keep_typed(store, sent, reviewer)


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
