"""The rule checks that read only their segment, spread over forked worker processes.

Most of a flagging pass is spent in checks that look at one segment alone: spaCy's parse
and the checks that read it, the word-order model, placeholders. `Check.reads_document`
marks the others (duplicates, spelling variants, quote styles …), which follow the
document in order in the run's process. A batch of the first kind is cut into contiguous
pieces; workers forked from the run's process (spaCy and the tables are loaded already: a
fork shares them, nothing is loaded twice) take them from the first while the run's
process does the document checks and Grammalecte's processes run beside them, then the
run's process takes from the last those no worker has begun (it is one of the `threads`
workers: with 2, one is forked). The pieces come back in their order, and every check
reads its segment alone (spaCy's parse of a text does not depend on the texts parsed with
it), so the flags are those of one process whatever the worker count.

Workers are forked for a batch worth it (`worth_forking`: `MIN_SEGMENTS` segments and
`MIN_CHARS` characters or more, a run's window of running text; not the app's chunks of
64, nor a window of short UI strings), when `Settings.threads` (`--threads`) allows more
than one and the process runs a single thread (forking a process with other threads
running can copy a lock another thread holds: the app checks in its process). Once forked,
the workers take every later batch of `MIN_SEGMENTS` or more: the fork is paid for.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from mtreview.checks import Check, DocumentContext
from mtreview.documents import Segment
from mtreview.flags import Flag

MIN_SEGMENTS = 256  # a batch worth forking for: a fork and its first touches cost ~0.05 s
# ... and its characters: what the checks' CPU follows (spaCy's parse, the word-order
# model). A worker warms its own caches (spaCy's lexemes, word frequencies, protected
# spans): on a window of UI strings (~50 characters each) that repeats much of the work it
# takes over, on running text (~100+) it pays
MIN_CHARS = 64_000
PIECES_PER_WORKER = 4  # pieces of a batch per worker: spaCy batches stay ~100+ texts long

SegmentFlags = list[list[Flag]]  # a segment's flags, one list per check

# The checks a forked worker runs: set in the run's process just before it forks, read in
# the child (a fork copies them; nothing is pickled but segments and flags).
_FORKED_CHECKS: Sequence[Check] = ()


def segment_flags(checks: Sequence[Check], segments: Sequence[Segment]) -> list[SegmentFlags]:
    """Each segment's flags from checks that read only their segment, one list per check:
    they are handed an empty context, so they cannot depend on what the process saw."""
    for check in checks:
        check.prepare(segments)
    blank: dict[str, DocumentContext] = {}
    result = []
    for segment in segments:
        context = blank.setdefault(segment.doc, DocumentContext(segment.doc))
        result.append([check.checked(segment, context) for check in checks])
    return result


def _forked_piece(segments: list[Segment]) -> list[SegmentFlags]:
    return segment_flags(_FORKED_CHECKS, segments)


def worth_forking(segments: Sequence[Segment]) -> bool:
    """Whether a batch is work enough to fork for (the module's docstring): the choice
    changes the speed, never the flags."""
    if len(segments) < MIN_SEGMENTS:
        return False
    chars = 0
    for segment in segments:
        chars += len(segment.text)
        if chars >= MIN_CHARS:
            return True
    return False


def can_fork() -> bool:
    """Whether workers may be forked here: a platform with fork, one thread running."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class CheckWorkers:
    """Forked processes for the checks that read only their segment, forked on the first
    batch worth it and kept for the next ones (a fork's first touches of the loaded
    tables cost CPU: once a run, not once a window). `close` stops them; so does the
    interpreter's exit, or dropping the object."""

    def __init__(self, checks: Sequence[Check], workers: int) -> None:
        self.checks = list(checks)
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None

    def start(self, segments: Sequence[Segment]) -> Spread:
        """The batch's `segment_flags`, started in the workers when worth it."""
        if not self._worth(segments):
            return Spread(self.checks, [list(segments)], [])
        executor = self._executor()
        count = min(len(segments), self.workers * PIECES_PER_WORKER)
        size = -(-len(segments) // count)
        pieces = [list(segments[n : n + size]) for n in range(0, len(segments), size)]
        return Spread(self.checks, pieces, [executor.submit(_forked_piece, p) for p in pieces])

    def _worth(self, segments: Sequence[Segment]) -> bool:
        if self.workers < 2 or not self.checks or len(segments) < MIN_SEGMENTS:
            return False
        if self.executor is not None:
            return True
        return worth_forking(segments) and can_fork()

    def _executor(self) -> ProcessPoolExecutor:
        global _FORKED_CHECKS
        if self.executor is None:
            _FORKED_CHECKS = self.checks  # what the children find: they fork on a submit
            context = multiprocessing.get_context("fork")
            # this process is the last worker: it takes pieces once its own work is done
            self.executor = ProcessPoolExecutor(self.workers - 1, mp_context=context)
        return self.executor

    def close(self) -> None:
        if self.executor is not None:
            executor, self.executor = self.executor, None
            executor.shutdown(wait=True, cancel_futures=True)


class Spread:
    """One batch's `segment_flags` on its way: its pieces handed to the workers, which
    take them from the first; `result` computes in this process, from the last, every
    piece no worker has begun (none forked: the one piece, the whole batch)."""

    def __init__(
        self,
        checks: Sequence[Check],
        pieces: list[list[Segment]],
        forked: list[Future[list[SegmentFlags]]],
    ) -> None:
        self.checks = checks
        self.pieces = pieces
        self.forked = forked

    def result(self) -> list[SegmentFlags]:
        """Each segment's flags, one list per check, in the order of the batch; a worker
        that died (killed for memory) is an error here (BrokenProcessPool), not a wait
        without end. Whoever computes a piece, its flags are the same."""
        done: list[list[SegmentFlags] | None] = [None] * len(self.pieces)
        for index in reversed(range(len(self.pieces))):
            if index >= len(self.forked) or self.forked[index].cancel():
                done[index] = segment_flags(self.checks, self.pieces[index])
        return [
            row
            for index, piece in enumerate(done)
            for row in (piece if piece is not None else self.forked[index].result())
        ]

    def cancel(self) -> None:
        """The pieces no worker has begun are dropped (the caller gave up on the batch)."""
        for piece in self.forked:
            piece.cancel()
