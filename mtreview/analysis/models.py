"""The translation models an analysis runs with, loaded once per process."""

from __future__ import annotations

import dataclasses

from mtreview.backends import TranslationBackend, load_backend
from mtreview.settings import Settings


@dataclasses.dataclass(frozen=True)
class Models:
    """The loaded backends; any may be absent (no models, or no source model)."""

    back: TranslationBackend | None = None
    ret: TranslationBackend | None = None
    source: TranslationBackend | None = None

    @classmethod
    def load(cls, settings: Settings) -> Models:
        if not settings.use_models:
            return cls()

        def load(role: str) -> TranslationBackend:
            return load_backend(
                settings.backend,
                settings.model_name(role),
                threads=settings.resolved_threads(),
                max_length=settings.max_length,
                compute_type=settings.compute_type,
                cache_dir=str(settings.resolved_cache_dir()),
                target_token=settings.target_token(role),
            )

        return cls(
            back=load("back"),
            ret=load("return"),
            source=load("source") if settings.source_model else None,
        )

    def describe(self) -> dict[str, str | None]:
        return {
            role: (backend.model_id if backend else None)
            for role, backend in (
                ("back", self.back),
                ("return", self.ret),
                ("source", self.source),
            )
        }
