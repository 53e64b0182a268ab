"""The review page: reviewer, document, article by risk, the open segment, charts.

`app.py` calls `main()`. Everything shown is read back from the store on each run, so a
closed tab or a restarted server loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from mtreview.errors import MTReviewError
from mtreview.mqm import Typology, load_typology
from mtreview.readers import SUFFIXES
from mtreview.settings import Settings, settings_for_app
from mtreview.store import DocumentInfo, ReviewStore, SegmentReview
from mtreview.store.counting import count_statements
from mtreview.store.throttle import ThrottlePolicy
from mtreview.ui import actions, charts, compare, corpus, links, session_cache, team
from mtreview.ui.components import article_view
from mtreview.ui.detail import segment_panel
from mtreview.ui.exports import export_section
from mtreview.ui.get_models import models_banner
from mtreview.ui.jobs import AnalysisJobs, ModelState
from mtreview.ui.loading import default_document, import_upload, load_models, open_path
from mtreview.ui.navigation import navigation, page_bar
from mtreview.ui.shortcuts import SHORTCUTS
from mtreview.ui.signin import Identity, current_identity, identity_sidebar
from mtreview.ui.timing import timed
from mtreview.ui.view_model import (
    ALL_CATEGORIES,
    ORDERS,
    article_paragraphs,
    md_escape,
    mqm_of,
    visible_segments,
)
from mtreview.ui.widget_at import key_at, still_open

DOC_PICK = "doc_pick"  # the document list's key stem: a list of its own for each document


@st.cache_resource(show_spinner=False)
def _store(
    db: str, typology: str, _throttle: ThrottlePolicy, schema: str, counted: bool
) -> ReviewStore:
    """`_throttle` (the settings' sign-in policy, fixed for the process) is no cache key.
    `counted`: the statements of each run go to the timing log (`ui.timing`)."""
    store = ReviewStore(db, typology=load_typology(typology), throttle=_throttle, schema=schema)
    if counted:
        count_statements(store.engine)
    return store


@st.cache_resource(show_spinner="Loading translation models…")
def _models(settings: Settings) -> ModelState:
    return load_models(settings)


@st.cache_resource(show_spinner=False)
def _jobs(db: str) -> AnalysisJobs:
    """The background analyses of this server process in store `db` (`mtreview.ui.jobs`)."""
    return AnalysisJobs()


def _document(
    store: ReviewStore,
    settings: Settings,
    models: ModelState,
    identity: Identity,
    scope: team.Scope | None,
) -> str | None:
    if (
        "doc_id" not in st.session_state
        and scope is None
        and (first := corpus.first_document(store, settings))  # never add the shipped article
    ):
        st.session_state["doc_id"] = first
    visible = [d for d in _documents(store) if scope is None or d.doc_id in scope]
    if "doc_id" not in st.session_state or (
        visible and st.session_state["doc_id"] not in {d.doc_id for d in visible}
    ):
        try:
            if not identity.can("import"):
                raise MTReviewError("Nothing is assigned to you yet." if not visible else "")
            st.session_state["doc_id"] = open_path(
                store, default_document(settings), settings, models, _jobs(settings.db),
                by=identity.name,
            )  # fmt: skip
        except MTReviewError as exc:
            if str(exc):
                st.error(md_escape(str(exc)))
            visible = [d for d in _documents(store) if scope is None or d.doc_id in scope]
            if not visible:
                return None
            st.session_state["doc_id"] = visible[0].doc_id
        visible = [d for d in _documents(store) if scope is None or d.doc_id in scope]
    by_id = {d.doc_id: d for d in visible}
    ids = list(by_id)
    doc_id = str(st.session_state["doc_id"])
    key = key_at(DOC_PICK, doc_id)
    st.session_state[key] = doc_id if doc_id in ids else next(iter(ids), None)
    labels = {d: f"{info.name} ({info.segments} segments)" for d, info in by_id.items()}
    st.sidebar.selectbox(
        "Document",
        ids,
        key=key,
        format_func=labels.__getitem__,
        on_change=_doc_picked,
        args=(doc_id, tuple(ids)),
    )
    return doc_id


def _doc_picked(drawn: str, listed: tuple[str, ...]) -> None:
    """The document list drawn while `drawn` was open, acted on only while it still is
    (`mtreview.ui.widget_at`), and only for a document it listed: an old label arrives as
    text, and an unknown document would have the page import the default one."""
    picked = st.session_state.get(key_at(DOC_PICK, drawn))
    if still_open("doc_id", drawn) and picked in listed and picked != drawn:
        actions.open_document(picked)


def _documents(store: ReviewStore) -> list[DocumentInfo]:
    """The stored documents, kept with the session until the store's layout changes (the
    picker shows their names and sizes)."""
    return session_cache.cached(store, "documents", store.documents)


def _import(store: ReviewStore, settings: Settings, models: ModelState, by: str) -> None:
    with st.sidebar.expander("Import a document"):
        kinds = sorted({s.lstrip(".") for s in SUFFIXES})
        upload = st.file_uploader("Translation to review", type=kinds, key="import_file")
        if st.button("Import and score", key="import_go", disabled=upload is None) and upload:
            try:
                with st.spinner("Reading and checking…"):
                    doc_id = import_upload(
                        store, upload.name, upload.getvalue(), settings, models,
                        _jobs(settings.db), by=by,
                    )  # fmt: skip
            except MTReviewError as exc:
                st.error(md_escape(str(exc)))
                return
            st.session_state.update(doc_id=doc_id, current=None)
            st.rerun()


def _header(reviews: Sequence[SegmentReview], words: int, typology: Typology, name: str) -> None:
    done = sum(r.reviewed for r in reviews)
    score, _ = mqm_of(reviews, words, typology)
    st.text(name)
    cols = st.columns([3, 1, 1, 1])
    cols[0].progress(
        done / len(reviews) if reviews else 0.0, text=f"{done} / {len(reviews)} reviewed"
    )
    cols[1].metric("MQM penalty", f"{score.penalty:g}")
    cols[2].metric("per 100 words", f"{score.per_100_words:.2f}")
    cols[3].metric("errors", score.errors)


DRAWN_WAITING = "drawn_waiting"  # the open segment was drawn before the models reached it


@st.fragment(run_every=1.0)
def _analysis_progress(jobs: AnalysisJobs, doc_id: str) -> None:
    """While the models analyse the document: how far they got (drawn in the sidebar, so
    the page does not move); the page is drawn again once they are done."""
    job = jobs.get(doc_id)
    if job is None:
        return
    if job.error:
        st.error(md_escape(f"The models' analysis stopped: {job.error}"))
        return
    if job.finished:
        if st.session_state.pop("analysing_shown", None) == doc_id:
            st.rerun()
        return
    if st.session_state.get(DRAWN_WAITING) and st.session_state.get("current", -1) < job.done:
        st.session_state[DRAWN_WAITING] = False  # once: the page run sets it again
        st.rerun()  # the open segment's analysis is here: draw it now, not at the end
    st.session_state["analysing_shown"] = doc_id
    st.progress(
        job.share,
        text=f"Models: {job.done} of {job.total} segments analysed (review goes on meanwhile)",
    )


def _resume_analysis(
    store: ReviewStore, doc_id: str, info: dict[str, object], settings: Settings, models: ModelState
) -> None:
    """A server stopped in the middle of an analysis: start it again (the cache keeps what
    was done)."""
    jobs = _jobs(settings.db)
    if info.get("analysing") and models.loaded and jobs.get(doc_id) is None:
        jobs.start(store, store.load_document(doc_id), settings, models)


def _charts(reviews: Sequence[SegmentReview], typology: Typology) -> None:
    st.altair_chart(charts.risk_chart(reviews), width="stretch")
    errors = charts.errors_chart(reviews, typology)
    if errors is None:
        st.caption("No errors marked yet: the chart of errors by category appears with the first.")
    else:
        st.altair_chart(errors, width="stretch")
    scatter = charts.roundtrip_chart(reviews)
    if scatter is None:
        st.caption("Round-trip chrF against log-probability needs the translation models.")
    else:
        st.altair_chart(scatter, width="stretch")


SETTINGS = "settings"  # session key: the settings this run of the page uses


def main() -> None:
    """One run of the page, with the settings `mtreview app` resolved (else ./mtreview.toml
    and the MTREVIEW_* variables: `settings_for_app`)."""
    try:
        settings = settings_for_app()
    except MTReviewError as exc:
        _page_setup()
        st.error(md_escape(str(exc)))
        return
    timed(settings.timing_log, lambda: _main(settings))


def _page_setup() -> None:
    st.set_page_config(page_title="mtreview", layout="wide")
    st.set_option("client.toolbarMode", "viewer")  # no Deploy, no developer menu


def _main(settings: Settings) -> None:
    _page_setup()
    st.session_state[SETTINGS] = settings  # what the page runs with, for all to see
    try:
        throttle = ThrottlePolicy.from_settings(settings)
        store = _store(
            settings.db, settings.mqm_typology, throttle, settings.db_schema,
            bool(settings.timing_log),
        )  # fmt: skip
        typology = load_typology(settings.mqm_typology)
    except MTReviewError as exc:
        st.error(md_escape(str(exc)))
        return
    with store.one_read():  # the run's reads: one transaction, the principal checked once
        _page(store, settings, typology)


def _page(store: ReviewStore, settings: Settings, typology: Typology) -> None:
    identity = current_identity(store, settings)
    if identity is None:
        return
    reviewer = identity.name
    session_cache.start(store, (identity.name, identity.role))
    models = _models(settings)
    st.sidebar.markdown("**mtreview**")
    identity_sidebar(store, identity)
    scope = team.review_scope(store, identity)
    comparisons = compare.visible_comparisons(store, scope)
    links.follow_link(store, comparisons, scope)  # ?doc=…&segment=… (mtreview compare's links)
    # the corpus for those who see everything; the comparison when the store holds one
    view = corpus.pick_view(store, settings, corpus=scope is None, comparison=bool(comparisons))
    if scope is not None and view == corpus.DOCUMENT:  # (its keys name the documents)
        team.queue_sidebar(store, identity)
    if view == corpus.CORPUS:
        links.keep_position(None)  # the URL names where the reviewer is: a reload goes back
        corpus.corpus_page(store, typology, reviewer)
        return
    if view == corpus.COMPARISON:
        compare.compare_page(store, typology, identity, settings, comparisons, scope)
        links.keep_comparison_position()
        return
    doc_id = _document(store, settings, models, identity, scope)
    if identity.can("import"):
        _import(store, settings, models, identity.name)
    if doc_id is None:
        st.info("No document to review: import one from the sidebar.")
        return
    info = session_cache.cached(store, ("document", doc_id), lambda: store.document(doc_id))
    _resume_analysis(store, doc_id, info.analysis_info, settings, models)
    job = _jobs(settings.db).get(doc_id)
    if job is not None and (not job.finished or st.session_state.get("analysing_shown")):
        with st.sidebar:  # a fragment writes only inside the container it was called in
            _analysis_progress(_jobs(settings.db), doc_id)
    reviews = list(store.iter_segments(doc_id, viewer=reviewer))  # as this viewer may see
    if scope is not None:
        team.mark_independent(store, identity, [doc_id])
    order = st.sidebar.selectbox("Order", list(ORDERS), key="order")
    category = st.sidebar.selectbox(
        "Category", [ALL_CATEGORIES, *typology.labels], key="category_filter"
    )
    shown = visible_segments(reviews, order, category, typology)
    if scope is not None:  # a reviewer opens only what is assigned to them
        allowed = scope.get(doc_id, set())
        shown = [i for i in shown if i in allowed]
        if st.session_state.get("current") not in allowed:
            st.session_state["current"] = shown[0] if shown else None
        if not shown:
            st.info("Nothing assigned to you matches this filter.")
            return
    current, page = navigation(shown, reviews, settings.page_size)
    links.keep_position(doc_id, current)
    st.sidebar.caption(
        " · ".join(f"{action} {key}" for action, key in SHORTCUTS.items()) + " · ? all keys"
    )
    if identity.can("export"):
        export_section(store, doc_id, info.name, reviews, settings.mqm_typology, by=identity.name)
    actions.toasts()
    _header(reviews, info.words, typology, info.name)
    models_banner(store, doc_id, info.analysis_info, settings, models, _models.clear)
    waiting = range(job.done, job.total) if job is not None and not job.finished else range(0)
    st.session_state[DRAWN_WAITING] = current in waiting
    # Only the open tab is drawn: the charts cost more than the rest of the page together.
    lead_tabs = ["Team", "Agreement", "Adjudicate"] if identity.can("adjudicate") else []
    review_tab, chart_tab, *team_tabs = st.tabs(
        ["Review", "Charts", *lead_tabs], key="tab", on_change="rerun"
    )
    if review_tab.open:
        with review_tab:
            left, right = st.columns([5, 6], gap="large")
            with left:
                if page.count > 1:  # a long document: one page of it, never all of it
                    page_bar(page, shown, reviews, settings.page_size)
                article_view(
                    article_paragraphs(reviews[page.start : page.stop], shown, waiting),
                    current=current,
                    on_open=actions.open_clicked,
                )
            with right:
                position = next(i for i, r in enumerate(reviews) if r.index == current)
                segment_panel(
                    store, reviews, position, typology, reviewer, analysing=current in waiting
                )
    if chart_tab.open:
        with chart_tab:
            _charts(reviews, typology)
    if team_tabs:
        _team_tabs(team_tabs, store, identity, doc_id, info.segments, typology)


def _team_tabs(
    tabs: Sequence[Any],
    store: ReviewStore,
    identity: Identity,
    doc_id: str,
    segments: int,
    typology: Typology,
) -> None:
    """A lead's tabs, each drawn only while open."""
    if tabs[0].open:
        with tabs[0]:
            team.assignments_tab(store, identity, doc_id, segments)
    if tabs[1].open:
        with tabs[1]:
            team.agreement_tab(store, identity, doc_id, typology)
    if tabs[2].open:
        with tabs[2]:
            team.adjudication_tab(store, identity, doc_id)
