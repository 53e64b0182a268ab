"""`mtreview models` against a test hub on a loopback port (HF_ENDPOINT): fetch, list,
score with what was fetched, convert, remove; resuming; corrupt files; the hub down.

Each run is the real CLI in a process of its own (huggingface_hub reads its environment
once), with its own Hugging Face cache; the hub serves tiny real Marian models under the
default opus-mt names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit_server import free_port

from mtreview.testing.hub_server import HubServer

pytestmark = pytest.mark.processes  # the test hub, the CLI and the app as processes

FR_EN, EN_FR = "Helsinki-NLP/opus-mt-fr-en", "Helsinki-NLP/opus-mt-en-fr"
TEXT = "Le chat dort sur la table.\n\nL'ONG a reçu une lettre du ministère.\n"


@pytest.fixture(scope="module")
def hub(tiny_fr_en: Path, tiny_en_fr: Path) -> Iterator[HubServer]:
    with HubServer({FR_EN: tiny_fr_en, EN_FR: tiny_en_fr}) as server:
        yield server


def hub_env(home: Path, endpoint: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, HF_ENDPOINT=endpoint, HF_HOME=str(home / "hf"), HF_HUB_OFFLINE="0")
    env.update(TRANSFORMERS_OFFLINE="0", HF_HUB_DISABLE_TELEMETRY="1")
    env.update(MTREVIEW_CACHE_DIR=str(home / "mtreview-cache"), **extra)
    env.pop("HF_HUB_CACHE", None)
    return env


def mtreview(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mtreview.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def snapshot(home: Path, name: str) -> Path:
    [folder] = (home / "hf" / "hub" / f"models--{name.replace('/', '--')}" / "snapshots").iterdir()
    return folder


def cached(listing: str) -> str:
    """The Hugging Face cache part of `mtreview models list`."""
    return listing.split("Hugging Face cache", 1)[1].split("CTranslate2", 1)[0]


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line the CLI writes for an error, with exit code 2."""
    assert result.returncode == 2, result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.startswith("mtreview: error:")]
    assert result.stderr.strip().splitlines()[-1] == line
    return line


