"""The tiny model builder: a real Marian model, built from the command line, deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from transformers import MarianMTModel, MarianTokenizer


@pytest.mark.processes
def test_builder_command_is_deterministic_and_loadable(tmp_path: Path, tiny_fr_en: Path) -> None:
    out, again = tmp_path / "model", tmp_path / "again"

    def build(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "mtreview.testing.tiny_marian", str(folder), *options]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    with ThreadPoolExecutor(max_workers=2) as pool:  # the two builds at once
        built = pool.submit(build, out, "--src", "fr", "--tgt", "en", "--seed", "7")
        rebuilt = pool.submit(build, again, "--seed", "7")
        result, second = built.result(), rebuilt.result()
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
    assert second.returncode == 0, second.stderr
    for name in ("vocab.json", "source.spm", "target.spm", "model.safetensors"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
