"""Marking errors in the open segment: the segment component and its picker, and a form
for marking by typing the words (no mouse, no script needed)."""

from __future__ import annotations

import streamlit as st

from mtreview.mqm import Typology
from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui import actions, undo
from mtreview.ui.components import DOCUMENT_SLOT, SEGMENT_KEY, Slot, segment_editor
from mtreview.ui.drafts import handled_marks, keep_mark_draft, mark_draft_data
from mtreview.ui.offsets import find_span
from mtreview.ui.shortcuts import category_keys, help_table, severity_keys
from mtreview.ui.view_model import segment_marks

HINT = (
    "Select words with the mouse (or M, then ← → and Shift), pick a category (its letter) "
    "and a severity (1 2 3), type the correction, Enter. ? lists every key."
)

TYPING = "mark_typing"  # this session marks by typing the words: keep their form open


def _last_mark(review: SegmentReview) -> dict[str, int] | None:
    """The span C selects in the correction box when nothing is marked right now."""
    if not review.annotations:
        return None
    latest = max(review.annotations, key=lambda a: (a.created_at, a.id))
    return {"start": latest.start, "end": latest.end}


def _pending(review: SegmentReview) -> tuple[int, int] | None:
    pending = st.session_state.get(actions.PENDING)
    if pending and tuple(pending[:2]) == (review.doc_id, review.index):
        return int(pending[2]), int(pending[3])
    return None


def editor_data(
    review: SegmentReview,
    typology: Typology,
    choice: dict[str, str],
    focus: int | None,
    current_text: str,
    slot: Slot = DOCUMENT_SLOT,
    box_key: str | None = None,
) -> dict[str, object]:
    """Everything the segment component needs, as JSON (one of several editors on a page
    also names its own correction box, `box_key` the key of its text area, and comes into
    view only when it was used)."""
    labels, severities = typology.labels, typology.severities
    keys = category_keys(labels)
    several: dict[str, object] = {}
    if slot.several:
        several = {"several": True, "box_key": box_key}
    return {
        **several,
        "doc": slot.doc or review.doc_id,
        "segment": review.index,
        "text": review.text,
        "current_text": current_text,
        "marks": segment_marks(review, pending=_pending(review), focus=focus),
        "categories": [{"label": label, "key": keys[label]} for label in labels],
        "severities": [{"label": s, "key": k} for s, k in severity_keys(severities).items()],
        "defaults": choice,
        "last_mark": _last_mark(review),
        "focus_token": st.session_state.get(actions.FOCUS, 0),
        "hint": HINT,
        "help": help_table(labels, severities),
    }


def marking(
    store: ReviewStore,
    review: SegmentReview,
    typology: Typology,
    reviewer: str,
    *,
    choice: dict[str, str],
    focus: int | None,
    current_text: str,
    slot: Slot = DOCUMENT_SLOT,
    box_key: str | None = None,
) -> None:
    """The segment to mark (its picker opens again with the error the reviewer began in
    it and left), then the keyboard form (found words go through the form)."""
    data = editor_data(review, typology, choice, focus, current_text, slot, box_key)
    data.update(
        mark_draft=mark_draft_data(store, review, reviewer),
        handled=handled_marks(),
        reviewer=reviewer,  # a draft left by a page before a reload goes back to its reviewer
    )
    segment_editor(
        data,
        on_add=lambda: actions.add_marked(
            store, review.doc_id, review.index, review.text, reviewer, slot
        ),
        on_mark=lambda: keep_mark_draft(store, reviewer, slot),
        on_undo=lambda: undo.undo_sent(store, reviewer, slot),
        key=slot.key(SEGMENT_KEY),
    )
    typing = _pending(review) is not None or bool(st.session_state.get(TYPING))
    with st.expander("Mark by typing the words", expanded=typing):
        _typed_form(store, review, typology, reviewer, choice, slot)


def _find(review: SegmentReview, slot: Slot) -> None:
    st.session_state[TYPING] = True  # a keyboard reviewer: the form stays open from now on
    found = find_span(review.text, st.session_state.get(slot.key("mark_find"), ""))
    if found is None:
        actions.flash("warning", "those words are not in this segment")
        return
    st.session_state[actions.PENDING] = (review.doc_id, review.index, *found)


def _typed_form(
    store: ReviewStore,
    review: SegmentReview,
    typology: Typology,
    reviewer: str,
    choice: dict[str, str],
    slot: Slot,
) -> None:
    # A form: the words and the click reach the server together, in one run (a button
    # clicked while the input's own rerun is under way can otherwise be lost).
    key = slot.key
    with st.form(key("mark_find_form"), border=False):
        st.text_input("Words in the segment", key=key("mark_find"))
        st.form_submit_button(
            "Find them", key=key("mark_find_btn"), on_click=_find, args=(review, slot)
        )
    span = _pending(review)
    if span is None:
        return
    st.text(f"Found (characters {span[0] + 1}–{span[1]}): {review.text[span[0] : span[1]]}")
    labels, severities = list(typology.labels), list(typology.severities)
    row = st.columns(2)
    row[0].selectbox(
        "MQM category", labels, index=labels.index(choice["category"]), key=key("new_category")
    )
    row[1].selectbox(
        "Severity", severities, index=severities.index(choice["severity"]), key=key("new_severity")
    )
    st.text_input("Comment (optional)", key=key("new_comment"))
    st.button(
        "Add error",
        key=key("add_error"),
        type="primary",
        on_click=actions.add_error,
        args=(store, review.doc_id, review.index, reviewer, slot),
    )
