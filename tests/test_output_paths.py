"""Outputs never destroy what they should not: devices and FIFOs are written in place,
symbolic links stay links, an output that is an input (or another output) is refused before
anything is read, and every output gets the umask's mode."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCORE = ["--no-models", "--no-grammar"]
TEXT = "Le ministère a publié un rapport. Les ONG ont répondu hier.\n\nUn autre paragraphe ici.\n"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A review store holding one scored document, for exports."""
    folder = tmp_path_factory.mktemp("store")
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    db = folder / "review.db"
    assert main(["score", str(folder / "doc.txt"), *SCORE, "--db", str(db)]) == 0
    return db


def export_args(store: Path, fmt: str = "jsonl") -> list[str]:
    return ["export", "--db", str(store), "--format", fmt]


class FifoReader:
    """A reader on the other end of a FIFO, reading everything until the writer closes."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.data = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as handle:
            self.data = handle.read()

    def wait(self) -> bytes:
        self.thread.join(timeout=60)
        if self.thread.is_alive():  # no writer ever opened the FIFO: release the reader
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self.thread.join(timeout=10)
            pytest.fail(f"nothing was written into {self.path}")
        return self.data


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A character device like /dev/null (1, 3), made in a temporary folder."""
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.close(os.open(path, os.O_WRONLY))
    except PermissionError:
        pytest.skip("cannot make or open a device node here (not root, or a nodev mount)")
    return path


# --- devices and FIFOs: written in place ----------------------------------------------------
def test_score_writes_into_a_fifo_and_leaves_it_a_fifo(tmp_path: Path, doc: Path) -> None:
    fifo = tmp_path / "records"
    reader = FifoReader(fifo)
    assert main(["score", str(doc), *SCORE, "-o", str(fifo)]) == 0
    records = [json.loads(line) for line in reader.wait().decode().splitlines()]
    assert [r["segment_id"] for r in records] == [0, 1, 2]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt", "records"]


