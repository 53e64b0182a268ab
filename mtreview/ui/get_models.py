"""The models banner: why the page has no back-translations, and "Get the models".

When the models are missing and the hub can be reached, the banner shows their size and a
button. The download runs in a job of its own (`mtreview.models.job`), which then analyses
the open document with the models (its reviews are kept); the banner redraws a progress
bar from the job's status until it is done, then reloads the page. Reruns and other tabs
neither stop nor repeat it. Offline, one line says so and review goes on.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from mtreview.errors import ModelError
from mtreview.models import manage
from mtreview.models.job import FetchJob
from mtreview.settings import Settings
from mtreview.store import ReviewStore
from mtreview.ui.loading import ModelState, load_models, rescore_document
from mtreview.ui.view_model import md_escape

REFRESH_SECONDS = 1.0


def _model_free(reason: str) -> str:
    return md_escape(
        f"Reviewing without translation models: {reason}. No back-translation, round trip "
        "or log-probabilities; rule flags still shown."
    )


@st.cache_resource
def _jobs() -> dict[str, FetchJob]:
    """Running and finished jobs of this server, by model names: one download per model."""
    return {}


@st.cache_data(ttl=60, show_spinner="Looking the models up…")
def _offer(names: tuple[str, ...]) -> manage.Offer:
    return manage.offer(names)


def models_banner(
    store: ReviewStore,
    doc_id: str,
    info: dict[str, object],
    settings: Settings,
    state: ModelState,
    forget_models: Callable[[], None],
) -> None:
    """The banner above the review; a button when the models can be had now."""
    key = ",".join(state.fetchable) if state.fetchable else f"analyse:{doc_id}"
    if key in _jobs():
        _progress(key, forget_models)
        return
    if not info.get("model_free"):
        if not state.loaded:
            st.info(md_escape(f"Models are not available now ({state.message}); "
                              "stored analyses shown."))  # fmt: skip
        return
    if state.loaded:
        st.warning("This document was analysed without translation models; they are here now.")
        if st.button("Analyse with the models", key="models_rescore"):
            _start(key, (), store, doc_id, settings)
        return
    if not state.fetchable:
        st.warning(_model_free(str(info.get("note") or state.message or "models unavailable")))
        return
    offer = _offer(state.fetchable)
    if offer.unavailable:
        st.warning(_model_free(offer.unavailable))
        return
    size = manage.mb(offer.download_bytes)
    names = ", ".join(plan.name for plan in offer.plans)
    st.warning(_model_free(f"the models are not on this machine ({names}, {size})"))
    if st.button(f"Get the models ({size})", key="models_get", type="primary"):
        _start(key, offer.plans, store, doc_id, settings)


def _start(
    key: str,
    plans: tuple[manage.FetchPlan, ...],
    store: ReviewStore,
    doc_id: str,
    settings: Settings,
) -> None:
    def analyse() -> None:  # in the job's thread: library calls only
        state = load_models(settings)
        if not state.loaded:
            raise ModelError(f"the models came but cannot be used: {state.message}")
        rescore_document(store, doc_id, settings, state)

    _jobs()[key] = FetchJob(plans, then=analyse).start()
    st.rerun()


@st.fragment(run_every=REFRESH_SECONDS)
def _progress(key: str, forget_models: Callable[[], None]) -> None:
    job = _jobs().get(key)
    if job is None:
        st.rerun(scope="app")
    status = job.status()
    if status.phase == "downloading":
        share = min(1.0, status.done / status.total) if status.total else 0.0
        text = f"Downloading {status.model or 'the models'}: {manage.mb(status.done)} of " + (
            manage.mb(status.total)
        )
        st.progress(share, text=text)
    elif status.phase == "after":
        st.progress(1.0, text="Analysing the document with the models…")
    elif status.phase == "failed":
        st.error(md_escape(status.error))
        if st.button("Try again", key="models_retry"):
            _forget(key, forget_models)
    else:
        _forget(key, forget_models)


def _forget(key: str, forget_models: Callable[[], None]) -> None:
    _jobs().pop(key, None)
    _offer.clear()
    forget_models()
    st.rerun(scope="app")
