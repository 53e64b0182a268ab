"""`mtreview score -o OUT --resume`: a killed or interrupted run completes, no duplicates."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from model_batches import SENTENCES, recording_analyzer, write_with_copies

from mtreview.analysis import Analyzer, Models, SegmentAnalysis
from mtreview.analysis.highlight import Highlighter, primed_segments
from mtreview.cli import main
from mtreview.documents import Segment
from mtreview.engines.local import LocalEngine
from mtreview.errors import InputError, SettingsError
from mtreview.pipeline import input_segments
from mtreview.scoring import RunSummary
from mtreview.scoring.resume import ResumableOutput, complete_prefix, run_key, score_to_output
from mtreview.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def write_input(path: Path, count: int) -> Path:
    lines = [f"{SENTENCES[i % len(SENTENCES)]} Numéro {i}." for i in range(count)]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- a real process, really killed ----------------------------------------------------------
@pytest.fixture(scope="module")
def model_run(
    tmp_path_factory: pytest.TempPathFactory, tiny_fr_en: Path, tiny_en_fr: Path
) -> tuple[Path, list[str], bytes]:
    """Input, the score arguments, and the records of an uninterrupted run (its bytes)."""
    folder = tmp_path_factory.mktemp("resume")
    config = folder / "mtreview.toml"
    config.write_text("[mtreview]\nmax_length = 10\nnum_beams = 1\n", encoding="utf-8")
    source = write_input(folder / "big.txt", 192)  # 384 segments: six chunks of 64
    args = [
        "score",
        str(source),
        "--back-model",
        str(tiny_fr_en),
        "--return-model",
        str(tiny_en_fr),
        "--backend",
        "ct2",
        "--compute-type",
        "float32",
        "--threads",
        "1",
        "--no-grammar",
        "--no-cache",
        "--config",
        str(config),
    ]
    reference = folder / "reference.jsonl"
    assert main([*args, "-o", str(reference)]) == 0
    return folder, args, reference.read_bytes()


# `python -m mtreview.cli` as a terminal starts it, Ctrl-C heard: a suite started in the
# background by a shell without job control (`nohup … &`) has SIGINT ignored, and a child
# inherits that, so Python would never raise KeyboardInterrupt.
CLI_HEARING_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('mtreview.cli', run_name='__main__', alter_sys=True)"
)


def start_score(args: Sequence[str], folder: Path) -> subprocess.Popen[bytes]:
    """`mtreview score ARGS` in a process of its own, its errors in FOLDER/stderr.txt. Its
    cache folder is the session's (conftest): the CTranslate2 conversions the in-process
    runs made are there (a folder of its own each cost three conversions at once)."""
    with open(folder / "stderr.txt", "wb") as errors:
        return subprocess.Popen(
            [sys.executable, "-c", CLI_HEARING_CTRL_C, *args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def wait_for_lines(path: Path, lines: int, process: subprocess.Popen[bytes]) -> None:
    """Poll until the partial output holds `lines` records (no timing is asserted)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if path.is_file() and path.read_bytes().count(b"\n") >= lines:
            return
        if process.poll() is not None:
            pytest.fail(f"score ended (code {process.returncode}) before it was interrupted")
        time.sleep(0.05)
    pytest.fail("score wrote nothing in time")


SIGNALS = {"kill": signal.SIGKILL, "ctrl-c": signal.SIGINT, "term": signal.SIGTERM}


@pytest.fixture(scope="module")
def interrupted(
    model_run: tuple[Path, list[str], bytes], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, int]]:
    """One run per signal, all three at once, each stopped by its signal once it has
    written 70 records: its folder and its exit code."""
    _folder, args, _reference = model_run
    folders = {name: tmp_path_factory.mktemp(f"interrupted-{name}") for name in SIGNALS}
    processes = {
        name: start_score([*args, "-o", str(folder / "out.jsonl")], folder)
        for name, folder in folders.items()
    }
    waiting = dict(processes)
    deadline = time.monotonic() + 300
    while waiting and time.monotonic() < deadline:  # each signalled as soon as it is ready
        for name, process in list(waiting.items()):
            partial = folders[name] / "out.jsonl.partial"
            if partial.is_file() and partial.read_bytes().count(b"\n") >= 70:
                process.send_signal(SIGNALS[name])
                del waiting[name]
            elif process.poll() is not None:
                pytest.fail(f"score ended (code {process.returncode}) before it was interrupted")
        time.sleep(0.01)
    assert not waiting, "score wrote nothing in time"
    return {name: (folders[name], process.wait(timeout=120)) for name, process in processes.items()}


