"""What identifies a model's weights: caches (conversions, analyses) are keyed by it.

A local directory is identified by a hash of the files that define the model (retraining in
place changes it); a hub name by the commit of its cached snapshot.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

MODEL_FILE_PATTERNS = ("*.json", "*.spm", "*.model", "*.safetensors", "pytorch_model*.bin")


def _model_files(folder: Path) -> list[Path]:
    found = {path for pattern in MODEL_FILE_PATTERNS for path in folder.glob(pattern)}
    return sorted(path for path in found if path.is_file())


Stamp = tuple[tuple[str, int, int], ...]


def file_stamp(paths: list[Path]) -> Stamp:
    """(resolved path, size, mtime) of each file: what work memoised on a model's files
    (hashing, checking, loading) is keyed on, so a copy elsewhere or a changed file is new."""
    return tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)


def folder_stamp(folder: Path) -> Stamp:
    """`file_stamp` of every file directly in `folder`."""
    return file_stamp(sorted(entry for entry in folder.iterdir() if entry.is_file()))


@functools.lru_cache(maxsize=64)
def _hash_files(stamp: Stamp) -> str:
    digest = hashlib.sha256()
    for name, size, _mtime in stamp:
        digest.update(f"{Path(name).name}\0{size}\0".encode())
        with open(name, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def model_fingerprint(model: str) -> str:
    """`sha256:<hex>` for a local directory, `rev:<commit>` for a cached hub model.

    Hashing is memoised per process on (path, size, mtime), so it costs once per run.
    """
    local = Path(model).expanduser()
    if local.is_dir():
        return "sha256:" + _hash_files(file_stamp(_model_files(local)))
    return "rev:" + hub_revision(model)


def hub_revision(model: str) -> str:
    """The commit of the locally cached snapshot of a hub model, or `unknown`."""
    from mtreview.backends.hub import cached_snapshot

    snapshot = cached_snapshot(model)
    return snapshot.name if snapshot is not None else "unknown"
