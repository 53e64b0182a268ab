"""Documents arriving window by window: `mtreview score --db` and `mtreview import-analysis`.

A document is created by the first window that holds its segments and stays *incomplete*
(`analysis_info["scoring"]` says by which run and how many segments are done) until
`finish_scored` gives it its text, counts and what analysed it. Each window is one
transaction, so a killed run leaves whole windows behind and `--resume` continues after
the last one. Segments already stored must be the same segments (see `store.write`), so
re-scoring a document replaces its analyses and keeps every review of it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mtreview.analysis import SegmentAnalysis
from mtreview.documents import Segment
from mtreview.errors import StoreError
from mtreview.store.access import keep_alive
from mtreview.store.base import SYSTEM_ACTOR, StoreBase
from mtreview.store.schema import documents, now, segments
from mtreview.store.write import disagreement, insert_document, store_analyses, stored_rows

SCORING = "scoring"  # analysis_info key of a document still being written


@dataclasses.dataclass(frozen=True)
class IncomingDocument:
    """What the store needs to know of a document before its first segment arrives, and
    the run writing it (a key of its input and settings: only that run may resume it)."""

    doc_id: str
    name: str
    lang: str
    source_lang: str | None
    format: str
    run: str


@dataclasses.dataclass(frozen=True)
class StoredState:
    """Where a document stands in the store: complete, or how far a run got."""

    doc_id: str
    complete: bool
    run: str | None  # the run writing it (incomplete documents)
    done: int  # segments the run has written
    segments: int  # segment rows stored


class ScoredWrites(StoreBase):
    def scored_state(self, doc_id: str) -> StoredState | None:
        """None when the document is not in the store."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(documents.c.analysis_info).where(documents.c.doc_id == doc_id)
            ).first()
            if row is None:
                return None
            count = conn.execute(
                sa.select(sa.func.count()).where(segments.c.doc_id == doc_id)
            ).scalar_one()
        scoring = (row.analysis_info or {}).get(SCORING)
        if not isinstance(scoring, dict):
            return StoredState(doc_id, True, None, int(count), int(count))
        return StoredState(
            doc_id, False, scoring.get("run"), int(scoring.get("done") or 0), int(count)
        )

    def _importer(self, conn: Connection, by: str) -> str:
        """The name `by` imports as, checked in this transaction (on a team store a
        principal allowed "import": an admin); its session is marked used (a run of
        windows that lasts hours is no idle session)."""
        name = self._acting(conn, by, "import").name
        keep_alive(conn, by)
        return name

    def write_scored(
        self,
        window: Sequence[SegmentAnalysis],
        incoming: Mapping[str, IncomingDocument],
        *,
        by: str = SYSTEM_ACTOR,
    ) -> None:
        """One window of analyses in one transaction: documents new to the store are
        created (incomplete), segments inserted or checked against their rows, analyses
        replaced, and each document's count of done segments moved on. `by`: who
        imports (`finish_scored`)."""
        if not window:
            return
        done = Counter(a.segment.doc for a in window)
        stamp = now()
        with self._write() as conn:
            self._importer(conn, by)
            for doc_id, count in done.items():
                run = incoming[doc_id].run
                info: dict[str, Any]
                row = conn.execute(
                    sa.select(documents.c.analysis_info).where(documents.c.doc_id == doc_id)
                ).first()
                if row is None:
                    info = {SCORING: {"run": run, "done": 0}}
                    insert_document(
                        conn, incoming[doc_id], original="", segments_=0, words=0, info=info,
                        created_at=stamp,
                    )  # fmt: skip
                else:
                    info = dict(row.analysis_info or {})
                    scoring = info.get(SCORING) if isinstance(info.get(SCORING), dict) else None
                    before = int(scoring["done"]) if scoring and scoring.get("run") == run else 0
                    info = {**info, SCORING: {"run": run, "done": before}}
                info[SCORING]["done"] += count
                conn.execute(
                    documents.update()
                    .where(documents.c.doc_id == doc_id)
                    .values(analysis_info=info)
                )
            store_analyses(conn, window, stamp)

    def first_disagreement(self, given: Sequence[Segment]) -> tuple[int, str] | None:
        """(position in `given`, why) of the first segment that differs from its stored row
        (a segment not stored yet is fine), or None."""
        by_doc: dict[str, list[int]] = {}
        for position, segment in enumerate(given):
            by_doc.setdefault(segment.doc, []).append(position)
        found: list[tuple[int, str]] = []
        with self._read() as conn:
            for doc_id, positions in by_doc.items():
                rows = stored_rows(conn, doc_id, [given[p].index for p in positions])
                for position in positions:
                    row = rows.get(given[position].index)
                    problem = None if row is None else disagreement(row, given[position])
                    if problem:
                        found.append((position, problem))
                        break
        return min(found) if found else None

    def mark_scoring(self, doc_id: str, *, run: str, by: str = SYSTEM_ACTOR) -> None:
        """A stored document is about to be analysed again: incomplete until finished.
        `by`: who imports (`finish_scored`)."""
        with self._write() as conn:
            self._importer(conn, by)
            row = conn.execute(
                sa.select(documents.c.analysis_info).where(documents.c.doc_id == doc_id)
            ).first()
            if row is None:
                raise StoreError(f"no document {doc_id!r} in {self.describe()}")
            info = {**(row.analysis_info or {}), SCORING: {"run": run, "done": 0}}
            conn.execute(
                documents.update().where(documents.c.doc_id == doc_id).values(analysis_info=info)
            )

    def finish_scored(
        self,
        doc_id: str,
        *,
        segments_: int,
        words: int,
        original: str,
        info: dict[str, object],
        by: str = SYSTEM_ACTOR,
    ) -> None:
        """The document is whole: its text, counts and what analysed it; complete now.
        Audited as `by`'s "import-document" (`score --db`, `import-analysis`); on a team
        store `by` is a principal allowed "import" (an admin), as for every write of the
        run (`write_scored`, `mark_scoring`)."""
        with self._write() as conn:
            me = self._importer(conn, by)
            stored = conn.execute(
                sa.select(sa.func.count()).where(segments.c.doc_id == doc_id)
            ).scalar_one()
            if stored != segments_:
                raise StoreError(
                    f"document {doc_id!r} has {stored} segments in {self.describe()} but "
                    f"{segments_} in its input: the input changed since it was stored"
                )
            conn.execute(
                documents.update()
                .where(documents.c.doc_id == doc_id)
                .values(
                    original=original,
                    segment_count=segments_,
                    word_count=words,
                    analysis_info={k: v for k, v in info.items() if k != SCORING},
                )
            )
            name = conn.execute(
                sa.select(documents.c.name).where(documents.c.doc_id == doc_id)
            ).scalar()
            self._audit(
                conn, me, "import-document", doc_id, None, name=name, segments=segments_,
                words=words,
            )  # fmt: skip

    def segment_texts(self, doc_id: str, *, batch_size: int = 2000) -> Iterator[str]:
        """The stored segments' texts in order, read in batches."""
        last = -1
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    sa.select(segments.c.idx, segments.c.text)
                    .where((segments.c.doc_id == doc_id) & (segments.c.idx > last))
                    .order_by(segments.c.idx)
                    .limit(batch_size)
                ).all()
            if not rows:
                return
            last = rows[-1].idx
            yield from (row.text for row in rows)