@pytest.mark.processes
@pytest.mark.parametrize("name", list(SIGNALS))
def test_interrupted_run_resumes_complete_without_duplicates(
    model_run: tuple[Path, list[str], bytes], interrupted: dict[str, tuple[Path, int]], name: str
) -> None:
    _folder, args, reference = model_run
    expected = [json.loads(line) for line in reference.splitlines()]
    tmp_path, code = interrupted[name]
    out = tmp_path / "out.jsonl"
    how = SIGNALS[name]
    assert code == {signal.SIGKILL: -signal.SIGKILL}.get(how, 128 + how)
    assert not out.exists()  # an unfinished output never looks finished
    assert (tmp_path / "out.jsonl.progress").is_file()
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out."))
    assert left == ["out.jsonl.partial", "out.jsonl.progress"]  # what --resume needs, only
    kept = (tmp_path / "out.jsonl.partial").read_bytes().count(b"\n")
    assert 70 <= kept < len(expected)

    summary = tmp_path / "summary.json"
    assert main([*args, "-o", str(out), "--resume", "--summary", str(summary)]) == 0
    got = records(out)
    ids = [(r["doc"], r["segment_id"]) for r in got]
    assert len(ids) == len(set(ids)) == len(expected)
    assert out.read_bytes() == reference  # same records, same order, same bytes
    report = json.loads(summary.read_text(encoding="utf-8"))
    assert report["resumed"] == kept  # every complete record kept, none computed again
    assert report["segments"] == len(expected)
    assert not (tmp_path / "out.jsonl.partial").exists()
    assert not (tmp_path / "out.jsonl.progress").exists()


