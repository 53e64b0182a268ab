"""Fetch, verify, list, convert and remove translation models: the library behind
`mtreview models` and the app's "Get the models".

A fetch looks the model up on the hub (sizes and checksums of its files), downloads only
what mtreview needs and this machine lacks (config first: a model of another architecture
is refused before its weights are fetched), then checks every file against the hub's
checksums and the whole directory for what a Marian model must hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

from mtreview.backends import hub
from mtreview.backends.marian_files import (
    TOKENIZER_FILES,
    WEIGHT_FILES,
    config_problem,
    model_dir_problem,
)
from mtreview.errors import HubUnreachableError, ModelError
from mtreview.settings import Settings

CONFIG = "config.json"
OPTIONAL_FILES = ("generation_config.json", "tokenizer_config.json", "special_tokens_map.json")
ROLES = ("back", "return", "source")

Note = Callable[[str], None]


def _quiet(_line: str) -> None:
    return None


@dataclasses.dataclass(frozen=True)
class ModelStatus:
    """One model as this machine has it."""

    name: str
    state: str  # ready | missing | broken
    problem: str = ""
    path: Path | None = None
    size: int = 0
    revision: str = ""  # the hub commit; "local" for a directory

    @property
    def ready(self) -> bool:
        return self.state == "ready"


@dataclasses.dataclass(frozen=True)
class FetchPlan:
    """What fetching a model means: its files on the hub, those to download, and the
    cached ones found corrupt (dropped before downloading them again)."""

    name: str
    revision: str
    files: tuple[hub.RemoteFile, ...]
    to_download: tuple[hub.RemoteFile, ...]
    corrupt: tuple[str, ...] = ()

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def download_bytes(self) -> int:
        return sum(f.size for f in self.to_download)


def default_models(settings: Settings) -> list[tuple[str, str, str]]:
    """(role, model, target token) the settings use: back, return, and source if set."""
    return [
        (role, settings.model_name(role), settings.target_token(role))
        for role in ROLES
        if settings.model_name(role)
    ]


def model_status(name: str) -> ModelStatus:
    """Ready, missing or broken, without the network: a local directory, or the hub
    model's cached snapshot, checked for what a Marian model must hold."""
    if not hub.is_hub_name(name):
        folder = Path(name).expanduser()
        if not folder.is_dir():
            return ModelStatus(name, "missing", "directory not found")
        problem = model_dir_problem(folder, safetensors_only=True)
        return ModelStatus(
            name, "broken" if problem else "ready", problem or "", folder, _size(folder), "local"
        )
    snapshot = hub.cached_snapshot(name)
    if snapshot is None:
        return ModelStatus(name, "missing", "not in the Hugging Face cache")
    problem = model_dir_problem(snapshot)
    return ModelStatus(
        name, "broken" if problem else "ready", problem or "", snapshot, _size(snapshot),
        snapshot.name,
    )  # fmt: skip


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def needed_files(remote: hub.RemoteModel) -> tuple[hub.RemoteFile, ...]:
    """The files mtreview loads, config first and weights last (safetensors preferred)."""
    if remote.file(CONFIG) is None:
        raise ModelError(f"{remote.name}: not a transformers model on the hub (no {CONFIG})")
    names = [CONFIG, *TOKENIZER_FILES, *OPTIONAL_FILES]
    weights = next((w for w in WEIGHT_FILES if remote.file(w) is not None), None)
    if weights is None:
        raise ModelError(
            f"{remote.name}: the hub has no PyTorch weights for it ({' or '.join(WEIGHT_FILES)})"
        )
    files = [remote.file(n) for n in [*names, weights]]
    return tuple(f for f in files if f is not None)


def plan_fetch(name: str) -> FetchPlan:
    """Look the model up (network) and compare with the cache (checksums)."""
    remote = hub.remote_model(name)
    files = needed_files(remote)
    snapshot = hub.cached_snapshot(name)
    here = snapshot if snapshot is not None and snapshot.name == remote.revision else None
    to_download, corrupt = [], []
    for file in files:
        problem = hub.file_problem(here / file.path, file) if here is not None else "absent"
        if problem:
            to_download.append(file)
            if here is not None and (here / file.path).exists():
                corrupt.append(problem)
    return FetchPlan(name, remote.revision, files, tuple(to_download), tuple(corrupt))


def fetch(
    plan: FetchPlan, *, on_bytes: Callable[[int], None] | None = None, note: Note = _quiet
) -> Path:
    """Download what the plan lacks, then verify the whole model; its snapshot folder."""
    snapshot: Path | None = hub.cached_snapshot(plan.name)
    for problem in plan.corrupt:
        note(f"{plan.name}: {problem}: downloading it again")
    for file in plan.to_download:
        if snapshot is not None and snapshot.name == plan.revision:
            hub.forget_file(snapshot, file.path)
        # from `main`, so the cache records which commit `main` is (offline loads need it)
        path = hub.download_file(plan.name, "main", file.path, on_bytes=on_bytes)
        snapshot = path.parent
        if snapshot.name != plan.revision:
            raise ModelError(f"{plan.name} changed on the hub while downloading: run again")
        if file.path == CONFIG:
            _check_architecture(plan.name, path)
    if snapshot is None:  # nothing to download: already here
        snapshot = hub.cached_snapshot(plan.name)
    if snapshot is None:
        raise ModelError(f"{plan.name}: nothing in the cache after downloading it")
    return verify(plan, snapshot)


