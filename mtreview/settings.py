"""Explicit settings: defaults, then a TOML file, then MTREVIEW_* variables, then flags.

Nothing is read at import time; callers build one `Settings` and pass it down. Each key is
declared once, as a field with its help and, for numbers, its range; the TOML keys, the
`MTREVIEW_<KEY>` variables, the option names in messages and the table in docs/scoring.md
all come from the fields. Every value is checked by its field's type and range, whatever
gave it: a wrong value is one line naming the key, where it came from and what was
expected, never a traceback later (an `inf` batch size, a NUL in a path, a folder named
after a TOML table).

This is the only module that reads `MTREVIEW_*` variables. `mtreview app` hands the
settings it resolved to the app's process whole, as JSON in one variable
(`app_environment`, read back by `settings_for_app`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtreview.errors import SettingsError, printable

ENV_PREFIX = "MTREVIEW_"
DEFAULT_CONFIG_NAME = "mtreview.toml"


def _setting(default: Any, help: str) -> Any:
    """A field and its help, the one place the key is described (docs table, `help`)."""
    return dataclasses.field(default=default, metadata={"help": help})


def _within(default: int | float, low: float, high: float, help: str) -> Any:
    """A numeric field, its help and the values it may take, inclusive."""
    return dataclasses.field(default=default, metadata={"range": (low, high), "help": help})


@dataclasses.dataclass(frozen=True)
class Settings:
    # languages and models
    lang: str = _setting("fr", "language of the translations under review")
    pivot: str = _setting("en", "language of the round trip's back-translation")
    source_lang: str = _setting("ru", "language of the source texts, when a file has them")
    back_model: str = _setting("", "target-to-pivot model, hub name or folder; empty: the table")
    return_model: str = _setting("", "pivot-to-target model, hub name or folder; empty: the table")
    source_model: str = _setting("", "source-to-target model, for source-conditioned scores")
    back_token: str = _setting("", "target token (`>>eng<<`) of a multilingual back model")
    return_token: str = _setting("", "target token (`>>fra<<`) of a multilingual return model")
    source_token: str = _setting("", "target token of a multilingual source model")
    model_table: str = _setting("", "models by language pair (TSV); empty: data/opus_mt.tsv")
    backend: str = _setting("hf", "translation backend: `hf` (transformers) or `ct2`")
    compute_type: str = _setting("auto", "CTranslate2 weights: `auto`, `int8` or `float32`")
    threads: int = _within(
        0,
        0,
        4096,
        "CPU threads for the models, processes for the checks; 0: one per available core",
    )
    batch_size: int = _within(16, 1, 100_000, "segments translated together")
    num_beams: int = _within(4, 1, 64, "beam size of the back-translation")
    num_return: int = _within(1, 1, 64, "n-best back-translations per segment")
    max_length: int = _within(256, 1, 100_000, "tokens a model reads or writes per segment")
    max_segment_chars: int = _within(20000, 1, 10_000_000, "longest segment or cell, never cut")
    table_quoting: str = _setting("auto", 'TSV/CSV cells: `csv` (`"a ""b"""`), `none`, `auto`')
    system: str = _setting("", "MT system of an input of one system (document `NAME@SYSTEM`)")
    use_models: bool = _setting(True, "translate with the models; false: model-free fields only")
    # scoring
    metrics: tuple[str, ...] = _setting(("chrf", "bleu", "ter"), "round-trip metrics (sacrebleu)")
    # pre-highlighting
    checks: tuple[str, ...] = _setting((), "checks to run; empty: the defaults; `all`: every one")
    disabled_checks: tuple[str, ...] = _setting((), "checks never run")
    grammar: bool = _setting(True, "French grammar by Grammalecte, when installed")
    grammar_typography: bool = _setting(False, "Grammalecte's typography and spacing rules")
    grammar_spelling: bool = _setting(False, "Grammalecte's unknown words (mostly names on MT)")
    grammar_suggestions: bool = _setting(False, "Grammalecte's spelling suggestions: ~7x slower")
    grammar_processes: int = _within(0, 0, 4096, "Grammalecte processes; 0: one per two cores")
    surprisal_threshold: float = _within(-4.0, -1000.0, 0.0, "token log-prob that is suspicious")
    surprisal_major_threshold: float = _within(-8.0, -1000.0, 0.0, "token log-prob of a major flag")
    roundtrip_flags: bool = _setting(True, "flag words the round trip replaced or dropped")
    calque_table: str = _setting("", "a team's own calques (TSV), after data/calques.tsv")
    allowed_words: tuple[str, ...] = _setting((), "never flagged non-French or misspelt (names)")
    grammar_command: str = _setting("grammalecte-cli", "the Grammalecte command")
    grammar_timeout: float = _within(120.0, 0.001, 86_400.0, "seconds for one Grammalecte batch")
    nbest_agreement: float = _within(1.0, 0.0, 1.0, "share of the n-best that must agree")
    risk_flag_scale: float = _within(5.0, 0.001, 1e6, "flag weight lifting risk by 1 - 1/e")
    flag_weights: tuple[str, ...] = _setting((), "`signal=weight` pairs, from `calibrate --fit`")
    document_pass: bool = _setting(True, "read each input twice: document checks see it all")
    # storage and caching
    db: str = _setting("mtreview.db", "review store: SQLite file or SQLAlchemy URL")
    db_schema: str = _setting(
        "mtreview", "PostgreSQL schema of the store's tables (docs/teams.md); SQLite: unused"
    )
    cache_dir: str = _setting("", "analysis cache, ct2 conversions; empty: ~/.cache/mtreview")
    reviewer: str = _setting("", "the app's local reviewer name; empty: asked once")
    # review (the app)
    document: str = _setting("", "what the app opens on a new store; empty: the shipped article")
    mqm_typology: str = _setting("", "MQM typology (TSV); empty: the shipped data/mqm.tsv")
    page_size: int = _within(50, 1, 10_000, "segments the app's document view lists at once")
    show_system_names: bool = _setting(False, "the app's comparison view names the MT systems")
    max_upload_mb: int = _within(20, 1, 100_000, "largest upload to the app, in MB")
    timing_log: str = _setting(
        "", "file the app logs each script run's times and SQL statements to (JSON lines)"
    )
    # sign-in on a team store (mtreview.store.throttle)
    signin_free_failures: int = _within(
        5, 0, 1000, "failed sign-ins per account and per client address before any wait"
    )
    signin_delay_seconds: float = _within(
        2.0, 0.0, 86_400.0, "seconds of the first wait after the free failures"
    )
    signin_delay_factor: float = _within(
        2.0, 1.0, 100.0, "each further failure multiplies the wait by it"
    )
    signin_lockout_failures: int = _within(
        10, 1, 1000, "failed sign-ins that lock the account or address out"
    )
    signin_lockout_minutes: float = _within(
        15.0, 0.0, 10_080.0, "how long a lockout lasts; a quiet account or address is forgotten"
    )
    password_hashes_at_once: int = _within(
        2, 1, 1024, "argon2 hashes run at once per process; each holds 64 MiB while it runs"
    )
    trust_forwarded_for: bool = _setting(
        False, "count sign-ins by X-Forwarded-For's last hop: only behind your own proxy"
    )
    # sign-in sessions (mtreview.store.sessions, mtreview.ui.session_routes)
    session_idle_minutes: float = _within(
        60.0, 1.0, 10_080.0, "a sign-in ends after this long without a click or page load"
    )
    session_max_hours: float = _within(
        12.0, 0.1, 2160.0, "a sign-in ends this long after it began, however busy"
    )
    cookie_secure: bool = _setting(
        False, "mark the sign-in cookie Secure over plain HTTP too: a TLS proxy serves the app"
    )
    oidc_key_claim: str = _setting(
        "email", "the identity provider's claim that names an account at its first sign-in: "
        "`email` (verified only) or `preferred_username` (docs/teams.md)"
    )  # fmt: skip
    # the web gate (mtreview.ui.gate)
    allowed_hosts: tuple[str, ...] = _setting(
        (), "names the app answers to besides localhost (`*.example.org` too); others get 403"
    )

    def __post_init__(self) -> None:
        """Values built in code are held to the same rules as those read from a file."""
        for name in _FIELDS:
            value = _checked(name, getattr(self, name))
            if value is not getattr(self, name):  # a list for a tuple, an int for a float
                object.__setattr__(self, name, value)

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
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")  # NUL; a lone surrogate (a non-UTF-8 byte)
# flags named otherwise than their key (the rest are --key-with-dashes)
_FLAG_NAMES = {
    "table_quoting": "--quoting",
    "use_models": "--no-models",
    "disabled_checks": "--disable-check",
    "grammar": "--no-grammar",
    "roundtrip_flags": "--no-roundtrip-flags",
    "allowed_words": "--allow-word",
    "document_pass": "--single-pass",
}


class _Refused(Exception):
    """What a value should have been; the caller adds where it came from."""


def _kind(name: str) -> type:
    return type(_FIELDS[name].default)


def _expected(name: str) -> str:
    kind = _kind(name)
    if kind is bool:
        return "true or false"
    if kind in (int, float):
        low, high = _FIELDS[name].metadata["range"]
        noun = "an integer" if kind is int else "a number"
        return f"{noun} from {_number(low)} to {_number(high)}"
    if kind is tuple:
        return "a list of text"
    return "text"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(name: str, value: Any) -> Any:
    """`value` as the field holds it, or `SettingsError` (no origin: built in code)."""
    try:
        return _typed(name, value)
    except _Refused as exc:
        raise SettingsError(f"{name} must be {exc}, got {_shown(value)}") from None


def _typed(name: str, value: Any) -> Any:
    """The field's own type, range and text rules; `_Refused` says what was expected."""
    kind = _kind(name)
    if kind is bool:
        if not isinstance(value, bool):
            raise _Refused(_expected(name))
        return value
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
            raise _Refused(_expected(name))
        low, high = _FIELDS[name].metadata["range"]
        finite = isinstance(value, int) or math.isfinite(value)  # an int never overflows here
        if not (finite and low <= value <= high):
            raise _Refused(_expected(name))
        return float(value) if kind is float and not isinstance(value, float) else value
    if kind is tuple:
        if not isinstance(value, (tuple, list)):
            raise _Refused(_expected(name))
        for item in value:
            _text(item, "a list of text")
        return value if isinstance(value, tuple) else tuple(value)
    return _text(value, "text")


def _text(value: Any, expected: str) -> str:
    if not isinstance(value, str):
        raise _Refused(expected)
    found = _BAD_TEXT.search(value)
    if found is not None:
        if found.group() == "\x00":
            raise _Refused(f"{expected} without U+0000 (NUL)")
        raise _Refused(f"{expected} in valid UTF-8")
    return value


def _from_text(name: str, value: Any) -> Any:
    """An environment variable's or a flag's value: words for booleans, digits for
    integers, a decimal number for floats, commas between the items of a list."""
    if not isinstance(value, str):
        return value
    kind = _kind(name)
    text = value.strip()
    if kind is bool:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise _Refused("true or false (or 1/0, yes/no, on/off)")
    if kind is int:
        if not _INTEGER.fullmatch(text) or len(text) > 40:
            raise _Refused(_expected(name))
        return int(text)
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise _Refused(_expected(name)) from None
    if kind is tuple:
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _from_toml(name: str, value: Any) -> Any:
    """A TOML value: already typed; a list may also be one comma-separated string, and
    `flag_weights` a table of signal = weight."""
    kind = _kind(name)
    if kind is tuple and isinstance(value, str):
        return _from_text(name, value)
    if name == "flag_weights" and isinstance(value, dict):
        weights = []
        for key, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise _Refused("a table of signal = number")
            if not math.isfinite(weight):
                raise _Refused("a table of signal = finite number")
            weights.append(f"{key}={float(weight)}")
        return tuple(weights)
    return value


def _coerce(name: str, value: Any, origin: str, *, toml: bool = False) -> Any:
    try:
        return _typed(name, _from_toml(name, value) if toml else _from_text(name, value))
    except _Refused as exc:
        raise SettingsError(f"{origin}: {name} must be {exc}, got {_shown(value)}") from None


def _apply(
    values: dict[str, Any], updates: Mapping[str, Any], origin: str, *, toml: bool = False
) -> None:
    for key, value in updates.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise SettingsError(f"{origin}: unknown setting {key!r}")
        if value is None:
            continue
        where = origin
        if origin == "environment":
            where = f"environment {ENV_PREFIX}{name.upper()}"
        elif origin == "option":
            where = f"option {flag_name(name)}"
        values[name] = _coerce(name, value, where, toml=toml)


def load_settings(
    config: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Layer the sources in order; `config=None` reads ./mtreview.toml when it exists."""
    values: dict[str, Any] = {}
    path = Path(config) if config is not None else Path(DEFAULT_CONFIG_NAME)
    where = printable(str(path))  # a name that is not UTF-8, as its bytes
    if config is not None and not path.is_file():
        raise SettingsError(f"{where}: settings file not found")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{where}: not valid TOML ({exc})") from None
        section = data.get("mtreview", data)
        if not isinstance(section, dict):
            raise SettingsError(f"{where}: [mtreview] must be a table")
        _apply(values, section, where, toml=True)
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


# --- declared once: help, docs table ------------------------------------------------------
def setting_help(name: str) -> str:
    """What the key `name` sets, as declared with its field."""
    return str(_FIELDS[name].metadata["help"])


def flag_name(name: str) -> str:
    """The command-line flag that sets `name` where a command has one."""
    return _FLAG_NAMES.get(name, "--" + name.replace("_", "-"))


def _toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_literal(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def settings_table() -> str:
    """Every key as a Markdown table (key, default, what it sets): docs/scoring.md holds
    it between `<!-- settings-table -->` markers, and a test keeps the two the same."""
    lines = ["| key | default | what it sets |", "| --- | --- | --- |"]
    for name, field in _FIELDS.items():
        text = setting_help(name).replace("|", "\\|")
        if "range" in field.metadata:
            low, high = field.metadata["range"]
            text += f" ({_number(low)} to {_number(high)})"
        lines.append(f"| `{name}` | `{_toml_literal(field.default)}` | {text} |")
    return "\n".join(lines) + "\n"


# --- the app's child: the resolved settings, whole ------------------------------------------
APP_SETTINGS_VARIABLE = f"{ENV_PREFIX}SETTINGS_JSON"


def _is_setting_variable(key: str) -> bool:
    return key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in _FIELDS


def settings_json(settings: Settings) -> str:
    """Every key's value as one JSON object (ASCII, so any value fits in a variable)."""
    return json.dumps({name: getattr(settings, name) for name in _FIELDS}, sort_keys=True)


def app_environment(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `mtreview app` gives the Streamlit child: this one's, less the
    `MTREVIEW_<key>` variables (already in `settings`), plus the resolved settings in
    `MTREVIEW_SETTINGS_JSON`, which `settings_for_app` reads there."""
    env = os.environ if environ is None else environ
    child = {key: value for key, value in env.items() if not _is_setting_variable(key)}
    child[APP_SETTINGS_VARIABLE] = settings_json(settings)
    return child


def settings_for_app(environ: Mapping[str, str] | None = None) -> Settings:
    """The app's settings: those `mtreview app` resolved (`MTREVIEW_SETTINGS_JSON`, each
    value checked again as a file's would be), else `load_settings()` (`streamlit run
    app.py`: ./mtreview.toml and the MTREVIEW_* variables)."""
    env = os.environ if environ is None else environ
    given = env.get(APP_SETTINGS_VARIABLE)
    if given is None:
        return load_settings(environ=env)
    origin = f"environment {APP_SETTINGS_VARIABLE}"
    try:
        data = json.loads(given)
    except ValueError as exc:
        raise SettingsError(f"{origin}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{origin}: must be a JSON object of settings")
    values: dict[str, Any] = {}
    _apply(values, data, origin, toml=True)
    return Settings(**values)