def test_summary_and_export_write_into_fifos(tmp_path: Path, doc: Path, store: Path) -> None:
    summary = FifoReader(tmp_path / "summary")
    assert main(["score", str(doc), *SCORE, "--summary", str(summary.path)]) == 0
    assert json.loads(summary.wait())["segments"] == 3
    exported = FifoReader(tmp_path / "export")
    assert main([*export_args(store), "-o", str(exported.path)]) == 0
    assert len(exported.wait().decode().splitlines()) == 3
    for fifo in (summary.path, exported.path):
        assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_character_device_stays_a_device(
    tmp_path: Path, doc: Path, store: Path, device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(doc), *SCORE, "-o", str(device), "--summary", str(device)]) == 0
    for fmt in ("jsonl", "tmx", "tsv"):
        assert main([*export_args(store, fmt), "-o", str(device)]) == 0
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert device.lstat().st_rdev == os.makedev(1, 3)
    capsys.readouterr()
    assert main(["score", str(doc), *SCORE, "-o", str(device), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "--resume needs a regular output file" in err and err.count("\n") == 1
    assert main(["score", str(doc), *SCORE, "--db", str(device)]) == 2  # no SQLite journal
    assert "--db needs a review store file" in capsys.readouterr().err
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt", "null"]


def test_resume_into_a_fifo_is_refused(
    tmp_path: Path, doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "records"
    os.mkfifo(fifo)
    assert main(["score", str(doc), *SCORE, "-o", str(fifo), "--resume"]) == 2
    assert "--resume needs a regular output file" in capsys.readouterr().err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_export_to_standard_output(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*export_args(store), "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3
    assert "-> -" in captured.err
    assert main([*export_args(store, "moses"), "-o", "-"]) == 2
    assert "give -o a file name" in capsys.readouterr().err


# --- symbolic links: followed, the link stays ------------------------------------------------
@pytest.mark.parametrize("existing", [True, False], ids=["to a file", "to a new file"])
def test_a_symlink_stays_a_link_and_its_target_gets_the_output(
    tmp_path: Path, doc: Path, store: Path, existing: bool
) -> None:
    plain = tmp_path / "plain.jsonl"
    assert main(["score", str(doc), *SCORE, "-o", str(plain)]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outputs = {"score": "out.jsonl", "summary": "summary.json", "export": "export.tmx"}
    for name in outputs.values():
        if existing:
            (elsewhere / name).write_text("old\n")
        (tmp_path / name).symlink_to(elsewhere / name)
    score = ["score", str(doc), *SCORE, "-o", str(tmp_path / outputs["score"])]
    assert main([*score, "--summary", str(tmp_path / outputs["summary"])]) == 0
    assert main([*export_args(store, "tmx"), "-o", str(tmp_path / outputs["export"])]) == 0
    for name in outputs.values():
        assert (tmp_path / name).is_symlink()
        assert (tmp_path / name).readlink() == elsewhere / name
        assert stat.S_ISREG((elsewhere / name).lstat().st_mode)
    assert (elsewhere / outputs["score"]).read_bytes() == plain.read_bytes()
    assert json.loads((elsewhere / outputs["summary"]).read_text())["segments"] == 3
    assert (elsewhere / outputs["export"]).read_text().rstrip().endswith("</tmx>")
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted(outputs.values())


# --- an output that is an input, or another output: refused before anything is read ----------
def _collisions(tmp_path: Path, doc: Path) -> Iterator[tuple[str, list[str]]]:
    hard = tmp_path / "hard.txt"
    os.link(doc, hard)
    other = str(tmp_path / "other.jsonl")
    spelled = str(tmp_path / "sub" / ".." / "doc.txt")
    (tmp_path / "sub").mkdir()
    yield "-o INPUT", ["score", str(doc), *SCORE, "-o", str(doc)]
    yield "--summary INPUT", ["score", str(doc), *SCORE, "--summary", str(doc)]
    yield "--summary = -o", ["score", str(doc), *SCORE, "-o", other, "--summary", other]
    yield "--db = -o", ["score", str(doc), *SCORE, "-o", other, "--db", other]
    yield "--db INPUT", ["score", str(doc), *SCORE, "--db", f"sqlite:///{doc}"]
    yield "-o spelled otherwise", ["score", str(doc), *SCORE, "-o", spelled]
    yield "-o a hard link", ["score", str(doc), *SCORE, "-o", str(hard)]
    yield "--source-file", ["score", str(doc), *SCORE, "--source-file", other, "-o", other]


def test_an_output_that_is_an_input_or_another_output_is_refused(
    tmp_path: Path, doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = list(_collisions(tmp_path, doc))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    (tmp_path / "other.jsonl").write_text("kept\n")
    before["other.jsonl"] = b"kept\n"
    for name, argv in cases:
        assert main(argv) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("mtreview: error: ") and err.count("\n") == 1, (name, err)
        assert "same file" in err, (name, err)
        after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
        assert after == before, name  # input unchanged, nothing created


def test_export_never_overwrites_its_store(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "review.db"
    copy.write_bytes(store.read_bytes())
    content = copy.read_bytes()
    assert main([*export_args(copy), "-o", str(copy)]) == 2
    assert "same file" in capsys.readouterr().err
    moses = tmp_path / "review"
    (tmp_path / "review.fr").hardlink_to(copy)  # one side of the Moses pair is the store
    assert main([*export_args(copy, "moses"), "--pair", "mt", "-o", str(moses)]) == 2
    err = capsys.readouterr().err
    assert "same file" in err and err.count("\n") == 1
    assert copy.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.db", "review.fr"]


# --- modes: the umask's, everywhere ------------------------------------------------------------
@pytest.fixture
def umask() -> Iterator[int]:
    previous = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(previous)


def test_every_output_gets_the_umask_mode(
    tmp_path: Path, doc: Path, store: Path, umask: int
) -> None:
    expected = 0o666 & ~umask
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    assert main(["score", str(doc), *SCORE, "-o", str(out), "--summary", str(summary)]) == 0
    written = [out, summary]
    for fmt in ("jsonl", "tmx", "xliff", "mqm", "html"):
        written.append(tmp_path / f"export.{fmt}")
        assert main([*export_args(store, fmt), "-o", str(written[-1])]) == 0
    assert main([*export_args(store, "moses"), "-o", str(tmp_path / "pair")]) == 0
    written += [tmp_path / "pair.fr-x-mt", tmp_path / "pair.fr"]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == expected, path.name


# --- a failed run leaves nothing it made, deletes nothing it did not -----------------------------
def test_a_refused_input_leaves_no_partial_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"Premi\xe8re ligne.\n")
    assert main(["score", str(bad), *SCORE, "-o", str(tmp_path / "out.jsonl")]) == 2
    assert "invalid UTF-8" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latin1.txt"]


@pytest.mark.processes
def test_an_input_name_that_is_not_utf8_leaves_no_partial_output(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    name = os.path.join(folder, b"caf\xe9.txt")
    with open(name, "wb") as handle:
        handle.write(TEXT.encode())
    result = subprocess.run(
        [sys.executable, "-m", "mtreview.cli", "score", name, *SCORE, "-o", b"out.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        check=False,
    )
    left = sorted(os.listdir(folder))
    if result.returncode == 0:
        assert left == [b"caf\xe9.txt", b"out.jsonl"], result.stderr
    else:
        assert left == [b"caf\xe9.txt"], result.stderr


def test_an_output_name_that_is_not_utf8_is_written_and_said_as_its_byte(
    tmp_path: Path,
    store: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name Python reads with a lone surrogate (byte 0xff) is a file like any other; the
    line that names it shows the byte, so what the command prints is valid UTF-8."""
    name = os.fsdecode(b"caf\xff.tmx")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--db", str(store), "--format", "tmx", "-o", name]) == 0
    said = capsys.readouterr().err
    said.encode("utf-8")  # no lone surrogate
    assert said.rstrip().endswith("-> caf\\xff.tmx")
    assert (tmp_path / os.fsdecode(b"caf\xff.tmx")).stat().st_size > 0
