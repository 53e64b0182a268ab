"""Backends registry: name -> class taking (model, *, threads, max_length, **options)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mtreview.backends.base import ScoredText, TokenScore, TranslationBackend
from mtreview.backends.fingerprint import folder_stamp
from mtreview.errors import SettingsError


def _hf(model: str, **options: Any) -> TranslationBackend:
    from mtreview.backends.hf import HFMarianBackend

    options.pop("compute_type", None)
    options.pop("cache_dir", None)
    return HFMarianBackend(model, **options)


def _ct2(model: str, **options: Any) -> TranslationBackend:
    from mtreview.backends.ct2 import CT2MarianBackend

    return CT2MarianBackend(model, **options)


BACKENDS: dict[str, Callable[..., TranslationBackend]] = {"hf": _hf, "ct2": _ct2}


def load_backend(
    name: str,
    model: str,
    *,
    threads: int = 0,
    max_length: int = 256,
    compute_type: str = "auto",
    cache_dir: str = "",
    target_token: str = "",
) -> TranslationBackend:
    """One instance per (backend, model, options) per process: models load once. A local
    directory is told apart by where it is and what it holds, so the same relative name
    from another folder, or a folder whose files changed, is loaded (and checked) again."""
    options = (threads, max_length, compute_type, cache_dir, target_token)
    return _load_backend(name, model, _directory_stamp(model), *options)


def _directory_stamp(model: str) -> tuple[object, ...]:
    folder = Path(model).expanduser()
    try:
        return folder_stamp(folder) if folder.is_dir() else ()
    except OSError:
        return ()


@functools.lru_cache(maxsize=8)
def _load_backend(
    name: str,
    model: str,
    _stamp: tuple[object, ...],
    threads: int,
    max_length: int,
    compute_type: str,
    cache_dir: str,
    target_token: str,
) -> TranslationBackend:
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise SettingsError(
            f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})"
        ) from None
    return factory(
        model,
        threads=threads,
        max_length=max_length,
        compute_type=compute_type,
        cache_dir=cache_dir,
        target_token=target_token,
    )


__all__ = ["BACKENDS", "ScoredText", "TokenScore", "TranslationBackend", "load_backend"]
