"""The corpus view: every document at a glance, the riskiest unreviewed segments across all
of them a page at a time, and a segment opened in its document's context.

Each run asks the store for one page of the queue, or one segment and the paragraphs
around it (`ReviewStore.queue`, `.context`): a store of any size costs the same few indexed
queries, never a load of every segment. The open segment is reviewed with the same panel
as in the document view (`detail.segment_panel`).

The view shown is session state (`VIEW`); its switch is a widget of its own for each view,
acted on only while that view is still shown (`mtreview.ui.widget_at`): opening a document
from here is not undone by a request the page sent while it still showed the corpus.
"""

from __future__ import annotations

import streamlit as st

from mtreview.mqm import Typology
from mtreview.settings import Settings
from mtreview.store import STATUSES, QueueFilter, ReviewStore
from mtreview.ui import actions
from mtreview.ui.components import article_view, event
from mtreview.ui.corpus_model import (
    ANY,
    PAGE_SIZE,
    document_lines,
    excerpt,
    pages,
    queue_filter,
    queue_label,
)
from mtreview.ui.detail import segment_panel
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.view_model import article_paragraphs, md_escape
from mtreview.ui.widget_at import key_at, still_open

CORPUS, DOCUMENT, COMPARISON = "Corpus", "Document", "Comparison"
VIEWS = (CORPUS, DOCUMENT, COMPARISON)
VIEW = "view"  # the view shown; the switch's key stem (a switch of its own for each view)
OPEN = "corpus_open"  # (doc_id, index) of the segment open in the corpus view
CONTEXT_KEY = "corpus_context"  # the article component showing the open segment's context
PAGE = "corpus_page"
FILTERS = {  # session key -> QueueFilter field
    "cf_doc": "doc",
    "cf_origin": "origin",
    "cf_category": "category",
    "cf_severity": "severity",
    "cf_reviewer": "reviewer",
    "cf_status": "status",
}


def pick_view(
    store: ReviewStore, settings: Settings, *, corpus: bool = True, comparison: bool = False
) -> str:
    """Corpus (`corpus`: for those who see everything), one document, or the comparison of
    several systems' translations (`comparison`: when the store holds one). A store of
    several documents opens on the corpus (unless a document to open was named:
    `settings.document`); a new store, or one of a single article, on the document."""
    views = [view for view, on in zip(VIEWS, (corpus, True, comparison), strict=True) if on]
    if len(views) == 1:
        return DOCUMENT
    state = st.session_state
    if state.get(VIEW) not in views:
        many = corpus and not settings.document and store.document_count() > 1
        state[VIEW] = CORPUS if many else DOCUMENT
    view = str(state[VIEW])
    key = key_at(VIEW, view)
    state[key] = view
    st.sidebar.radio("View", views, key=key, horizontal=True, on_change=_switched, args=(view,))
    return view


def _switched(drawn: str) -> None:
    picked = st.session_state.get(key_at(VIEW, drawn))
    if still_open(VIEW, drawn) and picked in VIEWS:
        st.session_state[VIEW] = picked


def first_document(store: ReviewStore, settings: Settings) -> str | None:
    """The document the document view opens first in a store that holds some (unless a
    document to open was named: `settings.document`): the oldest."""
    if settings.document:
        return None
    return next(iter(store.document_names()), None)


def _first_page() -> None:
    st.session_state[PAGE] = 0


def _filters(store: ReviewStore, typology: Typology, reviewer: str) -> QueueFilter:
    choices = store.filter_choices(viewer=reviewer)
    sidebar = st.sidebar
    sidebar.markdown("**Queue filters**")
    sidebar.selectbox(
        "Document", [ANY, *store.document_names()], key="cf_doc", on_change=_first_page
    )
    sidebar.selectbox(
        "Flag origin", [ANY, *choices.origins], key="cf_origin", on_change=_first_page
    )
    categories = sorted(set(typology.labels) | set(choices.categories))
    sidebar.selectbox("MQM category", [ANY, *categories], key="cf_category", on_change=_first_page)
    severities = list(dict.fromkeys([*typology.severities, *choices.severities]))
    sidebar.selectbox("Severity", [ANY, *severities], key="cf_severity", on_change=_first_page)
    sidebar.selectbox(
        "Reviewer", [ANY, *choices.reviewers], key="cf_reviewer", on_change=_first_page
    )
    sidebar.selectbox("Status", list(STATUSES), key="cf_status", on_change=_first_page)
    state = st.session_state
    return queue_filter(**{field: state[key] for key, field in FILTERS.items()})


def open_segment(doc_id: str, index: int) -> None:
    st.session_state[OPEN] = (doc_id, index)
    st.session_state.pop(actions.PENDING, None)


def _open_clicked(doc_id: str, index: int) -> None:
    """The context's component: a click on another segment opens it."""
    clicked = event(CONTEXT_KEY, "open")
    if isinstance(clicked, int) and clicked != index:
        open_segment(doc_id, clicked)


def close_segment() -> None:
    st.session_state.pop(OPEN, None)
    st.session_state.pop(actions.PENDING, None)


