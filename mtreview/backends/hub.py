"""The one module that talks to the Hugging Face Hub (through huggingface_hub).

Look a model up, download its files, find it in the local cache, check a cached file,
delete a model. HF_ENDPOINT, HF_HOME / HF_HUB_CACHE and HF_HUB_OFFLINE are honoured as
huggingface_hub reads them. Failures become `HubUnreachableError` (the hub cannot be
reached: callers may go on without models) or `ModelError` (the model itself is wrong).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mtreview.errors import HubUnreachableError, ModelError

SHA256 = re.compile(r"[0-9a-f]{64}")
GIT_SHA1 = re.compile(r"[0-9a-f]{40}")
LOOKUP_TIMEOUT = 10.0  # seconds for a model look-up: an unreachable hub must not hang the app


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """A file of a model on the hub, with what verifies it: the sha256 of an LFS file, or
    the git blob id of a small one."""

    path: str
    size: int
    sha256: str | None = None
    blob_id: str | None = None


@dataclasses.dataclass(frozen=True)
class RemoteModel:
    name: str
    revision: str  # the commit `main` points to
    files: tuple[RemoteFile, ...]

    def file(self, path: str) -> RemoteFile | None:
        return next((f for f in self.files if f.path == path), None)


@dataclasses.dataclass(frozen=True)
class CachedModel:
    name: str
    revision: str
    path: Path  # the snapshot folder transformers loads
    size: int  # bytes on disk, every revision
    files: int


def endpoint() -> str:
    from huggingface_hub import constants

    return str(constants.ENDPOINT)


def cache_root() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def is_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def is_hub_name(name: str) -> bool:
    """`org/model` names go to the hub; paths (existing, or spelt like one) never do."""
    return bool(name) and not name.startswith((".", "/", "~")) and not Path(name).exists()


def _network_errors() -> tuple[type[BaseException], ...]:
    """Transport failures of whichever HTTP client this huggingface_hub uses."""
    errors: list[type[BaseException]] = [OSError, TimeoutError]
    for module, attribute in (
        ("httpx2", "TransportError"),
        ("httpx", "TransportError"),
        ("requests", "RequestException"),
    ):
        try:
            errors.append(getattr(importlib.import_module(module), attribute))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hub_failure(name: str, exc: BaseException, doing: str) -> Exception:
    """The mtreview error for a huggingface_hub failure while `doing` something."""
    from huggingface_hub import errors

    if isinstance(exc, errors.OfflineModeIsEnabled):
        return HubUnreachableError(f"{name}: cannot {doing}: HF_HUB_OFFLINE is set")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return ModelError(f"{name}: no such model on the hub {endpoint()}")
    if isinstance(exc, errors.RevisionNotFoundError | errors.EntryNotFoundError):
        return ModelError(f"{name}: not on the hub {endpoint()}: {_first_line(exc)}")
    if isinstance(exc, errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", 0) or 0
        if status in (401, 403):
            return ModelError(f"{name}: the hub refuses access (private or gated model)")
        if status < 500:
            return ModelError(f"{name}: the hub answered {status}: {_first_line(exc)}")
    return HubUnreachableError(
        f"{name}: cannot {doing}: the model hub {endpoint()} cannot be reached "
        f"({type(exc).__name__}: {_first_line(exc)})"
    )


def remote_model(name: str, *, timeout: float = LOOKUP_TIMEOUT) -> RemoteModel:
    """The model's files on the hub (with sizes and checksums) at the commit `main` is at."""
    from huggingface_hub import HfApi, errors

    failures: tuple[type[BaseException], ...] = (errors.HfHubHTTPError, *_network_errors())
    try:
        info = HfApi().model_info(name, files_metadata=True, timeout=timeout)
    except failures as exc:
        raise _hub_failure(name, exc, "look it up") from None
    files = tuple(
        RemoteFile(
            path=sibling.rfilename,
            size=int(sibling.lfs.size if sibling.lfs else sibling.size or 0),
            sha256=sibling.lfs.sha256 if sibling.lfs else None,
            blob_id=None if sibling.lfs else sibling.blob_id,
        )
        for sibling in info.siblings or ()
    )
    if not info.sha:
        raise ModelError(f"{name}: the hub {endpoint()} did not say which commit it serves")
    return RemoteModel(name, str(info.sha), files)