def test_fetch_then_list_score_convert_remove(hub: HubServer, tmp_path: Path) -> None:
    env = hub_env(tmp_path, hub.url)
    listed = mtreview(env, "models", "list", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.count("missing") == 2

    fetched = mtreview(env, "models", "fetch", cwd=tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    assert f"{FR_EN}: downloaded and verified" in fetched.stdout
    assert f"{EN_FR}: downloaded and verified" in fetched.stdout
    expected = {f.path: f.data for f in hub.repos[FR_EN].files}
    folder = snapshot(tmp_path, FR_EN)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == expected
    weights = len(hub.downloads("model.safetensors"))

    again = mtreview(env, "models", "fetch", cwd=tmp_path)
    assert again.stdout.count("already here, verified") == 2
    assert len(hub.downloads("model.safetensors")) == weights  # nothing fetched twice
    listed = mtreview(env, "models", "list", cwd=tmp_path)
    assert listed.stdout.count(" ready ") == 2 and f"  {EN_FR}  " in cached(listed.stdout)

    # score with what was fetched, the hub out of reach; meanwhile a conversion of it (each
    # loads torch for seconds: at once, the test waits for the longer, not for both)
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    offline = hub_env(tmp_path, "http://127.0.0.1:9", HF_HUB_OFFLINE="1")
    with ThreadPoolExecutor(max_workers=1) as pool:
        converting = pool.submit(
            mtreview, env, "models", "convert", FR_EN, "--compute-type", "int8", cwd=tmp_path
        )
        scored = mtreview(
            offline, "score", "doc.txt", "-o", "out.jsonl", "--no-grammar", "--num-beams", "1",
            cwd=tmp_path,
        )  # fmt: skip
        converted = converting.result()
    assert scored.returncode == 0, scored.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["back_translation"] and r["tokens"] for r in records)

    assert converted.returncode == 0, converted.stderr
    [conversion] = (tmp_path / "mtreview-cache" / "ct2").iterdir()
    assert (conversion / "model.bin").is_file() and conversion.name.endswith("-int8")
    assert conversion.name in mtreview(env, "models", "list", cwd=tmp_path).stdout

    removed = mtreview(env, "models", "rm", FR_EN, cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "removed from the Hugging Face cache" in removed.stdout
    assert f"removed conversion {conversion.name}" in removed.stdout
    assert not conversion.exists() and not folder.exists()
    listed = mtreview(env, "models", "list", cwd=tmp_path)
    assert listed.stdout.count("missing") == 1 and f"  {FR_EN}  " not in cached(listed.stdout)


def test_interrupted_downloads_resume(tiny_fr_en_large: Path, tmp_path: Path) -> None:
    with HubServer({FR_EN: tiny_fr_en_large}) as hub:
        weights = hub.repos[FR_EN].file("model.safetensors")
        assert weights is not None and len(weights.data) > 11_000_000
        # a connection dropped in the middle: the download goes on from where it stopped
        hub.cut("model.safetensors", after=11_000_000)
        first = hub_env(tmp_path / "first", hub.url)
        result = mtreview(first, "models", "fetch", FR_EN, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        whole, resumed = hub.downloads("model.safetensors")
        assert whole == "" and resumed.startswith("bytes=")
        assert 0 < int(resumed.removeprefix("bytes=").rstrip("-")) <= 11_000_000
        got = snapshot(tmp_path / "first", FR_EN) / "model.safetensors"
        assert got.read_bytes() == weights.data

        # a download that gives up: the next run fetches only what is missing
        hub.cut("model.safetensors", after=1000, times=6)
        second = hub_env(tmp_path / "second", hub.url)
        failed = mtreview(second, "models", "fetch", FR_EN, cwd=tmp_path)
        assert "run the same command again to resume" in error_line(failed)
        kept = {p.name for p in snapshot(tmp_path / "second", FR_EN).iterdir()}
        assert {"config.json", "vocab.json", "source.spm"} <= kept
        assert "model.safetensors" not in kept
        small = {name: len(hub.downloads(name)) for name in ("config.json", "vocab.json")}
        resumed_run = mtreview(second, "models", "fetch", FR_EN, cwd=tmp_path)
        assert resumed_run.returncode == 0, resumed_run.stderr
        assert f"{FR_EN}: downloaded and verified" in resumed_run.stdout
        assert {name: len(hub.downloads(name)) for name in small} == small


def test_corrupt_and_incomplete_models_are_named_and_repaired(
    hub: HubServer, tmp_path: Path
) -> None:
    env = hub_env(tmp_path, hub.url)
    assert mtreview(env, "models", "fetch", cwd=tmp_path).returncode == 0
    folder = snapshot(tmp_path, FR_EN)
    blob = (folder / "model.safetensors").resolve()
    data = blob.read_bytes()
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    score = ("score", "doc.txt", "--no-grammar", "--num-beams", "1", "-o", "out.jsonl")

    blob.write_bytes(data[:-1000])  # truncated
    line = error_line(mtreview(env, *score, cwd=tmp_path))
    assert FR_EN in line and "model.safetensors" in line and "truncated" in line
    assert "broken" in mtreview(env, "models", "list", cwd=tmp_path).stdout
    repaired = mtreview(env, "models", "fetch", FR_EN, cwd=tmp_path)
    assert repaired.returncode == 0 and "downloading it again" in repaired.stdout
    assert (folder / "model.safetensors").read_bytes() == data

    flipped = bytearray(data)
    flipped[-10] ^= 0xFF  # same size, other bytes: only the checksum can tell
    (folder / "model.safetensors").resolve().write_bytes(bytes(flipped))
    repaired = mtreview(env, "models", "fetch", FR_EN, cwd=tmp_path)
    assert "model.safetensors does not match its sha256 (corrupt)" in repaired.stdout
    assert (folder / "model.safetensors").read_bytes() == data

    (folder / "source.spm").unlink()  # incomplete
    line = error_line(mtreview(env, *score, cwd=tmp_path))
    assert FR_EN in line and "no source.spm" in line


def test_another_architecture_is_refused_before_its_weights(
    tiny_fr_en: Path, tmp_path: Path
) -> None:
    other = tmp_path / "t5"
    shutil.copytree(tiny_fr_en, other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "model_type": "t5"}))
    with HubServer({"someone/t5-like": other}) as hub:
        result = mtreview(hub_env(tmp_path, hub.url), "models", "fetch", "someone/t5-like",
                          cwd=tmp_path)  # fmt: skip
        line = error_line(result)
        assert "someone/t5-like" in line and "another architecture" in line
        assert hub.downloads("model.safetensors") == []
    missing = mtreview(hub_env(tmp_path, hub.url), "models", "fetch", "someone/absent",
                       cwd=tmp_path)  # fmt: skip
    assert "someone/absent" in error_line(missing)


def test_hub_down_one_line_and_no_models(tmp_path: Path) -> None:
    env = hub_env(tmp_path, f"http://127.0.0.1:{free_port()}")
    line = error_line(mtreview(env, "models", "fetch", cwd=tmp_path))
    assert FR_EN in line and "cannot be reached" in line
    optional = mtreview(env, "models", "fetch", "--optional", cwd=tmp_path)
    assert optional.returncode == 0 and optional.stdout == ""
    [note] = optional.stderr.splitlines()
    assert note.startswith("note") and "cannot be reached" in note and "going on" in note
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    line = error_line(mtreview(env, "score", "doc.txt", "--no-grammar", cwd=tmp_path))
    assert FR_EN in line and "--no-models" in line