def _check_architecture(name: str, config: Path) -> None:
    """Refuse a model of another architecture before fetching its weights."""
    problem = config_problem(config.parent)
    if problem:
        raise ModelError(f"{name}: {problem}; mtreview needs a Marian (opus-mt) model")


def verify(plan: FetchPlan, snapshot: Path) -> Path:
    """Every file against the hub's checksum, then the folder as a Marian model."""
    for file in plan.files:
        problem = hub.file_problem(snapshot / file.path, file)
        if problem:
            raise ModelError(f"{plan.name}: {problem}; run the same command again to repair it")
    problem = model_dir_problem(snapshot)
    if problem:
        raise ModelError(f"{plan.name}: {problem}")
    return snapshot


def verify_offline(name: str) -> ModelStatus:
    """The cached model against the checksums the cache names its files by (no hub)."""
    status = model_status(name)
    if status.path is None or status.revision == "local":
        return status
    for path in sorted(status.path.iterdir()):
        problem = hub.file_problem(path)
        if problem:
            return dataclasses.replace(status, state="broken", problem=problem)
    return status


def fetch_names(names: Iterable[str], note: Note = _quiet) -> list[str]:
    """The hub names among `names`; local directories are checked, not fetched."""
    result = []
    for name in dict.fromkeys(names):
        if hub.is_hub_name(name):
            result.append(name)
            continue
        status = model_status(name)
        if not status.ready:
            raise ModelError(f"{name}: {status.problem}")
        note(f"{name}: local directory, ready (nothing to fetch)")
    return result


def plan_or_cached(name: str, note: Note = _quiet) -> FetchPlan | None:
    """The plan; None when the hub cannot be reached but a sound copy is already here."""
    try:
        return plan_fetch(name)
    except HubUnreachableError as exc:
        status = verify_offline(name)
        if status.ready:
            note(f"{name}: already here, verified (rev {status.revision[:12]}); not checked "
                 "for updates: the hub is unavailable")  # fmt: skip
            return None
        raise exc from None


@dataclasses.dataclass(frozen=True)
class Offer:
    """What the app can offer for models it lacks: their plans, or why it cannot now."""

    plans: tuple[FetchPlan, ...] = ()
    unavailable: str = ""  # one line: the hub cannot be reached, or a model is wrong

    @property
    def download_bytes(self) -> int:
        return sum(plan.download_bytes for plan in self.plans)


def offer(names: Iterable[str]) -> Offer:
    """Plans for the models, without raising: the app shows `unavailable` instead."""
    try:
        return Offer(tuple(plan_fetch(name) for name in names))
    except HubUnreachableError:
        where = "(HF_HUB_OFFLINE is set)" if hub.is_offline() else hub.endpoint()
        return Offer(unavailable=f"the model hub cannot be reached {where}")
    except ModelError as exc:
        return Offer(unavailable=str(exc))


def fetch_all(plans: Iterable[FetchPlan], on_progress: Callable[[int, int, str], None]) -> None:
    """Fetch several models, reporting (bytes done, bytes in all, model) as they come."""
    plans = tuple(plans)
    total, done = sum(plan.download_bytes for plan in plans), 0
    for plan in plans:

        def on_bytes(count: int, name: str = plan.name) -> None:
            nonlocal done
            done += count
            on_progress(done, total, name)

        fetch(plan, on_bytes=on_bytes)


def mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def file_count(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


# --- CTranslate2 conversions ----------------------------------------------------------
def convert(name: str, compute_type: str, settings: Settings) -> Path:
    """Convert a model on this machine into the cache the ct2 backend reads."""
    from mtreview.backends.ct2 import convert_once, resolve_compute_type

    status = model_status(name)
    if not status.ready:
        hint = f"; run `mtreview models fetch {name}` first" if hub.is_hub_name(name) else ""
        raise ModelError(f"{name}: {status.problem}{hint}")
    return convert_once(name, resolve_compute_type(compute_type), settings.resolved_cache_dir())


def conversions(settings: Settings, name: str | None = None) -> list[Path]:
    """CTranslate2 conversions in the cache: all, or those of one model."""
    from mtreview.backends.ct2 import conversion_pattern

    folder = settings.resolved_cache_dir() / "ct2"
    if not folder.is_dir():
        return []
    pattern = conversion_pattern(name)
    return sorted(p for p in folder.iterdir() if p.is_dir() and pattern.fullmatch(p.name))


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclasses.dataclass(frozen=True)
class Removal:
    name: str
    hub_bytes: int  # freed in the Hugging Face cache
    conversions: tuple[Path, ...]
    conversion_bytes: int


def remove(name: str, settings: Settings) -> Removal:
    """Delete a hub model from the cache and its conversions; a local directory is the
    user's: only its conversions go."""
    import shutil

    found = conversions(settings, name)
    sizes = sum(folder_size(p) for p in found)
    for folder in found:
        shutil.rmtree(folder)
    freed = hub.delete_cached(name) if hub.is_hub_name(name) else 0
    if not freed and not found and model_status(name).state == "missing":
        raise ModelError(f"{name}: not on this machine (nothing to remove)")
    return Removal(name, freed, tuple(found), sizes)
