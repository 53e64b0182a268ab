"""Issue 10: the document view draws one page of segments, never a whole long document.
The pages (`mtreview.ui.paging`), then the Python flow (AppTest) on 2,000 segments: the
segment list holds a page, previous/next and the pages cross page boundaries, "Go to
segment" reaches the last one, and the page size is a setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from long_document import long_store
from open_widgets import goto_box, segment_list
from streamlit.testing.v1 import AppTest
from test_corpus_app import _run

from mtreview.errors import SettingsError
from mtreview.settings import Settings
from mtreview.ui.paging import Page, first_on_page, neighbour_target, page_at, page_holding

ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = 2_000


def test_pages_are_fixed_blocks_holding_the_open_segment() -> None:
    page = page_holding(120, SEGMENTS, 50)
    assert (page.number, page.count, page.start, page.stop) == (2, 40, 100, 150)
    assert page.label == "Segments 101–150 of 2000 · page 3 of 40"
    last = page_holding(SEGMENTS - 1, SEGMENTS, 50)
    assert (last.number, last.start, last.stop) == (39, 1950, 2000)
    assert page_at(99, 20, 50) == Page(0, 1, 0, 20, 20)  # the article: one page, as before
    assert page_at(-3, 120, 50).number == 0
    positions = {i: i for i in range(120)}
    worst_first = [110, 5, 60, 3]
    assert first_on_page(page_at(1, 120, 50), worst_first, positions) == 60
    assert neighbour_target(page_at(0, 120, 50), 1, worst_first, positions, 50) == 60
    assert neighbour_target(page_at(0, 120, 50), -1, worst_first, positions, 50) is None
    assert neighbour_target(page_at(0, 120, 50), 1, [110], positions, 50) == 110  # skips one


@pytest.fixture(scope="module")
def long_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return long_store(tmp_path_factory.mktemp("long"), SEGMENTS)


@pytest.fixture
def app_env(long_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(long_db.parent)
    monkeypatch.setenv("MTREVIEW_DB", str(long_db))
    monkeypatch.setenv("MTREVIEW_REVIEWER", "Longue")
    monkeypatch.setenv("MTREVIEW_USE_MODELS", "false")
    for name in ("MTREVIEW_DOCUMENT", "MTREVIEW_PAGE_SIZE"):
        monkeypatch.delenv(name, raising=False)
    return long_db


def _heading(at: AppTest) -> str:
    return next(h.value for h in at.subheader if h.value.startswith("Segment "))


def _captions(at: AppTest) -> str:
    return " | ".join(c.value for c in at.caption)


def test_long_document_lists_one_page_and_moves_across_pages(app_env: Path) -> None:
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    pick = segment_list(at.sidebar)
    assert [o.split(" · ")[0] for o in pick.options] == [str(n) for n in range(1, 51)]
    assert _heading(at) == f"Segment 1 of {SEGMENTS}"
    assert "Segments 1–50 of 2000 · page 1 of 40" in _captions(at)
    assert at.button(key="page_prev").disabled

    goto_box(at.sidebar).set_value(50)
    assert _heading(_run(at)) == "Segment 50 of 2000"
    at.button(key="next_btn").click()  # J, across the page's end
    assert _heading(_run(at)) == "Segment 51 of 2000"
    assert "Segments 51–100 of 2000 · page 2 of 40" in _captions(at)
    pick = segment_list(at.sidebar)
    assert [o.split(" · ")[0] for o in pick.options] == [str(n) for n in range(51, 101)]
    at.button(key="prev_btn").click()  # K, back onto page 1
    assert _heading(_run(at)) == "Segment 50 of 2000"
    at.button(key="page_next").click()
    assert _heading(_run(at)) == "Segment 51 of 2000"

    goto_box(at.sidebar).set_value(SEGMENTS)
    assert _heading(_run(at)) == "Segment 2000 of 2000"
    assert "Segments 1951–2000 of 2000 · page 40 of 40" in _captions(at)
    assert at.button(key="next_btn").disabled and at.button(key="page_next").disabled
    assert goto_box(at.sidebar).value is None  # ready for the next jump
    at.button(key="page_prev").click()
    assert _heading(_run(at)) == "Segment 1901 of 2000"


def test_page_size_is_a_setting(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTREVIEW_PAGE_SIZE", "200")
    at = _run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    assert len(segment_list(at.sidebar).options) == 200
    assert "Segments 1–200 of 2000 · page 1 of 10" in _captions(at)
    with pytest.raises(SettingsError, match="page_size must be an integer from 1 to"):
        Settings(page_size=0)
