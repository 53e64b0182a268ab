"""The open segment: its text to mark with the mouse, errors, pre-highlights, correction.

Document and reviewer text reaches the page only through `st.text`, `st.code`, widget
values, escaped HTML (`view_model`) or the component's `textContent`, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from mtreview.mqm import Typology, segment_score
from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui import actions
from mtreview.ui.components import span_selector
from mtreview.ui.offsets import find_span, selection_span
from mtreview.ui.view_model import (
    diff_html,
    focused_flag,
    heatmap_html,
    md_escape,
    segment_marks,
)

SHORTCUTS = {
    "next": "J",
    "previous": "K",
    "accept": "A",
    "reject": "X",
    "save": "Ctrl+S",
    "reviewed": "Ctrl+Shift+Enter",
}


def _quote(text: str | None, empty: str = "—") -> str:
    body = html.escape(text) if text else f'<span style="opacity:.6">{empty}</span>'
    return f'<div style="padding:.3rem .6rem;border-left:3px solid #999">{body}</div>'


def _pending(review: SegmentReview) -> tuple[int, int] | None:
    pending = st.session_state.get(actions.PENDING)
    if pending and tuple(pending[:2]) == (review.doc_id, review.index):
        return int(pending[2]), int(pending[3])
    return None


def _selection(review: SegmentReview, focus: int | None) -> None:
    """The segment, selectable with the mouse; a selection becomes the pending span."""
    marks = segment_marks(review, pending=_pending(review), focus=focus)
    chosen = span_selector(review.text, marks, segment=review.index, key="span_selector")
    if chosen and chosen.get("segment") != review.index:
        chosen = None  # made in a segment that is no longer open
    span = selection_span(review.text, chosen) if chosen else None
    if span is not None and _pending(review) != span:
        st.session_state[actions.PENDING] = (review.doc_id, review.index, *span)
        st.rerun()
    with st.expander("Find text to mark (keyboard)", expanded=False):
        wanted = st.text_input("Text in the segment", key="mark_find")
        if st.button("Select it", key="mark_find_btn"):
            found = find_span(review.text, wanted)
            if found is None:
                st.warning("not found in this segment")
            else:
                st.session_state[actions.PENDING] = (review.doc_id, review.index, *found)
                st.rerun()


def _new_error_form(
    store: ReviewStore, review: SegmentReview, typology: Typology, reviewer: str
) -> None:
    span = _pending(review)
    if span is None:
        st.caption("Select words in the segment above to mark an error.")
        return
    st.text(f"Selected [{span[0]}, {span[1]}): {review.text[span[0] : span[1]]}")
    left, right = st.columns(2)
    left.selectbox("MQM category", typology.labels, key="new_category")
    right.selectbox("Severity", typology.severities, key="new_severity")
    st.text_input("Comment (optional)", key="new_comment")
    st.button(
        "Add error",
        key="add_error",
        type="primary",
        on_click=actions.add_error,
        args=(store, review.doc_id, review.index, reviewer),
    )


def _flags(store: ReviewStore, review: SegmentReview, focus: int | None, reviewer: str) -> None:
    flags = review.analysis.flags
    if not flags:
        return
    st.markdown("**Pre-highlights**")
    args = (store, review.doc_id, review.index)
    for number, flag in enumerate(flags):
        decision = review.decision(number)
        cols = st.columns([6, 1, 1])
        state = decision.decision if decision else ("← focused" if number == focus else "")
        cols[0].text(
            f"{review.text[flag.start : flag.end]} · {flag.category} ({flag.severity}) · "
            f"{flag.message} {state}".strip()
        )
        cols[1].button(
            "Accept",
            key=f"flag_accept_{number}",
            on_click=actions.decide,
            args=(*args, number, True, reviewer),
            disabled=decision is not None and decision.decision == "accepted",
        )
        cols[2].button(
            "Reject",
            key=f"flag_reject_{number}",
            on_click=actions.decide,
            args=(*args, number, False, reviewer),
            disabled=decision is not None and decision.decision == "rejected",
        )
    focus_cols = st.columns(2)
    focus_cols[0].button(
        "Accept focused",
        key="accept_focused",
        shortcut=SHORTCUTS["accept"],
        on_click=actions.decide,
        args=(*args, focus, True, reviewer),
    )
    focus_cols[1].button(
        "Reject focused",
        key="reject_focused",
        shortcut=SHORTCUTS["reject"],
        on_click=actions.decide,
        args=(*args, focus, False, reviewer),
    )


def _errors(store: ReviewStore, review: SegmentReview, typology: Typology, reviewer: str) -> None:
    if not review.annotations:
        return
    score = segment_score(review.annotations, typology)
    st.markdown(f"**Errors** · segment MQM penalty {score:g}")
    for mark in review.annotations:
        title = f"“{mark.text}” · {mark.category} · {mark.severity} · {mark.reviewer}"
        with st.expander(md_escape(title)):
            if mark.comment:
                st.text(mark.comment)
            labels = list(typology.labels)
            category = typology.resolve(mark.category)
            severities = list(typology.severities)
            st.selectbox("Category", labels, index=labels.index(category), key=f"ann_cat_{mark.id}")
            st.selectbox(
                "Severity",
                severities,
                index=severities.index(mark.severity) if mark.severity in severities else 0,
                key=f"ann_sev_{mark.id}",
            )
            st.text_input("Comment", value=mark.comment, key=f"ann_comment_{mark.id}")
            cols = st.columns(2)
            cols[0].button(
                "Save changes",
                key=f"ann_save_{mark.id}",
                on_click=actions.update_error,
                args=(store, mark.id, reviewer),
            )
            cols[1].button(
                "Delete",
                key=f"ann_del_{mark.id}",
                on_click=actions.delete_error,
                args=(store, mark.id, reviewer),
            )


def _correction(store: ReviewStore, review: SegmentReview, reviewer: str) -> None:
    doc_id, index = review.doc_id, review.index
    base = actions.base_version(doc_id, index, review.version)
    history = store.corrections(doc_id, index) if review.version else []
    start_text = next((c.text for c in history if c.version == base), review.text)
    key = f"fix_{doc_id}_{index}_{base}"
    st.text_area("Corrected segment", value=start_text, key=key, height=110)
    cols = st.columns(2)
    cols[0].button(
        "Save correction",
        key="save_fix",
        type="primary",
        shortcut=SHORTCUTS["save"],
        on_click=actions.save_correction,
        args=(store, doc_id, index, key, reviewer),
    )
    cols[1].button(
        "Reviewed, no change",
        key="mark_reviewed",
        shortcut=SHORTCUTS["reviewed"],
        on_click=actions.mark_reviewed,
        args=(store, doc_id, index, reviewer),
    )
    conflict = st.session_state.get(actions.CONFLICT)
    if conflict and tuple(conflict["segment"]) == (doc_id, index):
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
    if review.correction is not None:
        st.markdown("**Original → corrected**")
        st.html(diff_html(review.text, review.current_text))
    if history:
        with st.expander(f"Version history ({len(history)})"):
            for item in reversed(history):
                st.caption(md_escape(f"v{item.version} · {item.reviewer} · {item.created_at[:19]}"))
                st.text(item.text)


def _analysis(review: SegmentReview) -> None:
    analysis = review.analysis
    with st.expander("Back-translation, round trip, metrics", expanded=True):
        st.caption("Back-translation (pivot)")
        st.html(_quote(analysis.back_translation, "no model: not computed"))
        st.caption("Round trip")
        st.html(_quote(analysis.round_trip, "no model: not computed"))
        values = {name: f"{score.score:.1f}" for name, score in analysis.metrics.items()}
        if analysis.logprob is not None:
            values["log-prob"] = f"{analysis.logprob:.2f}"
        values["risk"] = f"{analysis.risk:.2f}"
        cols = st.columns(len(values))
        for col, (name, value) in zip(cols, values.items(), strict=True):
            col.metric(name, value)
        for score in analysis.metrics.values():
            st.caption(score.signature)
        heat = heatmap_html(review)
        if heat:
            st.caption("Log-probability of each token (redder: less likely)")
            st.html(heat)


def _context(reviews: Sequence[SegmentReview], position: int, offset: int, label: str) -> None:
    other = position + offset
    if 0 <= other < len(reviews):
        st.caption(label)
        st.html(_quote(reviews[other].current_text))


def segment_panel(
    store: ReviewStore,
    reviews: Sequence[SegmentReview],
    position: int,
    typology: Typology,
    reviewer: str,
    *,
    total: int | None = None,
) -> None:
    """Everything about the segment at `position` of `reviews` (the document, or a stretch
    of it around the segment: then `total` is the document's size)."""
    review = reviews[position]
    focus = focused_flag(review)
    status = f"reviewed by {review.reviewed_by}" if review.reviewed else "not reviewed yet"
    st.subheader(f"Segment {review.index + 1} of {total or len(reviews)}")
    paragraph = review.analysis.segment.paragraph + 1
    st.caption(md_escape(f"{status} · version {review.version} · paragraph {paragraph}"))
    _context(reviews, position, -1, "Previous segment")
    _selection(review, focus)
    _new_error_form(store, review, typology, reviewer)
    _flags(store, review, focus, reviewer)
    _errors(store, review, typology, reviewer)
    _correction(store, review, reviewer)
    _context(reviews, position, 1, "Next segment")
    _analysis(review)
