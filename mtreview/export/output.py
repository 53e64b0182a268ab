"""Export files, written as every output is (`mtreview.output_paths`): under temporary names
and renamed into place only when all are complete, devices and FIFOs in place, `-` to
standard output, an input of the export (the store, the settings file) never overwritten.

An interrupted or failed export leaves no file that looks finished, and an existing file
of the same name is untouched until the new one is whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mtreview import output_paths
from mtreview.errors import ExportError, InputError, SettingsError
from mtreview.output_paths import Named


class AtomicFiles(output_paths.AtomicFiles):
    """`with AtomicFiles(paths) as files: ...; files.commit()` — all or nothing; what is
    wrong with an output is an `ExportError`."""

    def __init__(self, paths: tuple[Path, ...], *, inputs: Iterable[Named] = ()) -> None:
        super().__init__(paths, inputs=inputs)

    def __enter__(self) -> AtomicFiles:
        try:
            super().__enter__()
        except (InputError, SettingsError) as exc:
            raise ExportError(str(exc)) from None
        return self
