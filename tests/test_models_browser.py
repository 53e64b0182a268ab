"""Models out of the box, in a real browser: the README's first command with a model hub
(a test hub on a loopback port), "Get the models" from the banner, and the hub down.

Each app runs in its own process with its own Hugging Face cache and store; the hub serves
tiny real Marian models under the default opus-mt names (HF_ENDPOINT)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from streamlit_server import CHROMIUM, ROOT, free_port, serving, streamlit_app

from mtreview.store import ReviewStore
from mtreview.testing.hub_server import HubServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.sh)"),
]

FR_EN, EN_FR = "Helsinki-NLP/opus-mt-fr-en", "Helsinki-NLP/opus-mt-en-fr"
NOT_COMPUTED = "no model: not computed"
ON_THEIR_WAY = "the models are on their way"  # analysed in the background, chunk by chunk
SHORT = "Le chat dort sur la table.\n\nL'ONG a reçu une lettre du ministère, a-t-il dit.\n"
LONG = 240_000  # ms: downloading, loading and analysing the article on a busy machine


def hub_env(home: Path, endpoint: str) -> dict[str, str]:
    """Its own caches and store; short greedy decoding (tiny models never stop early)."""
    return {
        "MTREVIEW_NUM_BEAMS": "1",
        "MTREVIEW_MAX_LENGTH": "16",
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(home / "hf"),
        "HF_HUB_OFFLINE": "0",
        "TRANSFORMERS_OFFLINE": "0",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "MTREVIEW_CACHE_DIR": str(home / "mtreview-cache"),
        "MTREVIEW_DB": str(home / "review.db"),
    }


def start_reviewing(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_label("Your name").fill("Ana Models")
    page.get_by_role("button", name="Start reviewing").click()
    page.wait_for_selector(".mtr-segment")


def first_segment(db: Path) -> Any:
    with ReviewStore(db) as store:
        return next(store.iter_segments())


def shows_back_translation(page: Any, db: Path) -> None:
    """The open (first) segment's panel shows the model's back-translation and round trip."""
    deadline = time.monotonic() + LONG / 1000
    while True:  # the store has it and the page no longer says it is waiting for it
        retry = page.get_by_role("button", name="Try again")
        assert not retry.count(), page.locator('[data-testid="stAlert"]').all_inner_texts()
        analysis = first_segment(db).analysis
        waiting = page.get_by_text(NOT_COMPUTED).count() or page.get_by_text(ON_THEIR_WAY).count()
        if analysis.back_translation and not waiting:
            break
        assert time.monotonic() < deadline, page.inner_text("body")[-3000:]
        time.sleep(0.2)
    assert analysis.back_translation and analysis.round_trip
    page.get_by_text(analysis.back_translation.strip()[:30]).first.wait_for()
    page.get_by_text(analysis.round_trip.strip()[:30]).first.wait_for()
    assert page.get_by_text("Reviewing without translation models").count() == 0


def test_get_the_models_from_the_banner(
    tiny_fr_en: Path, tiny_en_fr: Path, tmp_path: Path, page: Any
) -> None:
    env = hub_env(tmp_path, "")
    document = tmp_path / "short.fr.txt"  # the shipped article: the first-command test below
    document.write_text(SHORT, encoding="utf-8")
    env["MTREVIEW_DOCUMENT"] = str(document)
    with HubServer({FR_EN: tiny_fr_en, EN_FR: tiny_en_fr}, bytes_per_second=600_000) as hub:
        env["HF_ENDPOINT"] = hub.url
        db = Path(env.pop("MTREVIEW_DB"))
        with streamlit_app(db, tmp_path / "streamlit.log", **env) as url:
            start_reviewing(page, url)
            page.get_by_text("the models are not on this machine").wait_for()
            page.get_by_text(NOT_COMPUTED).first.wait_for()  # the panel, model-free for now
            button = page.get_by_role("button", name=re.compile(r"Get the models \(1\.\d MB\)"))
            button.click()
            page.get_by_text(re.compile(r"Downloading Helsinki-NLP/opus-mt-\w\w-\w\w: ")).wait_for()
            shows_back_translation(page, db)
        assert first_segment(db).analysis.return_score is not None
        assert len(hub.downloads("model.safetensors")) == 2


def test_first_command_fetches_the_models_then_reviews_with_them(
    tiny_fr_en: Path, tiny_en_fr: Path, tmp_path: Path, page: Any
) -> None:
    """The README's first command, `bash scripts/app.sh`, and nothing else typed."""
    port = free_port()
    command = ["bash", str(ROOT / "scripts" / "app.sh"), "--server.port", str(port),
               "--host", "127.0.0.1", "--server.fileWatcherType", "none"]  # fmt: skip
    log = tmp_path / "app.log"
    with HubServer({FR_EN: tiny_fr_en, EN_FR: tiny_en_fr}) as hub:
        env = {**os.environ, **hub_env(tmp_path, hub.url)}
        with serving(command, port, log, env, cwd=tmp_path) as url:
            start_reviewing(page, url)
            shows_back_translation(page, Path(env["MTREVIEW_DB"]))
    output = log.read_text()
    assert f"{FR_EN}: downloaded and verified" in output
    assert f"{EN_FR}: downloaded and verified" in output


def test_first_command_without_the_hub_opens_the_app_model_free(tmp_path: Path, page: Any) -> None:
    """No hub: the script says so in one line, and the app says so in one line too."""
    port = free_port()
    command = ["bash", str(ROOT / "scripts" / "app.sh"), "--server.port", str(port),
               "--host", "127.0.0.1", "--server.fileWatcherType", "none"]  # fmt: skip
    log = tmp_path / "app.log"
    env = {**os.environ, **hub_env(tmp_path, f"http://127.0.0.1:{free_port()}")}
    with serving(command, port, log, env, cwd=tmp_path) as url:
        start_reviewing(page, url)
        banner = page.get_by_text("the model hub cannot be reached")
        banner.wait_for()
        assert "\n" not in banner.inner_text().strip()
        page.get_by_text(NOT_COMPUTED).first.wait_for()  # the review goes on, model-free
        assert page.get_by_role("button", name=re.compile("Get the models")).count() == 0
    lines = [line for line in log.read_text().splitlines() if "cannot be reached" in line]
    assert len(lines) == 1 and lines[0].startswith("note")
