"""An export source over rows already in memory or generated on the fly (tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from mtreview.export.model import ExportDocument, ExportRow


class RowsSource:
    """`rows` is a list, or a callable returning a fresh iterator (so nothing is kept)."""

    def __init__(
        self,
        documents: Sequence[ExportDocument],
        rows: Iterable[ExportRow] | Callable[[], Iterator[ExportRow]],
    ) -> None:
        self._documents = list(documents)
        self._rows = rows

    def documents(self, docs: Sequence[str] = ()) -> list[ExportDocument]:
        return [d for d in self._documents if not docs or d.doc in docs]

    def rows(self, docs: Sequence[str] = ()) -> Iterator[ExportRow]:
        rows = self._rows() if callable(self._rows) else iter(self._rows)
        return (row for row in rows if not docs or row.doc in docs)
