"""Files written under temporary names and renamed into place only when all are complete.

An interrupted or failed export leaves no file that looks finished, and an existing file
of the same name is untouched until the new one is whole.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from mtreview.errors import ExportError


def check_target(path: Path) -> None:
    if path.is_dir():
        raise ExportError(f"{path}: is a directory, expected an output file name")
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"{path}: output folder {folder} does not exist")


class AtomicFiles:
    """`with AtomicFiles(paths) as handles: ...; files.commit()` — all or nothing."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.paths = paths
        self.handles: list[BinaryIO] = []
        self._temps: list[Path] = []

    def __enter__(self) -> AtomicFiles:
        for path in self.paths:
            check_target(path)
        try:
            for path in self.paths:
                fd, name = tempfile.mkstemp(
                    prefix=f".{path.name}.", suffix=".partial", dir=path.parent
                )
                self._temps.append(Path(name))
                self.handles.append(os.fdopen(fd, "wb"))
        except OSError as exc:
            self._discard()
            raise ExportError(f"{self.paths[0]}: cannot write ({exc.strerror})") from None
        return self

    def commit(self) -> None:
        for handle in self.handles:
            handle.close()
        for temp, path in zip(self._temps, self.paths, strict=True):
            os.replace(temp, path)
        self._temps = []

    def _discard(self) -> None:
        for handle in self.handles:
            handle.close()
        for temp in self._temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        self._temps = []

    def __exit__(self, *exc: object) -> None:
        if self._temps:  # not committed
            self._discard()
