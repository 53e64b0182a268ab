"""Same input, same output: `mtreview score` gives byte-identical records across processes
with different hash seeds, with the analysis cache off, cold or warm, and after a kill and
`--resume`; with the transformers and CTranslate2 backends and on Ray; `score --db` stores
the same records.

Model numbers depend in their last bits on the batch a segment is computed in (padding,
kernel choice): every run must form the same batches. Beam search with n-best lists and
two threads is where the differences showed (5e-7 in a log-probability)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from mtreview.store import ReviewStore

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "kaztag-ngo-pressure.fr.txt"

pytestmark = [pytest.mark.slow, pytest.mark.processes]


# two flags on one span, each line at other offsets: their order once hashed (a set of
# flags). The CTranslate2 runs, each with a hash seed of its own, score them with a repeated
# word and two names (three runs without models did that alone: 7 CPU s more)
QUOTES = [
    'Il a dit « oui » puis "non.',
    'Elle a crié « jamais » puis "toujours.',
    'Le maire de la ville a répondu « peut-être » et "demain.',
    'Nous « rien » "tout.',
]
HASHED = [*QUOTES, "Le chat chat dort. M. Dupont et M. Durand."]


def document(folder: Path, lines: int, tail: Sequence[str] = QUOTES[:1]) -> Path:
    """The article twice (repeats), numbered lines with titles and quotes."""
    body = [f'Phrase {n} : « Oui », dit M. Dupont ; "non" répond-il.' for n in range(lines)]
    article = ARTICLE.read_text(encoding="utf-8")
    path = folder / f"doc{lines}.txt"
    path.write_text("\n\n".join([article, *body, *tail, article]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory, tiny_fr_en: Path, tiny_en_fr: Path) -> list[str]:
    """`mtreview score` arguments without the input (beam search, n-best, two threads:
    where batch differences once showed, 5e-7 in a log-probability)."""
    folder = tmp_path_factory.mktemp("determinism")
    config = folder / "mtreview.toml"
    config.write_text("[mtreview]\nmax_length = 12\nnum_beams = 4\nnum_return = 2\n", "utf-8")
    return [
        "score", "--config", str(config), "--no-grammar", "--threads", "2",
        "--back-model", str(tiny_fr_en), "--return-model", str(tiny_en_fr),
    ]  # fmt: skip


def score(argv: Sequence[str], seed: int, *extra: str) -> None:
    """One run in its own process with its own hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    command = [sys.executable, "-m", "mtreview.cli", *argv, *extra]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def killed_then_resumed(argv: Sequence[str], out: Path, seeds: tuple[int, int], keep: int) -> bytes:
    """Run, kill it (SIGKILL) once `keep` records are written, and resume it.

    A window's records come out together, so the kill may land before any is written or
    after the run ended: then the state a kill while writing record `keep` leaves is made
    from the run's own bytes (its first `keep` lines and half the next, its progress file).
    What the killed run leaves is only what `--resume` needs."""
    partial = out.with_name(out.name + ".partial")
    progress = out.with_name(out.name + ".progress")
    env = {**os.environ, "PYTHONHASHSEED": str(seeds[0])}
    command = [sys.executable, "-m", "mtreview.cli", *argv, "-o", str(out)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    sidecar = b""
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        if not sidecar and progress.is_file():
            sidecar = progress.read_bytes()
        if partial.is_file() and partial.read_bytes().count(b"\n") > keep:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    code = process.wait(timeout=60)
    if code == -signal.SIGKILL and not out.exists():
        left = {p.name for p in out.parent.iterdir() if p.name.startswith(out.name)}
        assert left == {partial.name, progress.name}  # what --resume needs, nothing else
    else:  # it ended, or the kill came between its output's rename and the sidecar's removal
        assert code in (0, -signal.SIGKILL) and sidecar and out.is_file()
        out.rename(partial)
        progress.write_bytes(sidecar)
    lines = partial.read_bytes().splitlines(keepends=True)
    assert len(lines) > keep
    partial.write_bytes(b"".join(lines[:keep]) + lines[keep][: len(lines[keep]) // 2])
    score(argv, seeds[1], "-o", str(out), "--resume")
    assert not partial.exists() and not progress.exists()
    return out.read_bytes()


def together(*runs: Callable[[], object]) -> list[object]:
    """Independent runs at once, each in its own process: the test waits for the longest
    rather than their sum (the output must not depend on what else the machine does)."""
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        return [future.result() for future in [pool.submit(run) for run in runs]]


@pytest.fixture(scope="module")
def reference(
    job: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Future[bytes], Future[bytes]]]:
    """The transformers runs' input (101 segments: old batches differed at 81), the bytes
    of its local run without the cache, and those of its run on Ray, killed then resumed;
    both in the background from the first test that asks. The cached, killed, resumed and
    Ray runs are all held to the local run's bytes. The Ray runs spend most of their time
    waiting for Ray and its actors to start: the transformers test's runs go on meanwhile
    (the output must not depend on what else the machine does)."""
    folder = tmp_path_factory.mktemp("reference")
    path, out = document(folder, 60), folder / "nocache.jsonl"

    def run() -> bytes:
        score([*job, str(path)], 1, "--no-cache", "-o", str(out))
        return out.read_bytes()

    # actors plan and batch as locally (and test_ray_engine); this run starts and stops
    # its own local Ray, twice (killed, then resumed)
    on_ray = [*job, str(path), "--cache-dir", str(folder / "ray-cache"), "--engine", "ray"]
    resumed = folder / "ray-resumed.jsonl"
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield (
            path,
            pool.submit(run),
            pool.submit(killed_then_resumed, on_ray, resumed, (23, 24), 57),
        )


def test_transformers_same_bytes_cached_or_not(
    job: list[str], reference: tuple[Path, Future[bytes], Future[bytes]], tmp_path: Path
) -> None:
    path, expected, _on_ray = reference
    cached = [*job, str(path), "--cache-dir", str(tmp_path / "cache")]
    resumed = tmp_path / "resumed.jsonl"  # the cache cold: killed, then resumed
    assert killed_then_resumed(cached, resumed, (2, 3), keep=57) == expected.result()
    warm = tmp_path / "warm.jsonl"
    score(cached, 4, "-o", str(warm))
    assert warm.read_bytes() == expected.result()


def test_ctranslate2_same_bytes_cached_or_not_killed_or_not(
    job: list[str], tmp_path: Path, ct2_conversion: Callable[[Path, str], Path]
) -> None:
    ct2 = [*job, str(document(tmp_path, 20, HASHED)), "--backend", "ct2", "--compute-type", "int8"]
    ct2 += ["--cache-dir", str(tmp_path / "c")]
    # the session's conversions copied in: no run converts (nor imports torch to do so);
    # processes converting at once: test_ct2's race
    for model in (job[job.index("--back-model") + 1], job[job.index("--return-model") + 1]):
        made = ct2_conversion(Path(model), "int8")
        shutil.copytree(made, tmp_path / "c" / "ct2" / made.name)
    reference, cached = tmp_path / "nocache.jsonl", tmp_path / "cached.jsonl"
    resumed, db = tmp_path / "resumed.jsonl", tmp_path / "store.db"
    _, _, resumed_bytes, _ = together(
        lambda: score(ct2, 11, "--no-cache", "-o", str(reference)),
        lambda: score(ct2, 12, "-o", str(cached)),
        lambda: killed_then_resumed([*ct2, "--no-cache"], resumed, (13, 14), keep=43),
        lambda: score(ct2, 15, "--no-cache", "--db", str(db)),  # the store: the same records
    )
    expected = reference.read_bytes()
    assert cached.read_bytes() == expected
    assert resumed_bytes == expected
    with ReviewStore(db) as store:
        stored = [review.analysis.to_record() for review in store.iter_segments()]
    assert stored == [json.loads(line) for line in expected.splitlines()]


def test_ray_same_bytes_killed_or_not(
    reference: tuple[Path, Future[bytes], Future[bytes]],
) -> None:
    """On Ray, killed once 57 records are written, then resumed (the run begun by the
    `reference` fixture): the local run's bytes."""
    _path, expected, on_ray = reference
    assert on_ray.result() == expected.result()
    assert len(expected.result().splitlines()) == 101
