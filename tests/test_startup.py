"""`mtreview` starts at once: what a run does not need is not imported (issue 23), and
model loading draws progress bars only on a terminal. Each check runs a fresh process, so
nothing this test process imported counts. (How long it takes: benchmarks/startup.py.)"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = [pytest.mark.processes]

# what a command that needs no model, no store and no app must not import
HEAVY = {
    "torch",
    "transformers",
    "spacy",
    "thinc",
    "ctranslate2",
    "streamlit",
    "ray",
    "sqlalchemy",
    "huggingface_hub",
    "numpy",
}
# runs the CLI in this process, then writes the status and the top-level packages imported
RUN_AND_LIST = """
import json, re, sys
from mtreview.cli import main
try:
    status = main(sys.argv[2:])
except SystemExit as exc:
    status = exc.code
with open(sys.argv[1], "w") as out:
    json.dump({"status": status, "modules": sorted({m.split(".")[0] for m in sys.modules}),
               "finders": [type(f).__name__ for f in sys.meta_path],
               "checks_imported": "mtreview.checks" in sys.modules,
               "re_compile": re.compile.__qualname__}, out)
"""
AGREEMENT_ERROR = "La décision a été annoncé hier par le ministre.\n"


def run_and_list(tmp_path: Path, *argv: str) -> tuple[dict[str, object], str]:
    report = tmp_path / "imported.json"
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, str(report), *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(report.read_text("utf-8")), done.stdout


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    found, stdout = run_and_list(tmp_path, "--help")
    assert found["status"] == 0 and "COMMAND" in stdout
    assert HEAVY & set(found["modules"]) == set()  # type: ignore[call-overload]
    assert found["checks_imported"] is False  # --checks's help names them when printed


def test_a_run_with_rules_only_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Le le comité a publié son rapport.\n", "utf-8")
    found, stdout = run_and_list(
        tmp_path, "score", "one.txt", "--no-models", "--no-grammar", "--checks", "repeated_words"
    )
    assert found["status"] == 0
    [record] = [json.loads(line) for line in stdout.splitlines()]
    assert [flag["origins"] for flag in record["flags"]] == [["rule:repeated_words"]]
    assert HEAVY & set(found["modules"]) == set()  # type: ignore[call-overload]


def test_the_spacy_checks_load_spacy_without_torch(tmp_path: Path) -> None:
    """thinc imports torch for layers the French pipeline does not use: not any more,
    and the checks find what they found before; `re.compile`, which compiles spaCy's long
    token_match factored while the pipeline loads, is `re`'s own again afterwards."""
    (tmp_path / "one.txt").write_text(AGREEMENT_ERROR, "utf-8")
    found, stdout = run_and_list(tmp_path, "score", "one.txt", "--no-models", "--no-grammar")
    assert found["status"] == 0
    [record] = [json.loads(line) for line in stdout.splitlines()]
    flagged = {record["text"][f["start"] : f["end"]]: f["origins"] for f in record["flags"]}
    assert "rule:agreement" in flagged["annoncé"]
    modules = set(found["modules"])  # type: ignore[call-overload]
    assert "spacy" in modules and "thinc" in modules
    assert "torch" not in modules
    assert not {"typer", "weasel", "rich"} & modules  # spacy.cli's, left out (spacy.info)
    assert "_NoTorchForThinc" not in found["finders"]  # type: ignore[operator]
    assert found["re_compile"] == "compile"


def _score_with_models(tmp_path: Path, fr_en: Path, en_fr: Path, *, terminal: bool) -> str:
    """stderr of a run with models on `one.txt`, on a pipe or on a pseudo-terminal."""
    argv = [sys.executable, "-m", "mtreview.cli", "score", "one.txt", "--no-grammar"]
    argv += ["--back-model", str(fr_en), "--return-model", str(en_fr), "--no-cache"]
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"}
    if not terminal:
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, check=True)
        return done.stderr.decode("utf-8", "replace")
    main, child = pty.openpty()
    # a terminal of 24 x 100 (a new one is 0 x 0, where tqdm draws bars of no width)
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    assert process.wait(timeout=300) == 0
    reader.join(timeout=30)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_model_loading_bars_only_on_a_terminal(
    tmp_path: Path, tiny_fr_en: Path, tiny_en_fr: Path
) -> None:
    (tmp_path / "one.txt").write_text("Le comité a publié son rapport.\n", "utf-8")
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two runs at once
        runs = [
            pool.submit(_score_with_models, tmp_path, tiny_fr_en, tiny_en_fr, terminal=terminal)
            for terminal in (False, True)
        ]
        piped, shown = (run.result() for run in runs)
    assert "segments      1" in piped
    assert "%|" not in piped and "it/s" not in piped
    assert "segments      1" in shown
    assert "%|" in shown  # transformers' own bar, as before
