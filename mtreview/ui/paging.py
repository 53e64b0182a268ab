"""Pages of a long document: the document view draws one page of segments at a time (the
article and the segment list), the page that holds the open segment, so a 2,000-segment
file is never one long page. Computed without Streamlit (tested directly).

Pages are fixed blocks of `page_size` segments in document order; moving the open segment
(J/K, the queue's order, a click, "Go to segment") moves the page with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Page:
    number: int  # 0-based
    count: int  # pages in the document
    start: int  # first position (document order) on this page
    stop: int  # one past its last position
    total: int  # segments in the document

    @property
    def label(self) -> str:
        return (
            f"Segments {self.start + 1}–{self.stop} of {self.total} · "
            f"page {self.number + 1} of {self.count}"
        )


def page_at(number: int, total: int, size: int) -> Page:
    """Page `number` (clamped to the document) of `total` segments, `size` a page."""
    count = max(1, -(-total // size))
    number = min(max(number, 0), count - 1)
    return Page(number, count, number * size, min(total, (number + 1) * size), total)


def page_holding(position: int, total: int, size: int) -> Page:
    """The page of the segment at `position` (document order)."""
    return page_at(position // size, total, size)


def first_on_page(page: Page, order: Sequence[int], positions: dict[int, int]) -> int | None:
    """The segment to open on `page`: the first of `order` (the list as filtered and
    ordered) that lies on it; None when none does."""
    return next((i for i in order if page.start <= positions[i] < page.stop), None)


def neighbour_target(
    page: Page, step: int, order: Sequence[int], positions: dict[int, int], size: int
) -> int | None:
    """The segment "previous page" (`step` -1) or "next page" (+1) opens: the first of
    `order` on the nearest page that way holding one (a filter may empty some pages)."""
    number = page.number + step
    while 0 <= number < page.count:
        found = first_on_page(page_at(number, page.total, size), order, positions)
        if found is not None:
            return found
        number += step
    return None
