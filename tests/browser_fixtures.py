"""What the review-flow browser tests share besides conftest's `browser` and `page`: the
app on a port of its own, and the mark that skips them without Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.testing.browser import CHROMIUM, streamlit_app

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.sh)"
)


@pytest.fixture(scope="module")
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The app on a free port with a store of its own, shared by a module's tests; a module
    may set `APP_ENV` (e.g. the local user's name)."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "review.db"
    env = getattr(request.module, "APP_ENV", {})
    with streamlit_app(db, folder / "streamlit.log", **env) as url:
        yield url, db
