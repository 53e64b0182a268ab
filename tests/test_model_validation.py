"""Damaged model directories are refused in one line (exit 2) before any loader reads them.

Every case of `mtreview.testing.damaged_models` (a damaged copy of the tiny fr-en model:
files missing, truncated or garbage; config values of the wrong type or far out of range;
vocabularies that disagree with the config or the SentencePiece models; safetensors
headers that disagree with the config) goes through the real `mtreview score`, in process
for speed, both backends; a few go through a process of their own, with a timeout so a
hang or runaway memory fails. A sound model still scores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtreview.backends.marian_files import model_dir_problem
from mtreview.cli import main
from mtreview.errors import ModelError
from mtreview.models.manage import model_status
from mtreview.testing.damaged_models import PAST_THE_CHECKS, damage_cases, damaged_model_dirs
from mtreview.testing.hub_server import HubServer

pytestmark = pytest.mark.models

TEXT = "Le président a dit que la loi est bonne. Nous partons demain.\n"
CASES = list(damage_cases())
# what a few cases must say: the file, and what is wrong with it
EXPECTED = {
    "config-decoder_layers-huge": (
        "config.json: decoder_layers must be an integer from 1 to 64, got 9223372036854775808"
    ),
    "config-d_model-negative": "config.json: d_model must be an integer from 1 to 16384, got -32",
    "config-d_model-string": 'config.json: d_model must be an integer from 1 to 16384, got "32"',
    "config-dropout-above-one": "config.json: dropout must be a number from 0 to 1, got 1.5",
    "config-heads-not-dividing": "must be divisible by decoder_attention_heads (3)",
    "config-pad_token_id-out-of-range": "config.json: pad_token_id must be a token id from 0",
    "config-activation-unknown": "config.json: activation_function must be one of gelu,",
    "config-too-many-parameters": "more than mtreview's limit of 2,000,000,000",
    "config-num_hidden_layers-huge": "num_hidden_layers is another name for encoder_layers",
    "truncated-target.spm": "target.spm: is not a SentencePiece model (corrupt or truncated",
    "garbage-source.spm": "source.spm: is not a SentencePiece model (corrupt or truncated",
    "vocab-no-unk": "vocab.json: has no <unk>",
    "vocab-duplicate-ids": "vocab.json: ",
    "vocab-id-past-vocab_size": "vocab.json: the id of",
    "vocab-gap-past-spm": "vocab.json: has no token for id 493",
    "safetensors-embedding-transposed": "model.safetensors: shared.weight has shape [32, 495]",
    "safetensors-layer-missing": "model.safetensors: holds 1 decoder layers",
    "safetensors-truncated": "model.safetensors: is 171878 bytes",
    "safetensors-pickle-only": "no model.safetensors (local models load from safetensors only)",
    "generation-max_length-string": "generation_config.json: max_length must be an integer",
    "generation-bad_words_ids-out-of-range": "generation_config.json: bad_words_ids must be",
    "tokenizer-config-sp-kwargs": "tokenizer_config.json: sp_model_kwargs must be empty",
}


@pytest.fixture(scope="module")
def damaged(tiny_fr_en: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return dict(damaged_model_dirs(tiny_fr_en, tmp_path_factory.mktemp("damaged")))


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def score_args(document: Path, back: Path, good: Path, backend: str) -> list[str]:
    return [
        "score", str(document), "--back-model", str(back), "--return-model", str(good),
        "--no-grammar", "--backend", backend, "--num-beams", "1", "--no-cache",
        "-o", str(document.with_suffix(".jsonl")),
    ]  # fmt: skip


def one_error_line(stderr: str, path: Path) -> str:
    """The single `mtreview: error:` line, naming the model directory; no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mtreview: error: "), stderr
    assert str(path) in lines[0]
    return lines[0]