# --- in process: what is computed again, TSV, refusals ---------------------------------------
class CountingAnalyzer(Analyzer):
    """Records which segments the analysis was asked to compute."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.computed: list[int] = []

    def compute(self, segments: Sequence[Segment]) -> list[SegmentAnalysis]:
        self.computed.extend(segment.index for segment in segments)
        return super().compute(segments)


class Interrupt(KeyboardInterrupt):
    pass


def run_until(
    source: Path,
    out: Path,
    fmt: str,
    *,
    resume: bool,
    stop_after: int | None,
    analyzer: Analyzer | None = None,
    engine: LocalEngine | None = None,
) -> tuple[Analyzer, RunSummary]:
    """`mtreview score SOURCE -o OUT` in process, stopped as Ctrl-C would after a record."""
    if analyzer is None:
        analyzer = CountingAnalyzer(Settings(use_models=False, grammar=False))
    settings = analyzer.settings
    written = 0

    def on_record() -> None:
        nonlocal written
        written += 1
        if stop_after is not None and written >= stop_after:
            raise Interrupt

    key = run_key([source], settings, fmt)
    assert isinstance(analyzer.highlighter, Highlighter)
    with ResumableOutput(out, key=key, resume=resume) as output:
        segments = primed_segments(  # the document pass, as `mtreview score` does it
            [lambda: input_segments([source], settings)], analyzer.highlighter
        )
        summary = score_to_output(
            segments, analyzer, output, fmt, engine=engine, on_record=on_record
        )
    return analyzer, summary


def same_summary(one: RunSummary, other: RunSummary) -> bool:
    """Everything but the time taken and how much was resumed."""
    timing = ("seconds", "segments_per_second", "resumed")
    strip = [{k: v for k, v in s.to_dict().items() if k not in timing} for s in (one, other)]
    return strip[0] == strip[1]


@pytest.mark.parametrize("fmt", ["jsonl", "tsv"])
def test_resume_computes_only_what_is_missing(tmp_path: Path, fmt: str) -> None:
    source = write_input(tmp_path / "doc.txt", 150)
    reference = tmp_path / f"reference.{fmt}"
    _, expected = run_until(source, reference, fmt, resume=False, stop_after=None)
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(Interrupt):
        run_until(source, out, fmt, resume=False, stop_after=100)
    partial = Path(f"{out}.partial")
    with open(partial, "a", encoding="utf-8") as handle:
        handle.write('{"doc": "half a rec')  # the line being written when the process died
    second, summary = run_until(source, out, fmt, resume=True, stop_after=None)
    assert out.read_bytes() == reference.read_bytes()
    total = len(reference.read_text(encoding="utf-8").splitlines()) - (fmt == "tsv")
    assert total > 100
    assert isinstance(second, CountingAnalyzer)
    if fmt == "jsonl":
        assert second.computed == list(range(100, total))  # the finished 100: not again
    else:  # four decimals, no flag detail: nothing to replay, so analysed again, not written
        assert second.computed == list(range(total))
        assert out.read_text(encoding="utf-8").count("doc\tsegment_id") == 1
    assert summary.resumed == 100
    assert same_summary(summary, expected)  # the summary covers the whole input


@pytest.mark.slow  # windows of 128 segments through the tiny models, twice
def test_resumed_window_computes_the_batches_of_an_uninterrupted_run(
    tmp_path: Path, tiny_fr_en: Path, tiny_en_fr: Path
) -> None:
    """With the cache off (a private cache), the window holding the resume point sends
    the models the batches of an uninterrupted run, copies of earlier windows' segments
    being cache hits as they were."""
    source = write_with_copies(tmp_path / "doc.txt")
    settings = Settings(
        back_model=str(tiny_fr_en), return_model=str(tiny_en_fr), max_length=10, num_beams=1,
        grammar=False, cache_dir=str(tmp_path / "cache"),
    )  # fmt: skip
    models = Models.load(settings)

    def run(out: Path, **how: Any) -> tuple[list[list[int]], RunSummary | None]:
        analyzer, batches = recording_analyzer(settings, models)
        engine = LocalEngine(window_chunks=2)  # windows of 128 segments
        try:
            summary = run_until(source, out, "jsonl", analyzer=analyzer, engine=engine, **how)[1]
        except Interrupt:
            return batches, None
        return batches, summary

    reference = tmp_path / "reference.jsonl"
    uninterrupted, expected = run(reference, resume=False, stop_after=None)
    out = tmp_path / "out.jsonl"
    run(out, resume=False, stop_after=160)  # in the second window, [128, 256)
    resumed, summary = run(out, resume=True, stop_after=None)
    assert resumed == [batch for batch in uninterrupted if min(batch) >= 128]
    assert sum(map(len, uninterrupted)) < 300  # copies were cache hits, not computed
    assert out.read_bytes() == reference.read_bytes()
    assert summary is not None and expected is not None and same_summary(summary, expected)


@pytest.mark.parametrize("fmt", ["jsonl", "tsv"])
def test_resume_refuses_a_partial_longer_than_the_input(tmp_path: Path, fmt: str) -> None:
    source = write_input(tmp_path / "doc.txt", 10)  # 20 segments
    reference = tmp_path / f"reference.{fmt}"
    run_until(source, reference, fmt, resume=False, stop_after=None)
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(Interrupt):
        run_until(source, out, fmt, resume=False, stop_after=5)
    partial = Path(f"{out}.partial")
    lines = reference.read_text(encoding="utf-8").splitlines(keepends=True)
    partial.write_text("".join(lines + lines[-1:] * 15), encoding="utf-8")  # 20 + 15
    line = 21 + (fmt == "tsv")  # the first record the input has no segment for
    with pytest.raises(
        InputError, match=rf"\.partial:{line}: the partial output has 35 records, the input 20"
    ):
        run_until(source, out, fmt, resume=True, stop_after=None)
    assert not out.exists()  # never a complete-looking output


def test_resume_refuses_a_different_run(tmp_path: Path) -> None:
    source = write_input(tmp_path / "doc.txt", 20)
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        run_until(source, out, "jsonl", resume=False, stop_after=5)
    args = ["score", str(source), "--no-models", "--no-grammar", "-o", str(out), "--resume"]
    assert main([*args, "--format", "tsv"]) == 2  # another format: one-line error
    assert Path(f"{out}.partial").is_file()  # nothing saved is lost
    with pytest.raises(SettingsError, match="needs an output file"):
        ResumableOutput(None, key="k", resume=True).__enter__()


def test_resume_without_a_partial_starts_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_input(tmp_path / "doc.txt", 12)
    out = tmp_path / "out.jsonl"
    assert main(["score", str(source), "--no-models", "-o", str(out), "--resume"]) == 0
    assert [r["segment_id"] for r in records(out)] == list(range(24))  # 12 × 2 sentences
    assert "nothing to resume" in capsys.readouterr().err


def test_complete_prefix_cuts_after_the_last_newline(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a\nbb\nccc")
    assert complete_prefix(path) == 5
    path.write_bytes(b"no newline")
    assert complete_prefix(path) == 0
    path.write_bytes(b"x" * 200_000 + b"\n" + b"y" * 100_000)
    assert complete_prefix(path) == 200_001


# --- a damaged partial output: checked line by line, refused, nothing changed ---------------
@pytest.fixture(scope="module")
def killed_partial(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path, bytes]:
    """The score arguments (no models), the folder where a real process was stopped with
    Ctrl-C (SIGINT) after 40 records, and the bytes of an uninterrupted run."""
    folder = tmp_path_factory.mktemp("killed")
    source = write_input(folder / "doc.txt", 1_000)  # 2,000 segments
    args = ["score", str(source), "--no-models", "--no-grammar"]
    process = start_score([*args, "-o", str(folder / "out.jsonl")], folder)
    wait_for_lines(folder / "out.jsonl.partial", 40, process)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 128 + signal.SIGINT
    reference = folder / "reference.jsonl"
    assert main([*args, "-o", str(reference)]) == 0
    return args, folder, reference.read_bytes()


def resume_copy(killed: tuple[list[str], Path, bytes], where: Path, partial: bytes) -> Path:
    """The killed run's sidecar with `partial` as its partial output, in `where`."""
    _args, folder, _reference = killed
    (where / "out.jsonl.progress").write_bytes((folder / "out.jsonl.progress").read_bytes())
    (where / "out.jsonl.partial").write_bytes(partial)
    return where / "out.jsonl"


