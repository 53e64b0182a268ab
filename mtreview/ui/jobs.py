"""The models' analysis of a document, in the background, chunk by chunk.

A document is stored at once with what needs no model (rule flags, risk), so the reviewer
starts while the models work; each chunk's analyses replace the quick ones as soon as its
batch is computed, and the page shows how far it got. The chunks and batches are those the
planning module forms for `mtreview score --db` (`ScoringRun.into_stored`), so the app
stores the analyses the command would. No Streamlit here: the page keeps one
`AnalysisJobs` per server and polls it.
"""

from __future__ import annotations

import atexit
import dataclasses
import threading

from mtreview.analysis import Models
from mtreview.documents import Document
from mtreview.engines import CHUNK_SIZE
from mtreview.errors import MTReviewError
from mtreview.scoring.run import ScoringRun
from mtreview.settings import Settings
from mtreview.store import ReviewStore


@dataclasses.dataclass(frozen=True)
class ModelState:
    models: Models
    message: str | None  # why models are not used, for the banner; None when loaded
    fetchable: tuple[str, ...] = ()  # hub models missing or broken here: a fetch may help

    @property
    def loaded(self) -> bool:
        return self.message is None


def analysis_info(state: ModelState, *, analysing: bool = False) -> dict[str, object]:
    """What the store keeps about how a document was analysed (the page's banner)."""
    info: dict[str, object] = {
        "models": state.models.describe(),
        "model_free": not state.loaded,  # while `analysing`, the models are on their way
        "note": state.message or "",
    }
    if analysing:
        info["analysing"] = True
    return info


@dataclasses.dataclass
class AnalysisJob:
    """How far the models got with one document (read by the page, written by the thread)."""

    doc_id: str
    total: int
    done: int = 0
    error: str | None = None
    ended: threading.Event = dataclasses.field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.ended.is_set()

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 1.0


class AnalysisJobs:
    """Background analyses, one document at a time (the models are shared)."""

    def __init__(self, *, chunk: int = CHUNK_SIZE) -> None:
        self.chunk = chunk  # the planning module's chunk: tests make it small
        self._jobs: dict[str, AnalysisJob] = {}
        self._lock = threading.Lock()
        self._models_lock = threading.Lock()
        self._stopping = threading.Event()
        # A model call cut short by the interpreter's exit aborts the process: let the
        # chunk under way finish, start no other.
        atexit.register(self.stop, timeout=60.0)

    def stop(self, timeout: float | None = None) -> None:
        """No more chunks; wait for the ones under way."""
        self._stopping.set()
        with self._lock:
            running = list(self._jobs.values())
        for job in running:
            job.ended.wait(timeout)

    def get(self, doc_id: str) -> AnalysisJob | None:
        with self._lock:
            return self._jobs.get(doc_id)

    def running(self, doc_id: str) -> bool:
        job = self.get(doc_id)
        return job is not None and not job.finished

    def start(
        self, store: ReviewStore, document: Document, settings: Settings, state: ModelState
    ) -> AnalysisJob:
        """Analyse `document` (already in the store) with the models; one job per document."""
        with self._lock:
            job = self._jobs.get(document.doc_id)
            if job is not None and not job.finished:
                return job
            job = AnalysisJob(document.doc_id, total=len(document.segments))
            self._jobs[document.doc_id] = job
        thread = threading.Thread(
            target=self._run,
            args=(job, store, document, settings, state),
            name=f"mtreview-analysis-{document.doc_id}",
            daemon=True,
        )
        thread.start()
        return job

    def wait(self, doc_id: str, timeout: float | None = None) -> AnalysisJob | None:
        """For tests and scripts: block until the document's job is finished."""
        job = self.get(doc_id)
        if job is not None:
            job.ended.wait(timeout)
        return job

    def _run(
        self,
        job: AnalysisJob,
        store: ReviewStore,
        document: Document,
        settings: Settings,
        state: ModelState,
    ) -> None:
        try:
            with self._models_lock:
                run = ScoringRun.of_document(settings, document)
                analyzer = run.analyzer(models=state.models)  # the lasting cache, as score's
                info = analysis_info(state)
                for done in run.into_stored(store, analyzer, info=info, chunk_size=self.chunk):
                    job.done = done
                    if self._stopping.is_set() and done < job.total:
                        job.error = "stopped with the server; it goes on when the app opens again"
                        break
        except MTReviewError as exc:
            job.error = str(exc)
        except (OSError, RuntimeError, ValueError) as exc:  # third-party model code
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.ended.set()
