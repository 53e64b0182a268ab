"""Explicit settings: defaults, then a TOML file, then MTREVIEW_* variables, then flags.

Nothing is read at import time; callers build one `Settings` and pass it down.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtreview.errors import SettingsError

ENV_PREFIX = "MTREVIEW_"
DEFAULT_CONFIG_NAME = "mtreview.toml"


@dataclasses.dataclass(frozen=True)
class Settings:
    # languages and models
    lang: str = "fr"
    pivot: str = "en"
    source_lang: str = "ru"
    back_model: str = ""  # empty: the model table's, else Helsinki-NLP/opus-mt-{lang}-{pivot}
    return_model: str = ""  # empty: the model table's, else Helsinki-NLP/opus-mt-{pivot}-{lang}
    source_model: str = ""  # empty: no source-conditioned scoring
    # target tokens (>>fra<<) for multilingual models; empty: the model table's, if any
    back_token: str = ""
    return_token: str = ""
    source_token: str = ""
    model_table: str = ""  # empty: the shipped mtreview/data/opus_mt.tsv
    backend: str = "hf"
    compute_type: str = "auto"
    threads: int = 0  # 0: one per available core
    batch_size: int = 16
    num_beams: int = 4
    num_return: int = 1
    max_length: int = 256  # tokens a model reads or writes per segment
    max_segment_chars: int = 20000  # longer table cells are refused, not silently cut
    table_quoting: str = "auto"  # TSV/CSV cells: csv ("a ""b"""), none, or auto-detected
    use_models: bool = True
    # scoring
    metrics: tuple[str, ...] = ("chrf", "bleu", "ter")
    # pre-highlighting
    checks: tuple[str, ...] = ()  # empty: every registered check that is on by default
    disabled_checks: tuple[str, ...] = ()
    grammar: bool = True
    grammar_typography: bool = False
    grammar_spelling: bool = False  # Grammalecte's unknown-word flags (mostly names on MT)
    grammar_suggestions: bool = False  # Grammalecte's spelling suggestions (-wss): ~7x slower
    grammar_processes: int = 0  # Grammalecte processes side by side; 0: one per core
    surprisal_threshold: float = -4.0  # token log-prob below this is suspicious
    surprisal_major_threshold: float = -8.0  # below this the flag's severity is major
    roundtrip_flags: bool = True
    calque_table: str = ""  # a team's own calques (TSV), read after mtreview/data/calques.tsv
    allowed_words: tuple[str, ...] = ()  # never flagged as non-French (names, loanwords)
    grammar_command: str = "grammalecte-cli"
    grammar_timeout: float = 120.0  # seconds for one Grammalecte call (one batch)
    nbest_agreement: float = 1.0  # share of n-best back-translations that must agree
    risk_flag_scale: float = 5.0  # flag weight that lifts risk by 1 - 1/e (see README)
    flag_weights: tuple[str, ...] = ()  # "signal=weight": learnt by `calibrate --fit`
    document_pass: bool = True  # read each input twice: document checks see all of it
    # storage and caching
    db: str = "mtreview.db"
    cache_dir: str = ""  # empty: ~/.cache/mtreview
    reviewer: str = ""
    # review
    mqm_typology: str = ""  # empty: the shipped mtreview/data/mqm.tsv
    page_size: int = 50  # segments the document view lists and draws at once
    max_upload_mb: int = 20  # largest file the app takes (server.maxUploadSize)

    def __post_init__(self) -> None:
        positive = ("batch_size", "num_beams", "num_return", "max_length", "max_segment_chars")
        for name in (*positive, "page_size", "max_upload_mb"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.threads < 0:
            raise SettingsError(f"threads must be 0 (all cores) or more, got {self.threads}")

    def model_name(self, role: str) -> str:
        """The configured model for `back`, `return` or `source`; the model table's
        (`mtreview.model_table`) when none is given."""
        if role == "source":
            return self.source_model
        if role not in ("back", "return"):
            raise SettingsError(f"unknown model role {role!r} (expected back, return or source)")
        return getattr(self, f"{role}_model") or self._model_choice().model(role)

    def target_token(self, role: str) -> str:
        """The `>>id<<` a multilingual model needs before each input: the setting, else the
        table's when the role uses the table's model, else none."""
        given = str(getattr(self, f"{role}_token", ""))
        if given or role == "source":
            return given
        choice = self._model_choice()
        return choice.token(role) if self.model_name(role) == choice.model(role) else ""

    def _model_choice(self) -> Any:
        from mtreview.model_table import model_choice

        return model_choice(self.lang, self.pivot, self.model_table)

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "mtreview"

    def resolved_threads(self) -> int:
        return self.threads if self.threads > 0 else available_cores()


def available_cores() -> int:
    """Cores this process may run on (its affinity where the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, origin: str) -> Any:
    default = _FIELDS[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, tuple):
            if isinstance(value, dict):  # a TOML table: flag_weights
                return tuple(f"{key}={float(item)}" for key, item in value.items())
            if isinstance(value, str):
                return tuple(part.strip() for part in value.split(",") if part.strip())
            return tuple(str(part) for part in value)
        return str(value)
    except (TypeError, ValueError):
        kind = type(default).__name__
        raise SettingsError(f"{origin}: {name} must be {kind}, got {value!r}") from None


def _apply(values: dict[str, Any], updates: Mapping[str, Any], origin: str) -> None:
    for key, value in updates.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise SettingsError(f"{origin}: unknown setting {key!r}")
        if value is None:
            continue
        values[name] = _coerce(name, value, origin)


def load_settings(
    config: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Layer the sources in order; `config=None` reads ./mtreview.toml when it exists."""
    values: dict[str, Any] = {}
    path = Path(config) if config is not None else Path(DEFAULT_CONFIG_NAME)
    if config is not None and not path.is_file():
        raise SettingsError(f"{path}: settings file not found")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from None
        section = data.get("mtreview", data)
        if not isinstance(section, dict):
            raise SettingsError(f"{path}: [mtreview] must be a table")
        _apply(values, section, str(path))
    env = os.environ if environ is None else environ
    from_env = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in _FIELDS
    }
    _apply(values, from_env, "environment")
    if overrides:
        _apply(values, overrides, "option")
    return Settings(**values)
