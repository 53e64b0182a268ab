"""Exports: corrected parallel corpora and annotations in the formats other tools read.

`EXPORTERS` maps a format name to its class (the CLI choices and the app's buttons read
it); `export_to_path` and `export_to_bytes` are the two entry points. Sources stream rows,
writers stream XML/text, files are renamed into place only when complete.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import pkgutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mtreview.errors import ExportError
from mtreview.export import base
from mtreview.export.base import ExportContext, Exporter, ExportSource
from mtreview.export.model import (
    ONLY,
    PAIRS,
    ExportAnnotation,
    ExportDocument,
    ExportOptions,
    ExportRow,
    ExportSummary,
)
from mtreview.export.output import AtomicFiles
from mtreview.output_paths import STDOUT, Named

EXPORTERS: dict[str, type[Exporter]] = {}
for _module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"mtreview.export.{_module}")  # each format registers itself
# corpora first (the app's first choice is TMX), then reports and annotations; by name
for _name in sorted(base.EXPORTERS, key=lambda n: (not base.EXPORTERS[n].corpus, n)):
    EXPORTERS[_name] = base.EXPORTERS[_name]
DEFAULT_FORMAT = "tmx"


def as_source(store_or_source: Any, viewer: str | None = None) -> ExportSource:
    """A review store becomes a row source read as `viewer` may see it (None: the
    library's caller, `system:library`, which a team store refuses); a source (tests,
    benchmarks) is used as is."""
    if hasattr(store_or_source, "rows") and hasattr(store_or_source, "documents"):
        return store_or_source
    from mtreview.export.store_source import StoreSource
    from mtreview.store.base import SYSTEM_ACTOR

    return StoreSource(store_or_source, viewer or SYSTEM_ACTOR)


def resolve(source: ExportSource, options: ExportOptions) -> ExportContext:
    """Check the options and pick the pair: `source` when every document has one."""
    if options.pair is not None and options.pair not in PAIRS:
        raise ExportError(f"unknown pair {options.pair!r}; choose from {', '.join(PAIRS)}")
    if options.only not in ONLY:
        raise ExportError(f"unknown --only {options.only!r}; choose from {', '.join(ONLY)}")
    documents = tuple(source.documents(options.docs))
    missing = sorted(set(options.docs) - {document.doc for document in documents})
    if missing:
        raise ExportError(f"no document {missing[0]!r} in the store")
    pair = options.pair
    if pair is None:
        pair = "source" if documents and all(d.has_source for d in documents) else "mt"
    return ExportContext(options=options, pair=pair, documents=documents)


def exporter(fmt: str) -> Exporter:
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORTERS)}")
    return EXPORTERS[fmt]()


def export_to_path(
    store: Any,
    fmt: str,
    target: str | Path,
    options: ExportOptions | None = None,
    *,
    inputs: Iterable[Named] = (),
    by: str | None = None,
) -> ExportSummary:
    """Write one export; its files appear only once complete (Moses: `target.<lang>` ×2);
    `-` is standard output. None of the files may be one of `inputs` (the store file).
    An export of a review store holds what `by` may see and is audited as `by`'s, once
    its files are written and before they are put in place. On a team store `by` is a
    principal (a reviewer's export: their own work, blind segments as blindness allows;
    a lead's or admin's: everything; the reviews backup: an admin's), checked in each
    read; a name, or None (the library's caller), is refused before anything is written.
    On a store without accounts it is a name (None: `system:library`)."""
    source = as_source(store, by)
    context = resolve(source, options or ExportOptions())
    writer = exporter(fmt)
    paths = writer.paths(Path(target), context)
    if str(target) == STDOUT and len(paths) > 1:
        raise ExportError(f"{fmt} writes {len(paths)} files: give -o a file name, not -")
    with AtomicFiles(paths, inputs=inputs) as files:
        written = writer.export(source, context, files.handles)
        if source is not store and hasattr(store, "record"):  # a store, not a test source
            record = {
                "format": fmt,
                "docs": [document.doc for document in context.documents],
                "only": context.options.only,
                "segments": written.segments,
                "annotations": written.annotations,
            }
            from mtreview.store.base import SYSTEM_ACTOR

            store.record(by or SYSTEM_ACTOR, "export", None, **record)  # no file unaudited
        files.commit()
    return ExportSummary(
        format=fmt,
        paths=tuple(str(path) for path in paths),
        pair=context.pair,
        segments=written.segments,
        annotations=written.annotations,
        deleted=written.deleted,
        kept_deleted=context.options.keep_deleted or not writer.corpus,
    )


@dataclasses.dataclass(frozen=True)
class ExportFile:
    """An export in memory, for a download button: name, content, media type, summary."""

    file_name: str
    data: bytes
    media_type: str
    summary: ExportSummary


def export_file(
    store: Any,
    fmt: str,
    options: ExportOptions | None = None,
    *,
    stem: str = "export",
    by: str | None = None,
) -> ExportFile:
    """One export as bytes (Moses: both files zipped), with what it wrote; audited as
    `by`'s download (see `export_to_path`)."""
    writer = exporter(fmt)
    with tempfile.TemporaryDirectory(prefix="mtreview-export-") as folder:
        target = Path(folder) / f"{stem}{writer.suffix}"
        summary = export_to_path(store, fmt, target, options, by=by)
        if len(summary.paths) == 1:
            return ExportFile(target.name, target.read_bytes(), writer.media_type, summary)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in summary.paths:
                archive.write(path, Path(path).name)
        return ExportFile(f"{stem}.{fmt}.zip", buffer.getvalue(), "application/zip", summary)


def export_to_bytes(
    store: Any,
    fmt: str,
    options: ExportOptions | None = None,
    *,
    stem: str = "export",
    by: str | None = None,
) -> tuple[str, bytes, str]:
    """(file name, content, media type) for a download button; Moses comes as a zip."""
    done = export_file(store, fmt, options, stem=stem, by=by)
    return done.file_name, done.data, done.media_type


__all__ = [
    "DEFAULT_FORMAT",
    "EXPORTERS",
    "ExportAnnotation",
    "ExportContext",
    "ExportDocument",
    "ExportFile",
    "ExportOptions",
    "ExportRow",
    "ExportSource",
    "ExportSummary",
    "Exporter",
    "export_file",
    "export_to_bytes",
    "export_to_path",
    "resolve",
]