def _damage(lines: list[bytes], case: str) -> tuple[list[bytes], int]:
    """The partial's lines damaged as a fuzz did, and the first bad line (1-based)."""
    damaged = list(lines)
    record = json.loads(lines[6])
    if case == "repeated":  # records 1-20 written twice
        return lines[:20] + lines[:40], 21
    if case == "altered text":
        record["text"] = "Un autre texte."
        damaged[6] = json.dumps(record, ensure_ascii=False).encode() + b"\n"
        return damaged, 7
    if case == "swapped pair":
        damaged[3], damaged[4] = lines[4], lines[3]
        return damaged, 4
    if case == "bad utf-8":
        damaged[8] = lines[8].replace(b'"text": "', b'"text": "\xff', 1)
        return damaged, 9
    if case == "truncated json":
        damaged[11] = lines[11][: len(lines[11]) // 2] + b"\n"
        return damaged, 12
    if case == "other document":
        record = json.loads(lines[2])
        record["doc"] = "another"
        damaged[2] = json.dumps(record, ensure_ascii=False).encode() + b"\n"
        return damaged, 3
    if case == "wrong types":
        record = json.loads(lines[4])
        record["segment_id"] = "4"
        damaged[4] = json.dumps(record, ensure_ascii=False).encode() + b"\n"
        return damaged, 5
    if case == "reformatted":  # the same record, other bytes: kept as is, it must be exact
        damaged[7] = json.dumps(json.loads(lines[7]), ensure_ascii=True).encode() + b"\n"
        return damaged, 8
    assert case == "not an object"
    damaged[5] = b"[1, 2]\n"
    return damaged, 6


DAMAGES = [
    "repeated",
    "altered text",
    "swapped pair",
    "bad utf-8",
    "truncated json",
    "other document",
    "wrong types",
    "reformatted",
    "not an object",
]


@pytest.mark.processes  # the killed run of the fixture
@pytest.mark.parametrize("case", DAMAGES)
def test_resume_refuses_a_damaged_partial_and_changes_nothing(
    killed_partial: tuple[list[str], Path, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    args, folder, _reference = killed_partial
    lines = (folder / "out.jsonl.partial").read_bytes().splitlines(keepends=True)
    assert len(lines) >= 40
    damaged, bad_line = _damage(lines, case)
    out = resume_copy(killed_partial, tmp_path, b"".join(damaged) + b'{"doc": "half')
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main([*args, "-o", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mtreview: error: {out}.partial:{bad_line}: "), err
    assert err.count("\n") == 1 and "Traceback" not in err
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # nothing deleted, truncated or added (the half line included)


@pytest.mark.processes  # the killed run of the fixture
def test_resume_refuses_a_partial_without_its_progress_file(
    killed_partial: tuple[list[str], Path, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args, folder, _reference = killed_partial
    partial = tmp_path / "out.jsonl.partial"
    partial.write_bytes((folder / "out.jsonl.partial").read_bytes())
    assert main([*args, "-o", str(tmp_path / "out.jsonl"), "--resume"]) == 2
    assert "out.jsonl.progress beside it" in capsys.readouterr().err
    assert partial.read_bytes() == (folder / "out.jsonl.partial").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl.partial"]


@pytest.mark.processes  # the killed run of the fixture
def test_resume_of_a_valid_partial_with_a_half_written_line_is_complete(
    killed_partial: tuple[list[str], Path, bytes], tmp_path: Path
) -> None:
    args, folder, reference = killed_partial
    partial = (folder / "out.jsonl.partial").read_bytes()
    out = resume_copy(killed_partial, tmp_path, partial + b'{"doc": "half a rec')
    assert main([*args, "-o", str(out), "--resume"]) == 0
    assert out.read_bytes() == reference
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


@pytest.mark.parametrize(
    ("case", "bad_line", "message"),
    [
        ("header", 1, "not the header of a TSV output"),
        ("columns", 4, "expected 14 columns, found 13"),
        ("swapped pair", 5, "holds segment 4 of 'doc' where the input gives segment 3"),
        ("altered text", 7, "segment 5 of 'doc' differs from the input"),
        ("bad utf-8", 3, "invalid UTF-8"),
        ("number", 6, "start 'x' is no number"),
    ],
)
def test_tsv_resume_refuses_a_damaged_partial_and_changes_nothing(
    tmp_path: Path, case: str, bad_line: int, message: str
) -> None:
    source = write_input(tmp_path / "doc.txt", 10)
    out = tmp_path / "out.tsv"
    with pytest.raises(Interrupt):
        run_until(source, out, "tsv", resume=False, stop_after=8)
    partial = Path(f"{out}.partial")
    lines = partial.read_bytes().splitlines(keepends=True)  # the header and 8 records
    if case == "header":
        lines[0] = lines[0].replace(b"risk", b"danger")
    elif case == "columns":
        lines[3] = lines[3].replace(b"\t", b" ", 1)
    elif case == "swapped pair":
        lines[4], lines[5] = lines[5], lines[4]
    elif case == "altered text":
        cells = lines[6].split(b"\t")
        cells[11] = b"Un autre texte."
        lines[6] = b"\t".join(cells)
    elif case == "bad utf-8":
        lines[2] = lines[2].replace(b"\t", b"\t\xff", 1)
    else:
        cells = lines[5].split(b"\t")
        cells[3] = b"x"
        lines[5] = b"\t".join(cells)
    partial.write_bytes(b"".join(lines) + b"doc\t1")  # and a half-written line
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(InputError, match=rf"\.partial:{bad_line}: .*{re.escape(message)}"):
        run_until(source, out, "tsv", resume=True, stop_after=None)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
