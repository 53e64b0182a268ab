"""The tiny model builder: a real Marian model, built from the command line, deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from transformers import MarianMTModel, MarianTokenizer


@pytest.mark.processes
def test_builder_command_is_deterministic_and_loadable(tmp_path: Path, tiny_fr_en: Path) -> None:
    out = tmp_path / "model"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mtreview.testing.tiny_marian",
            str(out),
            "--src",
            "fr",
            "--tgt",
            "en",
            "--seed",
            "7",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1
    assert vocab["<pad>"] == len(vocab) - 1 == max(vocab.values())
    model = MarianMTModel.from_pretrained(out, use_safetensors=True)
    assert model.config.model_type == "marian"
    assert model.config.pad_token_id == vocab["<pad>"]
    tokenizer = MarianTokenizer.from_pretrained(out)
    assert tokenizer.eos_token_id == 0
    # the same arguments give the same model, byte for byte
    again = tmp_path / "again"
    subprocess.run(
        [sys.executable, "-m", "mtreview.testing.tiny_marian", str(again), "--seed", "7"],
        capture_output=True,
        timeout=300,
        check=True,
    )
    for name in ("vocab.json", "source.spm", "target.spm", "model.safetensors"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