# CTranslate2 goes through the same gate: one case of each kind is enough to show it
CT2_CASES = [
    "missing-config.json", "missing-model.safetensors", "truncated-target.spm",
    "garbage-source.spm", "config-not-json", "config-decoder_layers-huge",
    "config-d_model-string", "config-heads-not-dividing", "config-activation-unknown",
    "config-too-many-parameters", "vocab-no-unk", "vocab-duplicate-ids", "vocab-gap-past-spm",
    "safetensors-truncated", "safetensors-embedding-transposed", "generation-num_beams-zero",
    "tokenizer-config-sp-kwargs", *PAST_THE_CHECKS,
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "backend"),
    [(case, "hf") for case in CASES] + [(case, "ct2") for case in CT2_CASES],
)
def test_damaged_model_is_one_line_and_exit_2(
    case: str,
    backend: str,
    damaged: dict[str, Path],
    tiny_en_fr: Path,
    document: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.monotonic()
    code = main(score_args(document, damaged[case], tiny_en_fr, backend))
    line = one_error_line(capsys.readouterr().err, damaged[case])
    assert code == 2
    assert case not in EXPECTED or EXPECTED[case] in line, line
    # found by the checks, before transformers, torch or CTranslate2 read the files
    if case not in PAST_THE_CHECKS:
        assert "cannot load the" not in line and "cannot convert" not in line, line
    problem = model_dir_problem(damaged[case], safetensors_only=True)
    assert (problem is None) == (case in PAST_THE_CHECKS)
    assert not document.with_suffix(".jsonl").exists()
    assert time.monotonic() - started < 10


@pytest.mark.processes
@pytest.mark.parametrize(
    ("case", "backend"),
    [
        ("config-decoder_layers-huge", "hf"),
        ("config-decoder_layers-huge", "ct2"),
        ("config-max_position_embeddings-huge", "hf"),
        ("truncated-target.spm", "ct2"),
        ("config-pad_token_id-out-of-range", "hf"),
        ("vocab-no-unk", "ct2"),
        ("vocab-gap-past-spm", "hf"),
        ("safetensors-embedding-transposed", "ct2"),
    ],
)
def test_damaged_model_in_a_process_of_its_own(
    case: str, backend: str, damaged: dict[str, Path], tiny_en_fr: Path, document: Path
) -> None:
    """The real CLI; a hang (or memory growing until killed) fails the timeout."""
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mtreview.cli",
            *score_args(document, damaged[case], tiny_en_fr, backend),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 2, result.stderr
    line = one_error_line(result.stderr, damaged[case])
    assert case not in EXPECTED or EXPECTED[case] in line
    assert time.monotonic() - started < 60  # before torch or CTranslate2 build anything


@pytest.mark.parametrize("backend", ["hf", "ct2"])
def test_sound_models_still_score(
    backend: str,
    tiny_fr_en: Path,
    tiny_en_fr: Path,
    document: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MTREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    assert main(score_args(document, tiny_fr_en, tiny_en_fr, backend)) == 0, capsys.readouterr()
    records = document.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 2 and json.loads(records[0])["text"]


def test_shipped_and_multilingual_layouts_pass(
    tiny_fr_en: Path, tiny_en_fr: Path, tiny_en_mul: Path
) -> None:
    for folder in (tiny_fr_en, tiny_en_fr, tiny_en_mul):
        assert model_dir_problem(folder, safetensors_only=True) is None


def test_a_repaired_directory_is_checked_again(tiny_fr_en: Path, tmp_path: Path) -> None:
    """The checks are memoised on the files' sizes and times, never past a change."""
    folder = tmp_path / "model"
    shutil.copytree(tiny_fr_en, folder)
    config = (folder / "config.json").read_text(encoding="utf-8")
    (folder / "config.json").write_text(
        json.dumps({**json.loads(config), "decoder_layers": 9223372036854775808})
    )
    assert "decoder_layers must be" in (model_dir_problem(folder) or "")
    (folder / "config.json").write_text(config, encoding="utf-8")
    assert model_dir_problem(folder) is None


def test_models_list_calls_a_damaged_directory_broken(damaged: dict[str, Path]) -> None:
    status = model_status(str(damaged["vocab-no-unk"]))
    assert status.state == "broken" and "vocab.json: has no <unk>" in status.problem


def test_library_failures_past_the_checks_are_one_model_error(
    damaged: dict[str, Path],
) -> None:
    """What the checks do not look at (config fields only transformers judges) still fails
    as one ModelError line naming the model, from the loaders' backstop."""
    from mtreview.backends.hf import HFMarianBackend

    for case in PAST_THE_CHECKS:
        with pytest.raises(ModelError) as raised:
            HFMarianBackend(str(damaged[case]))
        message = str(raised.value)
        assert (
            message.startswith(f"{damaged[case]}: cannot load the model (") and "\n" not in message
        )


@pytest.mark.processes
def test_hub_models_are_checked_after_download(
    damaged: dict[str, Path], tiny_en_fr: Path, tmp_path: Path
) -> None:
    """A hub name goes through the same checks, on its snapshot folder: a config mtreview
    refuses stops the download before the weights; any other damage is named after it."""
    from test_models_hub import error_line, hub_env, mtreview

    hostile, broken = "someone/opus-mt-hostile", "someone/opus-mt-broken"
    models = {
        hostile: damaged["config-decoder_layers-huge"],
        broken: damaged["vocab-gap-past-spm"],
        "someone/opus-mt-en-fr": tiny_en_fr,
    }
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    with HubServer(models) as hub:
        env = hub_env(tmp_path, hub.url)
        for name, expected in (
            (hostile, "config.json: decoder_layers must be an integer from 1 to 64"),
            (broken, "vocab.json: has no token for id 493"),
        ):
            result = mtreview(
                env, "score", "doc.txt", "--back-model", name, "--return-model",
                "someone/opus-mt-en-fr", "--no-grammar", cwd=tmp_path,
            )  # fmt: skip
            line = error_line(result)
            assert name in line and expected in line, line
            assert "Traceback" not in result.stderr
        fetched = [url for method, url, _ in hub.requests if method == "GET" and "hostile" in url]
        assert any(url.endswith("/config.json") for url in fetched)
        assert not any(url.endswith("/model.safetensors") for url in fetched)


def test_the_generator_is_deterministic(tiny_fr_en: Path, tmp_path: Path) -> None:
    first = dict(damaged_model_dirs(tiny_fr_en, tmp_path / "a"))
    second = dict(damaged_model_dirs(tiny_fr_en, tmp_path / "b"))
    assert list(first) == list(second) == CASES and len(CASES) >= 100
    for case, folder in first.items():
        for path in sorted(folder.iterdir()):
            assert path.read_bytes() == (second[case] / path.name).read_bytes(), (case, path)


def test_a_model_folder_is_loaded_again_when_it_is_another_or_changed(
    tmp_path: Path, tiny_fr_en: Path, tiny_en_fr: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Models load once per process, but the same relative name in another folder is
    another model, and a folder whose files changed is checked again (the fuzz found a
    broken copy served from the cache of a sound one)."""
    from mtreview.backends import load_backend

    shutil.copytree(tiny_fr_en, tmp_path / "a" / "model")
    shutil.copytree(tiny_en_fr, tmp_path / "b" / "model")
    monkeypatch.chdir(tmp_path / "a")
    first = load_backend("hf", "model", threads=1)
    assert load_backend("hf", "model", threads=1) is first
    monkeypatch.chdir(tmp_path / "b")
    other = load_backend("hf", "model", threads=1)
    assert other is not first
    assert other.tokenizer.source_lang == "en" and first.tokenizer.source_lang == "fr"
    (tmp_path / "b" / "model" / "config.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ModelError, match=r"config\.json"):
        load_backend("hf", "model", threads=1)