def download_file(
    name: str, revision: str, filename: str, *, on_bytes: Callable[[int], None] | None = None
) -> Path:
    """One file into the cache (kept there once complete, so an interrupted fetch resumes
    with the files it lacks; a dropped connection resumes with an HTTP range request).
    A branch `revision` (main) is recorded in the cache, as offline loading needs."""
    from huggingface_hub import errors, hf_hub_download

    failures: tuple[type[BaseException], ...] = (errors.HfHubHTTPError, *_network_errors())
    try:
        path = hf_hub_download(
            name, filename, revision=revision, tqdm_class=_progress_class(on_bytes)
        )
    except failures as exc:
        failure = _hub_failure(name, exc, f"download {filename}")
        if isinstance(failure, HubUnreachableError):
            failure = HubUnreachableError(
                f"{failure}; files already downloaded are kept: run the same command again "
                "to resume"
            )
        raise failure from None
    return Path(path)


def _progress_class(on_bytes: Callable[[int], None] | None) -> Any:
    """A silent tqdm that hands each downloaded chunk's size to `on_bytes`."""
    from tqdm import tqdm

    class Progress(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            if on_bytes is not None and n:
                on_bytes(int(n))
            return super().update(n)

    return Progress


def _repo_folder(name: str) -> Path:
    return cache_root() / ("models--" + name.replace("/", "--"))


def cached_snapshot(name: str) -> Path | None:
    """The snapshot folder of a hub model in the local cache (the one `main` points to,
    else the newest), or None. No network."""
    if not is_hub_name(name):
        return None
    folder = _repo_folder(name)
    ref = folder / "refs" / "main"
    if ref.is_file():
        snapshot = folder / "snapshots" / ref.read_text(encoding="utf-8").strip()
        if snapshot.is_dir():
            return snapshot
    snapshots = folder / "snapshots"
    if not snapshots.is_dir():
        return None
    candidates = sorted(snapshots.iterdir(), key=lambda path: path.stat().st_mtime)
    return candidates[-1] if candidates else None


def cached_models() -> list[CachedModel]:
    """Every model in the Hugging Face cache, by name."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        info = scan_cache_dir(cache_root())
    except CacheNotFound:
        return []
    found = []
    for repo in info.repos:
        if repo.repo_type != "model" or not repo.revisions:
            continue
        snapshot = cached_snapshot(repo.repo_id)
        newest = max(repo.revisions, key=lambda r: r.last_modified)
        found.append(
            CachedModel(
                name=repo.repo_id,
                revision=snapshot.name if snapshot else newest.commit_hash,
                path=snapshot or newest.snapshot_path,
                size=int(repo.size_on_disk),
                files=int(repo.nb_files),
            )
        )
    return sorted(found, key=lambda model: model.name)


def delete_cached(name: str) -> int:
    """Remove every revision of a hub model from the cache; the bytes freed (0: absent)."""
    import shutil

    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    folder = _repo_folder(name)
    if not folder.is_dir():
        return 0
    try:
        info = scan_cache_dir(cache_root())
    except CacheNotFound:
        return 0
    freed = 0
    for repo in info.repos:
        if repo.repo_type == "model" and repo.repo_id == name and repo.revisions:
            strategy = info.delete_revisions(*(r.commit_hash for r in repo.revisions))
            strategy.execute()
            freed = int(strategy.expected_freed_size)
    shutil.rmtree(folder, ignore_errors=True)  # refs, half downloads, .no_exist markers
    return freed


def file_problem(path: Path, expected: RemoteFile | None = None) -> str | None:
    """What is wrong with a cached file: missing, wrong size, wrong checksum. Without the
    hub's listing the cache's own blob name (its sha256 or git blob id) is the checksum."""
    if not path.is_file():
        return f"{path.name} is missing"
    size = path.stat().st_size
    if expected is not None and size != expected.size:
        return f"{path.name} is {size} bytes, expected {expected.size} (incomplete or corrupt)"
    sha256, blob_id = (expected.sha256, expected.blob_id) if expected else (None, None)
    if expected is None:
        blob = path.resolve().name
        sha256 = blob if SHA256.fullmatch(blob) else None
        blob_id = blob if GIT_SHA1.fullmatch(blob) else None
    if sha256 and file_sha256(path) != sha256:
        return f"{path.name} does not match its sha256 (corrupt)"
    if blob_id and not sha256 and git_blob_id(path) != blob_id:
        return f"{path.name} does not match its git blob id (corrupt)"
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def git_blob_id(path: Path) -> str:
    """git's id of a file: sha1 over `blob <size>\\0` and the content."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode(), usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def forget_file(snapshot: Path, filename: str) -> None:
    """Drop a bad cached file (its link and its blob) so the next download fetches it anew."""
    pointer = snapshot / filename
    blob = pointer.resolve() if pointer.is_symlink() else None
    pointer.unlink(missing_ok=True)
    root = cache_root().resolve()
    if blob is not None and blob.is_file() and root in blob.parents:
        blob.unlink()
