"""Where outputs go, and what writing them must never destroy.

Every command that writes a file (`score -o`, `--summary`, `export -o`, `calibrate --json`)
goes through this module, so they all behave alike:

- `-` is standard output;
- an existing file that is not a regular file (a character device such as `/dev/null`, a
  FIFO) is opened and written in place: renaming a finished file over it would replace the
  machine's `/dev/null` with a regular file, or leave a FIFO's reader waiting for nothing;
- a symbolic link is followed: its target is written (atomically), the link stays a link;
- a regular file is written under a temporary name in its own folder and renamed into place
  only once complete, so a file of that name is never half-written;
- new files get the mode any program's files get, `0o666` less the umask (a temporary file
  from `mkstemp` would be `0o600`, and exports would differ from `score -o`);
- an output that is one of the run's inputs, or two outputs of one run that are the same
  file, are refused before anything is read: compared by device and inode when the file
  exists (so `./a`, `a` and a hard link of `a` are one file), by resolved path otherwise.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, cast

from mtreview.errors import InputError, SettingsError

STDOUT = "-"
NEW_MODE = 0o666  # less the umask, applied by the system as for any file a program creates
Named = tuple[str, str | Path | None]  # (the option that names it, the path) for messages


@dataclasses.dataclass(frozen=True)
class Destination:
    """One output as given: standard output, a file written in place, or a regular file
    (`real`: the file that is replaced once complete, symbolic links followed)."""

    given: str
    real: Path | None = None  # None: standard output
    in_place: bool = False  # an existing device or FIFO: opened and written, never replaced

    @property
    def stdout(self) -> bool:
        return self.real is None

    @property
    def atomic(self) -> bool:
        return self.real is not None and not self.in_place


def destination(name: str | Path) -> Destination:
    """What writing to `name` means; refuses a folder, or a file in a missing folder."""
    given = str(name)
    if given == STDOUT:
        return Destination(given)
    path = Path(given)
    try:
        info: os.stat_result | None = path.stat()  # follows symbolic links
    except FileNotFoundError:
        info = None  # a new file (or a link to one)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(given, f"cannot be used as an output ({reason})") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(given, "is a directory, expected an output file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        return Destination(given, path, in_place=True)
    real = path.resolve()
    if not real.parent.is_dir():
        raise InputError(given, f"output folder {real.parent} does not exist")
    return Destination(given, real)


def store_file(db: str | None) -> str | None:
    """The file of a review store given as a path or an SQLite URL; None for a server."""
    if not db:
        return None
    if "://" not in db:
        return db
    if db.startswith("sqlite:///"):
        return db[len("sqlite:///") :].split("?", 1)[0] or None
    return None


def _identity(name: str) -> tuple[object, ...] | None:
    """Device and inode of an existing regular file, the resolved path of a new one; None
    for what is written in place (devices, FIFOs): writing there destroys no file."""
    try:
        info = os.stat(name)
    except (OSError, ValueError):  # not there yet (ValueError: a NUL, never a file)
        return ("path", os.path.realpath(name.replace("\0", "")))
    if not stat.S_ISREG(info.st_mode):
        return None
    return ("inode", info.st_dev, info.st_ino)


def check_distinct(outputs: Iterable[Named], inputs: Iterable[Named] = ()) -> None:
    """Refuse, before anything is read or written, an output that is an input (it would be
    destroyed) or two outputs that are one file (one would overwrite the other)."""
    seen: list[tuple[str, str, tuple[object, ...]]] = []
    for label, name in outputs:
        if name is None or str(name) == STDOUT:
            continue
        identity = _identity(str(name))
        if identity is None:
            continue
        for other_label, other, other_identity in seen:
            if identity == other_identity:
                raise SettingsError(
                    f"{name} ({label}) and {other} ({other_label}) are the same file; "
                    "give each output its own file"
                )
        seen.append((label, str(name), identity))
    for label, name in inputs:
        if name is None or str(name) == STDOUT:
            continue
        identity = _identity(str(name))
        for out_label, out, out_identity in seen:
            if identity == out_identity:
                raise SettingsError(
                    f"{out} ({out_label}) is the same file as {name} ({label}): writing it "
                    "would destroy it; give another output file"
                )


def new_temp(real: Path) -> tuple[BinaryIO, Path]:
    """A new file next to `real`, for its content until complete; mode `0o666` less the
    umask, as the finished file would have had if written directly."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temp = real.with_name(f".{real.name[:200]}.{secrets.token_hex(4)}.partial")
        try:
            fd = os.open(temp, flags, NEW_MODE)
        except FileExistsError:
            continue
        return os.fdopen(fd, "wb"), temp


def stdout_bytes() -> BinaryIO:
    """Standard output as bytes; its text stream when it has no buffer (stdout replaced by a
    caller, as tests and embedding programs do), so the bytes still reach it."""
    buffer = getattr(sys.stdout, "buffer", None)
    return buffer if buffer is not None else cast(BinaryIO, _TextBytes(sys.stdout))


class _TextBytes(io.RawIOBase):
    """UTF-8 bytes written to a text stream."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.stream.write(bytes(data).decode("utf-8", errors="surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


def open_in_place(path: Path) -> BinaryIO:
    """A device or FIFO, opened for writing as it is (a FIFO waits for its reader)."""
    return open(path, "wb")


class AtomicFiles:
    """`with AtomicFiles(names) as files: ...write files.handles...; files.commit()`: the
    regular files appear together once complete, or not at all; standard output and
    devices get the bytes as they come. `inputs` are refused as outputs."""

    def __init__(self, names: Sequence[str | Path], *, inputs: Iterable[Named] = ()) -> None:
        self.names = tuple(names)
        self.inputs = tuple(inputs)
        self.handles: list[BinaryIO] = []
        self._temps: list[tuple[Path, Path]] = []  # (temporary file, where it goes)
        self._kept_open: list[BinaryIO] = []  # standard output: flushed, never closed

    def __enter__(self) -> AtomicFiles:
        targets = [destination(name) for name in self.names]
        if sum(target.stdout for target in targets) > 1:
            raise SettingsError("only one output can go to standard output (-)")
        check_distinct([("output", name) for name in self.names], self.inputs)
        try:
            for target in targets:
                if target.real is None:
                    self._kept_open.append(stdout_bytes())
                    self.handles.append(self._kept_open[-1])
                elif target.in_place:
                    self.handles.append(open_in_place(target.real))
                else:
                    handle, temp = new_temp(target.real)
                    self._temps.append((temp, target.real))
                    self.handles.append(handle)
        except OSError as exc:
            self._discard()
            where = exc.filename or self.names[0]
            raise InputError(where, f"cannot write ({exc.strerror})") from None
        return self

    def _close(self) -> None:
        for handle in self.handles:
            if handle in self._kept_open:
                handle.flush()
            else:
                handle.close()
        self.handles = []

    def commit(self) -> None:
        self._close()
        for temp, real in self._temps:
            os.replace(temp, real)
        self._temps = []

    def _discard(self) -> None:
        with contextlib.suppress(OSError):
            self._close()
        for temp, _real in self._temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        self._temps = []

    def __exit__(self, *exc: object) -> None:
        if self._temps or self.handles:  # not committed
            self._discard()


def write_output(name: str | Path, data: bytes, *, inputs: Iterable[Named] = ()) -> None:
    """One small output (a run summary, a report) written whole, as above."""
    with AtomicFiles([name], inputs=inputs) as files:
        files.handles[0].write(data)
        files.commit()
