"""Settings checked by type and range whatever gives them: a TOML file, an MTREVIEW_*
variable, a flag, or `Settings(...)` in code. A bad value is one `SettingsError` line that
names the key, where it came from and what was expected; the CLI says it and exits 2,
before anything (a cache folder, a store) is made."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mtreview.cli import main
from mtreview.errors import SettingsError
from mtreview.settings import Settings, load_settings

NAN, INF = math.nan, math.inf
# (key, TOML literal, environment value, Python value, what was expected); None: the
# source cannot give that value
BAD = [
    ("batch_size", "inf", "inf", INF, "an integer from 1 to 100000"),
    ("batch_size", "nan", "nan", NAN, "an integer from 1 to 100000"),
    ("batch_size", "-inf", "-inf", -INF, "an integer from 1 to 100000"),
    ("batch_size", "1.9", "1.9", 1.9, "an integer from 1 to 100000"),
    ("batch_size", "true", "true", True, "an integer from 1 to 100000"),
    ("batch_size", "0", "0", 0, "an integer from 1 to 100000"),
    ("batch_size", "100001", "100001", 100_001, "an integer from 1 to 100000"),
    ("batch_size", "'many'", "many", "many", "an integer from 1 to 100000"),
    ("batch_size", "9" * 30, "9" * 5000, 10**30, "an integer from 1 to 100000"),
    ("num_beams", "65", "65", 65, "an integer from 1 to 64"),
    ("num_return", "0", "0", 0, "an integer from 1 to 64"),
    ("max_length", "0", "0", 0, "an integer from 1 to 100000"),
    ("threads", "-1", "-1", -1, "an integer from 0 to 4096"),
    ("grammar_processes", "5000", "5000", 5000, "an integer from 0 to 4096"),
    ("page_size", "0", "0", 0, "an integer from 1 to 10000"),
    ("max_upload_mb", "0", "0", 0, "an integer from 1 to 100000"),
    ("max_segment_chars", "0", "0", 0, "an integer from 1 to 10000000"),
    ("grammar_timeout", "0.0", "0", 0.0, "a number from 0.001 to 86400"),
    ("grammar_timeout", "inf", "inf", INF, "a number from 0.001 to 86400"),
    ("nbest_agreement", "1.5", "1.5", 1.5, "a number from 0 to 1"),
    ("nbest_agreement", "nan", "nan", NAN, "a number from 0 to 1"),
    ("surprisal_threshold", "nan", "nan", NAN, "a number from -1000 to 0"),
    ("surprisal_threshold", "'low'", "low", "low", "a number from -1000 to 0"),
    ("risk_flag_scale", "0", "0", 0, "a number from 0.001 to 1000000"),
    ("cache_dir", '{a = "x"}', None, {"a": "x"}, "text"),
    ("cache_dir", '["x"]', None, ["x"], "text"),
    ("cache_dir", "3", None, 3, "text"),
    ("cache_dir", '"a\\u0000b"', "a\x00b", "a\x00b", "text without U+0000 (NUL)"),
    ("db", '"x\\u0000.db"', "x\x00.db", "x\x00.db", "text without U+0000 (NUL)"),
    ("lang", None, "caf\udce9", "caf\udce9", "text in valid UTF-8"),
    ("use_models", '"yes"', "maybe", "yes", "true or false"),
    ("grammar", "1", "2", 1, "true or false"),
    ("checks", "[1]", None, (1,), "a list of text"),
    ("checks", "{a = 1}", None, "spacing", "a list of text"),
    ("allowed_words", '["a\\u0000"]', None, ("a\x00",), "a list of text without U+0000 (NUL)"),
    ("flag_weights", '{"rule:x" = inf}', None, None, "a table of signal = finite number"),
    ("flag_weights", '{"rule:x" = "high"}', None, None, "a table of signal = number"),
]


def _cases(source: str) -> list[tuple[str, object, str]]:
    column = {"toml": 1, "environment": 2, "code": 3}[source]
    return [(case[0], case[column], case[4]) for case in BAD if case[column] is not None]


def _one_line(error: pytest.ExceptionInfo[SettingsError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("key", "literal", "expected"), _cases("toml"))
def test_bad_values_in_a_settings_file(
    tmp_path: Path, key: str, literal: str, expected: str
) -> None:
    config = tmp_path / "team.toml"
    config.write_text(f"[mtreview]\n{key} = {literal}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(config, environ={})
    assert _one_line(error).startswith(f"{config}: {key} must be {expected}, got ")


@pytest.mark.parametrize(("key", "value", "expected"), _cases("environment"))
def test_bad_values_in_the_environment(key: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ={f"MTREVIEW_{key.upper()}": value})
    message = _one_line(error)
    assert message.startswith(f"environment MTREVIEW_{key.upper()}: {key} must be {expected}")
    assert message.isascii()  # a NUL or a non-UTF-8 byte is shown escaped


@pytest.mark.parametrize(("key", "value", "expected"), _cases("code"))
def test_bad_values_built_in_code(key: str, value: object, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings(**{key: value})  # type: ignore[arg-type]
    assert _one_line(error).startswith(f"{key} must be {expected}, got ")


def test_the_message_names_file_key_value_and_range(tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    config.write_text("[mtreview]\nbatch_size = inf\n", encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(config, environ={})
    assert str(error.value) == f"{config}: batch_size must be an integer from 1 to 100000, got inf"


def test_flags_are_checked_and_named() -> None:
    with pytest.raises(SettingsError, match=r"^option --batch-size: batch_size must be an int"):
        load_settings(environ={}, overrides={"batch_size": 0})
    with pytest.raises(SettingsError, match=r"^option --num-return: num_return must be an int"):
        load_settings(environ={}, overrides={"num_return": "1.5"})
    with pytest.raises(SettingsError, match=r"^option --allow-word: allowed_words must be"):
        load_settings(environ={}, overrides={"allowed_words": ("caf\udce9",)})
    with pytest.raises(SettingsError, match=r"^option --surprisal-threshold: "):
        load_settings(environ={}, overrides={"surprisal_threshold": INF})


def test_later_sources_are_checked_even_when_earlier_ones_are_good(tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    config.write_text("[mtreview]\nbatch_size = 8\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="environment MTREVIEW_BATCH_SIZE"):
        load_settings(config, environ={"MTREVIEW_BATCH_SIZE": "8.0"})


def test_good_values_of_every_kind_and_source(tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    config.write_text(
        "[mtreview]\nbatch_size = 100000\nthreads = 0\ngrammar_timeout = 30\n"
        'checks = ["spacing", "quotes"]\ndisabled_checks = "repeats, echo"\n'
        "use_models = false\nnbest_agreement = 0\n"
        '[mtreview.flag_weights]\n"rule:agreement" = 0.5\n"rule:echo" = 2\n',
        encoding="utf-8",
    )
    environ = {"MTREVIEW_NUM_BEAMS": " +2 ", "MTREVIEW_GRAMMAR": "Off", "MTREVIEW_LANG": "de"}
    settings = load_settings(config, environ=environ, overrides={"max_length": 64})
    assert (settings.batch_size, settings.threads, settings.num_beams) == (100_000, 0, 2)
    assert settings.grammar_timeout == 30.0 and isinstance(settings.grammar_timeout, float)
    assert settings.checks == ("spacing", "quotes")
    assert settings.disabled_checks == ("repeats", "echo")
    assert settings.flag_weights == ("rule:agreement=0.5", "rule:echo=2.0")
    assert (settings.use_models, settings.grammar, settings.lang) == (False, False, "de")
    assert settings.nbest_agreement == 0.0 and settings.max_length == 64
    built = Settings(checks=["spacing"], grammar_timeout=5)  # type: ignore[arg-type]
    assert built.checks == ("spacing",) and built.grammar_timeout == 5.0


# --- through the command line: exit 2, one line, nothing made ----------------------------
COMMANDS = [
    ["score", "{article}", "--no-models", "--no-grammar", "-o", "out.jsonl"],
    ["score", "{article}", "--no-models", "--no-grammar", "--db", "new.db"],
    ["cache"],
    ["export", "--db", "new.db", "--format", "tsv", "-o", "out.tsv"],
    ["import-reviews", "reviews.jsonl", "--db", "new.db"],
    ["users", "list", "--db", "new.db"],
    ["agreement", "--db", "new.db"],
    ["models", "list"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
@pytest.mark.parametrize("value", ["inf", "1.9", "nan"])
def test_every_command_refuses_a_bad_batch_size(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    article: Path,
    argv: list[str],
    value: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MTREVIEW_BATCH_SIZE", value)
    (tmp_path / "reviews.jsonl").write_text("", encoding="utf-8")
    assert main([word.format(article=article) for word in argv]) == 2
    err = capsys.readouterr().err
    assert err == (
        "mtreview: error: environment MTREVIEW_BATCH_SIZE: batch_size must be an integer "
        f"from 1 to 100000, got {value!r}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.jsonl"]


@pytest.mark.parametrize(
    ("literal", "shown"),
    [('{a = "x"}', "{'a': 'x'}"), ('["x", "y"]', "['x', 'y']"), ('"a\\u0000b"', "'a\\x00b'")],
)
def test_a_bad_cache_dir_makes_no_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    article: Path,
    literal: str,
    shown: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MTREVIEW_CACHE_DIR", raising=False)
    (tmp_path / "mtreview.toml").write_text(f"[mtreview]\ncache_dir = {literal}\n", "utf-8")
    for argv in (["score", str(article), "--no-models", "--no-grammar"], ["cache"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("mtreview: error: mtreview.toml: cache_dir must be text")
        assert err.endswith(f", got {shown}\n") and err.count("\n") == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == ["mtreview.toml"]
