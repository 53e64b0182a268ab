"""Getting documents into the store for review: models when available, analysis, import.

No Streamlit here: the page caches what these return. A model is used when it is a local
directory or already in the Hugging Face cache; otherwise the review goes on with the
model-free fields and the rule flags, the page says why, and offers to fetch the models
it lacks (`ModelState.fetchable`), then re-analyses the document with them.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

from mtreview.analysis import Models, SegmentAnalysis
from mtreview.backends.hub import is_hub_name
from mtreview.documents import Document, system_doc_id
from mtreview.errors import InputError, MTReviewError
from mtreview.models.manage import model_status
from mtreview.pipeline import read_input, read_inputs
from mtreview.readers import SUFFIXES
from mtreview.scoring.run import ScoringRun
from mtreview.settings import Settings
from mtreview.store import ReviewStore
from mtreview.ui.jobs import AnalysisJobs, ModelState, analysis_info

__all__ = ["ModelState", "add_analyzed", "load_models", "open_path", "rescore_document"]

SHIPPED_ARTICLE = Path(__file__).resolve().parent.parent / "data" / "kaztag-ngo-pressure.fr.txt"


def load_models(settings: Settings) -> ModelState:
    """The back and return models when they can be had without a download."""
    if not settings.use_models:
        return ModelState(Models(), "models are switched off (use_models = false)")
    names = [settings.model_name("back"), settings.model_name("return")]
    states = {name: model_status(name).state for name in names}
    fetchable = tuple(n for n, state in states.items() if state != "ready" and is_hub_name(n))
    missing = [name for name, state in states.items() if state == "missing"]
    if missing:
        return ModelState(
            Models(),
            f"model {missing[0]!r} is not on this machine (no local directory, not in the "
            "Hugging Face cache); set back_model / return_model (settings) to model "
            "directories to score round trips",
            fetchable,
        )
    try:
        return ModelState(Models.load(settings), None)
    except MTReviewError as exc:
        return ModelState(Models(), f"models could not be loaded: {exc}", fetchable)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:  # third-party loaders
        message = f"models could not be loaded: {type(exc).__name__}: {exc}"
        return ModelState(Models(), message, fetchable)


def add_analyzed(
    store: ReviewStore,
    document: Document,
    settings: Settings,
    state: ModelState,
    jobs: AnalysisJobs | None = None,
    *,
    by: str | None = None,
) -> str:
    """Store `document` reviewable at once: rule flags and risk now (no model needed, a
    second or two), the models' analyses by `jobs` in the background when they are loaded
    (without `jobs`, before returning). Audited as `by`'s import (the library's when None)."""
    who = {} if by is None else {"by": by}
    if jobs is None or not state.loaded:
        store.add_document(
            document, _analysed(document, settings, state.models), info=analysis_info(state),
            **who,
        )  # fmt: skip
        return document.doc_id
    quick = _analysed(document, settings, Models())
    store.add_document(document, quick, info=analysis_info(state, analysing=True), **who)
    jobs.start(store, document, settings, state)
    return document.doc_id


def rescore_document(
    store: ReviewStore, doc_id: str, settings: Settings, state: ModelState
) -> None:
    """Analyse a stored document again (the models came); reviews are kept."""
    analyses = _analysed(store.load_document(doc_id), settings, state.models)
    store.replace_analyses(doc_id, analyses, info=analysis_info(state))


def _analysed(document: Document, settings: Settings, models: Models) -> list[SegmentAnalysis]:
    """The document's analyses at once, by the run every face uses (`ScoringRun`)."""
    run = ScoringRun.of_document(settings, document)
    return list(run.analyses(run.analyzer(models=models)))


def open_path(
    store: ReviewStore,
    path: Path,
    settings: Settings,
    state: ModelState,
    jobs: AnalysisJobs | None = None,
    *,
    by: str | None = None,
) -> str:
    """The doc_id of `path` in the store, reading and analysing it the first time."""
    document = read_input(path, settings)
    if store.has_document(document.doc_id):
        return document.doc_id
    return add_analyzed(store, document, settings, state, jobs, by=by)


def default_document(settings: Settings) -> Path:
    """The document a new store opens on: the `document` setting, else the shipped one."""
    return Path(settings.document or SHIPPED_ARTICLE)


def _free_base(store: ReviewStore, wanted: str, systems: list[str | None]) -> str:
    """A document id from the file's name that no document of the store has, for every
    system's document (`news`, or `news@A` and `news@B`; else `news-2`…)."""
    stem = re.sub(r"[^\w.\-]+", "-", wanted).strip("-") or "document"
    base, number = stem, 1
    while any(store.has_document(system_doc_id(base, system)) for system in systems):
        number += 1
        base = f"{stem}-{number}"
    return base


def import_upload(
    store: ReviewStore,
    name: str,
    data: bytes,
    settings: Settings,
    state: ModelState,
    jobs: AnalysisJobs | None = None,
    *,
    by: str | None = None,
) -> str:
    """Read an uploaded file with the reader its suffix names; a new doc_id each time.
    Streamlit refuses files over `max_upload_mb` (`mtreview app` sets its
    server.maxUploadSize); this checks again for whoever calls it otherwise."""
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        raise InputError(
            name,
            f"file of {len(data) / 1024 / 1024:.1f} MB is over the upload limit of "
            f"{settings.max_upload_mb} MB (setting max_upload_mb)",
        )
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(name, f"unknown file type {suffix!r}; expected {', '.join(SUFFIXES)}")
    with tempfile.TemporaryDirectory(prefix="mtreview-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            documents = read_inputs(path, settings, name=Path(name).name)
        except InputError as exc:  # name the user's file, not our temporary copy
            raise InputError(name, exc.detail, line=exc.line) from None
    base = _free_base(store, Path(name).stem, [d.segments[0].system for d in documents])
    added = []
    for document in documents:  # one, or one per MT system (`base@A`, `base@B`)
        doc_id = system_doc_id(base, document.segments[0].system)
        document = dataclasses.replace(
            document,
            doc_id=doc_id,
            segments=tuple(dataclasses.replace(s, doc=doc_id) for s in document),
        )
        added.append(add_analyzed(store, document, settings, state, jobs, by=by))
    return added[0]
