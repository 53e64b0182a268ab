"""The models banner with AppTest (no hub here: HF_HUB_OFFLINE is set for every test), and
the background job behind "Get the models" / "Analyse with the models"."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mtreview.errors import ModelError
from mtreview.models.job import FetchJob
from mtreview.store import ReviewStore
from mtreview.ui import get_models

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Short greedy decoding, no grammar: tiny models never stop early."""
    for name, value in (("GRAMMAR", "false"), ("NUM_BEAMS", "1"), ("MAX_LENGTH", "32")):
        monkeypatch.setenv(f"MTREVIEW_{name}", value)
    return app_env


def _run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_offline_the_banner_is_one_line_and_review_goes_on(env: Path) -> None:
    at = _run()
    [banner] = [w.value.replace("\\", "") for w in at.warning if "translation models" in w.value]
    assert "without translation models: the model hub cannot be reached (HF_HUB_OFFLINE" in banner
    assert "\n" not in banner
    assert not [b for b in at.button if b.label.startswith("Get the models")]
    assert at.subheader[0].value == "Segment 1 of 20"


def test_models_that_came_later_analyse_the_document(
    env: Path, tiny_fr_en: Path, tiny_en_fr: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run()  # opened without models
    monkeypatch.setenv("MTREVIEW_BACK_MODEL", str(tiny_fr_en))
    monkeypatch.setenv("MTREVIEW_RETURN_MODEL", str(tiny_en_fr))
    at = _run()
    assert any("they are here now" in w.value for w in at.warning)
    at.button(key="models_rescore").click()
    at = _run(at)
    [job] = get_models._jobs().values()
    assert job.wait(timeout=300).phase == "done"
    deadline = time.monotonic() + 60
    while get_models._jobs() and time.monotonic() < deadline:
        at = _run(at)  # the progress fragment sees the job done and reloads the page
    assert not get_models._jobs()
    with ReviewStore(env) as store:
        [info] = store.documents()
        first = next(store.iter_segments())
    assert not info.analysis_info["model_free"]
    assert first.analysis.back_translation and first.analysis.return_score is not None
    assert not any("without translation models" in w.value for w in at.warning)


def test_job_runs_then_reports_failures_in_one_line() -> None:
    ran: list[str] = []
    assert FetchJob((), then=lambda: ran.append("after")).start().wait(30).phase == "done"
    assert ran == ["after"]

    def broken() -> None:
        raise ModelError("model 'x': no source.spm")

    status = FetchJob((), then=broken).start().wait(30)
    assert (status.phase, status.error) == ("failed", "model 'x': no source.spm")
    assert status.finished
