"""The open segment: its text to mark, pre-highlights, errors, correction, analysis.

Document and reviewer text reaches the page only through `st.text`, `st.code`, widget
values, escaped HTML (`view_model`) or the component's `textContent`, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from mtreview.mqm import Typology, segment_score
from mtreview.store import ReviewStore, SegmentReview
from mtreview.ui import actions, undo
from mtreview.ui.correction import correction_box
from mtreview.ui.drafts import box_start
from mtreview.ui.marking import marking
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.view_model import focused_flag, heatmap_html, last_choice, md_escape


def _quote(text: str | None, empty: str = "—") -> str:
    body = html.escape(text) if text else f'<span style="opacity:.6">{empty}</span>'
    return f'<div style="padding:.3rem .6rem;border-left:3px solid #999">{body}</div>'


def _flags(store: ReviewStore, review: SegmentReview, focus: int | None, reviewer: str) -> None:
    flags = review.analysis.flags
    if not flags:
        return
    st.markdown("**Pre-highlights**")
    args = (store, review.doc_id, review.index)
    for number, flag in enumerate(flags):
        decision = review.decision(number, reviewer)  # their own first
        state = decision.decision if decision else ("← focused" if number == focus else "")
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        with row:
            st.text(
                f"{review.text[flag.start : flag.end]} · {flag.category} ({flag.severity}) · "
                f"{flag.message} {state}".strip(),
                width="stretch",
            )
            for label, accept in (("Accept", True), ("Reject", False)):
                st.button(
                    label,
                    key=f"flag_{label.lower()}_{number}",
                    on_click=actions.decide,
                    args=(*args, number, accept, reviewer),
                    disabled=decision is not None
                    and decision.decision == ("accepted" if accept else "rejected"),
                )
    with st.container(horizontal=True, gap="small"):
        for verb, accept in (("accept", True), ("reject", False)):
            st.button(
                f"{verb.capitalize()} focused",
                key=f"{verb}_focused",
                shortcut=SHORTCUTS[verb],
                on_click=actions.decide,
                args=(*args, focus, accept, reviewer),
            )


def error_list(
    store: ReviewStore, review: SegmentReview, typology: Typology, reviewer: str
) -> None:
    """The errors marked in the segment, each to change or delete (a delete that would
    leave the correction the error came with asks first: `mtreview.ui.undo`)."""
    if not review.annotations:
        return
    score = segment_score(review.annotations, typology)
    st.markdown(f"**Errors** · segment MQM penalty {score:g}")
    undo.confirm_delete(store, review, reviewer)
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
            row = st.container(horizontal=True, gap="small")
            row.button(
                "Save changes",
                key=f"ann_save_{mark.id}",
                on_click=actions.update_error,
                args=(store, mark.id, reviewer),
            )
            row.button(
                "Delete",
                key=f"ann_del_{mark.id}",
                on_click=undo.ask_delete,
                args=(store, mark.id, reviewer, review.version),
            )


def _analysis(review: SegmentReview, analysing: bool) -> None:
    analysis = review.analysis
    missing = (
        "the models are on their way to this segment…" if analysing else "no model: not computed"
    )
    with st.expander("Back-translation, round trip, metrics", expanded=True):
        st.caption("Back-translation (pivot)")
        st.html(_quote(analysis.back_translation, missing))
        st.caption("Round trip")
        st.html(_quote(analysis.round_trip, missing))
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
    analysing: bool = False,
) -> None:
    """Everything about the segment at `position` of `reviews` (the document, or a stretch
    of it around the segment: then `total` is the document's size; `analysing`: the models
    have not reached it yet)."""
    review = reviews[position]
    start = box_start(store, review, reviewer)
    focus = focused_flag(review)
    status = f"reviewed by {review.reviewed_by}" if review.reviewed else "not reviewed yet"
    st.subheader(f"Segment {review.index + 1} of {total or len(reviews)}")
    paragraph = review.analysis.segment.paragraph + 1
    st.caption(md_escape(f"{status} · version {review.version} · paragraph {paragraph}"))
    undo.undo_button(store, reviewer)
    _context(reviews, position, -1, "Previous segment")
    marking(
        store,
        review,
        typology,
        reviewer,
        choice=st.session_state.get(actions.CHOICE) or last_choice(reviews, reviewer, typology),
        focus=focus,
        current_text=start.text,
    )
    _flags(store, review, focus, reviewer)
    error_list(store, review, typology, reviewer)
    correction_box(store, review, start, reviewer)
    _context(reviews, position, 1, "Next segment")
    _analysis(review, analysing)
