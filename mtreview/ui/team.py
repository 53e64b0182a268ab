"""Team views: what a reviewer may open, their queue; for leads, assignments and progress,
agreement between reviewers, and adjudication of the segments two or more reviewed.

Document and reviewer text is shown through `st.text` and `st.dataframe`, never as
Markdown or HTML; where Streamlit renders Markdown (button labels, radio options, `st.table`
cells) it goes through `md_escape` first.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from mtreview.agreement import agreement, report_rows
from mtreview.errors import MTReviewError
from mtreview.mqm import Typology
from mtreview.store import FinalSpan, ReviewStore, SharedSegment
from mtreview.ui import actions, session_cache
from mtreview.ui.signin import Identity
from mtreview.ui.view_model import md_escape

Scope = dict[str, set[int]]


def review_scope(store: ReviewStore, identity: Identity) -> Scope | None:
    """None: everything (leads, admins, the local user); else the reviewer's assignments."""
    if identity.can("see-all"):
        return None
    return session_cache.cached(store, "assigned", lambda: store.assigned(identity.name))


def mark_independent(store: ReviewStore, identity: Identity, doc_ids: Iterable[str]) -> None:
    """Record the segments of `doc_ids` this reviewer shares with another, which they save
    on their own chain (no conflict with the other reviewer's). Nothing is hidden here:
    read with `viewer=`, the segments already hold only what this reviewer may see (the
    store filters blind work, `mtreview.store.read`)."""
    st.session_state[actions.INDEPENDENT] = {
        (doc_id, index) for doc_id in doc_ids for index in _shared(store, identity, doc_id)
    }


def _shared(store: ReviewStore, identity: Identity, doc_id: str) -> set[int]:
    """The reviewer's segments of `doc_id` shared with another (kept per layout)."""
    return session_cache.cached(
        store, ("shared", doc_id), lambda: store.shared_with_others(doc_id, identity.name)
    )


def queue_sidebar(store: ReviewStore, identity: Identity) -> None:
    """The reviewer's progress and next segments, riskiest first."""
    mine, queue = store.queue_progress(identity.name, limit=5)
    if not mine.assigned:
        return
    done, assigned = mine.done, mine.assigned
    share = done / assigned if assigned else 0.0
    st.sidebar.progress(share, text=f"Your queue: {done} / {assigned}")
    for item in queue:
        st.sidebar.button(
            md_escape(f"#{item.index + 1} · risk {item.risk:.2f} · {item.text[:40]}"),
            key=f"queue_{item.doc_id}_{item.index}",
            on_click=_open,
            args=(item.doc_id, item.index),
        )


def _open(doc_id: str, index: int) -> None:
    if st.session_state.get("doc_id") != doc_id:
        actions.open_document(doc_id)
    actions.go_to(index)


# --- lead: assignments and progress -------------------------------------------------------
def assignments_tab(store: ReviewStore, identity: Identity, doc_id: str, segments: int) -> None:
    people = [u.name for u in store.users() if not u.disabled]
    with st.form("assign", border=True):
        st.write("Assign this document's segments")
        chosen = st.multiselect("Reviewers", people, key="assign_people")
        cols = st.columns(3)
        first = cols[0].number_input("First segment", 1, max(segments, 1), 1, key="assign_first")
        last = cols[1].number_input(
            "Last segment", 1, max(segments, 1), max(segments, 1), key="assign_last"
        )
        overlap = cols[2].slider(
            "Overlap (to two reviewers)", 0.0, 1.0, 0.1, 0.05, key="assign_overlap"
        )
        if st.form_submit_button("Assign", key="assign_go"):
            try:
                done = store.assign(
                    doc_id, chosen, by=identity.name, first=int(first) - 1, last=int(last) - 1,
                    overlap=float(overlap),
                )  # fmt: skip
            except MTReviewError as exc:
                st.error(md_escape(str(exc)))
            else:
                shares = ", ".join(f"{name} {n}" for name, n in done.per_reviewer.items())
                st.success(md_escape(f"Assigned {done.segments} segments ({shares}); "
                                     f"{done.doubled} to two reviewers."))  # fmt: skip
    rows = [
        {"reviewer": p.reviewer, "assigned": p.assigned, "done": p.done}
        for p in store.progress(doc_id)
    ]
    st.write("Progress on this document")
    st.dataframe(rows, hide_index=True, key="progress_table")


