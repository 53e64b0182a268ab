"""A model fetch that runs in a thread of its own, then whatever should follow it.

The app starts one when the reviewer asks for the models: the page only reads its status
to draw a progress bar, so neither a rerun of the page nor a closed tab stops it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable

from mtreview.errors import MTReviewError
from mtreview.models.manage import FetchPlan, fetch_all


@dataclasses.dataclass(frozen=True)
class JobStatus:
    phase: str  # downloading | after (the follow-up runs) | done | failed
    done: int = 0  # bytes downloaded so far
    total: int = 0
    model: str = ""  # the model being downloaded
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "failed")


class FetchJob:
    """`FetchJob(plans, then=...).start()`; `status()` from any thread, any time."""

    def __init__(self, plans: Iterable[FetchPlan], *, then: Callable[[], None] | None = None):
        self.plans = tuple(plans)
        self.then = then
        self._lock = threading.Lock()
        self._status = JobStatus("downloading", total=sum(p.download_bytes for p in self.plans))
        self._thread = threading.Thread(target=self._run, name="mtreview-fetch", daemon=True)

    def start(self) -> FetchJob:
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> JobStatus:
        self._thread.join(timeout)
        return self.status()

    def status(self) -> JobStatus:
        with self._lock:
            return self._status

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = dataclasses.replace(self._status, **changes)  # type: ignore[arg-type]

    def _run(self) -> None:
        try:
            fetch_all(self.plans, lambda done, total, model: self._set(done=done, model=model))
            if self.then is not None:
                self._set(phase="after")
                self.then()
        except MTReviewError as exc:
            self._set(phase="failed", error=str(exc))
        except (OSError, RuntimeError, ValueError) as exc:  # third-party loaders
            self._set(phase="failed", error=f"{type(exc).__name__}: {exc}")
        else:
            self._set(phase="done")
