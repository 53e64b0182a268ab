"""The models' analysis of a document, in the background, chunk by chunk.

A document is stored at once with what needs no model (rule flags, risk), so the reviewer
starts while the models work; each chunk's analyses replace the quick ones as soon as they
are ready, and the page shows how far it got. No Streamlit here: the page keeps one
`AnalysisJobs` per server and polls it.
"""

from __future__ import annotations

import atexit
import dataclasses
import threading
from collections.abc import Iterator, Sequence

from mtreview.analysis import Analyzer, Models, SegmentAnalysis
from mtreview.analysis.highlight import Highlighter
from mtreview.documents import Document, Segment
from mtreview.errors import MTReviewError
from mtreview.pipeline import make_analyzer
from mtreview.settings import Settings
from mtreview.store import ReviewStore

# The first chunk is small, so the first segments are ready in seconds; the next ones
# double up to the batch size the models like (batching is where their speed comes from).
FIRST_CHUNK = 8
LARGEST_CHUNK = 64


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


def chunked_analyses(
    analyzer: Analyzer, segments: Sequence[Segment], first: int
) -> Iterator[list[SegmentAnalysis]]:
    """What `pipeline.analyze_document` returns, a chunk at a time as each is ready: the
    document checks see the whole document first (`document_pass`), as there."""
    if analyzer.settings.document_pass and isinstance(analyzer.highlighter, Highlighter):
        analyzer.highlighter.prime(segments)
    offset, size = 0, first
    while offset < len(segments):
        yield analyzer.analyze(segments[offset : offset + size])
        offset += size
        size = min(size * 2, max(first, LARGEST_CHUNK))


class AnalysisJobs:
    """Background analyses, one document at a time (the models are shared)."""

    def __init__(self, *, chunk: int = FIRST_CHUNK) -> None:
        self.chunk = chunk
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
                analyzer = make_analyzer(settings, models=state.models)  # cached
                chunks = chunked_analyses(analyzer, document.segments, self.chunk)
                for analyses in chunks:
                    last = job.done + len(analyses) >= job.total
                    info = analysis_info(state) if last else None
                    store.replace_analyses(document.doc_id, analyses, info=info)
                    job.done += len(analyses)
                    if self._stopping.is_set() and not last:
                        job.error = "stopped with the server; it goes on when the app opens again"
                        break
        except MTReviewError as exc:
            job.error = str(exc)
        except (OSError, RuntimeError, ValueError) as exc:  # third-party model code
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.ended.set()