# --- lead: agreement ----------------------------------------------------------------------
def agreement_tab(store: ReviewStore, identity: Identity, doc_id: str, typology: Typology) -> None:
    report = agreement(store.shared_segments(doc_id, viewer=identity.name), typology)
    if not report.pairs:
        st.info("No segment of this document was reviewed by two reviewers yet.")
        return
    st.table([{k: _escaped(v) for k, v in row.items()} for row in report_rows(report)])
    if report.fleiss_segments:
        st.text(
            f"Fleiss' kappa over {report.fleiss_segments} segments with 3+ reviewers: "
            f"category {report.fleiss_category}, severity {report.fleiss_severity}"
        )
    rows = [
        {
            "pair": f"{p.left} / {p.right}",
            "segment": d.segment + 1,
            "offsets": f"[{d.start}, {d.end})",
            "text": d.text,
            p.left if p.left != p.right else "left": d.left,
            "other": d.right,
        }
        for p in report.pairs
        for d in p.disagreements
    ]
    st.write(f"Disagreements ({len(rows)})")
    st.dataframe(rows, hide_index=True, key="disagreement_table")


def _escaped(value: object) -> object:
    """`st.table` renders string cells as Markdown."""
    return md_escape(value) if isinstance(value, str) else value


# --- lead: adjudication -------------------------------------------------------------------
def adjudication_tab(store: ReviewStore, identity: Identity, doc_id: str) -> None:
    shared = {seg.index: seg for seg in store.shared_segments(doc_id, viewer=identity.name)}
    if not shared:
        st.info("Nothing to adjudicate: no segment was reviewed by two reviewers yet.")
        return
    settled = store.adjudications(doc_id, viewer=identity.name)
    index = st.selectbox(
        "Segment",
        list(shared),
        key="adjudicate_pick",
        format_func=lambda i: (
            f"{i + 1} · {'settled' if i in settled else 'open'} · {shared[i].text[:50]}"
        ),
    )
    seg = shared[int(index)]
    st.text(seg.text)
    columns = st.columns(len(seg.work))
    for column, (name, work) in zip(columns, seg.work.items(), strict=True):
        with column:
            st.text(name)
            for span in work.spans:
                st.text(f"“{seg.text[span.start : span.end]}” {span.category} {span.severity}")
            if not work.spans:
                st.caption("no errors marked")
            st.text(f"→ {work.correction if work.correction is not None else seg.text}")
    _adjudication_form(store, identity, doc_id, seg, settled.get(seg.index))


def _span_label(seg: SharedSegment, key: tuple[str, int]) -> str:
    name, number = key
    span = seg.work[name].spans[number]
    return f"{name}: “{seg.text[span.start : span.end]}” {span.category} {span.severity}"


def _adjudication_form(
    store: ReviewStore, identity: Identity, doc_id: str, seg: SharedSegment, earlier: object
) -> None:
    names = list(seg.work)
    keys = [(name, n) for name in names for n in range(len(seg.work[name].spans))]
    base = st.radio(
        "Start from",
        names,
        horizontal=True,
        key=f"adj_base_{doc_id}_{seg.index}",
        format_func=md_escape,  # radio options are Markdown
    )
    chosen = st.multiselect(
        "Final errors",
        keys,
        default=[k for k in keys if k[0] == base],
        format_func=lambda key: _span_label(seg, key),
        key=f"adj_spans_{doc_id}_{seg.index}_{base}",
    )
    start_text = seg.work[str(base)].correction or seg.text
    text = st.text_area("Final text", start_text, key=f"adj_text_{doc_id}_{seg.index}_{base}")
    note = st.text_input("Note", key=f"adj_note_{doc_id}_{seg.index}")
    if earlier is not None:
        st.caption(md_escape(f"Adjudicated by {earlier.adjudicator} at {earlier.created_at[:19]}"))  # type: ignore[attr-defined]
    if st.button("Save adjudication", key=f"adj_save_{doc_id}_{seg.index}"):
        spans = []
        for name, number in chosen:
            s = seg.work[name].spans[number]
            spans.append(FinalSpan(s.start, s.end, s.category, s.severity, s.comment, name))
        try:
            store.adjudicate(doc_id, seg.index, by=identity.name, text=text, spans=spans, note=note)
        except MTReviewError as exc:
            st.error(md_escape(str(exc)))
        else:
            st.success(f"Segment {seg.index + 1} adjudicated.")