def next_in_queue(
    store: ReviewStore, wanted: QueueFilter, doc_id: str, index: int, reviewer: str
) -> None:
    item = store.corpus_item(doc_id, index, viewer=reviewer)
    following = store.corpus_after(wanted, item, viewer=reviewer)
    if following is None:
        actions.flash("info", "that was the last segment of the queue")
        close_segment()
        return
    open_segment(following.doc_id, following.index)


def open_in_document(doc_id: str, index: int) -> None:
    """The document view, at this segment."""
    close_segment()
    st.session_state.update({VIEW: DOCUMENT, "doc_id": doc_id, "current": index})


def _overview(store: ReviewStore, typology: Typology, reviewer: str) -> None:
    lines = document_lines(store.corpus_overview(viewer=reviewer), typology)
    total = sum(line.segments for line in lines)
    done = sum(line.reviewed for line in lines)
    st.subheader("Corpus")
    st.caption(f"{len(lines)} documents · {total} segments · {done} reviewed")
    with st.expander("Documents", expanded=True):
        st.dataframe(
            [line.as_row() for line in lines],
            hide_index=True,
            key="corpus_documents",
            column_config={
                "document": st.column_config.TextColumn("Document"),
                "name": st.column_config.TextColumn("File"),
                "segments": st.column_config.NumberColumn("Segments"),
                "reviewed": st.column_config.NumberColumn("Reviewed"),
                "progress": st.column_config.ProgressColumn(
                    "Progress", min_value=0, max_value=100, format="%.0f%%"
                ),
                "mqm": st.column_config.NumberColumn("MQM penalty", format="%.1f"),
                "mqm_per_100_words": st.column_config.NumberColumn("per 100 words"),
                "worst_risk": st.column_config.NumberColumn("Worst risk", format="%.2f"),
                "status": st.column_config.TextColumn("Status"),
            },
        )


def _queue(store: ReviewStore, wanted: QueueFilter, reviewer: str) -> None:
    total = store.corpus_count(wanted, viewer=reviewer)
    count = pages(total)
    page = min(int(st.session_state.get(PAGE, 0)), count - 1)
    st.markdown(f"**Queue** · {total} segments, riskiest first · page {page + 1} of {count}")
    items = store.corpus_queue(wanted, offset=page * PAGE_SIZE, limit=PAGE_SIZE, viewer=reviewer)
    if not items:
        st.info("No segment matches these filters.")
    for item in items:  # one element a line: a page costs a few dozen, whatever the store
        st.button(
            md_escape(f"{queue_label(item)} — {excerpt(item.text)}"),
            key=f"queue_open_{item.id}",
            on_click=open_segment,
            args=(item.doc_id, item.index),
            type="tertiary",
            width="stretch",
        )
    cols = st.columns(2)
    cols[0].button(
        "◀ Previous page",
        key="queue_prev",
        disabled=page == 0,
        on_click=lambda: st.session_state.update({PAGE: page - 1}),
    )
    cols[1].button(
        "Next page ▶",
        key="queue_next",
        disabled=page + 1 >= count,
        on_click=lambda: st.session_state.update({PAGE: page + 1}),
    )


def _segment(store: ReviewStore, wanted: QueueFilter, typology: Typology, reviewer: str) -> None:
    doc_id, index = st.session_state[OPEN]
    reviews = store.context(doc_id, index, viewer=reviewer)
    position = next((i for i, r in enumerate(reviews) if r.index == index), None)
    if position is None:
        close_segment()
        st.rerun()
    total = store.document(doc_id).segments
    cols = st.columns([1, 1, 1, 3])
    cols[0].button("◀ Queue", key="corpus_back", on_click=close_segment)
    cols[1].button(
        "Next in queue ▶",
        key="corpus_next",
        shortcut=SHORTCUTS["next"],
        on_click=next_in_queue,
        args=(store, wanted, doc_id, index, reviewer),
    )
    cols[2].button(
        "Whole document", key="corpus_document", on_click=open_in_document, args=(doc_id, index)
    )
    cols[3].caption(md_escape(f"{doc_id} · segment {index + 1} of {total}"))
    left, right = st.columns([5, 6], gap="large")
    with left:
        st.caption("The paragraph before, the segment's own, the paragraph after")
        shown = [r.index for r in reviews]
        article_view(
            article_paragraphs(reviews, shown),
            current=index,
            on_open=lambda: _open_clicked(doc_id, index),
            key=CONTEXT_KEY,
        )
    with right:
        segment_panel(store, reviews, position, typology, reviewer, total=total)


def corpus_page(store: ReviewStore, typology: Typology, reviewer: str) -> None:
    """The whole corpus view for one run of the script."""
    st.session_state.setdefault("cf_status", STATUSES[0])
    wanted = _filters(store, typology, reviewer)
    actions.toasts()
    if st.session_state.get(OPEN):
        _segment(store, wanted, typology, reviewer)
        return
    _overview(store, typology, reviewer)
    _queue(store, wanted, reviewer)
