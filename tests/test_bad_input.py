"""Every bad input: one line on stderr, exit 2, no traceback, no output left looking complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtreview.cli import main


def score_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    out = tmp_path / "out.jsonl"
    code = main(["score", *args, "-o", str(out), "--no-models"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("mtreview: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".out.jsonl.*"))  # no temp file left behind either
    assert not list(tmp_path.glob("out.jsonl.*"))  # nor the .partial and .progress it made
    return err


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n")
    assert "empty file" in score_fails(tmp_path, capsys, str(path))


def test_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary file (NUL byte at offset 8)" in score_fails(tmp_path, capsys, str(path))


def test_invalid_utf8_names_byte_offset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Première ligne.\nCafé crème.".encode() + b"\nd\xe9j\xe0 vu\n")
    err = score_fails(tmp_path, capsys, str(path))
    offset = len("Première ligne.\nCafé crème.\nd".encode())
    assert f"invalid UTF-8 at byte offset {offset}" in err


def test_invalid_utf8_in_table_names_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b"translation\nbon\nmauvais \xff\n")
    err = score_fails(tmp_path, capsys, str(path))
    assert f"{path}:3:" in err and "invalid UTF-8 at byte offset 24" in err


def test_one_megabyte_single_line_is_split_and_scored(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    sentence = "Le gouvernement a publié une déclaration importante hier soir. "
    path.write_text(sentence * (1_000_000 // len(sentence)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(path), "--no-models", "--no-grammar", "-o", str(out)]) == 0
    text = path.read_text(encoding="utf-8")
    count = 0
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            assert text[record["start"] : record["end"]] == record["text"]
            count += 1
    assert count == text.count(". ")


def test_one_megabyte_table_cell_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.tsv"
    path.write_text("translation\n" + "mot " * 6_000 + "\n", encoding="utf-8")
    assert ":2: segment of 24,000 characters is longer than the limit of 20,000" in score_fails(
        tmp_path, capsys, str(path)
    )
    # a line far over what a row may hold is refused before it is read whole
    path.write_text("translation\n" + "mot " * 250_000 + "\n", encoding="utf-8")
    assert ":2: line longer than 480,000 bytes" in score_fails(tmp_path, capsys, str(path))


def test_wrong_column_count_names_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("source\ttranslation\na\tb\nc\td\te\n")
    err = score_fails(tmp_path, capsys, str(path))
    assert f"{path}:3: expected 2 columns, found 3" in err


def test_unknown_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.csv"
    path.write_text("translation,comment\nbonjour,hello\n")
    assert "unknown column 'comment'" in score_fails(tmp_path, capsys, str(path))


def test_directory_given_as_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert "is a directory, expected a file" in score_fails(tmp_path, capsys, str(folder))


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no such file" in score_fails(tmp_path, capsys, str(tmp_path / "nope.txt"))


def model_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], article: Path, model: str
) -> str:
    out = tmp_path / "out.jsonl"
    code = main(
        ["score", str(article), "--back-model", model, "--return-model", model, "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    return err


def test_model_directory_that_is_not_marian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], article: Path
) -> None:
    model = tmp_path / "bert"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "bert"}')
    err = model_fails(tmp_path, capsys, article, str(model))
    assert "model_type is 'bert', expected 'marian'" in err
    (model / "config.json").unlink()
    assert "no config.json" in model_fails(tmp_path, capsys, article, str(model))


def test_unreachable_hub_model_says_how_to_provide_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], article: Path
) -> None:
    err = model_fails(tmp_path, capsys, article, "Helsinki-NLP/opus-mt-xx-yy")
    assert "cannot load model 'Helsinki-NLP/opus-mt-xx-yy'" in err
    assert "--no-models" in err and "HF_HUB_OFFLINE" in err


@pytest.mark.processes
def test_default_models_offline_exit_2_from_a_real_process(tmp_path: Path, article: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mtreview.cli",
            "score",
            str(article),
            "-o",
            str(tmp_path / "o.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    assert "Helsinki-NLP/opus-mt-fr-en" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_setting_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], article: Path
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[mtreview]\nbatch_size = 'many'\n")
    code = main(["score", str(article), "--no-models", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and "batch_size must be an integer" in err


@pytest.mark.parametrize("flag", ["--batch-size", "--num-beams"])
def test_nonpositive_sizes_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], article: Path, flag: str
) -> None:
    code = main(["score", str(article), "--no-models", flag, "0"])
    assert code == 2
    assert "must be an integer from 1 to" in capsys.readouterr().err
