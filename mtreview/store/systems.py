"""Comparisons: the documents several MT systems made of one source, found in the store.

Each system's translation of a source is a document of its own (`news@A`, `news@B`) whose
segments name their system; segment i of every one of them translates source row i
(`mtreview.documents`). A comparison is a base document with two systems or more. Finding
them reads one segment row a document (index 0, through the `(doc_id, idx)` unique index),
never the documents' text.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from mtreview.documents import base_doc_id
from mtreview.errors import StoreError
from mtreview.store.base import StoreBase
from mtreview.store.schema import documents, segments


@dataclasses.dataclass(frozen=True)
class Comparison:
    """A base document and its systems' documents, in the store's document order."""

    base: str  # the document id every system's translation shares (`news`)
    systems: tuple[tuple[str, str], ...]  # (system, doc_id), e.g. ("A", "news@A")
    rows: int  # source rows every system translates (the smallest document's segments)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(system for system, _ in self.systems)

    @property
    def doc_ids(self) -> tuple[str, ...]:
        return tuple(doc_id for _, doc_id in self.systems)

    def doc_id(self, system: str) -> str:
        for name, doc_id in self.systems:
            if name == system:
                return doc_id
        raise StoreError(f"no system {system!r} in the comparison of {self.base!r}")


class SystemQueries(StoreBase):
    def comparisons(self) -> list[Comparison]:
        """Every base document that two systems or more translated, oldest first."""
        query = (
            sa.select(documents.c.doc_id, documents.c.segment_count, segments.c.system)
            .join(
                segments,
                (segments.c.doc_id == documents.c.doc_id) & (segments.c.idx == 0),
            )
            .where(segments.c.system.is_not(None))
            .order_by(documents.c.created_at, segments.c.id)  # as stored: the input's order
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        found: dict[str, list[tuple[str, str, int]]] = {}
        for row in rows:
            members = found.setdefault(base_doc_id(row.doc_id, row.system), [])
            if all(system != row.system for system, _, _ in members):  # one document a system
                members.append((row.system, row.doc_id, row.segment_count))
        return [
            Comparison(
                base,
                tuple((system, doc_id) for system, doc_id, _ in members),
                min(count for _, _, count in members),
            )
            for base, members in found.items()
            if len(members) >= 2
        ]
